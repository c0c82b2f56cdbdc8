"""The crawl's database work off the reactor's thread (docs/crawl-lifecycle.md).

Scrapy's reactor thread does all the downloading; a store call on it (the
store retries for about 30 s while the database is away, SQLite waits up to
60 s on its lock) stops every download. So:

- `WriterThread`: one thread per crawl that runs every write in the order it
  was submitted: the pipeline's batches and quarantines, the spider's
  listing progress, failures, gone pages and terms (and the few reads that
  must see those writes). The pipeline reserves room for each page it holds
  (`reserve_or_wait`): at most `max_pages_in_hand` pages are batched, queued
  or being written at once; past that the pipeline awaits, which is the
  back-pressure that bounds memory while the store waits.
- `ReaderThread`: a small pool for the spider's reads that need no order
  (known URLs, validators, a listing's state, stored URLs).

Why not `twisted.internet.threads.deferToThread`: it runs on the reactor's
shared thread pool (also Scrapy's DNS resolver's) in no order, so a stalled
store would hold the threads name lookups need. Our threads' futures are
awaited with `asyncio.wrap_future`: the reactor is Scrapy's default
AsyncioSelectorReactor (spiders/settings.py sets no other), `clean_pool`
awaits its workers the same way, and unit tests run it under `asyncio.run`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from storage.store import StoreError

log = logging.getLogger(__name__)
T = TypeVar("T")
ErrorHook = Callable[[StoreError], None]


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class WriterThread:
    """Runs store calls one at a time, in order, on a thread of its own
    (`threaded=False`: in the caller's thread, for unit tests and tools with
    no reactor to keep free; the accounting is the same).

    After the first `StoreError` (the store stayed away through its retries,
    or refused a write for good) every later call fails at once with it:
    the crawl is stopping (`on_error`), and each call would otherwise wait
    through the store's retries again, past the stop's grace period. The
    pages those calls held are in the WARC files and unknown to the store,
    so the next run fetches them again."""

    def __init__(self, max_pages_in_hand: int, *, threaded: bool = True,
                 on_error: ErrorHook | None = None) -> None:
        if max_pages_in_hand < 1:
            raise ValueError("max_pages_in_hand must be at least 1")
        self.max_pages_in_hand = max_pages_in_hand
        self.threaded = threaded
        self.on_error = on_error
        self.error: StoreError | None = None
        self.busy_s = 0.0  # time spent in store calls (the writer thread's share of a crawl)
        self.calls = 0
        self.peak = 0  # most pages in hand at once
        self._in_hand = 0
        self._waiters: list[asyncio.Future[None]] = []
        self._lock = threading.Lock()  # in hand and waiters: the loop reserves, the thread releases
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any], int] | None] = \
            queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._closed = False

    # --- pages in hand ------------------------------------------------------------------
    @property
    def pages_in_hand(self) -> int:
        """Pages reserved and not yet written: batched, queued or being written."""
        return self._in_hand

    def reserve_or_wait(self, pages: int = 1) -> asyncio.Future[None] | None:
        """Reserve room for `pages` more pages in hand and return None; when
        there is none, return a future that is done once some is released
        (then ask again). Called on the event loop; raises the writer's
        `StoreError` once it has one (nothing more will be stored)."""
        with self._lock:
            if self.error is not None:
                raise self.error
            if self._in_hand == 0 or self._in_hand + pages <= self.max_pages_in_hand:
                self._in_hand += pages
                self.peak = max(self.peak, self._in_hand)
                return None
            # Registered under the lock: a release between the check and the await wakes it.
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            return waiter

    def _release(self, pages: int) -> None:
        if not pages:
            return
        with self._lock:
            self._in_hand -= pages
            waiters, self._waiters = self._waiters, []
        for waiter in waiters:  # each asks again: whoever comes first takes the room
            loop = waiter.get_loop()
            if not loop.is_closed():
                loop.call_soon_threadsafe(_wake, waiter)

    # --- calls ----------------------------------------------------------------------------
    def submit(self, call: Callable[[], T], pages: int = 0) -> Future[T]:
        """Queue `call`; `pages` reserved pages are released once it is done
        (stored, or failed). The future holds its result or its exception."""
        future: Future[T] = Future()
        if self._closed:
            raise RuntimeError("the store writer is closed")
        if not self.threaded:
            self._run_one(call, future, pages)
            return future
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="store-writer", daemon=True)
            self._thread.start()
        self._jobs.put((call, future, pages))
        return future

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            self._run_one(*job)

    def _run_one(self, call: Callable[[], Any], future: Future[Any], pages: int) -> None:
        try:
            if not future.set_running_or_notify_cancel():
                return
            if self.error is not None:
                future.set_exception(self.error)
                return
            started = time.perf_counter()
            try:
                result = call()
            except StoreError as error:
                self.error = error
                future.set_exception(error)
                log.error("the store failed; nothing more is stored this crawl: %s", error)
                if self.on_error is not None:
                    self.on_error(error)
            except Exception as error:  # noqa: BLE001 - one bad call is logged, the rest go on
                log.exception("a store call failed: %s", error)
                future.set_exception(error)
            else:
                future.set_result(result)
            finally:
                self.busy_s += time.perf_counter() - started
                self.calls += 1
        finally:
            self._release(pages)

    async def run(self, call: Callable[[], T]) -> T:
        """`call`'s result, in order after every call submitted before it."""
        return await asyncio.wrap_future(self.submit(call))

    def drain(self) -> None:
        """Block until every call submitted so far is done (for callers with
        no event loop; on the loop, await `drained`). A failure is the
        writer's `error`, not raised here."""
        with contextlib.suppress(StoreError):
            self.submit(lambda: None).result()

    async def drained(self) -> None:
        """Every call submitted so far is done; the loop stays free meanwhile."""
        with contextlib.suppress(StoreError):
            await asyncio.wrap_future(self.submit(lambda: None))

    def raise_if_failed(self) -> None:
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        """Finish what is queued, then stop the thread."""
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()


class ReaderThread:
    """Reads that need no order with the crawl's writes, on a small pool:
    a listing page's known URLs are asked while the writer stores a batch."""

    def __init__(self, threads: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="store-read")
        self._lock = threading.Lock()
        self.busy_s = 0.0  # summed over the pool's threads
        self.calls = 0

    def _timed(self, call: Callable[[], T]) -> T:
        started = time.perf_counter()
        try:
            return call()
        finally:
            with self._lock:
                self.busy_s += time.perf_counter() - started
                self.calls += 1

    async def __call__(self, call: Callable[[], T]) -> T:
        return await asyncio.wrap_future(self._pool.submit(self._timed, call))

    def close(self) -> None:
        self._pool.shutdown(wait=True)
