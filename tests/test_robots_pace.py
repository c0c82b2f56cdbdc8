"""robots.txt's Crawl-delay and Request-rate set a site's pace (Scrapy's own
robots.txt middleware reads neither): the slower of the two, never faster
than the crawl's own delay, never slower than a minute."""

from __future__ import annotations

import pytest
from protego import Protego

from replica import ReplicaServer, ReplicaSite
from spiders.middlewares import robots_delay
from spiders.runner import run_crawl
from tests import support


@pytest.mark.parametrize("robots, expected", [
    ("User-agent: *\nCrawl-delay: 2\n", 2.0),
    ("User-agent: *\nRequest-rate: 1/5s\n", 5.0),
    ("User-agent: *\nCrawl-delay: 2\nRequest-rate: 3/3s\n", 2.0),  # the slower
    ("User-agent: other\nCrawl-delay: 9\n\nUser-agent: *\nDisallow: /x\n", 0.0),
    ("User-agent: *\nDisallow: /wp-admin/\n", 0.0),
])
def test_the_pace_a_robots_txt_asks_for(robots, expected):
    assert robots_delay(Protego.parse(robots), "news-archive-pipeline") == expected


@pytest.mark.integration
def test_a_crawl_keeps_the_crawl_delay_even_with_autothrottle(tmp_path, sqlite_url):
    delay = 0.4
    site = ReplicaSite(articles=6, robots_extra=f"Crawl-delay: {delay}\n")
    with ReplicaServer(site) as server:
        config = support.config_for(server.base, tmp_path, sqlite_url, autothrottle=True,
                                    concurrency_per_domain=8)
        summary = run_crawl(config, timeout=180)
        times = list(server.times)
    assert summary.articles_new == len(site.public_articles())
    gaps = sorted(b - a for a, b in zip(times[1:], times[2:], strict=False))  # robots.txt first
    # Arrival times carry the client's scheduling noise, which moves single
    # arrivals, never the whole run: its span, and its median gap.
    assert len(gaps) >= 10 and sum(gaps) >= 0.9 * delay * len(gaps), gaps
    assert gaps[len(gaps) // 2] >= 0.9 * delay, gaps


@pytest.mark.integration
def test_a_generic_crawl_keeps_the_crawl_delay_too(tmp_path, sqlite_url):
    """Open discovery reads robots.txt a second time, for its Sitemap: lines;
    AutoThrottle adjusted the pace on that response and halved it for good."""
    from replica import NewsroomSite

    delay = 0.25

    class PacedNewsroom(NewsroomSite):
        def page(self, path: str, base: str):  # type: ignore[override]
            if path == "/robots.txt":
                return 200, "text/plain", f"User-agent: *\nCrawl-delay: {delay}\n"
            return super().page(path, base)

    site = PacedNewsroom(discovery="links")
    with ReplicaServer(site) as server:  # type: ignore[arg-type]
        config = support.config_for(server.base, tmp_path, sqlite_url, site="generic",
                                    autothrottle=True, concurrency_per_domain=8)
        summary = run_crawl(config, timeout=180)
        times = list(server.times)
    assert summary.articles_new == len(site.articles)
    gaps = sorted(b - a for a, b in zip(times[1:], times[2:], strict=False))
    assert len(gaps) >= 10 and sum(gaps) >= 0.9 * delay * len(gaps), gaps
