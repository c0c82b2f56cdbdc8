"""The crawl flow: validate the parameters, crawl in a child process, publish
the run's report, and end in the run's judged outcome (docs/outcomes.md)."""

from __future__ import annotations

import logging
import os
import re
import time
from contextlib import ExitStack, suppress
from datetime import date
from typing import Annotated, Any, Literal, cast
from urllib.parse import urlsplit
from uuid import UUID

import httpx
from prefect import flow, get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.client.schemas.objects import ConcurrencyLeaseHolder
from prefect.concurrency.asyncio import ConcurrencySlotAcquisitionError
from prefect.concurrency.sync import concurrency as global_concurrency
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
from prefect.runtime import flow_run
from prefect.states import Cancelled, Completed, Failed, State
from pydantic import Field, ValidationError

from sites import (
    AUTO,
    CrawlTarget,
    SiteChoiceError,
    SiteEntry,
    SitesFileError,
    load_sites,
    resolve_site,
    site_names,
    sites_file_path,
)
from spiders.config import DEFAULT_BASE_URL, CrawlConfig
from spiders.coverage import as_markdown
from spiders.outcome import FALLBACK_ALARM, QUARANTINE_ALARM, completed_message
from spiders.runner import CrawlFailed, run_crawl
from spiders.summary import CrawlSummary
from storage.config import redact
from storage.store import ArticleStore, StoreError

from .alerts import FLEET_SITE_RUN_PREFIX
from .parameters import SiteParameter
from .reports import figures_table, quality_markdown

SIX_HOURS = 6 * 3600
SITE_LIMIT_PREFIX = "crawl-site:"
# A slot's lease is renewed while its run lives: the slot of a run whose process
# died frees itself this long after the last renewal.
SITE_SLOT_LEASE_S = 300.0
_SITE_NAME_PATTERN = r"^[A-Za-z0-9_-]+$"  # a sites-file name (docs/sites.md)
_CHILD_TIMESTAMP_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ")


def crawl_config(entries: list[SiteEntry] | None = None, **parameters: Any) -> CrawlConfig:
    """Flow parameters plus the environment (database, data folder, shared
    budget): secrets never travel as parameters. `entries`: the sites file,
    when the caller has read it."""
    environment = {
        "db_url": os.environ.get("ARCHIVE_DB_URL"),
        "data_dir": os.environ.get("ARCHIVE_DATA_DIR", "./data"),
        "contact": os.environ.get("ARCHIVE_CONTACT"),
        "redis_url": os.environ.get("ARCHIVE_REDIS_URL"),
        "shared_rate_limit_per_s": _float(os.environ.get("ARCHIVE_RATE_LIMIT_PER_S")),
        "download_delay": _float(os.environ.get("ARCHIVE_DOWNLOAD_DELAY")),
        "base_url": os.environ.get("ARCHIVE_BASE_URL"),
        "concurrency_per_domain": os.environ.get("ARCHIVE_CONCURRENCY"),
        # Several workers on one machine: share its cores rather than each take all.
        "clean_workers": os.environ.get("ARCHIVE_CLEAN_WORKERS"),
    }
    values = {k: v for k, v in environment.items() if v is not None}
    values.update({k: v for k, v in parameters.items() if v is not None})
    config = CrawlConfig.model_validate(values)
    if config.site_label is None:
        # Stored under its sites-file name where the sites file lists this base
        # URL: `archive crawl`, the fleet, a backfill and its shards agree.
        entry = entry_for_base_url(sites_file_entries() if entries is None else entries,
                                   config.base_url)
        config = config.model_copy(update={"site_label": entry.name if entry else None})
    return config


def _float(value: str | None) -> float | None:
    return float(value) if value else None


@task(name="crawl-in-child-process", retries=2, retry_delay_seconds=5,
      retry_condition_fn=lambda task, run, state: _retryable(state))
