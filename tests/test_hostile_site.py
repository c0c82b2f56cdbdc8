"""A crawl of a hostile site (every fault of the real web, seeded) finishes,
stores every reachable article exactly once with the right text, retries what
is transient, not what is permanent, and records every failure with its reason."""

from __future__ import annotations

from collections import Counter

import pytest

from flows.reports import figures_table
from replica import ReplicaServer
from replica.hostile import PERMANENT, HostileSite
from spiders.config import CrawlConfig
from spiders.runner import run_crawl
from storage.store import ArticleStore

# The module's crawl (up to 600 s) runs in the first test's setup.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    db = f"sqlite:///{tmp / 'archive.db'}"
    site = HostileSite(articles=60)
    with ReplicaServer(site) as server:
        config = CrawlConfig(site="aawsat", base_url=server.base, db_url=db, data_dir=str(tmp),
                             download_delay=0, autothrottle=False, concurrency_per_domain=8,
                             download_timeout=2, retries=3, max_page_bytes=1024 * 1024)
        summary = run_crawl(config, timeout=600)
        requests = list(server.requests)
    return site, server.base, ArticleStore(db), summary, requests


def test_every_reachable_article_is_stored_once_with_the_right_text(crawled):
    site, base, store, summary, _ = crawled
    expected = site.expected_stored()
    stored = {row["canonical_url"]: row for row in store.iter_articles()}
    assert len(stored) == len(expected) == store.stats()["articles"]
    for article in expected:
        row = stored[f"{base}{article.post.path}"]
        assert row["body"].split("\n\n") == article.blocks, site.faults[article.post.path]
        assert "\ufffd" not in row["body"]
    for article in site.expected_missing():
        assert f"{base}{article.post.path}" not in stored


def test_transient_faults_are_retried_and_permanent_ones_are_not(crawled):
    site, _, _, summary, requests = crawled
    per_path = Counter("/" + r.split("?")[0].strip("/") for r in requests)
    for path, fault in site.faults.items():
        if fault.kind in ("http_404", "http_410"):
            assert per_path[path] == 1, (path, fault.kind)  # permanent: asked once
        if fault.kind == "http_502_always":
            assert per_path[path] == 4  # the first try and 3 retries
        if fault.heals_after:
            assert per_path[path] == fault.heals_after + 1, (path, fault.kind)
    assert summary.retries > 0
    assert per_path["/category/opinion/page/2"] == 2  # the listing that failed once


def test_every_failure_is_recorded_with_its_reason(crawled):
    site, _, store, summary, _ = crawled
    failures = summary.failures
    kinds = Counter(f.kind for f in site.faults.values())
    assert failures.get("http_404") == kinds["http_404"]
    assert failures.get("http_410") == kinds["http_410"]
    assert failures.get("http_5xx") == kinds["http_502_always"]
    assert failures.get("redirect_loop") == kinds["redirect_loop"]
    assert failures.get("offsite", 0) + summary.offsite_filtered >= kinds["redirect_offsite"]
    assert failures.get("too_large") == kinds["huge"]
    assert failures.get("data_loss") == kinds["truncated_always"]
    assert failures.get("robots_txt") == 1
    recorded = store.stats()["fetch_failures"]
    for reason in ("http_404", "http_410", "http_5xx", "redirect_loop", "too_large"):
        assert recorded.get(reason), reason
    assert all(k in PERMANENT or k not in failures for k in kinds)
    report = {row["figure"]: row["value"] for row in figures_table(summary)}
    assert report["failed: http_404"] == kinds["http_404"]  # the flow's run report shows them


def test_links_off_the_site_or_to_other_schemes_are_refused_and_counted(crawled):
    site, _, _, summary, requests = crawled
    listing_pages = sum(1 for r in requests if r.startswith("/category/"))
    assert summary.refused_links >= 4 * (listing_pages - 1)  # 4 on every listing page served
    assert not any("passwd" in r or "elsewhere" in r for r in requests)
    assert summary.offsite_filtered >= 1  # the redirect to another host
