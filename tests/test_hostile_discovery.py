"""Open discovery cannot lose track of itself: a news site whose articles only
its links reach, beside sources that name none of them in hostile ways. Each
of these ended a generic crawl with 0 stored, `completed`, exit 0: the
sources never all reported back, so link following never started.

Also the bounds on sitemaps: an endless chain of indexes and one index of
250,000 children stop at their documented bound, and the linked articles are
stored all the same."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest

from replica import NewsroomSite, ReplicaServer
from replica.newsroom import NOT_FOUND
from spiders.runner import run_crawl
from spiders.summary import CrawlSummary
from storage.store import ArticleStore
from tests import support

pytestmark = pytest.mark.integration
XML = "application/xml"


def urlset(base: str, paths: list[str]) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
            'schemas/sitemap/0.9">' + "".join(f"<url><loc>{base}{p}</loc></url>" for p in paths)
            + "</urlset>")


def index(base: str, paths: list[str]) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/'
            'schemas/sitemap/0.9">' + "".join(f"<sitemap><loc>{base}{p}</loc></sitemap>"
                                              for p in paths) + "</sitemapindex>")


class SourcesSite(NewsroomSite):
    """The newsroom by links alone, with `sources(path, base)` answering first."""

    def __init__(self, sources: Callable[[str, str], tuple[int, str, str | bytes] | None],
                 robots: str = "") -> None:
        super().__init__(articles=12, discovery="links")
        self.sources, self.robots = sources, robots

    def page(self, path: str, base: str):  # type: ignore[override]
        if path == "/robots.txt":
            return 200, "text/plain", "User-agent: *\nDisallow: /search\n" + \
                self.robots.replace("BASE", base)
        return self.sources(path, base) or super().page(path, base)


def crawl(replica: SourcesSite, tmp_path: Path, **extra: object
          ) -> tuple[CrawlSummary, list[str], str]:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with ReplicaServer(replica) as server:  # type: ignore[arg-type]
        summary = run_crawl(support.config_for(server.base, tmp_path, db,
                                               **{"site": "generic", **extra}), timeout=240)
        stored = sorted(r["canonical_url"].removeprefix(server.base)
                        for r in ArticleStore(db).iter_articles())
        return summary, stored, server.base


def assert_all_stored(site: SourcesSite, summary: dict, stored: list[str]) -> None:
    assert stored == sorted(a.path for a in site.articles), summary
    assert summary.outcome.state == "completed"


def test_a_gzip_sitemap_served_as_a_file_is_read_by_its_content(tmp_path):
    def sources(path: str, base: str):
        if path == "/sitemap-articles.xml.gz":  # no Content-Encoding: a file
            return 200, "application/octet-stream", gzip.compress(
                urlset(base, [a.path for a in site.articles]).encode())
        return NOT_FOUND if path == "/sitemap.xml" else None

    site = SourcesSite(sources, robots="Sitemap: BASE/sitemap-articles.xml.gz\n")
    summary, stored, _ = crawl(site, tmp_path)
    assert_all_stored(site, summary, stored)
    assert not summary.pages_not_articles  # found by the sitemap, no link followed


def test_robots_naming_the_default_sitemap_that_answers_404(tmp_path):
    site = SourcesSite(lambda path, base: NOT_FOUND if path == "/sitemap.xml" else None,
                       robots="Sitemap: BASE/sitemap.xml\n")
    summary, stored, _ = crawl(site, tmp_path)
    assert_all_stored(site, summary, stored)


def test_an_index_naming_one_child_twice(tmp_path):
    def sources(path: str, base: str):
        if path == "/sitemap.xml":
            return 200, XML, index(base, ["/sm/empty.xml", "/sm/empty.xml"])
        if path == "/sm/empty.xml":
            return 200, XML, urlset(base, [])
        return None

    site = SourcesSite(sources)
    summary, stored, _ = crawl(site, tmp_path)
    assert_all_stored(site, summary, stored)
    assert summary.discovery_bounds == {"duplicate": 1}


def endless_chain(path: str, base: str):
    """Sitemap indexes without end, each naming the next (bench/sitemap_bounds.py too)."""
    if path == "/sitemap.xml":
        return 200, XML, index(base, ["/chain/1.xml"])
    if path.startswith("/chain/"):
        step = int(path.removeprefix("/chain/").removesuffix(".xml"))
        return 200, XML, index(base, [f"/chain/{step + 1}.xml"])
    return None


def index_of_children(children: int) -> Callable[[str, str], tuple[int, str, str] | None]:
    """One index naming `children` empty sitemaps (bench/sitemap_bounds.py too)."""
    names = [f"/sm/c{i}.xml" for i in range(children)]

    def sources(path: str, base: str):
        if path == "/sitemap.xml":
            return 200, XML, index(base, names)
        if path.startswith("/sm/c"):
            return 200, XML, urlset(base, [])
        return None

    return sources


def test_an_endless_chain_of_indexes_stops_at_the_depth_bound(tmp_path):
    site = SourcesSite(endless_chain)
    summary, stored, _ = crawl(site, tmp_path, max_sitemap_depth=3)
    assert_all_stored(site, summary, stored)
    assert summary.discovery_bounds == {"sitemap_depth": 1}
    assert "left out by discovery bounds sitemap_depth 1" in summary.outcome.message


def test_an_index_of_250000_children_stops_at_the_sitemap_bound(tmp_path):
    site = SourcesSite(index_of_children(250_000))
    summary, stored, _ = crawl(site, tmp_path, max_sitemaps=40)
    assert_all_stored(site, summary, stored)
    # The root sitemap counts as one: 39 children asked, the rest left out.
    assert summary.discovery_bounds == {"sitemaps": 250_000 - 39}


class Mirror:
    """A copy of the archive served here, its links absolute to the host it
    was copied from (a mirror, or a domain that moved)."""

    def __init__(self, old_base: str) -> None:
        from replica import ReplicaSite

        self.site, self.old_base = ReplicaSite(articles=6), old_base

    def page(self, path: str, base: str):
        return self.site.page(path, self.old_base)


def test_a_mirror_whose_links_point_to_another_host_fails_naming_it(tmp_path):
    mirror = Mirror("http://old-archive.example:8080")
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with ReplicaServer(mirror) as server:  # type: ignore[arg-type]
        summary = run_crawl(support.config_for(server.base, tmp_path, db, site="aawsat"),
                            timeout=240)
    outcome = summary.outcome
    assert outcome.state == "failed" and outcome.cause == "nothing_found", outcome
    assert "old-archive.example:8080" in outcome.message


FRAGILE_MODULE = '''
from sites import Site
from sites.catalog.generic import SITE as GENERIC


class FragileSources(GENERIC.sources):
    def is_article_url(self, url):
        if url.endswith("/boom.html"):
            raise RuntimeError("a bug in this module")
        return super().is_article_url(url)


SITE = Site(name="fragile", description="generic, with a bug", sources=FragileSources,
            parsers=GENERIC.parsers, recognisable=False)
'''


def test_an_error_in_a_discovery_callback_is_counted_and_discovery_goes_on(tmp_path,
                                                                           monkeypatch):
    """The sitemap's handling raises (a bug in a site module, met on one URL):
    the sitemap still reports back, link following starts, every linked
    article is stored, and the error is a counted failure of the run."""
    from sites import all_sites

    module = tmp_path / "fragile_site.py"
    module.write_text(FRAGILE_MODULE)
    monkeypatch.setenv("ARCHIVE_SITE_MODULES", str(module))
    all_sites.cache_clear()
    try:
        site = SourcesSite(lambda path, base: (200, XML, urlset(base, ["/boom.html"]))
                           if path == "/sitemap.xml" else None)
        summary, stored, _ = crawl(site, tmp_path, site="fragile")
    finally:
        monkeypatch.delenv("ARCHIVE_SITE_MODULES")
        all_sites.cache_clear()
    assert_all_stored(site, summary, stored)
    assert summary.failures.get("callback_error") == 1
    assert "RuntimeError: a bug in this module" in summary.callback_error
