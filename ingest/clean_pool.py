"""One pool of cleaning processes for every ingest path (the crawl, the WARC
import, re-extraction): one budget per page, one workers setting, and one
verdict for a page that stalls or kills the cleaner. Tasks return plain
values (`cleaning.outcome.Cleaned`, or a tuple holding one), never an
exception, so nothing about a bad page has to survive pickling.

A page that takes longer than its budget is `cleaner_timeout` (permanent:
the same page would stall again) and its worker is replaced; a page whose
worker dies is `cleaner_crashed` (transient: the next run tries it again).
Python's ProcessPoolExecutor cannot stop one running task, so the pool is
pebble's, which can. The first pages are cleaned in the calling thread: a
job of a few pages is done before worker processes would have started (each
imports the cleaner: about a second of CPU); the cleaner's caps on a page's
size and element count bound what such a page can cost."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from pebble import ProcessExpired, ProcessPool

from cleaning.outcome import Cleaned
from sites import Reading, clean_page
from storage.warc import RawPage, warc_records

from .lifetime import die_with_parent

log = logging.getLogger(__name__)
DEFAULT_BUDGET_S = 30.0
IN_THREAD_FIRST = 100
GROUP_PAGES = 8  # pages per message to a worker in `ordered`
WINDOW_PER_WORKER = 4  # groups in flight per worker in `ordered`
T = TypeVar("T")
Item = TypeVar("Item")


def workers_setting(configured: int | None = None) -> int:
    """Cleaning processes: `configured`, else $ARCHIVE_CLEAN_WORKERS, else one per core."""
    if configured is not None:
        return configured
    value = os.environ.get("ARCHIVE_CLEAN_WORKERS", "")
    return int(value) if value.isdigit() else os.cpu_count() or 1


def archive_and_clean(page: RawPage, request_headers: list[tuple[str, str]],
                      site: str | Reading) -> tuple[bytes, Cleaned]:
    """The crawl's task: a fetched page's WARC records and its cleaning outcome."""
    return warc_records(page, request_headers), clean_page(page.body, page.url, site,
                                                           page.header("Content-Type"))


Task = Callable[[RawPage, list[tuple[str, str]], str | Reading], tuple[bytes, Cleaned]]


def _start_worker(parent_pid: int, log_format: str | None) -> None:
    # The cleaner's warnings (a fallback to generic, a future date) go to the
    # parent's log, in its format: the worker inherits its stderr.
    if log_format:
        logging.basicConfig(level=logging.WARNING, format=log_format)
    else:
        logging.basicConfig(level=logging.WARNING)
    die_with_parent(parent_pid)


class CleaningPool:
    """`workers` processes (0: every page in the calling thread)."""

    def __init__(self, workers: int, budget_s: float = DEFAULT_BUDGET_S,
                 in_thread_first: int = IN_THREAD_FIRST, log_format: str | None = None,
                 task: Task | None = None) -> None:
        self.workers = workers
        self.budget_s = budget_s
        self.in_thread_first = in_thread_first
        self.log_format = log_format
        self.task: Task = task or archive_and_clean  # the crawl's (module-level: pickled)
        self.pages = 0
        self.pool: ProcessPool | None = None

    # --- one page ----------------------------------------------------------------------------
    def start(self, task: Callable[..., T], *args: Any) -> Future[T] | T:
        """Run `task(*args)`: here (the first pages, or no workers), returning
        its value, or in a worker, returning its future."""
        return self._start(1, task, *args)

    def _start(self, pages: int, task: Callable[..., T], *args: Any) -> Future[T] | T:
        """`start` for a task that cleans `pages` pages (a group: one message)."""
        self.pages += pages
        if self.workers == 0 or self.pages <= self.in_thread_first:
            return task(*args)
        if self.pool is None:
            # spawn, not fork: the caller may hold a reactor, threads and sockets.
            self.pool = ProcessPool(self.workers, initializer=_start_worker,
                                    initargs=(os.getpid(), self.log_format),
                                    context=multiprocessing.get_context("spawn"))
        return self.pool.schedule(task, args=args, timeout=self.budget_s)

    def outcome(self, pending: Future[T] | T, url: str) -> T | Cleaned:
        """The task's value, or the verdict on a page that stalled or killed its worker."""
        if not isinstance(pending, Future):
            return pending
        try:
            return pending.result()
        except (FutureTimeout, ProcessExpired) as error:
            return self.stopped(error, url)

    async def outcome_async(self, pending: Future[T] | T, url: str) -> T | Cleaned:
        """`outcome`, awaited (the crawl's reactor keeps fetching meanwhile)."""
        if not isinstance(pending, Future):
            return pending
        try:
            return await asyncio.wrap_future(pending)
        except (FutureTimeout, ProcessExpired) as error:
            return self.stopped(error, url)

    def stopped(self, error: BaseException, url: str) -> Cleaned:
        if isinstance(error, FutureTimeout):
            log.error("cleaning %s took over %.0f s: stopped, quarantined", url[:300],
                      self.budget_s)
            return Cleaned(problem="cleaner_timeout",
                           detail=f"cleaning took over {self.budget_s:.0f} s", transient=False)
        # A worker died (killed, out of memory, a crash in C code): only this
        # page's (pebble fails no other task), and pebble starts a new one.
        log.error("a cleaning process died while %s was being cleaned (%s)", url[:300], error)
        return Cleaned(problem="cleaner_crashed", detail=f"the cleaning process died: {error}",
                       transient=True)

    # --- the crawl's form --------------------------------------------------------------------
    async def archive_and_clean(self, page: RawPage, request_headers: list[tuple[str, str]],
                                site: str | Reading) -> tuple[bytes, Cleaned]:
        """A fetched page's WARC records and its cleaning outcome; a page the
        cleaner could not finish is archived here, with its verdict."""
        result = await self.outcome_async(self.start(self.task, page, request_headers, site),
                                          page.url)
        if isinstance(result, Cleaned):
            return warc_records(page, request_headers), result
        return result

    # --- many pages, in order ----------------------------------------------------------------
    def ordered(self, task: Callable[..., T], items: Iterable[Item],
                arguments: Callable[[Item], tuple[Any, ...] | None],
                url: Callable[[Item], str]) -> Iterator[tuple[Item, T | Cleaned | None]]:
        """Each item with its outcome, in the items' order; an item whose
        `arguments` are None is passed through (None).

        Pages go to the workers in groups of GROUP_PAGES (one message each
        way per group, not per page), with one page's budget for the whole
        group; a group that overruns it, or kills its worker, is cleaned
        again page by page, so only the page at fault gets the verdict. Up to
        WINDOW_PER_WORKER groups a worker are in flight: the workers go on
        cleaning while the caller stores a batch, and memory stays some
        megabytes whatever the job."""
        window: deque[tuple[list[tuple[Item, tuple[Any, ...] | None]],
                            Future[list[Any]] | list[Any]]] = deque()

        def finished() -> Iterator[tuple[Item, T | Cleaned | None]]:
            group, pending = window.popleft()
            outcomes = self._group_outcomes(task, group, pending, url)
            yield from zip((item for item, _ in group), outcomes, strict=True)

        for group in _groups(items, arguments, GROUP_PAGES):
            window.append((group, self._start_group(task, [args for _, args in group])))
            while window and (len(window) > max(self.workers, 1) * WINDOW_PER_WORKER
                              or not isinstance(window[0][1], Future)):
                yield from finished()
        while window:
            yield from finished()

    def _start_group(self, task: Callable[..., Any], arguments: list[tuple[Any, ...] | None]
                     ) -> Future[list[Any]] | list[Any]:
        pages = sum(args is not None for args in arguments)
        return self._start(pages, _clean_group, task, arguments)

    def _group_outcomes(self, task: Callable[..., T],
                        group: list[tuple[Item, tuple[Any, ...] | None]],
                        pending: Future[list[Any]] | list[Any],
                        url: Callable[[Item], str]) -> list[T | Cleaned | None]:
        if not isinstance(pending, Future):
            return pending
        try:
            return pending.result()
        except (FutureTimeout, ProcessExpired) as error:
            log.warning("a group of %d pages %s: cleaned again one by one", len(group),
                        "ran out of time" if isinstance(error, FutureTimeout) else
                        "lost its cleaning process")
        started = [(item, None if args is None else self.start(task, *args))
                   for item, args in group]
        outcomes: list[T | Cleaned | None] = []
        for item, one in started:
            if one is None:
                outcomes.append(None)
                continue
            done: T | Cleaned = self.outcome(one, url(item))
            outcomes.append(done)
        return outcomes

    def close(self, wait: bool = True) -> None:
        """Let the workers finish what they hold (a minute at most), then
        stop them; `wait=False` (a job ending on an error): stop them now."""
        pool, self.pool = self.pool, None
        if pool is None:
            return
        if wait:
            pool.close()
            try:
                pool.join(timeout=60)
                return
            except TimeoutError:  # pebble's, past the timeout: stopped below
                log.warning("cleaning processes still busy after 60 s: stopped")
        pool.stop()
        pool.join()

    def __enter__(self) -> CleaningPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.close(wait=kind is None)


def _groups(items: Iterable[Item], arguments: Callable[[Item], tuple[Any, ...] | None],
            size: int) -> Iterator[list[tuple[Item, tuple[Any, ...] | None]]]:
    """Consecutive items with their arguments, `size` pages a group (an item
    without arguments rides along)."""
    group: list[tuple[Item, tuple[Any, ...] | None]] = []
    pages = 0
    for item in items:
        args = arguments(item)
        group.append((item, args))
        pages += args is not None
        if pages >= size:
            yield group
            group, pages = [], 0
    if group:
        yield group


def _clean_group(task: Callable[..., Any], arguments: list[tuple[Any, ...] | None]) -> list[Any]:
    """In a worker: `task` over a group of pages (None: an item passed through)."""
    return [None if args is None else task(*args) for args in arguments]
