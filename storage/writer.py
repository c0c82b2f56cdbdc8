"""The article writer: batched, idempotent upserts (an article keyed by its
canonical URL; a changed content hash makes a new revision; the same content
only refreshes the fetch time), planned and written in bulk by
storage/bulk.py, the quarantine, and a site's names (authors, categories,
tags under the display names its pages give their slugs).
Concurrent writers are safe: names are inserted with ON CONFLICT DO NOTHING,
a batch that loses an insert race is replayed, and SQLite transactions take
the write lock up front."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import (
    DataError,
    IntegrityError,
    ProgrammingError,
)

from .bulk import (
    ARTICLE_FIELDS,
    ARTICLES,
    CONTENT_FIELDS,
    REVISIONS,
    BatchPlan,
    Links,
    Written,
    among,
    article_values,
    last_per_url,
    new_ids_postgresql,
    new_ids_sqlite,
    plan_batch,
    queue_for_search,
    revision_values,
    write_postgresql,
    write_sqlite,
)
from .config import redact
from .database import (
    Database,
    StoreError,
    StoreUnavailable,
    _first_line,
    in_chunks,
    log,
    now,
    retry_when_unavailable,
)
from .models import (
    Author,
    Category,
    Name,
    Quarantine,
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
    name_key,
)
from .records import PageRecord, TermShown, UpsertCounts
from .search_index import SearchIndexer

DISPLAY_NAMES_TTL_S = 60.0

NAME_LINKS: dict[str, tuple[Table, type[Name]]] = {
    "authors": (article_authors, Author),
    "categories": (article_categories, Category),
    "tags": (article_tags, Tag),
}


def _lost_race(error: IntegrityError) -> bool:
    """A unique key another writer inserted first (retry), not a bad value."""
    text = str(error.orig).lower()
    return "unique" in text or "duplicate key" in text

def _gone_name(error: IntegrityError) -> bool:
    """A link to a name row that is no more (merged into its display name by
    another store meanwhile): the batch is replayed with names looked up again."""
    return "foreign key" in str(error.orig).lower()  # articles are never deleted: a name

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


class StoreWriter(Database):
    """Writes articles, revisions, names and the quarantine."""

    # The bulk paths (storage/bulk.py): COPY and set-based statements on
    # PostgreSQL, prepared executemany on SQLite. False: the portable ORM-Core
    # path, the reference the bulk paths are tested against.
    bulk_writes = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (site, field, name) -> id of authors, categories and tags. A name is
        # deleted only when merged into its display name (which drops it here);
        # a link to an id another process merged away fails, and the batch is
        # replayed with this emptied.
        self._name_ids: dict[tuple[str, str, str], int] = {}
        # site -> (when read, its display names).
        self._display: dict[str, tuple[float, DisplayNames]] = {}
        self._indexer: SearchIndexer | None = None
        self._indexer_lock = threading.Lock()

    def search_indexer(self) -> SearchIndexer:
        """PostgreSQL's search indexer of this store (storage/search_index.py),
        started at the first write; what it owes is indexed at close, or at exit."""
        with self._indexer_lock:
            if self._indexer is None:
                self._indexer = SearchIndexer(self.engine)
                weakref.finalize(self, self._indexer.close)
            return self._indexer

    def wait_searchable(self, timeout_s: float = 60.0) -> bool:
        """Until every article this store wrote is in the search index (a
        search finds them meanwhile all the same: storage/reader.py)."""
        return self._indexer.wait_idle(timeout_s) if self._indexer is not None else True

    def close(self) -> None:
        if self._indexer is not None:
            self._indexer.close()
        super().close()

    def upsert_articles(self, records: Iterable[PageRecord]) -> UpsertCounts:
        """Store a batch; a record the database refuses (a value it cannot
        take) is left out and listed in `counts.rejected`, and the rest of the
        batch is stored all the same. A store that refuses every record raises
        StoreError."""
        batch = last_per_url(records)
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
                    counts, queued = self._upsert(session.connection(), batch, fresh_names)
            except IntegrityError as error:
                if attempt == 3 or not (_lost_race(error) or _gone_name(error)):
                    raise  # another writer keeps winning, or a value the store refuses
                if _gone_name(error):  # a cached name another store merged away:
                    self._name_ids.clear()  # the names, and the display names it
                    self._display.clear()  # learned, looked up again
                continue
            self._name_ids.update(fresh_names)  # only ids of a committed transaction
            if queued:
                self.search_indexer().wrote(queued)  # may wait: see storage/search_index.py
            return counts
        raise AssertionError("unreachable")

    def _upsert(self, connection: Connection, batch: dict[str, PageRecord],
                fresh_names: dict[tuple[str, str, str], int]) -> tuple[UpsertCounts, int]:
        """A whole batch in a handful of statements (storage/bulk.py); the
        counts, and how many articles were queued for the search indexer."""
        plan = plan_batch(connection, batch)
        if not self.bulk_writes:
            written = self._write_portable(connection, plan, fresh_names)
        else:
            postgresql = self.dialect == "postgresql"
            new_ids = (new_ids_postgresql if postgresql else new_ids_sqlite)(
                connection, len(plan.new))
            written = plan.written(new_ids)
            links = self._name_links(connection, written, plan.sites, fresh_names)
            (write_postgresql if postgresql else write_sqlite)(connection, plan, written, links)
        self._add_aliases(connection, plan, written)
        # A page that now makes an article leaves the quarantine (under either URL).
        left = list(plan.batch) + [r.article.url for r in plan.batch.values()]
        connection.execute(delete(Quarantine).where(among(connection, Quarantine.url, left)))
        queued = [article_id for _, article_id, _ in written]
        if self.dialect == "postgresql":
            queue_for_search(connection, queued)
        return plan.counts(), len(queued) if self.dialect == "postgresql" else 0

    def _write_portable(self, connection: Connection, plan: BatchPlan,
                        fresh_names: dict[tuple[str, str, str], int]) -> list[Written]:
        """The plan in ORM-Core statements: one multi-row INSERT ... RETURNING
        of the new articles, one executemany UPDATE each for changed and
        unchanged ones, then the revisions and name links in bulk."""
        articles = ARTICLES
        sites = plan.sites
        if plan.unchanged:
            connection.execute(
                update(articles).where(articles.c.id == bindparam("b_id")).values(
                    last_fetched=bindparam("b_fetched"), status="live",
                    etag=func.coalesce(bindparam("b_etag"), articles.c.etag),
                    last_modified=func.coalesce(bindparam("b_modified"),
                                                articles.c.last_modified),
                    site=func.coalesce(articles.c.site, bindparam("b_site"))),
                [{"b_id": article_id, "b_fetched": r.fetched_at, "b_etag": r.etag,
                  "b_modified": r.last_modified, "b_site": sites[r.article.canonical_url]}
                 for r, article_id in plan.unchanged])
        written: list[Written] = []
        if plan.new:
            inserted = connection.execute(
                insert(articles).returning(articles.c.canonical_url, articles.c.id),
                [{**article_values(r), "canonical_url": r.article.canonical_url,
                  "site": sites[r.article.canonical_url], "first_seen": r.fetched_at,
                  "revision": 1} for r in plan.new])
            ids = {url: article_id for url, article_id in inserted}
            written += [(r, ids[r.article.canonical_url], 1) for r in plan.new]
        for rows, fields in ((plan.changed, ARTICLE_FIELDS), (plan.recleaned, CONTENT_FIELDS)):
            if not rows:
                continue
            connection.execute(
                update(articles).where(articles.c.id == bindparam("b_id")).values(
                    {**{column: bindparam(f"b_{column}") for column in fields},
                     "site": func.coalesce(articles.c.site, bindparam("b_site"))}),
                [{"b_id": article_id, "b_revision": number,
                  "b_site": sites[r.article.canonical_url],
                  **{f"b_{k}": v for k, v in article_values(r).items() if k in fields}}
                 for r, article_id, number in rows])
            written += rows
            for table, _ in NAME_LINKS.values():
                connection.execute(delete(table).where(
                    table.c.article_id.in_([article_id for _, article_id, _ in rows])))
        if written:
            connection.execute(insert(REVISIONS), [revision_values(*w) for w in written])
            for table, rows_ in self._name_links(connection, written, sites, fresh_names):
                column = _name_column(table)
                if rows_:
                    connection.execute(insert(table), [{"article_id": a, column: n}
                                                       for a, n in rows_])
        return written

    def _add_aliases(self, connection: Connection, plan: BatchPlan,
                     written: list[Written]) -> None:
        ids = dict(plan.stored_ids)
        ids.update({r.article.canonical_url: article_id for r, article_id, _ in written})
        rows = {alias: ids[url] for url, record in plan.batch.items() if url in ids
                for alias in record.aliases if alias != url}
        if not rows:
            return
        dialect_insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        connection.execute(dialect_insert(UrlAlias).on_conflict_do_nothing(
            index_elements=["url"]), [{"url": u, "article_id": i} for u, i in rows.items()])

    def _name_links(self, connection: Connection, written: list[Written],
                    sites: dict[str, str],
                    fresh_names: dict[tuple[str, str, str], int]) -> Links:
        """Authors, categories and tags of the written articles, each under its
        site's display name where one is known for its slug: (article id, name
        id) per link table. Names are looked up once per store (new ones
        inserted with ON CONFLICT DO NOTHING)."""
        dialect_insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        displays = {site: self._display_names(connection, site) for site in set(sites.values())}
        links: Links = []
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
            links.append((link_table, [(article_id, ids[(site, kind, name)])
                                       for article_id, site, names in per_article
                                       for name in names]))
        return links

    def _display_names(self, connection: Any, site: str) -> DisplayNames:
        """The display names the site's pages give its slugs (cached a while)."""
        cached = self._display.get(site)
        if cached is not None and time.monotonic() - cached[0] < DISPLAY_NAMES_TTL_S:
            return cached[1]
        names = DisplayNames.read(connection, site)
        self._display[site] = (time.monotonic(), names)
        return names

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
                    known = {(kind, slug): name
                             for chunk in in_chunks(sorted({t.slug for t in unique.values()}))
                             for kind, slug, name in connection.execute(
                                 select(SiteTerm.kind, SiteTerm.slug, SiteTerm.name).where(
                                     SiteTerm.site == site, SiteTerm.slug.in_(chunk)))}
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
            with self.reads() as session:  # closed without a commit
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


def _name_column(link_table: Table) -> str:
    return next(c.name for c in link_table.c if c.name != "article_id")

