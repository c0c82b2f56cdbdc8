"""The reader: show, search, export, stats, and the archived pages that
re-extraction reads again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    Connection,
    func,
    select,
    text,
)
from sqlalchemy.orm import Session

from .config import redact
from .database import (
    Database,
    retry_when_unavailable,
)
from .models import (
    Article,
    Category,
    CrawlRun,
    FetchFailure,
    Quarantine,
    Revision,
    UrlAlias,
)
from .naming import (
    SiteCounts,
)
from .search import PG_SEARCH_VECTOR, SEARCH_CANDIDATES, to_fts5, to_tsquery
from .search import parse as parse_query
from .writer import NAME_LINKS

_FTS_OF_SITE = "AND rowid IN (SELECT id FROM articles WHERE site = :site) "

# Articles queued for the search indexer and not yet indexed, up to this many,
# are searched by their text computed on the fly (0.25 ms each): a search
# finds an article from its commit on. More are a bulk ingest under way: the
# index is searched as it stands, and holds them within seconds.
PENDING_SEARCHED = 200


def _with_provenance(session: Session, rows: list[Article]) -> list[dict[str, Any]]:
    """Articles as every output shows them (`show`, `search`, `export`): the
    article, then where its current revision came from: the site parser that
    read it (`aawsat-1@2005-01-01`), the cleaner's version, when it was
    fetched and its WARC record."""
    sources = {r.article_id: r for r in session.scalars(
        select(Revision).join(Article, (Revision.article_id == Article.id)
                              & (Revision.number == Article.revision))
        .where(Article.id.in_([row.id for row in rows])))} if rows else {}
    articles = []
    for row in rows:
        source = sources.get(row.id)
        articles.append({**_article_dict(row),
                         "parser_version": source.parser if source else None,
                         "cleaner_version": source.cleaner_version if source else None,
                         "revision_fetched": source.fetched_at if source else None,
                         "warc_file": source.warc_file if source else None,
                         "warc_offset": source.warc_offset if source else None})
    return articles


class StoreReader(Database):
    """Everything the store answers without changing it."""

    def quarantine_samples(self, run_id: int | None, limit: int = 10) -> list[dict[str, Any]]:
        with self.reads() as session:
            query = select(Quarantine).order_by(Quarantine.id.desc()).limit(limit)
            if run_id is not None:
                query = query.where(Quarantine.crawl_run_id == run_id)
            return [{"url": q.url, "reason": q.reason, "detail": q.detail}
                    for q in session.scalars(query)]

    def get(self, url: str) -> dict[str, Any] | None:
        """The article stored under `url`, or under the URL `url` is an alias of."""
        with self.reads() as session:
            row = session.scalar(select(Article).where(Article.canonical_url == url))
            if row is None:
                row = session.scalar(select(Article).join(
                    UrlAlias, UrlAlias.article_id == Article.id).where(UrlAlias.url == url))
            return _with_provenance(session, [row])[0] if row else None

    def category_names(self, site: str | None = None) -> list[str]:
        """The categories articles are stored with (of `site`, when given)."""
        with self.reads() as session:
            query = select(Category.name).distinct().order_by(Category.name)
            if site is not None:
                query = query.where(Category.site == site)
            return list(session.scalars(query))

    def revisions(self, url: str) -> list[dict[str, Any]]:
        with self.reads() as session:
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
        with self.reads() as session:
            query = select(model).order_by(model.id.desc()).limit(limit)
            if reason:
                query = query.where(model.reason == reason)
            if run_id is not None:
                query = query.where(model.crawl_run_id == run_id)
            return list(session.scalars(query))

    def search(self, query: str, limit: int = 20, site: str | None = None
               ) -> list[dict[str, Any]]:
        """Full-text search in the query language of storage/search.py; the
        best-ranked `limit` articles (of `site` only, when given): on
        PostgreSQL of the SEARCH_CANDIDATES newest matches (see there). The
        query is always a bound parameter."""
        parsed = parse_query(query)
        values: dict[str, Any] = {"n": limit, "site": site}
        with self.reads() as session:
            if self.dialect == "postgresql":
                ids = _pg_search(session.connection(), to_tsquery(parsed), site, limit)
            else:
                ids = [int(i) for i in session.scalars(text(
                    "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q "
                    + (_FTS_OF_SITE if site is not None else "")
                    + "ORDER BY rank, rowid LIMIT :n"), {**values, "q": to_fts5(parsed)})]
            rows = {a.id: a for a in session.scalars(select(Article).where(Article.id.in_(ids)))}
            return _with_provenance(session, [rows[i] for i in ids if i in rows])

    def count_matches(self, query: str, site: str | None = None) -> int:
        """How many articles `search` would find with no limit."""
        parsed = parse_query(query)
        with self.reads() as session:
            if self.dialect == "postgresql":
                connection = session.connection()
                pending = _pending(connection)
                return int(connection.exec_driver_sql(
                    _pg_matched(pending, site) + " SELECT count(*) FROM matched",
                    {"q": to_tsquery(parsed), "site": site, "pending": pending}).scalar() or 0)
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
            with self.reads() as session:
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
                articles = _with_provenance(session, rows)
            if not rows:
                return
            yield from articles
            last_id = rows[-1].id

    def latest_revisions_with_warc(self, site: str | None = None
                                   ) -> Iterator[dict[str, Any]]:
        """Where each stored article's current content came from (of `site`,
        when given), for re-extraction and the names' mend job."""
        with self.reads() as session:
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
        with self.reads() as session:
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
        with self.reads() as session:
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
        with self.reads() as session:
            return sorted(s for s in session.scalars(select(Article.site).distinct())
                          if s is not None)

    def site_counts(self, site: str | None = None) -> list[SiteCounts]:
        """Articles and names per site (of `site` only, when given)."""
        with self.reads() as session:
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


