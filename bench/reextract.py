"""`archive reextract` speed: pages per second re-cleaned from WARC, with one
process and with one per core, on the same store.

    python bench/reextract.py [--articles 400]
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
from ingest.reextract import reextract  # noqa: E402
from replica import ReplicaServer, ReplicaSite  # noqa: E402
from spiders.config import CrawlConfig  # noqa: E402
from spiders.runner import run_crawl  # noqa: E402
from storage.store import ArticleStore  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=400)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/archive.db"
        with ReplicaServer(ReplicaSite(articles=args.articles)) as server:
            run_crawl(CrawlConfig(site="aawsat", base_url=server.base, db_url=db, data_dir=tmp,
                                  download_delay=0, autothrottle=False,
                                  concurrency_per_domain=16), timeout=1800)
        store = ArticleStore(db)
        results = {}
        for workers in sorted({1, cores}):
            started = time.monotonic()
            outcome = reextract(store, workers=workers)
            seconds = time.monotonic() - started
            results[workers] = {"seconds": round(seconds, 2), "pages": outcome["total"],
                                "pages_per_s": round(outcome["total"] / seconds, 1)}
    print(f"re-extraction of {args.articles} stored articles from WARC, {cores} cores")
    print(f"{'processes':>10}{'seconds':>10}{'pages/s':>10}")
    for workers, figures in results.items():
        print(f"{workers:>10}{figures['seconds']:>10}{figures['pages_per_s']:>10}")
    speedup = results[cores]["pages_per_s"] / results[1]["pages_per_s"]
    print(f"speedup with {cores} processes: {speedup:.2f}x")
    save("reextract", {"runs": results, "speedup": speedup,
                                                    "cores": cores})


if __name__ == "__main__":
    main()
