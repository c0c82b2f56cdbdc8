"""`--site` on the read commands and re-extraction, through the CLI as users
type it, over a store holding two sites; exports carry the site's name; an
import stores under the site given, else the page's registered site or host.
On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from archive_cli.main import app
from cleaning import CLEANER_VERSION
from ingest.warc_import import import_warc
from replica.divi import BASE, Post, article_page
from sites import extract_article
from storage.store import ArticleStore, PageRecord
from tests.test_reextract import FETCHED, PARAGRAPHS, Archive, spoil

pytestmark = pytest.mark.integration
OTHER = "https://coastal.example"  # a second site, crawled with a profile: its host
BODY = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def page(base: str, slug: str) -> tuple[str, str]:
    made = Post(slug=slug, title=f"Talks resume {slug}", body_html=BODY)
    return base + made.path, article_page(made, base)


@pytest.fixture
def two_sites(db_url, tmp_path) -> dict[str, list[str]]:
    """Three archive articles and two of the other site, each with its WARC record."""
    store = ArticleStore(db_url)
    archive = Archive(tmp_path / "warc")
    urls: dict[str, list[str]] = {"aawsat": [], "coastal.example": []}
    records = []
    for site, base, count in (("aawsat", BASE, 3), ("coastal.example", OTHER, 2)):
        for i in range(count):
            url, html = page(base, f"story-{i}")
            location = archive.add(url, html)
            records.append(PageRecord(
                article=extract_article(html, url, site="aawsat"), fetched_at=FETCHED,
                warc_file=location[0], warc_offset=location[1],
                cleaner_version=CLEANER_VERSION, site=site))
            urls[site].append(url)
    store.upsert_articles(records)
    store.close()
    return urls


def test_search_filters_by_site(two_sites, db_url):
    result = cli("search", "talks", "--site", "coastal.example", "--db", db_url)
    assert result.exit_code == 0, result.output
    assert "2 matching articles" in result.stdout
    assert OTHER in result.stdout and BASE not in result.stdout
    hits = cli("search", "talks", "--site", "aawsat", "--json", "--limit", "2", "--db", db_url)
    rows = [json.loads(line) for line in hits.stdout.splitlines()]
    assert len(rows) == 2 and {r["site"] for r in rows} == {"aawsat"}
    everything = cli("search", "talks", "--db", db_url)
    assert "5 matching articles" in everything.stdout


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_filters_by_site_and_carries_its_name(two_sites, db_url, tmp_path, fmt):
    out = tmp_path / f"coastal.{fmt}"
    result = cli("export", "--format", fmt, "--out", str(out), "--site", "coastal.example",
                 "--db", db_url)
    assert result.exit_code == 0, result.output
    if fmt == "jsonl":
        rows = [json.loads(line) for line in out.read_text().splitlines()]
    elif fmt == "csv":
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
    else:
        rows = pq.read_table(out).to_pylist()
    assert sorted(r["canonical_url"] for r in rows) == sorted(two_sites["coastal.example"])
    assert {r["site"] for r in rows} == {"coastal.example"}
    manifest = json.loads((tmp_path / f"coastal.{fmt}.manifest.json").read_text())
    assert manifest["filters"] == {"site": "coastal.example"} and manifest["articles"] == 2
    assert manifest["schema_version"] == "export-4"
    every = cli("export", "--format", "jsonl", "--out", "-", "--db", db_url)
    sites = [json.loads(line)["site"] for line in every.stdout.splitlines()
             if line.startswith("{")]
    assert sorted(sites) == ["aawsat"] * 3 + ["coastal.example"] * 2


def test_stats_per_site_and_for_one_site(two_sites, db_url):
    figures = json.loads(cli("stats", "--json", "--db", db_url).stdout)
    assert figures["articles"] == 5
    assert figures["sites"] == {
        "aawsat": {"articles": 3, "gone": 0, "authors": 1, "categories": 1, "tags": 0},
        "coastal.example": {"articles": 2, "gone": 0, "authors": 1, "categories": 1,
                            "tags": 0}}
    one = json.loads(cli("stats", "--site", "aawsat", "--json", "--db", db_url).stdout)
    assert (one["site"], one["articles"], one["revisions"], one["categories"]) == \
        ("aawsat", 3, 3, 1)
    assert list(one["sites"]) == ["aawsat"]
    text = cli("stats", "--db", db_url)
    assert text.exit_code == 0, text.output
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
            for line in text.stdout.splitlines() if line.count("│") == 7}
    assert rows["coastal.example"] == ["2", "0", "1", "0", "1"]  # articles gone cat tags auth


def test_reextract_filters_by_site(two_sites, db_url):
    store = ArticleStore(db_url)
    for url in (two_sites["aawsat"][0], two_sites["coastal.example"][0]):
        spoil(store, url)
    result = cli("reextract", "--site", "coastal.example", "--db", db_url)
    assert result.exit_code == 0, result.output
    assert "updated 1" in result.stdout and "total 2" in result.stdout  # its two articles
    assert not store.get(two_sites["coastal.example"][0])["body"].startswith("Photo (AFP)")
    assert store.get(two_sites["aawsat"][0])["body"].startswith("Photo (AFP)")  # not its site
    assert store.get(two_sites["coastal.example"][0])["site"] == "coastal.example"  # kept
    store.close()


@pytest.mark.parametrize("command", [["search", "talks"], ["stats"], ["reextract"],
                                     ["export", "--format", "jsonl", "--out", "-"]])
def test_a_site_the_store_does_not_hold_is_one_clear_line(two_sites, db_url, command):
    result = cli(*command, "--site", "coastl.example", "--db", db_url)
    assert result.exit_code == 2
    assert "no article is stored under 'coastl.example'" in result.output
    assert "'aawsat', 'coastal.example'" in result.output


def test_an_import_is_stored_under_the_site_given_else_the_page_s_site_or_host(db_url,
                                                                            tmp_path):
    store = ArticleStore(db_url)
    archive = Archive(tmp_path / "warc")
    for base, slug in ((BASE, "archived"), (OTHER, "elsewhere")):
        archive.add(*page(base, slug))
    import_warc(store, [tmp_path / "warc"], workers=1)
    assert store.get(page(BASE, "archived")[0])["site"] == "aawsat"  # its host is the archive's
    assert store.get(page(OTHER, "elsewhere")[0])["site"] == "coastal.example"

    given = Archive(tmp_path / "given")
    given.add(*page("http://127.0.0.1:8765", "replica"))
    import_warc(store, [tmp_path / "given"], site="aawsat", workers=1)
    assert store.get(page("http://127.0.0.1:8765", "replica")[0])["site"] == "aawsat"
    store.close()
