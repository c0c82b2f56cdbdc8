"""Open discovery, for a site without listings (the generic profile):
robots.txt's `Sitemap:` lines, /sitemap.xml and sitemap indexes (news
sitemaps too), the feeds the home page links; where the site has none of
these, links followed within the site to a bounded depth. Every page
fetched may be an article: the cleaner decides, and one that is not (a
home, a section, a hub) is read for links, never stored, never quarantined.
A listing site's own feeds and sitemaps are read here too."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from scrapy.http import Request, Response, TextResponse
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from cleaning.dates import iso_moment
from sites.sources import safe_url

from .discovery import sitemap_selector
from .spider_base import LISTING_PRIORITY, SOURCE_PRIORITY, SpiderBase

# The feed types a home page's <link rel="alternate"> may name.
FEED_TYPES = ("application/rss+xml", "application/atom+xml")
# A link to another page of the same hub (followed at the hub's own depth).
PAGINATION_RE = re.compile(r"/page/\d+/?(?:$|\?)|[?&]page=\d+|[/-]page-?\d+(?:\.html?)?$", re.I)


class OpenDiscovery(SpiderBase):
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
