"""The article writer: batched, idempotent upserts (an article keyed by its
canonical URL; a changed content hash makes a new revision; the same content
only refreshes the fetch time), the quarantine, and a site's names (authors,
categories, tags under the display names its pages give their slugs).
Concurrent writers are safe: names are inserted with ON CONFLICT DO NOTHING,
a batch that loses an insert race is replayed, and SQLite transactions take
the write lock up front."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
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
from sqlalchemy.orm import Session

from .config import redact
from .database import (
    Database,
    StoreError,
    StoreUnavailable,
    _first_line,
    log,
    now,
    retry_when_unavailable,
)
from .models import (
    Article,
    Author,
    Category,
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
    name_key,
    site_for_url,
)
from .records import PageRecord, TermShown, UpsertCounts

DISPLAY_NAMES_TTL_S = 60.0

ARTICLES = cast(Table, Article.__table__)

REVISIONS = cast(Table, Revision.__table__)

ARTICLE_FIELDS = ("url", "title", "published", "published_offset", "published_day", "dateline",
                  "body", "images", "language", "word_count", "content_hash", "extractor",
                  "fallback", "warnings", "status", "last_fetched", "etag", "last_modified",
                  "revision")

CONTENT_FIELDS = tuple(f for f in ARTICLE_FIELDS
                       if f not in ("status", "last_fetched", "etag", "last_modified"))

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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (site, field, name) -> id of authors, categories and tags. A name is
        # deleted only when merged into its display name (which drops it here);
        # a link to an id another process merged away fails, and the batch is
        # replayed with this emptied.
        self._name_ids: dict[tuple[str, str, str], int] = {}
        # site -> (when read, its display names).
        self._display: dict[str, tuple[float, DisplayNames]] = {}

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
