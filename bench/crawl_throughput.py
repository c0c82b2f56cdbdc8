"""Crawl throughput and memory: our whole pipeline (fetch, WARC, clean, store)
against (a) a bare Scrapy spider fetching the same pages and (b) a bare
one-core BeautifulSoup parse of them, on a large replica in the archive's
markup (60-120 KB pages rendered on demand by a fast local server); and the
peak memory of the crawl's processes at each size.

The pipeline runs once into SQLite and once into PostgreSQL (a scratch
database made at --pg and dropped after), each against the same run's (a).
For each, the store's share of the crawl: the seconds the crawl's writer
thread spent in store calls over the crawl's seconds (and the same for the
read pool, summed over its threads), as the crawl itself counts them.

    python bench/crawl_throughput.py [--sizes 5000 50000] [--concurrency 16]
        [--pg postgresql://root@127.0.0.1:5432/test | --pg none]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any

import psutil
from bs4 import BeautifulSoup

# The repo root, not bench/ (whose incremental.py would shadow Twisted's `incremental`).
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import save, scratch_postgres  # noqa: E402
from replica.large import CATEGORY_SLUGS, LargeReplicaServer, LargeSite  # noqa: E402
from sites import extract_article  # noqa: E402
from spiders.config import CrawlConfig  # noqa: E402
from spiders.runner import run_crawl  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


class ProcessTree:
    """Samples a process and all its descendants (the crawl and its cleaning
    workers) until stopped: peak resident memory, and CPU seconds spent by
    the process itself and by its descendants (as last seen, every 0.2 s)."""

    def __init__(self, interval_s: float = 0.2) -> None:
        self.interval_s = interval_s
        self.pid: int | None = None
        self.peak_total = 0  # bytes: the whole process tree at once
        self.peak_main = 0  # bytes: the crawl process alone
        self.cpu: dict[int, float] = {}  # pid -> user + system seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def watch(self, pid: int) -> None:
        self.pid = pid
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                main = psutil.Process(self.pid)
                tree = [main, *main.children(recursive=True)]
                rss = [p.memory_info().rss for p in tree]
                for process in tree:
                    times = process.cpu_times()
                    self.cpu[process.pid] = times.user + times.system
                self.peak_main = max(self.peak_main, rss[0])
                self.peak_total = max(self.peak_total, sum(rss))
            except psutil.Error:
                pass  # a process exiting between the listing and the reading
            self._stop.wait(self.interval_s)

    def stop(self) -> dict[str, float]:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        main_cpu = self.cpu.get(self.pid or -1, 0.0)
        return {"peak_rss_mb": round(self.peak_total / MB, 1),
                "peak_rss_crawl_process_mb": round(self.peak_main / MB, 1),
                "cpu_s_crawl_process": round(main_cpu, 1),
                "cpu_s_workers": round(sum(self.cpu.values()) - main_cpu, 1)}


def server_cpu_s(server: LargeReplicaServer) -> float:
    assert server.process is not None
    times = psutil.Process(server.process.pid).cpu_times()
    return times.user + times.system


def bare_scrapy(base: str, concurrency: int, tmp: Path) -> dict[str, Any]:
    stats_file = tmp / "bare-stats.json"
    memory = ProcessTree()
    process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "bare_spider.py"), base,
                                str(stats_file), "--concurrency", str(concurrency)])
    memory.watch(process.pid)
    process.wait()
    stats = json.loads(stats_file.read_text())
    return _rate(int(stats["downloader/response_count"]),
                 float(stats["elapsed_time_seconds"])) | memory.stop()


def pipeline(base: str, concurrency: int, tmp: Path, workers: int,
             db_url: str | None = None, label: str = "sqlite") -> dict[str, Any]:
    memory = ProcessTree()
    # The sections the bare spider walks: the large replica has no home page
    # to discover them from (without them the crawl stops at its 404).
    config = CrawlConfig(site="aawsat", base_url=base, mode="full", categories=CATEGORY_SLUGS,
                         db_url=db_url or f"sqlite:///{tmp}/archive-{workers}.db",
                         data_dir=str(tmp / f"data-{label}-{workers}"), download_delay=0,
                         autothrottle=False, concurrency_per_domain=concurrency,
                         clean_workers=workers, store_batch=100)
    summary = run_crawl(config, timeout=7200, on_child=lambda child: memory.watch(child.pid))
    seconds = summary.crawl_s
    # Absent from a crawl that predates the writer thread (the figures are 0 then).
    write_s, read_s = summary.store_write_s, summary.store_read_s
    return _rate(summary.pages_fetched, seconds) | memory.stop() | {
        "articles_stored": summary.articles_new, "failures": summary.failures,
        "quarantined": summary.quarantined, "wall_s": summary.duration_s,
        "store_write_s": write_s, "store_read_s": read_s,
        # The writer thread's store calls over the crawl's time: 1.0 would be a
        # crawl that waits on its store; reads are on their own pool.
        "store_share": round(write_s / seconds, 3) if seconds else 0.0,
        "read_share": round(read_s / seconds, 3) if seconds else 0.0,
        "pages_in_hand_peak": summary.pages_in_hand_peak}


def pipeline_postgres(base: str, concurrency: int, tmp: Path, workers: int,
                      admin_url: str) -> dict[str, Any]:
    with scratch_postgres(admin_url) as url:
        return pipeline(base, concurrency, tmp, workers, db_url=url, label="postgresql")


def one_core(site: LargeSite, sample: int) -> dict[str, Any]:
    """Bare parse and our cleaner on one core, on the same article pages."""
    step = max(1, site.count // sample)
    pages = [(f"http://127.0.0.1{site.path(i)}", site.article(i, "http://127.0.0.1").encode())
             for i in range(0, site.count, step)][:sample]
    figures = {"pages": len(pages),
               "page_kb_mean": round(sum(len(b) for _, b in pages) / len(pages) / 1024, 1)}
    for name, work in (("bare_parse", lambda url, body: BeautifulSoup(body, "lxml")),
                       ("our_cleaner", lambda url, body: extract_article(body, url,
                                                                         site="aawsat"))):
        started = time.perf_counter()
        for url, body in pages:
            work(url, body)
        figures[f"{name}_pages_per_s"] = round(len(pages) / (time.perf_counter() - started), 1)
    return figures


def _rate(pages: int, seconds: float) -> dict[str, Any]:
    return {"pages": pages, "seconds": round(seconds, 1),
            "pages_per_s": round(pages / seconds, 1) if seconds else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--sample", type=int, default=300, help="pages for the one-core figures")
    parser.add_argument("--in-thread", action="store_true",
                        help="also run the pipeline cleaning on the crawl's own thread")
    parser.add_argument("--pg", default="postgresql://root@127.0.0.1:5432/test",
                        help="PostgreSQL to make a scratch database in ('none': SQLite only)")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    runs: dict[str, Any] = {}
    for size in args.sizes:
        figures: dict[str, Any] = {"one_core": one_core(LargeSite(size), args.sample)}
        with tempfile.TemporaryDirectory() as scratch, LargeReplicaServer(size) as server:
            tmp = Path(scratch)
            runs_here = [("bare_scrapy", partial(bare_scrapy, server.base, args.concurrency, tmp)),
                         ("pipeline", partial(pipeline, server.base, args.concurrency, tmp, cores))]
            if args.pg != "none":
                runs_here.append(("pipeline_postgresql", partial(
                    pipeline_postgres, server.base, args.concurrency, tmp, cores, args.pg)))
            if args.in_thread:
                runs_here.append(("pipeline_in_thread",
                                  partial(pipeline, server.base, args.concurrency, tmp, 0)))
            for key, run in runs_here:
                before = server_cpu_s(server)
                figures[key] = run()
                figures[key]["cpu_s_server"] = round(server_cpu_s(server) - before, 1)
        a = figures["bare_scrapy"]["pages_per_s"]
        b = figures["one_core"]["bare_parse_pages_per_s"]
        c = figures["pipeline"]["pages_per_s"]
        figures["c_over_a"] = round(c / a, 3)
        figures["c_over_b"] = round(c / b, 3)
        if "pipeline_postgresql" in figures:
            figures["c_over_a_postgresql"] = round(
                figures["pipeline_postgresql"]["pages_per_s"] / a, 3)
        runs[str(size)] = figures
        report(size, figures)
    if len(args.sizes) > 1:
        small, large = str(min(args.sizes)), str(max(args.sizes))
        ratio = runs[large]["pipeline"]["peak_rss_mb"] / runs[small]["pipeline"]["peak_rss_mb"]
        print(f"peak RSS of the crawl, {large} vs {small} articles: {ratio:.2f}x (target <= 1.2)")
        runs["memory_ratio"] = round(ratio, 3)
    save("crawl_throughput", {"concurrency": args.concurrency, "clean_workers": cores,
                              "postgresql": args.pg != "none", "runs": runs})


def report(size: int, figures: dict[str, Any]) -> None:
    one = figures["one_core"]
    print(f"\n{size} articles ({one['page_kb_mean']} KB mean page), {os.cpu_count()} cores")
    print(f"{'':<34}{'pages':>8}{'seconds':>9}{'pages/s':>9}{'peak RSS MB':>13}"
          f"{'CPU s: crawl + workers + server':>33}")
    for key, label in (("bare_scrapy", "(a) bare Scrapy, discards pages"),
                       ("pipeline", "(c) our pipeline (WARC+clean+store)"),
                       ("pipeline_postgresql", "(c) the same into PostgreSQL"),
                       ("pipeline_in_thread", "    cleaning on the reactor thread")):
        if key in figures:
            r = figures[key]
            cpu = f"{r['cpu_s_crawl_process']} + {r['cpu_s_workers']} + {r['cpu_s_server']}"
            print(f"{label:<34}{r['pages']:>8}{r['seconds']:>9}{r['pages_per_s']:>9}"
                  f"{r['peak_rss_mb']:>13}{cpu:>33}")
    print(f"(b) bare BeautifulSoup parse, 1 core: {one['bare_parse_pages_per_s']} pages/s; "
          f"our aawsat cleaner, 1 core: {one['our_cleaner_pages_per_s']} pages/s")
    print(f"c/a = {figures['c_over_a']:.2f} (target >= 0.65)   c/b = {figures['c_over_b']:.2f}")
    for key, name in (("pipeline", "SQLite"), ("pipeline_postgresql", "PostgreSQL")):
        if key in figures:
            r = figures[key]
            print(f"{name}: c/a = {r['pages_per_s'] / figures['bare_scrapy']['pages_per_s']:.2f}; "
                  f"store's share of the crawl {r['store_share']:.1%} (writer thread "
                  f"{r['store_write_s']} s of {r['seconds']} s); reads "
                  f"{r['read_share']:.1%} ({r['store_read_s']} s on the read pool); "
                  f"most pages in hand {r['pages_in_hand_peak']}")


if __name__ == "__main__":
    main()