def crawl_in_child_process(config: CrawlConfig, deadline: float) -> CrawlSummary:
    """One attempt; `deadline` (epoch seconds) is the whole run's, retries included."""
    logger = get_run_logger()
    remaining = deadline - time.time()
    if remaining <= 0:
        raise CrawlFailed("the run's time limit was spent before this attempt could start",
                          "timeout")
    logger.info("crawling %s (%s) into %s", config.base_url, config.mode,
                redact(config.db_url or "the default SQLite store"))
    # Prefect's sync/async dual functions return the plain value when called from sync code.
    progress_id = cast(UUID, create_progress_artifact(
        progress=0.0, key="crawl-progress", description=f"crawl of {config.base_url}"))
    last_update = [0.0]

    def on_progress(fetched: int, pending: int) -> None:
        if time.monotonic() - last_update[0] < 2:
            return
        last_update[0] = time.monotonic()
        done = 100.0 * fetched / (fetched + pending) if fetched + pending else 0.0
        update_progress_artifact(artifact_id=progress_id, progress=min(done, 99.0))

    def forward(line: str) -> None:
        found = prefect_log_line(line)
        if found is not None:
            logger.log(*found)

    summary = run_crawl(config, timeout=remaining, progress=on_progress, log_sink=forward)
    update_progress_artifact(artifact_id=progress_id, progress=100.0)
    return summary


def prefect_log_line(line: str) -> tuple[int, str] | None:
    """A crawl log line as the flow run's log shows it, or None to leave it out:
    without the child's timestamp (Prefect stamps its own), and without the
    banners (versions, settings, stats) whose bodies follow on unprefixed
    lines that are not forwarded: a banner shows whole or not at all."""
    line = _CHILD_TIMESTAMP_RE.sub("", line)
    if line.endswith(":") or line.endswith(": {") or line.endswith(": ["):
        return None
    for marker, level in ((" CRITICAL: ", logging.ERROR), (" ERROR: ", logging.ERROR),
                          (" WARNING: ", logging.WARNING), (" INFO: ", logging.INFO)):
        if marker in line:
            return level, line
    return None


def _retryable(state: State) -> bool:
    """Retry a crashed child, never a timeout, a bad configuration or a bad store."""
    try:
        state.result()
    except CrawlFailed as error:
        return error.retryable
    except Exception:
        return False
    return False


def publish_report(summary: CrawlSummary, store: ArticleStore) -> None:
    about = f"crawl of {summary.base_url} (store run {summary.run_id})"
    create_table_artifact(key="crawl-figures", table=figures_table(summary), description=about)
    samples = store.quarantine_samples(summary.run_id, limit=10)
    create_markdown_artifact(key="crawl-quality", markdown=quality_markdown(summary, samples),
                             description=f"quality of the {about}")
    if summary.coverage:
        create_markdown_artifact(key="crawl-coverage", markdown=as_markdown(summary.coverage),
                                 description=f"listings and articles of the {about}")


def crawl_run_name() -> str:
    """Flow runs named after what they do: `crawl aawsat eng-archive.aawsat.com 2026-11-25`,
    a sites-file site by its name and base URL; never a site the run will not crawl."""
    parameters = flow_run.parameters
    site = str(parameters.get("site", AUTO))
    if parameters.get("started_by_fleet"):  # the fleet gives both, and its alert keys on the name
        base = str(parameters.get("base_url") or "")
        return fleet_site_run_name(parameters.get("site_name") or _host(base), base)
    entries = sites_file_entries()
    try:
        target = flow_target(site, parameters.get("base_url"), entries)
    except SiteChoiceError:
        return f"crawl {site} (no such site) {date.today().isoformat()}"
    host = urlsplit(target.base_url).netloc or target.base_url
    # A sites-file site by its name (`crawl coastal-news ...`), not by its profile.
    by_url = entry_for_base_url(entries, target.base_url)
    label = parameters.get("site_name") or (target.entry or by_url or target).name
    return f"crawl {label} {host} {date.today().isoformat()}"


def sites_file_entries(strict: bool = False) -> list[SiteEntry]:
    """The worker's sites file ($ARCHIVE_SITES, else ./sites.yaml). One that
    cannot be read is no entries, unless `strict` (then SitesFileError)."""
    try:
        return load_sites(sites_file_path())
    except SitesFileError:
        if strict:
            raise
        return []


def flow_target(site: str, base_url: str | None, entries: list[SiteEntry]) -> CrawlTarget:
    """The `--site` rule of docs/sites.md (`sites.resolve_site`) for a flow's
    parameters: a sites-file name first (its base URL unless one is given),
    then a registered site or a profile, whose base URL defaults to
    $ARCHIVE_BASE_URL; `auto` with none crawls the archive."""
    environment = os.environ.get("ARCHIVE_BASE_URL")
    if site == AUTO:
        environment = environment or DEFAULT_BASE_URL
    is_entry = any(e.name == site for e in entries)
    return resolve_site(site, base_url or (None if is_entry else environment), entries,
                        environment)


