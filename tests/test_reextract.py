"""Re-extraction goes through the crawl's clean-and-gate step, retries
quarantined pages from their WARC records, and never takes from the crawl
what is the crawl's: status, validators, fetch times, a newer revision.
On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cleaning import CLEANER_VERSION
from ingest.reextract import reextract
from replica.divi import BASE, Post, article_page
from sites import extract_article
from storage.store import ArticleStore, PageRecord
from storage.warc import RawPage, WarcWriterRotating

pytestmark = pytest.mark.integration
FETCHED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
PARAGRAPHS = ["Beirut, Asharq Al-Awsat—The talks resumed on Monday after a pause of three "
              "weeks, officials said, and both delegations arrived in Geneva early.",
              "The second round will focus on a ceasefire in the north of the country, "
              "according to a statement read out by the mediator."]


def page_html(slug: str, paragraphs: list[str] = PARAGRAPHS) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return article_page(Post(slug=slug, title=f"Talks resume {slug}", body_html=body))


class Archive:
    """Pages archived in a real WARC file, as a crawl leaves them."""

    def __init__(self, folder: Path) -> None:
        self.writer = WarcWriterRotating(folder)

    def add(self, url: str, html: str, fetched: datetime = FETCHED,
            etag: str = '"v1"') -> tuple[str, int]:
        page = RawPage(url=url, status=200, body=html.encode(), fetched_at=fetched,
                       headers=[("Content-Type", "text/html; charset=utf-8"), ("ETag", etag),
                                ("Last-Modified", "Wed, 01 May 2024 12:00:00 GMT")])
        location = self.writer.write(page)
        self.writer.close()  # on disk before anything points at it
        return location


def store_crawled(store: ArticleStore, url: str, html: str, location: tuple[str, int],
                  fetched: datetime = FETCHED) -> None:
    article = extract_article(html, url, site="aawsat")
    store.upsert_articles([PageRecord(article=article, fetched_at=fetched, run_id=None,
                                      warc_file=location[0], warc_offset=location[1],
                                      etag='"v1"', last_modified="Wed, 01 May 2024 12:00:00 GMT",
                                      cleaner_version=CLEANER_VERSION)])


def spoil(store: ArticleStore, url: str) -> None:
    """What an older cleaner left: a caption leaked into the body."""
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE articles SET body = 'Photo (AFP)' || body, content_hash = 'old' "
            f"WHERE canonical_url = '{url}'")


@pytest.fixture
def store(db_url) -> ArticleStore:
    return ArticleStore(db_url)


def test_a_changed_result_is_a_new_revision_and_the_crawls_state_stays(store, tmp_path):
    url = BASE + "/theaawsat/news-middle-east/one"
    location = Archive(tmp_path).add(url, page_html("one"))
    store_crawled(store, url, page_html("one"), location)
    store.mark_gone(url)
    before = store.get(url)
    spoil(store, url)
    result = reextract(store, workers=1)
    assert result["updated"] == 1
    after = store.get(url)
    assert not after["body"].startswith("Photo (AFP)") and after["revision"] == 2
    assert after["status"] == "gone"  # a taken-down article stays taken down
    assert after["last_fetched"] == before["last_fetched"]
    validators = store.validators([url])[url]
    assert validators[:2] == ('"v1"', "Wed, 01 May 2024 12:00:00 GMT")  # --refresh still asks
    revision = store.revisions(url)[-1]
    assert revision["crawl_run_id"] is None and revision["warc_offset"] == location[1]


def test_a_page_the_gate_now_rejects_stays_stored_as_it_was(store, tmp_path):
    url = BASE + "/theaawsat/news-middle-east/short"
    archive = Archive(tmp_path)
    store_crawled(store, url, page_html("short"), archive.add(url, page_html("short")))
    # The archived page behind the revision is one a crawl would quarantine as too short.
    short = archive.add(url, page_html("short", ["Too short to be an article."]))
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            f"UPDATE revisions SET warc_file = '{short[0]}', warc_offset = {short[1]}")
    spoil(store, url)
    result = reextract(store, workers=1)
    assert result["now_failing"] == 1 and "updated" not in result
    assert store.get(url)["body"].startswith("Photo (AFP)")  # nothing short was stored


def test_a_quarantined_page_is_recovered_with_its_warc_record_s_time_and_validators(
        store, tmp_path):
    url = BASE + "/theaawsat/news-middle-east/recovered"
    location = Archive(tmp_path).add(url, page_html("recovered"), etag='"w7"')
    store.quarantine(url, "parse_error", "cleaner failed: a bug since fixed",
                     warc_file=location[0], warc_offset=location[1])
    short_url = BASE + "/theaawsat/news-middle-east/still-short"
    short = Archive(tmp_path / "b").add(short_url, page_html("s", ["Too short."]))
    store.quarantine(short_url, "too_short", "3 words", warc_file=short[0],
                     warc_offset=short[1])

    assert reextract(store, workers=1, dry_run=True) == {
        "recovered": 1, "still_quarantined": 1, "total": 2}
    assert store.get(url) is None  # a dry run writes nothing

    result = reextract(store, workers=1)
    assert result["recovered"] == 1 and result["still_quarantined"] == 1
    stored = store.get(url)
    assert stored is not None and stored["last_fetched"] == FETCHED
    assert store.validators([url])[url][0] == '"w7"'
    assert [q["url"] for q in store.quarantine_samples(None)] == [short_url]


def test_an_older_archived_page_never_replaces_a_newer_revision(store, tmp_path):
    url = BASE + "/theaawsat/news-middle-east/raced"
    archive = Archive(tmp_path)
    old = archive.add(url, page_html("raced"))
    newer_html = page_html("raced", [*PARAGRAPHS, "A third paragraph the site added later on "
                                                  "the same day, after the first report."])
    store_crawled(store, url, newer_html, archive.add(url, newer_html),
                  fetched=FETCHED + timedelta(hours=5))
    stale = PageRecord(article=extract_article(page_html("raced"), url, site="aawsat"),
                       fetched_at=FETCHED, warc_file=old[0], warc_offset=old[1],
                       source="reextract")
    counts = store.upsert_articles([stale])
    assert counts.stale == 1 and counts.updated == 0
    assert "A third paragraph" in store.get(url)["body"]
    assert len(store.revisions(url)) == 1


def test_a_corrupt_warc_record_is_skipped_and_counted(store, tmp_path):
    good = BASE + "/theaawsat/news-middle-east/good"
    bad = BASE + "/theaawsat/news-middle-east/bad"
    archive = Archive(tmp_path)
    store_crawled(store, good, page_html("good"), archive.add(good, page_html("good")))
    location = archive.add(bad, page_html("bad"))
    store_crawled(store, bad, page_html("bad"), location)
    with Path(location[0]).open("r+b") as warc:  # garbage where the record starts
        warc.seek(location[1])
        warc.write(b"\x1f\x8b\x08\x00garbage-not-a-record" * 4)
    spoil(store, good)
    result = reextract(store, workers=1)
    assert result["warc_unreadable"] == 1
    assert result["updated"] == 1  # the good one, all the same
