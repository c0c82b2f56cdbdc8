"""Pure parts of names per site (docs/names.md): a name's key, the display
name a stored value takes, the site a page with none is stored under, and
the pipeline handing the spider's site to the store."""

from __future__ import annotations

import asyncio

import pytest

from cleaning.urls import host_site
from ingest.clean_pool import CleaningPool
from sites import site_for_url
from spiders.pipeline import ArchivePipeline
from storage.naming import name_key
from storage.store import DisplayNames
from storage.warc import WarcWriterRotating
from tests.test_unit_pipeline import FakeStore, article_item


@pytest.mark.parametrize(("slug", "name"), [
    ("news-middle-east", "News Middle East"), ("hamzamustafa", "Hamza Mustafa"),
    ("Hamzamustafa", "Hamza Mustafa"), ("world_news", "World News"),
    ("%D8%B3%D9%88%D8%B1%D9%8A%D8%A7", "سوريا"),  # a percent-encoded slug is read decoded
])
def test_a_slug_and_its_display_name_have_one_key(slug, name):
    assert name_key(slug) == name_key(name)


def test_different_names_have_different_keys():
    assert name_key("news-middle-east") != name_key("Middle East")
    assert name_key("--") == ""


def names(*learned: tuple[str, str, str]) -> DisplayNames:
    by_key = {(kind, name_key(slug)): name for kind, slug, name in learned}
    return DisplayNames(by_key, frozenset((k, n) for (k, _), n in by_key.items()))


def test_a_stored_value_takes_the_display_name_of_the_slug_it_stands_for():
    known = names(("category", "news-middle-east", "Middle East"),
                  ("author", "hamzamustafa", "Hamza Mustafa"), ("category", "b", "A"))
    assert known.shown("category", "news-middle-east") == "Middle East"
    assert known.shown("category", "News Middle-East") == "Middle East"
    assert known.shown("author", "Hamzamustafa") == "Hamza Mustafa"
    assert known.shown("category", "Middle East") == "Middle East"  # a name stays a name
    assert known.shown("tag", "news-middle-east") == "news-middle-east"  # another kind
    assert known.shown("category", "opinion") == "opinion"  # nothing learned
    assert known.shown("category", "A") == "A"  # a display name is never renamed


def test_the_site_of_a_page_that_comes_with_none():
    assert site_for_url("https://eng-archive.aawsat.com/a/b/c") == "aawsat"
    assert site_for_url("https://english.aawsat.com/a/b/c") == "aawsat"
    assert site_for_url("http://127.0.0.1:8765/a/b/c") == "127.0.0.1:8765"
    assert site_for_url("https://News.Example/x") == "news.example"
    assert host_site("https://eng-archive.aawsat.com/x") == "eng-archive.aawsat.com"


def test_the_pipeline_stores_under_the_site_the_spider_fetched_the_page_for(tmp_path):
    store = FakeStore()
    pipeline = ArchivePipeline(store=store, warc=WarcWriterRotating(tmp_path / "warc"),
                               cleaner_site="aawsat", run_id=1, batch_size=1,
                               cleaner=CleaningPool(0), stored_as="from-the-start")
    asyncio.run(pipeline.process_item(article_item("first")))
    switched = article_item("second")
    switched.stored_as = "aawsat-archive"  # `auto` settled on a site meanwhile
    asyncio.run(pipeline.process_item(switched))
    assert [b[0].site for b in store.batches] == ["from-the-start", "aawsat-archive"]
    assert store.batches[0][0].article.parser == "aawsat-1@2005-01-01"