def entry_for_base_url(entries: list[SiteEntry], base_url: str) -> SiteEntry | None:
    """The sites-file entry whose base URL this is (a crawl stored under its name)."""
    return next((e for e in entries if e.base_url.rstrip("/") == base_url.rstrip("/")), None)


def one_line(error: Exception) -> str:
    """A parameter error as a run's state message: pydantic's first error, else the text."""
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where}: {first['msg']}" if where else first["msg"]
    return str(error).splitlines()[0]


def fleet_site_run_name(site_name: str, base_url: str) -> str:
    """A crawl the fleet started: `fleet-site coastal-news coastal.example 2026-11-25`.
    The prefix leaves its failure to the fleet's alert (flows/alerts.py)."""
    host = urlsplit(base_url).netloc or base_url
    return f"{FLEET_SITE_RUN_PREFIX}{site_name} {host} {date.today().isoformat()}"


# --- one crawl of a site at a time ---------------------------------------------------------
def site_limit_name(site_name: str | None, base_url: str,
                    entries: list[SiteEntry] | None = None) -> str:
    """The Prefect global concurrency limit of a site: `crawl-site:<name>`, its
    name in the sites file (given by the fleet, else the entry with this base
    URL, so `archive crawl` and the fleet share it), else its host[:port]."""
    if site_name is None:
        entry = entry_for_base_url(sites_file_entries() if entries is None else entries,
                                   base_url)
        site_name = entry.name if entry else None
    return f"{SITE_LIMIT_PREFIX}{site_name or _host(base_url)}"


def _host(base_url: str) -> str:
    return urlsplit(base_url).netloc.lower()


def ensure_site_limit(name: str) -> None:
    """Create the site's limit, one slot, when it is missing; one an operator
    changed (more slots, disabled) is left as it is."""
    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            with suppress(ObjectAlreadyExists):  # another run created it first
                client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=name, limit=1))


def take_site_slot(held: ExitStack, name: str) -> bool:
    """Take the site's slot until `held` closes (released whatever happens), or
    return False at once when another crawl holds it: a busy site is never
    waited for (the run that holds it is doing this run's work)."""
    ensure_site_limit(name)
    run_id = flow_run.id
    try:
        held.enter_context(global_concurrency(
            name, occupy=1, max_retries=0, lease_duration=SITE_SLOT_LEASE_S,
            holder=ConcurrencyLeaseHolder(type="flow_run", id=UUID(run_id)) if run_id else None,
            # a renewal that fails once must not kill a crawl hours long
            raise_on_lease_renewal_failure=False))
    except ConcurrencySlotAcquisitionError as error:
        if _slot_taken(error):
            return False
        raise
    return True


def _slot_taken(error: ConcurrencySlotAcquisitionError) -> bool:
    """The API answered 423 Locked: every slot is held (with max_retries=0 Prefect
    raises it at once instead of retrying)."""
    cause = error.__cause__
    return isinstance(cause, httpx.HTTPStatusError) and cause.response.status_code == 423


def crawl_and_judge(config: CrawlConfig, timeout_s: float) -> State:
    """Crawl with retries of a crashed child inside one total deadline, publish
    the report, and end in the run's outcome (docs/outcomes.md): Completed with
    the summary, its one-line outcome as the message (the run list and the run
    page show what a completed run did without a click), else Failed with the
    summary, if any, and a message naming the cause."""
    logger = get_run_logger()
    deadline = time.time() + timeout_s
    try:
        # The crawl opens the store (a bad one fails it before any request)
        # and closes it; the report opens it again, to read only.
        summary = crawl_in_child_process(config, deadline)
        store = ArticleStore(config.db_url, read_only=True)
    except CrawlFailed as error:
        logger.error("crawl failed (%s): %s", error.cause, error)
        return Failed(message=f"{error.cause}: {error}", data=error.summary)
    except StoreError as error:
        logger.error("crawl failed (store_error): %s", error)
        return Failed(message=f"store_error: {error}")
    try:
        publish_report(summary, store)
    finally:
        store.close()
    outcome = summary.outcome
    assert outcome is not None  # the runner judged it
    done = completed_message(summary)
    # The run's last log line: what it did, and why it failed if it did.
    logger.log(logging.ERROR if outcome.failed else logging.INFO,
               "crawl run %s %s%s: %s", summary.run_id, outcome.state,
               f" ({outcome.cause}: {outcome.message})" if outcome.cause else "", done)
    if outcome.failed:
        return Failed(message=f"{outcome.cause}: {outcome.message}", data=summary)
    return Completed(message=done, data=summary)


