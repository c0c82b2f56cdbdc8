"""The fleet (docs/deployments.md): `fleet/nightly` on a real Prefect server
with two process workers crawls every site of a sites file, each as a
`crawl/site` flow run linked to the fleet's; one crawl of a site at a time
by the site's global concurrency limit; one table row per site; one alert,
the fleet's, naming the sites that failed. The pure parts (rows, the
fleet's judgement, the alert's trigger) are tested without a server."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import pytest
import yaml
from prefect.client.schemas.objects import FlowRun, State, StateType

from flows.alerts import FLEET_SITE_RUN_PREFIX, failure_trigger
from flows.fleet import fleet_failure, fleet_totals, site_parameters, site_report
from flows.reports import SiteRunReport, figures_table, fleet_table, summary_from_figures
from replica import NewsroomSite, ReplicaServer, ReplicaSite
from replica.site import CATEGORIES
from sites import SiteEntry
from spiders.summary import CrawlSummary, RunOutcome
from storage.store import ArticleStore
from tests.prefect_stack import WebhookReceiver, client_of, deploy, prefect_server, workers
from tests.support import file_tail, require_service, wait_until
from tests.test_crawl_wordpress import POSTS
from tests.test_discovery import NEW_SECTIONS
from tests.wordpress_site import missing, wordpress_site

FLEET_WAIT_S = 900  # the fleet's run, from its start to its end, on a loaded 2-core machine


# --- the fleet's sites --------------------------------------------------------------------
@dataclass(frozen=True)
class FleetSite:
    """A site of the fleet test: its sites-file entry, and the articles it must
    store, once each, as `article_key` names a stored article's URL."""

    entry: dict[str, Any]
    articles: list[str]
    article_key: Callable[[str], str]
    categories: dict[str, list[str]] | None = None  # by article key, where known

    @property
    def netloc(self) -> str:
        return urlsplit(self.entry["base_url"]).netloc


def archive_replica(stack: ExitStack) -> FleetSite:
    """The archive's replica with two sections no code names and no menu lists."""
    site = ReplicaSite(articles=24, extra_sections=NEW_SECTIONS)
    server = stack.enter_context(ReplicaServer(site))
    sections = {**CATEGORIES, **NEW_SECTIONS}
    return FleetSite({"name": "archive-replica", "base_url": server.base, "site": "aawsat"},
                     sorted(a.post.path.rstrip("/") for a in site.public_articles()),
                     lambda url: urlsplit(url).path.rstrip("/"),
                     {a.post.path: [sections[a.post.category_slug]]
                      for a in site.public_articles()})


def real_wordpress(stack: ExitStack) -> FleetSite:
    why = missing()
    require_service(why is None, "a local WordPress", why or "")
    base = stack.enter_context(wordpress_site())
    return FleetSite({"name": "local-wordpress", "base_url": base, "site": "wordpress"},
                     sorted(POSTS), lambda url: url.rstrip("/").rsplit("/", 1)[-1])


def generic_newsroom(stack: ExitStack) -> FleetSite:
    """A news site that is not WordPress, read by the generic profile."""
    server = stack.enter_context(ReplicaServer(NewsroomSite(articles=12)))  # type: ignore[arg-type]
    return FleetSite({"name": "harbour-courier", "base_url": server.base, "site": "generic"},
                     sorted(a.path for a in server.site.articles),
                     lambda url: urlsplit(url).path)


# One builder per site of the fleet, each a site of another kind.
FLEET_SITES: list[Callable[[ExitStack], FleetSite]] = [archive_replica, real_wordpress,
                                                       generic_newsroom]


def write_sites_file(path: Path, entries: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump({"sites": entries}))
    return path


# --- the stack ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def prefect_env(tmp_path_factory) -> Iterator[dict[str, str]]:
    with prefect_server(tmp_path_factory.mktemp("prefect-home")) as env:
        yield env


@pytest.fixture(scope="module")
def deployed(prefect_env) -> dict[str, str]:
    deploy(prefect_env)
    return prefect_env


def worker_env(prefect_env: dict[str, str], db_url: str, data_dir: Path,
               sites_file: Path) -> dict[str, str]:
    return {**prefect_env, "ARCHIVE_DB_URL": db_url, "ARCHIVE_DATA_DIR": str(data_dir),
            "ARCHIVE_SITES": str(sites_file), "ARCHIVE_DOWNLOAD_DELAY": "0",
            "ARCHIVE_CONCURRENCY": "8",
            # two crawls and the server on 2 cores: one cleaning process each
            "ARCHIVE_CLEAN_WORKERS": "1"}


def run_fleet(timeout_s: float) -> FlowRun:
    """A run of `fleet/nightly`, now, waited for as the fleet waits for its sites."""
    from prefect.deployments import run_deployment

    from flows.waiting import wait_for_runs

    run = cast(FlowRun, run_deployment("fleet/nightly", timeout=0, as_subflow=False))
    return wait_for_runs([run.id], timeout_s)[run.id]


