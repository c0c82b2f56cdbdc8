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
import signal
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess

from storage.store import ArticleStore, StoreError

from .archive import ArchiveSpider
from .config import CrawlConfig
from .runner import PARENT_DEATH_SIGNAL, grace_seconds, run_log_path
from .settings import scrapy_settings
from .summary import CrawlSummary, RunOutcome

EXIT_AFTER_GRACE = 70  # still running a grace period after SIGTERM: stopped hard


class Parent:
    """The runner that started this crawl: it reads our stderr into the run's
    log and records the run's end. When its process dies (kill -9), the
    kernel sends PARENT_DEATH_SIGNAL (not SIGTERM, which the runner's
    deadline and the CLI's stop send while they live, and will record the
    run): then both are ours to do.

    Not `os.getppid()`: the kernel signals us as each of the parent's threads
    dies, taking us in with another of its threads (the same PID) until the
    last one goes; a crawl that stops fast is done before then."""

    def __init__(self, log_file: Path | None) -> None:
        self.log_file = log_file
        self.died = False

    def keep_last_words(self) -> None:
        """Our stderr is a pipe nobody reads any more: log lines would fail
        with EPIPE, and a write outside logging's shelter would raise in the
        middle of the stop. They go to the run's log file instead."""
        if self.log_file is None:
            return
        with suppress(OSError):
            fd = os.open(self.log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            os.dup2(fd, sys.stdout.fileno())
            os.dup2(fd, sys.stderr.fileno())
            os.close(fd)


class GracefulCrawlerProcess(CrawlerProcess):
    """SIGTERM (the runner's deadline, the CLI's stop) or the parent's death
    closes the spider as Scrapy does (pages in hand stored, the batch
    flushed); if that takes longer than the grace period, the process exits
    anyway, so a crawl whose parent is gone never outlives it by more."""

    def __init__(self, settings: Any, parent: Parent,
                 before_hard_exit: Callable[[], None]) -> None:
        super().__init__(settings)
        self.parent = parent
        self.before_hard_exit = before_hard_exit
        self.stopping = False
        signal.signal(PARENT_DEATH_SIGNAL, self._parent_died)

    def _parent_died(self, signum: int, frame: Any) -> None:
        if not self.parent.died:
            self.parent.died = True
            self.parent.keep_last_words()
        self._signal_shutdown(signum, frame)

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        # Ours come in pairs or threes (the kernel's, per dying thread of a
        # killed parent; a terminal's SIGINT beside the CLI's SIGTERM): the
        # first stop goes on, bounded by the grace timer. (Scrapy takes a
        # second signal as "stop now", losing the pages in hand.)
        if self.stopping:
            return
        self.stopping = True
        timer = threading.Timer(grace_seconds(), self._exit_hard)
        timer.daemon = True
        timer.start()
        super()._signal_shutdown(signum, frame)

    def _signal_kill(self, signum: int, frame: Any) -> None:
        pass  # see _signal_shutdown

    def _exit_hard(self) -> None:
        with suppress(Exception):  # whatever happens, the process goes
            self.before_hard_exit()
        os._exit(EXIT_AFTER_GRACE)


def write_stats(path: Path, stats: dict[str, Any]) -> None:
    path.write_text(json.dumps(stats, default=str))


def close_orphaned_run(store: ArticleStore, run_id: int | None, config: CrawlConfig,
                       stats: dict[str, Any], started: float) -> None:
    """The runner that records the run's end is gone (its process was killed):
    the crawl, stopped by the kernel's signal, records it itself, so no run
    row is left `running` for good."""
    if run_id is None:
        return
    summary = CrawlSummary.from_scrapy_stats(stats, time.monotonic() - started)
    summary.run_id, summary.base_url = run_id, config.base_url
    summary.outcome = RunOutcome(
        "failed", "stopped", "the process that started the crawl died; the crawl stored "
        f"what it had in hand ({summary.articles_new} new articles) and stopped")
    store.finish_run(run_id, "failed", summary.as_record())


def main(argv: list[str]) -> int:
    started = time.monotonic()
    config = CrawlConfig.model_validate_json(Path(argv[0]).read_text())
    stats_path = Path(argv[1])
    run_id = int(argv[2]) if len(argv) > 2 and argv[2] else None
    parent = Parent(run_log_path(config, run_id) if run_id is not None else None)
    try:
        store = ArticleStore(config.db_url)
    except StoreError as error:
        write_stats(stats_path, {"fatal": {"cause": "store_error", "detail": str(error)}})
        return 3
    settings = scrapy_settings(config)  # logs go to stderr: the runner keeps and forwards them
    if len(argv) > 3:
        settings["PROGRESS_FILE"] = argv[3]
    once = threading.Lock()  # taken, never released: the orphaned run recorded once,
    # whether by the main thread or by the grace timer's thread

    def close_if_orphaned() -> None:
        if parent.died and once.acquire(blocking=False):
            stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
            close_orphaned_run(store, run_id, config, stats, started)

    process = GracefulCrawlerProcess(settings, parent, before_hard_exit=close_if_orphaned)
    crawler = process.create_crawler(ArchiveSpider)
    process.crawl(crawler, config=config, store=store, run_id=run_id)
    process.start()
    stats: dict[str, Any] = crawler.stats.get_stats() if crawler.stats else {}
    fatal = stats.get("fatal_error")
    if fatal:
        stats["fatal"] = fatal
    try:
        close_if_orphaned()
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
