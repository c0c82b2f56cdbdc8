"""Tables. One row per article (keyed by canonical URL), one per revision of
its content with provenance, names as their own tables, crawl runs, the
quarantine, fetch failures and per-listing crawl state."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware on both databases: SQLite keeps no offset, so values are
    stored in UTC and read back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give it a timezone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


# The name side is indexed too: merging two names moves every link of one (0008).
article_authors = Table(
    "article_authors", Base.metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("author_id", ForeignKey("authors.id"), primary_key=True, index=True),
)
article_categories = Table(
    "article_categories", Base.metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id"), primary_key=True, index=True),
)
article_tags = Table(
    "article_tags", Base.metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id"), primary_key=True, index=True),
)


class Name(Base):
    """A byline, category or tag name of one site, stored once per site: an
    "Opinion" of one site is not another site's (0008). Names no article used
    when 0008 ran are kept under the site ''."""

    __abstract__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(Text, default="")
    name: Mapped[str] = mapped_column(Text)


class Author(Name):
    __tablename__ = "authors"
    __table_args__ = (UniqueConstraint("site", "name"),)


class Category(Name):
    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("site", "name"),)


class Tag(Name):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("site", "name"),)


class Article(Base):
    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Text, not VARCHAR(n): real URLs, tag names and ETags run long (see 0003).
    canonical_url: Mapped[str] = mapped_column(Text, unique=True)
    url: Mapped[str] = mapped_column(Text)
    # The site it belongs to: the sites file's or registry's name, or the host
    # for a profile crawl or an import (0007; filled for older rows by 0008).
    # Set when the article is first stored and kept: its names are that site's.
    site: Mapped[str | None] = mapped_column(Text, index=True)
    title: Mapped[str] = mapped_column(Text)
    published: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # As the page printed it: the UTC offset it gave (minutes) and its calendar
    # day there, so every output shows the page's own day (migration 0005).
    published_offset: Mapped[int | None] = mapped_column(Integer)
    published_day: Mapped[date | None] = mapped_column(Date, index=True)
    dateline: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    images: Mapped[list] = mapped_column(JSON, default=list)
    language: Mapped[str | None] = mapped_column(String(16))
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    content_hash: Mapped[str] = mapped_column(String(64))
    extractor: Mapped[str] = mapped_column(String(40))
    fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="live")  # live | gone
    revision: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_fetched: Mapped[datetime] = mapped_column(UTCDateTime())
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)

    authors: Mapped[list[Author]] = relationship(secondary=article_authors, lazy="selectin")
    categories: Mapped[list[Category]] = relationship(secondary=article_categories,
                                                      lazy="selectin")
    tags: Mapped[list[Tag]] = relationship(secondary=article_tags, lazy="selectin")


class Revision(Base):
    """One version of an article's content, and where it came from."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("article_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"),
                                            index=True)
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime())
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    warc_file: Mapped[str | None] = mapped_column(Text)
    warc_offset: Mapped[int | None] = mapped_column(Integer)
    extractor: Mapped[str] = mapped_column(String(40))
    cleaner_version: Mapped[str] = mapped_column(String(40))
    parser: Mapped[str | None] = mapped_column(Text)  # the site's parser version (0007)


class CrawlRun(Base):
    __tablename__ = "crawl_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    started: Mapped[datetime] = mapped_column(UTCDateTime())
    finished: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default="running")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    stats: Mapped[dict] = mapped_column(JSON, default=dict)


class Quarantine(Base):
    """A fetched page that did not become an article, with the reason."""

    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    reason: Mapped[str] = mapped_column(String(60), index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    permanent: Mapped[bool] = mapped_column(Boolean, default=True)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    warc_file: Mapped[str | None] = mapped_column(Text)
    warc_offset: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class FetchFailure(Base):
    """A request that got no usable page (HTTP error, timeout, robots.txt...)."""

    __tablename__ = "fetch_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, index=True)
    reason: Mapped[str] = mapped_column(String(60), index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    permanent: Mapped[bool] = mapped_column(Boolean, default=False)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class BackfillShard(Base):
    """One shard of a backfill: done shards are skipped when it runs again."""

    __tablename__ = "backfill_shards"
    __table_args__ = (UniqueConstraint("backfill", "shard"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    backfill: Mapped[str] = mapped_column(String(200), index=True)
    shard: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20))
    worker: Mapped[str | None] = mapped_column(String(200))
    stats: Mapped[dict] = mapped_column(JSON, default=dict)
    updated: Mapped[datetime] = mapped_column(UTCDateTime())


class ListingState(Base):
    """How far the walk of one listing (a category, tag or author) has come."""

    __tablename__ = "listing_state"
    id: Mapped[int] = mapped_column(primary_key=True)
    listing: Mapped[str] = mapped_column(Text, unique=True)
    deepest_page: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    updated: Mapped[datetime] = mapped_column(UTCDateTime())


class SiteTerm(Base):
    """A section, tag or author of a site, as its pages show it: found by a
    crawl (so later crawls walk it), with its display name once a page gave it."""

    __tablename__ = "site_terms"
    __table_args__ = (UniqueConstraint("site", "kind", "slug"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))  # category | tag | author
    slug: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    updated: Mapped[datetime] = mapped_column(UTCDateTime())


class UrlAlias(Base):
    """Another URL form under which an article was reached (the listing's URL
    before a redirect, a share or session link): discovery that finds the
    article under it knows it is stored."""

    __tablename__ = "url_aliases"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"),
                                            index=True)
