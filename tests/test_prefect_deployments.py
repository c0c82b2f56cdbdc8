"""The deployments as users run them: `prefect server start`, `prefect deploy
--all`, two process workers on the pool, a backfill triggered with `prefect
deployment run ... --param ...` that fans shards out over both workers into
PostgreSQL; the failure webhook; and the nightly fleet's scheduled run under
`archive serve`, which starts a `crawl/site` run served by the same process.
The fleet itself, over two workers, is tested in tests/test_fleet.py."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
import yaml

from flows.backfill import backfill_key
from replica import ReplicaServer, ReplicaSite
from storage.store import ArticleStore
from tests.prefect_stack import (
    ROOT,
    WebhookReceiver,
    client_of,
    deploy,
    prefect,
    prefect_server,
    workers,
)
from tests.support import file_tail, stop_process, wait_until

pytestmark = pytest.mark.integration
CATEGORIES = ["news-middle-east", "opinion"]


@pytest.fixture(scope="module")
def prefect_env(tmp_path_factory) -> Iterator[dict[str, str]]:
    with prefect_server(tmp_path_factory.mktemp("prefect-home")) as env:
        yield env


@pytest.fixture
def archive_env(prefect_env, pg_url, redis_url, tmp_path) -> dict[str, str]:
    return {**prefect_env, "ARCHIVE_DB_URL": pg_url, "ARCHIVE_DATA_DIR": str(tmp_path),
            "ARCHIVE_DOWNLOAD_DELAY": "0", "ARCHIVE_CONCURRENCY": "8",
            "ARCHIVE_RATE_LIMIT_PER_S": "200", "ARCHIVE_REDIS_URL": redis_url}


@pytest.mark.timeout(1500)  # the server's start, and two backfills watched up to 700 + 400 s
def test_backfill_fans_out_over_two_workers_into_postgresql(archive_env, pg_url):
    env = archive_env
    deploy(env)
    with workers(env, ["worker-a", "worker-b"]), \
            ReplicaServer(ReplicaSite(articles=40)) as site:
        parameters = ["--param", f"categories={json.dumps(CATEGORIES)}",
                      "--param", f"base_url={json.dumps(site.base)}",
                      "--param", "last_page=4", "--param", "pages_per_shard=1"]
        prefect(env, "deployment", "run", "backfill/backfill", *parameters, "--watch",
                "--watch-timeout", "600", timeout=700)
        expected = [a for a in site.site.public_articles()
                    if a.post.category_slug in CATEGORIES]
        store = ArticleStore(pg_url)
        stored = list(store.iter_articles())
        assert len(stored) == len(expected)
        assert len({row["canonical_url"] for row in stored}) == len(stored)
        key = backfill_key({"categories": CATEGORIES, "first_page": 1, "last_page": 4,
                            "pages_per_shard": 1, "site": "aawsat", "base_url": site.base})
        shards = store.shards(key)
        assert len(shards) == 8 and all(s["status"] == "completed" for s in shards.values())
        assert {s["worker"] for s in shards.values()} == {"worker-a", "worker-b"}

        # Again: every shard is already done, nothing is stored twice.
        prefect(env, "deployment", "run", "backfill/backfill", *parameters, "--watch",
                "--watch-timeout", "300", timeout=400)
        assert store.stats()["articles"] == len(expected)


def test_failed_crawl_calls_the_webhook(archive_env, monkeypatch):
    env = archive_env
    with WebhookReceiver() as receiver:
        result = subprocess.run([str(Path(sys.executable).parent / "archive"), "alerts",
                                 "--webhook", receiver.url],
                                env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        with ReplicaServer(ReplicaSite(articles=15, changed_template=True)) as site, \
                client_of(env):  # the run must reach the server the automation watches
            from flows.crawl import crawl_flow

            for name, value in env.items():
                if name.startswith("ARCHIVE_"):
                    monkeypatch.setenv(name, value)
            state = crawl_flow(site="aawsat", base_url=site.base, return_state=True)
        assert state.is_failed()
        wait_until(lambda: receiver.calls, 120, "the failure webhook")
    assert receiver.calls[0]["flow"] == "crawl"
    assert "quality alarm" in receiver.calls[0]["message"]


def test_a_scheduled_run_fires_under_archive_serve(tmp_path):
    # A server of its own: `serve` and `prefect deploy` must not share deployment names.
    db = f"sqlite:///{tmp_path / 'scheduled.db'}"
    with prefect_server(tmp_path / "prefect-home") as prefect_env, \
            ReplicaServer(ReplicaSite(articles=10)) as site:
        # The one schedule is the fleet's: it crawls the sites of the sites file.
        sites_file = tmp_path / "sites.yaml"
        sites_file.write_text(yaml.safe_dump({"sites": [
            {"name": "replica", "base_url": site.base, "site": "aawsat"}]}))
        env = {**prefect_env, "ARCHIVE_DB_URL": db, "ARCHIVE_DATA_DIR": str(tmp_path),
               "ARCHIVE_SITES": str(sites_file), "ARCHIVE_DOWNLOAD_DELAY": "0"}
        # The schedules of prefect.yaml, with every cron replaced by a 5-second interval.
        with (tmp_path / "serve.log").open("w") as log:
            serving = subprocess.Popen(
                [sys.executable, "-c",
                 "from flows.serve import serve_all; serve_all(interval_s=5)"],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until(lambda: stored_articles(tmp_path / "scheduled.db") == 10, 240,
                       "a scheduled crawl to store the replica's articles",
                       details=file_tail(tmp_path / "serve.log"))
        finally:
            stop_process(serving, timeout=60)
    assert ArticleStore(db).stats()["articles"] == 10


def stored_articles(path: Path) -> int:
    """Articles in a SQLite store, read without opening (and migrating) the store."""
    if not path.exists():
        return 0
    try:
        with closing(sqlite3.connect(path, timeout=5)) as connection:
            return int(connection.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.Error:  # the schema is being created
        return 0
