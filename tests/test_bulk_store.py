"""The bulk write paths (storage/bulk.py: COPY and set-based statements on
PostgreSQL, prepared executemany on SQLite) store exactly what the portable
ORM-Core path stores, batch for batch; PostgreSQL's search text indexed
after the write (storage/search_index.py) is found from the commit on; the
search's top k is the full ranking's top k. On SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cleaning.models import Article, Image, content_hash
from sites import Term
from storage.search import parse, to_fts5, to_tsquery
from storage.search_index import index_pending
from storage.store import ArticleStore, PageRecord, UpsertCounts
from tests.conftest import PG_ADMIN_URL, _pg_admin

pytestmark = pytest.mark.integration
SITE = "https://news.example"
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def article(slug: str, body: str, title: str | None = None, **fields: object) -> Article:
    title = title or f"Story {slug}"
    made = Article(url=f"{SITE}/{slug}", canonical_url=f"{SITE}/{slug}", title=title, body=body,
                   authors=["Hamza Mustafa"], categories=["news-middle-east"], tags=["oil"],
                   published=datetime(2024, 4, 30, 23, 30, tzinfo=timezone(timedelta(hours=3))),
                   images=[Image(src=f"{SITE}/{slug}.jpg", caption="A caption")],
                   word_count=len(body.split()), content_hash=content_hash(title, body),
                   extractor="generic", parser="generic-1", warnings=["no_date"])
    return made.model_copy(update=fields)


def record(made: Article, fetched: datetime = T0, **fields: object) -> PageRecord:
    values: dict[str, object] = {"warc_file": "x.warc.gz", "warc_offset": 7, "etag": '"e1"',
                                 "last_modified": "Wed, 01 May 2024 12:00:00 GMT",
                                 "cleaner_version": "t", "site": "news"}
    values.update(fields)
    return PageRecord(article=made, fetched_at=fetched, **values)  # type: ignore[arg-type]


@dataclass
class Outcome:
    counts: list[tuple[int, int, int, int, list[str]]]
    contents: dict[str, list[Any]]


def play(store: ArticleStore) -> Outcome:
    """One story of batches with every kind of record in it."""
    store.remember_terms("news", [Term("category", "news-middle-east", "Middle East")])
    store.quarantine(f"{SITE}/later-an-article", "thin_content", "too short")
    store.quarantine(f"{SITE}/other-form", "thin_content", "too short")
    batches: list[list[PageRecord]] = [
        [record(article("a", "Oil exports rose. " * 20)),
         record(article("b", "Gas prices fell. " * 20)),
         record(article("c", "Grain went to Egypt. " * 20)),
         record(article("d", "The talks resumed in Geneva. " * 20),
                aliases=[f"{SITE}/d?session=1"]),
         record(article("later-an-article", "Now long enough. " * 20)),
         record(article("e", "Bread prices rose. " * 20, dateline="Beirut"), site=None)],
        [record(article("a", "Oil exports fell. " * 20), T0 + timedelta(days=1), etag=None),
         record(article("b", "Gas prices fell. " * 20), T0 + timedelta(days=1), etag='"e2"',
                last_modified=None),
         # A re-extraction older than the stored revision: stale.
         record(article("c", "Grain went to Egypt and Lebanon. " * 20), T0 - timedelta(days=1),
                source="reextract"),
         # Its key is an alias of d: it is d, changed.
         record(article("d?session=1", "The talks resumed in Geneva on Monday. " * 20),
                T0 + timedelta(days=2)),
         # Its canonical link names e, with e's content: it joins e's row.
         record(article("other-form", "Bread prices rose. " * 20, title="Story e",
                        declared_canonical=f"{SITE}/e"), T0 + timedelta(days=2), etag=None),
         # Two forms of one name, one of them the slug of a display name.
         record(article("f", "Fresh news from the harbour. " * 20,
                        categories=["news-middle-east", "Middle East"], tags=[])),
         record(article("g", "A \x00 byte the database refuses. " * 20))],
        # A re-extraction newer than the stored revision: its content, the
        # crawl's fields and the article's site kept; and a crawl's change.
        [record(article("d", "The talks resumed in Geneva on Tuesday. " * 20),
                T0 + timedelta(days=3), source="reextract", site="another", etag='"r"'),
         record(article("f", "Fresh news from the harbour, updated. " * 20),
                T0 + timedelta(days=3))],
    ]
    counts = []
    for batch in batches:
        got: UpsertCounts = store.upsert_articles(batch)
        counts.append((got.new, got.updated, got.unchanged, got.stale,
                       sorted(url for url, _ in got.rejected)))
    return Outcome(counts, contents(store))


def columns(store: ArticleStore) -> list[str]:
    return [c["name"] for c in sa.inspect(store.engine).get_columns("articles")
            if c["name"] != "id"]


def contents(store: ArticleStore) -> dict[str, list[Any]]:
    """Every row the writer makes, keyed by URL (ids are the sequences' business)."""
    found = []  # (on SQLite a reading connection holds the write lock: searches first)
    for query in ("oil", "prices", "geneva tuesday", '"talks resumed"', "harbour -updated"):
        hits = store.search(query, limit=50)
        found.append((query, [h["canonical_url"] for h in hits], store.count_matches(query)))
    article_columns = columns(store)
    with store.engine.connect() as connection:
        def rows(sql: str) -> list[tuple[object, ...]]:
            return sorted((tuple(row) for row in connection.execute(sa.text(sql))), key=repr)

        url_of = "(SELECT canonical_url FROM articles WHERE id = t.article_id)"
        revision_columns = [c["name"] for c in sa.inspect(connection).get_columns("revisions")
                            if c["name"] not in ("id", "article_id")]
        return {
            "articles": rows(f"SELECT {', '.join(article_columns)} FROM articles"),
            "revisions": rows(f"SELECT {url_of}, {', '.join(revision_columns)} "
                              "FROM revisions t"),
            **{table: rows(f"SELECT {url_of}, n.site, n.name FROM {table} t JOIN {names} n "
                           f"ON n.id = t.{column}")
               for table, names, column in (("article_authors", "authors", "author_id"),
                                            ("article_categories", "categories", "category_id"),
                                            ("article_tags", "tags", "tag_id"))},
            "names": rows("SELECT 'a', site, name FROM authors UNION ALL SELECT 'c', site, name "
                          "FROM categories UNION ALL SELECT 't', site, name FROM tags"),
            "aliases": rows(f"SELECT url, {url_of} FROM url_aliases t"),
            "quarantine": rows("SELECT url, reason FROM quarantine"),
            "search": found,
        }


@pytest.fixture
def second_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """Another empty store on the same kind of database."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'second.db'}"
        return
    name = f"archive_test_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with _pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_bulk_path_stores_exactly_what_the_portable_path_stores(db_url, second_url):
    bulk = ArticleStore(db_url)
    portable = ArticleStore(second_url)
    portable.bulk_writes = False
    assert bulk.bulk_writes
    got, expected = play(bulk), play(portable)
    assert got.counts == expected.counts
    for table, rows in expected.contents.items():
        assert got.contents[table] == rows, table
    # What the story is (and g refused on PostgreSQL, whose text takes no NUL):
    refused = [f"{SITE}/g"] if bulk.dialect == "postgresql" else []
    assert got.counts[0] == (6, 0, 0, 0, [])
    assert got.counts[1] == (2 - len(refused), 2, 2, 1, refused)
    assert got.counts[2] == (0, 2, 0, 0, [])
    contents = got.contents
    urls = {row[columns(bulk).index("canonical_url")] for row in contents["articles"]}
    assert {f"{SITE}/other-form", f"{SITE}/d?session=1"}.isdisjoint(urls)
    assert (f"{SITE}/other-form", f"{SITE}/e") in contents["aliases"]
    assert contents["quarantine"] == []
    assert (f"{SITE}/f", "news", "Middle East") in contents["article_categories"]
    assert len([r for r in contents["article_categories"] if r[0] == f"{SITE}/f"]) == 1
    bulk.close()
    portable.close()


def test_a_page_keyed_by_another_pages_alias_in_one_batch_is_that_article(db_url, second_url):
    """d names d?session=1 as its alias; a later page keyed d?session=1 in the
    same batch is d (as it is when the batches come one after the other): one
    article, the later content, the alias kept. On both write paths."""
    alias = f"{SITE}/d?session=1"
    canonical = record(article("d", "The talks resumed in Geneva. " * 20), aliases=[alias])
    at_alias = record(article("d?session=1", "The talks resumed on Monday. " * 20,
                              title="Story d"))
    batch = [canonical, at_alias]
    for url, bulk_writes in ((db_url, True), (second_url, False)):
        store = ArticleStore(url)
        store.bulk_writes = bulk_writes
        assert store.upsert_articles(batch).new == 1
        stored = store.get(f"{SITE}/d")
        assert stored is not None and stored["body"] == batch[-1].article.body
        assert store.stats()["articles"] == 1
        assert store.get(alias) == stored  # the alias names it
        store.close()


def test_a_batch_the_database_refuses_is_stored_row_by_row(db_url):
    """COPY refuses the whole batch; the batch is then stored record by
    record, and only the bad one is left out."""
    store = ArticleStore(db_url)
    records = [record(article(f"r{i}", f"Row {i} of a batch. " * 10)) for i in range(6)]
    records[3] = record(article("r3", "x", canonical_url=f"{SITE}/r3" + "/x" * 3000,
                                title="nul \x00 byte"))
    counts = store.upsert_articles(records)
    if store.dialect == "postgresql":
        assert counts.new == 5 and [u for u, _ in counts.rejected] == [
            records[3].article.canonical_url]
    assert store.stats()["articles"] == counts.new
    assert store.count_matches("batch") == 5
    store.close()


# --- search --------------------------------------------------------------------------------

def many(store: ArticleStore, count: int = 60) -> None:
    """Articles that mention oil once to many times, some in the title."""
    store.upsert_articles([
        record(article(f"m{i}", ("oil exports " * (i % 7 + 1)) + "and other news. " * (i % 5 + 3),
                       title="Oil talks" if i % 9 == 0 else f"Report {i}"))
        for i in range(count)])


def full_ranking(store: ArticleStore, query: str, k: int) -> list[str]:
    """Every match ranked, the top k: what `search` is to return."""
    parsed = parse(query)
    with store.engine.connect() as connection:
        if store.dialect == "postgresql":
            ids = connection.exec_driver_sql(
                "SELECT article_id FROM article_search, to_tsquery('simple', %(q)s) q "
                "WHERE search @@ q ORDER BY ts_rank(search, q) DESC, article_id LIMIT %(k)s",
                {"q": to_tsquery(parsed), "k": k}).scalars().all()
        else:
            ids = connection.exec_driver_sql(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? "
                "ORDER BY bm25(articles_fts), rowid LIMIT ?", (to_fts5(parsed), k)
            ).scalars().all()
        urls: dict[int, str] = dict(connection.execute(
            sa.text("SELECT id, canonical_url FROM articles")).all())
    return [urls[i] for i in ids]


@pytest.mark.parametrize("query", ["oil", "oil exports", '"oil exports"', "talks OR news"])
def test_the_top_k_is_the_full_rankings_top_k(db_url, query):
    store = ArticleStore(db_url)
    many(store)
    store.wait_searchable()
    for k in (1, 10, 25):
        assert [h["canonical_url"] for h in store.search(query, limit=k)] == \
            full_ranking(store, query, k)
    store.close()


def test_postgresql_ranks_the_newest_candidates_when_more_match(pg_url, monkeypatch):
    """More matches than SEARCH_CANDIDATES: the best of the newest that many."""
    import storage.reader

    store = ArticleStore(pg_url)
    many(store)
    store.wait_searchable()
    monkeypatch.setattr(storage.reader, "SEARCH_CANDIDATES", 20)
    with store.engine.connect() as connection:
        newest = connection.exec_driver_sql(
            "SELECT a.canonical_url FROM article_search s JOIN articles a ON a.id = s.article_id "
            "WHERE s.search @@ to_tsquery('simple', 'oil') "
            "ORDER BY ts_rank(s.search, to_tsquery('simple', 'oil')) DESC, s.article_id "
            "LIMIT 5 ").scalars().all()
        best_of_newest = connection.exec_driver_sql(
            "SELECT a.canonical_url FROM (SELECT article_id, search FROM article_search "
            "WHERE search @@ to_tsquery('simple', 'oil') ORDER BY article_id DESC LIMIT 20) s "
            "JOIN articles a ON a.id = s.article_id "
            "ORDER BY ts_rank(s.search, to_tsquery('simple', 'oil')) DESC, s.article_id "
            "LIMIT 5").scalars().all()
    assert [h["canonical_url"] for h in store.search("oil", limit=5)] == best_of_newest
    assert best_of_newest != newest  # the test would not tell them apart otherwise
    assert store.count_matches("oil") == 60  # every match counted all the same
    store.close()


def test_postgresql_finds_articles_written_and_not_yet_indexed(pg_url, monkeypatch):
    """Pending articles are searched by their text: new ones are found, and a
    changed one by its new words only, before the indexer gets to them."""
    store = ArticleStore(pg_url)
    store.upsert_articles([record(article("p1", "Oil exports rose. " * 5))])
    store.wait_searchable()
    monkeypatch.setattr(store.search_indexer(), "wrote", lambda rows: None)  # indexer asleep
    store.upsert_articles([record(article("p1", "Wheat harvest failed. " * 5), T0 + timedelta(1)),
                           record(article("p2", "Oil tankers waited. " * 5))])
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM search_pending").scalar() == 2
    assert [h["canonical_url"] for h in store.search("oil")] == [f"{SITE}/p2"]
    assert [h["canonical_url"] for h in store.search("wheat")] == [f"{SITE}/p1"]
    assert (store.count_matches("oil"), store.count_matches("exports")) == (1, 0)
    assert [h["canonical_url"] for h in store.search("oil", site="news")] == [f"{SITE}/p2"]
    with store.engine.begin() as connection:
        assert index_pending(connection) == 2
        assert index_pending(connection) == 0
    assert [h["canonical_url"] for h in store.search("oil")] == [f"{SITE}/p2"]
    assert (store.count_matches("oil"), store.count_matches("exports")) == (1, 0)
    store.close()


def test_postgresql_indexes_what_a_killed_writer_left_queued(pg_url):
    store = ArticleStore(pg_url)
    store.search_indexer()._count = 0  # this one indexes nothing: as if killed
    store.upsert_articles([record(article(f"k{i}", "Left in the queue. " * 5))
                           for i in range(3)])
    store.close()
    later = ArticleStore(pg_url)
    later.upsert_articles([record(article("k9", "Written later. " * 5))])
    assert later.wait_searchable()
    with later.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM search_pending").scalar() == 0
        assert connection.exec_driver_sql("SELECT count(*) FROM article_search").scalar() == 4
    later.close()


def test_postgresql_search_text_of_a_0008_store_is_indexed_by_0009(pg_url):
    from tests.test_names_per_site import migrate_to

    migrate_to(pg_url, "0008")
    engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO articles (canonical_url, url, site, title, body, images, word_count, "
            "content_hash, extractor, fallback, warnings, status, revision, first_seen, "
            "last_fetched) VALUES ('u', 'u', 's', 'Old story', 'Oil exports rose', '[]', 3, "
            "'h', 'x', false, '[]', 'live', 1, now(), now())")
    engine.dispose()
    store = ArticleStore(pg_url)  # 0009
    assert [h["canonical_url"] for h in store.search("oil exports")] == ["u"]
    store.close()
    migrate_to(pg_url, "0008", down=True)
    engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        assert connection.exec_driver_sql(
            "SELECT count(*) FROM articles WHERE search @@ to_tsquery('simple', 'oil')"
        ).scalar() == 1
    engine.dispose()


def test_concurrent_writers_store_each_article_once(db_url):
    """Two stores write overlapping batches at once: a lost insert race is
    replayed, every article is stored once with one revision, and (on
    PostgreSQL) both indexers leave every article indexed once."""
    import threading

    stores = [ArticleStore(db_url), ArticleStore(db_url)]
    records = [record(article(f"w{i}", f"Concurrent words {i}. " * 10)) for i in range(120)]
    failures: list[BaseException] = []

    def write(store: ArticleStore, order: list[PageRecord]) -> None:
        try:
            for first in range(0, len(order), 20):
                store.upsert_articles(order[first:first + 20])
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(stores[0], records)),
               threading.Thread(target=write, args=(stores[1], records[::-1]))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures
    for store in stores:
        assert store.wait_searchable()
    stats = stores[0].stats()
    assert (stats["articles"], stats["revisions"]) == (120, 120)
    assert stores[0].count_matches("concurrent") == 120
    if stores[0].dialect == "postgresql":
        with stores[0].engine.connect() as connection:
            assert connection.exec_driver_sql(
                "SELECT count(*), count(DISTINCT article_id) FROM article_search").one() == \
                (120, 120)
    for store in stores:
        store.close()
