"""Run outcomes in Prefect: a crawl that reached nothing ends Failed with its
cause; a backfill shard that failed is recorded failed and retried by the
next run; a timeout counts the whole run; `archive serve` never rewrites
deployments that `prefect deploy` registered for a work pool."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client

from flows.backfill import crawl_shard_flow
from flows.crawl import crawl_flow
from replica import ReplicaServer, ReplicaSite
from storage.store import ArticleStore
from tests.prefect_stack import ROOT, deploy, prefect_server

pytestmark = pytest.mark.integration


@pytest.fixture
def archive_env(monkeypatch, tmp_path, sqlite_url) -> str:
    monkeypatch.setenv("ARCHIVE_DB_URL", sqlite_url)
    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ARCHIVE_DOWNLOAD_DELAY", "0")
    return sqlite_url


def test_a_crawl_that_reached_nothing_ends_failed_with_its_cause(prefect_api, archive_env):
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))  # never listening: refused
        port = held.getsockname()[1]
        state = crawl_flow(site="aawsat", base_url=f"http://127.0.0.1:{port}",
                           return_state=True)
    assert state.is_failed()
    assert state.message.startswith("site_unreachable: no response at all")
    assert ArticleStore(archive_env).runs(1)[0]["status"] == "failed"
    with get_client(sync_client=True) as client:  # named after what it does
        run = client.read_flow_run(state.state_details.flow_run_id)
    assert run.name == f"crawl aawsat 127.0.0.1:{port} {date.today().isoformat()}"


def test_a_store_that_cannot_be_opened_fails_the_run_before_any_request(
        prefect_api, archive_env, monkeypatch, tmp_path):
    not_a_database = tmp_path / "archive.db"
    not_a_database.write_bytes(b"this is no SQLite file " * 100)
    monkeypatch.setenv("ARCHIVE_DB_URL", f"sqlite:///{not_a_database}")
    with ReplicaServer() as server:
        state = crawl_flow(site="aawsat", base_url=server.base, return_state=True)
        assert server.take_requests() == []
    assert state.is_failed() and state.message.startswith("store_error: "), state.message
    assert "Traceback" not in state.message


def test_a_non_positive_timeout_is_refused_by_the_flow(prefect_api, archive_env):
    with ReplicaServer() as server:
        state = crawl_flow(site="aawsat", base_url=server.base, timeout_s=0, return_state=True)
        assert server.take_requests() == []
    assert state.is_failed() and "timeout_s" in state.message


def test_a_failed_shard_is_recorded_with_its_reason_then_retried(prefect_api, archive_env):
    with ReplicaServer(ReplicaSite(articles=10)) as server:
        state = crawl_shard_flow(backfill="b1", category="opnion", first_page=1, last_page=2,
                                 site="aawsat", base_url=server.base, return_state=True)
        assert state.is_failed() and "start_listings_failed" in state.message
        shard = ArticleStore(archive_env).shards("b1")["opnion:1-2"]
        assert shard["status"] == "failed"
        assert "start_listings_failed" in shard["stats"]["failure"]

        good = crawl_shard_flow(backfill="b1", category="opinion", first_page=1, last_page=1,
                                site="aawsat", base_url=server.base)
    assert ArticleStore(archive_env).shards("b1")["opinion:1-1"]["status"] == "completed"
    assert good.outcome.state == "completed"


def test_serve_refuses_to_rewrite_deployments_registered_for_a_work_pool(tmp_path):
    with prefect_server(tmp_path / "prefect-home") as env:
        deploy(env)
        result = subprocess.run([str(Path(sys.executable).parent / "archive"), "serve"],
                                env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "registered for a work pool" in result.stderr
    assert "crawl/incremental (pool archive)" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_shard_past_a_listings_last_page_is_completed_and_empty(prefect_api, archive_env):
    with ReplicaServer(ReplicaSite(articles=10)) as server:
        result = crawl_shard_flow(backfill="b2", category="opinion", first_page=50,
                                  last_page=60, site="aawsat", base_url=server.base)
    assert result.outcome.state == "completed"
    assert result.articles_new == 0
    assert ArticleStore(archive_env).shards("b2")["opinion:50-60"]["status"] == "completed"
