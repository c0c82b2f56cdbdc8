"""The tests' own helpers (tests/support.py) do what the tests count on."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests import support
from tests.support import (
    WaitTimeout,
    candidate_ports,
    config_for,
    http_get,
    join,
    listens_on,
    require_service,
    start_on_free_port,
    stop_process,
    wait_until,
)


def test_wait_until_returns_the_conditions_value_as_soon_as_it_is_true():
    calls = []

    def third_time() -> str | None:
        calls.append(1)
        return "ready" if len(calls) == 3 else None

    started = time.monotonic()
    assert wait_until(third_time, 5, "the third call") == "ready"
    assert len(calls) == 3 and time.monotonic() - started < 1  # quick first polls


def test_wait_until_fails_with_what_it_waited_for_and_the_details():
    with pytest.raises(WaitTimeout, match=r"timed out after 0.2 s waiting for the moon\n"
                                          r"log: nothing yet"):
        wait_until(lambda: False, 0.2, "the moon", details=lambda: "log: nothing yet")


def test_join_fails_when_the_thread_is_still_running():
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    with pytest.raises(WaitTimeout, match="the sleeper was still running"):
        join(thread, 0.05, "the sleeper")
    release.set()
    join(thread, 5, "the sleeper")


@pytest.mark.integration
def test_stop_process_kills_what_ignores_sigterm():
    process = subprocess.Popen([sys.executable, "-c", (
        "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(60)")], stdout=subprocess.PIPE, text=True)
    assert process.stdout and process.stdout.readline().strip() == "ready"
    assert stop_process(process, timeout=0.5) == -9


def test_a_missing_service_skips_locally(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    require_service(True, "PostgreSQL")  # there: nothing happens
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL is not available: refused"):
        require_service(False, "PostgreSQL", "refused")


def test_a_missing_service_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    require_service(True, "Redis")
    with pytest.raises(pytest.fail.Exception, match="CI must run this test .* Redis is not"):
        require_service(False, "Redis")


def test_candidate_ports_are_below_the_kernels_ephemeral_range():
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    ports = candidate_ports(50)
    assert len(set(ports)) == 50
    assert all(10000 <= port < low for port in ports)


def test_config_for_a_replica_crawl(tmp_path):
    config = config_for("http://127.0.0.1:9/", tmp_path, store_batch=3)
    assert config.base_url == "http://127.0.0.1:9" and config.site == "aawsat"
    assert config.db_url == f"sqlite:///{tmp_path / 'a.db'}"
    assert config.data_dir == str(tmp_path) and config.store_batch == 3
    assert config.download_delay == 0 and not config.autothrottle
    other = config_for("http://h", tmp_path, "sqlite:////x.db", concurrency_per_domain=2)
    assert other.db_url == "sqlite:////x.db" and other.concurrency_per_domain == 2


@pytest.mark.integration
def test_a_server_that_cannot_bind_its_port_is_started_on_another(monkeypatch, tmp_path):
    with socket.socket() as held:  # another program's port
        held.bind(("127.0.0.1", 0))
        held.listen()
        taken = held.getsockname()[1]
        monkeypatch.setattr(support, "candidate_ports", lambda count: [taken, *(
            p for p in candidate_ports(count) if p != taken)])
        started: list[int] = []

        def start(port: int) -> subprocess.Popen[bytes]:
            started.append(port)
            return subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                                     "127.0.0.1", "--directory", str(tmp_path)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        process, port = start_on_free_port(
            start, lambda port: http_get(f"http://127.0.0.1:{port}/") is not None,
            "http.server", timeout=60)
        try:
            assert started[0] == taken and port == started[-1] != taken
            assert listens_on(process.pid, port) and not listens_on(process.pid, taken)
        finally:
            stop_process(process)
