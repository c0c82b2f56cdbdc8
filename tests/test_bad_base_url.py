"""A base URL with an impossible port or host is refused up front, from the
command line or the sites file: one line, exit 2, no run recorded (the crawl
child crashed on it, and 3 or 6 `crashed` runs were recorded)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from archive_cli.main import app
from sites.sources import check_base_url
from storage.store import ArticleStore

pytestmark = pytest.mark.integration
BAD = ["http://127.0.0.1:99999", "http://127.0.0.1:0", "http://exa mple.com", "http://a..b/",
       "ftp://example.com", "http://" + "a" * 64 + ".com"]


@pytest.mark.parametrize("url", BAD)
def test_the_rule(url):
    with pytest.raises(ValueError):
        check_base_url(url)


def test_good_ones_pass():
    assert check_base_url("https://example.com/") == "https://example.com"
    assert check_base_url("http://127.0.0.1:8765") == "http://127.0.0.1:8765"
    assert check_base_url("http://[::1]:8080") == "http://[::1]:8080"
    assert check_base_url("https://bücher.example") == "https://bücher.example"


@pytest.mark.parametrize("url", BAD[:3])
def test_the_cli_and_the_sites_file_refuse_it_before_any_run(tmp_path, url):
    db = f"sqlite:///{tmp_path / 'a.db'}"
    ArticleStore(db)
    given = CliRunner().invoke(app, ["crawl", "--site", "generic", "--base-url", url,
                                     "--db", db, "--data-dir", str(tmp_path)])
    assert given.exit_code == 2, given.output
    assert "base_url" in given.output and "Traceback" not in given.output
    sites = tmp_path / "sites.yaml"
    sites.write_text(f"sites:\n  - name: mirror\n    base_url: '{url}'\n")
    listed = CliRunner().invoke(app, ["crawl", "--all", "--sites-file", str(sites), "--db", db,
                                      "--data-dir", str(tmp_path)])
    assert listed.exit_code == 2, listed.output
    assert "site 1: base_url" in listed.output
    assert ArticleStore(db).runs(5) == []
