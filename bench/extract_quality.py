"""Extraction quality of our cleaner against trafilatura, in one run.

    python bench/extract_quality.py [--data DIR] [--show-worst N] [--mode generic|auto]
                                    [--no-trafilatura] [--pages ID-PREFIX ...]

On the Zyte article-extraction benchmark bundled in ../shared (95 news
pages), for our cleaner in both modes (`site="generic"`, and `site="auto"`,
what a crawl of an unknown site gets: WordPress pages go through the
wordpress profile) and for trafilatura (default and precision mode):

- body: shingle F1, precision, recall, exact-match accuracy
  (bench/shingle_metric.py);
- false rejections: benchmark pages (all real articles) refused;
- false acceptances: non-article pages (the replica's and a real
  WordPress's listing, search, attachment and 404 pages, and hand-written
  hub pages in bench/data/non-articles/) taken as articles;
- metadata (title, authors, publication date) by precision and recall
  against the hand-checked truth in bench/data/metadata-truth.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    # Run as a script: the repo root, not bench/ (whose incremental.py would
    # shadow Twisted's `incremental`).
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import save  # noqa: E402
from bench.shingle_metric import PageScore, score_page, summarise  # noqa: E402
from cleaning import ExtractionError, NotAnArticle  # noqa: E402
from sites import extract_article  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "article-extraction-benchmark"
METADATA_TRUTH = ROOT / "bench" / "data" / "metadata-truth.json"
NON_ARTICLES = ROOT / "bench" / "data" / "non-articles"
RECORDED_WORDPRESS = ROOT / "tests" / "site" / "wordpress"
_TOKEN_RE = re.compile(r"\w+")


@dataclass
class Outcome:
    """What one system made of one page."""

    body: str = ""
    title: str = ""
    authors: list[str] = field(default_factory=list)
    date: str | None = None  # YYYY-MM-DD as the page states it
    rejected: str | None = None  # why no article came out


def load_pages(data: Path) -> list[tuple[str, str, bytes, str]]:
    """(id, url, html, true body) for every benchmark page, by id."""
    if not (data / "ground-truth.json").is_file():
        raise SystemExit(f"the benchmark pages are not at {data}: they come with ../shared "
                         "beside the checkout (or give --data DIR); nothing measured")
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id, expected in sorted(truth.items()):
        html = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append((page_id, expected.get("url", ""), html, expected["articleBody"]))
    return pages


def load_metadata_truth(path: Path = METADATA_TRUTH) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    data: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["pages"]
    return data


def non_article_pages() -> list[tuple[str, str, bytes]]:
    """(name, url, html) of pages that are not articles: the replica's
    listings, attachment and 404 pages, the real WordPress's recorded
    listings and search pages, and the hand-written hubs."""
    from replica.divi import BASE
    from replica.site import ReplicaSite

    pages: list[tuple[str, str, bytes]] = []
    site = ReplicaSite()
    attachment = next(a for a in site.articles if a.image_slug)
    paths = ["/", "/page/2", "/category/opinion", "/category/world-news/page/2",
             "/tag/syria", "/author/theaawsat", "/no-such-page",
             f"{attachment.post.path}/attachment/{attachment.image_slug}"]
    for path in paths:
        _, _, body = site.page(path, BASE)
        pages.append((f"replica{path}", BASE + path, body.encode()))
    for theme_dir in sorted(p for p in RECORDED_WORDPRESS.iterdir() if p.is_dir()):
        for recorded in sorted(theme_dir.glob("*.html.gz")):
            if recorded.name.startswith("post-"):
                continue
            url = f"http://127.0.0.1:8089/{recorded.name.removesuffix('.html.gz')}/"
            pages.append((f"wordpress/{theme_dir.name}/{recorded.name}", url,
                          gzip.decompress(recorded.read_bytes())))
    if NON_ARTICLES.is_dir():
        for written in sorted(NON_ARTICLES.glob("*.html")):
            html = written.read_bytes()
            match = re.search(rb"<!-- url: (\S+) -->", html)
            url = match.group(1).decode() if match else f"https://news.example/{written.stem}/"
            pages.append((f"hub/{written.name}", url, html))
    return pages


# --- the systems --------------------------------------------------------------------------
def ours(mode: str) -> Callable[[bytes, str], Outcome]:
    def run(html: bytes, url: str) -> Outcome:
        try:
            article = extract_article(html, url or "https://example.com/", site=mode)
        except NotAnArticle as error:
            return Outcome(rejected=error.reason)
        except ExtractionError as error:
            return Outcome(rejected=f"error: {error.reason}")
        return Outcome(body=article.body, title=article.title, authors=article.authors,
                       date=article.published.date().isoformat() if article.published else None)
    return run


def trafilatura_system(precision: bool) -> Callable[[bytes, str], Outcome]:
    def run(html: bytes, url: str) -> Outcome:
        import trafilatura

        # The body as `extract` gives it (its documented output); the metadata
        # as `bare_extraction` reads it (htmldate for the date).
        text = trafilatura.extract(html, url=url or None, favor_precision=precision)
        if not text:
            return Outcome(rejected="no text")
        document = trafilatura.bare_extraction(html, url=url or None, favor_precision=precision,
                                               with_metadata=True)
        if document is None or isinstance(document, dict):
            return Outcome(body=text)
        authors = [a.strip() for a in (document.author or "").split(";") if a.strip()]
        return Outcome(body=text, title=document.title or "", authors=authors,
                       date=document.date or None)
    return run


SYSTEMS: dict[str, Callable[[bytes, str], Outcome]] = {
    "ours (generic)": ours("generic"),
    "ours (auto)": ours("auto"),
    "trafilatura": trafilatura_system(precision=False),
    "trafilatura precision": trafilatura_system(precision=True),
}


# --- scoring ------------------------------------------------------------------------------
def norm_text(text: str) -> str:
    """Compared as casefolded word tokens: punctuation, quote styles and
    underscores ("kei_eno") do not count."""
    return " ".join(_TOKEN_RE.findall(text.casefold().replace("_", " ")))


def ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def metadata_figures(outcomes: dict[str, Outcome],
                     truth: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Precision and recall of title, authors and date on the truth's pages.
    Title: the whole title, as word tokens (`title_alt`: another headline the
    page declares, accepted too). Authors: each name, micro-averaged
    over pages. Date: the day, as the page states it (`date_alt`: another day
    the page's own markup gives equally, such as its UTC day)."""
    counts = dict.fromkeys(
        ("title_tp", "title_pred", "title_true", "author_tp", "author_pred", "author_true",
         "date_tp", "date_pred", "date_true", "pages"), 0)
    misses: dict[str, list[str]] = {"title": [], "authors": [], "date": []}
    for page_id, expected in truth.items():
        got = outcomes.get(page_id)
        if got is None:
            continue
        counts["pages"] += 1
        true_title, got_title = norm_text(expected.get("title") or ""), norm_text(got.title)
        titles = {true_title, *(norm_text(t) for t in expected.get("title_alt", []))}
        counts["title_true"] += bool(true_title)
        counts["title_pred"] += bool(got_title)
        if got_title and got_title in titles:
            counts["title_tp"] += 1
        elif got_title or true_title:
            misses["title"].append(f"{page_id[:10]} got {got.title!r} want {expected['title']!r}")
        true_names = {norm_text(n) for n in expected.get("authors") or []}
        got_names = {norm_text(n) for n in got.authors if norm_text(n)}
        counts["author_true"] += len(true_names)
        counts["author_pred"] += len(got_names)
        counts["author_tp"] += len(true_names & got_names)
        if true_names != got_names:
            misses["authors"].append(
                f"{page_id[:10]} got {got.authors!r} want {expected.get('authors')!r}")
        true_dates = {d for d in [expected.get("date"), *expected.get("date_alt", [])] if d}
        counts["date_true"] += bool(expected.get("date"))
        counts["date_pred"] += bool(got.date)
        if got.date and got.date in true_dates:
            counts["date_tp"] += 1
        elif got.date or true_dates:
            misses["date"].append(f"{page_id[:10]} got {got.date} want {expected.get('date')}")
    figures: dict[str, Any] = {"pages": counts["pages"]}
    for name in ("title", "author", "date"):
        figures[f"{name}_precision"] = ratio(counts[f"{name}_tp"], counts[f"{name}_pred"])
        figures[f"{name}_recall"] = ratio(counts[f"{name}_tp"], counts[f"{name}_true"])
    figures["misses"] = misses
    return figures


