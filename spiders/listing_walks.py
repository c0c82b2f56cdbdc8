"""Listing walks: a section's, tag's, author's or month's pages newest
first, each page's articles asked before the next page, until the walk's
end, the articles it already knows (incremental), `--since`, a backfill
shard's range, or a trap (a listing without end)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from functools import partial

from scrapy.http import Request, Response

from sites import Term
from sites.sources import MONTH

from .coverage import ListingWalk
from .spider_base import LISTING_PRIORITY, SpiderBase, WalkState


class ListingWalks(SpiderBase):
    def explicit_listings(self) -> list[tuple[str, str]]:
        """The listings the crawl was told to walk (and only those)."""
        config = self.config
        return [("category", s) for s in config.categories] + \
            [("tag", s) for s in config.tags] + [("author", s) for s in config.authors] + \
            [(MONTH, m) for m in config.months]

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
        walk = WalkState(key, kind, slug, page=first, last_page=last, completed=completed,
                         resume_from=deepest if resume else None)
        yield self.listing_request(start_url, walk, start=True)
        if resume:
            yield self.listing_request(self.sources.listing_url(kind, slug, deepest),
                                       replace(walk, resumed=True, page=deepest,
                                               resume_from=None))

    def listing_request(self, url: str, walk: WalkState, start: bool = False) -> Request:
        return Request(url, callback=self.parse_listing, errback=self.failed,
                       priority=LISTING_PRIORITY, meta={"walk": walk, "start": start})

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
        state: WalkState = response.meta["walk"]
        page = state.page
        links, refused = self.sources.article_links(response)
        if refused:
            self.crawler.stats.inc_value("refused/links", refused)
        found = self.learn(response)
        self.crawler.stats.inc_value("listing/pages")
        walk = self.walks.get(state.listing) or ListingWalk(state.listing, "listing")
        walk.pages += 1
        walk.found.update(links)

        next_url = self.next_listing_page(response, state)
        ending = "end" if next_url is None else \
            "range_end" if state.last_page and page >= state.last_page else None
        if self.config.max_pages and page - (self.config.page_range or (1,))[0] + 1 >= \
                self.config.max_pages:
            ending = ending or "max_pages"
        self.write(partial(self.store.update_listing, state.listing, page, completed=False))
        if next_url is None:  # the oldest page: walked to its end once this crawl finishes
            self.walked_to_end[state.listing] = page
            self.walk_seen.pop(state.listing, None)
        if ending is None and state.resume_from and page + 1 >= state.resume_from:
            ending = "resumed"  # the resumed walk covers the rest
        if ending is None and self.is_trap(state, links, page):
            ending = "trap"
        if ending is None and self.config.since and self.older_than_since(response):
            ending = "since"
        going_on = ending is None and next_url is not None
        if not going_on:
            walk.ended = "end" if "end" in (ending, walk.ended) else str(ending)
        # Whether this walk can stop on a streak of known pages: the same for
        # every page of it (the config, and the walk's resumed and completed).
        may_stop_on_known = (self.config.mode == "incremental" and not self.config.refresh
                             and not state.resumed and not self.config.page_range
                             and state.completed)
        if going_on and not may_stop_on_known:  # the streak decides nothing: no need to wait
            assert next_url is not None
            yield self.next_page_request(next_url, state, streak=0)
        async for request in self.discovered_walks(found):
            yield request
        known = await self.known(links)
        async for request in self.article_requests(
                [u for u in links if self.config.refresh or u not in known], unknown=True):
            yield request
        if not (going_on and may_stop_on_known):
            return
        assert next_url is not None
        streak = state.known_streak + 1 if links and set(links) <= known else 0
        if streak > self.config.margin_pages:
            self.crawler.stats.inc_value("listing/stopped_on_known")
            walk.ended = "known"
            return
        yield self.next_page_request(next_url, state, streak)

    def next_page_request(self, url: str, state: WalkState, streak: int) -> Request:
        return self.listing_request(url, replace(state, page=state.page + 1,
                                                 known_streak=streak))

    def next_listing_page(self, response: Response, state: WalkState) -> str | None:
        """The next page's URL: the page's own link, or, when that link is
        malformed, the site's pagination rule (one bad link never ends a walk)."""
        try:
            return self.sources.next_page(response)
        except ValueError:
            self.crawler.stats.inc_value("refused/links")
            return self.sources.listing_page_url(state.listing, state.page + 1)

    def older_than_since(self, response: Response) -> bool:
        """Whether every entry of this listing page is older than `--since`
        (a page whose dates cannot be read never stops the walk)."""
        days = self.sources.listed_dates(response)
        assert self.config.since is not None
        if days and max(days) < self.config.since:
            self.crawler.stats.inc_value("listing/stopped_at_since")
            return True
        return False

    def is_trap(self, state: WalkState, links: list[str], page: int) -> bool:
        """A listing that goes on without end (every page links an older one and
        lists the same articles, a calendar-style trap) stops after
        `stale_listing_pages` pages with no article new to this walk, and at
        `max_listing_depth` pages whatever they hold."""
        seen = self.walk_seen.setdefault(state.listing, set())
        fresh = {hash(u) for u in links} - seen
        seen |= fresh
        state.stale_pages = 0 if fresh else state.stale_pages + 1
        if state.stale_pages >= self.config.stale_listing_pages or \
                page >= self.config.max_listing_depth:
            self.crawler.stats.inc_value("listing/stopped_as_trap")
            self.logger.warning("listing %s stopped at page %d: %s", state.listing, page,
                                "nothing new for several pages" if state.stale_pages
                                else "depth cap reached")
            return True
        return False
