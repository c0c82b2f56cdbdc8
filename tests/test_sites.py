"""The sites file and the `--site` rule (docs/sites.md): a name from the file,
else a registered site, else a profile that needs a base URL; `crawl --all`
crawls every enabled site at once, one row each; `archive sites` lists them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import yaml

from sites import (
    SiteChoiceError,
    SiteEntry,
    SitesFileError,
    load_sites,
    resolve_site,
)
from storage.store import ArticleStore
from tests.prefect_stack import ROOT, prefect_server

ARCHIVE = str(Path(sys.executable).parent / "archive")


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_the_shipped_sites_file_names_the_archive():
    entries = load_sites(ROOT / "sites.yaml")
    assert [(e.name, e.site, e.base_url) for e in entries] == [
        ("aawsat-archive", "aawsat", "https://eng-archive.aawsat.com")]


@pytest.mark.parametrize("text, message", [
    ("sites:\n  - name: a\n    base_url: https://a.example\n    colour: red\n",
     "site 1: colour: unknown key"),
    ("sites:\n  - name: aawsat\n    base_url: https://a.example\n", "registered site"),
    ("sites:\n  - name: a b\n    base_url: https://a.example\n", "letters, digits"),
    ("sites:\n  - name: a\n    base_url: https://a.example\n    site: nosuch\n", "nosuch"),
    ("sites:\n  - {name: a, base_url: 'https://a'}\n  - {name: a, base_url: 'https://b'}\n",
     "used twice"),
    ("pages: []\n", "one key, `sites:`"),
    ("sites: [\n", "cannot read it"),
])
def test_a_bad_sites_file_is_one_clear_line(tmp_path, text, message):
    with pytest.raises(SitesFileError, match=message):
        load_sites(write(tmp_path / "sites.yaml", text))


def test_the_site_rule():
    entries = [SiteEntry(name="coastal", base_url="https://coastal.example", site="wordpress")]
    assert resolve_site("coastal", None, entries).base_url == "https://coastal.example"
    assert resolve_site("coastal", "https://mirror.example", entries).base_url == \
        "https://mirror.example"  # --base-url overrides a site's own
    assert resolve_site("aawsat", None, entries).base_url == "https://eng-archive.aawsat.com"
    with pytest.raises(SiteChoiceError, match="give the site's --base-url"):
        resolve_site("wordpress", None, entries)  # no longer crawls the archive
    assert resolve_site("wordpress", "https://b.example", entries).site == "wordpress"
    assert resolve_site(None, None, entries).site == "aawsat"
    assert resolve_site(None, None, entries, "https://env.example").site == "auto"
    with pytest.raises(SiteChoiceError, match="not a site of the sites file"):
        resolve_site("nosuch", None, entries)


@pytest.fixture(scope="module")
def prefect_env(tmp_path_factory) -> Iterator[dict[str, str]]:
    with prefect_server(tmp_path_factory.mktemp("prefect-home")) as env:
        yield env


@pytest.mark.integration
def test_crawl_all_crawls_every_site_at_once_one_row_each(prefect_env, tmp_path):
    """Three sites of three kinds (the archive's replica, a real WordPress, a
    news site that is not WordPress), each stored once under its own name."""
    from tests.test_fleet import FLEET_SITES

    db = f"sqlite:///{tmp_path / 'a.db'}"
    with ExitStack() as stack:
        sites = [build(stack) for build in FLEET_SITES]
        entries = [{**s.entry, **({"concurrency": 2} if i == 1 else {})}
                   for i, s in enumerate(sites)]
        entries.append({"name": "resting", "base_url": "http://127.0.0.1:9", "enabled": False})
        sites_file = write(tmp_path / "sites.yaml", yaml.safe_dump({"sites": entries}))
        env = {**prefect_env, "ARCHIVE_DOWNLOAD_DELAY": "0"}
        result = subprocess.run([ARCHIVE, "crawl", "--all", "--sites-file", str(sites_file),
                                 "--json", "--db", db, "--data-dir", str(tmp_path / "data")],
                                env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
        listed = subprocess.run([ARCHIVE, "sites", "--sites-file", str(sites_file), "--json",
                                 "--db", db], env=env, cwd=ROOT, capture_output=True,
                                text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = {row["site"]: row for row in map(json.loads, result.stdout.splitlines())}
    names = [s.entry["name"] for s in sites]
    assert sorted(rows) == sorted(names)  # the disabled one is left out
    stored = list(ArticleStore(db).iter_articles())
    for site in sites:
        mine = sorted(site.article_key(r["canonical_url"]) for r in stored
                      if r["site"] == site.entry["name"])
        assert mine == site.articles, site.entry["name"]
        assert rows[site.entry["name"]]["articles_new"] == len(site.articles)
    assert len(stored) == sum(len(s.articles) for s in sites)
    listed_sites = {row["name"]: row for row in map(json.loads, listed.stdout.splitlines())}
    assert listed_sites[names[0]]["last_crawl"]["status"] == "completed"
    assert listed_sites["resting"]["last_crawl"] is None
    assert listed_sites["aawsat"]["kind"] == "registered site"


@pytest.mark.integration
def test_crawl_all_refuses_one_site_options_and_fails_when_a_site_fails(prefect_env, tmp_path):
    sites_file = write(tmp_path / "sites.yaml",
                       "sites:\n  - name: down\n    base_url: http://127.0.0.1:9\n")
    refused = subprocess.run([ARCHIVE, "crawl", "--all", "--category", "x", "--sites-file",
                              str(sites_file)], env=prefect_env, cwd=ROOT, capture_output=True,
                             text=True, timeout=120)
    assert refused.returncode == 2 and "--all crawls every site" in refused.stderr
    # A bad value is refused before any site's run starts: exit 2, no run recorded.
    mistyped = subprocess.run([ARCHIVE, "crawl", "--all", "--mode", "fulll", "--sites-file",
                               str(sites_file), "--db", f"sqlite:///{tmp_path / 'a.db'}",
                               "--data-dir", str(tmp_path / "data")], env=prefect_env, cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
    assert mistyped.returncode == 2, mistyped.stderr
    assert mistyped.stderr.strip().splitlines()[-1].startswith("error: bad crawl parameters: mode")
    assert "Traceback" not in mistyped.stderr
    assert ArticleStore(f"sqlite:///{tmp_path / 'a.db'}").runs(1) == []
    failed = subprocess.run([ARCHIVE, "crawl", "--all", "--sites-file", str(sites_file), "--db",
                             f"sqlite:///{tmp_path / 'a.db'}", "--data-dir",
                             str(tmp_path / "data")], env=prefect_env, cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert failed.returncode == 1 and "1 of 1 site crawls failed" in failed.stderr
    assert "site_unreachable" in failed.stdout
