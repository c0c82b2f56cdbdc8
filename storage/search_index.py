"""PostgreSQL's search text, indexed after the write (migration 0009).

A writer's transaction puts the ids of the articles it wrote into
`search_pending`; the threads of the writing process's `SearchIndexer` then
compute their tsvector into `article_search` (and its GIN index), up to
CHUNK rows a transaction, while the writer goes on with its next batch: the
search text (0.48 ms an article of 480 words, 0.25 of it the tsvector)
no longer adds to the write's own time, but shares the cores with it. The queue is durable: rows a
process left behind (killed mid-ingest) are indexed by the next writer's
indexer, and a search computes the text of pending articles itself when
they are few (storage/reader.py): an article is found from its commit on,
and under a bulk ingest within seconds of it.

Rows are claimed with FOR UPDATE SKIP LOCKED: indexers of several workers
share the queue without doing a row twice. A writer that gets more than
`backlog` rows ahead of its indexer waits (the back-pressure that keeps
every article searchable within seconds of its commit)."""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Connection, Engine

from .search import PG_SEARCH_VECTOR

log = logging.getLogger(__name__)

# Rows a writer may be ahead of its indexer: one or two seconds of indexing.
BACKLOG = 4000
# Rows indexed per transaction.
CHUNK = 2000
# Indexing threads (connections): the second takes the other core while the
# writer waits for the first.
THREADS = 2
# Idle this long after a drain, the indexer merges the GIN pending list into
# the index (what autovacuum would do later): searches read it whole until then.
MERGE_AFTER_IDLE_S = 1.0

INDEX_PENDING = f"""
WITH claimed AS (
    DELETE FROM search_pending WHERE article_id IN (
        SELECT article_id FROM search_pending ORDER BY article_id
        LIMIT %(limit)s FOR UPDATE SKIP LOCKED)
    RETURNING article_id)
INSERT INTO article_search (article_id, search)
SELECT a.id, {PG_SEARCH_VECTOR.format(a="a")}
FROM articles a JOIN claimed c ON c.article_id = a.id
ORDER BY a.id
ON CONFLICT (article_id) DO UPDATE SET search = excluded.search"""


def index_pending(connection: Connection, limit: int = CHUNK) -> int:
    """Index up to `limit` pending articles in the connection's transaction;
    how many were claimed (0: none left that no other indexer holds)."""
    # Memory for merging the GIN pending list when this insert overflows it:
    # 4 MB merged it in many small passes (bench/store.py --options).
    connection.exec_driver_sql("SET LOCAL work_mem = '64MB'")
    result = connection.exec_driver_sql(INDEX_PENDING, {"limit": limit})
    return int(result.rowcount or 0)


def merge_pending_list(connection: Connection) -> None:
    connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '64MB'")
    connection.exec_driver_sql("SELECT gin_clean_pending_list('article_search_idx')")


class SearchIndexer:
    """Threads that drain `search_pending` while their process writes: two by
    default, so indexing takes the second core when the writer waits on it."""

    def __init__(self, engine: Engine, backlog: int = BACKLOG, threads: int = THREADS) -> None:
        self._engine = engine
        self._backlog = backlog
        self._threads: list[threading.Thread] = []
        self._count = threads
        self._changed = threading.Condition()
        self._owed = 0  # rows written here and not yet seen indexed
        self._more = False  # the last claim got rows: there may be more queued
        self._active = 0  # threads inside an indexing transaction
        self._found_none = False  # a claim found nothing while others were in flight
        self._idle_since: float | None = None  # when the queue was last found empty
        self._closing = False
        self._failing = False
        # What the bench reports: rows indexed, time spent indexing (summed
        # over the threads), time writers spent waiting for the indexer.
        self.indexed = 0
        self.busy_s = 0.0
        self.waited_s = 0.0

    def wrote(self, rows: int) -> None:
        """After a commit that queued `rows`: wake the threads, and wait while
        this process is more than the backlog ahead of them."""
        if rows <= 0:
            return
        with self._changed:
            self._owed += rows
            self._found_none = False
            self._threads = [t for t in self._threads if t.is_alive()]
            self._closing = False
            while len(self._threads) < self._count:
                thread = threading.Thread(target=self._run, daemon=True,
                                          name=f"search-indexer-{len(self._threads)}")
                thread.start()
                self._threads.append(thread)
            self._changed.notify_all()
            began = time.monotonic()
            # Not while indexing fails (the database away): the writer's own
            # retries say so; its rows wait in the queue meanwhile.
            while self._owed > self._backlog and not self._failing:
                self._changed.wait(1.0)
            self.waited_s += time.monotonic() - began

    def wait_idle(self, timeout_s: float = 60.0) -> bool:
        """Until what this process wrote is indexed (True), or the timeout."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while (self._owed > 0 or self._active) and any(t.is_alive() for t in self._threads):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 1.0))
        return True

    def close(self, timeout_s: float = 30.0) -> None:
        """Index what is owed (unless the database is away: it stays queued), then stop."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
            threads = list(self._threads)
        deadline = time.monotonic() + timeout_s
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _next(self) -> str | None:
        """Under the lock: wait for work; "index", "merge" or None (stop)."""
        while True:
            if self._closing and (self._failing or (self._owed <= 0 and not self._more)):
                return None
            if self._more or (self._owed > 0 and not self._found_none):
                return "index"
            if self._idle_since is None or self._active:
                self._changed.wait()
                continue
            left = MERGE_AFTER_IDLE_S - (time.monotonic() - self._idle_since)
            if left <= 0:
                self._idle_since = None  # one thread merges, once
                return "merge"
            self._changed.wait(left)

    def _run(self) -> None:
        delay = 0.5
        while True:
            with self._changed:
                job = self._next()
                if job is None:
                    return
                self._active += 1
            done = 0
            failed: Exception | None = None
            began = time.monotonic()
            try:
                with self._engine.begin() as connection:
                    if job == "merge":  # the GIN pending list into the index
                        merge_pending_list(connection)
                    else:
                        done = index_pending(connection)
            except Exception as error:  # the queue keeps the rows: tried again later
                failed = error
            with self._changed:
                self._active -= 1
                if job == "index" and failed is None:
                    self.busy_s += time.monotonic() - began
                    self.indexed += done
                    self._failing = False
                    self._owed = max(0, self._owed - done)
                    self._more = done > 0  # rows of other processes too: drained whole
                    # Nothing claimable while another thread holds rows: wait
                    # for its commit rather than ask again.
                    self._found_none = not self._more and self._active > 0
                    if not self._more and not self._active:
                        # Nothing left to claim: what this process wrote is
                        # indexed (or held by another process's indexer).
                        self._owed = 0
                        self._idle_since = time.monotonic()
                elif failed is not None and job == "index":
                    self._failing = True
                self._changed.notify_all()
            if failed is None:
                delay = 0.5
            elif job == "merge":  # autovacuum will do it
                log.info("the search index's pending list was not merged: %s",
                         self._first_line(failed))
            else:
                log.warning("search indexing failed (%s); retrying in %.1f s",
                            self._first_line(failed), delay)
                time.sleep(delay)
                delay = min(delay * 2, 8.0)

    def _first_line(self, error: Exception) -> str:
        text = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        password = self._engine.url.password
        return text.replace(str(password), "***") if password else text
