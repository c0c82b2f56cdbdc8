"""The crawl flow: validate the parameters, crawl in a child process, publish
the run's report, and fail the run when its quality alarms go off."""

from __future__ import annotations

import os
import time
from typing import Any, Literal, cast
from uuid import UUID

from prefect import flow, get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.states import Failed, State

from spiders.config import CrawlConfig
from spiders.runner import CrawlFailed, run_crawl
from storage.config import redact
from storage.store import ArticleStore

from .reports import FALLBACK_ALARM, QUARANTINE_ALARM, alarms, figures_table, quality_markdown

SIX_HOURS = 6 * 3600


def crawl_config(**parameters: Any) -> CrawlConfig:
    """Flow parameters plus the environment (database, data folder, shared
    budget): secrets never travel as parameters."""
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
    return CrawlConfig.model_validate(values)


def _float(value: str | None) -> float | None:
    return float(value) if value else None


@task(name="crawl-in-child-process", retries=2, retry_delay_seconds=5,
      retry_condition_fn=lambda task, run, state: _crashed(state))
def crawl_in_child_process(config: CrawlConfig, timeout_s: float) -> dict[str, Any]:
    logger = get_run_logger()
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
        if " ERROR: " in line or " CRITICAL: " in line:
            logger.error(line)
        elif " WARNING: " in line:
            logger.warning(line)
        elif " INFO: " in line:
            logger.info(line)

    summary = run_crawl(config, timeout=timeout_s, progress=on_progress, log_sink=forward)
    update_progress_artifact(artifact_id=progress_id, progress=100.0)
    return summary


def _crashed(state: State) -> bool:
    """Retry a crashed or timed-out child, never a bad configuration."""
    try:
        state.result()
    except CrawlFailed:
        return True
    except Exception:
        return False
    return False


def publish_report(summary: dict[str, Any], store: ArticleStore) -> None:
    create_table_artifact(key="crawl-figures", table=figures_table(summary),
                          description=f"crawl run {summary.get('run_id')}")
    samples = store.quarantine_samples(summary.get("run_id"), limit=10)
    create_markdown_artifact(key="crawl-quality", markdown=quality_markdown(summary, samples),
                             description=f"crawl run {summary.get('run_id')} quality")


@flow(name="crawl", log_prints=True)
def crawl_flow(
    site: Literal["auto", "aawsat", "wordpress"] = "auto",
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
    timeout_s: float = SIX_HOURS,
) -> dict[str, Any] | State:
    """Crawl a site once: discovery, fetch, archive, clean, store, report.
    `base_url` defaults to $ARCHIVE_BASE_URL, else the Asharq Al-Awsat archive."""
    config = crawl_config(site=site, base_url=base_url, mode=mode, categories=categories,
                          tags=tags, urls=urls, max_pages=max_pages, page_range=page_range,
                          refresh=refresh)
    summary = crawl_in_child_process(config, timeout_s)
    publish_report(summary, ArticleStore(config.db_url))
    problems = alarms(summary, fallback_alarm, quarantine_alarm)
    if problems:
        return Failed(message="quality alarm: " + "; ".join(problems), data=summary)
    return summary
