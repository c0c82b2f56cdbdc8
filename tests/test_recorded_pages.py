"""Every site version over its recorded pages (tests/recorded/<site>/<version>/,
written by `archive record-page`): the article each page makes is exactly the
one recorded beside it. And a template change from a given date is read by
the version valid on each page's fetch day, in extraction and in re-extraction."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from replica.site import ReplicaSite
from sites import all_sites, extract_article
from sites.recorded import recorded_pages

RECORDED = Path(__file__).parent / "recorded"
TEST_SITES = Path(__file__).parent / "sites"  # site modules of the tests' own sites


@pytest.fixture(autouse=True)
def test_sites_registered(monkeypatch):
    """The tests' own sites (declared as a user declares one: ARCHIVE_SITE_MODULES)
    beside the shipped ones, so their recorded pages are read too."""
    modules = sorted(str(path) for path in TEST_SITES.glob("*_site.py"))
    monkeypatch.setenv("ARCHIVE_SITE_MODULES", ":".join(modules))
    all_sites.cache_clear()
    yield
    monkeypatch.delenv("ARCHIVE_SITE_MODULES")
    all_sites.cache_clear()


@pytest.mark.parametrize("page", recorded_pages(RECORDED),
                         ids=lambda page: f"{page.site}/{page.html_path.name}")
def test_each_recorded_page_makes_its_recorded_article(page):
    assert page.extract().model_dump(mode="json") == page.expected()


def test_every_version_of_every_site_has_recorded_pages():
    assert {"newsroom", "divi-redesign"} <= set(all_sites())  # the tests' sites too
    recorded = {(p.site, p.html_path.parent.name) for p in recorded_pages(RECORDED)}
    missing = [f"{site.name}/{version.label}" for site in all_sites().values()
               for version in site.parsers if (site.name, version.label) not in recorded]
    assert not missing, f"record pages for {missing} (archive record-page)"


@pytest.fixture
def redesign_site() -> str:
    """The two-version test site (tests/sites/divi_redesign_site.py)."""
    return "divi-redesign"


def pages_before_and_after_the_redesign() -> tuple[str, str, str]:
    base = "http://127.0.0.1:8765"
    path = ReplicaSite().articles[0].post.path
    old = ReplicaSite().page(path, base)[2]
    new = ReplicaSite(changed_template=True).page(path, base)[2]
    return base + path, old, new


def test_a_template_change_is_read_by_the_version_of_the_fetch_day(redesign_site):
    url, old, new = pages_before_and_after_the_redesign()
    before = extract_article(old, url, redesign_site, fetched=date(2017, 5, 31))
    after = extract_article(new, url, redesign_site, fetched=date(2017, 6, 1))
    assert before.parser == "aawsat-1@2005-01-01"
    assert after.parser == "aawsat-2@2017-06-01"
    assert before.body == after.body and not after.fallback
    # The old version on the new template finds no body (the generic fallback reads it).
    assert extract_article(new, url, redesign_site, fetched=date(2017, 5, 31),
                           fallback=True).fallback


@pytest.mark.integration
def test_reextraction_reads_each_page_with_the_version_of_its_fetch_day(
        redesign_site, tmp_path, sqlite_url):
    from ingest.reextract import reextract
    from storage.store import ArticleStore, PageRecord
    from storage.warc import RawPage, WarcWriterRotating

    url, old, new = pages_before_and_after_the_redesign()
    writer = WarcWriterRotating(tmp_path / "warc")
    store = ArticleStore(sqlite_url)

    # One page fetched before the redesign, one (under another URL) after it.
    for page_url, html, fetched in ((url, old, datetime(2017, 5, 1, tzinfo=UTC)),
                                    (url + "-again", new, datetime(2017, 7, 1, tzinfo=UTC))):
        location = writer.write(RawPage(url=page_url, status=200, body=html.encode(),
                                        fetched_at=fetched,
                                        headers=[("Content-Type", "text/html; charset=utf-8")]))
        writer.close()
        # What a crawl with an older cleaner stored: a spoiled body, so the
        # re-extraction has something to change.
        article = extract_article(old, page_url, redesign_site, fetched=date(2017, 5, 1))
        article = article.model_copy(update={"canonical_url": page_url,
                                             "body": "stale", "content_hash": "stale"})
        store.upsert_articles([PageRecord(article=article, fetched_at=fetched,
                                          warc_file=location[0], warc_offset=location[1],
                                          site=redesign_site)])
    result = reextract(store, site=redesign_site)
    assert result["updated"] == 2
    revisions = {u: store.revisions(u)[-1] for u in (url, url + "-again")}
    assert revisions[url]["parser"] == "aawsat-1@2005-01-01"
    assert revisions[url + "-again"]["parser"] == "aawsat-2@2017-06-01"
    assert store.get(url)["body"] == store.get(url + "-again")["body"] != "stale"
