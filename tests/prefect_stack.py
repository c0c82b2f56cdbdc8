"""A real Prefect stack on 127.0.0.1 for tests and benchmarks: `prefect
server start`, the work pool, `prefect deploy --all`, process workers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support import http_get, start_on_free_port, stop_process

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def prefect(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    result = subprocess.run([str(BIN / "prefect"), *args], env=env, cwd=ROOT, text=True,
                            capture_output=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"prefect {' '.join(args)}:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@contextmanager
def prefect_server(home: Path) -> Iterator[dict[str, str]]:
    """A fresh `prefect server start`; yields the environment that points at it.

    The server takes its port on its command line: it is started on a
    candidate port, and on the next one when it cannot bind that one or when
    the health check is answered by another program (its own process must be
    the one listening)."""
    home.mkdir(parents=True, exist_ok=True)
    base_env = {**os.environ, "PREFECT_HOME": str(home),
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_WORKER_QUERY_SECONDS": "1",
                "PREFECT_RUNNER_POLL_FREQUENCY": "1", "ARCHIVE_HOME": str(ROOT),
                "PYTHONPATH": str(ROOT)}
    log = (home / "server.log").open("ab")

    def start(port: int) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
             "--port", str(port)], env={**base_env, "PREFECT_API_URL": api_url(port)},
            stdout=log, stderr=subprocess.STDOUT)

    try:
        server, port = start_on_free_port(
            start, lambda port: http_get(api_url(port) + "/health") is not None,
            "prefect server", timeout=180)
    finally:
        log.close()
    try:
        yield {**base_env, "PREFECT_API_URL": api_url(port)}
    finally:
        stop_process(server, timeout=30)


def api_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/api"


def deploy(env: dict[str, str]) -> None:
    prefect(env, "work-pool", "create", "archive", "--type", "process", "--overwrite")
    prefect(env, "--no-prompt", "deploy", "--all", timeout=600)


@contextmanager
def workers(env: dict[str, str], names: list[str], limit: int = 2) -> Iterator[None]:
    processes = [subprocess.Popen(
        [str(BIN / "prefect"), "worker", "start", "--pool", "archive", "--type", "process",
         "--name", name, "--limit", str(limit)],
        env={**env, "ARCHIVE_WORKER_NAME": name}, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for name in names]
    try:
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            stop_process(process, timeout=60)
