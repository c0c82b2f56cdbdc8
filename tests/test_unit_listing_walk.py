"""The listing walk's policy (spiders/archive.py: `listing_start`,
`parse_listing`, `closed`), driven by hand: a fake store, listing pages in
the archive's markup, no reactor (the async callbacks run under
`asyncio.run`). Which articles are asked for, which listing page comes next,
and when the walk stops; and that no store call runs on the caller's thread
(the reactor's, in a crawl), writes in order on the writer thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request

from replica.divi import Post, listing_page
from spiders.archive import ArchiveSpider
from spiders.config import CrawlConfig
from spiders.spider_base import WalkState

BASE = "http://127.0.0.1:8765"
LISTING = BASE + "/category/opinion"


@dataclass
class FakeStore:
    """What the spider asks the store, answered from plain values; each
    call's thread is noted (`threads`). `reads_open` cleared: the known-URL
    read waits (a store that stalls) until it is set again."""

    known: set[str] = field(default_factory=set)
    validators_of: dict[str, tuple[str | None, str | None, datetime]] = field(
        default_factory=dict)
    state: dict[str, tuple[int, bool]] = field(default_factory=dict)
    listing_updates: list[tuple[str, int, bool]] = field(default_factory=list)
    terms: list[tuple[str, Any]] = field(default_factory=list)
    threads: list[tuple[str, threading.Thread]] = field(default_factory=list)
    reads_open: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.reads_open.set()

    def _called(self, name: str) -> None:
        self.threads.append((name, threading.current_thread()))

    def known_urls(self, urls: list[str], stale_before: datetime | None = None) -> set[str]:
        self._called("known_urls")
        assert self.reads_open.wait(timeout=30), "the test never let the read go on"
        return set(urls) & self.known

    def validators(self, urls: list[str]) -> dict[str, tuple[str | None, str | None, datetime]]:
        self._called("validators")
        return {u: v for u, v in self.validators_of.items() if u in urls}

    def listing_state(self, listing: str) -> tuple[int, bool]:
        self._called("listing_state")
        return self.state.get(listing, (0, False))

    def update_listing(self, listing: str, page: int, completed: bool) -> None:
        self._called("update_listing")
        self.listing_updates.append((listing, page, completed))

    def site_terms(self, site: str, kinds: tuple[str, ...] = ()) -> list[Any]:
        return [term for stored_site, term in self.terms if stored_site == site]

    def remember_terms(self, site: str, terms: list[Any]) -> None:
        self.terms += [(site, term) for term in terms]

    def forget_term(self, site: str, kind: str, slug: str) -> bool:
        before = len(self.terms)
        self.terms = [(s, t) for s, t in self.terms
                      if (s, t.kind, t.slug) != (site, kind, slug)]
        return len(self.terms) < before


class FakeStats:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] = self.values.get(key, start) + count

    def set_value(self, key: str, value: Any) -> None:
        self.values[key] = value

    def get_value(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


class FakeCrawler:
    def __init__(self) -> None:
        self.stats = FakeStats()


MADE: list[ArchiveSpider] = []


@pytest.fixture(autouse=True)
def _store_threads_stopped() -> Iterator[None]:
    """Each spider's writer thread and read pool stopped after its test, and
    no store call ever made on the test's own thread (the reactor's, in a crawl)."""
    yield
    while MADE:
        made = MADE.pop()
        made.writer.close()
        made.reads.close()
        store: FakeStore = made.store  # type: ignore[assignment]
        on_caller = [name for name, thread in store.threads
                     if thread is threading.main_thread()]
        assert on_caller == [], f"store calls on the caller's thread: {on_caller}"


def spider(store: FakeStore | None = None, **config: Any) -> ArchiveSpider:
    made = ArchiveSpider(CrawlConfig(site="aawsat", base_url=BASE, categories=["opinion"],
                                     **config), store=store or FakeStore())  # type: ignore[arg-type]
    made.crawler = FakeCrawler()  # type: ignore[assignment]
    MADE.append(made)
    return made


def collect(requests: AsyncIterator[Any]) -> list[Any]:
    """What an async callback yields, in order."""
    async def gather() -> list[Any]:
        return [request async for request in requests]

    return asyncio.run(gather())


def written(made: ArchiveSpider) -> FakeStore:
    """The store once every write queued so far is done (they go to the
    writer thread without the callback waiting)."""
    made.writer.drain()
    return made.store  # type: ignore[return-value]


def article_url(n: int) -> str:
    return f"{BASE}/theaawsat/opinion/story-{n}"


def listing(page: int, stories: range, walk: WalkState, last: bool = False,
            url: str | None = None) -> HtmlResponse:
    """Page `page` of the opinion listing, listing story-<n> for n in `stories`."""
    posts = [Post(slug=f"story-{n}", title=f"Story {n}", body_html="", category_slug="opinion")
             for n in stories]
    older = None if last else f"{LISTING}/page/{page + 1}"
    url = url or (LISTING if page == 1 else f"{LISTING}/page/{page}")
    body = listing_page("Opinion", posts, older=older, newer=None, base=BASE)
    return HtmlResponse(url=url, body=body.encode(), encoding="utf-8",
                        request=Request(url, meta={"walk": replace(walk, page=page)}))


def first_walk(made: ArchiveSpider) -> WalkState:
    """The walk state of the listing's first request, as `listing_start` made it."""
    requests = collect(made.listing_start("category", "opinion"))
    return requests[0].meta["walk"]


