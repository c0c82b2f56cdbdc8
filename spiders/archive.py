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

from collections import Counter
from collections.abc import AsyncIterator
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from cleaning import canonical_form
from sites import AUTO, Term, recognise
from sites.sources import safe_url

from .coverage import Coverage, summarise
from .items import FetchedPage, header_pairs
from .listing_walks import ListingWalks
from .open_discovery import OpenDiscovery
from .spider_base import LISTING_PRIORITY


class ArchiveSpider(ListingWalks, OpenDiscovery):
    """Where the crawl starts (the home page, the listings it was told to
    walk, or the pages named with --url), what it reads (articles), and its
    end (listings marked walked, coverage)."""

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
