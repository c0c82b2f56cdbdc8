"""What a command that runs flows in this process needs around them: one
Prefect API for all of them, and no process of ours left behind.

With no `PREFECT_API_URL`, Prefect starts a temporary API server the first
time a flow runs, from whichever thread runs it. `crawl --all` runs one flow
per site on threads: each started its own server, they raced for one port,
and the losers' servers outlived the command (holding the caller's stdout).
So the command starts one server before any flow, for all of them, and
stops it on every way out.

Signals: the first SIGINT, SIGTERM or SIGHUP asks every crawl we started to
stop as its deadline does (it stores the pages in hand, and its run says
`stopped`), so the flows end and report; a second one stops at once. Either
way, whatever we started is terminated before the command returns."""

from __future__ import annotations

import functools
import logging
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType
from typing import Any

import psutil

from ingest.lifetime import die_with_parent
from spiders.runner import STOPPING

from .console import err, fail

log = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
TERMINATE_GRACE_S = 10.0  # a process that ignores SIGTERM this long is killed
API_START_TIMEOUT_S = 120


class TemporaryApiFailed(RuntimeError):
    """The temporary Prefect API could not be started (said in one line)."""


@contextmanager
def flow_runtime() -> Iterator[None]:
    """Run the body's flows against one Prefect API (the configured one, else a
    temporary one for the command), stopping crawls gracefully on a signal and
    every process the command started when it ends."""
    previous_url = os.environ.get("PREFECT_API_URL")
    # Started before the handlers: a signal while it starts takes the default
    # way out (Prefect stops its server at exit; the kernel if we are killed).
    try:
        server = _start_temporary_api()
    except TemporaryApiFailed as error:
        raise fail(str(error), code=1) from None
    api_pid = server.server_process.pid if server is not None else None
    try:
        with _stop_signals(api_pid):
            yield
    finally:
        with _signals_held():  # a Ctrl-C more must not cut the cleanup short
            try:
                # Crawls and cleaners first (they may still report to the API), the API last.
                _terminate(_descendants(exclude=api_pid))
                if server is not None:
                    send_pending_logs_and_events()
            finally:
                if server is not None:
                    server.stop()
                    _restore("PREFECT_API_URL", previous_url)


def send_pending_logs_and_events() -> None:
    """What this process still holds for the API, sent while the server is up:
    after it stops, Prefect retries sending them until the process exits
    (and says "Error logging to API" as the command ends)."""
    import inspect

    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.utilities.asyncutils import run_coro_as_sync

    async def drain() -> None:  # as prefect_test_harness does it
        try:
            logs = APILogWorker.instance().drain()
            if inspect.isawaitable(logs):
                await logs
        except RuntimeError:
            pass  # no log was sent: the worker never started
        events = EventsWorker.drain_all()
        if inspect.isawaitable(events):
            await events

    run_coro_as_sync(drain())


def _start_temporary_api() -> Any:
    """A temporary Prefect API for this command, unless one is configured
    (environment or Prefect profile). Returns the server, or None."""
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        return None
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    # Prefect starts the server with a bare Popen. Ours runs it in a session of
    # its own (a terminal's Ctrl-C goes to the crawls, never to the API they
    # report to) and asks the kernel to stop it should this process die
    # without cleaning up (kill -9). No flow runs yet: swapping Popen for the
    # start alone touches no other call.
    popen = subprocess.Popen
    subprocess.Popen = functools.partial(  # type: ignore[misc,assignment]
        popen, preexec_fn=die_with_parent, start_new_session=True)
    try:
        with err.status("starting a temporary Prefect API (set PREFECT_API_URL to use a "
                        "server)"):
            # Prefect's own 20 s is short for a first start (it migrates its
            # database) on a busy machine.
            server.start(timeout=API_START_TIMEOUT_S)
    except RuntimeError as error:
        server.stop()
        raise TemporaryApiFailed(
            f"the temporary Prefect API did not start within {API_START_TIMEOUT_S} s "
            f"({str(error).splitlines()[0]}); start one with `prefect server start` and set "
            "PREFECT_API_URL") from None
    finally:
        subprocess.Popen = popen  # type: ignore[misc]
    # The environment, not a settings context: flows on other threads read it too.
    os.environ["PREFECT_API_URL"] = server.api_url
    return server


@contextmanager
def _stop_signals(api_pid: int | None) -> Iterator[None]:
    received: list[int] = []

    def on_signal(number: int, _frame: FrameType | None) -> None:
        received.append(number)
        # Before the crawls are listed: a crawl starting meanwhile sees it and
        # stops itself (spiders.runner), so none escapes both.
        STOPPING.set()  # no crawl starts, or is retried, from now on
        crawls = _descendants(exclude=api_pid, direct=True)
        if len(received) > 1 or not crawls:
            raise KeyboardInterrupt  # at once: the finally cleans up
        err.print(f"[yellow]{signal.Signals(number).name}: stopping the crawls (the pages in "
                  "hand are stored); send it again to stop at once[/]")
        _signal(crawls, signal.SIGTERM)

    with _handlers(on_signal):
        yield


@contextmanager
def _signals_held() -> Iterator[None]:
    """The stop signals ignored (the cleanup they would interrupt is running)."""
    with _handlers(signal.SIG_IGN):
        yield


@contextmanager
def _handlers(handler: Any) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only: its caller handles them
        return
    previous = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    for number in STOP_SIGNALS:
        signal.signal(number, handler)
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def _descendants(exclude: int | None = None, direct: bool = False) -> list[psutil.Process]:
    """This process's children (all descendants unless `direct`), less the
    process `exclude` and its own children."""
    try:
        children = psutil.Process().children(recursive=not direct)
    except psutil.Error:
        return []
    if exclude is None:
        return children
    spared = {exclude}
    with suppress(psutil.Error):
        spared |= {p.pid for p in psutil.Process(exclude).children(recursive=True)}
    return [p for p in children if p.pid not in spared]


def _signal(processes: list[psutil.Process], number: int) -> None:
    for process in processes:
        with suppress(psutil.Error):
            process.send_signal(number)


def _terminate(processes: list[psutil.Process]) -> None:
    """SIGTERM, then SIGKILL for what is still there after the grace period."""
    if not processes:
        return
    _signal(processes, signal.SIGTERM)
    _gone, alive = psutil.wait_procs(processes, timeout=TERMINATE_GRACE_S)
    if alive:
        log.warning("killing %d processes still running %.0f s after SIGTERM", len(alive),
                    TERMINATE_GRACE_S)
        _signal(alive, signal.SIGKILL)
        psutil.wait_procs(alive, timeout=TERMINATE_GRACE_S)


def _restore(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