def split(results: list[Request]) -> tuple[list[str], list[Request]]:
    """(article URLs asked for, listing requests)"""
    articles = [r.url for r in results if r.meta.get("article")]
    listings = [r for r in results if "walk" in r.meta]
    assert len(articles) + len(listings) == len(results)
    return articles, listings


# --- the start ----------------------------------------------------------------------------
def test_a_listing_never_walked_starts_at_page_one_only():
    made = spider()
    requests = collect(made.listing_start("category", "opinion"))
    assert [r.url for r in requests] == [LISTING]
    walk = requests[0].meta["walk"]
    assert walk.listing == LISTING and walk.page == 1 and walk.resume_from is None
    assert made.start_listings == [LISTING]


def test_an_unfinished_walk_resumes_at_its_deepest_page_and_rereads_from_page_one():
    made = spider(FakeStore(state={LISTING: (7, False)}))
    requests = collect(made.listing_start("category", "opinion"))
    assert [r.url for r in requests] == [LISTING, LISTING + "/page/7"]
    assert requests[0].meta["walk"].resume_from == 7  # page 1's walk stops before page 7
    resumed = requests[1].meta["walk"]
    assert resumed.resumed and resumed.page == 7 and resumed.resume_from is None


@pytest.mark.parametrize("state, config", [
    ((7, True), {}),  # walked to its end once: incremental from page 1
    ((2, False), {}),  # page 2 is next anyway
    ((7, False), {"mode": "full"}),
    ((7, False), {"page_range": (3, 9)}),  # a backfill shard is exactly its pages
])
def test_no_resume(state, config):
    made = spider(FakeStore(state={LISTING: state}), **config)
    first = (config.get("page_range") or (1,))[0]
    requests = collect(made.listing_start("category", "opinion"))
    assert [r.meta["walk"].page for r in requests] == [first]


# --- a page of the walk -------------------------------------------------------------------
def test_unknown_articles_are_asked_for_and_the_next_page_follows():
    made = spider(FakeStore(known={article_url(2)}), mode="full")
    walk = first_walk(made)
    articles, listings = split(collect(made.parse_listing(listing(1, range(1, 5), walk))))
    assert articles == [article_url(1), article_url(3), article_url(4)]  # not the known one
    assert [r.url for r in listings] == [LISTING + "/page/2"]
    assert listings[0].meta["walk"].page == 2
    assert written(made).listing_updates == [(LISTING, 1, False)]
    assert made.crawler.stats.get_value("listing/pages") == 1
    # articles go before the next listing page
    assert all(a.priority > listings[0].priority
               for a in collect(made.parse_listing(listing(1, range(5, 6), walk)))
               if a.meta.get("article"))


