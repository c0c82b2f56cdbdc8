"""A batch of articles against the store, planned once and written in bulk.

`plan_batch` reads what is stored (one SELECT, plus the alias and same-content
look-ups) and sorts the batch: new, changed (a crawl page with new content),
re-cleaned (a re-extraction with new content: content only), unchanged (a
crawl page with the stored content: its fetch time and validators only) and
stale (a re-extraction older than the stored revision: left alone).
StoreWriter then writes the plan:

- PostgreSQL (`write_postgresql`): ids of new articles drawn from their
  sequence in one statement; every written article COPYed, with its
  revision's provenance, into a temporary staging table; then one
  INSERT ... SELECT for the new articles, one UPDATE ... FROM for the changed
  and re-cleaned, one INSERT ... SELECT for their revisions, one COPY per
  name-link table, one UPDATE ... FROM unnest(...) for the unchanged, and
  their ids queued for the search indexer (storage/search_index.py).
- SQLite (`write_sqlite`): ids taken after the largest (the transaction holds
  the write lock from its BEGIN IMMEDIATE), then one prepared statement per
  kind of row, executemany; FTS5 follows through its triggers.

Values go through the columns' own SQLAlchemy bind processors, so a row
holds exactly what the ORM path (StoreWriter's portable path) stores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import ColumnElement, Connection, Table, Text, any_, bindparam, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import InstrumentedAttribute

from cleaning.urls import host_site

from .models import Article, Revision, UrlAlias
from .records import PageRecord, UpsertCounts

ARTICLES = cast(Table, Article.__table__)
REVISIONS = cast(Table, Revision.__table__)

ARTICLE_FIELDS = ("url", "title", "published", "published_offset", "published_day", "dateline",
                  "body", "images", "language", "word_count", "content_hash", "extractor",
                  "fallback", "warnings", "status", "last_fetched", "etag", "last_modified",
                  "revision")
# What a re-extraction changes: the crawl's own fields (status, validators,
# fetch time) stay as the crawl left them.
CRAWL_FIELDS = ("status", "last_fetched", "etag", "last_modified")
CONTENT_FIELDS = tuple(f for f in ARTICLE_FIELDS if f not in CRAWL_FIELDS)
REVISION_FIELDS = ("fetched_at", "crawl_run_id", "warc_file", "warc_offset", "cleaner_version",
                   "parser")
# Every column a written article's row and its revision's row get.
ARTICLE_COLUMNS = ("id", "canonical_url", "site", "first_seen", *ARTICLE_FIELDS)
REVISION_COLUMNS = ("article_id", "number", "content_hash", "title", "body", "extractor",
                    *REVISION_FIELDS)

# (record, article id, revision number) of each article whose content is written.
Written = tuple[PageRecord, int, int]
# (link table, rows of (article id, name id)) for each kind of name.
Links = list[tuple[Table, list[tuple[int, int]]]]


@dataclass
class BatchPlan:
    """What a batch comes to against the store."""

    batch: dict[str, PageRecord]  # by key, after aliases and same-content merges
    stored_ids: dict[str, int]  # the batch's keys already stored
    sites: dict[str, str]  # the site each key is stored under
    new: list[PageRecord]
    changed: list[Written]  # crawl pages with new content
    recleaned: list[Written]  # re-extractions with new content
    unchanged: list[tuple[PageRecord, int]]  # crawl pages with the stored content
    stale: int  # re-extractions older than the stored revision

    def counts(self) -> UpsertCounts:
        written = len(self.new) + len(self.changed) + len(self.recleaned)
        return UpsertCounts(new=len(self.new), updated=len(self.changed) + len(self.recleaned),
                            unchanged=len(self.batch) - written - self.stale, stale=self.stale)

    def written(self, new_ids: Sequence[int]) -> list[Written]:
        """Every article whose content is written, new ones under `new_ids`."""
        return [(r, i, 1) for r, i in zip(self.new, new_ids, strict=True)] \
            + self.changed + self.recleaned


def plan_batch(connection: Connection, batch: dict[str, PageRecord]) -> BatchPlan:
    batch = _merge_same_content(connection, batch)
    stored = _stored(connection, list(batch))
    unknown = set(batch) - set(stored)
    if unknown:
        batch, followed = _follow_aliases(connection, batch, unknown)
        stored.update(_stored(connection, followed))
    # The site each page is stored under: a stored article keeps its own
    # (its names are that site's), a new one takes the record's (its writer
    # resolved it), else its host[:port]: the store knows no sites.
    sites = {url: (stored[url].site if url in stored else None) or record.site or host_site(url)
             for url, record in batch.items()}
    plan = BatchPlan(batch, {url: row.id for url, row in stored.items()}, sites,
                     [], [], [], [], 0)
    for url, record in batch.items():
        row = stored.get(url)
        if row is None:
            plan.new.append(record)
        elif not record.from_crawl and row.fetched_at is not None \
                and _to_second(row.fetched_at) > _to_second(record.fetched_at):
            plan.stale += 1  # a crawl stored a newer page meanwhile: it stays
        elif row.content_hash != record.article.content_hash:
            (plan.changed if record.from_crawl else plan.recleaned).append(
                (record, row.id, row.revision + 1))
        elif record.from_crawl:
            plan.unchanged.append((record, row.id))
    return plan


class Stored(NamedTuple):
    """A stored article as a batch is planned against it."""

    id: int
    canonical_url: str
    content_hash: str
    revision: int
    site: str | None
    fetched_at: datetime | None  # of its current revision


def _stored(connection: Connection, urls: list[str]) -> dict[str, Stored]:
    """The stored articles of these keys, with the fetch time of their revision."""
    if not urls:
        return {}
    return {row.canonical_url: Stored(*row) for row in connection.execute(
        select(ARTICLES.c.id, ARTICLES.c.canonical_url, ARTICLES.c.content_hash,
               ARTICLES.c.revision, ARTICLES.c.site, REVISIONS.c.fetched_at)
        .outerjoin(REVISIONS, (REVISIONS.c.article_id == ARTICLES.c.id)
                   & (REVISIONS.c.number == ARTICLES.c.revision))
        .where(among(connection, ARTICLES.c.canonical_url, urls)))}

def among(connection: Connection, column: ColumnElement[str] | InstrumentedAttribute[str],
          values: Sequence[str]) -> ColumnElement[bool]:
    """`column IN values`; on PostgreSQL `= ANY(array)`: one parameter, where
    an IN list of a batch's 500 URLs had psycopg parse 500 placeholders."""
    if connection.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(Text)))
    return column.in_(list(values))

