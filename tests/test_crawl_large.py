"""The large on-demand replica (the benchmark's site) and a crawl that cleans
in worker processes: every article stored once with the text the cleaner
gives in-process, WARC records that read back to the served bytes, and
workers that die with their crawl."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import psutil
import pytest

from replica.large import PAGE_BYTES, PER_PAGE, LargeReplicaServer, LargeSite
from sites import extract_article
from spiders.config import CrawlConfig
from spiders.runner import CrawlFailed, run_crawl
from storage.store import ArticleStore
from storage.warc import read_response
from tests.background_crawl import BackgroundCrawl
from tests.support import config_for as replica_config
from tests.support import join, wait_until

ARTICLES = 260  # past the 100 pages a crawl cleans in its own thread before the pool starts


def config_for(base: str, tmp_path: Path, **extra) -> CrawlConfig:
    return replica_config(base, tmp_path, **{"clean_workers": 2, **extra})


def test_large_site_lists_every_article_once_in_heavy_pages():
    site = LargeSite(97)
    listed = []
    for category in range(4):
        number = 1
        while (page := site.listing(category, number, "http://h")) is not None:
            listed += [line.split('href="http://h', 1)[1].split('"', 1)[0]
                       for line in page.split("<h2 class=\"entry-title\">")[1:]]
            number += 1
        assert number - 1 == -(-len(site.category_indices(category)) // PER_PAGE)
    assert sorted(listed) == sorted(site.path(i) for i in range(97))
    sizes = [len(site.article(i, "http://h").encode()) for i in range(0, 97, 7)]
    assert all(PAGE_BYTES[0] * 0.95 <= size <= PAGE_BYTES[1] for size in sizes), sizes
    assert site.page("/nobody/opinion/report-5-cairo", "http://h")[0] == 404
    assert site.page(site.path(96) + "x", "http://h")[0] == 404
    assert site.article(3, "http://h") == LargeSite(97).article(3, "http://h")  # seeded


@pytest.mark.integration
def test_crawl_cleaning_in_worker_processes_stores_what_the_cleaner_gives(tmp_path):
    site = LargeSite(ARTICLES)
    with LargeReplicaServer(ARTICLES) as server:
        summary = run_crawl(config_for(server.base, tmp_path), timeout=300)
        base = server.base
    assert summary.articles_new == ARTICLES
    assert summary.failures == {} and summary.quarantined == {}
    store = ArticleStore(f"sqlite:///{tmp_path}/a.db")
    for index in range(0, ARTICLES, 13):
        url = base + site.path(index)
        stored = store.get(url)
        assert stored is not None, url
        expected = extract_article(site.article(index, base), url, site="aawsat")
        assert stored["body"] == expected.body and stored["title"] == expected.title
        assert stored["dateline"] == expected.dateline
        revision = store.revisions(url)[-1]
        page = read_response(revision["warc_file"], revision["warc_offset"])
        assert page.body == site.article(index, base).encode()
    log = Path(summary.log_file).read_text()
    assert "Traceback" not in log and " ERROR" not in log


@pytest.mark.integration
def test_kill_9_of_the_crawl_takes_its_cleaning_workers_down(tmp_path):
    db = f"sqlite:///{tmp_path}/a.db"
    with LargeReplicaServer(600) as server:
        config = config_for(server.base, tmp_path, store_batch=10)
        crawl = BackgroundCrawl(config).start()

        def cleaning_workers() -> list[psutil.Process] | None:
            if not crawl.children:
                return None
            try:
                found = [p for p in psutil.Process(crawl.children[0].pid).children()
                         if "multiprocessing" in " ".join(p.cmdline())]
            except psutil.Error:  # a worker went while we looked: look again
                return None
            return found if len(found) >= 2 else None

        workers = wait_until(cleaning_workers, 120, "the cleaning pool to start")
        os.kill(crawl.children[0].pid, signal.SIGKILL)
        join(crawl.thread, 60, "the killed crawl's run_crawl")
        assert crawl.errors and isinstance(crawl.errors[0], CrawlFailed)
        # (a worker still importing the cleaner goes once it can tell)
        gone, alive = psutil.wait_procs(workers, timeout=15)
        assert not alive, [p.pid for p in alive]

        run_crawl(config, timeout=300)
    rows = list(ArticleStore(db).iter_articles())
    assert len(rows) == len({r["canonical_url"] for r in rows}) == 600

# A worker that dies or stalls: tests/test_clean_pool.py.