def _pending(connection: Connection) -> list[int]:
    """Articles written and not yet indexed, when few (PENDING_SEARCHED).

    And for the rest of the search's transaction, matches are found through
    the GIN index: article_search's heap is small (its tsvectors are in
    TOAST), so without statistics, or for a common word, the planner would
    scan it and read every tsvector (107 ms at 20,000 articles; 1.9 ms by the
    index)."""
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    pending = [int(i) for i in connection.exec_driver_sql(
        "SELECT article_id FROM search_pending LIMIT %(n)s",
        {"n": PENDING_SEARCHED + 1}).scalars()]
    return pending if len(pending) <= PENDING_SEARCHED else []

def _pg_matched(pending: list[int], site: str | None) -> str:
    """A CTE `matched`: the ids of every article matching %(q)s, from the
    GIN index, and for the `pending` ones from their text (their indexed
    tsvector, if any, is an older content's)."""
    of_site = " AND a.site = %(site)s" if site is not None else ""
    indexed = ("SELECT s.article_id AS id FROM article_search s"
               + (" JOIN articles a ON a.id = s.article_id" if site is not None else "")
               + " WHERE s.search @@ to_tsquery('simple', %(q)s)" + of_site)
    if not pending:
        return f"WITH matched AS MATERIALIZED ({indexed})"
    return (f"WITH matched AS MATERIALIZED ({indexed} AND s.article_id <> ALL(%(pending)s) "
            "UNION ALL SELECT a.id FROM articles a WHERE a.id = ANY(%(pending)s)"
            f" AND {PG_SEARCH_VECTOR.format(a='a')} @@ to_tsquery('simple', %(q)s){of_site})")

def _pg_search(connection: Connection, tsquery: str, site: str | None, limit: int) -> list[int]:
    """The `limit` best by ts_rank of the SEARCH_CANDIDATES newest matches.
    The matches are taken whole from the index first (a LIMIT on the index
    scan itself could walk the table by id, testing each row), then only the
    candidates' tsvectors are read from TOAST and ranked."""
    pending = _pending(connection)
    vector = "(SELECT s.search FROM article_search s WHERE s.article_id = c.id)"
    if pending:
        vector = (f"CASE WHEN c.id = ANY(%(pending)s) THEN (SELECT "
                  f"{PG_SEARCH_VECTOR.format(a='a')} FROM articles a WHERE a.id = c.id) "
                  f"ELSE {vector} END")
    return [int(i) for i in connection.exec_driver_sql(
        _pg_matched(pending, site)
        + ", candidates AS (SELECT id FROM matched ORDER BY id DESC LIMIT %(candidates)s) "
        f"SELECT c.id FROM candidates c ORDER BY ts_rank({vector}, "
        "to_tsquery('simple', %(q)s)) DESC, c.id LIMIT %(n)s",
        {"q": tsquery, "site": site, "pending": pending, "candidates": SEARCH_CANDIDATES,
         "n": limit}).scalars()]

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
