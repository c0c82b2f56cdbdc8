"""The Scrapy item pipeline: a thin adapter over `ArchivePipeline`. A full
disk or a store that cannot be written ends the crawl at once, with the
cause in the stats (no page is fetched only to be dropped). The store is
written on the spider's writer thread; closing waits for it to finish."""

from __future__ import annotations

import asyncio
import errno
import logging
from typing import Any

from scrapy.exceptions import DropItem

from storage.store import StoreError
from storage.warc import WarcWriterRotating

from .clean_pool import CleanerPool
from .items import FetchedPage
from .pipeline import ArchivePipeline

log = logging.getLogger(__name__)


class ScrapyArchivePipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.pipeline: ArchivePipeline | None = None
        self.stopping = False
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> ScrapyArchivePipeline:
        return cls(crawler)

    def open_spider(self, spider: Any = None) -> None:
        spider = self.crawler.spider
        config = spider.config
        loop = asyncio.get_running_loop()  # the asyncio reactor's: the writer thread reports to it

        def store_failed(error: StoreError) -> None:  # on the writer thread
            loop.call_soon_threadsafe(self.stop, "store_error", str(error))

        spider.writer.on_error = store_failed
        self.pipeline = ArchivePipeline(
            store=spider.store,
            warc=WarcWriterRotating(config.warc_dir, max_bytes=config.warc_max_mb * 1024 * 1024),
            cleaner_site=spider.reading_as, run_id=spider.run_id,
            timezone=config.timezone, language=config.language,
            batch_size=config.store_batch, stored_as=spider.stored_as,
            cleaner=CleanerPool(config.clean_workers, budget_s=config.clean_budget_s),
            writer=spider.writer)

    async def process_item(self, item: FetchedPage) -> dict[str, Any]:
        assert self.pipeline is not None
        try:
            return await self.pipeline.process_item(item)
        except OSError as error:
            if error.errno != errno.ENOSPC:
                raise
            self.stop("disk_full", f"no space left on the data folder's disk: {error}")
        except StoreError as error:
            self.stop("store_error", str(error))
        raise DropItem(f"not stored: the crawl is stopping ({item.url})")

    def stop(self, cause: str, detail: str) -> None:
        if self.stopping or self.closing:  # closing: close_spider records the cause itself
            return
        self.stopping = True
        log.error("stopping the crawl: %s", detail)
        self.crawler.stats.set_value("fatal_error", {"cause": cause, "detail": detail})
        asyncio.ensure_future(self.crawler.engine.close_spider_async(reason=cause))

    async def close_spider(self, spider: Any = None) -> None:
        assert self.pipeline is not None
        self.closing = True
        # Every page in hand stored before the spider's final listing updates
        # and coverage report (spider.closed, after this); awaited, so the
        # reactor is free while the writer thread works.
        self.pipeline.flush()
        await self.pipeline.writer.drained()
        try:
            self.pipeline.close()
        except StoreError as error:  # the last batch could not be stored
            self.crawler.stats.set_value("fatal_error", {"cause": "store_error",
                                                         "detail": str(error)})
        finally:
            self.crawler.stats.set_value("pipeline", self.pipeline.report())
