"""Provenance people can follow: `show --revisions` with where each came from
and what changed, `failures` and `quarantine` listing URLs with reasons (a
URL in one of them only), exports with provenance fields, a manifest, and
deltas by fetch time. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from archive_cli.main import app
from sites import extract_article
from storage.store import ArticleStore, PageRecord
from tests.test_reextract import FETCHED, PARAGRAPHS, Archive, page_html

pytestmark = pytest.mark.integration
BASE = "https://eng-archive.aawsat.com/theaawsat/news-middle-east/"


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def store(db_url, tmp_path) -> ArticleStore:
    store = ArticleStore(db_url)
    archive = Archive(tmp_path / "warc")
    first, second = page_html("story"), page_html("story", [*PARAGRAPHS, "A late update."])
    for html, fetched in ((first, FETCHED), (second, FETCHED + timedelta(days=2))):
        location = archive.add(BASE + "story", html, fetched=fetched)
        store.upsert_articles([PageRecord(
            article=extract_article(html, BASE + "story", site="aawsat"), fetched_at=fetched,
            warc_file=location[0], warc_offset=location[1], cleaner_version="cleaning-2",
            site="aawsat")])
    store.record_failure(BASE + "gone", "http_404", "HTTP 404", permanent=True)
    store.quarantine(BASE + "about", "not_an_article", "static page")
    return store


def test_revisions_with_their_provenance_and_what_changed(store, db_url):
    result = cli("show", BASE + "story", "--revisions", "--db", db_url)
    assert result.exit_code == 0, result.output
    assert "cleaning-2" in result.stdout and ".warc.gz@" in result.stdout
    assert "parser aawsat-1@2005-01-01 cleaning-2" in result.stdout
    assert "+A late update." in result.stdout  # the diff of the last two
    listed = cli("show", BASE + "story", "--revisions", "--json", "--db", db_url)
    revisions = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["number"] for r in revisions] == [1, 2]
    assert revisions[1]["fetched_at"].startswith("2024-05-03")
    bad = cli("show", BASE + "story", "--revisions", "--diff", "1", "7", "--db", db_url)
    assert bad.exit_code == 2 and "has revisions 1, 2" in bad.output


def test_failures_and_quarantine_list_urls_with_reasons(store, db_url):
    failures = cli("failures", "--json", "--db", db_url)
    assert [json.loads(line)["url"] for line in failures.stdout.splitlines()] == [BASE + "gone"]
    quarantined = cli("quarantine", "--reason", "not_an_article", "--db", db_url)
    assert BASE + "about" in quarantined.stdout and BASE + "gone" not in quarantined.stdout
    assert store.known_urls([BASE + "gone", BASE + "about"]) == {BASE + "gone", BASE + "about"}


def test_exports_carry_provenance_a_manifest_and_deltas_by_fetch_time(store, db_url,
                                                                      tmp_path):
    out = tmp_path / "a.jsonl"
    assert cli("export", "--format", "jsonl", "--out", str(out), "--db", db_url).exit_code == 0
    row = json.loads(out.read_text())
    # The site's name (the archive's host is the registered site's): docs/names.md.
    assert row["site"] == "aawsat" and row["parser_version"] == "aawsat-1@2005-01-01"
    assert row["cleaner_version"] == "cleaning-2"
    assert row["warc_file"].endswith(".warc.gz") and row["warc_offset"] is not None
    manifest = json.loads((tmp_path / "a.jsonl.manifest.json").read_text())
    assert manifest["articles"] == 1 and manifest["schema_version"] == "export-4"
    assert "warc_offset" in manifest["fields"]
    later = cli("export", "--format", "jsonl", "--out", "-", "--fetched-since",
                "2024-05-04", "--db", db_url)
    assert not [line for line in later.stdout.splitlines() if line.startswith("{")]
    earlier = cli("export", "--format", "jsonl", "--out", "-", "--fetched-since",
                  "2024-05-03", "--db", db_url)
    assert len([line for line in earlier.stdout.splitlines() if line.startswith("{")]) == 1


def test_sites_shows_a_sites_last_crawl_however_many_runs_came_after(db_url, tmp_path):
    """The last crawl of each site is looked up by its base URL, not among the
    newest runs only (a fleet and its shards make many)."""
    store = ArticleStore(db_url)
    archive_run = store.start_run({"base_url": "https://eng-archive.aawsat.com", "site": "aawsat"})
    store.finish_run(archive_run, "completed", {"articles_new": 7})
    for _ in range(3):
        other = store.start_run({"base_url": "http://127.0.0.1:8000", "site": "generic"})
        store.finish_run(other, "failed", {})
    assert [r["id"] for r in store.runs(1, base_url="https://eng-archive.aawsat.com/")] == \
        [archive_run]
    (tmp_path / "sites.yaml").write_text("sites: []\n")
    listed = cli("sites", "--json", "--db", db_url, "--sites-file", str(tmp_path / "sites.yaml"))
    rows = {row["name"]: row for row in map(json.loads, listed.stdout.splitlines())}
    assert rows["aawsat"]["last_crawl"]["articles_new"] == 7
    assert rows["aawsat"]["last_crawl"]["status"] == "completed"


def test_show_search_and_export_print_one_record(store, db_url, tmp_path):
    """One function builds an article's public record for every output: show
    and search --json printed the provenance fields as null."""
    out = tmp_path / "a.jsonl"
    assert cli("export", "--format", "jsonl", "--out", str(out), "--db", db_url).exit_code == 0
    exported = json.loads(out.read_text())
    shown = json.loads(cli("show", BASE + "story", "--json", "--db", db_url).stdout)
    found = json.loads(cli("search", "talks", "--json", "--db", db_url).stdout.splitlines()[0])
    assert shown == exported == found
    assert shown["revision_fetched"].startswith("2024-05-03") and shown["warc_offset"] is not None


def test_json_moments_take_one_form_everywhere(store, db_url):
    """ISO 8601 with `T` and the offset, whatever prints them (a space, or `Z`, before)."""
    revisions = cli("show", BASE + "story", "--revisions", "--json", "--db", db_url).stdout
    failures = cli("failures", "--json", "--db", db_url).stdout
    stats = cli("stats", "--json", "--db", db_url).stdout
    moments = [json.loads(revisions.splitlines()[0])["fetched_at"],
               json.loads(failures.splitlines()[0])["at"]]
    for moment in moments:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d", moment), moment
    assert not re.search(r'"\d{4}-\d\d-\d\d \d\d:', stats)
