"""The backfill: the archive split into shards (a category's listing pages
first..last), each shard its own flow run of the `crawl-shard` deployment, so
that every worker of the pool takes shards. Shards that finished are
recorded in the store: running the same backfill again resumes with the
shards that did not finish, and stores nothing twice (upserts are idempotent)."""

from __future__ import annotations

import hashlib
import json
import os
import socket
from datetime import date
from typing import Annotated, Any, cast

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from prefect.states import Failed, State
from pydantic import BaseModel, Field

from sites import AUTO, get_site
from spiders.config import CrawlConfig
from spiders.summary import CrawlSummary
from storage.store import ArticleStore

from .crawl import SIX_HOURS, crawl_and_judge, crawl_config
from .parameters import SiteParameter
from .waiting import final_states

SHARD_DEPLOYMENT = "crawl-shard/crawl-shard"


class Shard(BaseModel):
    """Listing pages first..last of a category, or a whole month's archive."""

    category: str = ""
    first_page: int = 1
    last_page: int = 1
    month: str | None = None  # "YYYY/MM"

    @property
    def key(self) -> str:
        if self.month:
            return f"month:{self.month}"
        return f"{self.category}:{self.first_page}-{self.last_page}"


def plan_shards(categories: list[str], first_page: int, last_page: int,
                pages_per_shard: int) -> list[Shard]:
    if first_page < 1 or last_page < first_page or pages_per_shard < 1:
        raise ValueError("need 1 <= first_page <= last_page and pages_per_shard >= 1, got "
                         f"first_page={first_page}, last_page={last_page}, "
                         f"pages_per_shard={pages_per_shard}")
    return [Shard(category=c, first_page=p, last_page=min(p + pages_per_shard - 1, last_page))
            for c in categories for p in range(first_page, last_page + 1, pages_per_shard)]