@flow(name="crawl", log_prints=True, flow_run_name=crawl_run_name)
def crawl_flow(
    site: SiteParameter = "auto",
    base_url: str | None = None,
    mode: Literal["incremental", "full"] = "incremental",
    categories: list[str] | None = None,
    tags: list[str] | None = None,
    urls: list[str] | None = None,
    max_pages: int | None = None,
    page_range: tuple[int, int] | None = None,
    refresh: bool = False,
    fallback_alarm: float = FALLBACK_ALARM,
    quarantine_alarm: float = QUARANTINE_ALARM,
    timeout_s: Annotated[float, Field(gt=0)] = SIX_HOURS,
    rate_limit_per_s: Annotated[float, Field(gt=0)] | None = None,
    concurrency: Annotated[int, Field(ge=1, le=64)] | None = None,
    site_name: Annotated[str, Field(pattern=_SITE_NAME_PATTERN)] | None = None,
    started_by_fleet: bool = False,
    since: date | None = None,
    timezone: str | None = None,
    language: str | None = None,
) -> State:
    """Crawl a site once: discovery, fetch, archive, clean, store, report.
    `site` and `base_url` follow the `--site` rule (docs/sites.md): a
    sites-file name brings its base URL; otherwise `base_url` defaults to
    $ARCHIVE_BASE_URL, else the registered site's own (`auto`: the archive),
    and a profile with neither is a Failed run.
    `timeout_s` bounds the whole run, retries of a crashed crawl included;
    `rate_limit_per_s` and `concurrency` are a site's politeness settings.
    One crawl of a site at a time: a run that finds its site busy ends
    Cancelled, having done nothing. `site_name` is the site's name in the
    sites file (its concurrency limit's key); `started_by_fleet` marks a run
    of the fleet, whose own alert reports it (docs/deployments.md); the site's
    articles are stored under that name. `since` stops each listing walk at
    its first page whose entries are all older. `timezone` and `language`:
    the sites file's for the site, where they say more than its module."""
    try:
        # Read once; a sites file that cannot be read matters only when the
        # site is not a registered one (it may be a name in that file).
        entries = sites_file_entries(strict=site not in site_names())
        target = flow_target(site, base_url, entries)
        entry = target.entry
        site, base_url = target.site, target.base_url
        if entry is not None:  # a sites-file name: its settings, unless given
            site_name = entry.name
            timezone, language = timezone or entry.timezone, language or entry.language
            rate_limit_per_s = rate_limit_per_s or entry.rate_limit_per_s
            concurrency = concurrency or entry.concurrency
            categories = categories or list(entry.categories) or None
        config = crawl_config(entries, site=site, base_url=base_url, mode=mode,
                              categories=categories,
                              tags=tags, urls=urls, max_pages=max_pages, page_range=page_range,
                              refresh=refresh, fallback_alarm=fallback_alarm,
                              quarantine_alarm=quarantine_alarm,
                              # a site's own politeness (the sites file): a delay between
                              # its requests, and its connections at once
                              download_delay=1 / rate_limit_per_s if rate_limit_per_s else None,
                              concurrency_per_domain=concurrency, since=since,
                              timezone=timezone, language=language, site_label=site_name)
    except (ValidationError, SitesFileError, ValueError) as error:
        message = f"bad parameters: {one_line(error)}"
        get_run_logger().error(message)
        return Failed(message=message)
    limit = site_limit_name(site_name or config.site_label, config.base_url, entries)
    with ExitStack() as held:
        if not take_site_slot(held, limit):
            message = (f"site_busy: another crawl of this site is running (it holds the "
                       f"global concurrency limit {limit}); this run fetched nothing")
            get_run_logger().warning(message)
            return Cancelled(message=message)
        return crawl_and_judge(config, timeout_s)
