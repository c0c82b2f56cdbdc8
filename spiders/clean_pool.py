"""The CPU work of a fetched page off the reactor's thread: worker processes
build its WARC records (digests, gzip) and clean it while Scrapy keeps
fetching. Workers return plain values (`cleaning.outcome.Cleaned`), never
an exception, so nothing about a bad page has to survive pickling."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from cleaning.outcome import Cleaned, clean_page
from storage.warc import RawPage, warc_records

from .lifetime import die_with_parent
from .settings import LOG_FORMAT

log = logging.getLogger(__name__)


def archive_and_clean(page: RawPage, request_headers: list[tuple[str, str]],
                      site: str) -> tuple[bytes, Cleaned]:
    return warc_records(page, request_headers), clean_page(page.body, page.url, site,
                                                           page.header("Content-Type"))


def _start_worker(crawl_pid: int) -> None:
    # The cleaner's warnings (a fallback to generic, a future date) go to the
    # crawl's log like the parent's: the worker inherits its stderr.
    logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT)
    die_with_parent(crawl_pid)


class CleanerPool:
    """`workers` processes (0: always clean in the calling thread). The first
    `in_thread_first` pages are cleaned in the calling thread: an incremental
    run of a few pages is done before worker processes would have started
    (each imports the cleaner: about a second of CPU)."""

    def __init__(self, workers: int, in_thread_first: int = 100) -> None:
        self.workers = workers
        self.in_thread_first = in_thread_first
        self.pages = 0
        self.executor: ProcessPoolExecutor | None = None

    async def archive_and_clean(self, page: RawPage, request_headers: list[tuple[str, str]],
                                site: str) -> tuple[bytes, Cleaned]:
        """The page's WARC records and its cleaning outcome."""
        self.pages += 1
        if self.workers == 0 or self.pages <= self.in_thread_first:
            return archive_and_clean(page, request_headers, site)
        if self.executor is None:
            # spawn, not fork: the crawl process holds a reactor, threads and sockets.
            self.executor = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=(os.getpid(),))
        try:
            return await asyncio.wrap_future(
                self.executor.submit(archive_and_clean, page, request_headers, site))
        except BrokenProcessPool:
            # A worker died (killed, out of memory, a crash in C code): every page
            # it held fails here. They are archived and left for the next run;
            # the next page starts a fresh pool.
            log.error("a cleaning process died while %s was being cleaned; pool restarted",
                      page.url)
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None
            return warc_records(page, request_headers), Cleaned(
                problem="cleaner_crashed", detail="the cleaning process died", transient=True)

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)