def site_runs(fleet_id: UUID) -> list[FlowRun]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId

    with get_client(sync_client=True) as client:
        return client.read_flow_runs(flow_run_filter=FlowRunFilter(
            parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[fleet_id])))


def fleet_artifact(fleet_id: UUID) -> list[dict[str, Any]]:
    import json

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[fleet_id]),
            key=ArtifactFilterKey(any_=["fleet-sites"])))
    assert len(artifacts) == 1
    data = artifacts[0].data
    return cast(list[dict[str, Any]], json.loads(data) if isinstance(data, str) else data)


def worker_logs(log_dir: Path) -> Callable[[], str]:
    return lambda: "\n".join(file_tail(path)() for path in sorted(log_dir.glob("*.log")))


# --- the fleet over two workers -----------------------------------------------------------
@pytest.mark.integration
@pytest.mark.timeout(1500)  # the server, `prefect deploy --all`, a fleet watched up to 900 s
def test_the_fleet_crawls_every_site_once_over_two_workers(deployed, pg_url, tmp_path):
    with ExitStack() as stack:
        sites = [build(stack) for build in FLEET_SITES]
        sites_file = write_sites_file(tmp_path / "sites.yaml", [s.entry for s in sites])
        # Two workers, two runs each: the fleet's slot and one per site (docs/deployments.md).
        stack.enter_context(workers(worker_env(deployed, pg_url, tmp_path, sites_file),
                                    ["worker-a", "worker-b"], limit=2, log_dir=tmp_path))
        with client_of(deployed):
            fleet = run_fleet(FLEET_WAIT_S)
            assert fleet.state is not None and fleet.state.is_completed(), \
                f"{fleet.state}\n{worker_logs(tmp_path)()}"
            children = site_runs(fleet.id)
            rows = fleet_artifact(fleet.id)

    # Each site was its own crawl/site run, linked to the fleet's run.
    assert sorted(run.parameters["site_name"] for run in children) == \
        sorted(s.entry["name"] for s in sites)
    assert all(run.state is not None and run.state.is_completed() for run in children)
    assert all(run.name.startswith(FLEET_SITE_RUN_PREFIX) for run in children)
    assert len({run.deployment_id for run in children}) == 1

    # Every site's articles, once each, in the one store the workers share.
    stored = list(ArticleStore(pg_url).iter_articles())
    assert len({row["canonical_url"] for row in stored}) == len(stored)
    for site in sites:
        mine = [row["canonical_url"] for row in stored
                if urlsplit(row["canonical_url"]).netloc == site.netloc]
        assert sorted(site.article_key(url) for url in mine) == site.articles, site.entry
        # Stored under the site's name in the sites file, under display names.
        assert {row["site"] for row in stored if row["canonical_url"] in mine} == \
            {site.entry["name"]}
        for row in stored:
            if site.categories and row["canonical_url"] in mine:
                assert row["categories"] == site.categories[site.article_key(
                    row["canonical_url"])], row["canonical_url"]
    assert len(stored) == sum(len(site.articles) for site in sites)

    # One row per site, in the sites file's order, with what each crawl did.
    assert [row["site"] for row in rows] == [s.entry["name"] for s in sites]
    for row, site in zip(rows, sites, strict=True):
        assert row["state"] == "Completed"
        assert row["new"] == len(site.articles) and row["updated"] == 0
        assert row["pages fetched"] >= len(site.articles)


@pytest.mark.integration
@pytest.mark.timeout(900)
def test_a_failed_site_fails_the_fleet_and_the_alert_fires_once_naming_it(
        deployed, pg_url, tmp_path):
    from flows.alerts import install_failure_webhook

    with ExitStack() as stack:
        # A name of its own: no slot of the other test's sites is ever in the way.
        good = {**archive_replica(stack).entry, "name": "good-site"}
        held = stack.enter_context(socket.socket())
        held.bind(("127.0.0.1", 0))  # never listening: every connection refused
        dead = {"name": "dead-site", "base_url": f"http://127.0.0.1:{held.getsockname()[1]}",
                "site": "aawsat"}
        sites_file = write_sites_file(tmp_path / "sites.yaml", [good, dead])
        receiver = stack.enter_context(WebhookReceiver())
        stack.enter_context(workers(worker_env(deployed, pg_url, tmp_path, sites_file),
                                    ["worker-a", "worker-b"], limit=2, log_dir=tmp_path))
        with client_of(deployed):
            install_failure_webhook(receiver.url)
            fleet = run_fleet(FLEET_WAIT_S)
            rows = fleet_artifact(fleet.id)
        assert fleet.state is not None and fleet.state.is_failed(), \
            f"{fleet.state}\n{worker_logs(tmp_path)()}"
        assert "dead-site" in (fleet.state.message or "")
        assert "good-site" not in (fleet.state.message or "")
        wait_until(lambda: any(call.get("flow") == "fleet" for call in receiver.calls), 120,
                   "the fleet's failure alert", details=lambda: str(receiver.calls))

    assert [(row["site"], row["state"]) for row in rows] == [
        ("good-site", "Completed"), ("dead-site", "Failed")]
    assert "site_unreachable" in rows[1]["message"]
    # The dead site's own run failed before the fleet's did: its alert, had it
    # fired, would be here by now (events are acted on in order). One alert.
    assert len(receiver.calls) == 1, receiver.calls
    assert receiver.calls[0]["flow"] == "fleet"
    assert "dead-site" in receiver.calls[0]["message"]


