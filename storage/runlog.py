"""The run log: crawl runs and backfill shards."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from .database import (
    Database,
    now,
    retry_when_unavailable,
)
from .models import (
    BackfillShard,
    CrawlRun,
)


class StoreRunLog(Database):
    """Crawl runs and backfill shards."""

    @retry_when_unavailable
    def start_run(self, params: dict[str, Any]) -> int:
        with self.sessions.begin() as session:
            run = CrawlRun(started=now(), status="running", params=params, stats={})
            session.add(run)
            session.flush()
            return run.id

    @retry_when_unavailable
    def finish_run(self, run_id: int, status: str, stats: dict[str, Any]) -> None:
        with self.sessions.begin() as session:
            session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(
                finished=now(), status=status, stats=stats))

    @retry_when_unavailable
    def runs(self, limit: int = 10, base_url: str | None = None,
             site: str | None = None) -> list[dict[str, Any]]:
        """The newest runs; with `base_url`, only the crawls of that site; with
        `site`, those that stored under that name (a finished run's summary
        says it; a sites-file site's run says it from its start)."""
        query = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)
        if base_url is not None:
            query = query.where(CrawlRun.params["base_url"].as_string() == base_url.rstrip("/"))
        if site is not None:
            query = query.where(or_(CrawlRun.stats["site"].as_string() == site,
                                    CrawlRun.params["site_label"].as_string() == site))
        with self.reads() as session:
            return [{"id": r.id, "started": r.started, "finished": r.finished,
                     "status": r.status, "params": r.params, "stats": r.stats}
                    for r in session.scalars(query)]

    @retry_when_unavailable
    def record_shard(self, backfill: str, shard: str, status: str, worker: str | None,
                     stats: dict[str, Any]) -> None:
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        values = {"backfill": backfill, "shard": shard, "status": status, "worker": worker,
                  "stats": stats, "updated": now()}
        statement = insert(BackfillShard).values(values).on_conflict_do_update(
            index_elements=["backfill", "shard"],
            set_={k: v for k, v in values.items() if k not in ("backfill", "shard")})
        with self.sessions.begin() as session:
            session.execute(statement)

    @retry_when_unavailable
    def shards(self, backfill: str) -> dict[str, dict[str, Any]]:
        with self.reads() as session:
            rows = session.scalars(select(BackfillShard).where(BackfillShard.backfill == backfill))
            return {r.shard: {"status": r.status, "worker": r.worker, "stats": r.stats}
                    for r in rows}

