"""End to end: the spider in a child process crawls our replica served on
127.0.0.1, and the store holds every article once with the expected text."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from ingest.reextract import reextract
from ingest.warc_import import import_warc
from replica import ReplicaServer
from replica.site import PER_PAGE, PRIVATE_CATEGORY
from spiders.config import CrawlConfig
from spiders.runner import run_crawl
from storage.store import ArticleStore
from storage.warc import iter_responses
from tests import support

pytestmark = pytest.mark.integration


def config_for(server: ReplicaServer, tmp_path, db_url: str, **extra) -> CrawlConfig:
    return support.config_for(server.base, tmp_path, db_url, **extra)


@pytest.fixture
def server():
    with ReplicaServer() as running:
        yield running


def test_full_crawl_stores_every_article_once(server, tmp_path, sqlite_url):
    summary = run_crawl(config_for(server, tmp_path, sqlite_url), timeout=180)
    store = ArticleStore(sqlite_url)
    public = server.site.public_articles()
    assert summary.articles_new == len(public) >= 50
    assert store.stats()["articles"] == len(public)
    for site_article in public:
        stored = store.get(f"{server.base}{site_article.post.path}")
        assert stored is not None, site_article.post.path
        assert stored["body"].split("\n\n") == site_article.blocks
        assert stored["title"] == site_article.post.title
        if site_article.image_caption:
            assert stored["images"][0]["credit"] == site_article.image_credit
            assert site_article.image_caption not in stored["body"]
    requests = server.take_requests()
    assert not any("/attachment/" in r for r in requests)  # never fetched, never stored
    assert not any(f"/theaawsat/{PRIVATE_CATEGORY}/" in r for r in requests)  # robots.txt
    assert summary.failures == {"robots_txt": 1}
    assert all("?share=" not in row["canonical_url"] for row in store.iter_articles())
    # Every response the crawl used is kept: robots.txt, the home page,
    # listings and feeds beside the articles; each file opens with a warcinfo.
    warc_files = sorted((tmp_path / "warc").glob("*.warc.gz"))
    archived = [urlsplit(page.url).path or "/" for f in warc_files
                for _, page in iter_responses(f)]
    assert sorted(archived) == sorted(urlsplit(r).path or "/" for r in requests)
    assert {"/robots.txt", "/"} <= set(archived)
    assert any(path.startswith("/category/") for path in archived)
    for warc_file in warc_files:
        info = first_record(warc_file)
        assert info.rec_type == "warcinfo"
        fields = info.content_stream().read().decode()
        assert "software: news-archive-pipeline/" in fields
        assert f'"base_url":"{server.base}"' in fields and "db_url" not in fields

    # A fresh store that imports those files learns the names the crawl learned.
    fresh = tmp_path / "fresh.db"
    imported = import_warc(ArticleStore(f"sqlite:///{fresh}"), warc_files, site="aawsat",
                           workers=1)
    assert imported.new == len(public) and not imported.quarantined
    assert imported.names_learned > 0
    assert names_by_article(ArticleStore(f"sqlite:///{fresh}")) == names_by_article(store)


def first_record(path):
    with open(path, "rb") as stream:
        return next(iter(ArchiveIterator(stream)))


def names_by_article(store: ArticleStore) -> dict[str, tuple]:
    return {row["canonical_url"]: (sorted(row["categories"]), sorted(row["tags"]),
                                   sorted(row["authors"]), row["site"])
            for row in store.iter_articles()}


def test_incremental_rerun_fetches_only_first_listing_pages_and_finds_new(
        server, tmp_path, sqlite_url):
    config = config_for(server, tmp_path, sqlite_url)
    run_crawl(config, timeout=180)
    server.take_requests()

    quiet = run_crawl(config, timeout=180)
    requests = server.take_requests()
    article_requests = [r for r in requests if r.count("/") == 3 and "/category/" not in r]
    assert quiet.articles_new == 0 and article_requests == []
    listing_requests = [r for r in requests if r.startswith("/category/")]
    # Page 1 of each section the first crawl discovered (the four, and the
    # private briefings, whose listing has one page), and the margin page behind it;
    # no tag or author listing.
    sections = [k for k in server.site.listings() if k.startswith("/category/")]
    assert len(sections) == 5
    assert sorted(listing_requests) == sorted(
        sections + [f"{k}/page/2" for k in sections if len(server.site.listings()[k]) > PER_PAGE])
    assert not any(r.startswith(("/tag/", "/author/")) for r in requests)

    new = server.site.add_article("ceasefire")
    found = run_crawl(config, timeout=180)
    assert found.articles_new == 1
    stored = ArticleStore(sqlite_url).get(f"{server.base}{new.post.path}")
    assert stored is not None and stored["body"].split("\n\n") == new.blocks


def test_interrupted_walk_resumes_where_it_stopped(server, tmp_path, sqlite_url):
    first = run_crawl(config_for(server, tmp_path, sqlite_url, max_pages=2), timeout=180)
    assert first.articles_new < len(server.site.public_articles())
    server.take_requests()
    rest = run_crawl(config_for(server, tmp_path, sqlite_url), timeout=180)
    assert first.articles_new + rest.articles_new == len(server.site.public_articles())
    assert "/category/opinion/page/2" in server.take_requests()  # resumed there


def test_reextract_updates_changed_articles_from_warc_alone(server, tmp_path, sqlite_url):
    run_crawl(config_for(server, tmp_path, sqlite_url), timeout=180)
    server.take_requests()
    store = ArticleStore(sqlite_url)
    # What an older cleaner left: a caption leaked into two bodies.
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE articles SET body = 'Photo (AFP)\n\n' || body, content_hash = 'old' "
            "WHERE id IN (1, 2)")
    server.stop()  # no HTTP from here on
    result = reextract(store)
    assert result["updated"] == 2
    assert result["unchanged"] == len(server.site.public_articles()) - 2
    assert all(not row["body"].startswith("Photo (AFP)") for row in store.iter_articles())
    assert server.take_requests() == []


def test_refresh_asks_conditionally_and_marks_taken_down_articles_gone(
        server, tmp_path, sqlite_url):
    run_crawl(config_for(server, tmp_path, sqlite_url), timeout=180)
    taken_down = server.site.public_articles()[0]
    server.site.remove_article(taken_down)
    refreshed = run_crawl(config_for(server, tmp_path, sqlite_url, refresh=True), timeout=180)
    remaining = len(server.site.public_articles())
    assert refreshed.articles_not_modified == remaining  # 304 for every unchanged page
    assert refreshed.articles_new == refreshed.articles_updated == 0
    store = ArticleStore(sqlite_url)
    url = f"{server.base}{taken_down.post.path}"
    assert store.get(url)["status"] == "gone"  # kept, never deleted
    assert refreshed.articles_gone == 1


def test_articles_older_than_the_refetch_age_are_fetched_again(server, tmp_path, sqlite_url):
    run_crawl(config_for(server, tmp_path, sqlite_url), timeout=180)
    store = ArticleStore(sqlite_url)
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE articles SET last_fetched = '2020-01-01 00:00:00.000000' WHERE id <= 3")
        stale = {urlsplit(row[0]).path for row in connection.exec_driver_sql(
            "SELECT canonical_url FROM articles WHERE id <= 3")}
    assert len(stale) == 3
    server.take_requests()
    config = config_for(server, tmp_path, sqlite_url, refetch_after_days=30)
    again = run_crawl(config, timeout=180)
    article_requests = [r for r in server.take_requests()
                        if r.count("/") == 3 and not r.startswith("/category/")]
    assert sorted(article_requests) == sorted(stale)  # the stale three, each once, no others
    assert again.articles_not_modified == 3  # asked with If-None-Match: unchanged
    assert again.articles_new == again.articles_updated == 0
