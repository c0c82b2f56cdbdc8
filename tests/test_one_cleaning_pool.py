"""One cleaning pool and one refused-row rule for the three ingest paths: a
page that stalls the cleaner is quarantined as `cleaner_timeout` by the
crawl's pipeline, the WARC import and re-extraction alike; a row the
database refuses is quarantined as `store_rejected` by all three."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ingest.clean_pool import CleaningPool
from ingest.reextract import reextract
from ingest.warc_import import import_warc
from replica.divi import BASE
from spiders.items import FetchedPage
from spiders.pipeline import ArchivePipeline
from storage.store import ArticleStore
from storage.warc import WarcWriterRotating
from tests.pool_tasks import stalls_on_slow_imports, stalls_on_slow_jobs, stalls_on_slow_pages
from tests.test_reextract import Archive, page_html

pytestmark = pytest.mark.integration  # cleaning processes, and PostgreSQL
SECTION = f"{BASE}/theaawsat/news-middle-east"


def crawl(store: ArticleStore, tmp_path: Path, pages: dict[str, str],
          pool: CleaningPool) -> dict[str, int]:
    """The crawl's pipeline (as Scrapy drives it) over fetched pages."""
    pipeline = ArchivePipeline(store=store, warc=WarcWriterRotating(tmp_path / "crawl-warc"),
                               cleaner_site="aawsat", run_id=None, batch_size=10,
                               cleaner=pool, stored_as="aawsat")

    async def fetch_all() -> None:
        for url, html in pages.items():
            await pipeline.process_item(FetchedPage(
                url=url, requested_url=url, status=200, request_headers=[],
                headers=[("Content-Type", "text/html; charset=utf-8")], body=html.encode()))

    asyncio.run(fetch_all())
    return pipeline.close()["quarantined"]


def imported(store: ArticleStore, tmp_path: Path, pages: dict[str, str]) -> dict[str, int]:
    archive = Archive(tmp_path / "import-warc")
    for url, html in pages.items():
        archive.add(url, html)
    return import_warc(store, [tmp_path / "import-warc"], site="aawsat", workers=2).quarantined


def reextracted(store: ArticleStore, tmp_path: Path, pages: dict[str, str]) -> dict[str, int]:
    """Pages first quarantined (an older cleaner's verdict), then re-extracted."""
    archive = Archive(tmp_path / "reextract-warc")
    for url, html in pages.items():
        warc_file, offset = archive.add(url, html)
        store.quarantine(url, "too_short", permanent=False, warc_file=warc_file,
                         warc_offset=offset)
    outcome = reextract(store, workers=2)
    return {k: v for k, v in outcome.items() if k in ("cleaner_timeout", "store_rejected")}


def reasons(store: ArticleStore) -> dict[str, str]:
    return {row["url"]: row["reason"] for row in store.quarantine_samples(None, limit=100)}


def test_a_page_that_stalls_the_cleaner_is_quarantined_alike_on_every_path(
        tmp_path, monkeypatch):
    monkeypatch.setattr("ingest.warc_import.INLINE_PAGES", 0)
    monkeypatch.setattr("ingest.warc_import.CLEAN_BUDGET_S", 2.0)
    monkeypatch.setattr("ingest.warc_import._clean_job", stalls_on_slow_imports)
    monkeypatch.setattr("ingest.reextract.IN_THREAD_FIRST", 0)
    monkeypatch.setattr("ingest.reextract.CLEAN_BUDGET_S", 2.0)
    monkeypatch.setattr("ingest.reextract._clean", stalls_on_slow_jobs)
    paths = {"crawl": crawl, "import": imported, "reextract": reextracted}
    for name, path in paths.items():
        store = ArticleStore(f"sqlite:///{tmp_path / name}.db")
        slow = f"{SECTION}/{name}-slow"
        pool = CleaningPool(1, budget_s=2, in_thread_first=0, task=stalls_on_slow_pages)
        pages = {slow: page_html(f"{name}-slow"), f"{SECTION}/{name}-fine": page_html(name)}
        args = (store, tmp_path, pages) + ((pool,) if name == "crawl" else ())
        assert path(*args).get("cleaner_timeout") == 1, name
        assert reasons(store)[slow] == "cleaner_timeout", name
        assert store.stats()["articles"] == 1, name  # the fine page (re-extraction: recovered)


def test_a_row_the_database_refuses_is_quarantined_alike_on_every_path(pg_url, tmp_path):
    store = ArticleStore(pg_url)
    # A value this database will not hold (an operator's CHECK constraint: the
    # cleaner already keeps out what PostgreSQL refuses by itself, NUL bytes).
    with store.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE articles ADD CONSTRAINT no_refused_titles "
                                   "CHECK (title NOT LIKE '%%-refused%%')")
    for name in ("crawl", "import", "reextract"):
        url = f"{SECTION}/{name}-refused"
        pages = {url: page_html(f"{name}-refused"), f"{SECTION}/{name}-fine": page_html(name)}
        if name == "crawl":
            quarantined = crawl(store, tmp_path, pages, CleaningPool(0))
        else:
            quarantined = (imported if name == "import" else reextracted)(store, tmp_path, pages)
        # Re-extraction also tries the earlier paths' refused pages again (they
        # were quarantined for the next run), and the database refuses them again.
        assert quarantined.get("store_rejected") == (3 if name == "reextract" else 1), name
        assert reasons(store)[url] == "store_rejected", name
    assert store.stats()["articles"] == 3
