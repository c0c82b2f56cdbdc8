"""What a user meets first: --version, a path where a database URL belongs, a
sites file that is not there. One line each, the fix named."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from archive_cli.main import app


def cli(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, list(args), env=env)


def test_version():
    result = cli("--version")
    assert result.exit_code == 0 and result.output.startswith("archive 0.")


def test_a_path_given_as_db_names_the_url_meant(tmp_path):
    result = cli("stats", "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 2
    assert f"give sqlite:///{tmp_path / 'x.db'}" in result.output
    assert "Traceback" not in result.output


def test_a_missing_sites_file_is_an_error_naming_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./sites.yaml here
    every = cli("crawl", "--all")
    assert every.exit_code == 2 and "no sites file at sites.yaml" in every.output
    named = cli("sites", "--sites-file", str(tmp_path / "nope.yaml"))
    assert named.exit_code == 2 and f"no sites file at {tmp_path / 'nope.yaml'}" in named.output
    by_env = cli("crawl", "--site", "aawsat", env={"ARCHIVE_SITES": str(tmp_path / "n.yaml")})
    assert by_env.exit_code == 2 and "no sites file at" in by_env.output
    default = cli("sites")  # the default file missing: the registered sites, and a note
    assert default.exit_code == 0 and "aawsat" in default.output
    assert "no sites file at sites.yaml" in default.output


def test_make_deploy_and_worker_refuse_to_run_without_a_prefect_api(tmp_path):
    """Without PREFECT_API_URL, `prefect deploy` and a worker would use a
    temporary API of their own that nothing else sees (the worker then died
    with a traceback): one line saying what to set, before anything runs."""
    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    for target in ("deploy", "worker"):
        # -o: setup counts as done (the suite runs in the project's environment).
        done = subprocess.run(["make", "-s", "-o", "setup", "-o", ".venv/.installed-stamp",
                               target], cwd=root, env=env, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode != 0
        assert f"make {target}: set PREFECT_API_URL" in done.stderr
        assert "Traceback" not in done.stderr and "work-pool" not in done.stdout
