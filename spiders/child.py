"""One crawl in this process, from a JSON config to a JSON stats file:

    python -m spiders.child CONFIG.json STATS.json RUN_ID [PROGRESS.json]

Started by `spiders.runner`, never imported by a worker: Twisted's reactor
cannot be restarted and wants the main thread. A fatal error (the store
cannot be opened, the disk is full) is written to the stats file as
`{"fatal": {"cause", "detail"}}` so the runner can say why the run failed."""

from __future__ import annotations

import errno
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess

from storage.store import ArticleStore, StoreError

from .archive import ArchiveSpider
from .config import CrawlConfig
from .outcome import RunOutcome
from .runner import grace_seconds, summarise
from .settings import scrapy_settings

EXIT_AFTER_GRACE = 70  # still running a grace period after SIGTERM: stopped hard


class GracefulCrawlerProcess(CrawlerProcess):
    """SIGTERM (the runner's deadline, or the kernel when our parent died)
    closes the spider as Scrapy does (pages in hand stored, the batch
    flushed); if that takes longer than the grace period, the process exits
    anyway, so a crawl whose parent is gone never outlives it by more."""

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        timer = threading.Timer(grace_seconds(), os._exit, args=(EXIT_AFTER_GRACE,))
        timer.daemon = True
        timer.start()
        super()._signal_shutdown(signum, frame)

    def _signal_kill(self, signum: int, frame: Any) -> None:
        # Scrapy takes a second signal as "stop now", losing the pages in hand.
        # Ours come in pairs or threes (the kernel's SIGTERM per dying thread of
        # a killed parent; a terminal's SIGINT beside the CLI's SIGTERM): the
        # stop already under way goes on, and the grace timer still bounds it.
        pass


def write_stats(path: Path, stats: dict[str, Any]) -> None:
    path.write_text(json.dumps(stats, default=str))


def close_orphaned_run(store: ArticleStore, run_id: int | None, config: CrawlConfig,
                       stats: dict[str, Any], started: float) -> None:
    """The runner that records the run's end is gone (its process was killed):
    the crawl, stopped by the kernel's SIGTERM, records it itself, so no run
    row is left `running` for good."""
    if run_id is None:
        return
    summary = summarise(stats, time.monotonic() - started)
    summary.update(run_id=run_id, base_url=config.base_url)
    summary["outcome"] = RunOutcome(
        "failed", "stopped", "the process that started the crawl died; the crawl stored "
        f"what it had in hand ({summary['articles_new']} new articles) and stopped").as_dict()
    store.finish_run(run_id, "failed", summary)


def main(argv: list[str]) -> int:
    parent = os.getppid()  # another parent later: ours died and we were taken in
    started = time.monotonic()
    config = CrawlConfig.model_validate_json(Path(argv[0]).read_text())
    stats_path = Path(argv[1])
    run_id = int(argv[2]) if len(argv) > 2 and argv[2] else None
    try:
        store = ArticleStore(config.db_url)
    except StoreError as error:
        write_stats(stats_path, {"fatal": {"cause": "store_error", "detail": str(error)}})
        return 3
    settings = scrapy_settings(config)  # logs go to stderr: the runner keeps and forwards them
    if len(argv) > 3:
        settings["PROGRESS_FILE"] = argv[3]
    process = GracefulCrawlerProcess(settings)
    crawler = process.create_crawler(ArchiveSpider)
    process.crawl(crawler, config=config, store=store, run_id=run_id)
    process.start()
    stats: dict[str, Any] = crawler.stats.get_stats() if crawler.stats else {}
    fatal = stats.get("fatal_error")
    if fatal:
        stats["fatal"] = fatal
    try:
        if os.getppid() != parent:
            close_orphaned_run(store, run_id, config, stats, started)
        write_stats(stats_path, stats)
    except OSError as error:
        if error.errno != errno.ENOSPC:
            raise
        return 4  # the runner reads no stats: a crash, its log says why
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
