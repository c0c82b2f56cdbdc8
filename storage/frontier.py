"""The crawl frontier: what a crawl asks before it fetches (known URLs, their
validators, how far each listing walk has come, the sections a site has) and
what it records as it goes (failures, pages gone, listing walks)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from .database import (
    Database,
    in_chunks,
    now,
    retry_when_unavailable,
)
from .models import (
    Article,
    FetchFailure,
    ListingState,
    Quarantine,
    SiteTerm,
    UrlAlias,
)


class StoreFrontier(Database):
    """The crawl's state in the store."""

    @retry_when_unavailable
    def mark_gone(self, url: str) -> bool:
        """A stored article that now answers 404/410: kept, marked gone."""
        with self.sessions.begin() as session:
            result = session.execute(update(Article).where(Article.canonical_url == url)
                                     .values(status="gone", last_fetched=now()))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    @retry_when_unavailable
    def record_failure(self, url: str, reason: str, detail: str = "", *, permanent: bool = False,
                       run_id: int | None = None) -> None:
        with self.sessions.begin() as session:
            session.add(FetchFailure(url=url, reason=reason, detail=detail[:2000],
                                     permanent=permanent, crawl_run_id=run_id, at=now()))

    @retry_when_unavailable
    def known_urls(self, urls: Iterable[str], stale_before: datetime | None = None) -> set[str]:
        """URLs not to fetch again: stored articles (unless last fetched before
        `stale_before`) under their canonical URL or an alias, pages quarantined
        for a permanent reason, and requests that failed for a permanent one
        (404, 410, robots.txt...). A transient failure is tried again next run."""
        unique = list(dict.fromkeys(urls))
        known: set[str] = set()
        with self.reads() as session:
            for chunk in in_chunks(unique):
                known |= self._known_among(session, list(chunk), stale_before)
        return known

    @staticmethod
    def _known_among(session: Any, urls: list[str], stale_before: datetime | None) -> set[str]:
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
        with self.reads() as session:
            query = select(Article.canonical_url).where(
                Article.canonical_url.startswith(prefix, autoescape=True))
            if fetched_before is not None:
                query = query.where(Article.last_fetched < fetched_before)
            return list(session.scalars(query.order_by(Article.id)))

    @retry_when_unavailable
    def validators(self, urls: Iterable[str]) -> dict[str, tuple[str | None, str | None, datetime]]:
        """ETag, Last-Modified and last fetch time of stored articles."""
        found: dict[str, tuple[str | None, str | None, datetime]] = {}
        with self.reads() as session:
            for chunk in in_chunks(list(dict.fromkeys(urls))):
                found.update((r[0], (r[1], r[2], r[3])) for r in session.execute(
                    select(Article.canonical_url, Article.etag, Article.last_modified,
                           Article.last_fetched).where(Article.canonical_url.in_(chunk))))
        return found

    @retry_when_unavailable
    def listing_state(self, listing: str) -> tuple[int, bool]:
        with self.reads() as session:
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

    @retry_when_unavailable
    def site_terms(self, site: str, kinds: tuple[str, ...] = ("category", "tag", "author")
                   ) -> list[SiteTerm]:
        """What crawls of `site` found, oldest first."""
        with self.reads() as session:
            return list(session.scalars(
                select(SiteTerm).where(SiteTerm.site == site, SiteTerm.kind.in_(kinds))
                .order_by(SiteTerm.id)))


    @retry_when_unavailable
    def forget_term(self, site: str, kind: str, slug: str) -> bool:
        """A section, tag or author whose listing answered 404/410: not walked
        again unless a page names it again (its articles keep their names)."""
        with self.sessions.begin() as session:
            result = session.execute(delete(SiteTerm).where(
                SiteTerm.site == site, SiteTerm.kind == kind, SiteTerm.slug == slug))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    @retry_when_unavailable
    def why_not_stored(self, run_id: int, limit: int = 10_000) -> dict[str, str]:
        """URL -> why a run fetched it without storing it: its failure or
        quarantine reason (the first recorded), for the crawl's coverage report."""
        reasons: dict[str, str] = {}
        with self.reads() as session:
            for model in (FetchFailure, Quarantine):
                for url, reason in session.execute(
                        select(model.url, model.reason).where(model.crawl_run_id == run_id)
                        .order_by(model.id).limit(limit)):
                    reasons.setdefault(url, reason)
        return reasons
