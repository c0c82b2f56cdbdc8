"""Re-clean stored raw pages with the current cleaner, from WARC files only:
no HTTP request. Articles whose cleaned content changed get a new revision."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cleaning import CLEANER_VERSION, ExtractionError, extract_article

from .store import ArticleStore, PageRecord
from .warc import read_response

log = logging.getLogger(__name__)


def reextract(store: ArticleStore, site: str = "auto", batch_size: int = 100,
              progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    outcome: Counter[str] = Counter()
    batch: list[PageRecord] = []

    def flush() -> None:
        if batch:
            counts = store.upsert_articles(batch)
            outcome["updated"] += counts.updated + counts.new
            outcome["unchanged"] += counts.unchanged
            batch.clear()

    for done, row in enumerate(store.latest_revisions_with_warc(), 1):
        try:
            page = read_response(row["warc_file"], row["warc_offset"])
        except (OSError, ValueError) as error:
            outcome["warc_unreadable"] += 1
            log.warning("%s: WARC record unreadable: %s", row["canonical_url"], error)
            continue
        try:
            article = extract_article(page.body, page.url, site=site, fallback=True)
        except ExtractionError as error:
            outcome["now_failing"] += 1
            log.warning("%s: re-extraction failed: %s", row["canonical_url"], error)
            continue
        if article.content_hash == row["content_hash"]:
            outcome["unchanged"] += 1
        else:
            batch.append(PageRecord(article=article, fetched_at=page.fetched_at or
                                    datetime.now(UTC), warc_file=row["warc_file"],
                                    warc_offset=row["warc_offset"],
                                    cleaner_version=CLEANER_VERSION))
        if len(batch) >= batch_size:
            flush()
        if progress:
            progress(done)
    flush()
    outcome["total"] = sum(v for k, v in outcome.items() if k != "total")
    return dict(outcome)
