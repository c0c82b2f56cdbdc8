"""kill -9 in the middle of a crawl, of the crawl's child process and of the
process that runs the flow, then run again: nothing lost, nothing twice,
WARC files readable, the store consistent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from replica import ReplicaServer, ReplicaSite
from spiders.config import CrawlConfig
from spiders.runner import CrawlFailed, run_crawl
from spiders.summary import CrawlSummary
from storage.store import ArticleStore
from storage.warc import iter_responses
from tests.background_crawl import BackgroundCrawl, wait_until

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parent.parent
GRACE_S = 5


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its dead parent's reaper counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def config_for(base: str, tmp_path: Path, db: str) -> CrawlConfig:
    return CrawlConfig(site="aawsat", base_url=base, db_url=db, data_dir=str(tmp_path),
                       download_delay=0, autothrottle=False, concurrency_per_domain=4,
                       store_batch=5)


def stored_count(db: str) -> int:
    return ArticleStore(db).stats()["articles"]


def wait_for(condition, timeout: float) -> None:
    wait_until(condition, timeout, "the crawl")


def assert_consistent(db: str, tmp_path: Path, site: ReplicaSite, base: str) -> None:
    store = ArticleStore(db)
    rows = list(store.iter_articles())
    expected = {f"{base}{a.post.path}": a for a in site.public_articles()}
    assert sorted(r["canonical_url"] for r in rows) == sorted(expected)  # none lost, none twice
    for row in rows:
        assert row["body"].split("\n\n") == expected[row["canonical_url"]].blocks
        assert len(store.revisions(row["canonical_url"])) == row["revision"]
    readable = sum(1 for f in (tmp_path / "warc").glob("*.warc.gz") for _ in iter_responses(f))
    assert readable >= len(expected)


def test_kill_9_of_the_crawl_child_then_rerun(tmp_path):
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    with ReplicaServer(ReplicaSite(articles=40), article_delay_s=0.15) as server:
        config = config_for(server.base, tmp_path, db)
        crawl = BackgroundCrawl(config).start()
        wait_for(lambda: (tmp_path / "archive.db").exists() and stored_count(db) >= 10, 120)
        os.kill(crawl.children[0].pid, signal.SIGKILL)
        crawl.join()
        assert crawl.errors and isinstance(crawl.errors[0], CrawlFailed)
        assert crawl.errors[0].cause == "crashed" and crawl.errors[0].retryable
        assert 10 <= stored_count(db) < len(server.site.public_articles())
        run = ArticleStore(db).runs(1)[0]
        assert run["status"] == "failed" and run["stats"]["outcome"]["cause"] == "crashed"

        rerun = run_crawl(config, timeout=300)
        assert rerun.articles_updated == 0
        assert_consistent(db, tmp_path, server.site, server.base)


def test_kill_9_of_the_flow_process_takes_its_crawl_down_then_rerun(tmp_path):
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    with ReplicaServer(ReplicaSite(articles=40), article_delay_s=0.15) as server:
        env = {**os.environ, "ARCHIVE_DB_URL": db, "ARCHIVE_DATA_DIR": str(tmp_path),
               "ARCHIVE_DOWNLOAD_DELAY": "0", "PYTHONPATH": str(ROOT),
               "ARCHIVE_STOP_GRACE_S": str(GRACE_S)}
        config_json = config_for(server.base, tmp_path, db).model_dump_json()
        code = ("from spiders.config import CrawlConfig; from spiders.runner import run_crawl; "
                f"run_crawl(CrawlConfig.model_validate_json({config_json!r}))")
        flow_process = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT)
        wait_for(lambda: (tmp_path / "archive.db").exists() and stored_count(db) >= 10, 120)
        children = subprocess.run(["pgrep", "-P", str(flow_process.pid)], capture_output=True,
                                  text=True).stdout.split()
        children = [pid for pid in children if alive(int(pid))]
        assert children, "the crawl child was never seen"
        flow_process.kill()
        flow_process.wait(timeout=30)
        # The orphaned crawl gets SIGTERM from the kernel, stores what it has in
        # hand and exits by itself within the grace period (docs/crawl-lifecycle.md).
        wait_for(lambda: all(not alive(int(pid)) for pid in children), GRACE_S + 30)
        partial = stored_count(db)
        assert partial >= 10  # what it had stored stays stored
        # ...and what it had in hand: every page archived is stored, and the
        # crawl closed its own run row (its runner is gone).
        assert partial == warc_article_pages(tmp_path)
        run = ArticleStore(db).runs(1)[0]
        assert run["status"] == "failed", run
        assert run["stats"]["outcome"]["cause"] == "stopped"
        assert run["stats"]["articles_new"] == partial
        run_crawl(config_for(server.base, tmp_path, db), timeout=300)
        assert_consistent(db, tmp_path, server.site, server.base)
        run_crawl(config_for(server.base, tmp_path, db), timeout=300)
        assert_consistent(db, tmp_path, server.site, server.base)


@pytest.mark.parametrize("use_postgres", [False, True])
def test_two_crawls_at_once_against_one_store(tmp_path, request, use_postgres):
    db = request.getfixturevalue("pg_url") if use_postgres else \
        f"sqlite:///{tmp_path / 'shared.db'}"
    with ReplicaServer(ReplicaSite(articles=40)) as server:
        errors: list[BaseException] = []
        results: list[CrawlSummary] = []

        def crawl(index: int) -> None:
            try:
                results.append(run_crawl(CrawlConfig(
                    site="aawsat", base_url=server.base, db_url=db, mode="full",
                    data_dir=str(tmp_path / f"crawl{index}"), download_delay=0,
                    autothrottle=False, concurrency_per_domain=8, store_batch=3), timeout=300))
            except BaseException as error:  # noqa: BLE001
                errors.append(error)

        threads = [threading.Thread(target=crawl, args=(i,)) for i in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    assert not errors, errors
    expected = len(server.site.public_articles())
    # Between them every article was stored once: the loser of each race saw it unchanged.
    assert sum(r.articles_new for r in results) == expected
    assert sum(r.articles_updated for r in results) == 0
    store = ArticleStore(db)
    assert store.stats()["articles"] == expected == store.stats()["revisions"]
    logs = "".join(Path(r.log_file).read_text() for r in results)
    assert "database is locked" not in logs


def warc_article_pages(tmp_path: Path) -> int:
    """The replica's article pages in the crawl's WARC files (which keep every
    response: robots.txt, listings and feeds too)."""
    return sum(1 for f in (tmp_path / "warc").glob("*.warc.gz")
               for _, page in iter_responses(f) if page.status == 200 and is_article_path(page.url))


def is_article_path(url: str) -> bool:
    """`/<section>/<category>/<slug>`: the replica's article permalinks."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return len(segments) == 3 and segments[0] not in ("category", "tag", "author", "feed")


