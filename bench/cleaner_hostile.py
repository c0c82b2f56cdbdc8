"""The cleaner's cost on hostile pages (issue 15), in one run:

    python bench/cleaner_hostile.py [--repeat N] [--small KB] [--large KB]

Each hostile page shape (unclosed tags, flat divs, <br> runs, caption and
shortcode floods, unclosed figures, and the other shapes that once made
the cleaner quadratic) at two sizes: the cleaner's time per KB beside a
bare `lxml.html.fromstring` parse of the same page, measured in the same
run, one after the other on each page. A linear cleaner keeps the same
cost per KB (and the same ratio to the parse) from one size to the next;
a quadratic one doubles it when the size doubles. Pages over the cleaner's
limits (cleaning/decoding.py) are refused before the parse: the issue's
24 MB of `<div>x</div>` and 5 MB of `a<br>` are timed as refusals.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The repo root, not bench/ (whose incremental.py would shadow Twisted's `incremental`).
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import lxml.html  # noqa: E402

from bench.common import save  # noqa: E402
from cleaning import ExtractionError  # noqa: E402
from replica.divi import BASE, Post, article_page  # noqa: E402
from sites import extract_article  # noqa: E402

ARCHIVE_URL = BASE + "/theaawsat/news-middle-east/a-story"
NEWS_URL = "https://news.example/2014/04/a-story"
OPENING = "<p>" + "Opening words of the story, as a reporter filed them. " * 8 + "</p>"


def archive_page(body: str) -> str:
    """An archive article (aawsat profile: a partial parse of the page) whose
    <html> declares no language, so that the whole page is searched for one."""
    page = article_page(Post(slug="a-story", title="A story", body_html=OPENING + body))
    return page.replace('<html lang="en-US">', "<html>", 1)


def news_page(body: str, head: str = "") -> str:
    """A page of no known site (generic profile, after the WordPress check)."""
    return (f"<!DOCTYPE html><html><head><title>A story</title>{head}</head><body>"
            f"<article><h1>A story</h1>{OPENING}{body}</article></body></html>")


def repeat_to(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


# name -> (what it is, site URL, page of about `size` bytes)
SHAPES: dict[str, tuple[str, str, Callable[[int], str]]] = {
    "unclosed <html": ("Page.parse_parts's <html lang> search", ARCHIVE_URL,
                       lambda size: archive_page(repeat_to("<html ", size))),
    "unclosed <body": ("Page.parse_parts's <body class> search", ARCHIVE_URL,
                       lambda size: archive_page(repeat_to("<body ", size))),
    "unclosed <meta": ("WordPressProfile.matches's generator search", NEWS_URL,
                       lambda size: news_page(repeat_to("<meta ", size))),
    "[caption] flood": ("caption shortcodes with no closing tag", NEWS_URL,
                        lambda size: news_page("<p>" + repeat_to("[caption]", size) + "</p>")),
    "[caption flood": ("caption shortcodes with no ']'", NEWS_URL,
                       lambda size: news_page("<p>" + repeat_to("[caption ", size) + "</p>")),
    "[a x=... shortcode": ("a shortcode attribute running on", NEWS_URL,
                           lambda size: news_page("<p>[a x=" + "y" * size + "</p>")),
    "unclosed <figure>": ("nested figures (image collection)", ARCHIVE_URL,
                          lambda size: archive_page(repeat_to("<figure>", size))),
    "flat <div>x</div>": ("a flat page of elements", NEWS_URL,
                          lambda size: news_page(repeat_to("<div>x</div>", size))),
    "a<br> run": ("one paragraph of line breaks", NEWS_URL,
                  lambda size: news_page("<p>" + repeat_to("a<br>", size) + "</p>")),
    "nested <div hidden>": ("hidden elements holding text, nested", ARCHIVE_URL,
                            lambda size: archive_page(repeat_to("<div hidden>", size)
                                                      + "<p>" + "word " * 100 + "</p>")),
    "nested itemprops": ("microdata properties, nested", ARCHIVE_URL,
                         lambda size: archive_page(repeat_to('<div itemprop="headline">', size))),
    "images with captions": ("one <div> of images, each with a credit line", NEWS_URL,
                             lambda size: news_page("<div>x" + repeat_to(
                                 '<img src="a.jpg"><p>A photo (AFP)</p>', size) + "</div>")),
    "JSON-LD /* flood": ("unclosed comments in JSON-LD", NEWS_URL,
                         lambda size: news_page("", '<script type="application/ld+json">'
                                                + repeat_to("/* ", size) + "</script>")),
    "author a@a@...": ("an author meta tag of '@'s", NEWS_URL,
                       lambda size: news_page("", '<meta name="author" content="'
                                              + repeat_to("a@", size) + '">')),
}
# The pages over the limits: refused before the parse.
REFUSED: dict[str, tuple[str, Callable[[], str]]] = {
    "24 MB of <div>x</div>": (NEWS_URL, lambda: news_page("<div>x</div>" * 2_000_000)),
    "5 MB of a<br>": (NEWS_URL, lambda: news_page("<p>" + "a<br>" * 1_000_000 + "</p>")),
}


def outcome(html: str, url: str) -> str:
    try:
        article = extract_article(html, url)
    except ExtractionError as error:
        return f"refused: {error.reason}"
    return f"article ({article.extractor}, {len(article.blocks)} blocks)"


def measure(html: str, url: str, repeat: int) -> dict[str, float]:
    """Seconds per run of a bare lxml parse and of the cleaner, alternated."""
    data = html.encode()
    parse = clean = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        lxml.html.fromstring(data)
        parse += time.perf_counter() - start
        start = time.perf_counter()
        with contextlib.suppress(ExtractionError):
            extract_article(html, url)
        clean += time.perf_counter() - start
    return {"lxml_s": parse / repeat, "cleaner_s": clean / repeat}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--small", type=int, default=100, help="KB of hostile markup")
    parser.add_argument("--large", type=int, default=400, help="KB of hostile markup")
    args = parser.parse_args()
    for html, url in ((news_page(""), NEWS_URL), (archive_page(""), ARCHIVE_URL)):
        measure(html, url, 2)  # imports and each profile's first-call set-up, not timed
    rows: list[dict[str, Any]] = []
    print(f"{'shape':<22}{'KB':>7}{'lxml ms/KB':>12}{'cleaner ms/KB':>15}{'ratio':>8}  outcome")
    for name, (what, url, build) in SHAPES.items():
        for kb in (args.small, args.large):
            html = build(kb * 1000)
            figures = measure(html, url, args.repeat)
            size_kb = len(html.encode()) / 1000
            row: dict[str, Any] = {"shape": name, "what": what, "kb": round(size_kb, 1),
                   "lxml_ms_per_kb": 1000 * figures["lxml_s"] / size_kb,
                   "cleaner_ms_per_kb": 1000 * figures["cleaner_s"] / size_kb,
                   "cleaner_s": figures["cleaner_s"], "outcome": outcome(html, url)}
            row["ratio_to_parse"] = row["cleaner_ms_per_kb"] / row["lxml_ms_per_kb"]
            rows.append(row)
            print(f"{name:<22}{size_kb:>7.0f}{row['lxml_ms_per_kb']:>12.4f}"
                  f"{row['cleaner_ms_per_kb']:>15.4f}{row['ratio_to_parse']:>8.1f}  "
                  f"{row['outcome'][:60]}", flush=True)
    refused = []
    for name, (url, make) in REFUSED.items():
        html = make()
        start = time.perf_counter()
        result = outcome(html, url)
        seconds = time.perf_counter() - start
        refused.append({"page": name, "kb": round(len(html) / 1000), "seconds": seconds,
                        "outcome": result})
        print(f"{name:<22}{len(html) / 1000:>7.0f}  refused in {seconds * 1000:.0f} ms: "
              f"{result[:70]}")
    save("cleaner_hostile", {"repeat": args.repeat, "shapes": rows, "refused": refused})


if __name__ == "__main__":
    main()
