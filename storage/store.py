"""`ArticleStore`: the one door to the database, for SQLite and PostgreSQL alike.

Writes are batched and idempotent: an article is keyed by its canonical URL,
a changed content hash makes a new revision, the same content only refreshes
the fetch time. Concurrent writers (two crawls at once) are safe: names are
inserted with ON CONFLICT DO NOTHING, a batch that loses an insert race is
replayed, and SQLite transactions take the write lock up front.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Engine,
    Table,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.orm import Session, sessionmaker

from cleaning import Article as CleanArticle

from .config import database_url, redact
from .models import (
    Article,
    Author,
    BackfillShard,
    Category,
    CrawlRun,
    FetchFailure,
    ListingState,
    Name,
    Quarantine,
    Revision,
    SiteTerm,
    Tag,
    UrlAlias,
    article_authors,
    article_categories,
    article_tags,
)
from .naming import (
    KIND_OF_FIELD,
    LearnedName,
    NameMerge,
    NamesRemembered,
    SiteCounts,
    name_key,
    site_for_url,
)
from .search import parse as parse_query
from .search import to_fts5, to_tsquery

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)
# A database that goes away (a restart, a failover, a locked file) is waited for
# this long, with backoff, before an operation fails.
RETRY_DELAYS_S = (0.5, 1, 2, 4, 8, 8, 8)
_TRANSIENT_MARKERS = ("could not connect", "connection refused", "server closed",
                      "terminating connection", "connection is closed", "database is locked",
                      "the database system is starting up", "the database system is shutting down",
                      "consuming input failed", "connection timeout")
_MIGRATION_LOCK = threading.Lock()
# A site's slug -> display name map is read again this often: names another
# process learned (a crawl of the site while an import writes) reach this one.
DISPLAY_NAMES_TTL_S = 60.0


@functools.cache
def _schema_revisions() -> tuple[str | None, frozenset[str]]:
    """The migrations' head and every revision they know."""
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    return script.get_current_head(), frozenset(r.revision for r in script.walk_revisions())


def _lost_race(error: IntegrityError) -> bool:
    """A unique key another writer inserted first (retry), not a bad value."""
    text = str(error.orig).lower()
    return "unique" in text or "duplicate key" in text


def _gone_name(error: IntegrityError) -> bool:
    """A link to a name row that is no more (merged into its display name by
    another store meanwhile): the batch is replayed with names looked up again."""
    return "foreign key" in str(error.orig).lower()  # articles are never deleted: a name


def _transient(error: DBAPIError) -> bool:
    text = str(error).lower()
    return bool(error.connection_invalidated) or any(m in text for m in _TRANSIENT_MARKERS)


F = TypeVar("F", bound=Callable[..., Any])


def retry_when_unavailable(method: F) -> F:
    """Retry a store operation while the database is unreachable; each attempt
    is its own transaction, so nothing is ever half-written."""

    @functools.wraps(method)
    def wrapper(self: ArticleStore, *args: Any, **kwargs: Any) -> Any:
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


class StoreError(Exception):
    """The store cannot be opened or used; the message never holds a password."""


class StoreUnavailable(StoreError):
    """The database stayed unreachable through every retry."""


class TermShown(Protocol):
    """A section, tag or author as a page showed it (sites.Term is one)."""

    @property
    def kind(self) -> str: ...
    @property
    def slug(self) -> str: ...
    @property
    def name(self) -> str | None: ...


@dataclass
class PageRecord:
    """A cleaned article with where and when its page was fetched."""

    article: CleanArticle
    fetched_at: datetime
    run_id: int | None = None
    warc_file: str | None = None
    warc_offset: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    cleaner_version: str = ""
    # "crawl": a live fetch, which owns the article's status, validators and
    # fetch time. Any other ("reextract", "recovered" from the quarantine, an
    # import): a page cleaned again from a WARC record, which changes content
    # only, and never replaces a revision fetched after its own.
    source: str = "crawl"
    # Other URL forms the page was reached under (canonical forms of the URL
    # a listing gave and of the URL fetched), when they differ from the key.
    aliases: list[str] = field(default_factory=list)
    # The site it is stored under (the sites file's or registry's name, a
    # profile crawl's host); None: the registered site of its host, else the host.
    site: str | None = None

    @property
    def from_crawl(self) -> bool:
        return self.source == "crawl"


@dataclass(frozen=True)
class DisplayNames:
    """A site's display names by the key of their slugs (storage/naming.py)."""

    by_key: dict[tuple[str, str], str]  # (kind, key of a slug) -> display name
    names: frozenset[tuple[str, str]]  # (kind, display name)

    @classmethod
    def read(cls, connection: Any, site: str,
             extra: Iterable[LearnedName] = ()) -> DisplayNames:
        """From the site's terms (the first name learned for a key wins), then `extra`."""
        by_key: dict[tuple[str, str], str] = {}
        for kind, slug, name in connection.execute(
                select(SiteTerm.kind, SiteTerm.slug, SiteTerm.name)
                .where(SiteTerm.site == site, SiteTerm.name.is_not(None))
                .order_by(SiteTerm.id)):
            if name_key(slug):
                by_key.setdefault((kind, name_key(slug)), name)
        for learned in extra:
            if name_key(learned.slug):
                by_key[(learned.kind, name_key(learned.slug))] = learned.name
        return cls(by_key, frozenset((kind, name) for (kind, _), name in by_key.items()))

    def shown(self, kind: str, name: str) -> str:
        """The name to store `name` under: the display name of the slug it
        stands for; a display name stays as it is."""
        if (kind, name) in self.names:
            return name
        return self.by_key.get((kind, name_key(name)), name)


