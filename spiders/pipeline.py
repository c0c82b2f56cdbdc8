"""Archive, clean, gate, store: every fetched article page goes into a WARC
file, then through the cleaner (both prepared in worker processes, so the
reactor keeps fetching; the WARC records reach the disk before the article
reaches the store); a valid article is stored in batches, anything else is
quarantined with its reason and WARC location."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from cleaning import CLEANER_VERSION
from cleaning.models import Article
from storage.store import ArticleStore, PageRecord, UpsertCounts
from storage.warc import RawPage, WarcWriterRotating

from .clean_pool import CleanerPool

log = logging.getLogger(__name__)


class ArchivePipeline:
    def __init__(self, store: ArticleStore, warc: WarcWriterRotating, cleaner_site: str,
                 run_id: int | None, batch_size: int, cleaner: CleanerPool) -> None:
        self.store = store
        self.cleaner = cleaner
        self.warc = warc
        self.cleaner_site = cleaner_site
        self.run_id = run_id
        self.batch_size = batch_size
        self.batch: list[PageRecord] = []
        self.counts = UpsertCounts()
        self.quarantined: Counter[str] = Counter()
        self.extractors: Counter[str] = Counter()
        self.fallbacks = 0
        self.missing_dates = 0

    async def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        fetched_at = datetime.now(UTC)
        page = RawPage(url=item["url"], status=item["status"], headers=item["headers"],
                       body=item["body"], fetched_at=fetched_at)
        records, cleaned = await self.cleaner.archive_and_clean(
            page, item["request_headers"], self.cleaner_site)
        warc_file, warc_offset = self.warc.append(records)  # on disk before anything is stored
        article = cleaned.article
        if article is None:
            assert cleaned.problem is not None
            self._quarantine(item["url"], cleaned.problem, cleaned.detail, warc_file,
                             warc_offset, permanent=not cleaned.transient)
            return {"url": item["url"], "outcome": "quarantined"}
        self._count_quality(article)
        self.batch.append(PageRecord(
            article=article, fetched_at=fetched_at, run_id=self.run_id, warc_file=warc_file,
            warc_offset=warc_offset, etag=page.header("ETag"),
            last_modified=page.header("Last-Modified"), cleaner_version=CLEANER_VERSION))
        if len(self.batch) >= self.batch_size:
            self.flush()
        return {"url": item["url"], "outcome": "accepted"}

    def _count_quality(self, article: Article) -> None:
        self.extractors[article.extractor] += 1
        self.fallbacks += article.fallback
        self.missing_dates += article.published is None

    def _quarantine(self, url: str, reason: str, detail: str, warc_file: str,
                    warc_offset: int, permanent: bool = True) -> None:
        """A permanent reason keeps the URL from being fetched again; a
        transient one (the cleaning process died) lets the next run retry it."""
        self.quarantined[reason] += 1
        log.info("quarantined %s: %s (%s)", url, reason, detail)
        self.store.quarantine(url, reason, detail, permanent=permanent, run_id=self.run_id,
                              warc_file=warc_file, warc_offset=warc_offset)

    def flush(self) -> None:
        if self.batch:
            self.counts.add(self.store.upsert_articles(self.batch))
            self.batch = []

    def close(self) -> dict[str, Any]:
        try:
            self.flush()
        finally:
            try:
                self.warc.close()
            except OSError as error:  # a full disk: the torn last record is skipped on read
                log.error("the WARC file could not be closed cleanly: %s", error)
            self.cleaner.close()
        return self.report()

    def report(self) -> dict[str, Any]:
        return {
            "articles_new": self.counts.new,
            "articles_updated": self.counts.updated,
            "articles_unchanged": self.counts.unchanged,
            "quarantined": dict(self.quarantined),
            "extractors": dict(self.extractors),
            "fallbacks": self.fallbacks,
            "missing_dates": self.missing_dates,
        }
