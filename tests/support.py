"""What the tests share: waiting for a condition (never for a fixed time),
services that may be missing locally but must run in CI, servers started on
ports they hold, and the crawl configuration of the replica tests.

Fixtures built on these live in tests/conftest.py."""

from __future__ import annotations

import http.client
import os
import random
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import psutil
import pytest

from cleaning.models import Article, content_hash, count_words
from spiders.config import CrawlConfig

T = TypeVar("T")


# --- waiting ----------------------------------------------------------------------------
class WaitTimeout(AssertionError):
    """A condition did not come true in time: the test fails with what it waited for."""


def wait_until(condition: Callable[[], T], timeout: float, message: str, *,
               details: Callable[[], str] | None = None, max_interval: float = 0.25) -> T:
    """Poll `condition` until it returns something true, and return that. Past
    `timeout` seconds fail with `message` (what was waited for) and, if given,
    `details()` (a log's tail, say). The first polls come quickly, later ones
    every `max_interval` s: a fast condition costs no fixed delay, a slow one
    no busy loop (give a costly condition a longer interval)."""
    deadline = time.monotonic() + timeout
    pause = 0.01
    while True:
        value = condition()
        if value:
            return value
        left = deadline - time.monotonic()
        if left <= 0:
            extra = ""
            if details is not None:
                try:
                    extra = "\n" + details()
                except Exception as error:  # noqa: BLE001 - the timeout is the news
                    extra = f"\n(no details: {error!r})"
            raise WaitTimeout(f"timed out after {timeout:g} s waiting for {message}{extra}")
        time.sleep(min(pause, left))
        pause = min(pause * 2, max_interval)


def join(thread: threading.Thread, timeout: float, what: str) -> None:
    """`thread.join` with a deadline that fails the test when it passes."""
    thread.join(timeout)
    if thread.is_alive():
        raise WaitTimeout(f"{what} was still running {timeout:g} s later")


def stop_process(process: subprocess.Popen[Any], timeout: float = 30) -> int | None:
    """SIGTERM, then SIGKILL if the process is still there `timeout` s later."""
    if process.poll() is None:
        process.terminate()
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait(timeout=timeout)
    return process.returncode


def file_tail(path: Path, chars: int = 3000) -> Callable[[], str]:
    """For `wait_until(details=...)`: the end of a log file, read when needed."""
    return lambda: path.read_text(errors="replace")[-chars:] if path.exists() else ""


# --- services: skip locally, fail in CI --------------------------------------------------
def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def require_service(available: bool, what: str, detail: str = "") -> None:
    """A test that needs `what` (PostgreSQL, Redis, a local WordPress, ...):
    skipped with the reason where it is missing, failed under CI=true, where
    .ci/run provides every service and a skip would hide a test that never ran."""
    if available:
        return
    why = f"{what} is not available" + (f": {detail}" if detail else "")
    if in_ci():
        pytest.fail(f"CI must run this test (.ci/run provides {what}), but {why}",
                    pytrace=False)
    pytest.skip(why)


# --- servers on ports they hold ----------------------------------------------------------
# A server of our own (Python) binds port 0 and says which port it got: no race.
# A program that wants a number on its command line (`php -S`, `prefect server
# start`, PostgreSQL) is started on a candidate port and, if it cannot bind it
# or another program answers there, started again on the next one.
def candidate_ports(count: int = 20) -> list[int]:
    """Random ports below the kernel's ephemeral range, so that none of them is
    one the kernel hands out (to `bind(0)` or an outgoing connection)."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    pool = range(10000, low) if low - 10000 >= 1000 else range(10000, 65000)
    return random.SystemRandom().sample(pool, count)


def listens_on(pid: int, port: int) -> bool:
    """Whether the process `pid` or one of its descendants listens on TCP `port`:
    whoever answers there is ours, not another program."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return False
    for process in processes:
        try:  # net_connections from psutil 6, connections before
            lister = getattr(process, "net_connections", None) or process.connections
            connections = lister(kind="tcp")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if any(c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port
               for c in connections):
            return True
    return False


