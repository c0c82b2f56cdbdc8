"""The pipeline that archives, cleans, gates and stores each fetched page
(spiders/pipeline.py), driven without Scrapy: a fake store, a real WARC
writer in tmp_path, cleaning in the calling thread (CleaningPool(0)), and the
store written on a writer thread as in a crawl (spiders/store_thread.py):
never on the caller's thread, at most `max_pages_in_hand` pages held while
the store waits, nothing lost when it comes back."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cleaning import CLEANER_VERSION
from cleaning.outcome import Cleaned
from ingest.clean_pool import CleaningPool
from replica.divi import BASE, Post, article_page, listing_page
from spiders.items import FetchedPage
from spiders.pipeline import ArchivePipeline
from spiders.store_thread import WriterThread
from storage.store import PageRecord, StoreError, StoreUnavailable, UpsertCounts
from storage.warc import WarcWriterRotating, read_response

BODY = "".join(f"<p>Paragraph {n}: the ministers met in Geneva on Monday and agreed to meet "
               "again next week, officials said.</p>" for n in range(3))


@dataclass
class FakeStore:
    """Records what the pipeline stores; each batch's articles are new ones.
    When a batch arrives, its WARC records must already be readable. Each
    call's thread is noted; while `open` is cleared, writes wait (a store
    that stalls), and `failure` set, they raise it."""

    batches: list[list[PageRecord]] = field(default_factory=list)
    quarantined: list[dict[str, Any]] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)
    open: threading.Event = field(default_factory=threading.Event)
    waiting: int = 0  # writes waiting for `open` now
    failure: StoreError | None = None

    def __post_init__(self) -> None:
        self.open.set()

    def _write(self) -> None:
        self.threads.append(threading.current_thread())
        self.waiting += 1
        assert self.open.wait(timeout=30), "the test never let the store go on"
        self.waiting -= 1
        if self.failure is not None:
            raise self.failure

    def upsert_articles(self, records: list[PageRecord]) -> UpsertCounts:
        self._write()
        records = list(records)
        for record in records:  # on disk before the store is told
            assert record.warc_file is not None and record.warc_offset is not None
            page = read_response(record.warc_file, record.warc_offset)
            assert page.url == record.article.url
        self.batches.append(records)
        return UpsertCounts(new=len(records))

    def quarantine(self, url: str, reason: str, detail: str = "", **where: Any) -> None:
        self._write()
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


WRITERS: list[WriterThread] = []


@pytest.fixture(autouse=True)
def _writers_stopped(store) -> Iterator[None]:
    """Writer threads stopped after each test; no store call was made on the
    caller's thread (the reactor's, in a crawl)."""
    yield
    while WRITERS:
        WRITERS.pop().close()
    assert all(thread is not threading.main_thread() for thread in store.threads)


def writer(max_pages_in_hand: int = 300) -> WriterThread:
    """A writer thread, as a crawl's spider makes one."""
    made = WriterThread(max_pages_in_hand)
    WRITERS.append(made)
    return made


def make_pipeline(store: FakeStore, tmp_path: Path, batch_size: int = 2,
                  max_pages_in_hand: int = 300, **extra: Any) -> ArchivePipeline:
    return ArchivePipeline(store=store,  # type: ignore[arg-type]
                           warc=WarcWriterRotating(Path(tmp_path) / "warc"),
                           cleaner_site="aawsat", run_id=42, batch_size=batch_size,
                           cleaner=CleaningPool(0), writer=writer(max_pages_in_hand), **extra)


@pytest.fixture
def pipeline(store, tmp_path) -> ArchivePipeline:
    return make_pipeline(store, tmp_path)


def run(pipeline: ArchivePipeline, item: FetchedPage) -> dict[str, Any]:
    return asyncio.run(pipeline.process_item(item))


def written(pipeline: ArchivePipeline, store: FakeStore) -> FakeStore:
    """The store once every write queued so far is done; none of them ran
    on the caller's thread (the reactor's, in a crawl)."""
    pipeline.writer.drain()
    assert all(thread is not threading.main_thread() for thread in store.threads)
    return store


