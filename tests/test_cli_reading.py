"""Read commands as a user types them: they never create a store, read one on
a read-only mount, print JSON people can reuse (`--json`), whole URLs and the
total count; `archive demo` says so when its port is taken. On SQLite and
PostgreSQL where the store is involved."""

from __future__ import annotations

import json
import socket

import pytest
from typer.testing import CliRunner

from archive_cli.main import app
from sites import extract_article
from storage.store import ArticleStore, PageRecord
from tests.support import read_only
from tests.test_reextract import FETCHED, page_html

pytestmark = pytest.mark.integration
BASE = "https://eng-archive.aawsat.com/theaawsat/news-middle-east/"


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def fill(db: str, count: int = 3) -> ArticleStore:
    store = ArticleStore(db)
    store.upsert_articles([PageRecord(article=extract_article(
        page_html(f"a-rather-long-slug-for-story-number-{i}-of-the-archive"),
        f"{BASE}a-rather-long-slug-for-story-number-{i}-of-the-archive", site="aawsat"),
        fetched_at=FETCHED) for i in range(count)])
    return store


@pytest.mark.parametrize("command", [["stats"], ["search", "talks"], ["show", BASE + "x"],
                                     ["export", "--format", "jsonl", "--out", "-"]])
def test_reading_a_store_that_does_not_exist_is_one_line_and_creates_nothing(tmp_path,
                                                                             command):
    db = tmp_path / "nonexistent-dir" / "x.db"
    result = cli(*command, "--db", f"sqlite:///{db}")
    assert result.exit_code == 2
    assert f"no store at {db}" in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) == 1
    assert not (tmp_path / "nonexistent-dir").exists()


def test_an_empty_postgresql_database_is_no_store(pg_url):
    result = cli("stats", "--db", pg_url)
    assert result.exit_code == 2 and "no store at" in result.output


def test_json_output_of_search_show_and_stats(db_url):
    fill(db_url)
    search = cli("search", "talks", "--json", "--limit", "2", "--db", db_url)
    assert search.exit_code == 0, search.output
    hits = [json.loads(line) for line in search.stdout.splitlines()]
    assert len(hits) == 2 and hits[0]["canonical_url"].startswith(BASE)
    assert hits[0]["published"].startswith("2014-04-1")  # ISO 8601, with its offset
    show = cli("show", hits[0]["canonical_url"], "--json", "--db", db_url)
    article = json.loads(show.stdout)
    assert article["title"] == hits[0]["title"] and isinstance(article["authors"], list)
    stats = json.loads(cli("stats", "--json", "--db", db_url).stdout)
    assert stats["articles"] == 3 and "recent_runs" in stats


def test_search_prints_whole_urls_and_the_total(db_url):
    fill(db_url, count=4)
    result = cli("search", "talks", "--limit", "2", "--db", db_url)
    assert result.exit_code == 0
    urls = [word for line in result.stdout.splitlines() for word in line.split()
            if word.startswith(BASE)]
    assert len(urls) == 2 and all(u.endswith("-of-the-archive") for u in urls)
    assert "2 of 4 matching articles shown" in result.stdout
    show = cli("show", urls[0], "--db", db_url)  # pasted as printed
    assert show.exit_code == 0


def test_stats_prints_values_not_python_reprs(db_url):
    fill(db_url)
    result = cli("stats", "--db", db_url)
    assert result.exit_code == 0
    assert "{" not in result.stdout and "[" not in result.stdout


def test_a_store_on_a_read_only_mount_can_be_read(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    fill(f"sqlite:///{source / 'a.db'}").close()
    target = tmp_path / "ro"
    target.mkdir()
    with read_only(source, target):
        result = cli("stats", "--json", "--db", f"sqlite:///{target / 'a.db'}")
        search = cli("search", "talks", "--db", f"sqlite:///{target / 'a.db'}")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["articles"] == 3
    assert search.exit_code == 0 and "3 matching articles" in search.stdout


def test_demo_stops_when_its_port_is_taken(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("demo", "--port", str(port), "--data-dir", str(tmp_path / "demo"))
    assert result.exit_code == 2
    assert f"port {port} on 127.0.0.1 is taken" in result.output
    assert not (tmp_path / "demo" / "demo.db").exists()
