"""`archive import` as main.py registers it (`app.command("import")(import_warc)`):
progress on stderr, a summary or one JSON object on stdout, a one-line error
(exit 2) for a path that is not there or not a WARC file."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from archive_cli.import_command import import_warc
from archive_cli.main import main as main_callback
from storage.store import ArticleStore
from tests.test_import import CC_EXPECTED, HOST, common_crawl_file, damaged_file


@pytest.fixture
def cli() -> typer.Typer:
    """The command registered the way archive_cli/main.py does, on an app of its own."""
    app = typer.Typer(add_completion=False)
    app.callback()(main_callback)
    app.command("import")(import_warc)
    return app


def run(cli: typer.Typer, *args: str):
    return CliRunner().invoke(cli, ["import", *args], catch_exceptions=False)


def test_import_prints_a_summary_and_stores_the_articles(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHIVE_CLEAN_WORKERS", "1")
    path, _ = common_crawl_file(tmp_path / "cc.warc.gz")
    db = f"sqlite:///{tmp_path / 'a.db'}"
    result = run(cli, str(path), "--host", f"www.{HOST}", "--db", db)
    assert result.exit_code == 0, result.output
    assert "import of 1 WARC file" in result.stdout
    assert "articles new" in result.stdout and "skipped: truncated" in result.stdout
    assert ArticleStore(db).stats()["articles"] == CC_EXPECTED["new"]


def test_json_prints_the_result_as_one_object(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHIVE_CLEAN_WORKERS", "1")
    path, _ = common_crawl_file(tmp_path / "cc.warc.gz")
    result = run(cli, str(tmp_path), "--host", HOST, "--json",
                 "--db", f"sqlite:///{tmp_path / 'a.db'}")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)  # one object, nothing else on stdout
    assert {k: figures[k] for k in CC_EXPECTED} == CC_EXPECTED
    assert figures["files"] == 1


def test_corrupt_records_are_warnings_not_failures(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHIVE_CLEAN_WORKERS", "1")
    path, _ = damaged_file(tmp_path / "damaged.warc.gz")
    result = run(cli, str(path), "--json", "--db", f"sqlite:///{tmp_path / 'a.db'}")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["skipped"] == {"corrupt": 2}
    assert result.stderr.count("warning: corrupt record skipped") == 2


@pytest.mark.parametrize("make, message", [
    (lambda tmp: tmp / "nowhere.warc.gz", "no such file or folder"),
    (lambda tmp: (tmp / "page.html").write_text("<html></html>") and tmp / "page.html",
     "not a WARC file"),
    (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", "no .warc or .warc.gz files"),
])
def test_a_bad_path_is_a_one_line_error(cli, tmp_path, make, message):
    db = tmp_path / "never.db"
    result = run(cli, str(make(tmp_path)), "--db", f"sqlite:///{db}")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not db.exists()  # refused before the store is opened


def test_an_unknown_site_is_refused(cli, tmp_path):
    path, _ = common_crawl_file(tmp_path / "cc.warc.gz")
    result = run(cli, str(path), "--site", "nope", "--db", f"sqlite:///{tmp_path / 'a.db'}")
    assert result.exit_code == 2 and "not one of" in result.stderr
