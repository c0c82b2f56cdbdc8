"""The calendar day a page shows is the day in every output: a bare date is
midnight in the site's zone with its offset (London summer time here), an
offset the page gives is kept, and --since/--until compare calendar days as
the pages printed them. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from archive_cli.main import app
from replica.divi import Post, article_page
from sites import extract_article
from storage.store import ArticleStore, PageRecord
from tests.test_reextract import FETCHED, PARAGRAPHS

pytestmark = pytest.mark.integration
BASE = "https://eng-archive.aawsat.com/theaawsat/news-middle-east/"


def stored_store(db: str) -> ArticleStore:
    store = ArticleStore(db)
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    summer = extract_article(article_page(Post(slug="summer", title="Summer", body_html=body,
                                               date_text="Aug 26, 2017")), BASE + "summer",
                             site="aawsat")
    tokyo = summer.model_copy(update={
        "url": BASE + "tokyo", "canonical_url": BASE + "tokyo", "title": "Tokyo",
        "published": datetime(2017, 8, 26, 7, 30, tzinfo=timezone(timedelta(hours=9))),
        "content_hash": "t"})
    store.upsert_articles([PageRecord(article=a, fetched_at=FETCHED) for a in (summer, tokyo)])
    return store


def test_every_output_shows_the_pages_own_day(db_url, tmp_path):
    store = stored_store(db_url)
    assert store.get(BASE + "summer")["published"].isoformat() == "2017-08-26T00:00:00+01:00"
    assert store.get(BASE + "tokyo")["published"].isoformat() == "2017-08-26T07:30:00+09:00"
    runner = CliRunner()
    exported = runner.invoke(app, ["export", "--format", "jsonl", "--out", "-", "--since",
                                   "2017-08-26", "--until", "2017-08-27", "--db", db_url])
    rows = [json.loads(line) for line in exported.stdout.splitlines() if line.startswith("{")]
    assert sorted(r["published"] for r in rows) == ["2017-08-26T00:00:00+01:00",
                                                    "2017-08-26T07:30:00+09:00"]
    day_before = runner.invoke(app, ["export", "--format", "jsonl", "--out", "-", "--until",
                                     "2017-08-26", "--db", db_url])
    assert not [line for line in day_before.stdout.splitlines() if line.startswith("{")]
    shown = runner.invoke(app, ["show", BASE + "summer", "--db", db_url])
    assert "2017-08-26T00:00:00+01:00" in shown.stdout


def test_parquet_has_a_utc_timestamp_and_the_local_string(db_url, tmp_path):
    from storage.export import export

    store = stored_store(db_url)
    out = tmp_path / "a.parquet"
    assert export(store, "parquet", out, since=date(2017, 8, 26)) == 2
    table = pq.read_table(out)
    assert str(table.schema.field("published").type) == "timestamp[us, tz=UTC]"
    assert str(table.schema.field("last_fetched").type) == "timestamp[us, tz=UTC]"
    rows = {r["title"]: r for r in table.to_pylist()}
    assert rows["Summer"]["published_local"] == "2017-08-26T00:00:00+01:00"
    assert rows["Summer"]["published"] == datetime(2017, 8, 25, 23, 0, tzinfo=UTC)