@dataclass
class UpsertCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0  # re-extracted pages older than the stored revision: left alone
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (url, why) not stored

    def add(self, other: UpsertCounts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.stale += other.stale
        self.rejected += other.rejected


def now() -> datetime:
    return datetime.now(UTC)


class ArticleStore:
    def __init__(self, url: str | None = None, *, migrate: bool = True,
                 read_only: bool = False) -> None:
        """Open (and create or migrate) the store; `read_only` opens an existing
        store for reading only: it is never created or changed, and a store on
        a read-only mount can be read."""
        self.url = database_url(url)
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
        # (site, field, name) -> id of authors, categories and tags. A name is
        # deleted only when merged into its display name (which drops it here);
        # a link to an id another process merged away fails, and the batch is
        # replayed with this emptied.
        self._name_ids: dict[tuple[str, str, str], int] = {}
        # site -> (when read, its display names).
        self._display: dict[str, tuple[float, DisplayNames]] = {}

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def sqlite_path(self) -> Path | None:
        """The database file of a SQLite store (None for PostgreSQL or memory)."""
        database = self.engine.url.database if self.dialect == "sqlite" else None
        return Path(database) if database and database != ":memory:" else None

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

    # --- crawl runs ------------------------------------------------------------
    @retry_when_unavailable
    def start_run(self, params: dict[str, Any]) -> int:
        with self.sessions.begin() as session:
            run = CrawlRun(started=now(), status="running", params=params, stats={})
            session.add(run)
            session.flush()
            return run.id

    @retry_when_unavailable
    def finish_run(self, run_id: int, status: str, stats: dict[str, Any]) -> None:
        with self.sessions.begin() as session:
            session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(
                finished=now(), status=status, stats=stats))

    def runs(self, limit: int = 10) -> list[dict[str, Any]]:
        with self.sessions() as session:
            rows = session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit))
            return [{"id": r.id, "started": r.started, "finished": r.finished,
                     "status": r.status, "params": r.params, "stats": r.stats} for r in rows]

    # --- writing articles -------------------------------------------------------
    def upsert_articles(self, records: Iterable[PageRecord]) -> UpsertCounts:
        """Store a batch; a record the database refuses (a value it cannot
        take) is left out and listed in `counts.rejected`, and the rest of the
        batch is stored all the same. A store that refuses every record raises
        StoreError."""
        batch = _last_per_url(records)
        if not batch:
            return UpsertCounts()
        try:
            return self._upsert_batch(batch)
        except StoreUnavailable:
            raise
        except (DataError, IntegrityError, ProgrammingError, StoreError) as error:
            why = _first_line(error, self.url)
            if len(batch) == 1:
                return UpsertCounts(rejected=[(next(iter(batch)), why)])
            log.warning("a batch of %d articles was refused (%s); storing them one by one",
                        len(batch), why[:200])
        counts = UpsertCounts()
        for record in batch.values():
            counts.add(self.upsert_articles([record]))
        if len(counts.rejected) == len(batch) > 1:  # not one record: the store itself
            raise StoreError(f"the store at {redact(self.url)} refused every article: "
                             f"{counts.rejected[0][1]}")
        return counts

    @retry_when_unavailable
    def _upsert_batch(self, batch: dict[str, PageRecord]) -> UpsertCounts:
        for attempt in range(4):
            fresh_names: dict[tuple[str, str, str], int] = {}
            try:
                with self.sessions.begin() as session:
                    counts = self._upsert(session, batch, fresh_names)
            except IntegrityError as error:
                if attempt == 3 or not (_lost_race(error) or _gone_name(error)):
                    raise  # another writer keeps winning, or a value the store refuses
                if _gone_name(error):  # a cached name another store merged away:
                    self._name_ids.clear()  # the names, and the display names it
                    self._display.clear()  # learned, looked up again
                continue
            self._name_ids.update(fresh_names)  # only ids of a committed transaction
            return counts
        raise AssertionError("unreachable")

    def _upsert(self, session: Session, batch: dict[str, PageRecord],
                fresh_names: dict[tuple[str, str, str], int]) -> UpsertCounts:
        """A whole batch in a handful of statements: one SELECT of what is
        stored, one multi-row INSERT ... RETURNING of the new articles, one
        executemany UPDATE each for changed and unchanged ones, then the
        revisions and name links in bulk."""
        articles = ARTICLES
        connection = session.connection()  # Core statements, executemany where it counts
        batch = _follow_aliases(connection, _merge_same_content(connection, batch))
        revisions = REVISIONS
        stored = {row.canonical_url: row for row in connection.execute(
            select(articles.c.id, articles.c.canonical_url, articles.c.content_hash,
                   articles.c.revision, articles.c.site, revisions.c.fetched_at)
            .outerjoin(revisions, (revisions.c.article_id == articles.c.id)
                       & (revisions.c.number == articles.c.revision))
            .where(articles.c.canonical_url.in_(list(batch))))}
        # The site each page is stored under: a stored article keeps its own
        # (its names are that site's), a new one takes the page's.
        sites = {url: (stored[url].site if url in stored else None)
                 or record.site or site_for_url(url) for url, record in batch.items()}
        new: list[PageRecord] = []
        changed: list[tuple[PageRecord, int, int]] = []  # (record, article id, revision)
        recleaned: list[tuple[PageRecord, int, int]] = []
        unchanged: list[tuple[PageRecord, int]] = []
        stale = 0
        for url, record in batch.items():
            row = stored.get(url)
            if row is None:
                new.append(record)
            elif not record.from_crawl and row.fetched_at is not None \
                    and _to_second(row.fetched_at) > _to_second(record.fetched_at):
                stale += 1  # a crawl stored a newer page meanwhile: it stays
            elif row.content_hash != record.article.content_hash:
                (changed if record.from_crawl else recleaned).append(
                    (record, row.id, row.revision + 1))
            elif record.from_crawl:
                unchanged.append((record, row.id))
        if unchanged:
            connection.execute(
                update(articles).where(articles.c.id == bindparam("b_id")).values(
                    last_fetched=bindparam("b_fetched"), status="live",
                    etag=func.coalesce(bindparam("b_etag"), articles.c.etag),
                    last_modified=func.coalesce(bindparam("b_modified"),
                                                articles.c.last_modified),
                    site=func.coalesce(articles.c.site, bindparam("b_site"))),
                [{"b_id": article_id, "b_fetched": r.fetched_at, "b_etag": r.etag,
                  "b_modified": r.last_modified, "b_site": sites[r.article.canonical_url]}
                 for r, article_id in unchanged])
        written: list[tuple[PageRecord, int, int]] = []  # (record, article id, revision)
        if new:
            inserted = connection.execute(
                insert(articles).returning(articles.c.canonical_url, articles.c.id),
                [{**_article_values(r), "canonical_url": r.article.canonical_url,
                  "site": sites[r.article.canonical_url], "first_seen": r.fetched_at,
                  "revision": 1} for r in new])
            ids = {url: article_id for url, article_id in inserted}
            written += [(r, ids[r.article.canonical_url], 1) for r in new]
        for rows, fields in ((changed, ARTICLE_FIELDS), (recleaned, CONTENT_FIELDS)):
            if not rows:
                continue
            connection.execute(
                update(articles).where(articles.c.id == bindparam("b_id")).values(
                    {**{column: bindparam(f"b_{column}") for column in fields},
                     "site": func.coalesce(articles.c.site, bindparam("b_site"))}),
                [{"b_id": article_id, "b_revision": number,
                  "b_site": sites[r.article.canonical_url],
                  **{f"b_{k}": v for k, v in _article_values(r).items() if k in fields}}
                 for r, article_id, number in rows])
            written += rows
            for table, _ in NAME_LINKS.values():
                connection.execute(delete(table).where(
                    table.c.article_id.in_([article_id for _, article_id, _ in rows])))
        if written:
            connection.execute(insert(REVISIONS), [_revision_values(*w) for w in written])
            self._link_names(session, written, sites, fresh_names)
        self._add_aliases(connection, batch, stored, written)
        counts = UpsertCounts(new=len(new), updated=len(changed) + len(recleaned),
                              unchanged=len(batch) - len(new) - len(changed) - len(recleaned)
                              - stale, stale=stale)
        # A page that now makes an article leaves the quarantine (under either URL).
        left = list(batch) + [r.article.url for r in batch.values()]
        connection.execute(delete(Quarantine).where(Quarantine.url.in_(left)))
        return counts

    def _add_aliases(self, connection: Any, batch: dict[str, PageRecord], stored: dict[str, Any],
                     written: list[tuple[PageRecord, int, int]]) -> None:
        ids = {url: row.id for url, row in stored.items()}
        ids.update({r.article.canonical_url: article_id for r, article_id, _ in written})
        rows = {alias: ids[url] for url, record in batch.items() if url in ids
                for alias in record.aliases if alias != url}
        if not rows:
            return
        dialect_insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        connection.execute(dialect_insert(UrlAlias).on_conflict_do_nothing(
            index_elements=["url"]), [{"url": u, "article_id": i} for u, i in rows.items()])

    def _link_names(self, session: Session, written: list[tuple[PageRecord, int, int]],
                    sites: dict[str, str],
                    fresh_names: dict[tuple[str, str, str], int]) -> None:
        """Authors, categories and tags, each under its site's display name
        where one is known for its slug; names are looked up once per store
        (new ones inserted with ON CONFLICT DO NOTHING), links inserted in bulk."""
        dialect_insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        connection = session.connection()
        displays = {site: self._display_names(connection, site) for site in set(sites.values())}
        for kind, (link_table, model) in NAME_LINKS.items():
            per_article: list[tuple[int, str, list[str]]] = []
            for record, article_id, _ in written:
                site = sites[record.article.canonical_url]
                names = [displays[site].shown(KIND_OF_FIELD[kind], name)
                         for name in getattr(record.article, kind)]
                per_article.append((article_id, site, list(dict.fromkeys(names))))
            missing: dict[str, set[str]] = {}
            for _, site, names in per_article:
                for name in names:
                    if (site, kind, name) not in self._name_ids:
                        missing.setdefault(site, set()).add(name)
            for site, absent in missing.items():
                connection.execute(dialect_insert(model).values(
                    [{"site": site, "name": n} for n in sorted(absent)])
                    .on_conflict_do_nothing(index_elements=["site", "name"]))
                for name_id, name in connection.execute(
                        select(model.id, model.name).where(model.site == site,
                                                           model.name.in_(absent))):
                    fresh_names[(site, kind, name)] = name_id
            ids = self._name_ids | fresh_names
            column = _name_column(link_table)
            links = [{"article_id": article_id, column: ids[(site, kind, name)]}
                     for article_id, site, names in per_article for name in names]
            if links:
                connection.execute(insert(link_table), links)

    def _display_names(self, connection: Any, site: str) -> DisplayNames:
        """The display names the site's pages give its slugs (cached a while)."""
        cached = self._display.get(site)
        if cached is not None and time.monotonic() - cached[0] < DISPLAY_NAMES_TTL_S:
            return cached[1]
        names = DisplayNames.read(connection, site)
        self._display[site] = (time.monotonic(), names)
        return names

    @retry_when_unavailable
    def mark_gone(self, url: str) -> bool:
        """A stored article that now answers 404/410: kept, marked gone."""
        with self.sessions.begin() as session:
            result = session.execute(update(Article).where(Article.canonical_url == url)
                                     .values(status="gone", last_fetched=now()))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    @retry_when_unavailable
    def quarantine(self, url: str, reason: str, detail: str = "", *, permanent: bool = True,
                   run_id: int | None = None, warc_file: str | None = None,
                   warc_offset: int | None = None) -> None:
        values = {"url": url, "reason": reason, "detail": detail[:2000], "permanent": permanent,
                  "crawl_run_id": run_id, "warc_file": warc_file, "warc_offset": warc_offset,
                  "at": now()}
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        statement = insert(Quarantine).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=["url"], set_={k: v for k, v in values.items() if k != "url"})
        with self.sessions.begin() as session:
            session.execute(statement)

    @retry_when_unavailable
    def record_failure(self, url: str, reason: str, detail: str = "", *, permanent: bool = False,
                       run_id: int | None = None) -> None:
        with self.sessions.begin() as session:
            session.add(FetchFailure(url=url, reason=reason, detail=detail[:2000],
                                     permanent=permanent, crawl_run_id=run_id, at=now()))

    # --- crawl state ----------------------------------------------------------------
    @retry_when_unavailable
    def known_urls(self, urls: Iterable[str], stale_before: datetime | None = None) -> set[str]:
        """URLs not to fetch again: stored articles (unless last fetched before
        `stale_before`) under their canonical URL or an alias, pages quarantined
        for a permanent reason, and requests that failed for a permanent one
        (404, 410, robots.txt...). A transient failure is tried again next run."""
        urls = list(dict.fromkeys(urls))
        if not urls:
            return set()
        with self.sessions() as session:
            query = select(Article.canonical_url).where(Article.canonical_url.in_(urls))
            if stale_before is not None:
                query = query.where(Article.last_fetched >= stale_before)
            stored = set(session.scalars(query))
            aliased = select(UrlAlias.url).join(Article, Article.id == UrlAlias.article_id) \
                .where(UrlAlias.url.in_(urls))
            if stale_before is not None:
                aliased = aliased.where(Article.last_fetched >= stale_before)
            stored |= set(session.scalars(aliased))
            quarantined = session.scalars(select(Quarantine.url).where(
                Quarantine.url.in_(urls), Quarantine.permanent.is_(True)))
            failed = session.scalars(select(FetchFailure.url).where(
                FetchFailure.url.in_(urls), FetchFailure.permanent.is_(True)))
            return stored | set(quarantined) | set(failed)

    @retry_when_unavailable
    def stored_urls(self, prefix: str, fetched_before: datetime | None = None) -> list[str]:
        """Canonical URLs of stored articles under `prefix` (a site's base URL)."""
        with self.sessions() as session:
            query = select(Article.canonical_url).where(
                Article.canonical_url.startswith(prefix, autoescape=True))
            if fetched_before is not None:
                query = query.where(Article.last_fetched < fetched_before)
            return list(session.scalars(query.order_by(Article.id)))

    @retry_when_unavailable
    def validators(self, urls: Iterable[str]) -> dict[str, tuple[str | None, str | None, datetime]]:
        """ETag, Last-Modified and last fetch time of stored articles."""
        with self.sessions() as session:
            rows = session.execute(select(Article.canonical_url, Article.etag,
                                          Article.last_modified, Article.last_fetched)
                                   .where(Article.canonical_url.in_(list(urls))))
            return {r[0]: (r[1], r[2], r[3]) for r in rows}

    @retry_when_unavailable
    def listing_state(self, listing: str) -> tuple[int, bool]:
        with self.sessions() as session:
            row = session.scalar(select(ListingState).where(ListingState.listing == listing))
            return (row.deepest_page, row.completed) if row else (0, False)

    @retry_when_unavailable
    def update_listing(self, listing: str, page: int, completed: bool) -> None:
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        statement = insert(ListingState).values(listing=listing, deepest_page=page,
                                                completed=completed, updated=now())
        table = ListingState.__table__
        statement = statement.on_conflict_do_update(index_elements=["listing"], set_={
            "deepest_page": func.max(table.c.deepest_page, page) if self.dialect == "sqlite"
            else func.greatest(table.c.deepest_page, page),
            "completed": table.c.completed | completed if self.dialect == "postgresql"
            else func.max(table.c.completed, completed),
            "updated": now(),
        })
        with self.sessions.begin() as session:
            session.execute(statement)

    # --- a site's sections, tags and authors ----------------------------------------------
    @retry_when_unavailable
    def site_terms(self, site: str, kinds: tuple[str, ...] = ("category", "tag", "author")
                   ) -> list[SiteTerm]:
        """What crawls of `site` found, oldest first."""
        with self.sessions() as session:
            return list(session.scalars(
                select(SiteTerm).where(SiteTerm.site == site, SiteTerm.kind.in_(kinds))
                .order_by(SiteTerm.id)))

    @retry_when_unavailable
    def remember_terms(self, site: str, terms: Iterable[TermShown]) -> NamesRemembered:
        """Remember sections, tags and authors a page of `site` showed; a
        display name, once known, is never replaced by none. A display name
        learned (new, or changed) takes in the stored names of the site that
        stand for its slug (`news-middle-east` into `Middle East`): their
        links move to it and they are deleted, so one name is stored once."""
        unique: dict[tuple[str, str], TermShown] = {}
        for term in terms:  # one row per slug in one statement; a named one wins
            if (term.kind, term.slug) not in unique or term.name:
                unique[(term.kind, term.slug)] = term
        if not unique:
            return NamesRemembered([], [])
        rows = [{"site": site, "kind": t.kind, "slug": t.slug, "name": t.name,
                 "first_seen": now(), "updated": now()} for t in unique.values()]
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        statement = insert(SiteTerm)
        statement = statement.on_conflict_do_update(
            index_elements=["site", "kind", "slug"],
            set_={"name": func.coalesce(statement.excluded.name, SiteTerm.__table__.c.name),
                  "updated": statement.excluded.updated})
        for attempt in range(4):
            try:
                with self.sessions.begin() as session:
                    connection = session.connection()
                    known = {(kind, slug): name for kind, slug, name in connection.execute(
                        select(SiteTerm.kind, SiteTerm.slug, SiteTerm.name).where(
                            SiteTerm.site == site,
                            SiteTerm.slug.in_([t.slug for t in unique.values()])))}
                    learned = [LearnedName(site, t.kind, t.slug, t.name)
                               for t in unique.values()
                               if t.name and known.get((t.kind, t.slug)) != t.name]
                    connection.execute(statement, rows)
                    merged = self._merge_names(connection, site, learned, only_learned=True) \
                        if learned else []
            except IntegrityError as error:  # a name row another writer just made or merged
                if attempt == 3 or not (_lost_race(error) or _gone_name(error)):
                    raise
                continue
            if learned:
                self._forget_names(site, merged)
            return NamesRemembered(learned, merged)
        raise AssertionError("unreachable")

    @retry_when_unavailable
    def merge_names(self, site: str, learned: Iterable[LearnedName] = (),
                    dry_run: bool = False) -> list[NameMerge]:
        """Merge every stored name of `site` that stands for a slug with a
        display name (its site terms, and `learned` over them) into that
        display name. Idempotent; `dry_run` says what it would merge."""
        extra = list(learned)
        if dry_run:
            with self.sessions() as session:  # closed without a commit
                return self._merge_names(session.connection(), site, extra, dry_run=True)
        with self.sessions.begin() as session:
            merged = self._merge_names(session.connection(), site, extra)
        if merged:
            self._forget_names(site, merged)
        return merged

    def _merge_names(self, connection: Any, site: str, learned: list[LearnedName],
                     only_learned: bool = False, dry_run: bool = False) -> list[NameMerge]:
        """Merge the site's stored names whose key is a slug's key into that
        slug's display name (only the slugs of `learned`, with `only_learned`).
        A display name is never merged away: two slugs named after each other
        cannot make names go round."""
        names = DisplayNames.read(connection, site, learned)
        wanted = {(lr.kind, name_key(lr.slug)): lr.name for lr in learned} if only_learned \
            else names.by_key
        merges: list[NameMerge] = []
        for field_name, (link_table, model) in NAME_LINKS.items():
            kind = KIND_OF_FIELD[field_name]
            if not any(k == kind for k, _ in wanted):
                continue
            column = link_table.c[_name_column(link_table)]
            rows = connection.execute(select(model.id, model.name)
                                      .where(model.site == site).order_by(model.id)).all()
            for row_id, name in rows:
                into = wanted.get((kind, name_key(name)))
                if into is None or into == name or (kind, name) in names.names:
                    continue
                moved = connection.scalar(select(func.count()).select_from(link_table)
                                          .where(column == row_id)) or 0
                merges.append(NameMerge(site, kind, name, into, moved))
                if dry_run:
                    continue
                target = self._name_row(connection, model, site, into)
                taken = select(link_table.c.article_id).where(column == target)
                connection.execute(update(link_table).where(
                    column == row_id, link_table.c.article_id.not_in(taken))
                    .values({column.name: target}))
                connection.execute(delete(link_table).where(column == row_id))
                connection.execute(delete(model).where(model.id == row_id))
        return merges

    def _name_row(self, connection: Any, model: type[Name], site: str, name: str) -> int:
        dialect_insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        connection.execute(dialect_insert(model).values(site=site, name=name)
                           .on_conflict_do_nothing(index_elements=["site", "name"]))
        return int(connection.scalar(select(model.id).where(model.site == site,
                                                             model.name == name)))

    def _forget_names(self, site: str, merged: list[NameMerge]) -> None:
        """Drop what changed from the caches: the site's display names, and
        the ids of names merged away."""
        self._display.pop(site, None)
        fields = {kind: field_name for field_name, kind in KIND_OF_FIELD.items()}
        for merge in merged:
            self._name_ids.pop((site, fields[merge.kind], merge.name), None)

    # --- backfills ------------------------------------------------------------------------
    @retry_when_unavailable
    def record_shard(self, backfill: str, shard: str, status: str, worker: str | None,
                     stats: dict[str, Any]) -> None:
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        values = {"backfill": backfill, "shard": shard, "status": status, "worker": worker,
                  "stats": stats, "updated": now()}
        statement = insert(BackfillShard).values(values).on_conflict_do_update(
            index_elements=["backfill", "shard"],
            set_={k: v for k, v in values.items() if k not in ("backfill", "shard")})
        with self.sessions.begin() as session:
            session.execute(statement)

    @retry_when_unavailable
    def shards(self, backfill: str) -> dict[str, dict[str, Any]]:
        with self.sessions() as session:
            rows = session.scalars(select(BackfillShard).where(BackfillShard.backfill == backfill))
            return {r.shard: {"status": r.status, "worker": r.worker, "stats": r.stats}
                    for r in rows}

    def quarantine_samples(self, run_id: int | None, limit: int = 10) -> list[dict[str, Any]]:
        with self.sessions() as session:
            query = select(Quarantine).order_by(Quarantine.id.desc()).limit(limit)
            if run_id is not None:
                query = query.where(Quarantine.crawl_run_id == run_id)
            return [{"url": q.url, "reason": q.reason, "detail": q.detail}
                    for q in session.scalars(query)]

    # --- reading ------------------------------------------------------------------------
    def get(self, url: str) -> dict[str, Any] | None:
        """The article stored under `url`, or under the URL `url` is an alias of."""
        with self.sessions() as session:
            row = session.scalar(select(Article).where(Article.canonical_url == url))
            if row is None:
                row = session.scalar(select(Article).join(
                    UrlAlias, UrlAlias.article_id == Article.id).where(UrlAlias.url == url))
            return _article_dict(row) if row else None

    def revisions(self, url: str) -> list[dict[str, Any]]:
        with self.sessions() as session:
            rows = session.scalars(
                select(Revision).join(Article, Revision.article_id == Article.id)
                .where(Article.canonical_url == url).order_by(Revision.number))
            return [{"number": r.number, "content_hash": r.content_hash,
                     "fetched_at": r.fetched_at, "crawl_run_id": r.crawl_run_id,
                     "warc_file": r.warc_file, "warc_offset": r.warc_offset,
                     "extractor": r.extractor, "cleaner_version": r.cleaner_version,
                     "parser": r.parser, "title": r.title, "body": r.body}
                    for r in rows]

    def failure_rows(self, reason: str | None = None, run_id: int | None = None,
                     limit: int = 100) -> list[dict[str, Any]]:
        """Requests that failed, newest first."""
        return [{"url": f.url, "reason": f.reason, "detail": f.detail,
                 "permanent": f.permanent, "run": f.crawl_run_id, "at": f.at}
                for f in self._newest(FetchFailure, reason, run_id, limit)]

    def quarantine_rows(self, reason: str | None = None, run_id: int | None = None,
                        limit: int = 100) -> list[dict[str, Any]]:
        """Pages fetched but not stored as articles, newest first."""
        return [{"url": q.url, "reason": q.reason, "detail": q.detail,
                 "permanent": q.permanent, "run": q.crawl_run_id, "at": q.at,
                 "warc_file": q.warc_file, "warc_offset": q.warc_offset}
                for q in self._newest(Quarantine, reason, run_id, limit)]

    def _newest(self, model: type[FetchFailure] | type[Quarantine], reason: str | None,
                run_id: int | None, limit: int) -> list[Any]:
        with self.sessions() as session:
            query = select(model).order_by(model.id.desc()).limit(limit)
            if reason:
                query = query.where(model.reason == reason)
            if run_id is not None:
                query = query.where(model.crawl_run_id == run_id)
            return list(session.scalars(query))

    def search(self, query: str, limit: int = 20, site: str | None = None
               ) -> list[dict[str, Any]]:
        """Full-text search in the query language of storage/search.py; the
        best-ranked `limit` articles (of `site` only, when given). The query
        is always a bound parameter."""
        parsed = parse_query(query)
        values: dict[str, Any] = {"n": limit, "site": site}
        with self.sessions() as session:
            if self.dialect == "postgresql":
                ids = session.scalars(text(
                    "SELECT id FROM articles, to_tsquery('simple', :q) AS q WHERE search @@ q "
                    + ("AND site = :site " if site is not None else "")
                    + "ORDER BY ts_rank(search, q) DESC, id LIMIT :n"),
                    {**values, "q": to_tsquery(parsed)}).all()
            else:
                ids = session.scalars(text(
                    "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q "
                    + (_FTS_OF_SITE if site is not None else "")
                    + "ORDER BY rank, rowid LIMIT :n"), {**values, "q": to_fts5(parsed)}).all()
            rows = {a.id: a for a in session.scalars(select(Article).where(Article.id.in_(ids)))}
            return [_article_dict(rows[i]) for i in ids if i in rows]

    def count_matches(self, query: str, site: str | None = None) -> int:
        """How many articles `search` would find with no limit."""
        parsed = parse_query(query)
        with self.sessions() as session:
            if self.dialect == "postgresql":
                return int(session.scalar(text(
                    "SELECT count(*) FROM articles WHERE search @@ to_tsquery('simple', :q)"
                    + (" AND site = :site" if site is not None else "")),
                    {"q": to_tsquery(parsed), "site": site}) or 0)
            return int(session.scalar(text(
                "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH :q "
                + (_FTS_OF_SITE if site is not None else "")),
                {"q": to_fts5(parsed), "site": site}) or 0)

    def iter_articles(self, since: date | None = None, until: date | None = None,
                      category: str | None = None, batch: int = 500,
                      fetched_since: datetime | None = None,
                      site: str | None = None) -> Iterator[dict[str, Any]]:
        """Every stored article (of `site`, when given), streamed in id order,
        with the provenance of its current revision; `since` (inclusive) and
        `until` (exclusive) are calendar days as the pages printed them,
        `fetched_since` a moment (for deltas)."""
        last_id = 0
        while True:
            with self.sessions() as session:
                query = (select(Article).where(Article.id > last_id)
                         .order_by(Article.id).limit(batch))
                if fetched_since:
                    query = query.where(Article.last_fetched >= fetched_since)
                if since:
                    query = query.where(Article.published_day >= _day(since))
                if until:
                    query = query.where(Article.published_day < _day(until))
                if site is not None:
                    query = query.where(Article.site == site)
                if category:
                    query = query.where(Article.categories.any(Category.name == category))
                rows = list(session.scalars(query))
                sources = {r.article_id: r for r in session.scalars(
                    select(Revision).join(Article, (Revision.article_id == Article.id)
                                          & (Revision.number == Article.revision))
                    .where(Article.id.in_([row.id for row in rows])))}
            if not rows:
                return
            for row in rows:
                source = sources.get(row.id)
                yield {**_article_dict(row),
                       "parser_version": source.cleaner_version if source else None,
                       "revision_fetched": source.fetched_at if source else None,
                       "warc_file": source.warc_file if source else None,
                       "warc_offset": source.warc_offset if source else None}
            last_id = rows[-1].id

    def latest_revisions_with_warc(self, site: str | None = None
                                   ) -> Iterator[dict[str, Any]]:
        """Where each stored article's current content came from (of `site`,
        when given), for re-extraction and the names' mend job."""
        with self.sessions() as session:
            query = (select(Article.canonical_url, Article.url, Revision.warc_file,
                            Revision.warc_offset, Article.content_hash, Article.site)
                     .join(Revision, (Revision.article_id == Article.id)
                           & (Revision.number == Article.revision))
                     .where(Revision.warc_file.is_not(None)).order_by(Article.id))
            if site is not None:
                query = query.where(Article.site == site)
            rows = session.execute(query).all()
        for row in rows:
            yield {"canonical_url": row[0], "url": row[1], "warc_file": row[2],
                   "warc_offset": row[3], "content_hash": row[4], "site": row[5]}

    def quarantined_with_warc(self) -> Iterator[dict[str, Any]]:
        """Quarantined pages whose raw page is archived: re-extraction tries them
        again (a cleaner bug fixed since must not keep them out for ever)."""
        with self.sessions() as session:
            rows = session.execute(
                select(Quarantine.url, Quarantine.reason, Quarantine.warc_file,
                       Quarantine.warc_offset)
                .where(Quarantine.warc_file.is_not(None)).order_by(Quarantine.id)).all()
        for url, reason, warc_file, warc_offset in rows:
            yield {"url": url, "reason": reason, "warc_file": warc_file,
                   "warc_offset": warc_offset}

    def stats(self, site: str | None = None) -> dict[str, Any]:
        """What the store holds (of `site`'s articles and names, when given:
        the quarantine, failures and runs are the store's, not a site's), and
        per site under "sites"."""
        with self.sessions() as session:
            def count(model: Any, *where: Any) -> int:
                return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

            of_site = [Article.site == site] if site is not None else []
            by_reason = dict(session.execute(select(Quarantine.reason, func.count())
                                             .group_by(Quarantine.reason)).all())
            failures = dict(session.execute(select(FetchFailure.reason, func.count())
                                            .group_by(FetchFailure.reason)).all())
            revisions = session.scalar(
                select(func.count()).select_from(Revision)
                .join(Article, Article.id == Revision.article_id).where(*of_site)) or 0
            return {
                "database": redact(self.url),
                **({"site": site} if site is not None else {}),
                "articles": count(Article, *of_site),
                "articles_gone": count(Article, Article.status == "gone", *of_site),
                "revisions": revisions,
                **{kind: count(model, *([model.site == site] if site is not None else []))
                   for kind, (_, model) in NAME_LINKS.items()},
                "quarantined": by_reason,
                "fetch_failures": failures,
                "crawl_runs": count(CrawlRun),
                "sites": {c.site: {"articles": c.articles, "gone": c.gone,
                                   "authors": c.authors, "categories": c.categories,
                                   "tags": c.tags}
                          for c in self._site_counts(session, site)},
            }

    @retry_when_unavailable
    def stored_sites(self) -> list[str]:
        """The names articles are stored under."""
        with self.sessions() as session:
            return sorted(s for s in session.scalars(select(Article.site).distinct())
                          if s is not None)

    def site_counts(self, site: str | None = None) -> list[SiteCounts]:
        """Articles and names per site (of `site` only, when given)."""
        with self.sessions() as session:
            return self._site_counts(session, site)

    @staticmethod
    def _site_counts(session: Session, site: str | None) -> list[SiteCounts]:
        def per_site(model: Any, *where: Any) -> dict[str, int]:
            query = select(model.site, func.count()).where(*where).group_by(model.site)
            if site is not None:
                query = query.where(model.site == site)
            return {s or "": n for s, n in session.execute(query).all()}

        articles = per_site(Article)
        gone = per_site(Article, Article.status == "gone")
        names = {kind: per_site(model) for kind, (_, model) in NAME_LINKS.items()}
        return [SiteCounts(name, articles.get(name, 0), gone.get(name, 0),
                           names["authors"].get(name, 0), names["categories"].get(name, 0),
                           names["tags"].get(name, 0))
                for name in sorted(articles)]

