"""Flows under a real (throwaway) Prefect API: prefect_test_harness."""

from __future__ import annotations

from uuid import UUID

import pytest
from prefect.client.orchestration import get_client

from flows.crawl import crawl_flow
from flows.maintenance import export_flow, reextract_flow
from replica import ReplicaServer, ReplicaSite
from spiders.outcome import completed_message
from storage.store import ArticleStore

pytestmark = pytest.mark.integration


@pytest.fixture
def archive_env(monkeypatch, tmp_path, sqlite_url):
    monkeypatch.setenv("ARCHIVE_DB_URL", sqlite_url)
    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ARCHIVE_DOWNLOAD_DELAY", "0")
    monkeypatch.setenv("ARCHIVE_CONCURRENCY", "8")
    return sqlite_url


def artifacts(key: str, flow_run_id: UUID):
    """The artifacts `key` that one flow run published (the API is shared by
    the session's flow tests)."""
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )

    with get_client(sync_client=True) as client:
        return client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=[key]),
            flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))


def test_crawl_flow_runs_twice_in_one_process_and_reports(prefect_api, archive_env):
    with ReplicaServer() as server:
        first = crawl_flow(site="aawsat", base_url=server.base)
        second_state = crawl_flow(site="aawsat", base_url=server.base, return_state=True)
    second = second_state.result()
    run_id = second_state.state_details.flow_run_id
    assert first.articles_new == len(server.site.public_articles())
    # robots.txt, the home page, the feed, and each of the 5 sections' first
    # page with the margin page behind it (the private briefings have one page).
    assert second.articles_new == 0 and second.pages_fetched <= 3 + 5 + 4
    # What the run did, on the run list and the run page without a click.
    assert second_state.message == completed_message(second)
    assert second_state.message.startswith(f"{second.pages_fetched} pages; 0 new")
    table = artifacts("crawl-figures", run_id)
    assert table and "pages fetched" in str(table[0].data)
    quality = artifacts("crawl-quality", run_id)
    assert quality and "fallback rate" in str(quality[0].data)
    coverage = artifacts("crawl-coverage", run_id)
    assert coverage and "| listing | kind |" in str(coverage[0].data)
    progress = artifacts("crawl-progress", run_id)
    assert progress and float(progress[0].data) == 100.0


def test_changed_template_fails_the_run_with_the_reason(prefect_api, archive_env):
    with ReplicaServer(ReplicaSite(articles=20, changed_template=True)) as server:
        state = crawl_flow(site="aawsat", base_url=server.base, return_state=True)
    assert state.is_failed()
    assert "fallback rate" in state.message and "changed template" in state.message
    assert ArticleStore(archive_env).stats()["articles"] == 20  # stored by generic all the same


@pytest.mark.parametrize("parameters, named", [
    ({"base_url": "file:///etc/passwd"}, "base_url"),
    ({"max_pages": 0}, "max_pages"),
    ({"categories": ["not a slug"]}, "categories"),
    ({"page_range": (5, 2)}, "page_range"),
])
def test_bad_parameters_are_rejected_before_any_crawling(prefect_api, archive_env,
                                                         parameters, named):
    with ReplicaServer() as server:
        state = crawl_flow(**{"site": "aawsat", "base_url": server.base, **parameters},
                           return_state=True)
        assert server.take_requests() == []
    assert state.is_failed()
    assert named in state.message


def test_reextract_and_export_flows(prefect_api, archive_env, tmp_path):
    with ReplicaServer(ReplicaSite(articles=12)) as server:
        crawl_flow(site="aawsat", base_url=server.base)
    assert reextract_flow()["unchanged"] == 12
    out = tmp_path / "out.jsonl"
    assert export_flow(format="jsonl", out=str(out))["articles"] == 12
    assert len(out.read_text().splitlines()) == 12


def test_the_site_parameter_takes_sites_file_names(prefect_api, archive_env, tmp_path,
                                                   monkeypatch):
    """docs/sites.md's rule, in the flow as on the command line: a sites-file
    name (the worker's $ARCHIVE_SITES) is that entry, its base URL and name."""
    from prefect.client.orchestration import get_client

    with ReplicaServer(ReplicaSite(articles=6)) as server:
        sites = tmp_path / "sites.yaml"
        sites.write_text(f"sites:\n  - name: replica\n    site: aawsat\n    base_url: "
                         f"{server.base}\n")
        monkeypatch.setenv("ARCHIVE_SITES", str(sites))
        state = crawl_flow(site="replica", return_state=True)
        assert state.is_completed(), state.message
        assert state.result().articles_new == len(server.site.public_articles())
        server.take_requests()
        bad = crawl_flow(site="nosuch", return_state=True)
        assert server.take_requests() == []  # refused before any request
    assert {r["site"] for r in ArticleStore(archive_env).iter_articles()} == {"replica"}
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
        failed = client.read_flow_run(bad.state_details.flow_run_id)
    assert run.name.startswith(f"crawl replica {server.base.split('//')[1]} ")
    assert bad.is_failed() and "\n" not in bad.message
    assert "'nosuch' is not a site of the sites file" in bad.message
    assert failed.name.startswith("crawl nosuch (no such site)")
