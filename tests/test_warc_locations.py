"""WARC locations resolve from any folder: a crawl records absolute paths, a
store written before that is mended when opened, and a re-extraction that
could read none of its pages fails with the reason (it said 'done' before).
Through the CLI, as a user types it, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from archive_cli.main import app
from replica.divi import BASE
from storage.store import ArticleStore
from tests.test_reextract import Archive, page_html, spoil, store_crawled

pytestmark = pytest.mark.integration
URL = BASE + "/theaawsat/news-middle-east/located"


def reextract_cli(db_url: str, *extra: str):
    return CliRunner().invoke(app, ["reextract", "--db", db_url, *extra])


def test_a_crawl_records_where_its_warc_is_from_anywhere(db_url, tmp_path, monkeypatch):
    (tmp_path / "crawl").mkdir()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "crawl")
    location = Archive(Path("data/warc")).add(URL, page_html("located"))  # relative, as a crawl
    assert Path(location[0]).is_absolute()
    store = ArticleStore(db_url)
    store_crawled(store, URL, page_html("located"), location)
    spoil(store, URL)
    monkeypatch.chdir(tmp_path / "elsewhere")
    dry = reextract_cli(db_url, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would be updated 1" in dry.output and "unreadable" not in dry.output


def test_relative_locations_of_an_older_store_are_mended_when_it_is_opened(tmp_path,
                                                                            monkeypatch):
    data = tmp_path / "project" / "data"
    data.mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "project")
    location = Archive(Path("data/warc")).add(URL, page_html("located"))
    relative = str(Path(location[0]).relative_to(tmp_path / "project"))
    url = f"sqlite:///{data / 'archive.db'}"
    store = ArticleStore(url)
    store_crawled(store, URL, page_html("located"), (relative, location[1]))
    with store.engine.begin() as connection:  # as schema 0009 left it
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0009'")
    store.close()
    monkeypatch.chdir(tmp_path)
    mended = ArticleStore(url)  # opening for writing migrates
    (row,) = mended.latest_revisions_with_warc()
    assert row["warc_file"] == location[0]


def test_a_reextraction_that_reads_nothing_fails_with_the_reason(db_url, tmp_path):
    location = Archive(tmp_path / "warc").add(URL, page_html("located"))
    store = ArticleStore(db_url)
    store_crawled(store, URL, page_html("located"), location)
    Path(location[0]).unlink()  # pruned, or moved away
    for extra in (["--dry-run"], []):
        result = reextract_cli(db_url, *extra)
        assert result.exit_code == 1, result.output
        assert "none of the 1 archived pages could be read" in result.output
        assert "FileNotFoundError" in result.output and "Traceback" not in result.output


def test_name_mending_that_reads_nothing_fails_with_the_reason(db_url, tmp_path):
    location = Archive(tmp_path / "warc").add(URL, page_html("located"))
    store = ArticleStore(db_url)
    store_crawled(store, URL, page_html("located"), location)
    Path(location[0]).unlink()
    result = CliRunner().invoke(app, ["mend-names", "--dry-run", "--db", db_url])
    assert result.exit_code == 1, result.output
    assert "none of the 1 archived pages could be read" in result.output
