"""The one engine of a store, and what every part of the store shares: opening
(and creating or migrating) it, its SQLite and PostgreSQL settings, the retry
while the database is away, and the errors said in one line without a password."""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Engine,
    create_engine,
    event,
    text,
)
from sqlalchemy.exc import (
    DBAPIError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.orm import sessionmaker

from .config import StoreError, database_url, redact

MIGRATIONS = Path(__file__).parent / "migrations"

log = logging.getLogger(__name__)

RETRY_DELAYS_S = (0.5, 1, 2, 4, 8, 8, 8)

_TRANSIENT_MARKERS = ("could not connect", "connection refused", "server closed",
                      "terminating connection", "connection is closed", "database is locked",
                      "the database system is starting up", "the database system is shutting down",
                      "consuming input failed", "connection timeout")

_MIGRATION_LOCK = threading.Lock()


@functools.cache
def _schema_revisions() -> tuple[str | None, frozenset[str]]:
    """The migrations' head and every revision they know."""
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    return script.get_current_head(), frozenset(r.revision for r in script.walk_revisions())

def _transient(error: DBAPIError) -> bool:
    text = str(error).lower()
    return bool(error.connection_invalidated) or any(m in text for m in _TRANSIENT_MARKERS)

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

def retry_when_unavailable(method: F) -> F:
    """Retry a store operation while the database is unreachable; each attempt
    is its own transaction, so nothing is ever half-written."""

    @functools.wraps(method)
    def wrapper(self: Database, *args: Any, **kwargs: Any) -> Any:
        for delay in (*RETRY_DELAYS_S, None):
            try:
                return method(self, *args, **kwargs)
            except (OperationalError, InterfaceError) as error:
                if delay is None or not _transient(error):
                    # A store that stayed away, or cannot be written (a read-only
                    # file): one clear error, never the driver's traceback.
                    kind = StoreUnavailable if _transient(error) else StoreError
                    raise kind(f"the store at {redact(self.url)} failed in "
                               f"{method.__name__}: {_first_line(error, self.url)}") from None
                log.warning("database unavailable (%s); retrying %s in %.1f s",
                            type(error.orig).__name__ if error.orig else "error",
                            method.__name__, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")

    return cast(F, wrapper)

class StoreUnavailable(StoreError):
    """The database stayed unreachable through every retry."""

# Values per `IN (...)` list: far under PostgreSQL's 65,535 parameters and
# SQLite's 32,766 a statement, so a sitemap of 250,000 URLs is read in parts.
IN_LIST_CHUNK = 5_000


def in_chunks(values: Sequence[T], size: int = IN_LIST_CHUNK) -> Iterator[Sequence[T]]:
    for first in range(0, len(values), size):
        yield values[first:first + size]


def now() -> datetime:
    return datetime.now(UTC)


class Database:
    """An open store: its engine and sessions."""

    def __init__(self, url: str | None = None, *, migrate: bool = True,
                 read_only: bool = False) -> None:
        """Open (and create or migrate) the store; `read_only` opens an existing
        store for reading only: it is never created or changed, and a store on
        a read-only mount can be read."""
        self.url = database_url(url)
        self._sqlite_file = sqlite_file(self.url)
        try:
            self.engine = _engine(self.url, read_only=read_only)
            if read_only:
                self._check_exists()
            elif migrate:
                self.migrate()
        except StoreError:
            raise
        except Exception as error:
            raise StoreError(f"cannot open the store at {redact(self.url)}: "
                             f"{type(error).__name__}: {_first_line(error, self.url)}") from None
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Sessions that only read: on SQLite they begin a plain (deferred)
        # transaction, so a writer elsewhere holding the lock never stalls them.
        self.reads = sessionmaker(self.engine.execution_options(archive_reads_only=True),
                                  expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def sqlite_path(self) -> Path | None:
        """The database file of a SQLite store (None for PostgreSQL or memory),
        as its URL named it (a read-only engine's URL is a `file:` URI instead)."""
        return self._sqlite_file

    def migrate(self) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        # Alembic keeps its migration context in module globals: one at a time per process.
        with _MIGRATION_LOCK, self.engine.begin() as connection:
            if self.dialect == "postgresql":  # two processes starting at once
                connection.execute(text("SELECT pg_advisory_xact_lock(740021)"))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def close(self) -> None:
        self.engine.dispose()

    def _check_exists(self) -> None:
        with self.engine.connect() as connection:
            found = connection.dialect.has_table(connection, "alembic_version")
            version = connection.scalar(text("SELECT version_num FROM alembic_version")) \
                if found else None
        if not found:
            raise StoreError(f"no store at {redact(self.url)}: nothing has been crawled "
                             "into it (crawl first, or give --db)")
        # Read-only never migrates: a store an older version wrote is said to
        # be one, not read into a database error.
        head, known = _schema_revisions()
        if version not in known:
            raise StoreError(f"the store at {redact(self.url)} has schema {version}, newer "
                             f"than this version of archive reads ({head}): upgrade archive")
        if version != head:
            raise StoreError(f"the store at {redact(self.url)} has schema {version} and this "
                             f"version reads {head}: open it once for writing to upgrade it "
                             "(a crawl, an import, or `archive mend-names --dry-run`)")


def _first_line(error: Exception, url: str) -> str:
    message = str(error).splitlines()[0] if str(error) else ""
    password = _password(url)
    return message.replace(password, "***") if password else message

def _password(url: str) -> str | None:
    try:
        from sqlalchemy.engine import make_url

        password = make_url(url).password
        return str(password) if password else None
    except Exception:
        return None

def sqlite_file(url: str) -> Path | None:
    """The file a `sqlite:///` URL names (None for another database or memory)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[-1]
    return None if not path or path == ":memory:" else Path(path)


def _engine(url: str, read_only: bool = False) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        in_memory = not path or path == ":memory:"
        if read_only and not in_memory:
            if not Path(path).is_file():
                raise StoreError(f"no store at {path} (crawl into it first, or give --db)")
            # A file on a read-only mount has no -wal/-shm to make: read it as is.
            writable = os.access(Path(path).parent, os.W_OK) and os.access(path, os.W_OK)
            flags = "mode=ro" + ("" if writable else "&immutable=1")
            url = f"sqlite:///file:{Path(path).resolve()}?{flags}&uri=true"
        elif not in_memory:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            if not read_only:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            # A transaction that writes takes the write lock at the start: a
            # deferred one that later upgrades fails with "database is locked"
            # at once. One that only reads takes none (WAL readers never wait).
            reads_only = read_only or connection.get_execution_options().get(
                "archive_reads_only", False)
            connection.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)
