"""Run one crawl in a child process and bring back its summary and outcome.
The lifecycle (deadline, SIGTERM, grace, SIGKILL) is docs/crawl-lifecycle.md."""

from __future__ import annotations

import errno
import functools
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from ingest.lifetime import die_with_parent
from storage.config import redact
from storage.store import ArticleStore

from .config import CrawlConfig
from .outcome import judge
from .summary import CrawlSummary, RunOutcome

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
# Seconds between SIGTERM and SIGKILL: time to store the pages in hand and flush.
DEFAULT_GRACE_S = 30.0
# What the kernel sends a crawl child when our process dies: neither SIGTERM
# (the stop we send, and record, ourselves) nor a terminal's signal.
PARENT_DEATH_SIGNAL = signal.SIGUSR1


class CrawlFailed(RuntimeError):
    """A crawl that could not run to a judged end. `retryable`: a crashed child
    (worth another attempt); a timeout or a bad setup is not."""

    def __init__(self, message: str, cause: str, retryable: bool = False,
                 summary: CrawlSummary | None = None) -> None:
        super().__init__(message)
        self.cause = cause
        self.retryable = retryable
        self.summary = summary


ProgressCallback = Callable[[int, int], None]  # (pages fetched, requests waiting)
LogSink = Callable[[str], None]


def grace_seconds() -> float:
    try:
        return max(1.0, float(os.environ.get("ARCHIVE_STOP_GRACE_S", DEFAULT_GRACE_S)))
    except ValueError:
        return DEFAULT_GRACE_S


def prepare_data_dir(config: CrawlConfig) -> Path:
    """The folder for the run's log (and WARC files), made and checked writable
    before the run is recorded: a run row is never left `running` by a bad path."""
    logs = logs_folder(config)
    try:
        logs.mkdir(parents=True, exist_ok=True)
        config.warc_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=logs, prefix=".probe-"):
            pass
    except OSError as error:
        cause = "disk_full" if error.errno == errno.ENOSPC else "store_error"
        raise CrawlFailed(f"the data folder {config.data_dir} cannot be written: "
                          f"{error.strerror or error}", cause) from None
    return logs


def logs_folder(config: CrawlConfig) -> Path:
    return Path(config.data_dir) / "logs"


def run_log_path(config: CrawlConfig, run_id: int) -> Path:
    """Where a run's log goes (written by the runner, or by an orphaned child)."""
    return logs_folder(config) / f"crawl-{run_id}.log"


def run_params(config: CrawlConfig) -> dict[str, Any]:
    """The parameters kept with the run: no secret (database and Redis URLs are
    the environment's, and shown redacted if at all)."""
    params = config.model_dump(mode="json", exclude={"db_url"})
    if params.get("redis_url"):
        params["redis_url"] = redact(params["redis_url"])
    return params


# Set when the command running the crawls was asked to stop (archive_cli's
# flow_runtime): no crawl starts after it, and a crawl that dies on the stop
# signal before Scrapy could handle it was stopped, not crashed (never retried).
STOPPING = threading.Event()


def run_crawl(config: CrawlConfig, timeout: float | None = None,
              store: ArticleStore | None = None, progress: ProgressCallback | None = None,
              log_sink: LogSink | None = None,
              on_child: Callable[[subprocess.Popen[str]], None] | None = None
              ) -> CrawlSummary:
    """Crawl in a fresh process (a fresh reactor every time); return the summary,
    whose `outcome` is the run's judged outcome (docs/outcomes.md).

    The run is recorded in the store with its parameters and statistics; its
    log goes to `<data_dir>/logs/crawl-<run>.log` and, line by line, to
    `log_sink`. At `timeout` the child is asked to stop (SIGTERM: pages in hand
    are stored), then killed after the grace period. A child that dies raises
    `CrawlFailed` (retryable)."""
    if timeout is not None and timeout <= 0:
        raise CrawlFailed(f"the timeout must be positive, not {timeout}", "timeout")
    if STOPPING.is_set():
        raise CrawlFailed("the crawl was not started: the command was asked to stop",
                          "stopped")
    prepare_data_dir(config)
    owned = store is None  # opened here: closed here (its pool held no longer than the crawl)
    store = store or ArticleStore(config.db_url)
    try:
        return _crawl_into(store, config, timeout, progress, log_sink, on_child)
    finally:
        if owned:
            store.close()


