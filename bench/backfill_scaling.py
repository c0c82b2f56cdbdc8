"""Backfill of the local replica with 1 and with 2 process workers, into
SQLite and into PostgreSQL:

    python bench/backfill_scaling.py [--articles 240] [--pages-per-shard 3]
        [--repeat 3] [--databases sqlite,postgresql] [--pg postgresql://root@127.0.0.1/test]

A real Prefect stack (`prefect server start`, `prefect deploy --all`, process
workers, each running one shard at a time) and the replica on 127.0.0.1. The
shared politeness budget is set far above what the machine can fetch, so the
machine, not the budget, is the limit. Each run starts from an empty store
(a scratch database on the PostgreSQL server). Prints, per database, the
median wall time of `--repeat` runs with 1 and with 2 workers, the speedup,
that every shard ran once and no article was stored twice, and the store's
share of the shards' crawl time (the crawls' writer threads in store calls)."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

# The repo root, not bench/ (whose incremental.py would shadow Twisted's `incremental`).
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import save, scratch_postgres  # noqa: E402
from replica import ReplicaServer, ReplicaSite  # noqa: E402
from replica.site import CATEGORIES, PER_PAGE  # noqa: E402
from storage.store import ArticleStore  # noqa: E402
from tests.prefect_stack import deploy, prefect_server, workers  # noqa: E402


def scratch_database(stack: ExitStack, kind: str, pg_url: str, tmp: Path, name: str) -> str:
    """An empty store for one run (a PostgreSQL one dropped when the bench ends)."""
    if kind == "sqlite":
        return f"sqlite:///{tmp / f'{name}.db'}"
    return stack.enter_context(scratch_postgres(pg_url))


def run_backfill(env: dict[str, str], site: ReplicaServer, worker_count: int,
                 pages_per_shard: int, last_page: int, tmp: Path, db: str
                 ) -> dict[str, Any]:
    data_dir = tmp / f"w{worker_count}-{time.monotonic_ns()}"
    run_env = {**env, "ARCHIVE_DB_URL": db, "ARCHIVE_DATA_DIR": str(data_dir),
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
    store = ArticleStore(db)
    figures = store.stats()
    shard_rows = store.runs(10_000)  # one crawl run per shard (a retried shard: more)
    crawl_s = sum(float((r["stats"] or {}).get("crawl_s", 0)) for r in shard_rows)
    write_s = sum(float((r["stats"] or {}).get("store_write_s", 0)) for r in shard_rows)
    store.close()
    return {"workers": worker_count, "seconds": round(seconds, 1),
            "articles": figures["articles"], "revisions": figures["revisions"],
            "shards": totals["shards"], "shards_run": len(shard_rows),
            "pages_fetched": totals["pages_fetched"],
            "store_share": round(write_s / crawl_s, 3) if crawl_s else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=240)
    parser.add_argument("--pages-per-shard", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--pg", default=os.environ.get("ARCHIVE_TEST_PG_URL",
                                                       "postgresql://root@127.0.0.1:5432/test"))
    args = parser.parse_args()
    site_model = ReplicaSite(articles=args.articles)
    listings = site_model.listings()
    last_page = max(-(-len(listings[f"/category/{slug}"]) // PER_PAGE) for slug in CATEGORIES)
    expected = len(site_model.public_articles())
    report: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as scratch, ReplicaServer(site_model) as site, \
            prefect_server(Path(scratch) / "prefect") as env, ExitStack() as databases:
        os.environ.update({k: v for k, v in env.items() if k.startswith("PREFECT_")})
        os.environ["ARCHIVE_HOME"] = env["ARCHIVE_HOME"]
        deploy(env)
        for kind in args.databases.split(","):
            runs = [run_backfill(env, site, n, args.pages_per_shard, last_page, Path(scratch),
                                 scratch_database(databases, kind, args.pg, Path(scratch),
                                                  f"bench_backfill_{n}_{i}"))
                    for i in range(args.repeat) for n in (1, 2)]
            for run in runs:  # every shard once, no article twice, none missed
                assert run["shards_run"] == run["shards"], run
                assert run["articles"] == run["revisions"] == expected, (run, expected)
            medians = {n: statistics.median(r["seconds"] for r in runs if r["workers"] == n)
                       for n in (1, 2)}
            report[kind] = {"runs": runs, "median_s": medians,
                            "speedup": round(medians[1] / medians[2], 2),
                            "store_share": statistics.median(r["store_share"] for r in runs)}
    print(f"replica: {args.articles} articles ({expected} public), {len(CATEGORIES)} categories "
          f"x {last_page} listing pages, shards of {args.pages_per_shard} pages; "
          f"{os.cpu_count()} cores; median of {args.repeat} runs")
    print(f"{'store':>11}{'workers':>8}{'median s':>10}{'articles':>10}{'duplicates':>11}"
          f"{'shards once':>12}{'store share':>12}")
    for kind, figures in report.items():
        for n in (1, 2):
            mine = [r for r in figures["runs"] if r["workers"] == n]  # type: ignore[attr-defined]
            print(f"{kind:>11}{n:>8}{figures['median_s'][n]:>10.1f}"  # type: ignore[index]
                  f"{mine[0]['articles']:>10}{mine[0]['revisions'] - mine[0]['articles']:>11}"
                  f"{'yes':>12}{statistics.median(r['store_share'] for r in mine):>12.1%}")
        print(f"{kind:>11} speedup with 2 workers over 1: {figures['speedup']:.2f}x")
    save("backfill_scaling", {"report": report, "cores": os.cpu_count()})


if __name__ == "__main__":
    main()