def plan_months(since: date, until: date) -> list[Shard]:
    """One shard per month from `since`'s to `until`'s, newest first (as
    listings run)."""
    if until < since:
        raise ValueError(f"until ({until}) is before since ({since})")
    months, year, month = [], since.year, since.month
    while (year, month) <= (until.year, until.month):
        months.append(Shard(month=f"{year:04d}/{month:02d}"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months[::-1]


def discovered_sections(config: CrawlConfig) -> list[str]:
    """The sections crawls of the site have discovered (remembered in the store)."""
    store = ArticleStore(config.db_url)
    try:
        site = config.stored_site(config.site)
        return [t.slug for t in store.site_terms(site, kinds=("category",))]
    finally:
        store.close()


def backfill_key(parameters: dict[str, Any]) -> str:
    """The same parameters name the same backfill, so a rerun resumes it."""
    digest = hashlib.sha256(json.dumps(parameters, sort_keys=True).encode()).hexdigest()
    return f"backfill-{digest[:16]}"


@flow(name="crawl-shard")
def crawl_shard_flow(backfill: str, category: str = "", first_page: int = 1,
                     last_page: int = 1, month: str | None = None,
                     since: date | None = None,
                     site: SiteParameter = "aawsat",
                     base_url: str | None = None,
                     timeout_s: Annotated[float, Field(gt=0)] = SIX_HOURS
                     ) -> State:
    """One shard of a backfill: a category's listing pages first..last, or a
    month's archive, in full, with the crawl flow's retries, report and
    outcome. A shard that fails is recorded failed with its reason; the next
    run of the backfill retries it."""
    if month:
        config = crawl_config(site=site, base_url=base_url, mode="full", months=[month])
    else:
        config = crawl_config(site=site, base_url=base_url, mode="full", categories=[category],
                              page_range=(first_page, last_page), since=since)
    store = ArticleStore(config.db_url)
    shard = Shard(category=category, first_page=first_page, last_page=last_page, month=month)
    worker = os.environ.get("ARCHIVE_WORKER_NAME") or f"{socket.gethostname()}:{os.getpid()}"
    store.record_shard(backfill, shard.key, "running", worker, {})
    state: State = Failed(message="crashed: the shard's flow stopped")
    try:
        state = crawl_and_judge(config, timeout_s)
    finally:
        summary = state.data if isinstance(state.data, CrawlSummary) else None
        if state.is_completed() and summary is not None:
            store.record_shard(backfill, shard.key, "completed", worker, summary.as_record())
            get_run_logger().info("shard %s done on %s: %s new", shard.key, worker,
                                  summary.articles_new)
        else:
            store.record_shard(backfill, shard.key, "failed", worker,
                               {**(summary.as_record() if summary else {}),
                                "failure": state.message})
    return state


@flow(name="backfill")
def backfill_flow(
    categories: list[str] | None = None,
    first_page: int = 1,
    last_page: int = 10,
    pages_per_shard: int = 5,
    site: SiteParameter = "aawsat",
    base_url: str | None = None,
    since: date | None = None,
    until: date | None = None,
    shard_timeout_s: float = SIX_HOURS,
) -> dict[str, Any] | State:
    """Fan a backfill out over the work pool and sum what the shards did.
    With `since` (and `until`, default today): one shard per month through
    the site's month archives where it has them; else the categories'
    listing pages (default: every section crawls have discovered), each walk
    stopping at articles older than `since`."""
    logger = get_run_logger()
    config = crawl_config(site=site, base_url=base_url)  # validates before anything runs
    by_month = since is not None and \
        get_site(config.site if config.site != AUTO else "wordpress").sources.month_archives
    if by_month:
        assert since is not None
        shards = plan_months(since, until or date.today())
        categories = []
    else:
        categories = categories or discovered_sections(config)
        if not categories:
            raise ValueError("categories: none named, and no crawl of this site has discovered "
                             "its sections yet (run `archive crawl` first, or name them)")
        shards = plan_shards(categories, first_page, last_page, pages_per_shard)
    key = backfill_key({"categories": categories, "first_page": first_page,
                        "last_page": last_page, "pages_per_shard": pages_per_shard,
                        "site": site, "base_url": config.base_url,
                        **({"since": str(since), "until": str(until)} if since else {})})
    store = ArticleStore(config.db_url)
    done = {k for k, v in store.shards(key).items() if v["status"] == "completed"}
    pending = [s for s in shards if s.key not in done]
    logger.info("backfill %s: %d shards, %d already done, %d to run", key, len(shards),
                len(done), len(pending))
    runs = [cast(FlowRun, run_deployment(
        SHARD_DEPLOYMENT, timeout=0, as_subflow=True,
        parameters={"backfill": key, "category": s.category, "first_page": s.first_page,
                    "last_page": s.last_page, "month": s.month, "since": since, "site": site,
                    "base_url": config.base_url, "timeout_s": shard_timeout_s},
        flow_run_name=f"shard {s.key}")) for s in pending]
    # Every shard may wait for a free worker slot: at most all of them in a row.
    ended = final_states([r.id for r in runs], deadline_s=shard_timeout_s * len(runs))
    states = {run.name: ended[run.id] for run in runs if run.id in ended}
    failed = [name for name, state in states.items() if not state.is_completed()]
    failed += [run.name for run in runs if run.name not in states]  # still running at the end
    results = store.shards(key)
    summaries = {k: CrawlSummary.model_validate(v["stats"]) for k, v in results.items()}
    totals: dict[str, Any] = {"shards": len(shards), "shards_run": len(pending),
                              "shards_failed": len(failed)}
    for figure in ("pages_fetched", "articles_new", "articles_updated", "articles_unchanged"):
        totals[figure] = sum(getattr(summary, figure) for summary in summaries.values())
    totals["workers"] = sorted({v["worker"] for v in results.values() if v["worker"]})
    create_table_artifact(key="backfill-shards", description=f"backfill {key}", table=[
        {"shard": k, "status": v["status"], "worker": v["worker"],
         "pages": summaries[k].pages_fetched, "new": summaries[k].articles_new,
         "updated": summaries[k].articles_updated, "failures": summaries[k].failed_total,
         "why": v["stats"].get("failure", "")} for k, v in sorted(results.items())])
    if failed:
        return Failed(message=f"{len(failed)} shard runs did not complete: {failed}; "
                              "run the backfill again to resume them", data=totals)
    return totals
