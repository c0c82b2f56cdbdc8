"""Run one crawl in a child process and bring back its statistics."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from storage.store import ArticleStore
from storage.warc import prune

from .config import CrawlConfig
from .lifetime import die_with_parent

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent


class CrawlFailed(RuntimeError):
    pass


ProgressCallback = Callable[[int, int], None]  # (pages fetched, requests waiting)
LogSink = Callable[[str], None]


def run_crawl(config: CrawlConfig, timeout: float | None = None,
              store: ArticleStore | None = None, progress: ProgressCallback | None = None,
              log_sink: LogSink | None = None,
              on_child: Callable[[subprocess.Popen[str]], None] | None = None
              ) -> dict[str, Any]:
    """Crawl in a fresh process (a fresh reactor every time); return the summary.

    The run is recorded in the store with its parameters and statistics; its
    log goes to `<data_dir>/logs/crawl-<run>.log` and, line by line, to
    `log_sink`. A child that crashes or runs past `timeout` fails the run and
    raises `CrawlFailed`."""
    store = store or ArticleStore(config.db_url)
    if config.warc_retention_days:
        for path in prune(config.warc_dir, config.warc_retention_days):
            log.info("retention: deleted %s", path)
    run_id = store.start_run(config.model_dump(mode="json", exclude={"db_url"}))
    log_file = Path(config.data_dir) / "logs" / f"crawl-{run_id}.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crawl-") as tmp:
        paths = {name: Path(tmp) / f"{name}.json" for name in ("config", "stats", "progress")}
        paths["config"].write_text(config.model_dump_json())
        command = [sys.executable, "-m", "spiders.child", str(paths["config"]),
                   str(paths["stats"]), str(run_id), str(paths["progress"])]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
        with log_file.open("w", encoding="utf-8") as log_stream:
            child = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True,
                                     errors="replace", preexec_fn=die_with_parent)
            if on_child is not None:
                on_child(child)
            reader = threading.Thread(target=_pump, args=(child, log_stream, log_sink),
                                      daemon=True)
            reader.start()
            returncode = _wait(child, started, timeout, paths["progress"], progress)
            reader.join(timeout=10)
        if returncode is None:
            store.finish_run(run_id, "timed_out", {"timeout_s": timeout})
            raise CrawlFailed(f"crawl run {run_id} passed its {timeout:.0f} s limit and was "
                              f"stopped (log: {log_file})")
        raw = json.loads(paths["stats"].read_text()) if paths["stats"].exists() else {}
    summary = summarise(raw, time.monotonic() - started)
    summary["run_id"] = run_id
    summary["log_file"] = str(log_file)
    if returncode != 0 or not raw.get("finish_reason"):
        store.finish_run(run_id, "crashed", summary)
        raise CrawlFailed(f"crawl run {run_id}: the crawl process exited with {returncode} "
                          f"(log: {log_file})")
    store.finish_run(run_id, "completed", summary)
    return summary


def _pump(child: subprocess.Popen[str], log_stream: Any, sink: LogSink | None) -> None:
    assert child.stderr is not None
    for line in child.stderr:
        log_stream.write(line)
        if sink is not None:
            sink(line.rstrip("\n"))


def _wait(child: subprocess.Popen[str], started: float, timeout: float | None,
          progress_file: Path, progress: ProgressCallback | None) -> int | None:
    """The child's exit code, or None once it was killed for running too long."""
    while True:
        try:
            return child.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            pass
        if progress is not None and progress_file.exists():
            try:
                snapshot = json.loads(progress_file.read_text())
                progress(int(snapshot["fetched"]), int(snapshot["pending"]))
            except (ValueError, KeyError, OSError):
                pass  # being rewritten: next second
        if timeout is not None and time.monotonic() - started > timeout:
            child.kill()
            child.wait()
            return None


def summarise(stats: dict[str, Any], wall_seconds: float) -> dict[str, Any]:
    pipeline = stats.get("pipeline", {}) or {}
    failures = Counter({key.split("/", 1)[1]: value for key, value in stats.items()
                        if key.startswith("failures/")})
    fetched = int(stats.get("downloader/response_count", 0))
    return {
        "pages_fetched": fetched,
        "requests": int(stats.get("downloader/request_count", 0)),
        "listing_pages": int(stats.get("listing/pages", 0)),
        "articles_new": pipeline.get("articles_new", 0),
        "articles_updated": pipeline.get("articles_updated", 0),
        "articles_unchanged": pipeline.get("articles_unchanged", 0),
        "articles_not_modified": int(stats.get("articles/not_modified", 0)),
        "articles_gone": int(stats.get("articles/gone", 0)),
        "quarantined": pipeline.get("quarantined", {}),
        "failures": dict(failures),
        "retries": int(stats.get("retry/count", 0)),
        "robots_disallowed": int(stats.get("robotstxt/forbidden", 0)),
        "offsite_filtered": int(stats.get("offsite/filtered", 0)),
        "refused_links": int(stats.get("refused/links", 0)),
        "extractors": pipeline.get("extractors", {}),
        "fallbacks": pipeline.get("fallbacks", 0),
        "missing_dates": pipeline.get("missing_dates", 0),
        "finish_reason": stats.get("finish_reason"),
        "duration_s": round(wall_seconds, 2),
        "crawl_s": round(float(stats.get("elapsed_time_seconds", 0.0)), 2),  # inside Scrapy
        "pages_per_s": round(fetched / wall_seconds, 2) if wall_seconds else 0.0,
    }
