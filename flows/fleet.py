"""The fleet: every enabled site of the sites file crawled once, each as its
own flow run of the `crawl/site` deployment, so that the work pool's workers
share the sites. The fleet waits for them all (up to a deadline), reports one
row per site in a table artifact, and fails, naming them, when any site's
crawl failed: its alert is the only one (docs/deployments.md)."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Annotated, Any, Literal, cast
from uuid import UUID

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    ArtifactFilterKey,
)
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from prefect.states import Failed, State
from pydantic import Field

from sites import SiteEntry, SitesFileError, load_sites, sites_file_path
from spiders.summary import CrawlSummary

from .crawl import SIX_HOURS, fleet_site_run_name
from .reports import SiteRunReport, fleet_table, summary_from_figures
from .waiting import wait_for_runs

SITE_DEPLOYMENT = "crawl/site"
FLEET_ARTIFACT = "fleet-sites"
FIGURES_ARTIFACT = "crawl-figures"  # the key flows/crawl.py publishes a run's figures under
RunLogger = logging.Logger | logging.LoggerAdapter[logging.Logger]


def site_parameters(entry: SiteEntry, mode: str, max_pages: int | None, refresh: bool,
                    timeout_s: float) -> dict[str, Any]:
    """The `crawl/site` run of one sites-file entry: its site, base URL and
    politeness, the fleet's mode, and its name (the site's concurrency key)."""
    parameters: dict[str, Any] = {
        "site": entry.site, "base_url": entry.base_url,
        "categories": list(entry.categories) or None,
        "rate_limit_per_s": entry.rate_limit_per_s, "concurrency": entry.concurrency,
        "mode": mode, "max_pages": max_pages, "refresh": refresh, "timeout_s": timeout_s,
        "site_name": entry.name, "started_by_fleet": True,
        "timezone": entry.timezone, "language": entry.language}
    return {k: v for k, v in parameters.items() if v is not None}


def site_report(site: str, run: FlowRun, summary: CrawlSummary | None) -> SiteRunReport:
    """How a site's run ended. Cancelled is not a failure: the site was busy
    with another crawl (or an operator stopped it)."""
    state = run.state
    name = (state.name or state.type.value.title()) if state else "Pending"
    if state is None or not state.is_final():
        return SiteRunReport(site, name, failed=True,
                             message="not finished by the fleet's deadline", summary=summary)
    return SiteRunReport(site, name, failed=not (state.is_completed() or state.is_cancelled()),
                         message=state.message or "", summary=summary)


def fleet_failure(reports: list[SiteRunReport]) -> str | None:
    """The fleet's failure message, naming every site that failed, or None."""
    failed = [r for r in reports if r.failed]
    if not failed:
        return None
    named = "; ".join(f"{r.site} ({r.state}{': ' + r.message if r.message else ''})"
                      for r in failed)
    return f"{len(failed)} of {len(reports)} site crawls failed: {named}"


def fleet_totals(reports: list[SiteRunReport]) -> dict[str, Any]:
    totals: dict[str, Any] = {
        "sites": len(reports),
        "completed": [r.site for r in reports if r.state == "Completed"],
        "cancelled": [r.site for r in reports if not r.failed and r.state != "Completed"],
        "failed": [r.site for r in reports if r.failed]}
    for figure in ("pages_fetched", "articles_new", "articles_updated"):
        totals[figure] = sum(getattr(r.summary, figure) for r in reports if r.summary)
    return totals


def fleet_run_name() -> str:
    return f"fleet {date.today().isoformat()}"


@flow(name="fleet", flow_run_name=fleet_run_name)
def fleet_flow(
    sites_file: str | None = None,
    mode: Literal["incremental", "full"] = "incremental",
    max_pages: Annotated[int, Field(ge=1)] | None = None,
    refresh: bool = False,
    site_timeout_s: Annotated[float, Field(gt=0)] = SIX_HOURS,
    deadline_s: Annotated[float, Field(gt=0)] | None = None,
) -> dict[str, Any] | State:
    """Crawl every enabled site of the sites file (`sites_file`, default
    $ARCHIVE_SITES, else ./sites.yaml in the worker's checkout), each as a
    `crawl/site` flow run, and wait for them. `site_timeout_s` bounds each
    site's crawl; `deadline_s` the wait for all of them (default: every
    site's timeout in a row, as when the pool has one free slot)."""
    logger = get_run_logger()
    path = sites_file_path(sites_file)
    try:
        entries = [e for e in load_sites(path) if e.enabled]
    except SitesFileError as error:
        return Failed(message=f"sites_file: {error}")
    if not entries:  # a missing file reads as none: a worker in the wrong folder, say
        return Failed(message=f"no enabled site in {path.resolve()}: nothing to crawl "
                              "(set ARCHIVE_SITES on the workers, or the sites_file parameter)")
    runs = {entry.name: cast(FlowRun, run_deployment(
        SITE_DEPLOYMENT, timeout=0, as_subflow=True,  # linked to this run, waited for below
        parameters=site_parameters(entry, mode, max_pages, refresh, site_timeout_s),
        flow_run_name=fleet_site_run_name(entry.name, entry.base_url))) for entry in entries}
    logger.info("fleet of %d sites from %s: %s", len(runs), path, ", ".join(runs))
    ended = wait_for_runs([run.id for run in runs.values()],
                          deadline_s or site_timeout_s * len(runs))
    figures = reported_figures([run.id for run in runs.values()])
    reports = [site_report(site, ended[run.id], figures.get(run.id))
               for site, run in runs.items()]
    for report in reports:
        logger.log(logging.ERROR if report.failed else logging.INFO, "site %s: %s%s",
                   report.site, report.state, f" ({report.message})" if report.message else "")
    create_table_artifact(key=FLEET_ARTIFACT, table=fleet_table(reports),
                          description=f"fleet of {len(reports)} sites ({path})")
    totals = fleet_totals(reports)
    failure = fleet_failure(reports)
    if failure:
        return Failed(message=failure, data=totals)
    return totals


def reported_figures(run_ids: list[UUID]) -> dict[UUID, CrawlSummary]:
    """The figures each crawl published (its `crawl-figures` table), by flow
    run: from the API, wherever the crawl ran. A crawl that never got to
    report (busy, crashed, site unreachable) has none."""
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=run_ids),
            key=ArtifactFilterKey(any_=[FIGURES_ARTIFACT])))
    figures = {}
    for artifact in artifacts:
        table = json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data
        if artifact.flow_run_id is not None and isinstance(table, list):
            figures[artifact.flow_run_id] = summary_from_figures(table)
    return figures
