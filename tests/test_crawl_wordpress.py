"""`--site wordpress` against a real WordPress served on 127.0.0.1: discovery
through the home page's categories, the feed and the core sitemap."""

from __future__ import annotations

import pytest

from spiders.config import CrawlConfig
from spiders.runner import run_crawl
from storage.store import ArticleStore
from tests.support import require_service
from tests.wordpress_site import missing, wordpress_site

pytestmark = pytest.mark.integration
POSTS = {"harbour-reopens-after-storm", "council-approves-the-budget", "hello-world",
         *{f"world-brief-{i}" for i in range(1, 6)}}


@pytest.fixture
def wordpress():
    why = missing()
    require_service(why is None, "a local WordPress", why or "")
    with wordpress_site() as base:
        yield base


def test_crawl_a_real_wordpress(wordpress, tmp_path, sqlite_url):
    config = CrawlConfig(site="wordpress", base_url=wordpress, db_url=sqlite_url,
                         data_dir=str(tmp_path), download_delay=0, autothrottle=False)
    summary = run_crawl(config, timeout=300)
    store = ArticleStore(sqlite_url)
    stored = {row["canonical_url"].rstrip("/").rsplit("/", 1)[-1]: row
              for row in store.iter_articles()}
    assert set(stored) == POSTS  # posts only: no pages, listings, attachments or feeds
    harbour = stored["harbour-reopens-after-storm"]
    assert harbour["authors"] == ["Mira Holt"]
    assert harbour["categories"] == ["Local News"]
    assert harbour["images"][0]["credit"] == "Reuters"
    assert "Boats return" not in harbour["body"]
    assert summary.extractors == {"wordpress": len(POSTS)}
    assert summary.failures == {}
    rerun = run_crawl(config, timeout=300)
    assert rerun.articles_new == 0 and rerun.articles_updated == 0
