"""Every store call that takes a list of URLs or terms takes any number: a
sitemap of 70,000 URLs or a home page of 70,000 section links is read in
parts under each database's limit on parameters (PostgreSQL's 65,535 made
these calls raise inside the crawl's callback: nothing stored, `completed`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sites import Term, extract_article
from storage.store import ArticleStore, PageRecord
from tests.test_reextract import page_html

pytestmark = pytest.mark.integration
MANY = 70_000
BASE = "https://eng-archive.aawsat.com/theaawsat/news-middle-east/"


def test_known_urls_and_validators_take_any_number(db_url):
    store = ArticleStore(db_url)
    stored = f"{BASE}kept"
    store.upsert_articles([PageRecord(article=extract_article(page_html("kept"), stored,
                                                              site="aawsat"),
                                      fetched_at=datetime(2024, 5, 1, tzinfo=UTC))])
    urls = [f"{BASE}article-{i}" for i in range(MANY)] + [stored]
    assert store.known_urls(urls) == {stored}
    assert set(store.validators(urls)) == {stored}


def test_remembering_any_number_of_terms(db_url):
    store = ArticleStore(db_url)
    terms = [Term("category", f"section-{i}", f"Section {i}") for i in range(MANY)]
    remembered = store.remember_terms("aawsat", terms)
    assert len(remembered.learned) == MANY
    assert len(store.site_terms("aawsat", ("category",))) == MANY