def body_figures(outcomes: list[Outcome], truths: list[str]) -> tuple[dict[str, Any],
                                                                        list[PageScore]]:
    scores = [score_page(o.body, t) for o, t in zip(outcomes, truths, strict=True)]
    summary = summarise(scores)
    figures: dict[str, Any] = dict(summary.__dict__)
    figures["rejected"] = sum(o.rejected is not None for o in outcomes)
    figures["with_date"] = sum(o.date is not None for o in outcomes)
    figures["with_authors"] = sum(bool(o.authors) for o in outcomes)
    return figures, scores


def evaluate(systems: dict[str, Callable[[bytes, str], Outcome]], data: Path = DEFAULT_DATA,
             only: list[str] | None = None) -> dict[str, Any]:
    """Every figure of every system; what the CI floor test checks."""
    pages = load_pages(data)
    if only:
        pages = [p for p in pages if any(p[0].startswith(prefix) for prefix in only)]
    truth = load_metadata_truth()
    non_articles = non_article_pages()
    results: dict[str, Any] = {}
    for name, system in systems.items():
        outcomes = [system(html, url) for _, url, html, _ in pages]
        figures, scores = body_figures(outcomes, [t for *_, t in pages])
        figures["rejections"] = {pid[:12]: o.rejected for (pid, *_), o in
                                 zip(pages, outcomes, strict=True) if o.rejected}
        accepted = [page_name for page_name, url, html in non_articles
                    if system(html, url).rejected is None]
        figures["non_articles"] = len(non_articles)
        figures["false_acceptances"] = len(accepted)
        figures["accepted_non_articles"] = accepted
        if truth:
            figures["metadata"] = metadata_figures(
                {pid: o for (pid, *_), o in zip(pages, outcomes, strict=True)}, truth)
        figures["page_scores"] = {pid: s for (pid, *_), s in zip(pages, scores, strict=True)}
        figures["outcomes"] = dict(zip((p[0] for p in pages), outcomes, strict=True))
        results[name] = figures
    results["_pages"] = pages
    return results