def test_sigterm_stops_the_crawl_gracefully_and_loses_nothing_in_hand(tmp_path):
    """The deadline's and a dead parent's path: every page archived before the
    stop is stored (the pipeline's last batch is flushed), and the run says so."""
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    with ReplicaServer(ReplicaSite(articles=60), article_delay_s=0.1) as server:
        crawl = BackgroundCrawl(config_for(server.base, tmp_path, db)).start()
        wait_for(lambda: (tmp_path / "archive.db").exists() and stored_count(db) >= 5, 120)
        crawl.children[0].send_signal(signal.SIGTERM)
        crawl.join(timeout=120)
        assert not crawl.thread.is_alive()
    assert not crawl.errors, crawl.errors
    run = ArticleStore(db).runs(1)[0]
    assert run["status"] == "failed" and run["stats"]["outcome"]["cause"] == "stopped"
    stored = stored_count(db)
    assert stored < 60  # stopped before the end...
    assert stored == warc_article_pages(tmp_path) == run["stats"]["articles_new"]  # ...none lost


def test_the_deadline_fails_the_run_with_timeout_and_keeps_what_was_stored(tmp_path):
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    # 120 articles at 0.1 s each over 4 connections cannot be fetched in 2 s.
    with ReplicaServer(ReplicaSite(articles=120), article_delay_s=0.1) as server:
        summary = run_crawl(config_for(server.base, tmp_path, db), timeout=2)
    assert summary.outcome.state == "failed"
    assert summary.outcome.cause == "timeout"
    assert ArticleStore(db).runs(1)[0]["status"] == "failed"
    assert stored_count(db) == warc_article_pages(tmp_path) == summary.articles_new


def test_a_crawl_child_listens_on_no_port(tmp_path):
    """Scrapy 2.19's remote-control extension (a local HTTP server that runs
    Python) and the telnet console are off."""
    import psutil

    db = f"sqlite:///{tmp_path / 'archive.db'}"
    with ReplicaServer(ReplicaSite(articles=30), article_delay_s=0.1) as server:
        crawl = BackgroundCrawl(config_for(server.base, tmp_path, db)).start()
        wait_for(lambda: (tmp_path / "archive.db").exists() and stored_count(db) >= 3, 120)
        pid = crawl.children[0].pid
        child = psutil.Process(pid)
        listening = [c for c in child.net_connections(kind="inet")
                     if c.status == psutil.CONN_LISTEN]
        crawl.join(timeout=120)
    assert listening == []
    assert not list(Path.home().glob(f".local/state/scrapy/job_files/{pid}-*"))


class StopDuringStart(threading.Event):
    """The stop signal arrives after run_crawl's first look at STOPPING and
    before its child is listed by the signal's handler."""

    def __init__(self) -> None:
        super().__init__()
        self.looks = 0

    def is_set(self) -> bool:
        self.looks += 1
        return self.looks > 1


def test_a_stop_that_comes_while_a_crawl_starts_stops_that_crawl(tmp_path, monkeypatch):
    monkeypatch.setattr("spiders.runner.STOPPING", StopDuringStart())
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    with ReplicaServer(ReplicaSite(articles=60), article_delay_s=1.0) as server:
        summary = run_crawl(config_for(server.base, tmp_path, db), timeout=300)
    assert summary.outcome.cause == "stopped", summary.outcome
    assert summary.articles_new < 60
