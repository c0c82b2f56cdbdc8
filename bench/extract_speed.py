"""Extraction speed, in one run on the same pages:

    python bench/extract_speed.py [--repeat N]

a bare `BeautifulSoup(page, "lxml")` parse (the floor any BeautifulSoup
cleaner stands on), our cleaner, and trafilatura; on the benchmark's pages
(generic profile) and on archive pages (aawsat profile, tests/site/pages).
Prints pages/s, MB/s and each one's ratio to the bare parse.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

# The repo root, not bench/ (whose incremental.py would shadow Twisted's `incremental`).
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bs4 import BeautifulSoup  # noqa: E402

from bench.common import save  # noqa: E402
from bench.extract_quality import DEFAULT_DATA, load_pages  # noqa: E402
from cleaning import ExtractionError  # noqa: E402
from replica.large import LargeSite  # noqa: E402
from sites import extract_article  # noqa: E402

ARCHIVE_PAGES = Path(__file__).resolve().parent.parent / "tests" / "site" / "pages"
ARCHIVE_URL = "https://eng-archive.aawsat.com/theaawsat/news-middle-east/"


def archive_pages(count: int = 60) -> list[tuple[str, bytes]]:
    """Archive pages: the hand-written fixtures in the archive's markup, and
    pages of the large replica (60-120 KB, as heavy as the real archive's)."""
    pages = []
    for path in sorted(ARCHIVE_PAGES.glob("*.html")):
        html = path.read_bytes()
        if b"et_pb_post" not in html:
            continue  # other themes' pages live beside the archive's
        try:
            if extract_article(html, ARCHIVE_URL + path.stem).extractor == "aawsat":
                pages.append((ARCHIVE_URL + path.stem, html))
        except ExtractionError:
            continue  # listings and attachment pages are not what we time
    site = LargeSite(count * 50)
    base = "https://eng-archive.aawsat.com"
    pages += [(base + site.path(i), site.article(i, base).encode())
              for i in range(0, site.count, 50)]
    return pages


def measure(systems: dict[str, Callable[[str, bytes], object]],
            pages: list[tuple[str, bytes]], repeat: int) -> dict[str, dict[str, float]]:
    """Every system on each page in turn, so that all of them run in the same
    state of caches and garbage collector (one after another over the whole
    set drifted by 10% between runs)."""
    seconds = dict.fromkeys(systems, 0.0)
    for _ in range(repeat):
        for url, html in pages:
            for name, work in systems.items():
                start = time.perf_counter()
                with contextlib.suppress(ExtractionError):
                    work(url, html)
                seconds[name] += time.perf_counter() - start
    total_bytes = sum(len(html) for _, html in pages) * repeat
    return {name: {"pages_per_s": len(pages) * repeat / spent,
                   "mb_per_s": total_bytes / 1e6 / spent} for name, spent in seconds.items()}


def trafilatura_extract(url: str, html: bytes) -> object:
    import trafilatura

    return trafilatura.extract(html, url=url)


def run_set(label: str, pages: list[tuple[str, bytes]], site: str, repeat: int) -> dict:
    systems: dict[str, Callable[[str, bytes], object]] = {
        "bare BeautifulSoup parse": lambda url, html: BeautifulSoup(html, "lxml"),
        f"ours ({site})": lambda url, html: extract_article(html, url, site=site),
        "trafilatura": trafilatura_extract,
    }
    results = measure(systems, pages, repeat)
    floor = results["bare BeautifulSoup parse"]["pages_per_s"]
    print(f"\n{label}: {len(pages)} pages x {repeat}")
    print(f"{'system':<28}{'pages/s':>10}{'MB/s':>8}{'cost vs bare parse':>20}")
    for name, figures in results.items():
        cost = floor / figures["pages_per_s"]
        figures["cost_vs_bare_parse"] = cost
        print(f"{name:<28}{figures['pages_per_s']:>10.1f}{figures['mb_per_s']:>8.2f}{cost:>19.2f}x")
    ours = results[f"ours ({site})"]["pages_per_s"]
    print(f"ours / trafilatura speed: {ours / results['trafilatura']['pages_per_s']:.2f}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--archive-repeat", type=int, default=3)
    args = parser.parse_args()
    benchmark = [(url or "https://example.com/", html)
                 for _, url, html, _ in load_pages(DEFAULT_DATA)]
    results = {
        "benchmark_pages_generic": run_set("benchmark pages (generic profile)", benchmark,
                                           "generic", args.repeat),
        "archive_pages_aawsat": run_set("archive pages (aawsat profile)", archive_pages(),
                                        "aawsat", args.archive_repeat),
    }
    save("extract_speed", {"results": results})


if __name__ == "__main__":
    main()
