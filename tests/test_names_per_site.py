"""Names per site (docs/names.md), on SQLite and PostgreSQL: migration 0008
fills every article's site and splits a name two sites share; a slug is
stored under the display name learned for its site; learning a name merges
the names stored for its slug; the mend job mends a store crawled before
names were learned, from its WARC records, and a second run changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from archive_cli.main import app
from cleaning import CLEANER_VERSION
from ingest.mend_names import mend_names
from replica.divi import BASE, Post, article_page
from sites import Term, extract_article, site_for_url
from storage.database import MIGRATIONS, _engine, _schema_revisions
from storage.naming import LearnedName, NameMerge
from storage.store import ArticleStore, PageRecord
from storage.writer import ARTICLES
from tests.test_reextract import FETCHED, PARAGRAPHS, Archive

pytestmark = pytest.mark.integration
OTHER = "http://127.0.0.1:8000"  # a second site, stored under its host and port
BODY = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)


def post(slug: str, show_header: bool = True, **fields) -> Post:
    fields.setdefault("author_slug", "hamzamustafa")
    fields.setdefault("author_name", "Hamza Mustafa")
    return Post(slug=slug, title=f"Talks resume {slug}", body_html=BODY,
                show_header=show_header, **fields)


def record(made: Post, base: str = BASE, site: str | None = None,
           location: tuple[str, int] | None = None, **fields) -> PageRecord:
    clean = extract_article(article_page(made, base), base + made.path, site="aawsat")
    if fields:
        clean = clean.model_copy(update=fields)
    # The site as a crawl resolves it: the registered site of the URL's host.
    return PageRecord(article=clean, fetched_at=FETCHED,
                      site=site or site_for_url(base + made.path),
                      warc_file=location[0] if location else None,
                      warc_offset=location[1] if location else None,
                      cleaner_version=CLEANER_VERSION)


def names(store: ArticleStore, table: str) -> set[tuple[str, str]]:
    with store.engine.connect() as connection:
        return set(connection.execute(sa.text(f"SELECT site, name FROM {table}")).all())


# --- migration 0008 ------------------------------------------------------------------------
def migrate_to(url: str, revision: str, down: bool = False) -> None:
    engine = _engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
    engine.dispose()


def fill_a_0007_store(url: str) -> None:
    """What a store at 0007 holds: articles with no site, names shared by all."""
    migrate_to(url, "0007")
    engine = _engine(url)
    now = datetime(2024, 5, 1, tzinfo=UTC)
    with engine.begin() as connection:
        ids = {}
        for article_url in (BASE + "/theaawsat/opinion/one", BASE + "/theaawsat/opinion/two",
                            OTHER + "/2024/05/three"):
            ids[article_url.rsplit("/", 1)[1]] = connection.execute(
                sa.insert(ARTICLES).returning(ARTICLES.c.id), {
                    "canonical_url": article_url, "url": article_url, "title": "T",
                    "body": "B", "images": [], "word_count": 1, "content_hash": "h",
                    "extractor": "aawsat", "fallback": False, "warnings": [],
                    "status": "live", "revision": 1, "first_seen": now,
                    "last_fetched": now}).scalar_one()
        for name in ("Opinion", "World", "Unused"):
            connection.execute(sa.text("INSERT INTO categories (name) VALUES (:n)"), {"n": name})
        connection.execute(sa.text("INSERT INTO authors (name) VALUES ('Hamza Mustafa')"))
        category = dict(connection.execute(sa.text("SELECT name, id FROM categories")).all())
        author = connection.scalar(sa.text("SELECT id FROM authors"))
        for article, name in (("one", "Opinion"), ("two", "Opinion"), ("two", "World"),
                              ("three", "Opinion")):
            connection.execute(sa.text("INSERT INTO article_categories (article_id, category_id)"
                                       " VALUES (:a, :c)"), {"a": ids[article],
                                                             "c": category[name]})
        for article in ("one", "three"):
            connection.execute(sa.text("INSERT INTO article_authors (article_id, author_id) "
                                       "VALUES (:a, :n)"), {"a": ids[article], "n": author})
    engine.dispose()


def test_0008_gives_articles_their_sites_and_splits_a_name_two_sites_share(db_url):
    fill_a_0007_store(db_url)
    store = ArticleStore(db_url)  # migrates to head
    one = store.get(BASE + "/theaawsat/opinion/one")
    two = store.get(BASE + "/theaawsat/opinion/two")
    three = store.get(OTHER + "/2024/05/three")
    assert (one["site"], two["site"], three["site"]) == ("aawsat", "aawsat", "127.0.0.1:8000")
    # One "Opinion" per site, each article linked to its own site's; an unused name kept.
    assert names(store, "categories") == {("aawsat", "Opinion"), ("aawsat", "World"),
                                          ("127.0.0.1:8000", "Opinion"), ("", "Unused")}
    assert names(store, "authors") == {("aawsat", "Hamza Mustafa"),
                                       ("127.0.0.1:8000", "Hamza Mustafa")}
    assert sorted(two["categories"]) == ["Opinion", "World"]
    assert three["categories"] == ["Opinion"] and three["authors"] == ["Hamza Mustafa"]
    with store.engine.connect() as connection:
        linked = set(connection.execute(sa.text(
            "SELECT a.site, c.site FROM article_categories l JOIN articles a "
            "ON a.id = l.article_id JOIN categories c ON c.id = l.category_id")).all())
    assert linked == {("aawsat", "aawsat"), ("127.0.0.1:8000", "127.0.0.1:8000")}
    assert store.stats()["sites"]["aawsat"] == {"articles": 2, "gone": 0, "authors": 1,
                                                "categories": 2, "tags": 0}
    # (site, name) is the key now, and the store writes under it.
    with pytest.raises(IntegrityError), store.engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO categories (site, name) "
                                   "VALUES ('aawsat', 'Opinion')"))
    store.upsert_articles([record(post("four", category_slug="opinion",
                                       category_name="Opinion"))])
    assert store.stats(site="aawsat")["categories"] == 2  # its "Opinion", not a new one
    store.close()


def test_0008_downgrades_to_shared_names_and_upgrades_again(db_url):
    fill_a_0007_store(db_url)
    migrate_to(db_url, "head")
    migrate_to(db_url, "0007", down=True)
    engine = _engine(db_url)
    with engine.connect() as connection:
        assert set(connection.scalars(sa.text("SELECT name FROM categories"))) == \
            {"Opinion", "World", "Unused"}
        assert connection.scalar(sa.text("SELECT count(*) FROM article_categories")) == 4
    engine.dispose()
    store = ArticleStore(db_url)
    assert len(names(store, "categories")) == 4
    store.close()


def test_reading_a_store_an_older_version_wrote_says_so_in_one_line(db_url):
    """Read commands never migrate: a 0007 store is named as one, not read
    into a database error; opened for writing, it is upgraded."""
    fill_a_0007_store(db_url)
    result = CliRunner().invoke(app, ["stats", "--db", db_url])
    assert result.exit_code == 2
    assert f"has schema 0007 and this version reads {_schema_revisions()[0]}" in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) == 1
    ArticleStore(db_url).close()
    assert CliRunner().invoke(app, ["stats", "--db", db_url]).exit_code == 0


# --- display names at write, and merges on learning -------------------------------------------
def test_a_slug_is_stored_under_the_display_name_learned_for_its_site(db_url):
    store = ArticleStore(db_url)
    store.remember_terms("aawsat", [Term("category", "news-middle-east", "Middle East"),
                                    Term("author", "hamzamustafa", "Hamza Mustafa"),
                                    Term("tag", "syria", None)])
    slugged = post("a", show_header=False, tags=["syria"])
    store.upsert_articles([record(slugged, site="aawsat"),
                           record(post("b", show_header=False), base=OTHER,
                                  site="127.0.0.1:8000")])
    stored = store.get(BASE + slugged.path)
    assert stored["site"] == "aawsat"
    assert stored["categories"] == ["Middle East"] and stored["authors"] == ["Hamza Mustafa"]
    assert stored["tags"] == ["syria"]  # no name learned: as the page gave it
    # Another site's slug is that site's: not mapped by this site's names.
    other = store.get(OTHER + post("b").path)
    assert other["categories"] == ["news-middle-east"] and other["authors"] == ["Hamzamustafa"]
    # A display name is kept as it is; one name, one row.
    store.upsert_articles([record(post("c"), site="aawsat")])
    assert store.get(BASE + post("c").path)["categories"] == ["Middle East"]
    assert store.stats(site="aawsat")["categories"] == 1
    assert store.revisions(BASE + slugged.path)[0]["parser"] == "aawsat-1@2005-01-01"
    store.close()


def test_learning_a_name_merges_the_names_stored_for_its_slug(db_url):
    store = ArticleStore(db_url)
    slugged, named = post("a", show_header=False), post("b")
    both = record(post("c"), site="aawsat", categories=["news-middle-east", "Middle East"])
    store.upsert_articles([record(slugged, site="aawsat"), record(named, site="aawsat"), both,
                           record(post("d", show_header=False), base=OTHER)])
    assert store.stats(site="aawsat")["categories"] == 2  # the store holds it twice
    assert store.stats(site="aawsat")["authors"] == 2

    remembered = store.remember_terms("aawsat", [
        Term("category", "news-middle-east", "Middle East"),
        Term("author", "hamzamustafa", "Hamza Mustafa"), Term("category", "opinion")])
    assert remembered.learned == [
        LearnedName("aawsat", "category", "news-middle-east", "Middle East"),
        LearnedName("aawsat", "author", "hamzamustafa", "Hamza Mustafa")]
    assert sorted(remembered.merged, key=lambda m: m.kind) == [
        NameMerge("aawsat", "author", "Hamzamustafa", "Hamza Mustafa", 1),
        NameMerge("aawsat", "category", "news-middle-east", "Middle East", 2)]
    for made in (slugged, named, post("c")):
        stored = store.get(BASE + made.path)
        assert stored["categories"] == ["Middle East"], made.slug
        assert stored["authors"] == ["Hamza Mustafa"]
    figures = store.stats()
    assert figures["sites"]["aawsat"]["categories"] == 1
    assert figures["sites"]["aawsat"]["authors"] == 1
    # The other site's names are its own: untouched.
    assert store.get(OTHER + post("d").path)["categories"] == ["news-middle-east"]
    # Learned once: remembering it again merges nothing.
    again = store.remember_terms("aawsat", [Term("category", "news-middle-east", "Middle East")])
    assert again.learned == [] and again.merged == []
    # The store's caches follow: a changed page with the slug links the display name.
    changed = record(slugged, site="aawsat", content_hash="0" * 64)
    assert store.upsert_articles([changed]).updated == 1
    assert store.get(BASE + slugged.path)["categories"] == ["Middle East"]
    store.close()


def test_a_name_another_store_merged_away_is_looked_up_again(db_url):
    writer, learner = ArticleStore(db_url), ArticleStore(db_url)
    slugged = post("a", show_header=False)
    writer.upsert_articles([record(slugged, site="aawsat")])  # caches the slug's name id
    merged = learner.remember_terms(
        "aawsat", [Term("category", "news-middle-east", "Middle East")]).merged
    assert [m.name for m in merged] == ["news-middle-east"]
    counts = writer.upsert_articles([record(post("b", show_header=False), site="aawsat")])
    assert counts.new == 1 and not counts.rejected
    assert writer.get(BASE + post("b").path)["categories"] == ["Middle East"]
    writer.close()
    learner.close()


# --- the mend job ----------------------------------------------------------------------------
def crawled_before_names_were_learned(store: ArticleStore, tmp_path) -> list[Post]:
    """Pages stored as an older crawl stored them: one shows no post meta (its
    section and byline come from its URL's slugs), one shows both names, and
    a page of another site shows no post meta either."""
    archive = Archive(tmp_path / "warc")
    made = [post("slugged", show_header=False), post("named"),
            post("other-site", show_header=False)]
    records = []
    for item, base in zip(made, (BASE, BASE, OTHER), strict=True):
        location = archive.add(base + item.path, article_page(item, base))
        records.append(record(item, base=base, location=location))
    store.upsert_articles(records)
    return made


def test_the_mend_job_learns_names_from_warc_records_and_merges(db_url, tmp_path):
    store = ArticleStore(db_url)
    made = crawled_before_names_were_learned(store, tmp_path)
    slugged, named = made[0], made[1]
    assert store.get(BASE + slugged.path)["categories"] == ["news-middle-east"]
    assert store.stats(site="aawsat")["categories"] == 2

    dry = CliRunner().invoke(app, ["mend-names", "--dry-run", "--db", db_url])
    assert dry.exit_code == 0, dry.output
    assert 'would be merged  aawsat  category "news-middle-east" into "Middle East"' \
        in dry.stdout
    assert 'would be merged  aawsat  author "Hamzamustafa" into "Hamza Mustafa"' in dry.stdout
    assert store.get(BASE + slugged.path)["categories"] == ["news-middle-east"]  # nothing written
    assert store.site_terms("aawsat") == []

    result = mend_names(store)
    assert result.articles == 3 and result.unreadable == 0
    learned = {(n.site, n.kind, n.slug): n.name for n in result.learned}
    assert learned[("aawsat", "category", "news-middle-east")] == "Middle East"
    assert learned[("aawsat", "author", "hamzamustafa")] == "Hamza Mustafa"
    assert learned[("127.0.0.1:8000", "category", "news-middle-east")] == "Middle East"
    assert {(m.site, m.kind, m.name, m.into) for m in result.merged} == {
        ("aawsat", "category", "news-middle-east", "Middle East"),
        ("aawsat", "author", "Hamzamustafa", "Hamza Mustafa"),
        ("127.0.0.1:8000", "category", "news-middle-east", "Middle East")}
    stored = store.get(BASE + slugged.path)
    assert stored["categories"] == ["Middle East"] and stored["authors"] == ["Hamza Mustafa"]
    assert store.stats(site="aawsat")["categories"] == 1
    assert store.stats(site="aawsat")["authors"] == 1
    assert store.get(BASE + named.path)["categories"] == ["Middle East"]
    # The other site's page names its section (its menu), never its author.
    elsewhere = store.get(OTHER + made[2].path)
    assert elsewhere["categories"] == ["Middle East"] and elsewhere["authors"] == ["Hamzamustafa"]

    again = CliRunner().invoke(app, ["mend-names", "--json", "--db", db_url])
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert report["articles"] == 3 and report["learned"] == [] and report["merged"] == []
    store.close()


def test_names_learned_by_a_crawl_before_merging_existed_are_merged_by_the_mend_job(
        db_url, tmp_path):
    """site_terms filled already (by a crawl), names never merged: the mend job
    merges them all the same, though it learns nothing new."""
    store = ArticleStore(db_url)
    slugged, *_ = crawled_before_names_were_learned(store, tmp_path)
    with store.engine.begin() as connection:  # as a crawl left it: the name, no merge
        connection.execute(sa.text(
            "INSERT INTO site_terms (site, kind, slug, name, first_seen, updated) VALUES "
            "('aawsat', 'category', 'news-middle-east', 'Middle East', :t, :t)"), {"t": FETCHED})
    result = mend_names(store, site="aawsat")
    assert ("category", "news-middle-east") not in {(n.kind, n.slug) for n in result.learned}
    assert ("category", "news-middle-east", "Middle East") in \
        {(m.kind, m.name, m.into) for m in result.merged}
    assert all(m.site == "aawsat" for m in result.merged)
    assert store.get(BASE + slugged.path)["categories"] == ["Middle East"]
    store.close()
