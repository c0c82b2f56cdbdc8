"""Attacks on the crawl (replica/hostile.py): values too long for a column,
endless pagination, malformed links, a redirect to another port of the same
host. Nothing is lost, nothing is fetched off the site, no page stalls the
crawl. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from replica import ReplicaServer, ReplicaSite
from replica.hostile import BAD_NEXT_LINK, LISTING_TRAP, LONG_TAG, Fault, HostileSite
from spiders.config import CrawlConfig
from spiders.runner import run_crawl
from storage.store import ArticleStore

pytestmark = pytest.mark.integration


def crawl_hostile(tmp_path: Path, db: str) -> tuple[HostileSite, str, dict, list[str], list[str]]:
    with ReplicaServer(ReplicaSite(articles=1)) as internal:
        site = HostileSite(articles=60, internal_base=internal.base)
        with ReplicaServer(site) as server:
            config = CrawlConfig(site="aawsat", base_url=server.base, db_url=db,
                                 data_dir=str(tmp_path), download_delay=0, autothrottle=False,
                                 concurrency_per_domain=8, download_timeout=2, retries=3,
                                 max_page_bytes=1024 * 1024, mode="full")
            summary = run_crawl(config, timeout=600)
            requests = list(server.requests)
        internal_requests = internal.take_requests()
    return site, server.base, summary, requests, internal_requests


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("attacks")
    db = f"sqlite:///{tmp / 'archive.db'}"
    return (*crawl_hostile(tmp, db), ArticleStore(db))


def test_every_reachable_article_is_stored_once(crawled):
    site, base, summary, _, _, store = crawled
    stored = {row["canonical_url"] for row in store.iter_articles()}
    assert stored == {f"{base}{a.post.path}" for a in site.expected_stored()}
    assert summary.outcome.state == "completed"


def test_a_400_character_tag_and_etag_are_stored(crawled):
    site, base, _, _, _, store = crawled
    long_ones = [a for a in site.expected_stored()
                 if site.faults[a.post.path].kind == "long_values"]
    assert long_ones
    for article in long_ones:
        url = f"{base}{article.post.path}"
        assert LONG_TAG in store.get(url)["tags"]
        assert len(store.validators([url])[url][0]) == 402


def test_endless_pagination_stops_after_pages_with_nothing_new(crawled):
    site, _, summary, requests, _, _ = crawled
    pages = [int(m.group(1)) for r in requests
             if (m := re.fullmatch(re.escape(LISTING_TRAP) + r"/page/(\d+)/?", r))]
    last = -(-len(site.listings()[LISTING_TRAP]) // 5)
    assert max(pages) <= last + 3  # three pages with nothing new, then it stops
    assert summary.outcome.state == "completed"


def test_a_malformed_link_costs_neither_the_page_nor_the_walk(crawled):
    site, _, summary, requests, _, _ = crawled
    # 6 bad links on every category page parsed (the site puts them there; the
    # crawl also walks tag and author listings), and the malformed "Older Entries" link
    category_pages = {r for r in requests if r.startswith("/category/")}
    assert summary.refused_links == 6 * len(category_pages) + 1
    assert f"{BAD_NEXT_LINK}/page/2" in requests  # reached by the site's pagination rule


def test_a_redirect_to_another_port_of_the_host_is_not_followed(crawled):
    site, base, summary, _, internal_requests, store = crawled
    assert internal_requests == []
    assert not [row for row in store.iter_articles() if "secret" in row["canonical_url"]]
    assert summary.offsite_filtered >= 1


def test_log_lines_never_carry_page_bodies(crawled):
    site, _, summary, _, _, _ = crawled
    log = Path(summary.log_file).read_text()
    bodies = [block for a in site.public_articles() for block in a.blocks]
    assert not [b for b in bodies if b in log]


def test_postgresql_stores_the_long_values_and_every_other_article(tmp_path, pg_url):
    site, base, summary, _, _ = crawl_hostile(tmp_path, pg_url)
    store = ArticleStore(pg_url)
    stored = {row["canonical_url"] for row in store.iter_articles()}
    assert stored == {f"{base}{a.post.path}" for a in site.expected_stored()}
    assert "store_rejected" not in summary.quarantined


def test_a_record_the_database_refuses_costs_only_itself(tmp_path, db_url):
    """A value no column can take (a NUL byte on PostgreSQL, a too-long key):
    the record is refused alone and the rest of its batch is stored."""
    from sites import extract_article
    from storage.store import PageRecord
    from tests.test_reextract import FETCHED, page_html

    store = ArticleStore(db_url)
    base = "https://eng-archive.aawsat.com/theaawsat/news-middle-east/"
    records = [PageRecord(article=extract_article(page_html(f"s{i}"), f"{base}s{i}",
                                                  site="aawsat"), fetched_at=FETCHED)
               for i in range(5)]
    bad = records[2].article
    records[2].article = bad.model_copy(update={"canonical_url": bad.canonical_url + "/x" * 3000,
                                                "title": "nul \x00 byte"})
    counts = store.upsert_articles(records)
    assert counts.new == 4 if store.dialect == "postgresql" else counts.new in (4, 5)
    assert store.stats()["articles"] == counts.new
    if store.dialect == "postgresql":
        assert [url for url, _ in counts.rejected] == [records[2].article.canonical_url]


class RedirectingSite(ReplicaSite):
    """WordPress's habit: the listing links `/x`, the server answers 301 to `/x/`.
    One such page is not an article (quarantined); the others are stored. The
    listing also links it with a session parameter."""

    STATIC = "/theaawsat/news-middle-east/about-the-archive"

    def page(self, path: str, base: str) -> tuple[int, str, str]:
        if path == self.STATIC:
            return 200, "text/html; charset=UTF-8", (
                "<html><body class='page page-template-default'><article class='post'>"
                "<h1>About</h1><div class='entry-content'><p>Static.</p></div></article>"
                "</body></html>")
        status, content_type, text = super().page(path, base)
        if path.startswith("/category/news-middle-east") and status == 200:
            entry = (f'<article class="et_pb_post post"><h2 class="entry-title">'
                     f'<a href="{base}{self.STATIC}?sid=4711">About</a></h2></article>')
            text = text.replace('<div class="pagination', entry + '<div class="pagination')
        return status, content_type, text

    def fault_for(self, path: str) -> Fault | None:
        is_page = path.count("/") == 3 and not path.startswith(("/category/", "/tag/",
                                                                "/author/"))
        return Fault("slash_redirect", None) if is_page else None


def test_known_url_checks_go_through_redirects_and_session_links(tmp_path):
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with ReplicaServer(RedirectingSite(articles=30)) as server:
        config = CrawlConfig(site="aawsat", base_url=server.base, db_url=db,
                             data_dir=str(tmp_path), download_delay=0, autothrottle=False)
        first = run_crawl(config, timeout=300)
        server.take_requests()
        second = run_crawl(config, timeout=300)
        again = server.take_requests()
        sections = [k for k in server.site.listings() if k.startswith("/category/")]
    assert first.quarantined.get("not_an_article", 0) >= 1
    assert not [r for r in again if "about-the-archive" in r]  # known, though quarantined
    articles = [r for r in again if r.count("/") >= 3 and not r.startswith("/category/")]
    assert articles == []  # no stored article fetched again under its listing URL
    # page 1 and the margin page of each section (no tag or author listing)
    assert second.listing_pages <= 2 * len(sections)


def test_a_canonical_link_naming_another_article_never_takes_its_place(crawled):
    site, base, _, _, _, store = crawled
    hijackers = [a for a in site.expected_stored()
                 if site.faults[a.post.path].kind == "canonical_hijack"]
    victim = site.public_articles()[0]
    assert hijackers
    for article in hijackers:
        row = store.get(f"{base}{article.post.path}")
        assert row is not None and row["title"] == article.post.title
    kept = store.get(f"{base}{victim.post.path}")
    assert kept["title"] == victim.post.title
    assert len(store.revisions(f"{base}{victim.post.path}")) == 1


def test_the_same_article_under_another_url_form_joins_its_row(tmp_path):
    """`/?p=ID`-style URL forms: the canonical link names the stored article and
    the content is the same: one row, the other form an alias."""
    from sites import clean_page, extract_article
    from storage.store import PageRecord
    from tests.test_reextract import FETCHED, page_html

    store = ArticleStore(f"sqlite:///{tmp_path / 'a.db'}")
    pretty = "https://eng-archive.aawsat.com/theaawsat/news-middle-east/story"
    html = page_html("story")
    store.upsert_articles([PageRecord(article=extract_article(html, pretty, site="aawsat"),
                                      fetched_at=FETCHED)])
    short = "https://eng-archive.aawsat.com/theaawsat/news-middle-east/story-by-number"
    same = clean_page(html, short, "aawsat").article
    assert same is not None
    assert same.canonical_url == short and same.declared_canonical == pretty
    counts = store.upsert_articles([PageRecord(article=same, fetched_at=FETCHED)])
    assert counts.unchanged == 1 and store.stats()["articles"] == 1
    assert store.known_urls([short]) == {short}


def test_a_page_under_an_alias_of_a_stored_article_is_that_article(tmp_path):
    """A crawl that meets a stored article under another URL form (an imported
    copy's http:// form, a listing URL before a redirect) stores no second row."""
    from sites import extract_article
    from storage.store import PageRecord
    from tests.test_reextract import FETCHED, PARAGRAPHS, page_html

    store = ArticleStore(f"sqlite:///{tmp_path / 'a.db'}")
    https = "https://eng-archive.aawsat.com/theaawsat/news-middle-east/story"
    http = "http://eng-archive.aawsat.com/theaawsat/news-middle-east/story"
    store.upsert_articles([PageRecord(article=extract_article(page_html("story"), https,
                                                              site="aawsat"),
                                      fetched_at=FETCHED, aliases=[http])])
    changed = extract_article(page_html("story", [*PARAGRAPHS, "An update."]), http,
                              site="aawsat").model_copy(update={"canonical_url": http})
    counts = store.upsert_articles([PageRecord(article=changed, fetched_at=FETCHED)])
    assert counts.updated == 1 and store.stats()["articles"] == 1
    assert store.get(http)["canonical_url"] == https  # show follows aliases too
