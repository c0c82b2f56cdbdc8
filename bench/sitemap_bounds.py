"""The sitemap bounds at their defaults (docs/sites.md): a generic crawl of
the newsroom by its links alone (the baseline, measured in the same run),
the same site behind an endless chain of sitemap indexes, and behind one
index of 250,000 children. Wall time, requests, sitemaps asked for, what the
bounds left out, articles stored, and the peak memory of the crawl's processes.

    python bench/sitemap_bounds.py [--children 250000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import save  # noqa: E402
from bench.crawl_throughput import ProcessTree  # noqa: E402
from replica import ReplicaServer  # noqa: E402
from spiders.config import CrawlConfig  # noqa: E402
from spiders.runner import run_crawl  # noqa: E402
from tests.test_hostile_discovery import (  # noqa: E402
    SourcesSite,
    endless_chain,
    index_of_children,
)

Sources = Callable[[str, str], Any]


def no_sitemap(path: str, base: str) -> Any:
    return None


def crawl(sources: Sources, tmp: Path) -> dict[str, Any]:
    site = SourcesSite(sources)
    memory = ProcessTree()
    with ReplicaServer(site) as server:  # type: ignore[arg-type]
        config = CrawlConfig(site="generic", base_url=server.base,
                             db_url=f"sqlite:///{tmp / 'a.db'}", data_dir=str(tmp),
                             download_delay=0, autothrottle=False, concurrency_per_domain=8)
        started = time.monotonic()
        summary = run_crawl(config, timeout=3600, on_child=lambda c: memory.watch(c.pid))
        seconds = time.monotonic() - started
        sitemaps = sum(1 for r in server.requests if r.endswith(".xml"))
    return {"seconds": round(seconds, 1), "requests": summary.requests,
            "sitemaps_fetched": sitemaps, "left_out": summary.discovery_bounds,
            "articles_stored": summary.articles_new, "articles": len(site.articles),
            "outcome": summary.outcome_label, **memory.stop()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=250_000)
    args = parser.parse_args()
    cases = {"baseline (links only)": no_sitemap, "endless chain of indexes": endless_chain,
             f"index of {args.children:,} children": index_of_children(args.children)}
    figures: dict[str, Any] = {}
    for name, sources in cases.items():
        with tempfile.TemporaryDirectory() as tmp:
            figures[name] = crawl(sources, Path(tmp))
        row = figures[name]
        print(f"{name:32} {row['seconds']:7.1f} s  {row['requests']:6} requests  "
              f"{row['sitemaps_fetched']:5} sitemaps  stored {row['articles_stored']}/"
              f"{row['articles']}  peak {row['peak_rss_mb']} MB  left out {row['left_out']}")
    save("sitemap_bounds", {"bounds": {"max_sitemaps": 2000, "max_sitemap_depth": 3,
                                       "max_sitemap_urls": 50_000}, **figures})


if __name__ == "__main__":
    main()
