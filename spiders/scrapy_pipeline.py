"""The Scrapy item pipeline: a thin adapter over `ArchivePipeline`."""

from __future__ import annotations

from typing import Any

from storage.warc import WarcWriterRotating

from .clean_pool import CleanerPool
from .pipeline import ArchivePipeline


class ScrapyArchivePipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.pipeline: ArchivePipeline | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ScrapyArchivePipeline:
        return cls(crawler)

    def open_spider(self, spider: Any = None) -> None:
        spider = self.crawler.spider
        config = spider.config
        self.pipeline = ArchivePipeline(
            store=spider.store,
            warc=WarcWriterRotating(config.warc_dir, max_bytes=config.warc_max_mb * 1024 * 1024),
            cleaner_site=spider.site.cleaner_site, run_id=spider.run_id,
            batch_size=config.store_batch, cleaner=CleanerPool(config.clean_workers))

    async def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        assert self.pipeline is not None
        return await self.pipeline.process_item(item)

    def close_spider(self, spider: Any = None) -> None:
        assert self.pipeline is not None
        self.crawler.stats.set_value("pipeline", self.pipeline.close())