def http_get(url: str, timeout: float = 2) -> bytes | None:
    """The body at `url`, or None when nothing answers there (yet)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body: bytes = response.read()
            return body
    except (OSError, http.client.HTTPException):  # refused, an error status, not HTTP
        return None


def http_status(url: str, timeout: float = 10) -> str:
    """What `url` answers, in a few words (for a wait's details)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return f"{url} answered {response.status}"
    except urllib.error.HTTPError as error:
        return f"{url} answered {error.code}"
    except (OSError, http.client.HTTPException) as error:
        return f"{url} failed: {error!r}"


def start_on_free_port(start: Callable[[int], subprocess.Popen[Any]],
                       ready: Callable[[int], bool], what: str, timeout: float = 120,
                       attempts: int = 10) -> tuple[subprocess.Popen[Any], int]:
    """Start a server program on a port of its own: `start(port)` launches it,
    `ready(port)` says whether it answers. A program that exits (it could not
    bind) or that is not the one answering on its port (another program holds
    it) is stopped and started again on the next candidate port."""
    tried: list[str] = []
    for port in candidate_ports(attempts):
        process = start(port)

        def settled(process: subprocess.Popen[Any] = process, port: int = port) -> str | None:
            if process.poll() is not None:
                return f"exited with {process.returncode}"
            if ready(port):
                return "ours" if listens_on(process.pid, port) else "another program answers"
            return None

        try:
            verdict = wait_until(settled, timeout, f"{what} to answer on port {port}")
        except WaitTimeout:
            stop_process(process)
            raise
        if verdict == "ours":
            return process, port
        stop_process(process)
        tried.append(f"{port}: {verdict}")
    raise RuntimeError(f"{what} could not start on any of {attempts} ports: {tried}")


# --- what the cleaner returns --------------------------------------------------------------
def assert_well_formed(article: Article) -> None:
    """What every article the cleaner returns holds, whatever the page was."""
    assert article.body and "\n\n\n" not in article.body
    assert all(block == " ".join(block.split()) for block in article.blocks)
    assert article.word_count == count_words(article.body)
    assert article.content_hash == content_hash(article.title, article.body)


# --- crawls of the replica ----------------------------------------------------------------
def config_for(base: str, tmp_path: Path, db_url: str | None = None,
               **extra: Any) -> CrawlConfig:
    """A crawl of a replica on 127.0.0.1 as fast as it goes: no politeness
    delay, no AutoThrottle; the store in `tmp_path/a.db` unless `db_url`."""
    settings: dict[str, Any] = {
        "site": "aawsat", "download_delay": 0, "autothrottle": False,
        "concurrency_per_domain": 8,
        "db_url": db_url or f"sqlite:///{tmp_path / 'a.db'}", "data_dir": str(tmp_path)}
    return CrawlConfig(**{**settings, "base_url": base, **extra})


@contextmanager
def mounted(target: Path, *options: str) -> Iterator[Path]:
    """A real mount at `target` (`mount OPTIONS... target`), undone at the end.
    Read-only folders and full disks need real mounts: CI runs as root, so
    file permissions alone prove nothing."""
    target.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", *options, str(target)], capture_output=True, text=True)
    require_service(result.returncode == 0, "mount (read-only bind mounts, tmpfs)",
                    result.stderr.strip())
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


def read_only(source: Path, target: Path) -> AbstractContextManager[Path]:
    """`source` seen read-only at `target` (a read-only bind mount)."""
    return mounted(target, "--bind", "-o", "ro", str(source))


def left_behind(pgid: int, prefect_home: str) -> list[str]:
    """What a command left running: its process group's members, and any
    process with its PREFECT_HOME (the temporary API runs in a session of
    its own, out of the group). `pid args` each."""
    import psutil

    found: dict[int, str] = {}
    for process in psutil.process_iter(["pid", "cmdline", "status"]):
        if process.info["status"] == psutil.STATUS_ZOMBIE:
            continue  # exited, waiting to be reaped: nothing runs
        try:
            if os.getpgid(process.pid) == pgid or \
                    process.environ().get("PREFECT_HOME") == prefect_home:
                found[process.pid] = " ".join(process.info["cmdline"] or [])
        except (psutil.Error, ProcessLookupError):
            continue
    return [f"{pid} {args}" for pid, args in sorted(found.items())]
