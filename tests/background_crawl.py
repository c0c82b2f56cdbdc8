"""A crawl run in a thread, for tests that kill it mid-way: its child
process as soon as it starts, and what `run_crawl` raised."""

from __future__ import annotations

import subprocess
import threading
from dataclasses import dataclass, field

from spiders.config import CrawlConfig
from spiders.runner import run_crawl
from spiders.summary import CrawlSummary
from tests.support import wait_until

__all__ = ["BackgroundCrawl", "wait_until"]


@dataclass
class BackgroundCrawl:
    config: CrawlConfig
    timeout: float = 300
    children: list[subprocess.Popen] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    summary: CrawlSummary | None = None

    def start(self) -> BackgroundCrawl:
        self.thread = threading.Thread(target=self._run)
        self.thread.start()
        return self

    def _run(self) -> None:
        try:
            self.summary = run_crawl(self.config, timeout=self.timeout,
                                     on_child=self.children.append)
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            self.errors.append(error)

    def join(self, timeout: float = 60) -> None:
        self.thread.join(timeout)

