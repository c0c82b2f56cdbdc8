"""What every part of the archive spider shares: the crawl's state, the
store off the reactor's thread, the terms pages teach, article requests
(conditional when stored), and failures recorded with their reason.

No store call runs on the reactor's thread (store_thread.py): writes go to
the crawl's writer thread in order, without waiting; the callbacks that read
the store are async and await the read on a thread, so a slow or absent
database never stops the downloads."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Self, TypeVar

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from cleaning import canonical_form
from ingest.names import SiteNames
from sites import AUTO, CrawlSources, Term, get_site
from storage.protocols import CrawlFrontier

from .config import CrawlConfig
from .coverage import ListingWalk
from .discovery import SourceLedger
from .failures import classify
from .items import FetchedPage
from .store_thread import ReaderThread, WriterThread

# Articles go before the next listing page: the queue of waiting requests then
# holds about one listing page's articles, whatever the size of the crawl.
ARTICLE_PRIORITY = 10
SOURCE_PRIORITY = 5  # feeds and sitemaps
LISTING_PRIORITY = 0
REVISIT_PRIORITY = -1  # stored articles asked again: after everything new
T = TypeVar("T")


@dataclass
class WalkState:
    """Where a listing walk is, carried by each of its page requests."""

    listing: str  # the listing's first page: the walk's key
    kind: str  # category, tag, author, month
    slug: str
    page: int
    last_page: int | None  # a backfill shard's last page
    completed: bool  # walked to its end by an earlier crawl
    resume_from: int | None = None  # the walk from page 1 stops there: a resumed walk goes on
    resumed: bool = False  # the walk that goes on from where a killed crawl stopped
    known_streak: int = 0  # pages in a row whose articles were all known
    stale_pages: int = 0  # pages in a row with no article new to this walk


class SpiderBase(scrapy.Spider):
    name = "archive"

    def __init__(self, config: CrawlConfig, store: CrawlFrontier, run_id: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.config = config
        self.store = store
        self.run_id = run_id
        # The site is read as `reading_as`; with `auto`, the home page says which
        # (until then, WordPress's rules: they only decide what is on the site).
        self.reading_as = config.site
        site = get_site("wordpress" if config.site == AUTO else config.site)
        self.sources: CrawlSources = site.crawl_sources(config.base_url)
        self.stored_as = config.stored_site(config.site)
        self.allowed_domains = sorted(self.sources.hosts)
        # Sections, tags and authors found this crawl, and those whose walk has started.
        self.names = SiteNames()  # the sections, tags and authors pages showed
        self.walks: dict[str, ListingWalk] = {}  # listing -> its walk this crawl
        # Tag and author listings too: in a full crawl, and in a site's first.
        self.walk_every_kind = config.mode == "full"
        # Open discovery (a site without listings): the home page's links, the
        # sources still to answer, the pages they named, the pages followed.
        self.home_links: list[str] = []
        self.ledger = SourceLedger(config.max_sitemaps, config.max_sitemap_depth)
        self.following = False  # link following started
        self.source_pages = 0
        self.followed = 0
        self.walked_to_end: dict[str, int] = {}  # listing -> its last page, this crawl
        # The listings (or home page) this crawl starts from, and those that failed:
        # when every one failed, the run failed (a mistyped category, say).
        self.start_listings: list[str] = []
        self.start_failures: dict[str, str] = {}
        # Hashes of the articles each listing walk has shown, to stop endless
        # pagination; bounded by what the listing holds, dropped at its end.
        self.walk_seen: dict[str, set[int]] = {}
        # The store off the reactor's thread: writes in order on one thread
        # (the pipeline's too), reads that need no order on a small pool.
        self.writer = WriterThread(config.max_pages_in_hand)
        self.reads = ReaderThread()
        self.gone = 0  # stored articles marked gone (counted on the writer thread)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_spider_error, signal=signals.spider_error)
        return spider

    def on_spider_error(self, failure: Failure, response: Response, spider: scrapy.Spider
                        ) -> None:
        """An exception in a callback (Scrapy logged it with its traceback)."""
        self.count_callback_error(failure.value, response)

    def callback_error(self, error: Exception, response: Response) -> None:
        """An exception caught in our own callback, so that what follows it still runs."""
        self.logger.error("error in the crawl's handling of %s", response.url, exc_info=error)
        self.count_callback_error(error, response)

    def count_callback_error(self, error: BaseException, response: Response) -> None:
        """A failure of the run like any other (docs/outcomes.md: callback_error)."""
        stats = self.crawler.stats
        stats.inc_value("failures/callback_error")
        if stats.get_value("callback_error/first") is None:
            stats.set_value("callback_error/first",
                            f"{type(error).__name__}: {error} (on {response.url})"[:500])

    def write(self, call: Callable[[], object]) -> None:
        """A write the crawl does not wait for, in order with every other."""
        self.writer.submit(call)

    async def read(self, call: Callable[[], T]) -> T:
        return await self.reads(call)

    def walked_kinds(self) -> tuple[str, ...]:
        """Sections always; tags and authors in a full crawl (and a site's
        first), where they reach articles no section listed: an incremental
        run stays cheap."""
        return ("category", "tag", "author") if self.walk_every_kind else ("category",)

    def learn(self, response: Response, everywhere: bool = False) -> list[Term]:
        """The sections, tags and authors a page links to: remembered (with
        their display names) for this site, and the new ones of the kinds
        walked returned (their walks start now unless the crawl was told
        which listings to walk)."""
        if not isinstance(response, TextResponse):
            return []
        if not everywhere and self.names.teaches_nothing(self.sources, response.text):
            # Most article pages show the menus and post meta earlier pages
            # showed: a scan of the text says so, and spares the page a parse
            # (a second one: the cleaner parses it again in its worker).
            self.crawler.stats.inc_value("discovery/pages_not_parsed_for_terms")
            return []
        new, changed = self.names.take(self.sources.terms(response, everywhere))
        if changed:
            self.write(partial(self.store.remember_terms, self.stored_as, changed))
        return [t for t in new if t.kind in self.walked_kinds()]

    def read_as(self, name: str) -> None:
        """Read the site as `name` from now on (its crawl sources and parser)."""
        self.reading_as = name
        self.sources = get_site(name).crawl_sources(self.config.base_url)
        self.stored_as = self.config.stored_site(name)
        self.allowed_domains = sorted(self.sources.hosts)
        self.logger.info("the site at %s reads as %s", self.sources.base_url, name)
        self.crawler.stats.set_value("site/read_as", name)

    async def known(self, urls: list[str]) -> set[str]:
        """On the read pool, in no order with the writes: a URL stored or
        failed this crawl was asked for already, and Scrapy's duplicate
        filter drops it whatever this answers."""
        if not urls:
            return set()
        days = self.config.refetch_after_days
        stale_before = datetime.now(UTC) - timedelta(days=days) if days else None
        return await self.read(partial(self.store.known_urls, urls, stale_before=stale_before))

    async def validators(self, urls: list[str]
                         ) -> dict[str, tuple[str | None, str | None, datetime]]:
        return await self.read(partial(self.store.validators, urls)) if urls else {}

    async def article_requests(self, urls: list[str], priority: int = ARTICLE_PRIORITY, *,
                               unknown: bool = False) -> AsyncIterator[Request]:
        """`unknown`: the caller kept only URLs that `known` did not name. Those
        have no stored validators unless a refresh or a refetch age let stored
        ones through, and the read for them is skipped (one a listing page)."""
        # A URL found twice (listing, feed, sitemap) is dropped by Scrapy's
        # duplicate filter: no set of our own grows with the crawl.
        may_be_stored = not unknown or self.config.refresh or self.config.refetch_after_days
        # Stored ones are asked "changed since?".
        validators = await self.validators(urls) if may_be_stored else {}
        for url in urls:
            headers = {}
            etag, modified, _ = validators.get(url, (None, None, None))
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
            # Without listings, any page may be a hub: the cleaner decides.
            self.crawler.stats.inc_value("articles/requested")
            yield Request(url, callback=self.parse_article, errback=self.failed, headers=headers,
                          priority=priority,
                          meta={"article": True, "handle_httpstatus_list": [304],
                                "may_be_hub": not self.sources.listings})

    async def revisit_requests(self) -> AsyncIterator[Request]:
        """With --refresh, every stored article of the site is asked again (so a
        taken-down one is marked gone); with a refetch age, the stale ones."""
        days = self.config.refetch_after_days
        if not self.config.refresh and not days:
            return
        before = datetime.now(UTC) - timedelta(days=days) if days and not self.config.refresh \
            else None
        urls = await self.read(partial(self.store.stored_urls, self.sources.base_url + "/",
                                       fetched_before=before))
        self.crawler.stats.inc_value("articles/revisited", len(urls))
        async for request in self.article_requests(urls, priority=REVISIT_PRIORITY):
            yield request

    def failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        found = classify(failure.value)
        self.crawler.stats.inc_value(f"failures/{found.reason}")
        if request.meta.get("article"):
            self.crawler.stats.inc_value("articles/failed")
        url = canonical_form(request.url)
        past_the_end = (found.reason == "http_404" and self.config.page_range is not None
                         and self.config.page_range[0] > 1)
        if request.meta.get("start") and past_the_end:
            # A backfill shard past a listing's last page: nothing there, no failure.
            self.crawler.stats.inc_value("listing/past_end")
        elif request.meta.get("start"):
            self.start_failures[request.url] = found.reason
        walk: WalkState | None = request.meta.get("walk")
        if walk and walk.listing in self.walks:
            self.walks[walk.listing].ended = f"failed: {found.reason}"
        if walk and request.meta.get("start") and not walk.resumed \
                and found.reason in ("http_404", "http_410") and not past_the_end:
            # A section whose listing is gone is forgotten like any page gone
            # for good: asked again only if a page names it again.
            self.crawler.stats.inc_value("discovery/terms_forgotten")
            self.write(partial(self.store.forget_term, self.stored_as, walk.kind, walk.slug))
        gone = found.reason in ("http_404", "http_410") and request.meta.get("article")
        if gone:
            self.write(partial(self.mark_gone, url))
        # One table each: a request that failed is a fetch failure (a permanent
        # one is never asked again), never also "quarantined" (fetched pages only).
        self.write(partial(self.store.record_failure, url, found.reason, found.detail,
                           permanent=found.permanent, run_id=self.run_id))

    def mark_gone(self, url: str) -> None:
        """On the writer thread; `closed` puts the count in the stats."""
        if self.store.mark_gone(url):
            self.gone += 1

    def source_missing(self, failure: Failure) -> None:
        """A feed or sitemap the site does not have is no failure of the crawl."""
        self.crawler.stats.inc_value("discovery/source_missing")

    async def parse_article(self, response: Response) -> AsyncIterator[FetchedPage | Request]:
        """An article page (the spider reads it: `ArchiveSpider.parse_article`)."""
        raise NotImplementedError
        yield  # an async generator, as the spider's is
