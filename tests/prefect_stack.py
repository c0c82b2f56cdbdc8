"""A real Prefect stack on 127.0.0.1 for tests and benchmarks: `prefect
server start`, the work pool, `prefect deploy --all`, process workers, this
process's client pointed at the server, and a webhook that records the
alerts it receives."""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from archive_cli.flow_runtime import send_pending_logs_and_events
from tests.support import http_get, start_on_free_port, stop_process

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def prefect(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    result = subprocess.run([str(BIN / "prefect"), *args], env=env, cwd=ROOT, text=True,
                            capture_output=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"prefect {' '.join(args)}:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@functools.cache
def migrated_database() -> Path:
    """An empty Prefect database with every migration run, made once a
    session: a server started on a copy is up in 3-4 s, against 9 s when it
    migrates a new database itself."""
    home = Path(tempfile.mkdtemp(prefix="prefect-template-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    prefect({**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"},
            "server", "database", "upgrade", "-y")
    leftovers = sorted(p.name for p in home.glob("prefect.db-*"))
    if leftovers:  # a write-ahead log not folded in: a copy of prefect.db alone would lack it
        raise RuntimeError(f"the migrated Prefect database left {leftovers} behind")
    return home / "prefect.db"


@contextmanager
def prefect_server(home: Path) -> Iterator[dict[str, str]]:
    """A fresh `prefect server start`; yields the environment that points at it.

    The server takes its port on its command line: it is started on a
    candidate port, and on the next one when it cannot bind that one or when
    the health check is answered by another program (its own process must be
    the one listening)."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated_database(), home / "prefect.db")
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
def workers(env: dict[str, str], names: list[str], limit: int = 2,
            log_dir: Path | None = None) -> Iterator[None]:
    """Process workers on the pool `archive`, each running up to `limit` flow
    runs at once; their output (and their flow runs') in `log_dir/<name>.log`
    when given, for a failing test to show."""
    with ExitStack() as logs:
        outputs = [logs.enter_context((log_dir / f"{name}.log").open("ab")) if log_dir
                   else subprocess.DEVNULL for name in names]
        processes = [subprocess.Popen(
            [str(BIN / "prefect"), "worker", "start", "--pool", "archive", "--type", "process",
             "--name", name, "--limit", str(limit)],
            env={**env, "ARCHIVE_WORKER_NAME": name}, cwd=ROOT,
            stdout=output, stderr=subprocess.STDOUT) for name, output in zip(names, outputs,
                                                                              strict=True)]
        try:
            yield
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                stop_process(process, timeout=60)


@contextmanager
def client_of(env: dict[str, str]) -> Iterator[None]:
    """This process's Prefect client (flows run here, run_deployment, reads)
    pointed at the stack's server: Prefect reads its settings from the
    environment once, at import, so they are set here, not in os.environ."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: env["PREFECT_API_URL"]}):
        try:
            yield
        finally:
            send_pending_logs_and_events()


class WebhookReceiver:
    """An HTTP endpoint on 127.0.0.1 that records the JSON bodies POSTed to it."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    receiver.calls.append(json.loads(body or b"{}"))
                except ValueError:
                    receiver.calls.append({"raw": body.decode("utf-8", "replace")})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # its port: no race
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
