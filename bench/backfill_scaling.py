"""Backfill of the local replica with 1 and with 2 process workers:

    python bench/backfill_scaling.py [--articles 240] [--pages-per-shard 3]

A real Prefect stack (`prefect server start`, `prefect deploy --all`, process
workers, each running one shard at a time) and the replica on 127.0.0.1. The
shared politeness budget is set far above what the machine can fetch, so the
machine, not the budget, is the limit. Prints wall times and the speedup."""

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
from replica.site import CATEGORIES, PER_PAGE  # noqa: E402
from storage.store import ArticleStore  # noqa: E402
from tests.prefect_stack import deploy, prefect_server, workers  # noqa: E402


def run_backfill(env: dict[str, str], site: ReplicaServer, worker_count: int,
                 pages_per_shard: int, last_page: int, tmp: Path) -> dict[str, float]:
    db = f"sqlite:///{tmp / f'backfill-{worker_count}.db'}"
    run_env = {**env, "ARCHIVE_DB_URL": db, "ARCHIVE_DATA_DIR": str(tmp / f"w{worker_count}"),
               "ARCHIVE_DOWNLOAD_DELAY": "0", "ARCHIVE_CONCURRENCY": "8",
               "ARCHIVE_RATE_LIMIT_PER_S": "10000"}
    os.environ.update(run_env)  # the backfill flow runs here, its shards on the workers
    from flows.backfill import backfill_flow

    with workers(run_env, [f"bench-{worker_count}-{i}" for i in range(worker_count)], limit=1):
        started = time.monotonic()
        totals = backfill_flow(categories=list(CATEGORIES), first_page=1, last_page=last_page,
                               pages_per_shard=pages_per_shard, site="aawsat",
                               base_url=site.base, poll_s=0.5)
        seconds = time.monotonic() - started
    assert isinstance(totals, dict), totals
    stored = ArticleStore(db).stats()["articles"]
    return {"workers": worker_count, "seconds": round(seconds, 1), "articles": stored,
            "shards": totals["shards"], "pages_fetched": totals["pages_fetched"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=240)
    parser.add_argument("--pages-per-shard", type=int, default=3)
    args = parser.parse_args()
    site_model = ReplicaSite(articles=args.articles)
    listings = site_model.listings()
    last_page = max(-(-len(listings[f"/category/{slug}"]) // PER_PAGE) for slug in CATEGORIES)
    with tempfile.TemporaryDirectory() as scratch, ReplicaServer(site_model) as site, \
            prefect_server(Path(scratch) / "prefect") as env:
        os.environ.update({k: v for k, v in env.items() if k.startswith("PREFECT_")})
        os.environ["ARCHIVE_HOME"] = env["ARCHIVE_HOME"]
        deploy(env)
        results = [run_backfill(env, site, n, args.pages_per_shard, last_page, Path(scratch))
                   for n in (1, 2)]
    print(f"replica: {args.articles} articles, {len(CATEGORIES)} categories x {last_page} "
          f"listing pages, shards of {args.pages_per_shard} pages; {os.cpu_count()} cores")
    print(f"{'workers':>8}{'seconds':>10}{'articles':>10}{'shards':>8}{'pages':>8}")
    for r in results:
        print(f"{r['workers']:>8}{r['seconds']:>10}{r['articles']:>10}{r['shards']:>8}"
              f"{r['pages_fetched']:>8}")
    speedup = results[0]["seconds"] / results[1]["seconds"]
    print(f"speedup with 2 workers: {speedup:.2f}x")
    save("backfill_scaling",
        {"runs": results, "speedup": speedup, "cores": os.cpu_count()})


if __name__ == "__main__":
    main()