async def until(condition: Callable[[], Any], what: str, timeout: float = 30) -> None:
    """tests.support.wait_until for a test that runs its own event loop: the
    loop goes on (the pipeline's tasks run) between looks."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


def test_articles_are_archived_then_stored_in_batches(pipeline, store):
    first = article_item("first")
    assert run(pipeline, first) == {"url": first.url, "outcome": "accepted"}
    assert written(pipeline, store).batches == []  # a batch of two
    second = article_item("second")
    run(pipeline, second)
    assert len(written(pipeline, store).batches) == 1
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
    assert [len(batch) for batch in written(pipeline, store).batches] == [2, 1]
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
    class DyingCleaner(CleaningPool):
        async def archive_and_clean(self, page, request_headers, site):
            records, _ = await super().archive_and_clean(page, request_headers, site)
            return records, Cleaned(problem="cleaner_crashed", detail="the process died",
                                    transient=True)

    pipeline = ArchivePipeline(store=store, warc=WarcWriterRotating(Path(tmp_path) / "warc"),
                               cleaner_site="aawsat", run_id=None, batch_size=1,
                               cleaner=DyingCleaner(0), writer=writer())
    item = article_item("unlucky")
    assert run(pipeline, item)["outcome"] == "quarantined"
    pipeline.close()
    (entry,) = store.quarantined
    assert entry["reason"] == "cleaner_crashed"
    assert entry["permanent"] is False  # not a verdict on the page: tried again next run
    assert read_response(entry["warc_file"], entry["warc_offset"]).body == item.body


# --- a store that waits: back-pressure, then nothing lost ---------------------------------
def test_a_stalled_store_holds_max_pages_in_hand_and_then_stores_every_page_once(
        store, tmp_path):
    """While the store waits, pages are taken at once up to the bound (4: two
    batches, one being written, one queued); the pipeline then waits with
    the rest. Once the store answers, every page is stored, once."""
    pipeline = make_pipeline(store, tmp_path, batch_size=2, max_pages_in_hand=4)
    items = [article_item(f"held-{n}") for n in range(10)]
    store.open.clear()

    async def crawl() -> list[asyncio.Task[dict[str, Any]]]:
        tasks = [asyncio.create_task(pipeline.process_item(item)) for item in items]
        await until(lambda: sum(t.done() for t in tasks) == 4 and store.waiting == 1,
                    "four pages taken while the store waits")
        assert pipeline.writer.pages_in_hand == 4
        assert all(t.result()["outcome"] == "accepted" for t in tasks[:4])
        assert not any(t.done() for t in tasks[4:])  # the rest wait for room
        store.open.set()
        await asyncio.gather(*tasks)
        return tasks

    tasks = asyncio.run(crawl())
    assert all(t.result()["outcome"] == "accepted" for t in tasks)
    report = pipeline.close()
    stored = [r.article.canonical_url for batch in store.batches for r in batch]
    assert sorted(stored) == sorted(item.url for item in items)  # each once
    assert report["articles_new"] == 10
    assert report["pages_in_hand_peak"] == 4  # reached, never passed
    assert pipeline.writer.pages_in_hand == 0


def test_a_quarantined_page_is_in_hand_until_written(store, tmp_path):
    pipeline = make_pipeline(store, tmp_path, batch_size=2, max_pages_in_hand=3)
    short = Post(slug="short", title="Short", body_html="<p>Far too short to keep.</p>")
    items = [article_item("a"), article_item("b"), fetched(short.path, article_page(short)),
             article_item("c")]
    store.open.clear()

    async def crawl() -> list[asyncio.Task[dict[str, Any]]]:
        tasks = [asyncio.create_task(pipeline.process_item(item)) for item in items]
        await until(lambda: sum(t.done() for t in tasks) == 3, "three pages in hand")
        assert not tasks[3].done() and pipeline.writer.pages_in_hand == 3
        store.open.set()
        await asyncio.gather(*tasks)
        return tasks

    asyncio.run(crawl())
    pipeline.close()
    assert [[r.article.url for r in b] for b in store.batches] == [
        [items[0].url, items[1].url], [items[3].url]]
    assert [e["reason"] for e in store.quarantined] == ["too_short"]
    assert pipeline.report()["pages_in_hand_peak"] == 3


def test_a_bound_below_the_batch_size_sends_the_partial_batch(store, tmp_path):
    """With room for one page only, a batch of five never fills: the page in
    hand is sent on its own rather than waiting for room forever."""
    pipeline = make_pipeline(store, tmp_path, batch_size=5, max_pages_in_hand=1)
    for n in range(3):
        assert run(pipeline, article_item(f"one-{n}"))["outcome"] == "accepted"
    report = pipeline.close()
    assert [len(batch) for batch in store.batches] == [1, 1, 1]
    assert report["articles_new"] == 3 and report["pages_in_hand_peak"] == 1


def test_a_store_error_stops_storing_and_is_raised(store, tmp_path):
    """The store gone past its retries: the error reaches the crawl (the
    Scrapy pipeline stops it with `store_error`), later pages are not queued
    behind it, and close raises it too."""
    errors: list[StoreError] = []
    pipeline = make_pipeline(store, tmp_path, batch_size=1)
    pipeline.writer.on_error = errors.append
    store.failure = StoreUnavailable("the store at sqlite:///x failed in _upsert_batch")
    run(pipeline, article_item("lost"))
    pipeline.writer.drain()
    assert [str(e) for e in errors] == [str(store.failure)]
    with pytest.raises(StoreError):
        run(pipeline, article_item("after"))
    with pytest.raises(StoreError):
        pipeline.close()
    assert len(store.threads) == 1  # asked once; nothing after the error


def test_without_a_writer_the_store_is_written_in_the_calling_thread(tmp_path):
    """For callers with no reactor to keep free (tools, some tests)."""
    store = FakeStore()
    pipeline = ArchivePipeline(store=store, warc=WarcWriterRotating(tmp_path / "warc"),
                               cleaner_site="aawsat", run_id=1, batch_size=1,
                               cleaner=CleaningPool(0))
    run(pipeline, article_item("inline"))
    assert len(store.batches) == 1 and store.threads == [threading.main_thread()]
    store.threads.clear()  # the autouse check is about the crawl's writers
