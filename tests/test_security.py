"""Secrets stay secret, and a locked database makes writers wait, not fail."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from archive_cli.main import app
from replica import ReplicaServer, ReplicaSite
from spiders.config import CrawlConfig
from spiders.runner import run_crawl
from spiders.summary import CrawlSummary
from storage.store import ArticleStore
from tests.support import join, stop_process, wait_until

pytestmark = pytest.mark.integration
PASSWORD = "Hunter2-Secret-Pw"


def test_database_password_never_appears_in_logs_stats_or_output(pg_url, tmp_path):
    # Trust authentication ignores the password, so the crawl works and we can
    # look for the password everywhere it might leak.
    with_password = pg_url.replace("postgresql://root@", f"postgresql://root:{PASSWORD}@")
    with ReplicaServer(ReplicaSite(articles=8)) as server:
        summary = run_crawl(CrawlConfig(site="aawsat", base_url=server.base,
                                        db_url=with_password, data_dir=str(tmp_path),
                                        download_delay=0, autothrottle=False), timeout=300)
    store = ArticleStore(with_password)
    places = {
        "crawl log": Path(summary.log_file).read_text(),
        "summary": json.dumps(summary.as_record()),
        "stored run": json.dumps(store.runs(5), default=str),
        "stats": json.dumps(store.stats()),
        "archive stats": CliRunner().invoke(app, ["stats", "--db", with_password]).output,
    }
    for name, text in places.items():
        assert PASSWORD not in text, name
    assert "***" in places["stats"]  # the URL is shown, redacted


def test_a_locked_sqlite_file_makes_the_crawl_wait_not_fail(tmp_path):
    db_path = tmp_path / "archive.db"
    db = f"sqlite:///{db_path}"
    ArticleStore(db)  # create the schema
    # Another program holds the write lock until told to let go (a line on stdin).
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
        "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); sys.stdin.readline(); "
        "c.execute('COMMIT'); print('released', flush=True)"), str(db_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdin and holder.stdout
    try:
        assert holder.stdout.readline().strip() == "locked"
        with ReplicaServer(ReplicaSite(articles=10)) as server:
            results: list[CrawlSummary] = []
            crawl = threading.Thread(target=lambda: results.append(run_crawl(CrawlConfig(
                site="aawsat", base_url=server.base, db_url=db, data_dir=str(tmp_path),
                download_delay=0, autothrottle=False), timeout=300)))
            crawl.start()
            # The run's first write to the store waits for the lock ...
            wait_until(lambda: in_store(crawl), 60, "the crawl to wait for the lock")
            waiting_since = time.monotonic()
            # ... for as long as it is held: here a few seconds, as a slow writer's would be.
            while time.monotonic() - waiting_since < 3:
                assert in_store(crawl), "the crawl went past a locked store"
                time.sleep(0.1)
            assert server.take_requests() == []  # nothing fetched before the run is recorded
            holder.stdin.write("go\n")
            holder.stdin.flush()
            assert holder.stdout.readline().strip() == "released"
            join(crawl, 360, "the crawl")  # run_crawl's own timeout is 300 s
    finally:
        stop_process(holder, timeout=10)
    assert results and results[0].articles_new == 10
    assert "database is locked" not in Path(results[0].log_file).read_text()


def in_store(thread: threading.Thread) -> bool:
    """Whether `thread` is in the store's code now (here: waiting for the lock)."""
    frame = sys._current_frames().get(thread.ident or -1)
    while frame is not None:
        if Path(frame.f_code.co_filename).parent.name == "storage":
            return True
        frame = frame.f_back
    return False


def test_concurrent_readers_and_writers_on_sqlite(tmp_path):
    """A reader holding a long read transaction (WAL) never blocks the crawl's writes."""
    db_path = tmp_path / "archive.db"
    db = f"sqlite:///{db_path}"
    ArticleStore(db)
    stop = threading.Event()

    def read_continuously() -> None:
        connection = sqlite3.connect(db_path)
        while not stop.is_set():
            connection.execute("SELECT count(*) FROM articles").fetchone()
        connection.close()

    reader = threading.Thread(target=read_continuously)
    reader.start()
    try:
        with ReplicaServer(ReplicaSite(articles=10)) as server:
            summary = run_crawl(CrawlConfig(site="aawsat", base_url=server.base, db_url=db,
                                            data_dir=str(tmp_path), download_delay=0,
                                            autothrottle=False), timeout=300)
    finally:
        stop.set()
        join(reader, 30, "the reader")
    assert summary.articles_new == 10
