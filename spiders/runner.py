"""Run one crawl in a child process and bring back its statistics."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from storage.store import ArticleStore
from storage.warc import prune

from .config import CrawlConfig

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent


class CrawlFailed(RuntimeError):
    pass


def run_crawl(config: CrawlConfig, timeout: float | None = None,
              store: ArticleStore | None = None) -> dict[str, Any]:
    """Crawl in a fresh process (a fresh reactor every time); return the summary.

    The run is recorded in the store with its parameters and statistics; a
    child that crashes or runs past `timeout` fails the run and raises."""
    store = store or ArticleStore(config.db_url)
    if config.warc_retention_days:
        for path in prune(config.warc_dir, config.warc_retention_days):
            log.info("retention: deleted %s", path)
    run_id = store.start_run(config.model_dump(mode="json", exclude={"db_url"}))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crawl-") as tmp:
        config_path, stats_path = Path(tmp) / "config.json", Path(tmp) / "stats.json"
        config_path.write_text(config.model_dump_json())
        command = [sys.executable, "-m", "spiders.child", str(config_path), str(stats_path),
                   str(run_id)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
        try:
            completed = subprocess.run(command, env=env, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            store.finish_run(run_id, "timed_out", {"timeout_s": timeout})
            raise CrawlFailed(f"crawl run {run_id} passed its {timeout:.0f} s limit") from None
        raw = json.loads(stats_path.read_text()) if stats_path.exists() else {}
    summary = summarise(raw, time.monotonic() - started)
    summary["run_id"] = run_id
    summary["log_file"] = str(Path(config.data_dir) / "logs" / f"crawl-{run_id}.log")
    if completed.returncode != 0 or not raw.get("finish_reason"):
        store.finish_run(run_id, "crashed", summary)
        raise CrawlFailed(f"crawl run {run_id}: the crawl process exited with "
                          f"{completed.returncode}")
    store.finish_run(run_id, "completed", summary)
    return summary


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
        "extractors": pipeline.get("extractors", {}),
        "fallbacks": pipeline.get("fallbacks", 0),
        "missing_dates": pipeline.get("missing_dates", 0),
        "finish_reason": stats.get("finish_reason"),
        "duration_s": round(wall_seconds, 2),
        "pages_per_s": round(fetched / wall_seconds, 2) if wall_seconds else 0.0,
    }
