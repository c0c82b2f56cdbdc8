"""What one crawl is asked to do, validated before anything is fetched."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator, model_validator

from sites import AUTO, crawlable_names, get_site, shipped
from sites.resolve import ARCHIVE
from sites.sources import check_base_url

from .outcome import FALLBACK_ALARM, QUARANTINE_ALARM

DEFAULT_BASE_URL = str(shipped()[ARCHIVE].base_url)  # the catalog: import never loads user modules
DEFAULT_CONTACT = "https://github.com/news-archive-pipeline"


class CrawlConfig(BaseModel):
    site: str = AUTO  # a registered site or profile (sites/registry.py)
    base_url: str = DEFAULT_BASE_URL
    # The name its articles, sections and names are stored under: the sites
    # file's name; else the registered site's, or the base URL's host for a profile.
    site_label: str | None = None
    # The sites file's timezone (for dates printed without one) and language
    # (for pages that declare none); None: the site module's own.
    timezone: str | None = None
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$")
    mode: Literal["incremental", "full"] = "incremental"
    categories: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    authors: list[str] = Field(default_factory=list)
    months: list[str] = Field(default_factory=list)  # date archives to walk: "YYYY/MM"
    # A walk stops at the first listing page whose entries are all older.
    since: date | None = None
    urls: list[str] = Field(default_factory=list)
    max_pages: int | None = Field(default=None, ge=1, description="listing pages per listing")
    page_range: tuple[int, int] | None = None  # first and last listing page (backfill shards)
    refresh: bool = False
    refetch_after_days: float | None = Field(
        default=None, gt=0, description="fetch stored articles again once this old")
    warc_max_mb: int = Field(default=512, ge=1, description="rotate WARC files past this size")
    margin_pages: int = Field(default=1, ge=0)
    # Endless pagination: a listing walk stops after this many pages that show no
    # article new to the walk, and at this depth whatever they show.
    stale_listing_pages: int = Field(default=3, ge=1)
    max_listing_depth: int = Field(default=10_000, ge=1)
    # A site without listings, sitemaps or feeds: links followed this many
    # steps from the home page, and at most this many pages.
    max_link_depth: int = Field(default=4, ge=1, le=20)
    max_followed_pages: int = Field(default=20_000, ge=1)
    # Sitemaps: documents asked for in all, how deep indexes nest (0: the
    # root sitemaps), URLs read from one (50,000 is the protocol's own limit).
    max_sitemaps: int = Field(default=2_000, ge=1)
    max_sitemap_depth: int = Field(default=3, ge=0, le=10)
    max_sitemap_urls: int = Field(default=50_000, ge=1)
    # Quality alarms (a changed template): over these rates the run fails.
    fallback_alarm: float = Field(default=FALLBACK_ALARM, ge=0, le=1)
    quarantine_alarm: float = Field(default=QUARANTINE_ALARM, ge=0, le=1)
    db_url: str | None = None
    data_dir: str = "./data"
    contact: str = DEFAULT_CONTACT
    concurrency_per_domain: int = Field(default=4, ge=1, le=64)
    download_delay: float = Field(default=0.25, ge=0)
    autothrottle: bool = True
    download_timeout: float = Field(default=30, gt=0)
    max_page_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    retries: int = Field(default=3, ge=0, le=20)
    store_batch: int = Field(default=25, ge=1)
    # Pages held for the store at most (batched, queued for the writer thread or
    # being written): while the store waits (a restart, a lock) the crawl goes
    # on fetching until this many are in hand, then waits with it. A few
    # hundred cleaned articles: some MB (docs/crawl-lifecycle.md).
    max_pages_in_hand: int = Field(default=300, ge=1)
    # Seconds one page may take to clean in a worker: past it, quarantined.
    clean_budget_s: float = Field(default=30.0, gt=0)
    # Processes that clean pages, one per core by default (0: on the crawl's own thread).
    clean_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=0, le=64)
    # One budget per domain shared by all crawls (backfill shards on many workers).
    shared_rate_limit_per_s: float | None = Field(default=None, gt=0)
    redis_url: str | None = None

    @field_validator("site")
    @classmethod
    def _crawlable(cls, value: str) -> str:
        if value not in crawlable_names():
            raise ValueError(f"{value!r} is not a site that can be crawled "
                             f"({', '.join(crawlable_names())})")
        return value

    def stored_site(self, site: str) -> str:
        """The name articles are stored under once the crawl reads the site as
        `site` (the registered site or profile chosen, `auto` resolved)."""
        if self.site_label:
            return self.site_label
        if site != AUTO and not get_site(site).is_profile:
            return site
        parts = urlsplit(self.base_url)
        return parts.netloc.lower() or site

    @field_validator("base_url")
    @classmethod
    def _http_only(cls, value: str) -> str:
        return check_base_url(value)

    @field_validator("urls")
    @classmethod
    def _urls_http_only(cls, values: list[str]) -> list[str]:
        for value in values:
            if urlsplit(value).scheme not in ("http", "https"):
                raise ValueError(f"only http(s) URLs can be crawled, not {value!r}")
        return values

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"{value!r} is not a timezone (Europe/London, UTC, ...)") \
                    from None
        return value

    @field_validator("months")
    @classmethod
    def _months(cls, values: list[str]) -> list[str]:
        for value in values:
            if not re.fullmatch(r"\d{4}/(0[1-9]|1[0-2])", value):
                raise ValueError(f"{value!r}: a month is YYYY/MM")
        return values

    @field_validator("categories", "tags", "authors")
    @classmethod
    def _slugs(cls, values: list[str]) -> list[str]:
        for value in values:
            if not value or "/" in value or " " in value:
                raise ValueError(f"{value!r} is not a slug (like 'news-middle-east')")
        return values

    @model_validator(mode="after")
    def _urls_on_the_site(self) -> CrawlConfig:
        """An --url on another host would be refused by the crawl anyway: say so now."""
        for value in self.urls:
            parts, base = urlsplit(value), urlsplit(self.base_url)
            if (parts.hostname or "").lower() != (base.hostname or "").lower() \
                    or parts.port != base.port:
                raise ValueError(f"{value} is not on the site being crawled "
                                 f"({self.base_url}); give --base-url for its site")
        return self

    @model_validator(mode="after")
    def _range(self) -> CrawlConfig:
        if self.page_range and not 1 <= self.page_range[0] <= self.page_range[1]:
            raise ValueError(f"page_range must be (first, last) with 1 <= first <= last, "
                             f"not {self.page_range}")
        return self

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    @property
    def warc_dir(self) -> Path:
        return Path(self.data_dir) / "warc"
