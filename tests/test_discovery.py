"""Complete discovery on the archive: a replica with sections no code names
and no menu lists is crawled whole, by the archive's parser, each article once
and under its section's display name, whether the crawl is told the site
(`aawsat`) or recognises it (`auto`) under a host that is not the archive's.
And the crawl's coverage report accounts for every listing and article."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from replica import ReplicaServer
from replica.site import CATEGORIES, PER_PAGE, ReplicaSite
from spiders.coverage import ListingWalk, as_markdown, summarise
from spiders.runner import run_crawl
from storage.store import ArticleStore
from tests import support

NEW_SECTIONS = {"features": "Features", "culture-arts": "Culture & Arts"}


# --- the coverage report, as a pure value -----------------------------------------------
def test_coverage_counts_each_article_once_and_says_why_one_is_missing():
    walks = [ListingWalk("/category/a", "category", pages=2, ended="end",
                         found={"u1", "u2", "u3"}),
             ListingWalk("/tag/t", "tag", pages=1, ended="known", found={"u2", "u4"})]
    coverage = summarise(walks, stored={"u1", "u2"}, why_not={"u3": "http_404"})
    assert (coverage.found, coverage.stored, coverage.missing_total) == (4, 2, 2)
    assert [(m.url, m.why) for m in coverage.missing] == [("u3", "http_404"),
                                                          ("u4", "not fetched")]
    assert [(r.listing, r.found, r.stored) for r in coverage.listings] == [
        ("/category/a", 3, 2), ("/tag/t", 2, 1)]
    report = as_markdown(coverage)
    assert "**2 of 4**" in report and "| u3 | /category/a | http_404 |" in report


# --- the replica with sections of its own ---------------------------------------------
@pytest.fixture
def server():
    site = ReplicaSite(articles=80, extra_sections=NEW_SECTIONS)
    with ReplicaServer(site) as running:
        yield running


@pytest.mark.integration
@pytest.mark.parametrize("site", ["aawsat", "auto"])
def test_every_section_is_discovered_and_every_article_stored_once(
        server, tmp_path, sqlite_url, site):
    sections = {**CATEGORIES, **NEW_SECTIONS}
    assert len(sections) >= 6
    menu = server.site.page("/", server.base)[2]
    assert not any(f"/category/{slug}" in menu.split("</nav>")[0] for slug in NEW_SECTIONS)

    summary = run_crawl(support.config_for(server.base, tmp_path, sqlite_url, site=site),
                        timeout=180)
    public = server.site.public_articles()
    assert summary.read_as in (None, "aawsat") and summary.articles_new == len(public)
    store = ArticleStore(sqlite_url)
    stored = list(store.iter_articles())
    assert Counter(r["canonical_url"] for r in stored) == Counter(
        f"{server.base}{a.post.path}" for a in public)
    assert {r["extractor"] for r in stored} == {"aawsat"}
    by_url = {r["canonical_url"]: r for r in stored}
    for article in public:  # under the display name, whether or not the page printed it
        assert by_url[f"{server.base}{article.post.path}"]["categories"] == \
            [sections[article.post.category_slug]], article.post.path
    walked = {r.listing.removeprefix(server.base) for r in summary.coverage.listings
              if r.kind == "category"}
    assert {f"/category/{slug}" for slug in sections} <= walked
    # A site's first crawl walks the author listings its pages link too (Divi
    # links no tag listing).
    assert {r.kind for r in summary.coverage.listings} == {"category", "author"}
    assert summary.coverage.missing_total == 1  # the article robots.txt keeps out
    assert summary.coverage.missing[0].why == "robots_txt"


@pytest.mark.integration
def test_a_no_change_incremental_run_walks_sections_only(server, tmp_path, sqlite_url):
    config = support.config_for(server.base, tmp_path, sqlite_url, site="aawsat")
    first = run_crawl(config, timeout=180)
    server.take_requests()
    quiet = run_crawl(config, timeout=180)
    requests = server.take_requests()
    assert first.articles_new > 0 and quiet.articles_new == 0
    # robots.txt, the home page, the feed, and each section's first page with
    # the margin page behind it: no tag or author listing, no article.
    listings = server.site.listings()
    sections = [k for k in listings if k.startswith("/category/")]
    assert sorted(requests) == sorted(["/robots.txt", "/", "/feed/", *sections] + [
        f"{k}/page/2" for k in sections if len(listings[k]) > PER_PAGE])


@pytest.mark.integration
def test_a_month_archive_and_since_bound_what_a_crawl_walks(server, tmp_path, sqlite_url):
    """A backfill shard walks one month's archive (/YYYY/MM, as WordPress
    serves it); `since` stops a walk at the first page older than the date."""
    month = "2017/09"
    in_month = [a for a in server.site.public_articles() if f"{a.published:%Y/%m}" == month]
    summary = run_crawl(support.config_for(server.base, tmp_path, sqlite_url, site="aawsat",
                                           mode="full", months=[month]), timeout=180)
    assert summary.articles_new == len(in_month) > PER_PAGE  # more than one page
    assert {r["canonical_url"] for r in ArticleStore(sqlite_url).iter_articles()} == \
        {server.base + a.post.path for a in in_month}

    opinion = server.site.listings()["/category/opinion"]
    assert len(opinion) > 2 * PER_PAGE  # three pages at least
    since = opinion[PER_PAGE].published + timedelta(days=1)  # all of page 2 is older
    server.take_requests()
    bounded = run_crawl(support.config_for(server.base, tmp_path, sqlite_url, site="aawsat",
                                           mode="full", categories=["opinion"], since=since),
                        timeout=180)
    walk = next(r for r in bounded.coverage.listings if r.listing.endswith("opinion"))
    assert (walk.ended, walk.pages) == ("since", 2)


@pytest.mark.integration
def test_archive_stats_shows_the_last_crawls_coverage(server, tmp_path, sqlite_url):
    import os
    import subprocess
    import sys
    from pathlib import Path

    run_crawl(support.config_for(server.base, tmp_path, sqlite_url, site="aawsat"), timeout=180)
    archive = str(Path(sys.executable).parent / "archive")
    shown = subprocess.run([archive, "stats", "--db", sqlite_url], capture_output=True,
                           text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})
    assert shown.returncode == 0, shown.stderr
    assert "coverage of the last crawl" in shown.stdout
    assert "/category/features" in shown.stdout and "robots_txt" in shown.stdout
    assert f"{len(server.site.public_articles())} of " in shown.stdout


@pytest.mark.integration
def test_sections_whose_listing_is_gone_are_forgotten(server, tmp_path, sqlite_url):
    """Sections remembered from earlier crawls whose listings now answer 404
    are asked once, then forgotten like any page gone for good; the run
    completes (the site's real sections still answer)."""
    from sites import Term

    store = ArticleStore(sqlite_url)
    store.remember_terms("aawsat", [Term("category", f"gone-{i}", None) for i in range(40)])
    config = support.config_for(server.base, tmp_path, sqlite_url, site="aawsat")
    first = run_crawl(config, timeout=180)
    asked = [r for r in server.take_requests() if r.startswith("/category/gone-")]
    assert len(asked) == 40 and first.outcome.state == "completed"
    assert not [t for t in store.site_terms("aawsat") if t.slug.startswith("gone-")]
    run_crawl(config, timeout=180)
    assert not [r for r in server.take_requests() if r.startswith("/category/gone-")]
