"""Progress for whoever started the crawl: a small JSON file rewritten every
second with pages fetched, requests still waiting and pages held for the store."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from scrapy import signals
from twisted.internet import task


class ProgressFile:
    def __init__(self, crawler: Any, path: str) -> None:
        self.crawler = crawler
        self.path = Path(path)
        self.loop = task.LoopingCall(self.write)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressFile:
        path = crawler.settings.get("PROGRESS_FILE")
        if not path:
            from scrapy.exceptions import NotConfigured

            raise NotConfigured("no PROGRESS_FILE")
        extension = cls(crawler, path)
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self, spider: Any = None) -> None:
        self.loop.start(1.0, now=True)

    def closed(self, spider: Any = None, reason: str = "") -> None:
        if self.loop.running:
            self.loop.stop()
        self.write()

    def write(self) -> None:
        stats = self.crawler.stats
        engine = self.crawler.engine
        pending = 0
        if engine is not None and getattr(engine, "_slot", None) is not None:
            scheduler = engine._slot.scheduler
            pending = len(scheduler) if hasattr(scheduler, "__len__") else 0
            pending += len(engine.downloader.active)
        writer = getattr(self.crawler.spider, "writer", None)
        snapshot = {"fetched": stats.get_value("downloader/response_count", 0),
                    "pending": pending,
                    "items": stats.get_value("item_scraped_count", 0),
                    # Pages held for the store (spiders/store_thread.py): a stalled
                    # store shows here, up to the config's max_pages_in_hand.
                    "in_hand": writer.pages_in_hand if writer is not None else 0}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(snapshot))
        os.replace(tmp, self.path)  # readers never see half a file