def _crawl_into(store: ArticleStore, config: CrawlConfig, timeout: float | None,
                progress: ProgressCallback | None, log_sink: LogSink | None,
                on_child: Callable[[subprocess.Popen[str]], None] | None) -> CrawlSummary:
    run_id = store.start_run(run_params(config))
    log_file = run_log_path(config, run_id)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crawl-") as tmp:
        paths = {name: Path(tmp) / f"{name}.json" for name in ("config", "stats", "progress")}
        paths["config"].write_text(config.model_dump_json())
        command = [sys.executable, "-m", "spiders.child", str(paths["config"]),
                   str(paths["stats"]), str(run_id), str(paths["progress"])]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
        log_stream = open_log(log_file)
        child = subprocess.Popen(
            command, env=env, stderr=subprocess.PIPE, text=True, errors="replace",
            preexec_fn=functools.partial(die_with_parent, death_signal=PARENT_DEATH_SIGNAL))
        if STOPPING.is_set():
            # The stop came while this child was starting, after the stop
            # signal's handler listed the crawls (it sets STOPPING first, so
            # one of the two always reaches the child): it stops as they do.
            child.send_signal(signal.SIGTERM)
        if on_child is not None:
            on_child(child)
        pump = LogPump(child, log_stream, log_sink)
        pump.start()
        returncode, timed_out = _wait(child, started, timeout, paths["progress"], progress)
        pump.join(timeout=30)
        pump.close()
        raw = _read_stats(paths["stats"])
    summary = CrawlSummary.from_scrapy_stats(raw, time.monotonic() - started)
    summary.run_id, summary.log_file, summary.base_url = run_id, str(log_file), config.base_url
    fatal = raw.get("fatal")
    if pump.disk_full and not fatal:
        fatal = {"cause": "disk_full", "detail": "no space left to write the crawl log"}
    if fatal:
        outcome = RunOutcome("failed", fatal["cause"], fatal["detail"])
    elif timed_out:
        outcome = RunOutcome("failed", "timeout",
                             f"the crawl passed its {timeout:.0f} s limit and was stopped "
                             f"({summary.articles_new} new articles stored before it)")
    elif STOPPING.is_set() and not raw.get("finish_reason"):  # stopped while it started
        outcome = RunOutcome("failed", "stopped",
                             "the crawl was stopped by a signal before it finished")
    elif returncode != 0 or not raw.get("finish_reason"):
        outcome = RunOutcome("failed", "crashed",
                             f"the crawl process exited with {returncode} (log: {log_file})")
    elif raw["finish_reason"] == "shutdown":  # a SIGTERM that was not our deadline's
        outcome = RunOutcome("failed", "stopped",
                             "the crawl was stopped by a signal before it finished")
    else:
        outcome = judge(summary, config.fallback_alarm, config.quarantine_alarm)
    summary.outcome = outcome
    store.finish_run(run_id, outcome.state, summary.as_record())
    if outcome.cause == "crashed":
        raise CrawlFailed(f"crawl run {run_id}: {outcome.message}", "crashed", retryable=True,
                          summary=summary)
    return summary


def open_log(path: Path) -> IO[str]:
    try:
        # Line-buffered: a full disk shows on the line that does not fit, not at close.
        return path.open("w", encoding="utf-8", buffering=1)
    except OSError as error:
        raise CrawlFailed(f"cannot write the crawl log {path}: {error.strerror}",
                          "disk_full" if error.errno == errno.ENOSPC else "store_error") from None


class LogPump(threading.Thread):
    """Copies the child's stderr to the log file and the sink. It never stops
    reading while the child lives (a child blocked on a full pipe would hang
    the run), even when the log can no longer be written."""

    def __init__(self, child: subprocess.Popen[str], stream: IO[str],
                 sink: LogSink | None) -> None:
        super().__init__(daemon=True)
        self.child = child
        self.stream: IO[str] | None = stream
        self.sink = sink
        self.disk_full = False

    def run(self) -> None:
        assert self.child.stderr is not None
        for line in self.child.stderr:
            if self.stream is not None:
                try:
                    self.stream.write(line)
                except OSError as error:
                    self.disk_full = error.errno == errno.ENOSPC
                    self.stream = None  # keep draining; the sink still gets the lines
            if self.sink is not None:
                try:
                    self.sink(line.rstrip("\n"))
                except Exception:  # noqa: BLE001 - a sink's failure must not block the child
                    self.sink = None

    def close(self) -> None:
        if self.stream is not None:
            try:
                self.stream.close()
            except OSError as error:
                self.disk_full = self.disk_full or error.errno == errno.ENOSPC


def _read_stats(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text()) if path.exists() else {}
    except (OSError, ValueError):
        return {}


def _wait(child: subprocess.Popen[str], started: float, timeout: float | None,
          progress_file: Path, progress: ProgressCallback | None) -> tuple[int, bool]:
    """(the child's exit code, whether it was stopped at the deadline)."""
    stop_sent: float | None = None
    while True:
        try:
            return child.wait(timeout=1.0), stop_sent is not None
        except subprocess.TimeoutExpired:
            pass
        if progress is not None and progress_file.exists():
            try:
                snapshot = json.loads(progress_file.read_text())
                progress(int(snapshot["fetched"]), int(snapshot["pending"]))
            except (ValueError, KeyError, OSError):
                pass  # being rewritten: next second
        now = time.monotonic()
        if timeout is not None and stop_sent is None and now - started > timeout:
            log.warning("crawl past its %.0f s limit: asking it to stop", timeout)
            child.send_signal(signal.SIGTERM)  # Scrapy closes the spider and flushes
            stop_sent = now
        elif stop_sent is not None and now - stop_sent > grace_seconds():
            log.error("crawl still running %.0f s after SIGTERM: killed", grace_seconds())
            child.kill()
            return child.wait(), True