# SQLite: the full-text matches of one site's articles.
_FTS_OF_SITE = "AND rowid IN (SELECT id FROM articles WHERE site = :site) "
ARTICLES = cast(Table, Article.__table__)
REVISIONS = cast(Table, Revision.__table__)
# What a new or changed page sets on its article row.
ARTICLE_FIELDS = ("url", "title", "published", "published_offset", "published_day", "dateline",
                  "body", "images", "language", "word_count", "content_hash", "extractor",
                  "fallback", "warnings", "status", "last_fetched", "etag", "last_modified",
                  "revision")
# What a page cleaned again from its WARC record sets: its content, never the
# crawl's status, validators or fetch time.
CONTENT_FIELDS = tuple(f for f in ARTICLE_FIELDS
                       if f not in ("status", "last_fetched", "etag", "last_modified"))
NAME_LINKS: dict[str, tuple[Table, type[Name]]] = {
    "authors": (article_authors, Author),
    "categories": (article_categories, Category),
    "tags": (article_tags, Tag),
}


def _name_column(link_table: Table) -> str:
    return next(c.name for c in link_table.c if c.name != "article_id")


def _article_values(record: PageRecord) -> dict[str, Any]:
    clean = record.article
    offset = clean.published.utcoffset() if clean.published else None
    return {
        "url": clean.url, "title": clean.title, "published": clean.published,
        "published_offset": int(offset.total_seconds() // 60) if offset is not None else None,
        "published_day": clean.published.date() if clean.published else None,
        "dateline": clean.dateline, "body": clean.body,
        "images": [image.model_dump() for image in clean.images],
        "language": clean.language, "word_count": clean.word_count,
        "content_hash": clean.content_hash, "extractor": clean.extractor,
        "fallback": clean.fallback, "warnings": list(clean.warnings), "status": "live",
        "last_fetched": record.fetched_at, "etag": record.etag,
        "last_modified": record.last_modified,
    }


def _revision_values(record: PageRecord, article_id: int, number: int) -> dict[str, Any]:
    clean = record.article
    return {
        "article_id": article_id, "number": number, "content_hash": clean.content_hash,
        "title": clean.title, "body": clean.body, "fetched_at": record.fetched_at,
        "crawl_run_id": record.run_id, "warc_file": record.warc_file,
        "warc_offset": record.warc_offset, "extractor": clean.extractor,
        "cleaner_version": record.cleaner_version, "parser": clean.parser,
    }


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def as_printed(published: datetime | None, offset_minutes: int | None) -> datetime | None:
    """The stored UTC instant back in the offset the page gave."""
    if published is None:
        return None
    return published.astimezone(timezone(timedelta(minutes=offset_minutes or 0)))


def _article_dict(row: Article) -> dict[str, Any]:
    return {
        "url": row.url, "canonical_url": row.canonical_url, "title": row.title,
        "authors": [a.name for a in row.authors],
        "published": as_printed(row.published, row.published_offset),
        "categories": [c.name for c in row.categories], "tags": [t.name for t in row.tags],
        "dateline": row.dateline, "body": row.body, "images": row.images,
        "language": row.language, "word_count": row.word_count,
        "content_hash": row.content_hash, "extractor": row.extractor,
        "fallback": row.fallback, "warnings": row.warnings, "status": row.status,
        "revision": row.revision, "first_seen": row.first_seen,
        "last_fetched": row.last_fetched, "site": row.site,
    }


def _follow_aliases(connection: Any, batch: dict[str, PageRecord]) -> dict[str, PageRecord]:
    """A page whose key is another URL form of a stored article (an alias: an
    imported copy under http:// of an https:// article, a listing URL before a
    redirect) is that article: it takes the article's key, never a row of its own."""
    unknown = set(batch) - set(connection.scalars(
        select(ARTICLES.c.canonical_url).where(ARTICLES.c.canonical_url.in_(list(batch)))))
    if not unknown:
        return batch
    merged = dict(batch)
    for alias, canonical in connection.execute(
            select(UrlAlias.url, ARTICLES.c.canonical_url)
            .join(ARTICLES, ARTICLES.c.id == UrlAlias.article_id)
            .where(UrlAlias.url.in_(list(unknown)))):
        if canonical in merged:
            continue  # the batch holds that article under its own key already
        record = merged.pop(alias)
        merged[canonical] = replace(
            record, article=record.article.model_copy(update={"canonical_url": canonical}),
            aliases=[*record.aliases, alias])
    return merged


def _merge_same_content(connection: Any, batch: dict[str, PageRecord]) -> dict[str, PageRecord]:
    """A page stored under its own URL because its canonical link names another
    page (cleaning.urls.storage_key) joins that page's row when the two hold
    the same content: the same article under two URL forms (`/?p=123` and its
    pretty URL). Its own URL becomes an alias."""
    named = {r.article.declared_canonical: url for url, r in batch.items()
             if r.article.declared_canonical and r.article.declared_canonical != url}
    if not named:
        return batch
    merged = dict(batch)
    for declared, content_hash in connection.execute(
            select(ARTICLES.c.canonical_url, ARTICLES.c.content_hash)
            .where(ARTICLES.c.canonical_url.in_(list(named)))):
        url = named[declared]
        record = batch[url]
        if record.article.content_hash == content_hash and declared not in batch:
            del merged[url]
            merged[declared] = replace(
                record, article=record.article.model_copy(update={"canonical_url": declared}),
                aliases=[*record.aliases, url])
    return merged


def _to_second(moment: datetime) -> datetime:
    """For comparing fetch times: WARC-Date has whole seconds, and SQLite hands
    back naive datetimes (every stored time is UTC)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).replace(microsecond=0)


def _last_per_url(records: Iterable[PageRecord]) -> dict[str, PageRecord]:
    batch: dict[str, PageRecord] = {}
    for record in records:
        batch[record.article.canonical_url] = record
    return batch


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
            # Take the write lock at the start: a deferred transaction that
            # later upgrades fails with "database is locked" at once.
            connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


__all__ = ["ArticleStore", "DisplayNames", "PageRecord", "StoreError", "StoreUnavailable",
           "UpsertCounts"]