def test_incremental_walk_stops_after_the_margin_page_of_known_articles():
    known = {article_url(n) for n in range(1, 20)}
    made = spider(FakeStore(known=known, state={LISTING: (9, True)}), margin_pages=1)
    walk = first_walk(made)
    articles, listings = split(collect(made.parse_listing(listing(1, range(1, 6), walk))))
    assert articles == [] and len(listings) == 1  # all known: one margin page still
    walk = listings[0].meta["walk"]
    assert walk.known_streak == 1
    articles, listings = split(collect(made.parse_listing(listing(2, range(6, 11), walk))))
    assert articles == [] and listings == []  # the second page of known ones: stop
    assert made.crawler.stats.get_value("listing/stopped_on_known") == 1


def test_a_new_article_resets_the_streak_of_known_pages():
    known = {article_url(n) for n in range(1, 20)} - {article_url(8)}
    made = spider(FakeStore(known=known, state={LISTING: (9, True)}), margin_pages=1)
    walk = replace(first_walk(made), known_streak=1)
    articles, listings = split(collect(made.parse_listing(listing(2, range(6, 11), walk))))
    assert articles == [article_url(8)]
    assert [r.meta["walk"].known_streak for r in listings] == [0]


@pytest.mark.parametrize("state, config, why", [
    ((9, False), {}, "the listing was never walked to its end"),
    ((9, True), {"mode": "full"}, "a full crawl"),
    ((9, True), {"refresh": True}, "a refresh asks everything again"),
    ((9, True), {"margin_pages": 3}, "three margin pages"),
])
def test_known_pages_do_not_stop_the_walk(state, config, why):
    known = {article_url(n) for n in range(1, 20)}
    made = spider(FakeStore(known=known, state={LISTING: state}), **config)
    walk = replace(first_walk(made), known_streak=2)
    articles, listings = split(collect(made.parse_listing(listing(3, range(11, 16), walk))))
    assert [r.url for r in listings] == [LISTING + "/page/4"], why
    if config.get("refresh"):
        assert articles == [article_url(n) for n in range(11, 16)]  # known, asked again


def test_a_known_article_asked_again_carries_its_validators():
    url = article_url(1)
    store = FakeStore(known={url}, validators_of={
        url: ('"abc"', "Wed, 16 Apr 2014 10:00:00 GMT", datetime(2024, 1, 1))})
    made = spider(store, refresh=True)
    articles = [r for r in collect(made.parse_listing(listing(1, range(1, 3), first_walk(made))))
                if r.meta.get("article")]
    assert articles[0].headers.get("If-None-Match") == b'"abc"'
    assert articles[0].headers.get("If-Modified-Since") == b"Wed, 16 Apr 2014 10:00:00 GMT"
    assert articles[1].headers.get("If-None-Match") is None  # never stored: a plain request


@pytest.mark.parametrize("config, reads_validators", [
    ({}, False), ({"refresh": True}, True), ({"refetch_after_days": 30}, True)])
def test_validators_are_read_only_when_a_listed_url_may_be_stored(config, reads_validators):
    """Links `known` did not name are new, unless a refresh or a refetch age let
    stored ones through: only then is there anything to ask "changed since?"."""
    made = spider(FakeStore(known={article_url(1)}), **config)
    articles = [r for r in collect(made.parse_listing(listing(1, range(1, 4), first_walk(made))))
                if r.meta.get("article")]
    assert len(articles) == (3 if config.get("refresh") else 2)
    called = [name for name, _ in made.store.threads]
    assert ("validators" in called) is reads_validators, called


def test_the_oldest_page_ends_the_walk_and_a_finished_crawl_marks_it_complete():
    made = spider(mode="full")
    walk = replace(first_walk(made), page=4)
    articles, listings = split(collect(made.parse_listing(listing(4, range(1, 3), walk,
                                                               last=True))))
    assert len(articles) == 2 and listings == []
    store = written(made)
    assert store.listing_updates == [(LISTING, 4, False)]  # not complete until the crawl ends
    asyncio.run(made.closed("finished"))
    assert store.listing_updates[-1] == (LISTING, 4, True)


