"""Re-clean stored raw pages with the current cleaner, from WARC files only:
no HTTP request. Articles whose cleaned content changed get a new revision.
Cleaning runs in a pool of processes (one per core by default); the store is
written from this process only, in batches."""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from typing import Any

from cleaning import CLEANER_VERSION
from cleaning.models import Article
from cleaning.outcome import clean_page

from .store import ArticleStore, PageRecord
from .warc import read_response

log = logging.getLogger(__name__)


def _clean(job: tuple[dict[str, Any], str]) -> tuple[dict[str, Any], Article | str,
                                                       datetime | None]:
    """In a worker: read one WARC record and clean it (an error becomes a string)."""
    row, site = job
    try:
        page = read_response(row["warc_file"], row["warc_offset"])
    except (OSError, ValueError) as error:
        return row, f"warc_unreadable: {error}", None
    cleaned = clean_page(page.body, page.url, site)
    if cleaned.article is None:
        return row, f"now_failing: {cleaned.problem}: {cleaned.detail}", page.fetched_at
    return row, cleaned.article, page.fetched_at


def reextract(store: ArticleStore, site: str = "auto", batch_size: int = 100,
              progress: Callable[[int], None] | None = None,
              workers: int | None = None) -> dict[str, Any]:
    workers = workers or os.cpu_count() or 1
    outcome: Counter[str] = Counter()
    batch: list[PageRecord] = []

    def flush() -> None:
        if batch:
            counts = store.upsert_articles(batch)
            outcome["updated"] += counts.updated + counts.new
            outcome["unchanged"] += counts.unchanged
            batch.clear()

    jobs = ((row, site) for row in store.latest_revisions_with_warc())
    results: Iterator[tuple[dict[str, Any], Article | str, datetime | None]]
    # spawn, not fork: the caller may hold threads (Prefect, SQLAlchemy pools).
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) \
        if workers > 1 else None
    try:
        results = pool.map(_clean, jobs, chunksize=16) if pool else map(_clean, jobs)
        for done, (row, result, fetched_at) in enumerate(results, 1):
            if isinstance(result, str):
                reason = result.split(":", 1)[0]
                outcome[reason] += 1
                log.warning("%s: %s", row["canonical_url"], result)
            elif result.content_hash == row["content_hash"]:
                outcome["unchanged"] += 1
            else:
                batch.append(PageRecord(article=result, fetched_at=fetched_at or datetime.now(UTC),
                                        warc_file=row["warc_file"],
                                        warc_offset=row["warc_offset"],
                                        cleaner_version=CLEANER_VERSION))
            if len(batch) >= batch_size:
                flush()
            if progress:
                progress(done)
    finally:
        if pool is not None:
            pool.shutdown()
    flush()
    outcome["total"] = sum(outcome.values())
    return dict(outcome)
