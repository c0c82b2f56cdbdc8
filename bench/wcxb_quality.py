"""Extraction quality on pages nobody tuned for: WCXB's development split,
our generic extractor beside trafilatura, measured the same way in one run.

    python bench/wcxb_quality.py [--data DIR] [--limit N] [--worst N]

WCXB (the Web Content eXtraction Benchmark, CC-BY-4.0) lays its dev split in
../shared/data/wcxb-dev: 1,358 pages of 7 kinds with body, title, author
and date truth. Its test split is kept for acceptance and never read here.

- body: WCXB's word F1 (lower-cased `\\w+` tokens as multisets; an empty
  extraction of a page with content scores 0), mean per page kind, with
  precision and recall on the articles;
- refusals: articles refused (a lost article), and product, service,
  collection and listing pages refused (what a crawl should not store);
- metadata on the articles: title (same words), author (the truth's words
  among ours), date (the same day), each counted against the pages whose
  truth has one;
- speed: pages per second, one process each.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import trafilatura  # noqa: E402

from bench.common import save  # noqa: E402
from cleaning import extract_article  # noqa: E402
from cleaning.errors import ExtractionError  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "wcxb-dev"
NOT_TO_STORE = ("product", "service", "collection", "listing")
_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class Truth:
    page_id: str
    url: str
    kind: str
    body: str
    title: str | None
    author: str | None
    date: str | None  # YYYY-MM-DD


@dataclass(frozen=True)
class Extraction:
    body: str  # "" when the page was refused
    title: str | None
    author: str | None
    date: str | None


def words(text: str | None) -> list[str]:
    return _WORD_RE.findall((text or "").lower())


def word_f1(predicted: str, truth: str) -> tuple[float, float, float]:
    """(precision, recall, F1) of WCXB's word-multiset metric."""
    ours, theirs = Counter(words(predicted)), Counter(words(truth))
    if not ours or not theirs:
        return (0.0, 0.0, 0.0) if theirs else (1.0, 1.0, 1.0)
    shared = sum((ours & theirs).values())
    precision, recall = shared / sum(ours.values()), shared / sum(theirs.values())
    return precision, recall, (2 * precision * recall / (precision + recall)
                               if shared else 0.0)


def title_right(found: str | None, truth: str | None) -> bool:
    return bool(truth) and words(found) == words(truth)


def author_right(found: str | None, truth: str | None) -> bool:
    wanted = words(truth)
    return bool(wanted) and bool(found) and set(wanted) <= set(words(found))


def date_right(found: str | None, truth: str | None) -> bool:
    return bool(truth) and bool(found) and str(found)[:10] == str(truth)[:10]


def ours(html: str, url: str) -> Extraction:
    try:
        article = extract_article(html, url, "generic")
    except ExtractionError:  # NotAnArticle included: refused
        return Extraction("", None, None, None)
    return Extraction(article.body, article.title, ", ".join(article.authors) or None,
                      article.published.date().isoformat() if article.published else None)


def theirs(html: str, url: str) -> Extraction:
    body = trafilatura.extract(html, url=url) or ""
    meta = trafilatura.extract_metadata(html, default_url=url)
    return Extraction(body, meta.title if meta else None, meta.author if meta else None,
                      meta.date if meta else None)


def load(data: Path, limit: int | None) -> list[tuple[Truth, str]]:
    files = json.loads((data / "metadata.json").read_text())["files"]
    pages = []
    for page_id in sorted(files)[:limit]:
        record = json.loads((data / "ground-truth" / f"{page_id}.json").read_text())
        truth = record["ground_truth"]
        html = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append((Truth(page_id, record["url"], files[page_id]["page_type"],
                            truth.get("main_content") or "", truth.get("title"),
                            truth.get("author"), truth.get("publish_date")),
                      html.decode("utf-8", errors="replace")))
    return pages