# --- one crawl of a site at a time ------------------------------------------------------
@pytest.mark.integration
def test_a_crawl_whose_site_is_busy_ends_cancelled_and_fetches_nothing(
        prefect_env, sqlite_url, tmp_path, monkeypatch):
    from prefect.client.orchestration import get_client
    from prefect.concurrency.sync import concurrency

    from flows.crawl import crawl_flow, ensure_site_limit, site_limit_name

    monkeypatch.setenv("ARCHIVE_DB_URL", sqlite_url)
    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ARCHIVE_DOWNLOAD_DELAY", "0")

    def held_slots(limit: str) -> int:
        with get_client(sync_client=True) as client:
            return client.read_global_concurrency_limit_by_name(limit).active_slots

    with client_of(prefect_env), ReplicaServer(ReplicaSite(articles=5)) as server:
        crawl = {"site": "aawsat", "base_url": server.base, "site_name": "busy-replica"}
        limit = site_limit_name("busy-replica", server.base)
        assert limit == "crawl-site:busy-replica"
        ensure_site_limit(limit)
        with concurrency(limit, strict=True):  # another crawl of the site is running
            busy = crawl_flow(**crawl, return_state=True)
            assert held_slots(limit) == 1
        with get_client(sync_client=True) as client:  # as the API (and the fleet) sees it
            run = client.read_flow_run(busy.state_details.flow_run_id)
        assert run.state is not None and run.state.is_cancelled()
        assert run.state.message.startswith("site_busy: another crawl of this site is running")
        assert limit in run.state.message
        assert server.take_requests() == []  # it did nothing at all

        # Free again: a crawl takes the slot and gives it back however it ends.
        spent = crawl_flow(**crawl, timeout_s=0.001, return_state=True)
        assert spent.is_failed() and spent.message.startswith("timeout")
        assert held_slots(limit) == 0
        done = crawl_flow(**crawl, return_state=True)
        assert done.is_completed()
        assert held_slots(limit) == 0
    assert ArticleStore(sqlite_url).stats()["articles"] == 5


def test_the_site_limit_is_keyed_by_the_sites_file_name(tmp_path, monkeypatch):
    from flows.crawl import site_limit_name

    sites_file = write_sites_file(tmp_path / "sites.yaml", [
        {"name": "coastal-news", "base_url": "https://coastal.example/", "site": "wordpress"}])
    monkeypatch.setenv("ARCHIVE_SITES", str(sites_file))
    assert site_limit_name("given", "https://coastal.example") == "crawl-site:given"
    # `archive crawl` and crawl/incremental name no site: the file's name for the URL...
    assert site_limit_name(None, "https://coastal.example") == "crawl-site:coastal-news"
    # ...else the host and port.
    assert site_limit_name(None, "http://127.0.0.1:8765") == "crawl-site:127.0.0.1:8765"


# --- the fleet's report and judgement, without a server ----------------------------------
SUMMARY = CrawlSummary(pages_fetched=61, articles_new=40, articles_updated=3,
                       articles_unchanged=2, quarantined={"too_short": 4},
                       failures={"http_404": 3, "timeout": 1}, outcome=RunOutcome("completed"))


def test_the_fleet_table_has_one_row_per_site_from_the_summaries():
    reports = [SiteRunReport("archive", "Completed", failed=False, summary=SUMMARY),
               SiteRunReport("coastal", "Failed", failed=True,
                             message="quality_alarm: fallback rate 40%",
                             summary=SUMMARY.model_copy(update={"failures": {},
                                                                "articles_updated": 0})),
               SiteRunReport("harbour", "Cancelled", failed=False,
                             message="site_busy: another crawl of this site is running")]
    assert fleet_table(reports) == [
        {"site": "archive", "state": "Completed", "pages fetched": 61, "new": 40,
         "updated": 3, "failures": 4, "message": ""},
        {"site": "coastal", "state": "Failed", "pages fetched": 61, "new": 40,
         "updated": 0, "failures": 0, "message": "quality_alarm: fallback rate 40%"},
        # never got to report: blanks, not zeros
        {"site": "harbour", "state": "Cancelled", "pages fetched": "", "new": "",
         "updated": "", "failures": "",
         "message": "site_busy: another crawl of this site is running"}]


