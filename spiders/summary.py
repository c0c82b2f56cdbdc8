"""What a crawl run did, in one typed record: the child makes it from
Scrapy's stats, the runner adds the run's identity and outcome, and the
outcome rules, the flows' reports, the fleet and the CLI read it. Stored
with the run (as JSON) and returned by the crawl flow."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from .coverage import Coverage


@dataclass(frozen=True)
class RunOutcome:
    """How a run ended, judged by `spiders.outcome` (docs/outcomes.md)."""

    state: Literal["completed", "failed", "cancelled"]
    cause: str | None = None  # one of outcome.RUN_FAILURE_CAUSES when failed
    message: str = ""

    @property
    def failed(self) -> bool:
        return self.state != "completed"


class CrawlSummary(BaseModel):
    # Runs stored by older versions carry keys since renamed or dropped.
    model_config = ConfigDict(extra="ignore")

    pages_fetched: int = 0  # responses received
    requests: int = 0
    listing_pages: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    articles_not_modified: int = 0  # answered 304
    articles_gone: int = 0  # a stored article answering 404/410
    articles_requested: int = 0
    articles_failed: int = 0  # article requests that failed
    quarantined: dict[str, int] = {}  # pages that did not clean into articles, by reason
    failures: dict[str, int] = {}  # failed requests, by reason
    start_listings: list[str] = []
    start_urls: int = 0  # the pages named with --url
    start_failures: dict[str, str] = {}  # start listing -> why it failed
    retries: int = 0
    robots_disallowed: int = 0
    offsite_filtered: int = 0
    refused_links: int = 0
    extractors: dict[str, int] = {}  # articles by the profile that cleaned them
    fallbacks: int = 0
    missing_dates: int = 0
    pages_not_articles: int = 0
    pages_in_hand_peak: int = 0  # most pages held for the store at once
    store_write_s: float = 0.0  # seconds in the writer thread's store calls
    store_read_s: float = 0.0  # and in the read pool's
    read_as: str | None = None  # the site profile the pages were read with
    site: str | None = None  # the name its articles are stored under
    coverage: Coverage | None = None
    # What the sitemap bounds and the once-per-URL rule left out, by bound.
    discovery_bounds: dict[str, int] = {}
    callback_error: str | None = None  # the first, for the verdict
    # Article URLs found in any way, and the other hosts the home page links
    # to most: a crawl that found nothing names them.
    urls_found: int | None = None
    offsite_hosts: dict[str, int] = {}
    listing_past_end: int = 0
    finish_reason: str | None = None
    duration_s: float = 0.0
    crawl_s: float = 0.0  # inside Scrapy
    pages_per_s: float = 0.0
    # Added by whoever records the run's end.
    run_id: int | None = None
    base_url: str | None = None
    log_file: str | None = None
    outcome: RunOutcome | None = None

    @classmethod
    def from_scrapy_stats(cls, stats: dict[str, Any], wall_seconds: float) -> CrawlSummary:
        """From the crawl's Scrapy stats (the child's, or its stats file)."""
        pipeline = stats.get("pipeline", {}) or {}
        store = stats.get("store") or {}
        fetched = int(stats.get("downloader/response_count", 0))
        return cls(
            pages_fetched=fetched,
            requests=int(stats.get("downloader/request_count", 0)),
            listing_pages=int(stats.get("listing/pages", 0)),
            articles_new=pipeline.get("articles_new", 0),
            articles_updated=pipeline.get("articles_updated", 0),
            articles_unchanged=pipeline.get("articles_unchanged", 0),
            articles_not_modified=int(stats.get("articles/not_modified", 0)),
            articles_gone=int(stats.get("articles/gone", 0)),
            articles_requested=int(stats.get("articles/requested", 0)),
            articles_failed=int(stats.get("articles/failed", 0)),
            quarantined=pipeline.get("quarantined", {}),
            failures=dict(Counter({key.split("/", 1)[1]: value for key, value in stats.items()
                                   if key.startswith("failures/")})),
            start_listings=list(stats.get("start/listings", []) or []),
            start_urls=int(stats.get("start/urls", 0)),
            start_failures=dict(stats.get("start/failures", {}) or {}),
            retries=int(stats.get("retry/count", 0)),
            robots_disallowed=int(stats.get("robotstxt/forbidden", 0)),
            offsite_filtered=int(stats.get("offsite/filtered", 0)),
            refused_links=int(stats.get("refused/links", 0)),
            extractors=pipeline.get("extractors", {}),
            fallbacks=pipeline.get("fallbacks", 0),
            missing_dates=pipeline.get("missing_dates", 0),
            pages_not_articles=pipeline.get("pages_not_articles", 0),
            pages_in_hand_peak=pipeline.get("pages_in_hand_peak", 0),
            store_write_s=store.get("write_s", 0.0),
            store_read_s=store.get("read_s", 0.0),
            read_as=stats.get("site/read_as"),
            site=stats.get("site/stored_as"),
            coverage=stats.get("coverage"),
            discovery_bounds=dict(stats.get("discovery/bounds", {}) or {}),
            callback_error=stats.get("callback_error/first"),
            urls_found=stats.get("discovery/urls_found"),
            offsite_hosts=dict(stats.get("discovery/offsite_hosts", {}) or {}),
            listing_past_end=int(stats.get("listing/past_end", 0)),
            finish_reason=stats.get("finish_reason"),
            duration_s=round(wall_seconds, 2),
            crawl_s=round(float(stats.get("elapsed_time_seconds", 0.0)), 2),
            pages_per_s=round(fetched / wall_seconds, 2) if wall_seconds else 0.0,
        )

    @property
    def stored(self) -> int:
        """Articles stored or found unchanged."""
        return self.articles_new + self.articles_updated + self.articles_unchanged

    @property
    def quarantined_total(self) -> int:
        """Pages fetched that did not clean into articles, all reasons together."""
        return sum(self.quarantined.values())

    @property
    def outcome_label(self) -> str:
        """`completed`, or `failed (cause)`; blank for a run not judged."""
        if self.outcome is None:
            return ""
        return self.outcome.state + (f" ({self.outcome.cause})" if self.outcome.cause else "")

    @property
    def failed_total(self) -> int:
        return sum(self.failures.values())

    def as_record(self, include: set[str] | None = None) -> dict[str, Any]:
        """As JSON values: the run row's stats, `--json`, a shard's record."""
        return self.model_dump(mode="json", include=include)
