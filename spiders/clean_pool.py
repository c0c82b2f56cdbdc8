"""The CPU work of a fetched page off the reactor's thread: worker processes
build its WARC records (digests, gzip) and clean it while Scrapy keeps
fetching. Workers return plain values (`cleaning.outcome.Cleaned`), never
an exception, so nothing about a bad page has to survive pickling.

Each page has a time budget: a page that takes longer is quarantined as
`cleaner_timeout` and its worker replaced. Python's ProcessPoolExecutor
cannot cancel one running task, so the pool is pebble's, which can."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout

from pebble import ProcessExpired, ProcessPool

from cleaning.outcome import Cleaned
from sites import Reading, clean_page
from storage.warc import RawPage, warc_records

from .lifetime import die_with_parent
from .settings import LOG_FORMAT

log = logging.getLogger(__name__)
DEFAULT_BUDGET_S = 30.0


def archive_and_clean(page: RawPage, request_headers: list[tuple[str, str]],
                      site: str | Reading) -> tuple[bytes, Cleaned]:
    return warc_records(page, request_headers), clean_page(page.body, page.url, site,
                                                           page.header("Content-Type"))


Task = Callable[[RawPage, list[tuple[str, str]], str | Reading], tuple[bytes, Cleaned]]


def _start_worker(crawl_pid: int) -> None:
    # The cleaner's warnings (a fallback to generic, a future date) go to the
    # crawl's log like the parent's: the worker inherits its stderr.
    logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT)
    die_with_parent(crawl_pid)


class CleanerPool:
    """`workers` processes (0: always clean in the calling thread). The first
    `in_thread_first` pages are cleaned in the calling thread: an incremental
    run of a few pages is done before worker processes would have started
    (each imports the cleaner: about a second of CPU); the cleaner's caps on a
    page's size and element count bound what such a page can cost."""

    def __init__(self, workers: int, in_thread_first: int = 100,
                 budget_s: float = DEFAULT_BUDGET_S, task: Task | None = None) -> None:
        self.workers = workers
        self.in_thread_first = in_thread_first
        self.budget_s = budget_s
        self.task: Task = task or archive_and_clean  # a module-level function (pickled)
        self.pages = 0
        self.pool: ProcessPool | None = None

    async def archive_and_clean(self, page: RawPage, request_headers: list[tuple[str, str]],
                                site: str | Reading) -> tuple[bytes, Cleaned]:
        """The page's WARC records and its cleaning outcome."""
        self.pages += 1
        if self.workers == 0 or self.pages <= self.in_thread_first:
            return self.task(page, request_headers, site)
        if self.pool is None:
            # spawn, not fork: the crawl process holds a reactor, threads and sockets.
            self.pool = ProcessPool(self.workers, initializer=_start_worker,
                                    initargs=(os.getpid(),),
                                    context=multiprocessing.get_context("spawn"))
        future = self.pool.schedule(self.task, args=(page, request_headers, site),
                                    timeout=self.budget_s)
        try:
            return await asyncio.wrap_future(future)
        except FutureTimeout:
            # The worker was stopped and replaced; the page is archived here
            # and quarantined, so a page built to stall the cleaner stalls nothing.
            log.error("cleaning %s took over %.0f s: stopped, quarantined", page.url,
                      self.budget_s)
            return warc_records(page, request_headers), Cleaned(
                problem="cleaner_timeout",
                detail=f"cleaning took over {self.budget_s:.0f} s", transient=False)
        except ProcessExpired as error:
            # A worker died (killed, out of memory, a crash in C code): the page
            # is archived and left for the next run; pebble starts a new worker.
            log.error("a cleaning process died while %s was being cleaned (%s)", page.url,
                      error)
            return warc_records(page, request_headers), Cleaned(
                problem="cleaner_crashed", detail="the cleaning process died", transient=True)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join(timeout=60)
            if self.pool.active:
                self.pool.stop()
                self.pool.join()
