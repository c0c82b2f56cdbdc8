"""The cost of an incremental run with nothing new, against the full crawl
that came before it: requests and wall time as fractions, and the fixed
start-up cost (a crawl with nothing to fetch) inside that time.

    python bench/incremental.py [--articles 1000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

# The repo root, not bench/ (whose incremental.py would shadow Twisted's `incremental`).
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import save  # noqa: E402
from replica import ReplicaServer, ReplicaSite  # noqa: E402
from spiders.config import CrawlConfig  # noqa: E402
from spiders.runner import run_crawl  # noqa: E402
from spiders.summary import CrawlSummary  # noqa: E402


def timed(config: CrawlConfig) -> tuple[CrawlSummary, float]:
    started = time.monotonic()
    summary = run_crawl(config, timeout=3600)
    return summary, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            ReplicaServer(ReplicaSite(articles=args.articles, extra_sections={
                "features": "Features", "culture-arts": "Culture & Arts"})) as server:
        # Two sections no code names and no menu lists: discovery must find them.
        base = {"site": "aawsat", "base_url": server.base, "db_url": f"sqlite:///{tmp}/a.db",
                "data_dir": tmp, "download_delay": 0, "autothrottle": False,
                "concurrency_per_domain": 16}
        full, full_s = timed(CrawlConfig(**base, mode="full"))
        quiet, quiet_s = timed(CrawlConfig(**base))
        # Start-up alone: a crawl of one URL that is already stored (robots.txt + 1 page).
        stored_url = f"{server.base}{server.site.public_articles()[0].post.path}"
        idle, idle_s = timed(CrawlConfig(**base, urls=[stored_url]))
    stored = full.articles_new
    assert stored == len(server.site.public_articles()), (stored, "articles missed")
    figures = {
        "articles": args.articles, "cores": os.cpu_count(),
        "full_requests": full.requests, "full_s": round(full_s, 2),
        "incremental_requests": quiet.requests, "incremental_s": round(quiet_s, 2),
        "requests_fraction": round(quiet.requests / full.requests, 4),
        "time_fraction": round(quiet_s / full_s, 4),
        "startup_s": round(idle_s, 2), "startup_requests": idle.requests,
    }
    print(f"replica of {args.articles} articles, {os.cpu_count()} cores")
    print(f"full crawl:        {full.requests:>6} requests  {full_s:7.2f} s")
    print(f"incremental, idle: {quiet.requests:>6} requests  {quiet_s:7.2f} s")
    print(f"fractions:         requests {figures['requests_fraction']:.2%}  "
          f"time {figures['time_fraction']:.2%}")
    print(f"fixed start-up (a crawl with one request): {idle_s:.2f} s of the "
          f"{quiet_s:.2f} s incremental run")
    save("incremental", figures)


if __name__ == "__main__":
    main()
