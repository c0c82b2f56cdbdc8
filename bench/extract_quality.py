"""Extraction quality of our `generic` profile against trafilatura, in one run.

    python bench/extract_quality.py [--data DIR] [--show-worst N]

Prints F1, precision, recall and exact-match accuracy on the Zyte
article-extraction benchmark bundled in ../shared (metric: bench/shingle_metric.py).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Callable
from pathlib import Path

# The repo root, not bench/ (whose incremental.py would shadow Twisted's `incremental`).
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import save  # noqa: E402
from bench.shingle_metric import PageScore, score_page, summarise  # noqa: E402
from cleaning import ExtractionError, extract_article  # noqa: E402

DEFAULT_DATA = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "article-extraction-benchmark"
)


def load_pages(data: Path) -> list[tuple[str, str, bytes, str]]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id, expected in sorted(truth.items()):
        html = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append((page_id, expected.get("url", ""), html, expected["articleBody"]))
    return pages


def ours(html: bytes, url: str) -> str:
    try:
        return extract_article(html, url or "https://example.com/", site="generic").body
    except ExtractionError:
        return ""


def trafilatura_default(html: bytes, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url or None) or ""


def trafilatura_precision(html: bytes, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url or None, favor_precision=True) or ""


SYSTEMS: dict[str, Callable[[bytes, str], str]] = {
    "ours (generic)": ours,
    "trafilatura": trafilatura_default,
    "trafilatura precision": trafilatura_precision,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show-worst", type=int, default=0, help="list our N worst pages")
    args = parser.parse_args()
    pages = load_pages(args.data)
    results: dict[str, list[PageScore]] = {}
    for name, system in SYSTEMS.items():
        results[name] = [score_page(system(html, url), truth) for _, url, html, truth in pages]

    print(f"{len(pages)} pages from {args.data}")
    print(f"{'system':<24}{'F1':>8}{'precision':>11}{'recall':>9}{'accuracy':>10}")
    summaries = {}
    for name, scores in results.items():
        s = summarise(scores)
        summaries[name] = s.__dict__
        print(f"{name:<24}{s.f1:>8.4f}{s.precision:>11.4f}{s.recall:>9.4f}{s.accuracy:>10.4f}")
    ratio = summaries["ours (generic)"]["f1"] / summaries["trafilatura"]["f1"]
    print(f"F1 ours / trafilatura: {ratio:.4f}")
    if args.show_worst:
        ranked = sorted(zip(pages, results["ours (generic)"], strict=True),
                        key=lambda item: item[1].tp)
        for (page_id, url, _, _), score in ranked[: args.show_worst]:
            print(f"  {score.tp:.3f} tp {score.fp:.3f} fp {score.fn:.3f} fn  {page_id[:12]} {url}")
    save("extract_quality", {"results": summaries})


if __name__ == "__main__":
    main()
