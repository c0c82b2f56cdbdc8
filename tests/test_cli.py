"""The `archive` command: real runs on a crawled replica store, and one clear
message (no traceback, non-zero exit) for every kind of bad argument."""

from __future__ import annotations

import csv
import json
import re

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from archive_cli.main import app
from replica import ReplicaServer
from spiders.config import CrawlConfig
from spiders.runner import run_crawl

runner = CliRunner()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """A store filled by one crawl of the replica (its tests are integration tests)."""
    tmp = tmp_path_factory.mktemp("cli")
    db = f"sqlite:///{tmp / 'archive.db'}"
    with ReplicaServer() as server:
        run_crawl(CrawlConfig(site="aawsat", base_url=server.base, db_url=db,
                              data_dir=str(tmp), download_delay=0, autothrottle=False),
                  timeout=180)
        yield db, server.site, server.base


def invoke(*args: str):
    return runner.invoke(app, list(args))


@pytest.mark.integration
def test_stats_search_and_show(crawled):
    db, site, base = crawled
    result = invoke("stats", "--db", db)
    assert result.exit_code == 0, result.output
    rows = dict(re.findall(r"^│ (\w+)\s*│ (.*?)\s*│$", result.output, re.M))
    stored = len(site.public_articles())
    assert rows["articles"] == rows["revisions"] == str(stored)
    assert rows["articles_gone"] == "0" and rows["crawl_runs"] == "1"
    assert re.search(rf"^run 1 aawsat: completed .*, {stored} new, {stored} of {stored + 1} listed "
                     r"articles stored$", result.output, re.M)  # one kept out by robots.txt
    article = site.public_articles()[0]
    result = invoke("search", f"{article.post.slug.split('-')[0]} report", "--db", db)
    assert result.exit_code == 0
    assert article.post.title[:20] in result.output
    result = invoke("show", f"{base}{article.post.path}?share=twitter", "--db", db)
    assert result.exit_code == 0
    assert article.blocks[0][:40] in result.output.replace("\n", " ")


@pytest.mark.integration
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_formats(crawled, tmp_path, fmt):
    db, site, _ = crawled
    out = tmp_path / f"articles.{fmt}"
    result = invoke("export", "--format", fmt, "--out", str(out), "--db", db)
    assert result.exit_code == 0, result.output
    expected = len(site.public_articles())
    if fmt == "jsonl":
        rows = [json.loads(line) for line in out.read_text().splitlines()]
    elif fmt == "csv":
        rows = list(csv.DictReader(out.open()))
    else:
        rows = pq.read_table(out).to_pylist()
    assert len(rows) == expected
    assert {"title", "body", "authors", "published", "canonical_url"} <= set(rows[0])


@pytest.mark.integration
def test_export_filters(crawled, tmp_path):
    db, site, _ = crawled
    out = tmp_path / "opinion.jsonl"
    result = invoke("export", "--format", "jsonl", "--out", str(out), "--db", db,
                    "--category", "Opinion", "--since", "2017-01-01")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows and all("Opinion" in r["categories"] for r in rows)
    assert all(r["published"] >= "2017" for r in rows)


@pytest.mark.parametrize("args, message", [
    (["crawl", "--base-url", "file:///etc/passwd"], "http(s)"),
    (["crawl", "--base-url", "not a url"], "base_url"),
    (["crawl", "--mode", "sometimes"], "mode"),
    (["crawl", "--site", "nosuch"], "site"),
    (["crawl", "--category", "a/b"], "slug"),
    (["crawl", "--max-pages", "0"], "max_pages"),
    (["crawl", "--url", "ftp://example.com/x"], "http(s)"),
    (["extract", "/no/such/file.html"], "no such file"),
    (["extract", "README.md", "--site", "nosuch"], "nosuch"),
    (["show", "https://example.com/nothing", "--db", "sqlite:///{tmp}/x.db"], "no store at"),
    (["stats", "--db", "postgresql://u:hunter2@127.0.0.1:1/x"], "cannot open the store"),
    (["stats", "--db", "nosuchdb://x"], "cannot open the store"),
    (["search", "***", "--db", "sqlite:///{tmp}/x.db"], "no words"),
    (["export", "--format", "xml", "--out", "{tmp}/x"], "xml"),
    (["export", "--format", "jsonl", "--out", "{tmp}/x", "--since", "yesterday",
      "--db", "sqlite:///{tmp}/x.db"], "not a date"),
])
def test_bad_arguments_give_one_clear_message(args, message, tmp_path):
    result = invoke(*[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert "hunter2" not in result.output
