"""Any news site: the newsroom (replica/newsroom.py, not WordPress) crawled
with `--site generic`, once through its sitemap index and news sitemap (no
feed), once by links alone (no sitemap, no feed). Every article is stored
once, no home, section or about page is stored, and the bodies are measured
against the truth the site was generated from. The same site declared in a
module of its own (tests/sites/newsroom_site.py) is crawled by its listings."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from replica import NewsroomSite, ReplicaServer
from sites import all_sites
from spiders.runner import run_crawl
from storage.store import ArticleStore
from tests import support
from tests.quality import mean_score, score_body

pytestmark = pytest.mark.integration
NEWSROOM_MODULE = Path(__file__).parent / "sites" / "newsroom_site.py"


def crawl(server: ReplicaServer, tmp_path: Path, db_url: str, site: str = "generic"
          ) -> dict:
    return run_crawl(support.config_for(server.base, tmp_path, db_url, site=site), timeout=240)


def assert_every_article_once_and_no_hub(server: ReplicaServer, db_url: str) -> None:
    site: NewsroomSite = server.site  # type: ignore[assignment]
    stored = list(ArticleStore(db_url).iter_articles())
    assert Counter(r["canonical_url"] for r in stored) == Counter(
        server.base + a.path for a in site.articles)
    scores = [score_body(a.blocks, next(r["body"] for r in stored
                                        if r["canonical_url"] == server.base + a.path))
              for a in site.articles]
    quality = mean_score(scores)
    print(f"generic crawl of the newsroom: body {quality}")
    assert quality.f1 >= 0.95 and quality.token_f1 >= 0.98


@pytest.mark.parametrize("discovery", ["sitemap", "links"])
def test_a_news_site_of_its_own_markup_is_crawled_whole(tmp_path, sqlite_url, discovery):
    with ReplicaServer(NewsroomSite(discovery=discovery)) as server:  # type: ignore[arg-type]
        summary = crawl(server, tmp_path, sqlite_url)
        assert summary.articles_new == len(server.site.articles)
        assert summary.quarantined == {}
        assert_every_article_once_and_no_hub(server, sqlite_url)
        requests = server.take_requests()
        if discovery == "sitemap":  # found by the sitemaps: no link followed
            assert "/sitemaps/index.xml" in requests and "/sitemaps/news.xml" in requests
            assert not any(r.endswith("page-2.html") for r in requests)
        else:
            assert summary.pages_not_articles >= len(server.site.hub_paths()) - 2

        # Nothing changed: no article is fetched again.
        again = crawl(server, tmp_path, sqlite_url)
        refetched = [r for r in server.take_requests() if r.endswith(".html")
                     and r.count("/") == 4]
        assert again.articles_new == 0 and refetched == []

        if discovery == "sitemap":
            # A sitemap's <lastmod> newer than the stored fetch asks that page again.
            oldest = server.site.articles[-1]
            server.site.revise_article(oldest)
            revised = crawl(server, tmp_path, sqlite_url)
            fetched = [r for r in server.take_requests() if r.endswith(".html")]
            assert fetched == [oldest.path] and revised.articles_updated == 1
            assert ArticleStore(sqlite_url).get(server.base + oldest.path)["body"].endswith(
                "wrong date for the council meeting.")

        # A new article is found by the next run, by its sitemap or its links.
        new = server.site.add_article()
        found = crawl(server, tmp_path, sqlite_url)
        assert found.articles_new == 1
        assert ArticleStore(sqlite_url).get(server.base + new.path) is not None


@pytest.fixture
def newsroom_module(monkeypatch):
    monkeypatch.setenv("ARCHIVE_SITE_MODULES", str(NEWSROOM_MODULE))
    all_sites.cache_clear()
    yield "newsroom"
    monkeypatch.delenv("ARCHIVE_SITE_MODULES")
    all_sites.cache_clear()


def test_a_site_declared_in_its_own_module_is_crawled_by_its_listings(
        tmp_path, sqlite_url, newsroom_module):
    with ReplicaServer(NewsroomSite(discovery="links")) as server:  # type: ignore[arg-type]
        summary = crawl(server, tmp_path, sqlite_url, site=newsroom_module)
        assert summary.articles_new == len(server.site.articles)
        stored = list(ArticleStore(sqlite_url).iter_articles())
        assert {r["extractor"] for r in stored} == {"newsroom"}
        assert_every_article_once_and_no_hub(server, sqlite_url)
        walked = {r.listing.removeprefix(server.base) for r in summary.coverage.listings}
        assert walked == {f"/{section}/" for section in server.site.sections}