def article_values(record: PageRecord) -> dict[str, Any]:
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

def row_values(record: PageRecord, article_id: int, number: int, site: str) -> dict[str, Any]:
    """The values of ARTICLE_COLUMNS for a written article."""
    return {**article_values(record), "id": article_id,
            "canonical_url": record.article.canonical_url, "site": site,
            "first_seen": record.fetched_at, "revision": number}

def revision_values(record: PageRecord, article_id: int, number: int) -> dict[str, Any]:
    clean = record.article
    return {
        "article_id": article_id, "number": number, "content_hash": clean.content_hash,
        "title": clean.title, "body": clean.body, "fetched_at": record.fetched_at,
        "crawl_run_id": record.run_id, "warc_file": record.warc_file,
        "warc_offset": record.warc_offset, "extractor": clean.extractor,
        "cleaner_version": record.cleaner_version, "parser": clean.parser,
    }


class ColumnValues:
    """Tuples of column values as the dialect stores them (the columns' bind
    processors: UTC times, JSON text, SQLite's dates and booleans)."""

    def __init__(self, connection: Connection, table: Table, columns: Sequence[str]) -> None:
        dialect = connection.dialect
        self.columns = tuple(columns)
        self._processors: list[Callable[[Any], Any] | None] = [
            table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(value if process is None or value is None else process(value)
                     for value, process in zip((values[c] for c in self.columns),
                                               self._processors, strict=True))


# --- PostgreSQL ---------------------------------------------------------------------------

STAGE = "_upsert_stage"
# A temporary table of this session, emptied at every commit; its values are
# compressed once, and INSERT ... SELECT moves them compressed (lz4: 0009).
STAGE_DDL = (f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} (LIKE articles INCLUDING COMPRESSION, "
             "ord integer, is_new boolean, from_crawl boolean, fetched_at timestamptz, "
             "crawl_run_id integer, warc_file text, warc_offset integer, "
             "cleaner_version varchar(40), parser text) ON COMMIT DELETE ROWS")
_ARTICLE_LIST = ", ".join(ARTICLE_COLUMNS)
INSERT_NEW = (f"INSERT INTO articles ({_ARTICLE_LIST}) SELECT {_ARTICLE_LIST} FROM {STAGE} "
              "WHERE is_new ORDER BY ord")
# A re-extraction (not from_crawl) leaves the crawl's fields as they are.
UPDATE_WRITTEN = (
    "UPDATE articles a SET "
    + ", ".join([f"{f} = s.{f}" for f in CONTENT_FIELDS]
                + [f"{f} = CASE WHEN s.from_crawl THEN s.{f} ELSE a.{f} END"
                   for f in CRAWL_FIELDS]
                + ["site = coalesce(a.site, s.site)"])
    + f" FROM {STAGE} s WHERE NOT s.is_new AND a.id = s.id")
INSERT_REVISIONS = (
    f"INSERT INTO revisions ({', '.join(REVISION_COLUMNS)}) "
    "SELECT id, revision, content_hash, title, body, extractor, "
    + ", ".join(REVISION_FIELDS) + f" FROM {STAGE} ORDER BY ord")
UPDATE_UNCHANGED = (
    "UPDATE articles a SET last_fetched = u.fetched, status = 'live', "
    "etag = coalesce(u.etag, a.etag), last_modified = coalesce(u.modified, a.last_modified), "
    "site = coalesce(a.site, u.site) "
    "FROM unnest(%(ids)s::integer[], %(fetched)s::timestamptz[], %(etags)s::text[], "
    "%(modified)s::text[], %(sites)s::text[]) AS u(id, fetched, etag, modified, site) "
    "WHERE a.id = u.id")
QUEUE_FOR_SEARCH = ("INSERT INTO search_pending (article_id) "
                    "SELECT unnest(%(ids)s::integer[]) ORDER BY 1 ON CONFLICT DO NOTHING")


def new_ids_postgresql(connection: Connection, count: int) -> list[int]:
    if not count:
        return []
    return [int(i) for i in connection.exec_driver_sql(
        "SELECT nextval(pg_get_serial_sequence('articles', 'id')) "
        "FROM generate_series(1, %(n)s::integer)", {"n": count}).scalars()]


def write_postgresql(connection: Connection, plan: BatchPlan, written: list[Written],
                     links: Links) -> None:
    if plan.unchanged:
        stamp = ColumnValues(connection, ARTICLES, ("last_fetched",))
        connection.exec_driver_sql(UPDATE_UNCHANGED, {
            "ids": [i for _, i in plan.unchanged],
            "fetched": [stamp.row({"last_fetched": r.fetched_at})[0] for r, _ in plan.unchanged],
            "etags": [pg_text(r.etag) for r, _ in plan.unchanged],
            "modified": [pg_text(r.last_modified) for r, _ in plan.unchanged],
            "sites": [plan.sites[r.article.canonical_url] for r, _ in plan.unchanged]})
    if not written:
        return
    connection.exec_driver_sql(STAGE_DDL)
    articles = ColumnValues(connection, ARTICLES, ARTICLE_COLUMNS)
    revisions = ColumnValues(connection, REVISIONS, REVISION_FIELDS)
    with copy_rows(connection, STAGE, ("ord", "is_new", "from_crawl", *ARTICLE_COLUMNS,
                                       *REVISION_FIELDS)) as write:
        for ord_, (record, article_id, number) in enumerate(written):
            url = record.article.canonical_url
            values = row_values(record, article_id, number, plan.sites[url])
            write((ord_, url not in plan.stored_ids, record.from_crawl, *articles.row(values),
                   *revisions.row(revision_values(record, article_id, number))))
    if plan.new:
        connection.exec_driver_sql(INSERT_NEW)
    rewritten = [article_id for _, article_id, _ in plan.changed + plan.recleaned]
    if rewritten:
        connection.exec_driver_sql(UPDATE_WRITTEN)
        for table, _ in links:
            connection.exec_driver_sql(f"DELETE FROM {table.name} WHERE article_id = ANY(%(ids)s)",
                                       {"ids": rewritten})
    connection.exec_driver_sql(INSERT_REVISIONS)
    for table, rows in links:
        if rows:
            with copy_rows(connection, table.name, tuple(c.name for c in table.c)) as write:
                for row in rows:
                    write(row)


def queue_for_search(connection: Connection, article_ids: list[int]) -> None:
    if article_ids:
        connection.exec_driver_sql(QUEUE_FOR_SEARCH, {"ids": article_ids})


@contextmanager
def copy_rows(connection: Connection, table: str,
              columns: Sequence[str]) -> Iterator[Callable[[Sequence[Any]], None]]:
    """COPY rows into `table` on the connection's own transaction (psycopg 3);
    a driver error comes out as SQLAlchemy's (DataError, IntegrityError...), as
    from any other statement of the store."""
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with driver_errors(connection, statement):
        raw = connection.connection.driver_connection
        assert raw is not None
        headers = [i for i, column in enumerate(columns) if column in HEADER_COLUMNS]
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            if not headers:
                yield copy.write_row
                return

            def write(row: Sequence[Any]) -> None:
                values = list(row)
                for i in headers:
                    values[i] = pg_text(values[i])
                copy.write_row(values)

            yield write


HEADER_COLUMNS = frozenset({"etag", "last_modified"})  # HTTP header values, stored as sent


def pg_text(value: Any) -> Any:
    """An HTTP header value as PostgreSQL's text takes it: a NUL (an ETag a
    server sent with one) is kept, written as the four characters `\\x00`
    (PostgreSQL refuses the byte itself; SQLite stores it as sent). Article
    text never holds one: the cleaner removes control characters."""
    return value.replace("\x00", "\\x00") if isinstance(value, str) and "\x00" in value \
        else value


@contextmanager
def driver_errors(connection: Connection, statement: str) -> Iterator[None]:
    dbapi = connection.dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as error:
        gone = connection.dialect.is_disconnect(error, connection.connection.dbapi_connection,
                                                None)
        if gone:
            connection.invalidate()
        raise DBAPIError.instance(statement, None, error, dbapi.Error,
                                  connection_invalidated=gone,
                                  dialect=connection.dialect) from None


# --- SQLite -----------------------------------------------------------------------------

def new_ids_sqlite(connection: Connection, count: int) -> list[int]:
    """The ids SQLite would give (its rowid after the largest): the
    transaction holds the write lock, so no other writer takes them."""
    if not count:
        return []
    last = int(connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM articles").scalar()
               or 0)
    return list(range(last + 1, last + 1 + count))


def write_sqlite(connection: Connection, plan: BatchPlan, written: list[Written],
                 links: Links) -> None:
    if plan.unchanged:
        stamp = ColumnValues(connection, ARTICLES, ("last_fetched",))
        connection.exec_driver_sql(
            "UPDATE articles SET last_fetched = ?, status = 'live', etag = coalesce(?, etag), "
            "last_modified = coalesce(?, last_modified), site = coalesce(site, ?) WHERE id = ?",
            [(*stamp.row({"last_fetched": r.fetched_at}), r.etag, r.last_modified,
              plan.sites[r.article.canonical_url], article_id)
             for r, article_id in plan.unchanged])
    if not written:
        return
    articles = ColumnValues(connection, ARTICLES, ARTICLE_COLUMNS)

    def values(record: PageRecord, article_id: int, number: int) -> dict[str, Any]:
        return row_values(record, article_id, number, plan.sites[record.article.canonical_url])

    new = [r for r in written if r[0].article.canonical_url not in plan.stored_ids]
    if new:
        connection.exec_driver_sql(
            f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(ARTICLE_COLUMNS))})",
            [articles.row(values(*w)) for w in new])
    for rows, fields in ((plan.changed, ARTICLE_FIELDS), (plan.recleaned, CONTENT_FIELDS)):
        if not rows:
            continue
        update = ColumnValues(connection, ARTICLES, (*fields, "site", "id"))
        connection.exec_driver_sql(
            "UPDATE articles SET " + ", ".join(f"{f} = ?" for f in fields)
            + ", site = coalesce(site, ?) WHERE id = ?",
            [update.row(values(*w)) for w in rows])
    rewritten = [(article_id,) for _, article_id, _ in plan.changed + plan.recleaned]
    if rewritten:
        for table, _ in links:
            connection.exec_driver_sql(f"DELETE FROM {table.name} WHERE article_id = ?",
                                       rewritten)
    revisions = ColumnValues(connection, REVISIONS, REVISION_COLUMNS)
    connection.exec_driver_sql(
        f"INSERT INTO revisions ({', '.join(REVISION_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(REVISION_COLUMNS))})",
        [revisions.row(revision_values(*w)) for w in written])
    for table, pairs in links:
        if pairs:
            connection.exec_driver_sql(
                f"INSERT INTO {table.name} ({', '.join(c.name for c in table.c)}) VALUES (?, ?)",
                pairs)