def test_a_crawls_figures_table_reads_back_as_its_counts():
    # What the fleet can know of a run from the API: its counts and failures.
    assert summary_from_figures(figures_table(SUMMARY)) == CrawlSummary(
        pages_fetched=61, articles_new=40, articles_updated=3, articles_unchanged=2,
        failures={"http_404": 3, "timeout": 1})
    assert summary_from_figures([]) == CrawlSummary()


def a_run(state_type: StateType | None, message: str | None = None) -> FlowRun:
    state = State(type=state_type, message=message) if state_type else None
    return FlowRun(id=uuid4(), flow_id=uuid4(), name="fleet-site x", state=state)


def test_the_fleet_fails_naming_every_site_that_failed_crashed_or_did_not_finish():
    reports = [site_report("archive", a_run(StateType.COMPLETED), SUMMARY),
               site_report("busy", a_run(StateType.CANCELLED, "site_busy: ..."), None),
               site_report("dead", a_run(StateType.FAILED, "site_unreachable: no response"),
                           None),
               site_report("crashed", a_run(StateType.CRASHED, "process exited"), None),
               site_report("queued", a_run(StateType.SCHEDULED), None),
               site_report("lost", a_run(None), None)]
    assert [r.failed for r in reports] == [False, False, True, True, True, True]
    message = fleet_failure(reports)
    assert message is not None and message.startswith("4 of 6 site crawls failed: ")
    assert "dead (Failed: site_unreachable: no response)" in message
    assert "crashed (Crashed: process exited)" in message
    assert "queued (Scheduled: not finished by the fleet's deadline)" in message
    assert "lost (Pending: not finished by the fleet's deadline)" in message
    assert "archive" not in message and "busy" not in message
    assert fleet_failure(reports[:2]) is None  # a busy site is not a failure
    totals = fleet_totals(reports)
    assert totals["completed"] == ["archive"] and totals["cancelled"] == ["busy"]
    assert totals["failed"] == ["dead", "crashed", "queued", "lost"]
    assert totals["articles_new"] == 40


def test_a_sites_file_entry_becomes_its_crawl_site_run():
    entry = SiteEntry(name="coastal-news", base_url="https://coastal.example",
                      site="wordpress", rate_limit_per_s=1, categories=["politics"],
                      timezone="Europe/Lisbon", language="pt")
    assert site_parameters(entry, "full", None, False, 3600) == {
        "site": "wordpress", "base_url": "https://coastal.example",
        "categories": ["politics"], "rate_limit_per_s": 1, "mode": "full",
        "refresh": False, "timeout_s": 3600, "site_name": "coastal-news",
        "started_by_fleet": True, "timezone": "Europe/Lisbon", "language": "pt"}
    bare = SiteEntry(name="bare", base_url="https://bare.example")
    assert "categories" not in site_parameters(bare, "incremental", 2, True, 60)


def test_the_alert_leaves_a_site_of_the_fleet_to_the_fleets_own_alert():
    from prefect.server.events.schemas.automations import EventTrigger
    from prefect.server.events.schemas.events import ReceivedEvent

    trigger = EventTrigger.model_validate(failure_trigger().model_dump())

    def fires(run_name: str, flow: str, state: str = "Failed") -> bool:
        now = datetime.now(UTC)
        return trigger.covers(ReceivedEvent.model_validate({
            "occurred": now, "received": now, "id": uuid4(),
            "event": f"prefect.flow-run.{state}",
            "resource": {"prefect.resource.id": f"prefect.flow-run.{uuid4()}",
                         "prefect.resource.name": run_name},
            "related": [{"prefect.resource.id": f"prefect.flow.{uuid4()}",
                         "prefect.resource.role": "flow", "prefect.resource.name": flow}]}))

    assert fires("crawl aawsat eng-archive.aawsat.com 2026-11-25", "crawl")
    assert fires("crawl aawsat eng-archive.aawsat.com 2026-11-25", "crawl", "Crashed")
    assert fires("fleet 2026-11-25", "fleet")
    assert fires("shard opinion:1-5", "crawl-shard")
    assert not fires(f"{FLEET_SITE_RUN_PREFIX}coastal-news coastal.example 2026-11-25",
                     "crawl")
    assert not fires(f"{FLEET_SITE_RUN_PREFIX}coastal-news coastal.example 2026-11-25",
                     "crawl", "Crashed")
    assert not fires("crawl aawsat eng-archive.aawsat.com 2026-11-25", "crawl", "Completed")
    assert not fires("export 2026-11-25", "export")
