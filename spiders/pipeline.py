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

from sqlalchemy.exc import DBAPIError

from cleaning import CLEANER_VERSION, canonical_form
from cleaning.models import Article
from storage.store import ArticleStore, PageRecord, StoreError, StoreUnavailable, UpsertCounts
from storage.warc import RawPage, WarcWriterRotating

from .clean_pool import CleanerPool
from .items import FetchedPage

log = logging.getLogger(__name__)


class ArchivePipeline:
    def __init__(self, store: ArticleStore, warc: WarcWriterRotating, cleaner_site: str,
                 run_id: int | None, batch_size: int, cleaner: CleanerPool,
                 stored_as: str | None = None) -> None:
        self.store = store
        self.cleaner = cleaner
        self.warc = warc
        self.cleaner_site = cleaner_site
        # The site articles are stored under unless the item says (None: the
        # store's rule, the registered site of the URL's host, else the host).
        self.stored_as = stored_as
        self.run_id = run_id
        self.batch_size = batch_size
        self.batch: list[PageRecord] = []
        self.counts = UpsertCounts()
        self.quarantined: Counter[str] = Counter()
        self.extractors: Counter[str] = Counter()
        self.fallbacks = 0
        self.missing_dates = 0
        self.hubs = 0  # pages of a site without listings that are no article

    async def process_item(self, item: FetchedPage) -> dict[str, Any]:
        fetched_at = datetime.now(UTC)
        page = RawPage(url=item.url, status=item.status, headers=item.headers,
                       body=item.body, fetched_at=fetched_at)
        records, cleaned = await self.cleaner.archive_and_clean(
            page, item.request_headers, item.site or self.cleaner_site)
        warc_file, warc_offset = self.warc.append(records)  # on disk before anything is stored
        article = cleaned.article
        # Under the URL discovery gave (before redirects): the one known-URL checks ask.
        listed = canonical_form(item.requested_url)
        if article is None:
            assert cleaned.problem is not None
            if item.may_be_hub and cleaned.problem == "not_an_article":
                self.hubs += 1  # archived, read for links, never quarantined
                return {"url": item.url, "outcome": "not_an_article"}
            self._quarantine(listed, cleaned.problem, cleaned.detail, warc_file,
                             warc_offset, permanent=not cleaned.transient)
            return {"url": item.url, "outcome": "quarantined"}
        self._count_quality(article)
        self.batch.append(PageRecord(
            article=article, fetched_at=fetched_at, run_id=self.run_id, warc_file=warc_file,
            warc_offset=warc_offset, etag=page.header("ETag"),
            last_modified=page.header("Last-Modified"), cleaner_version=CLEANER_VERSION,
            aliases=list({listed, canonical_form(item.url)} - {article.canonical_url}),
            site=item.stored_as or self.stored_as))
        if len(self.batch) >= self.batch_size:
            self.flush()
        return {"url": item.url, "outcome": "accepted"}

    def _count_quality(self, article: Article) -> None:
        self.extractors[article.extractor] += 1
        self.fallbacks += article.fallback
        self.missing_dates += article.published is None

    def _quarantine(self, url: str, reason: str, detail: str, warc_file: str,
                    warc_offset: int, permanent: bool = True) -> None:
        """A permanent reason keeps the URL from being fetched again; a
        transient one (the cleaning process died) lets the next run retry it."""
        self.quarantined[reason] += 1
        log.info("quarantined %s: %s (%s)", url, reason, detail[:300])
        self.store.quarantine(url, reason, detail, permanent=permanent, run_id=self.run_id,
                              warc_file=warc_file, warc_offset=warc_offset)

    def flush(self) -> None:
        """Store the batch. It is taken out first: a batch that fails is never
        tried again with the next page, and a record the database refuses is
        quarantined (`store_rejected`, retried next run) while the rest is stored."""
        batch, self.batch = self.batch, []
        if not batch:
            return
        counts = self.store.upsert_articles(batch)
        self.counts.add(counts)
        records = {record.article.canonical_url: record for record in batch}
        for url, why in counts.rejected:
            record = records[url]
            log.error("the store refused %s: %s", url, why[:300])
            try:
                self._quarantine(record.article.url, "store_rejected", why,
                                 record.warc_file or "", record.warc_offset or 0,
                                 permanent=False)
            except StoreUnavailable:
                raise
            except (StoreError, DBAPIError) as error:  # not even its quarantine row fits
                log.error("%s could not be quarantined either: %s", url[:300],
                          str(error).splitlines()[0][:300])

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
            "pages_not_articles": self.hubs,
        }
