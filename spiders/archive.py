"""The archive spider: listings newest first with pagination, feeds and
sitemaps where the site has them, then article pages. It yields raw pages;
the pipeline archives, cleans and stores them. Incremental state (what is
known, how far each listing walk has come, the sections found) lives in the store.

Sections are discovered, never listed: from the home page's menus, the
category links of listing and article pages (post meta, `rel="category tag"`)
and the sections earlier crawls found. Every section is walked; tag and
author listings only in a full crawl (where they lead to articles no section
reached), so an incremental run with nothing new stays a few requests.

No store call runs on the reactor's thread (store_thread.py): writes go to
the crawl's writer thread in order, without waiting; the callbacks that read
the store are async and await the read on a thread, so a slow or absent
database never stops the downloads."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from cleaning import canonical_form
from cleaning.dates import iso_moment
from ingest.names import SiteNames
from sites import AUTO, CrawlSources, Term, get_site, recognise
from sites.sources import MONTH, safe_url
from storage.protocols import CrawlFrontier

from .config import CrawlConfig
from .coverage import Coverage, ListingWalk, summarise
from .discovery import SourceLedger, sitemap_selector
from .failures import classify
from .items import FetchedPage, header_pairs
from .store_thread import ReaderThread, WriterThread

# The feed types a home page's <link rel="alternate"> may name.
FEED_TYPES = ("application/rss+xml", "application/atom+xml")
# A link to another page of the same hub (followed at the hub's own depth).
PAGINATION_RE = re.compile(r"/page/\d+/?(?:$|\?)|[?&]page=\d+|[/-]page-?\d+(?:\.html?)?$", re.I)
# Articles go before the next listing page: the queue of waiting requests then
# holds about one listing page's articles, whatever the size of the crawl.
ARTICLE_PRIORITY = 10
SOURCE_PRIORITY = 5  # feeds and sitemaps
LISTING_PRIORITY = 0
REVISIT_PRIORITY = -1  # stored articles asked again: after everything new
T = TypeVar("T")


class ArchiveSpider(scrapy.Spider):
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
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ArchiveSpider:
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

    # --- the store, off the reactor's thread ---------------------------------------------
    def write(self, call: Callable[[], object]) -> None:
        """A write the crawl does not wait for, in order with every other."""
        self.writer.submit(call)

    async def read(self, call: Callable[[], T]) -> T:
        return await self.reads(call)

    # --- where to start --------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:  # Scrapy >= 2.13
        config = self.config
        if config.urls:
            self.crawler.stats.set_value("start/urls", len(config.urls))
            async for request in self.article_requests([canonical_form(u) for u in config.urls]):
                yield request
            return
        if self.reading_as == AUTO or not self.explicit_listings():
            # The home page says which site this is (with auto) and names its sections.
            self.start_listings.append(self.sources.base_url)
            yield Request(self.sources.base_url, callback=self.parse_home,
                          errback=self.home_failed, priority=LISTING_PRIORITY,
                          meta={"start": True})
            return
        async for request in self.walks_and_sources([], None):
            yield request

    def explicit_listings(self) -> list[tuple[str, str]]:
        """The listings the crawl was told to walk (and only those)."""
        config = self.config
        return [("category", s) for s in config.categories] + \
            [("tag", s) for s in config.tags] + [("author", s) for s in config.authors] + \
            [(MONTH, m) for m in config.months]

    def walked_kinds(self) -> tuple[str, ...]:
        """Sections always; tags and authors in a full crawl (and a site's
        first), where they reach articles no section listed: an incremental
        run stays cheap."""
        return ("category", "tag", "author") if self.walk_every_kind else ("category",)

    async def walks_and_sources(self, found: list[Term], home: Response | None
                                ) -> AsyncIterator[Request]:
        """Every listing to walk, then the feeds and sitemaps and the revisits;
        on a site without listings, open discovery from the home page."""
        if not self.sources.listings:
            async for request in self.revisit_requests():
                yield request
            async for request in self.open_discovery(home):
                yield request
            return
        listings = self.explicit_listings()
        if not listings:
            # On the writer thread, in order after the terms `learn` just queued
            # from the home page: the answer the store gave when called inline.
            remembered = await self.writer.run(partial(self.store.site_terms, self.stored_as,
                                                       kinds=self.walked_kinds()))
            listings = [(t.kind, t.slug) for t in remembered] + \
                [(t.kind, t.slug) for t in found if t.kind in self.walked_kinds()]
        for kind, slug in listings:
            async for request in self.listing_start(kind, slug):
                yield request
        if self.config.page_range or self.config.months:
            return  # a backfill shard is exactly its listing pages: no feeds or sitemaps
        async for request in self.revisit_requests():
            yield request
        base = self.sources.base_url
        sources = [self.source_request(base + path, self.parse_feed, tracked=False)
                   for path in self.sources.feeds]
        sources += [self.source_request(base + path, self.parse_sitemap, sitemap=True,
                                        tracked=False) for path in self.sources.sitemaps]
        for source in sources:
            if source is not None:
                yield source

    async def listing_start(self, kind: str, slug: str) -> AsyncIterator[Request]:
        key = self.sources.listing_url(kind, slug)  # the listing's first page
        if key in self.walks:
            return  # no listing walked twice in a crawl
        self.walks[key] = ListingWalk(key, kind)  # before the read: no second start meanwhile
        self.crawler.stats.inc_value(f"discovery/walks/{kind}")
        first, last = self.config.page_range or (1, None)
        start_url = self.sources.listing_url(kind, slug, first)
        self.start_listings.append(start_url)
        # On the pool, not the writer: read once, before any page of this walk
        # writes it (the `walks` entry above), so no write of ours can precede it.
        deepest, completed = await self.read(partial(self.store.listing_state, key))
        # An unfinished walk goes on where it stopped, while the walk from page 1
        # re-reads the pages before that one: articles found there but never
        # stored (a crawl killed with them in flight) are fetched this time.
        resume = (self.config.mode == "incremental" and not completed
                  and deepest > first + 1 and not self.config.page_range)
        walk = {"listing": key, "term": [kind, slug], "known_streak": 0, "last_page": last,
                "completed": completed,
                "resumed": False, "page": first, "resume_from": deepest if resume else None}
        yield self.listing_request(start_url, walk, start=True)
        if resume:
            yield self.listing_request(self.sources.listing_url(kind, slug, deepest),
                                       {**walk, "resumed": True, "page": deepest,
                                        "resume_from": None})

    def listing_request(self, url: str, walk: dict[str, Any], start: bool = False) -> Request:
        return Request(url, callback=self.parse_listing, errback=self.failed,
                       priority=LISTING_PRIORITY, meta={"walk": walk, "start": start})

    # --- listings ------------------------------------------------------------------------
    async def parse_home(self, response: Response) -> AsyncIterator[Request]:
        if self.reading_as == AUTO and isinstance(response, TextResponse):
            self.read_as(recognise(response.url, response.text[:300_000]).name)
        self.note_offsite_hosts(response)
        await self.note_first_crawl()
        found = self.learn(response, everywhere=True)
        async for request in self.walks_and_sources(found, response):
            yield request

    def note_offsite_hosts(self, response: Response) -> None:
        """The hosts other than the site's that the home page links to most:
        a crawl that finds nothing names them (a mirror whose links all point
        to the host it was copied from, a domain that moved)."""
        if not isinstance(response, TextResponse):
            return
        hosts: Counter[str] = Counter()
        for href in response.css("a[href]::attr(href)").getall()[:5_000]:
            url = safe_url(response, href, canonical=False)
            if url is not None and not self.sources.on_site(url):
                hosts[urlsplit(url).netloc] += 1
        self.crawler.stats.set_value("discovery/offsite_hosts", dict(hosts.most_common(3)))

    def urls_found(self) -> int:
        """Article URLs this crawl found in any way: listings, feeds and
        sitemaps, the home page's links (open discovery)."""
        listed = set().union(*(w.found for w in self.walks.values())) if self.walks else set()
        return len(listed) + self.source_pages + len(self.home_links)

    async def home_failed(self, failure: Failure) -> AsyncIterator[Request]:
        """No home page: the sections earlier crawls found are walked all the same."""
        self.failed(failure)
        await self.note_first_crawl()
        async for request in self.walks_and_sources([], None):
            yield request

    async def note_first_crawl(self) -> None:
        """A site the store knows nothing of yet (asked before this crawl's
        first page is learned from) gets its tag and author listings walked too."""
        if not self.explicit_listings() and \
                not await self.writer.run(partial(self.store.site_terms, self.stored_as)):
            self.walk_every_kind = True

    def read_as(self, name: str) -> None:
        """Read the site as `name` from now on (its crawl sources and parser)."""
        self.reading_as = name
        self.sources = get_site(name).crawl_sources(self.config.base_url)
        self.stored_as = self.config.stored_site(name)
        self.allowed_domains = sorted(self.sources.hosts)
        self.logger.info("the site at %s reads as %s", self.sources.base_url, name)
        self.crawler.stats.set_value("site/read_as", name)

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

    async def discovered_walks(self, found: list[Term]) -> AsyncIterator[Request]:
        """The walks of the terms a page showed (`learn`), new to this crawl."""
        if not self.explicit_listings():
            for term in found:
                self.crawler.stats.inc_value("discovery/sections_found_in_pages")
                async for request in self.listing_start(term.kind, term.slug):
                    yield request

    async def parse_listing(self, response: Response) -> AsyncIterator[Request]:
        """The page's decisions are made before any read (the next page, the
        walk's end); the next page is asked before its articles' known-URL read
        unless the walk may stop on known pages, so a walk goes on while the
        store is slow. Then the new walks it shows, then its new articles."""
        meta = response.meta["walk"]
        page = meta["page"]
        links, refused = self.sources.article_links(response)
        if refused:
            self.crawler.stats.inc_value("refused/links", refused)
        found = self.learn(response)
        self.crawler.stats.inc_value("listing/pages")
        walk = self.walks.get(meta["listing"]) or ListingWalk(meta["listing"], "listing")
        walk.pages += 1
        walk.found.update(links)

        next_url = self.next_listing_page(response, meta)
        ending = "end" if next_url is None else \
            "range_end" if meta.get("last_page") and page >= meta["last_page"] else None
        if self.config.max_pages and page - (self.config.page_range or (1,))[0] + 1 >= \
                self.config.max_pages:
            ending = ending or "max_pages"
        self.write(partial(self.store.update_listing, meta["listing"], page, completed=False))
        if next_url is None:  # the oldest page: walked to its end once this crawl finishes
            self.walked_to_end[meta["listing"]] = page
            self.walk_seen.pop(meta["listing"], None)
        if ending is None and meta["resume_from"] and page + 1 >= meta["resume_from"]:
            ending = "resumed"  # the resumed walk covers the rest
        if ending is None and self.is_trap(meta, links, page):
            ending = "trap"
        if ending is None and self.config.since and self.older_than_since(response):
            ending = "since"
        going_on = ending is None and next_url is not None
        if not going_on:
            walk.ended = "end" if "end" in (ending, walk.ended) else str(ending)
        # Whether this walk can stop on a streak of known pages: the same for
        # every page of it (the config, and the walk's resumed and completed).
        may_stop_on_known = (self.config.mode == "incremental" and not self.config.refresh
                             and not meta.get("resumed") and not self.config.page_range
                             and meta["completed"])
        if going_on and not may_stop_on_known:  # the streak decides nothing: no need to wait
            assert next_url is not None
            yield self.next_page_request(next_url, meta, streak=0)
        async for request in self.discovered_walks(found):
            yield request
        known = await self.known(links)
        async for request in self.article_requests(
                [u for u in links if self.config.refresh or u not in known], unknown=True):
            yield request
        if not (going_on and may_stop_on_known):
            return
        assert next_url is not None
        streak = meta["known_streak"] + 1 if links and set(links) <= known else 0
        if streak > self.config.margin_pages:
            self.crawler.stats.inc_value("listing/stopped_on_known")
            walk.ended = "known"
            return
        yield self.next_page_request(next_url, meta, streak)

    def next_page_request(self, url: str, meta: dict[str, Any], streak: int) -> Request:
        return self.listing_request(url, {**meta, "page": meta["page"] + 1,
                                          "known_streak": streak,
                                          "stale_pages": meta.get("stale_pages", 0)})

    def next_listing_page(self, response: Response, meta: dict[str, Any]) -> str | None:
        """The next page's URL: the page's own link, or, when that link is
        malformed, the site's pagination rule (one bad link never ends a walk)."""
        try:
            return self.sources.next_page(response)
        except ValueError:
            self.crawler.stats.inc_value("refused/links")
            return self.sources.listing_page_url(meta["listing"], meta["page"] + 1)

    def older_than_since(self, response: Response) -> bool:
        """Whether every entry of this listing page is older than `--since`
        (a page whose dates cannot be read never stops the walk)."""
        days = self.sources.listed_dates(response)
        assert self.config.since is not None
        if days and max(days) < self.config.since:
            self.crawler.stats.inc_value("listing/stopped_at_since")
            return True
        return False

    def is_trap(self, meta: dict[str, Any], links: list[str], page: int) -> bool:
        """A listing that goes on without end (every page links an older one and
        lists the same articles, a calendar-style trap) stops after
        `stale_listing_pages` pages with no article new to this walk, and at
        `max_listing_depth` pages whatever they hold."""
        seen = self.walk_seen.setdefault(meta["listing"], set())
        fresh = {hash(u) for u in links} - seen
        seen |= fresh
        meta["stale_pages"] = 0 if fresh else meta.get("stale_pages", 0) + 1
        if meta["stale_pages"] >= self.config.stale_listing_pages or \
                page >= self.config.max_listing_depth:
            self.crawler.stats.inc_value("listing/stopped_as_trap")
            self.logger.warning("listing %s stopped at page %d: %s", meta["listing"], page,
                                "nothing new for several pages" if meta["stale_pages"]
                                else "depth cap reached")
            return True
        return False

    async def closed(self, reason: str) -> None:
        """Only a crawl that finished marks its listings walked to the end: by
        then every article they listed is stored. A killed crawl leaves them
        unfinished, so the next run re-reads them instead of stopping early.

        Runs after the pipeline has closed; the writer is drained first (every
        page and failure written), so the completions and the coverage report
        follow every write of the crawl. Awaited: the reactor stays free."""
        stats = self.crawler.stats
        stats.set_value("start/listings", self.start_listings)
        stats.set_value("start/failures", self.start_failures)
        stats.set_value("discovery/bounds", dict(self.ledger.bounds))
        stats.set_value("discovery/urls_found", self.urls_found())
        stats.set_value("site/stored_as", self.stored_as)
        try:
            await self.writer.drained()
            # A write that failed (the store gone): some article may not be stored.
            if reason == "finished" and self.writer.error is None:
                for listing, page in self.walked_to_end.items():
                    self.write(partial(self.store.update_listing, listing, page, completed=True))
                await self.writer.drained()
            if self.gone:
                stats.set_value("articles/gone", self.gone)
            stats.set_value("coverage", (await self.read(self.coverage)).as_dict())
        finally:
            stats.set_value("store", self.store_report())
            self.writer.close()
            self.reads.close()

    def store_report(self) -> dict[str, Any]:
        """Time in store calls: the writer thread's (the figure that can hold a
        crawl back) and the read pool's (summed over its threads)."""
        return {"write_s": round(self.writer.busy_s, 3), "writes": self.writer.calls,
                "read_s": round(self.reads.busy_s, 3), "reads": self.reads.calls,
                "pages_in_hand_peak": self.writer.peak,
                "max_pages_in_hand": self.writer.max_pages_in_hand}

    def coverage(self) -> Coverage:
        """What the listings found, and what of it is stored (and why not).
        Calls the store: on a thread (`closed` reads it on the pool)."""
        found = set().union(*(w.found for w in self.walks.values())) if self.walks else set()
        why_not = self.store.why_not_stored(self.run_id) if self.run_id is not None else {}
        # Known to the store (through aliases too), less what failed this run:
        # a page refused for good is "known" so that it is not asked again.
        stored = self.store.known_urls(sorted(found)) - set(why_not) if found else set()
        return summarise(self.walks.values(), stored, why_not)

    # --- open discovery: a site without listings (the generic profile) ---------------------
    # robots.txt's `Sitemap:` lines, /sitemap.xml and sitemap indexes (news
    # sitemaps too), the feeds the home page links; where the site has none of
    # these, links followed within the site to a bounded depth. Every page
    # fetched may be an article: the cleaner decides, and one that is not (a
    # home, a section, a hub) is read for links, never stored, never quarantined.

    async def open_discovery(self, home: Response | None) -> AsyncIterator[Request]:
        """Every source at once; link following only once all have answered
        and none of them named a page."""
        base = self.sources.base_url
        self.home_links = self.followable_links(home) if home is not None else []
        feeds = self.feed_links(home) if home is not None else []
        requests = [self.source_request(f"{base}/robots.txt", self.parse_robots_sitemaps,
                                        dont_obey_robotstxt=True)]
        requests += [self.source_request(base + path, self.parse_sitemap, sitemap=True)
                     for path in self.sources.sitemaps]
        requests += [self.source_request(url, self.parse_feed) for url in feeds]
        for request in requests:
            if request is not None:
                yield request
        if not self.ledger.pending:  # nothing to wait for
            async for follow in self.start_following():
                yield follow

    def source_request(self, url: str, callback: Callable[[Response], AsyncIterator[Request]],
                       *, sitemap: bool = False, depth: int = 0, tracked: bool = True,
                       dont_obey_robotstxt: bool = False) -> Request | None:
        """A feed, sitemap or robots.txt request, once per URL and within the
        sitemap bounds; None when it is not to be asked. Tracked sources (open
        discovery's) report back to the ledger however they end; Scrapy's
        duplicate filter is bypassed, since the ledger already asks each once
        and a request it dropped would never report back."""
        if not self.ledger.ask(url, sitemap=sitemap, depth=depth, tracked=tracked):
            return None
        return Request(url, callback=callback,
                       errback=self.open_source_failed if tracked else self.source_missing,
                       priority=SOURCE_PRIORITY, dont_filter=True,
                       meta={"source": url, "open_source": tracked, "sitemap_depth": depth,
                             "dont_obey_robotstxt": dont_obey_robotstxt})

    def feed_links(self, response: Response) -> list[str]:
        if not isinstance(response, TextResponse):
            return []
        links = []
        for link in response.css("link[rel~=alternate][href]"):
            if (link.attrib.get("type") or "").split(";")[0].strip().lower() in FEED_TYPES:
                url = safe_url(response, link.attrib["href"], canonical=False)
                if url is not None and self.sources.on_site(url):
                    links.append(url)
        return list(dict.fromkeys(links))

    async def parse_robots_sitemaps(self, response: Response) -> AsyncIterator[Request]:
        async for request in self.reporting_source(response, self._robots_sitemaps(response)):
            yield request

    async def _robots_sitemaps(self, response: Response) -> AsyncIterator[Request]:
        for href in sitemap_urls_from_robots(response.body, base_url=response.url):
            url = safe_url(response, href, canonical=False)
            if url is None or not self.sources.on_site(url):
                self.crawler.stats.inc_value("refused/links")
                continue  # a sitemap on another host is read only when the site declares it
            request = self.source_request(url, self.parse_sitemap, sitemap=True)
            if request is not None:
                yield request

    async def reporting_source(self, response: Response, requests: AsyncIterator[Request]
                               ) -> AsyncIterator[Request]:
        """A source callback's requests, then its report to the ledger, even
        when the callback raised (counted as a callback error, never a silent
        end of discovery)."""
        try:
            async for request in requests:
                yield request
        except Exception as error:  # noqa: BLE001 - any error: counted, and discovery goes on
            self.callback_error(error, response)
        async for request in self.open_source_done(response.request):
            yield request

    async def open_source_failed(self, failure: Failure) -> AsyncIterator[Request]:
        self.crawler.stats.inc_value("discovery/source_missing")
        async for request in self.open_source_done(
                failure.request):  # type: ignore[attr-defined]
            yield request

    async def open_source_done(self, request: Request | None) -> AsyncIterator[Request]:
        """The source's report; the last one starts link following when the
        sources named no page at all."""
        if request is None or not request.meta.get("open_source"):
            return
        if self.ledger.answered(request.meta.get("source", request.url)):
            async for follow in self.start_following():
                yield follow

    async def start_following(self) -> AsyncIterator[Request]:
        if self.source_pages or self.following:
            return
        self.following = True  # once: the last source and open_discovery may both call
        self.crawler.stats.set_value("discovery/following_links", True)
        self.logger.info("no sitemap or feed names a page: following links from the "
                         "home page, %d deep", self.config.max_link_depth)
        async for follow in self.follow(self.home_links, depth=1):
            yield follow

    # --- link following -----------------------------------------------------------------
    def followable_links(self, response: Response) -> list[str]:
        if not isinstance(response, TextResponse):
            return []
        links = []
        for href in response.css("a[href]::attr(href)").getall():
            url = safe_url(response, href)
            if url is not None and self.sources.is_article_url(url):
                links.append(url)
        return list(dict.fromkeys(links))

    async def follow(self, urls: list[str], depth: int) -> AsyncIterator[Request]:
        known = await self.known(urls)
        for url in urls:
            if url in known or self.followed >= self.config.max_followed_pages:
                continue  # known articles are never fetched again
            self.followed += 1
            self.crawler.stats.inc_value("articles/requested")
            yield Request(url, callback=self.parse_article, errback=self.failed,
                          priority=LISTING_PRIORITY + 1 - depth,
                          meta={"article": True, "may_be_hub": True, "link_depth": depth})

    async def follow_from(self, response: Response) -> AsyncIterator[Request]:
        """The links of a followed page, one step deeper; the next page of a
        hub (`/page/3`, `?page=3`, `page-3`) is the same hub, at its depth."""
        depth = response.meta.get("link_depth")
        if depth is None:
            return
        links = self.followable_links(response)
        pages = [u for u in links if PAGINATION_RE.search(u)]
        async for request in self.follow(pages, depth):
            yield request
        if depth < self.config.max_link_depth:
            async for request in self.follow([u for u in links if u not in pages], depth + 1):
                yield request

    async def changed_since_fetched(self, lastmod: dict[str, datetime],
                                    known: set[str]) -> set[str]:
        """Known pages a sitemap says changed after they were last fetched."""
        fetched = await self.validators([u for u in known if u in lastmod])
        return {u for u, (_, _, at) in fetched.items() if lastmod[u] > at}

    # --- feeds and sitemaps ---------------------------------------------------------------------
    async def parse_feed(self, response: Response) -> AsyncIterator[Request]:
        async for request in self.reporting_source(response, self._feed_articles(response)):
            yield request

    async def _feed_articles(self, response: Response) -> AsyncIterator[Request]:
        if not isinstance(response, TextResponse):
            self.crawler.stats.inc_value("discovery/source_unreadable")
            return
        response.selector.remove_namespaces()
        hrefs = response.xpath("//item/link/text() | //entry/link[not(@rel) or "
                               "@rel='alternate']/@href").getall()
        links = self.usable_links(response, hrefs)
        self.crawler.stats.inc_value("discovery/feed_links", len(links))
        self.source_pages += len(links)
        known = await self.known(links)
        async for request in self.article_requests([u for u in links if u not in known],
                                                   unknown=True):
            yield request

    async def parse_sitemap(self, response: Response) -> AsyncIterator[Request]:
        async for request in self.reporting_source(response, self._sitemap_entries(response)):
            yield request

    async def _sitemap_entries(self, response: Response) -> AsyncIterator[Request]:
        xml = sitemap_selector(response, self.config.max_page_bytes)
        if xml is None:
            self.crawler.stats.inc_value("discovery/source_unreadable")
            return
        depth = int(response.meta.get("sitemap_depth", 0)) + 1
        for loc in xml.xpath("//sitemap/loc/text()").getall():
            url = safe_url(response, loc.strip(), canonical=False)
            if url is None or not self.sources.on_site(url):
                self.crawler.stats.inc_value("refused/links")
                continue
            request = self.source_request(url, self.parse_sitemap, sitemap=True, depth=depth,
                                          tracked=bool(response.meta.get("open_source")))
            if request is not None:
                yield request
        entries = xml.xpath("//url")
        if len(entries) > self.config.max_sitemap_urls:
            self.ledger.bounds["sitemap_urls"] += len(entries) - self.config.max_sitemap_urls
            entries = entries[:self.config.max_sitemap_urls]
        links = self.usable_links(response, entries.xpath("loc/text()").getall())
        lastmod = {}
        for entry in entries:  # news sitemaps have <loc> as any other
            moment = iso_moment(entry.xpath("lastmod/text()").get())
            url = safe_url(response, entry.xpath("loc/text()").get() or "")
            if moment is not None and url is not None:
                lastmod[url] = moment
        self.crawler.stats.inc_value("discovery/sitemap_links", len(links))
        self.source_pages += len(links)
        known = await self.known(links)
        changed = await self.changed_since_fetched(lastmod, known) if lastmod else set()
        self.crawler.stats.inc_value("discovery/sitemap_changed", len(changed))
        async for request in self.article_requests(
                [u for u in links if self.config.refresh or u not in known or u in changed],
                unknown=not changed):
            yield request

    def usable_links(self, response: Response, hrefs: list[str]) -> list[str]:
        """Article URLs among a feed's or sitemap's links; malformed and off-site
        ones are skipped and counted."""
        links = []
        for href in hrefs:
            url = safe_url(response, href)
            if url is None or not self.sources.on_site(url):
                self.crawler.stats.inc_value("refused/links")
            elif self.sources.is_article_url(url):
                links.append(url)
        return links

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

    # --- articles ----------------------------------------------------------------------------
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

    async def parse_article(self, response: Response) -> AsyncIterator[FetchedPage | Request]:
        """The page first, then the walks and links it shows: those may wait
        on a read, the page never does."""
        if response.status == 304:
            self.crawler.stats.inc_value("articles/not_modified")
            return
        found = self.learn(response)
        request = response.request
        yield FetchedPage(
            url=response.url,
            requested_url=request.url if request else response.url,
            status=response.status,
            headers=header_pairs(response.headers),
            request_headers=header_pairs(request.headers) if request else [],
            body=response.body,
            site=self.reading_as, stored_as=self.stored_as,
            may_be_hub=bool(response.meta.get("may_be_hub")),
        )
        async for follow in self.discovered_walks(found):
            yield follow
        async for follow in self.follow_from(response):
            yield follow

    # --- failures ------------------------------------------------------------------------
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
        walk = request.meta.get("walk")
        if walk and walk["listing"] in self.walks:
            self.walks[walk["listing"]].ended = f"failed: {found.reason}"
        if walk and request.meta.get("start") and not walk.get("resumed") \
                and found.reason in ("http_404", "http_410") and not past_the_end:
            # A section whose listing is gone is forgotten like any page gone
            # for good: asked again only if a page names it again.
            kind, slug = walk["term"]
            self.crawler.stats.inc_value("discovery/terms_forgotten")
            self.write(partial(self.store.forget_term, self.stored_as, kind, slug))
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