@pytest.mark.parametrize("reason", ["shutdown", "disk_full", "cancelled"])
def test_a_crawl_that_did_not_finish_never_marks_a_listing_complete(reason):
    made = spider(mode="full")
    collect(made.parse_listing(listing(4, range(1, 3), replace(first_walk(made), page=4),
                                    last=True)))
    asyncio.run(made.closed(reason))
    store: FakeStore = made.store  # closed: every write done
    assert store.listing_updates == [(LISTING, 4, False)]
    assert all(not completed for _, _, completed in store.listing_updates)


def test_max_pages_counts_listing_pages_per_listing():
    made = spider(mode="full", max_pages=2)
    walk = first_walk(made)
    _, listings = split(collect(made.parse_listing(listing(1, range(1, 3), walk))))
    assert len(listings) == 1
    _, listings = split(collect(made.parse_listing(listing(2, range(3, 5),
                                                        listings[0].meta["walk"]))))
    assert listings == []  # page 2 of at most 2


def test_a_shard_walks_exactly_its_page_range():
    known = {article_url(n) for n in range(1, 40)}
    made = spider(FakeStore(known=known, state={LISTING: (30, True)}), page_range=(3, 4))
    walk = first_walk(made)
    assert walk.page == 3 and walk.last_page == 4
    _, listings = split(collect(made.parse_listing(listing(3, range(11, 16), walk,
                                                        url=LISTING + "/page/3"))))
    assert [r.url for r in listings] == [LISTING + "/page/4"]  # all known, but a shard goes on
    _, listings = split(collect(made.parse_listing(listing(4, range(16, 21),
                                                        listings[0].meta["walk"]))))
    assert listings == []  # its last page, though the site has older ones


def test_the_walk_from_page_one_stops_where_the_resumed_walk_began():
    made = spider(FakeStore(state={LISTING: (4, False)}))
    walk = first_walk(made)
    assert walk.resume_from == 4
    _, listings = split(collect(made.parse_listing(listing(2, range(6, 11),
                                                        replace(walk, page=2)))))
    assert [r.url for r in listings] == [LISTING + "/page/3"]
    _, listings = split(collect(made.parse_listing(listing(3, range(11, 16),
                                                        replace(walk, page=3)))))
    assert listings == []  # page 4 on is the resumed walk's


def test_refused_links_of_a_listing_are_counted():
    made = spider(mode="full")
    response = listing(1, range(1, 3), first_walk(made))
    body = response.text.replace(f'href="{BASE}/theaawsat/opinion/story-2"',
                                 'href="https://elsewhere.example.com/x/y/z"')
    response = response.replace(body=body.encode())
    articles, _ = split(collect(made.parse_listing(response)))
    assert articles == [article_url(1)]
    assert made.crawler.stats.get_value("refused/links") == 1


# --- the store off the caller's thread ------------------------------------------------------
def test_the_next_page_is_asked_while_the_known_url_read_still_waits():
    """A store that stalls holds back a page's articles (their known-URL read),
    never the walk: the next listing page comes first."""
    store = FakeStore()
    store.reads_open.clear()
    made = spider(store, mode="full")
    walk = first_walk(made)

    async def walk_on() -> tuple[Request, list[Request]]:
        requests = made.parse_listing(listing(1, range(1, 5), walk))
        first = await asyncio.wait_for(anext(requests), timeout=30)
        assert not store.reads_open.is_set()  # the read has not answered yet
        store.reads_open.set()
        return first, [request async for request in requests]

    first, rest = asyncio.run(walk_on())
    assert first.url == LISTING + "/page/2" and first.meta["walk"].page == 2
    assert [r.url for r in rest] == [article_url(n) for n in range(1, 5)]
    assert ("known_urls", threading.main_thread()) not in store.threads


def test_the_walks_writes_go_in_order_to_one_writer_thread():
    made = spider(mode="full")
    walk = first_walk(made)
    for page in (1, 2, 3):
        (_, [following]) = split(collect(made.parse_listing(
            listing(page, range(5 * page, 5 * page + 5), walk))))
        walk = following.meta["walk"]
    store = written(made)
    assert store.listing_updates == [(LISTING, 1, False), (LISTING, 2, False), (LISTING, 3, False)]
    writers = {thread for name, thread in store.threads if name == "update_listing"}
    assert [thread.name for thread in writers] == ["store-writer"]
