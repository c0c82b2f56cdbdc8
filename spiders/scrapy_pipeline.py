"""The Scrapy item pipeline: a thin adapter over `ArchivePipeline`. A full
disk or a store that cannot be written ends the crawl at once, with the
cause in the stats (no page is fetched only to be dropped). The store is
written on the spider's writer thread; closing waits for it to finish.

Every response the crawl received goes into the crawl's WARC files: an
article page through the pipeline (which records where), every other one
(robots.txt, the home page, listings, feeds, sitemaps, failed and
not-modified answers) as it arrives, so the files hold what the crawl saw and
an import of them learns what the crawl learned. Redirect hops are not
kept: Scrapy follows them before the crawl sees an answer."""

from __future__ import annotations

import asyncio
import errno
import logging
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy import Request, signals
from scrapy.exceptions import DropItem
from scrapy.http import Response

from ingest.clean_pool import CleaningPool
from storage.store import StoreError
from storage.warc import RawPage, WarcWriterRotating

from .config import CrawlConfig
from .items import FetchedPage, header_pairs
from .pipeline import ArchivePipeline
from .settings import LOG_FORMAT, VERSION

log = logging.getLogger(__name__)


class ScrapyArchivePipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.pipeline: ArchivePipeline | None = None
        self.stopping = False
        self.closing = False
        self.warc_failed = False  # then nothing more is written to it

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
        self.warc = WarcWriterRotating(config.warc_dir, max_bytes=config.warc_max_mb * 1024 * 1024,
                                       info=crawl_info(config, self.crawler, spider.run_id))
        self.crawler.signals.connect(self.archive_response, signal=signals.response_received)
        self.pipeline = ArchivePipeline(
            store=spider.store,
            warc=self.warc,
            cleaner_site=spider.reading_as, run_id=spider.run_id,
            timezone=config.timezone, language=config.language,
            batch_size=config.store_batch, stored_as=spider.stored_as,
            cleaner=CleaningPool(config.clean_workers, budget_s=config.clean_budget_s,
                                 log_format=LOG_FORMAT),
            writer=spider.writer)

    def archive_response(self, response: Response, request: Request,
                         spider: Any = None) -> None:
        """Into the WARC file: any response but an article page's (the
        pipeline writes those, after cleaning them in a worker)."""
        if request.meta.get("article") and 200 <= response.status < 300:
            return
        if self.warc_failed or self.closing:
            return
        page = RawPage(url=response.url, status=response.status,
                       headers=header_pairs(response.headers), body=response.body,
                       fetched_at=datetime.now(UTC))
        try:
            self.warc.write(page, header_pairs(request.headers), method=request.method)
        except OSError as error:
            self.warc_failed = True
            if error.errno == errno.ENOSPC:
                self.stop("disk_full", f"no space left on the data folder's disk: {error}")
            else:
                self.stop("store_error", f"cannot write the WARC file: {error}")

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


def crawl_info(config: CrawlConfig, crawler: Any, run_id: int | None) -> dict[str, str]:
    """The `warcinfo` fields of the crawl's WARC files."""
    return {
        "software": f"news-archive-pipeline/{VERSION} (Scrapy {scrapy.__version__})",
        "isPartOf": f"crawl run {run_id}" if run_id is not None else "crawl",
        "description": f"crawl of {config.base_url} read as {config.site}",
        "robots": "obey",
        "http-header-user-agent": str(crawler.settings.get("USER_AGENT")),
        # Where the store, the data and Redis are is the machine's, not the crawl's.
        "crawl-parameters": config.model_dump_json(exclude={"db_url", "redis_url",
                                                            "data_dir"}),
    }