def main() -> None:
    logging.getLogger("cleaning").setLevel(logging.ERROR)  # fallback notices, one a page
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show-worst", type=int, default=0, help="list our N worst pages")
    parser.add_argument("--mode", default="generic", choices=["generic", "auto"],
                        help="whose worst pages --show-worst lists")
    parser.add_argument("--no-trafilatura", action="store_true", help="our figures only")
    parser.add_argument("--misses", action="store_true", help="list our metadata misses")
    parser.add_argument("--pages", nargs="*", help="only pages whose id starts so")
    args = parser.parse_args()
    systems = {k: v for k, v in SYSTEMS.items()
               if not (args.no_trafilatura and k.startswith("trafilatura"))}
    results = evaluate(systems, args.data, args.pages)
    pages = results.pop("_pages")

    print(f"{len(pages)} pages from {args.data}")
    print(f"{'system':<23}{'F1':>7}{'prec':>7}{'recall':>7}{'exact':>7}{'rej':>5}"
          f"{'nonart':>8}{'date':>5}{'auth':>5}")
    for name, f in results.items():
        print(f"{name:<23}{f['f1']:>7.4f}{f['precision']:>7.4f}{f['recall']:>7.4f}"
              f"{f['accuracy']:>7.4f}{f['rejected']:>5}"
              f"{f['false_acceptances']:>4}/{f['non_articles']:<3}"
              f"{f['with_date']:>5}{f['with_authors']:>5}")
    if any("metadata" in f for f in results.values()):
        print(f"\nmetadata against bench/data/metadata-truth.json "
              f"({next(iter(results.values()))['metadata']['pages']} pages)")
        print(f"{'system':<23}{'title P':>8}{'title R':>8}{'auth P':>8}{'auth R':>8}"
              f"{'date P':>8}{'date R':>8}")
        for name, f in results.items():
            m = f["metadata"]
            print(f"{name:<23}{m['title_precision']:>8.4f}{m['title_recall']:>8.4f}"
                  f"{m['author_precision']:>8.4f}{m['author_recall']:>8.4f}"
                  f"{m['date_precision']:>8.4f}{m['date_recall']:>8.4f}")
    for name, f in results.items():
        if f["rejections"]:
            print(f"{name} rejected: {f['rejections']}")
        if f["accepted_non_articles"]:
            print(f"{name} accepted non-articles: {f['accepted_non_articles']}")
    ours_name = f"ours ({args.mode})"
    if args.misses and "metadata" in results[ours_name]:
        for field_name, misses in results[ours_name]["metadata"]["misses"].items():
            print(f"\n{ours_name} {field_name} misses:")
            for miss in misses:
                print("  " + miss)
    if args.show_worst:
        scores = results[ours_name]["page_scores"]
        ranked = sorted(pages, key=lambda page: scores[page[0]].tp)
        for page_id, url, _, _ in ranked[: args.show_worst]:
            s = scores[page_id]
            print(f"  {s.tp:.3f} tp {s.fp:.3f} fp {s.fn:.3f} fn  {page_id[:12]} {url}")
    if not args.pages:
        saved = {name: {k: v for k, v in f.items()
                        if k not in ("page_scores", "outcomes")} for name, f in results.items()}
        for f in saved.values():
            if "metadata" in f:
                f["metadata"] = {k: v for k, v in f["metadata"].items() if k != "misses"}
        save("extract_quality", {"results": saved})


if __name__ == "__main__":
    main()
