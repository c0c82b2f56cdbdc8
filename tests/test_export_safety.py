"""An export is written whole or not at all, never over the store, and a bad
--out is one clear line; `--out -` streams to standard output."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from archive_cli.main import app
from sites import extract_article
from storage.export import ExportError, export
from storage.store import ArticleStore, PageRecord
from tests.support import read_only
from tests.test_reextract import FETCHED, page_html

pytestmark = pytest.mark.integration
BASE = "https://eng-archive.aawsat.com/theaawsat/news-middle-east/"


@pytest.fixture
def store(tmp_path) -> ArticleStore:
    store = ArticleStore(f"sqlite:///{tmp_path / 'archive.db'}")
    store.upsert_articles([PageRecord(article=extract_article(page_html(f"s{i}"), f"{BASE}s{i}",
                                                              site="aawsat"), fetched_at=FETCHED,
                                      site="aawsat")
                           for i in range(6)])
    return store


def test_an_export_that_fails_midway_leaves_the_previous_file_and_no_partial(store, tmp_path,
                                                                            monkeypatch):
    out = tmp_path / "articles.jsonl"
    assert export(store, "jsonl", out) == 6
    before = out.read_bytes()
    rows = list(store.iter_articles())

    def dying(**_: object):
        yield from rows[:3]
        raise OSError(5, "Input/output error")  # as a kill or a failing disk would stop it

    monkeypatch.setattr(store, "iter_articles", dying)
    with pytest.raises(ExportError, match="cannot write"):
        export(store, "jsonl", out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if ".partial" in p.name] == []


def test_the_store_itself_is_never_an_export_target(store, tmp_path):
    size = (tmp_path / "archive.db").stat().st_size
    for fmt in ("jsonl", "csv", "parquet"):
        with pytest.raises(ExportError, match="is the store itself"):
            export(store, fmt, tmp_path / "archive.db")
    assert (tmp_path / "archive.db").stat().st_size == size
    assert store.stats()["articles"] == 6


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def test_bad_targets_are_one_line_errors(store, tmp_path):
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    folder = cli("export", "--format", "jsonl", "--out", str(tmp_path), "--db", db)
    assert folder.exit_code == 2 and "is a folder" in folder.output
    assert "Traceback" not in folder.output
    parquet = cli("export", "--format", "parquet", "--out", "-", "--db", db)
    assert parquet.exit_code == 2 and "binary file" in parquet.output


def test_a_read_only_target_is_one_line_error(store, tmp_path):
    target = tmp_path / "ro"
    target.mkdir()
    with read_only(target, target):
        result = cli("export", "--format", "csv", "--out", str(target / "a.csv"), "--db",
                     f"sqlite:///{tmp_path / 'archive.db'}")
    assert result.exit_code == 2
    assert "cannot write to" in result.output and "Read-only file system" in result.output


def test_out_dash_streams_json_lines_to_stdout(store, tmp_path):
    result = CliRunner().invoke(app, ["export", "--format", "jsonl", "--out", "-", "--db",
                                      f"sqlite:///{tmp_path / 'archive.db'}"])
    assert result.exit_code == 0
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 6
    assert {json.loads(line)["canonical_url"] for line in lines} == {f"{BASE}s{i}"
                                                                       for i in range(6)}
    assert not Path("-").exists()


def test_no_name_for_the_store_lets_the_cli_export_over_it(store, tmp_path, monkeypatch):
    """The read-only store's URL is a `file:` URI: the CLI compared against that
    and wrote over the store. Every way of naming it, and its companions, is refused."""
    database = tmp_path / "archive.db"
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.db").symlink_to(database)
    os.link(database, tmp_path / "hard.db")
    monkeypatch.chdir(tmp_path / "sub")
    url = f"sqlite:///{database}"
    before = database.read_bytes()
    targets = [str(database), "../archive.db", "./../archive.db", str(tmp_path / "link.db"),
               str(tmp_path / "hard.db"), f"{database}-wal", f"{database}-shm",
               f"{database}-journal"]
    for target in targets:
        result = cli("export", "--format", "jsonl", "--out", target, "--db", url)
        assert result.exit_code == 2, (target, result.output)
        assert "is the store itself" in result.output and "Traceback" not in result.output
    monkeypatch.setenv("ARCHIVE_DB_URL", url)
    assert cli("export", "--format", "csv", "--out", str(database)).exit_code == 2
    monkeypatch.delenv("ARCHIVE_DB_URL")
    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(tmp_path))
    assert cli("export", "--format", "parquet", "--out", "../archive.db").exit_code == 2
    assert database.read_bytes() == before
    assert store.stats()["articles"] == 6


def test_an_export_takes_the_users_umask(store, tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "articles.jsonl"
        assert export(store, "jsonl", out) == 6
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert stat.S_IMODE(out.with_name(out.name + ".manifest.json").stat().st_mode) == 0o644


def test_filters_that_cannot_match_say_why(store, tmp_path):
    from sites import Term

    db = f"sqlite:///{tmp_path / 'archive.db'}"
    (category,) = {c for row in store.iter_articles() for c in row["categories"]}
    slug = "section-" + category.lower().replace(" ", "-")
    store.remember_terms("aawsat", [Term("category", slug, category)])

    def export_count(*args: str) -> tuple[int, str]:
        result = cli("export", "--format", "jsonl", "--out", "-", "--db", db, *args)
        return result.exit_code, result.output

    assert export_count("--category", category)[0] == 0
    code, output = export_count("--category", slug)  # the slug of a name: taken for the name
    assert code == 0 and output.count('"canonical_url"') == 6
    code, output = export_count("--category", category[:-1])
    assert code == 2 and f"did you mean {category!r}" in output
    code, output = export_count("--since", "2017-05-01", "--until", "2017-01-01")
    assert code == 2 and "is not before --until" in output
    reason = cli("failures", "--reason", "nosuch", "--db", db)
    assert reason.exit_code == 2 and "http_404" in reason.output
