"""No process of ours outlives the command that started it, and `crawl --all`
with no Prefect server given runs every site against one temporary API.

Each command runs in a session of its own, so its process group can be
checked after it exits: a leaked server or crawl is still in it. The output
is captured as `subprocess.run(capture_output=True)` does: a leaked process
holding the pipes made that call hang before."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest
import yaml

from replica import ReplicaServer
from replica.site import ReplicaSite
from storage.store import ArticleStore
from tests.prefect_stack import ROOT, migrated_database, prefect_server
from tests.support import left_behind, wait_until

pytestmark = pytest.mark.integration
ARCHIVE = str(Path(sys.executable).parent / "archive")


def nothing_left(pgid: int, tmp_path: Path) -> bool:
    return not left_behind(pgid, str(tmp_path / "prefect-home"))


def what_is_left(pgid: int, tmp_path: Path) -> str:
    return "\n".join(left_behind(pgid, str(tmp_path / "prefect-home")))


def all_gone(pgid: int, tmp_path: Path) -> None:
    """Nothing of the command is left once its last processes have finished
    exiting (multiprocessing's resource tracker leaves when the command's
    pipe to it closes, a moment after the command)."""
    wait_until(lambda: nothing_left(pgid, tmp_path), 10, "waiting for the command's processes",
               details=lambda: what_is_left(pgid, tmp_path))


def stored_count(db: str) -> int:
    try:
        return ArticleStore(db, read_only=True).stats()["articles"]
    except Exception:  # noqa: BLE001 - not created yet
        return 0


def no_api_env(tmp_path: Path) -> dict[str, str]:
    """No PREFECT_API_URL: the command starts its own; its database a migrated copy."""
    home = tmp_path / "prefect-home"
    home.mkdir()
    shutil.copyfile(migrated_database(), home / "prefect.db")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    return {**env, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "ARCHIVE_DOWNLOAD_DELAY": "0"}


def sites_file(tmp_path: Path, servers: list[ReplicaServer]) -> Path:
    path = tmp_path / "sites.yaml"
    path.write_text(yaml.safe_dump({"sites": [
        {"name": f"copy{i}", "site": "aawsat", "base_url": s.base}
        for i, s in enumerate(servers)]}))
    return path


def run_in_own_group(args: list[str], env: dict[str, str], timeout: float = 400):
    process = subprocess.Popen([ARCHIVE, *args], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    stdout, stderr = process.communicate(timeout=timeout)
    return process.pid, process.returncode, stdout, stderr


def test_crawl_all_without_a_prefect_server_crawls_every_site_and_leaves_nothing(tmp_path):
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with ExitStack() as stack:
        servers = [stack.enter_context(ReplicaServer(ReplicaSite(articles=8, seed=i)))
                   for i in range(3)]
        pgid, code, stdout, stderr = run_in_own_group(
            ["crawl", "--all", "--json", "--sites-file", str(sites_file(tmp_path, servers)),
             "--db", db, "--data-dir", str(tmp_path / "data")], no_api_env(tmp_path))
        expected = sum(len(s.site.public_articles()) for s in servers)
    assert code == 0, stderr[-3000:]
    assert nothing_left(pgid, tmp_path), what_is_left(pgid, tmp_path)
    rows = [json.loads(line) for line in stdout.splitlines()]
    assert sorted(r["site"] for r in rows) == ["copy0", "copy1", "copy2"]
    assert all(r["state"] == "Completed" for r in rows), rows
    assert "address already in use" not in stderr
    assert ArticleStore(db).stats()["articles"] == expected


@pytest.mark.parametrize("to_group", [False, True], ids=["sigterm-to-the-command",
                                                          "ctrl-c-to-the-terminal-group"])
def test_a_stop_signal_stops_crawl_all_gracefully_and_leaves_nothing(tmp_path, to_group):
    """The first SIGTERM (or a terminal's Ctrl-C, which reaches every process
    of its group: the crawls, not the API, which runs in a session of its own)
    stops the crawls as a deadline does (the pages in hand stored, the runs
    `stopped`); the command exits non-zero and leaves nothing running."""
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with ExitStack() as stack:
        servers = [stack.enter_context(ReplicaServer(ReplicaSite(articles=60, seed=i),
                                                     article_delay_s=1.0)) for i in range(2)]
        process = subprocess.Popen(
            [ARCHIVE, "crawl", "--all", "--sites-file", str(sites_file(tmp_path, servers)),
             "--db", db, "--data-dir", str(tmp_path / "data")],
            env=no_api_env(tmp_path), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, start_new_session=True)

        wait_until(lambda: stored_count(db) >= 4, 180, "waiting for the crawls to store articles")
        if to_group:
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGTERM)
        _stdout, stderr = process.communicate(timeout=180)
    assert process.returncode not in (0, None), stderr[-3000:]
    assert f"{'SIGINT' if to_group else 'SIGTERM'}: stopping the crawls" in stderr
    assert nothing_left(process.pid, tmp_path), what_is_left(process.pid, tmp_path)
    runs = ArticleStore(db).runs(10)
    assert len(runs) == 2 and all(r["status"] == "failed" for r in runs), runs
    assert {r["stats"]["outcome"]["cause"] for r in runs} == {"stopped"}
    assert sum(r["stats"]["articles_new"] for r in runs) == stored_count(db) < 120


def test_kill_9_of_the_cli_stores_the_pages_in_hand_and_leaves_nothing(tmp_path):
    """The crawl and the temporary API are asked by the kernel to stop when the
    command dies without cleaning up; the crawl stores what it had in hand
    (however many signals its parent's dying threads send) and closes its run,
    even when it is done before the last of those threads is (CI saw the run
    left `running` when the crawl went by its parent's PID)."""
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with ReplicaServer(ReplicaSite(articles=60), article_delay_s=1.0) as server:
        process = subprocess.Popen(
            [ARCHIVE, "crawl", "--site", "aawsat", "--base-url", server.base, "--db", db,
             "--data-dir", str(tmp_path / "data")], env=no_api_env(tmp_path), cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

        wait_until(lambda: stored_count(db) >= 5, 180, "waiting for the crawl to store articles")
        process.kill()
        process.wait(timeout=30)
        wait_until(lambda: nothing_left(process.pid, tmp_path), 150,
                   "waiting for the crawl and the API to stop",
                   details=lambda: what_is_left(process.pid, tmp_path))
    from tests.test_crashes import warc_article_pages

    assert stored_count(db) == warc_article_pages(tmp_path / "data") < 60
    run = ArticleStore(db).runs(1)[0]
    # The orphan's last words go to the run's log (its stderr pipe has no reader).
    log = (tmp_path / "data" / "logs" / f"crawl-{run['id']}.log").read_text()
    assert run["status"] == "failed", log[-3000:]
    assert run["stats"]["outcome"]["cause"] == "stopped"


def test_crawl_all_with_a_prefect_server_then_import_and_reextract_leave_nothing(tmp_path):
    """The other commands that start processes: `crawl --all` against a
    Prefect server the user runs (its crawl children), `import` and
    `reextract` (their pools of cleaning processes; 120 articles and their
    listings, past the pages an import cleans in its own process)."""
    db, fresh = (f"sqlite:///{tmp_path / name}" for name in ("a.db", "fresh.db"))
    with ExitStack() as stack:
        servers = [stack.enter_context(ReplicaServer(ReplicaSite(articles=60, seed=i)))
                   for i in range(2)]
        prefect_env = stack.enter_context(prefect_server(tmp_path / "server-home"))
        home = tmp_path / "prefect-home"
        home.mkdir()
        env = {**prefect_env, "PREFECT_HOME": str(home), "ARCHIVE_DOWNLOAD_DELAY": "0",
               "ARCHIVE_CLEAN_WORKERS": "2"}
        pgid, code, _, stderr = run_in_own_group(
            ["crawl", "--all", "--sites-file", str(sites_file(tmp_path, servers)),
             "--db", db, "--data-dir", str(tmp_path / "data")], env)
        assert code == 0, stderr[-3000:]
        all_gone(pgid, tmp_path)
        assert stored_count(db) == 120

    pgid, code, stdout, stderr = run_in_own_group(
        ["import", str(tmp_path / "data" / "warc"), "--site", "aawsat", "--json",
         "--db", fresh], env)
    assert code == 0, stderr[-3000:]
    all_gone(pgid, tmp_path)
    assert json.loads(stdout)["new"] == stored_count(fresh) == 120

    pgid, code, stdout, stderr = run_in_own_group(["reextract", "--db", fresh], env)
    assert code == 0, stderr[-3000:]
    all_gone(pgid, tmp_path)
    assert "unchanged 120" in stdout


def test_ctrl_c_stops_archive_serve_at_once_with_its_schedules_paused(tmp_path):
    """`archive serve` with no Prefect server given serves against the
    command's own API, out of the terminal's group: a Ctrl-C stops serve,
    whose last words (pausing its schedules) still reach the API, and then
    the API. Before, the terminal's Ctrl-C stopped Prefect's temporary
    server first: serve spent minutes retrying, with tracebacks."""
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        env = {**no_api_env(tmp_path), "PREFECT_LOGGING_LEVEL": "INFO"}  # serve's last words
        process = subprocess.Popen([ARCHIVE, "serve"], env=env, cwd=ROOT,
                                   stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        wait_until(lambda: "being served" in log.read_text(), 180,
                   "waiting for serve to serve", details=lambda: log.read_text()[-3000:])
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    printed = log.read_text()
    # Paused by serve itself even when the Ctrl-C comes as Prefect's runner
    # starts (before it, the runner left them active: CI saw it once).
    served = len(yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"])
    assert f"the schedules of its {served} deployments are paused" in printed, printed[-3000:]
    assert "Traceback" not in printed, printed[-3000:]
    all_gone(process.pid, tmp_path)
