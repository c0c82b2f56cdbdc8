"""Archive, clean, gate, store: every fetched article page goes into a WARC
file, then through the cleaner (both prepared in worker processes, so the
reactor keeps fetching; the WARC records reach the disk before the article
reaches the store); a valid article is stored in batches, anything else is
quarantined with its reason and WARC location.

The store is written on the crawl's writer thread (`store_thread.WriterThread`),
never on the reactor's: `process_item` returns once the page is batched or
queued, and waits only while `max_pages_in_hand` pages are already in hand
(batched, queued or being written), so fetching goes on while the store
waits, up to that bound."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from concurrent.futures import Future
from datetime import UTC, datetime
from functools import partial
from typing import Any

from cleaning import canonical_form
from cleaning.models import Article
from ingest.clean_pool import CleaningPool
from ingest.sink import REASON as REFUSED
from ingest.sink import StoredCounts, store_records
from ingest.step import Provenance, stored_record
from sites import Reading
from storage.protocols import ArticleWriter
from storage.store import PageRecord
from storage.warc import RawPage, WarcWriterRotating

from .items import FetchedPage
from .store_thread import WriterThread

log = logging.getLogger(__name__)


class ArchivePipeline:
    def __init__(self, store: ArticleWriter, warc: WarcWriterRotating, cleaner_site: str,
                 run_id: int | None, batch_size: int, cleaner: CleaningPool,
                 stored_as: str | None = None, writer: WriterThread | None = None,
                 timezone: str | None = None, language: str | None = None) -> None:
        # The sites file's timezone and language for the site (None: its module's).
        self.timezone, self.language = timezone, language
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
        self.counts = StoredCounts()
        self.quarantined: Counter[str] = Counter()
        self.extractors: Counter[str] = Counter()
        self.fallbacks = 0
        self.missing_dates = 0
        self.hubs = 0  # pages of a site without listings that are no article
        # No writer given: the store is written in the calling thread (unit
        # tests, tools with no reactor); a crawl passes the spider's.
        self.writer = writer or WriterThread(max(batch_size, 1), threaded=False)
        # The counts are added to on the writer thread and read on the loop.
        self._lock = threading.Lock()

    async def process_item(self, item: FetchedPage) -> dict[str, Any]:
        fetched_at = datetime.now(UTC)
        page = RawPage(url=item.url, status=item.status, headers=item.headers,
                       body=item.body, fetched_at=fetched_at)
        reading = Reading(item.site or self.cleaner_site, self.timezone, self.language)
        records, cleaned = await self.cleaner.archive_and_clean(page, item.request_headers,
                                                                reading)
        warc_file, warc_offset = self.warc.append(records)  # on disk before anything is stored
        article = cleaned.article
        # Under the URL discovery gave (before redirects): the one known-URL checks ask.
        listed = canonical_form(item.requested_url)
        if article is None:
            assert cleaned.problem is not None
            if item.may_be_hub and cleaned.problem == "not_an_article":
                self.hubs += 1  # archived, read for links, never quarantined
                return {"url": item.url, "outcome": "not_an_article"}
            await self._room()
            self._quarantine(listed, cleaned.problem, cleaned.detail, warc_file,
                             warc_offset, permanent=not cleaned.transient)
            return {"url": item.url, "outcome": "quarantined"}
        self._count_quality(article)
        await self._room()
        self.batch.append(stored_record(
            article, Provenance("crawl", warc_file, warc_offset, fetched_at,
                                page.header("ETag"), page.header("Last-Modified"), self.run_id),
            site=item.stored_as or self.stored_as,
            aliases=[listed, canonical_form(item.url)]))
        if len(self.batch) >= self.batch_size:
            self.flush()
        return {"url": item.url, "outcome": "accepted"}

    async def _room(self) -> None:
        """Wait until one more page may be held (the back-pressure: Scrapy
        keeps the page's response meanwhile, and stops fetching once its
        scraper holds too many). Raises the writer's StoreError: the crawl is
        stopping, nothing more is stored."""
        while (waiter := self.writer.reserve_or_wait(1)) is not None:
            if self.writer.pages_in_hand <= len(self.batch):
                self.flush()  # all in hand is this batch: sent, it frees room once written
            await waiter

    def _count_quality(self, article: Article) -> None:
        self.extractors[article.extractor] += 1
        self.fallbacks += article.fallback
        self.missing_dates += article.published is None

    def _quarantine(self, url: str, reason: str, detail: str, warc_file: str,
                    warc_offset: int, permanent: bool = True) -> None:
        """A permanent reason keeps the URL from being fetched again; a
        transient one (the cleaning process died) lets the next run retry it.
        Queued behind the batches before it; its page is in hand until written."""
        self._count_quarantined(url, reason, detail)
        self.writer.submit(partial(
            self.store.quarantine, url, reason, detail, permanent=permanent,
            run_id=self.run_id, warc_file=warc_file, warc_offset=warc_offset), pages=1)

    def _count_quarantined(self, url: str, reason: str, detail: str) -> None:
        with self._lock:
            self.quarantined[reason] += 1
        log.info("quarantined %s: %s (%s)", url, reason, detail[:300])

    def flush(self) -> Future[None] | None:
        """Queue the batch for the writer thread. It is taken out first: a
        batch that fails is never tried again with the next page."""
        batch, self.batch = self.batch, []
        if not batch:
            return None
        return self.writer.submit(partial(self._store_batch, batch), pages=len(batch))

    def _store_batch(self, batch: list[PageRecord]) -> None:
        """On the writer thread: store the batch; a record the database
        refuses is quarantined (`store_rejected`, retried next run) while the
        rest is stored."""
        counts = store_records(self.store, batch, self.run_id)
        with self._lock:
            self.counts.add(counts)
            if counts.refused:
                self.quarantined[REFUSED] += counts.refused

    def close(self) -> dict[str, Any]:
        """Store what is in hand (the batch, the queue) and close the WARC
        file and the cleaners; raises the writer's StoreError, if any."""
        try:
            self.flush()
            self.writer.drain()
            self.writer.raise_if_failed()
        finally:
            try:
                self.warc.close()
            except OSError as error:  # a full disk: the torn last record is skipped on read
                log.error("the WARC file could not be closed cleanly: %s", error)
            self.cleaner.close()
        return self.report()

    def report(self) -> dict[str, Any]:
        with self._lock:
            return {
                "articles_new": self.counts.new,
                "articles_updated": self.counts.updated,
                "articles_unchanged": self.counts.unchanged,
                "quarantined": dict(self.quarantined),
                "extractors": dict(self.extractors),
                "fallbacks": self.fallbacks,
                "missing_dates": self.missing_dates,
                "pages_not_articles": self.hubs,
                # Most pages batched, queued or being written at once (<= max_pages_in_hand).
                "pages_in_hand_peak": self.writer.peak,
            }
