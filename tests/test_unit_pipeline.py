"""The pipeline that archives, cleans, gates and stores each fetched page
(spiders/pipeline.py), driven without Scrapy: a fake store, a real WARC
writer in tmp_path, cleaning in the calling thread (CleanerPool(0))."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cleaning import CLEANER_VERSION
from cleaning.outcome import Cleaned
from replica.divi import BASE, Post, article_page, listing_page
from spiders.clean_pool import CleanerPool
from spiders.items import FetchedPage
from spiders.pipeline import ArchivePipeline
from storage.store import PageRecord, UpsertCounts
from storage.warc import WarcWriterRotating, read_response

BODY = "".join(f"<p>Paragraph {n}: the ministers met in Geneva on Monday and agreed to meet "
               "again next week, officials said.</p>" for n in range(3))


@dataclass
class FakeStore:
    """Records what the pipeline stores; each batch's articles are new ones.
    When a batch arrives, its WARC records must already be readable."""

    batches: list[list[PageRecord]] = field(default_factory=list)
    quarantined: list[dict[str, Any]] = field(default_factory=list)

    def upsert_articles(self, records: list[PageRecord]) -> UpsertCounts:
        records = list(records)
        for record in records:  # on disk before the store is told
            assert record.warc_file is not None and record.warc_offset is not None
            page = read_response(record.warc_file, record.warc_offset)
            assert page.url == record.article.url
        self.batches.append(records)
        return UpsertCounts(new=len(records))

    def quarantine(self, url: str, reason: str, detail: str = "", **where: Any) -> None:
        self.quarantined.append({"url": url, "reason": reason, "detail": detail, **where})


def fetched(path: str, html: str, headers: list[tuple[str, str]] | None = None) -> FetchedPage:
    url = BASE + path
    return FetchedPage(url=url, requested_url=url, status=200,
                       headers=headers or [("Content-Type", "text/html; charset=UTF-8")],
                       request_headers=[("User-Agent", "test")], body=html.encode())


def article_item(slug: str, **post: Any) -> FetchedPage:
    made = Post(slug=slug, title=f"Talks resume {slug}", body_html=BODY, **post)
    return fetched(made.path, article_page(made))


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def pipeline(store, tmp_path) -> ArchivePipeline:
    return ArchivePipeline(store=store, warc=WarcWriterRotating(tmp_path / "warc"),
                           cleaner_site="aawsat", run_id=42, batch_size=2,
                           cleaner=CleanerPool(0))


def run(pipeline: ArchivePipeline, item: FetchedPage) -> dict[str, Any]:
    return asyncio.run(pipeline.process_item(item))


def test_articles_are_archived_then_stored_in_batches(pipeline, store):
    first = article_item("first")
    assert run(pipeline, first) == {"url": first.url, "outcome": "accepted"}
    assert store.batches == []  # a batch of two
    second = article_item("second")
    run(pipeline, second)
    assert len(store.batches) == 1
    records = store.batches[0]
    assert [r.article.canonical_url for r in records] == [first.url, second.url]
    record = records[0]
    assert record.run_id == 42 and record.cleaner_version == CLEANER_VERSION
    assert record.article.title == "Talks resume first" and len(record.article.blocks) == 3
    page = read_response(record.warc_file, record.warc_offset)
    assert page.body == first.body and page.status == 200
    assert records[1].warc_file == record.warc_file  # one WARC file, two places in it
    assert records[1].warc_offset > record.warc_offset


def test_close_stores_the_last_partial_batch_and_reports(pipeline, store):
    run(pipeline, article_item("one"))
    run(pipeline, article_item("two"))
    run(pipeline, article_item("three"))
    listing = fetched("/category/opinion", listing_page("Opinion", [
        Post(slug=f"s{n}", title=f"S{n}", body_html="") for n in range(3)], None, None))
    run(pipeline, listing)
    report = pipeline.close()
    assert [len(batch) for batch in store.batches] == [2, 1]
    assert report["articles_new"] == 3
    assert report["quarantined"] == {"not_an_article": 1}
    assert report["extractors"] == {"aawsat": 3}
    assert report["fallbacks"] == 0
    assert report["missing_dates"] == 0  # the archive's pages carry their date
    assert pipeline.report() == report
    pipeline.close()  # twice: nothing stored twice
    assert [len(batch) for batch in store.batches] == [2, 1]


def test_a_page_that_is_no_article_is_quarantined_with_its_warc_location(pipeline, store):
    listing = fetched("/category/opinion", listing_page("Opinion", [
        Post(slug=f"s{n}", title=f"S{n}", body_html="") for n in range(3)], None, None))
    assert run(pipeline, listing) == {"url": listing.url, "outcome": "quarantined"}
    pipeline.close()
    assert store.batches == []
    (entry,) = store.quarantined
    assert entry["url"] == listing.url and entry["reason"] == "not_an_article"
    assert entry["permanent"] is True and entry["run_id"] == 42
    page = read_response(entry["warc_file"], entry["warc_offset"])
    assert page.body == listing.body  # kept: a later cleaner can try it again


def test_an_article_the_gate_refuses_is_quarantined_not_stored(pipeline, store):
    post = Post(slug="short", title="Short", body_html="<p>Far too short to keep.</p>")
    item = fetched(post.path, article_page(post))
    assert run(pipeline, item)["outcome"] == "quarantined"
    pipeline.close()
    assert store.batches == []
    assert [(e["reason"], e["permanent"]) for e in store.quarantined] == [("too_short", True)]


def test_validators_of_the_response_are_kept_for_the_next_run(pipeline, store):
    post = Post(slug="validated", title="Validated", body_html=BODY)
    item = fetched(post.path, article_page(post), headers=[
        ("Content-Type", "text/html"), ("ETag", '"v1"'),
        ("Last-Modified", "Wed, 16 Apr 2014 10:00:00 GMT")])
    run(pipeline, item)
    pipeline.close()
    record = store.batches[0][0]
    assert record.etag == '"v1"' and record.last_modified == "Wed, 16 Apr 2014 10:00:00 GMT"


def test_a_fallback_to_generic_and_a_missing_date_are_counted(pipeline, store):
    # No Divi markup: the aawsat profile finds no body, generic takes over; no date.
    html = ("<html><head><title>Harbour reopens</title></head><body><main><article>"
            f"<h1>Harbour reopens</h1>{BODY}</article></main></body></html>")
    run(pipeline, fetched("/theaawsat/news-middle-east/harbour-reopens", html))
    report = pipeline.close()
    assert report["articles_new"] == 1
    assert report["extractors"] == {"generic": 1}
    assert report["fallbacks"] == 1 and report["missing_dates"] == 1


def test_a_page_whose_cleaner_died_is_archived_and_left_for_the_next_run(store, tmp_path):
    class DyingCleaner(CleanerPool):
        async def archive_and_clean(self, page, request_headers, site):
            records, _ = await super().archive_and_clean(page, request_headers, site)
            return records, Cleaned(problem="cleaner_crashed", detail="the process died",
                                    transient=True)

    pipeline = ArchivePipeline(store=store, warc=WarcWriterRotating(Path(tmp_path) / "warc"),
                               cleaner_site="aawsat", run_id=None, batch_size=1,
                               cleaner=DyingCleaner(0))
    item = article_item("unlucky")
    assert run(pipeline, item)["outcome"] == "quarantined"
    pipeline.close()
    (entry,) = store.quarantined
    assert entry["reason"] == "cleaner_crashed"
    assert entry["permanent"] is False  # not a verdict on the page: tried again next run
    assert read_response(entry["warc_file"], entry["warc_offset"]).body == item.body
