"""A real Prefect stack on 127.0.0.1 for tests and benchmarks: `prefect
server start`, the work pool, `prefect deploy --all`, process workers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prefect(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    result = subprocess.run([str(BIN / "prefect"), *args], env=env, cwd=ROOT, text=True,
                            capture_output=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"prefect {' '.join(args)}:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@contextmanager
def prefect_server(home: Path) -> Iterator[dict[str, str]]:
    """A fresh `prefect server start`; yields the environment that points at it."""
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(home),
           "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_WORKER_QUERY_SECONDS": "1",
           "PREFECT_RUNNER_POLL_FREQUENCY": "1", "ARCHIVE_HOME": str(ROOT),
           "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError("prefect server did not start in 120 s")
        yield env
    finally:
        server.terminate()
        server.wait(timeout=30)


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
            process.wait(timeout=60)
