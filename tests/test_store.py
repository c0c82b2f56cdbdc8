"""ArticleStore on SQLite and on PostgreSQL: the same tests, both databases."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from replica.divi import BASE, Post, article_page
from sites import extract_article
from storage.store import ArticleStore, PageRecord, StoreError
from tests.support import join

BODY = "<p>{text} The ministers met in Geneva and agreed to meet again next week.</p>" * 3


def article(slug: str, text: str = "First version.", title: str = "Talks resume",
            tags: tuple[str, ...] = ("syria",)):
    post = Post(slug=slug, title=title, body_html=BODY.format(text=text), tags=list(tags),
                author_name="Arafat Madabish", author_slug="arafat-madabish")
    return extract_article(article_page(post), BASE + post.path)


def record(clean, run_id=None, offset=0):
    return PageRecord(article=clean, fetched_at=datetime.now(UTC), run_id=run_id,
                      warc_file="/tmp/x.warc.gz", warc_offset=offset, cleaner_version="t")


def test_upsert_is_idempotent_and_revisions_follow_content(db_url):
    store = ArticleStore(db_url)
    first = article("a")
    counts = store.upsert_articles([record(first)])
    assert (counts.new, counts.updated, counts.unchanged) == (1, 0, 0)
    again = store.upsert_articles([record(first)])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    changed = article("a", text="Second version.")
    assert store.upsert_articles([record(changed, offset=99)]).updated == 1
    stored = store.get(first.canonical_url)
    assert stored["revision"] == 2 and "Second version." in stored["body"]
    assert [r["number"] for r in store.revisions(first.canonical_url)] == [1, 2]
    assert store.revisions(first.canonical_url)[1]["warc_offset"] == 99
    assert store.stats()["articles"] == 1


def test_fields_and_names_round_trip(db_url):
    store = ArticleStore(db_url)
    clean = article("b", tags=("syria", "iran"))
    store.upsert_articles([record(clean), record(article("c", tags=("iran",)))])
    stored = store.get(clean.canonical_url)
    assert stored["authors"] == ["Arafat Madabish"]
    assert stored["categories"] == ["Middle East"]
    assert sorted(stored["tags"]) == ["iran", "syria"]
    assert stored["published"] == datetime(2014, 4, 16, tzinfo=ZoneInfo("Europe/London"))
    assert stored["published"].tzinfo is not None
    assert store.stats()["tags"] == 2  # names are shared, not repeated


def test_a_batch_with_the_same_url_twice_keeps_the_last(db_url):
    store = ArticleStore(db_url)
    counts = store.upsert_articles([record(article("d", text="One.")),
                                    record(article("d", text="Two."))])
    assert counts.new == 1
    assert "Two." in store.get(article("d").canonical_url)["body"]


def test_known_urls_quarantine_and_gone(db_url):
    store = ArticleStore(db_url)
    stored = article("e")
    store.upsert_articles([record(stored)])
    store.quarantine(BASE + "/x/y/attachment-like", "not_an_article", "attachment page")
    store.quarantine(BASE + "/x/y/flaky", "timeout", "", permanent=False)
    urls = [stored.canonical_url, BASE + "/x/y/attachment-like", BASE + "/x/y/flaky",
            BASE + "/x/y/new"]
    assert store.known_urls(urls) == {stored.canonical_url, BASE + "/x/y/attachment-like"}
    assert store.mark_gone(stored.canonical_url)
    assert store.get(stored.canonical_url)["status"] == "gone"  # kept, never deleted
    assert store.stats()["quarantined"] == {"not_an_article": 1, "timeout": 1}


def test_sqlite_reads_never_wait_for_another_process_holding_the_write_lock(tmp_path):
    """The crawl's reads (known URLs, listing state) and the reader's go on
    while another writer holds SQLite's lock: they begin a deferred
    transaction, not BEGIN IMMEDIATE (which would wait up to 60 s)."""
    path = tmp_path / "archive.db"
    store = ArticleStore(f"sqlite:///{path}")
    stored = article("lock")
    store.upsert_articles([record(stored)])
    answers: list[object] = []
    with closing(sqlite3.connect(path, isolation_level=None)) as other_writer:
        other_writer.execute("BEGIN IMMEDIATE")
        reading = threading.Thread(target=lambda: answers.extend([
            store.known_urls([stored.canonical_url]), store.listing_state("news"),
            store.get(stored.canonical_url)["title"], store.stats()["articles"]]))
        reading.start()
        join(reading, 20, "the reads while another process holds the write lock")
        other_writer.execute("ROLLBACK")
    assert answers == [{stored.canonical_url}, (0, False), stored.title, 1]
    store.close()


def test_search_is_full_text_and_parameterised(db_url):
    store = ArticleStore(db_url)
    store.upsert_articles([record(article("f", text="Oil exports rose.", title="Oil up")),
                           record(article("g", text="Bread prices fell.", title="Bread"))])
    assert [h["title"] for h in store.search("oil exports")] == ["Oil up"]
    assert [h["title"] for h in store.search("bread")] == ["Bread"]
    for hostile in ("'; DROP TABLE articles; --", 'oil" OR 1=1', "NEAR(oil"):
        store.search(hostile)  # words are bound parameters, never SQL or FTS syntax
    assert store.stats()["articles"] == 2
    with pytest.raises(ValueError, match="no words"):
        store.search("  ** ")


def test_listing_state_only_moves_forward(db_url):
    store = ArticleStore(db_url)
    store.update_listing("L", 5, completed=False)
    store.update_listing("L", 3, completed=False)
    assert store.listing_state("L") == (5, False)
    store.update_listing("L", 9, completed=True)
    store.update_listing("L", 2, completed=False)
    assert store.listing_state("L") == (9, True)


def test_runs_are_recorded(db_url):
    store = ArticleStore(db_url)
    run = store.start_run({"mode": "full"})
    store.finish_run(run, "completed", {"pages_fetched": 3})
    assert store.runs()[0]["stats"] == {"pages_fetched": 3}


def test_reopening_migrates_nothing_twice(db_url):
    ArticleStore(db_url).upsert_articles([record(article("h"))])
    assert ArticleStore(db_url).stats()["articles"] == 1


def test_bad_database_url_is_a_clear_error_without_the_password():
    with pytest.raises(StoreError) as caught:
        ArticleStore("postgresql://user:s3cret-pw@127.0.0.1:1/none")
    assert "s3cret-pw" not in str(caught.value)
    assert "cannot open the store" in str(caught.value)