# --- what a batch's keys stand for --------------------------------------------------------

def _follow_aliases(connection: Connection, batch: dict[str, PageRecord], unknown: set[str]
                    ) -> tuple[dict[str, PageRecord], list[str]]:
    """A page whose key is another URL form of a stored article (an alias: an
    imported copy under http:// of an https:// article, a listing URL before a
    redirect) is that article: it takes the article's key, never a row of its
    own. `unknown`: the keys stored under no article; the batch, and the keys
    it took."""
    merged = dict(batch)
    followed: list[str] = []
    for alias, canonical in connection.execute(
            select(UrlAlias.url, ARTICLES.c.canonical_url)
            .join(ARTICLES, ARTICLES.c.id == UrlAlias.article_id)
            .where(among(connection, UrlAlias.url, sorted(unknown)))):
        if canonical in merged:
            continue  # the batch holds that article under its own key already
        record = merged.pop(alias)
        merged[canonical] = replace(
            record, article=record.article.model_copy(update={"canonical_url": canonical}),
            aliases=[*record.aliases, alias])
        followed.append(canonical)
    return merged, followed

def _merge_same_content(connection: Connection, batch: dict[str, PageRecord]
                        ) -> dict[str, PageRecord]:
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
            .where(among(connection, ARTICLES.c.canonical_url, list(named)))):
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

def last_per_url(records: Iterable[PageRecord]) -> dict[str, PageRecord]:
    """The batch by key, as the records would be stored one after the other:
    the last page of a key wins, keeping every page's aliases, and a page
    keyed by an alias an earlier page gave is that page's article."""
    batch: dict[str, PageRecord] = {}
    key_of: dict[str, str] = {}  # each alias given so far -> the key of its article
    for record in records:
        own = record.article.canonical_url
        key = key_of.get(own, own)
        aliases = [*record.aliases, *([own] if key != own else [])]
        if key in batch:
            aliases.extend(batch[key].aliases)
        for alias in aliases:
            key_of.setdefault(alias, key)
        article = record.article if key == own else \
            record.article.model_copy(update={"canonical_url": key})
        batch[key] = replace(record, article=article,
                             aliases=[a for a in dict.fromkeys(aliases) if a != key])
    return batch
