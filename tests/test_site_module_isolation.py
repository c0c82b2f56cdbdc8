"""A user's site module is isolated: one whose `matches()` raises costs that
module alone (said once, left out of recognition), and one that fails to
import or calls sys.exit is one line naming it, exit 2, while `--help` still
works. Before, an `auto` crawl of an unrelated site stored nothing and
`completed`, and a module calling sys.exit(0) made every command exit 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from replica import NewsroomSite, ReplicaServer
from storage.store import ArticleStore
from tests.prefect_stack import ROOT
from tests.test_process_lifetime import no_api_env

pytestmark = pytest.mark.integration
ARCHIVE = str(Path(sys.executable).parent / "archive")
RAISING = '''
from cleaning.profiles.generic import GenericProfile
from sites import ParserVersion, Site
from sites.catalog.generic import SITE as GENERIC
from datetime import date


class Raising(GenericProfile):
    name, version = "raising", "1"

    def matches(self, url, html):
        raise KeyError("boom")


SITE = Site(name="raising", description="a module with a bug", sources=GENERIC.sources,
            parsers=(ParserVersion(date(2000, 1, 1), Raising()),), base_url=None)
'''


def archive(env: dict[str, str], *args: str, timeout: float = 300):
    return subprocess.run([ARCHIVE, *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def test_a_module_whose_matches_raises_costs_that_module_alone(tmp_path):
    module = tmp_path / "raising_site.py"
    module.write_text(RAISING)
    env = {**no_api_env(tmp_path), "ARCHIVE_SITE_MODULES": str(module)}
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with ReplicaServer(NewsroomSite()) as server:  # type: ignore[arg-type]
        crawl = archive(env, "crawl", "--site", "auto", "--base-url", server.base, "--db", db,
                        "--data-dir", str(tmp_path / "data"))
        expected = len(server.site.articles)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert ArticleStore(db).stats()["articles"] == expected
    log = "".join(p.read_text() for p in (tmp_path / "data" / "logs").glob("*.log"))
    # Said once by each process that met it (the crawl's, its cleaners'), not once a page.
    said = log.count("site raising: its matches() raised KeyError")
    assert 1 <= said <= 1 + (os.cpu_count() or 1)


@pytest.mark.parametrize("body, said", [
    ("import sys\nsys.exit(0)\n", "exits when imported (sys.exit(0))"),
    ("raise RuntimeError('half written')\n", "RuntimeError: half written"),
    (None, "No such file or directory"),
])
def test_a_module_that_cannot_load_is_one_line_and_help_still_works(tmp_path, body, said):
    module = tmp_path / "broken_site.py"
    if body is not None:
        module.write_text(body)
    env = {**os.environ, "ARCHIVE_SITE_MODULES": str(module)}
    for command in (["sites"], ["stats", "--db", f"sqlite:///{tmp_path / 'a.db'}"]):
        result = archive(env, *command, timeout=120)
        assert result.returncode == 2, result.stdout + result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and said in lines[0] and str(module) in lines[0], lines
    helped = archive(env, "crawl", "--help", timeout=120)
    assert helped.returncode == 0 and "--base-url" in helped.stdout