def score(pages: list[tuple[Truth, str]], extract: Callable[[str, str], Extraction]
          ) -> dict[str, object]:
    started = time.perf_counter()
    f1: dict[str, list[float]] = defaultdict(list)
    precision, recall, per_page = [], [], {}
    refused: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    metadata = Counter[str]()
    for truth, html in pages:
        found = extract(html, truth.url)
        kinds[truth.kind] += 1
        refused[truth.kind] += not found.body.strip()
        p, r, f = word_f1(found.body, truth.body)
        f1[truth.kind].append(f)
        per_page[truth.page_id] = round(f, 4)
        if truth.kind == "article":
            precision.append(p)
            recall.append(r)
            metadata["title"] += title_right(found.title, truth.title)
            metadata["author"] += author_right(found.author, truth.author)
            metadata["date"] += date_right(found.date, truth.date)
    seconds = time.perf_counter() - started
    articles = [t for t, _ in pages if t.kind == "article"]
    to_refuse = sum(kinds[k] for k in NOT_TO_STORE)
    return {
        "pages": len(pages), "seconds": round(seconds, 1),
        "pages_per_s": round(len(pages) / seconds, 1) if seconds else 0.0,
        "f1_by_kind": {k: round(sum(v) / len(v), 4) for k, v in sorted(f1.items())},
        "articles": len(articles),
        "article_precision": round(sum(precision) / len(precision), 4) if precision else 0.0,
        "article_recall": round(sum(recall) / len(recall), 4) if recall else 0.0,
        "articles_refused": refused["article"],
        "refused_of_not_to_store": sum(refused[k] for k in NOT_TO_STORE),
        "not_to_store": to_refuse,
        "titles_right": metadata["title"], "titles_known": sum(bool(t.title) for t in articles),
        "authors_right": metadata["author"],
        "authors_known": sum(bool(t.author) for t in articles),
        "dates_right": metadata["date"], "dates_known": sum(bool(t.date) for t in articles),
        "per_page": per_page,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="the first N pages only")
    parser.add_argument("--worst", type=int, default=10,
                        help="list the N articles where ours trails trafilatura most")
    args = parser.parse_args()
    if not (args.data / "metadata.json").exists():
        sys.exit(f"no WCXB dev split at {args.data}: give its folder with --data DIR")
    logging.disable(logging.WARNING)  # both extractors log every refused page
    pages = load(args.data, args.limit)
    results = {"ours (generic)": score(pages, ours), "trafilatura": score(pages, theirs)}
    print(f"WCXB dev split: {len(pages)} pages "
          f"({', '.join(f'{k} {v}' for k, v in Counter(t.kind for t, _ in pages).items())})")
    rows = [("article word F1", lambda r: f"{r['f1_by_kind'].get('article', 0):.3f}"),
            ("  precision / recall",
             lambda r: f"{r['article_precision']:.3f} / {r['article_recall']:.3f}"),
            ("articles refused", lambda r: f"{r['articles_refused']} of {r['articles']}"),
            ("product/service/collection/listing refused",
             lambda r: f"{r['refused_of_not_to_store']} of {r['not_to_store']}"),
            ("titles right", lambda r: f"{r['titles_right']} of {r['titles_known']}"),
            ("authors right", lambda r: f"{r['authors_right']} of {r['authors_known']}"),
            ("dates right", lambda r: f"{r['dates_right']} of {r['dates_known']}"),
            ("pages per second", lambda r: f"{r['pages_per_s']}")]
    kinds = sorted({k for r in results.values() for k in r["f1_by_kind"]})  # type: ignore[attr-defined]
    rows += [(f"word F1, {kind}", lambda r, kind=kind: f"{r['f1_by_kind'].get(kind, 0):.3f}")
             for kind in kinds if kind != "article"]
    names = list(results)
    print(f"{'':44}" + "".join(f"{n:>18}" for n in names))
    for label, cell in rows:
        print(f"{label:44}" + "".join(f"{cell(results[n]):>18}" for n in names))
    mine, other = (results[n]["per_page"] for n in names)
    articles = [t.page_id for t, _ in pages if t.kind == "article"]
    worst = sorted(articles, key=lambda p: mine[p] - other[p])[:args.worst]  # type: ignore[index]
    print("\narticles where ours trails trafilatura most (page: ours vs trafilatura):")
    for page_id in worst:
        print(f"  {page_id}: {mine[page_id]:.3f} vs {other[page_id]:.3f}")  # type: ignore[index]
    save("wcxb_quality", {name: {k: v for k, v in r.items() if k != "per_page"}
                          for name, r in results.items()})


if __name__ == "__main__":
    main()
