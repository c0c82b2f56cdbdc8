"""The cleaner's limits by page shape (cleaning/decoding.py): a page just
within them is cleaned, a page over them is refused before the parse with
the reason. Each page is cleaned in a child process whose address space is
limited to 1.5 GB, so that a regression fails here instead of eating the
machine (24 MB of `<div>x</div>` once took 5.5 GB)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cleaning.decoding import MAX_ELEMENTS, MAX_PAGE_BYTES

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.integration

MEMORY_LIMIT = int(1.5 * 2**30)
DEADLINE = 180  # s for one child: seconds are expected, on a loaded 2-core machine

_CHILD = r"""
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[4]), int(sys.argv[4])))
from cleaning import ExtractionError
from sites import extract_article
from cleaning.decoding import count_elements
from replica.divi import BASE, Post, article_page

shape, count, site = sys.argv[1], int(sys.argv[2]), sys.argv[3]
UNITS = {
    "divs": "<div>x</div>",
    "line breaks": "a<br>",
    "list items": "<li>x",
    "images": '<img src="/wp-content/uploads/a.jpg"><p>A photo of the harbour (AFP)</p>',
    "paragraphs": "<p>" + "word " * 200 + "</p>\n",
}
unit = UNITS[shape]
body = unit * (count // max(1, unit.count("<") - unit.count("</")))
body = "<p>" + body + "</p>" if shape == "line breaks" else body
opening = "<p>" + "Opening words of the story, as it was filed. " * 8 + "</p>"
if site == "aawsat":
    url = BASE + "/theaawsat/news-middle-east/a-story"
    page = article_page(Post(slug="a-story", title="A story", body_html=opening + body))
else:
    url = "https://news.example/2019/11/a-story"
    page = ("<html><head><title>A story</title></head><body><article><h1>A story</h1>"
            + opening + body + "</article></body></html>")
start = time.perf_counter()
try:
    article = extract_article(page, url, site)
    result = {"outcome": "article", "blocks": len(article.blocks)}
except ExtractionError as error:
    result = {"outcome": "refused", "reason": error.reason}
# Peak RSS of this program (VmHWM): ru_maxrss would carry over the forking
# parent's own peak across exec, which a long test run makes large.
with open("/proc/self/status") as status:
    rss_mb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) // 1024
result.update(seconds=time.perf_counter() - start, elements=count_elements(page),
              chars=len(page), max_rss_mb=rss_mb)
print(json.dumps(result))
"""


def clean_in_child(shape: str, count: int, site: str) -> dict[str, Any]:
    """Clean a page of `count` elements (or paragraphs) of `shape` in a child
    limited to MEMORY_LIMIT of address space."""
    process = subprocess.run(
        [sys.executable, "-c", _CHILD, shape, str(count), site, str(MEMORY_LIMIT)],
        capture_output=True, text=True, timeout=DEADLINE, cwd=ROOT)
    assert process.returncode == 0, f"the child failed (out of memory?):\n{process.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(process.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("shape, site", [
    ("divs", "generic"), ("line breaks", "generic"), ("list items", "generic"),
    ("divs", "aawsat"), ("images", "aawsat"),
])
def test_a_page_just_within_the_element_limit_is_cleaned(shape, site):
    result = clean_in_child(shape, MAX_ELEMENTS - 1_000, site)
    assert result["outcome"] == "article", result
    assert MAX_ELEMENTS - 2_000 < result["elements"] <= MAX_ELEMENTS


@pytest.mark.parametrize("shape", ["divs", "line breaks"])
def test_a_page_over_the_element_limit_is_refused(shape):
    result = clean_in_child(shape, MAX_ELEMENTS + 10, "generic")
    assert result["outcome"] == "refused", result
    assert result["reason"] == (f"page too complex: {result['elements']:,} elements over the "
                                f"{MAX_ELEMENTS:,} limit")
    assert result["max_rss_mb"] < 400  # refused before the parse


@pytest.mark.parametrize("shape, count", [("divs", 2_000_000), ("line breaks", 1_000_000)],
                         ids=["24 MB of <div>x</div>", "5 MB of a<br>"])
def test_the_pages_that_took_minutes_are_refused(shape, count):
    """189 s and 5.5 GB, 60 s and 1.1 GB before the limit (issue 15)."""
    result = clean_in_child(shape, count, "generic")
    assert result["outcome"] == "refused", result
    assert result["reason"].startswith("page too complex")


@pytest.mark.parametrize("site", ["aawsat", "generic"])
def test_text_up_to_the_size_limit_is_cleaned(site):
    """About 24 MB of paragraphs: 1,000 characters each, 24,000 of them."""
    result = clean_in_child("paragraphs", 24_000, site)
    assert result["outcome"] == "article", result
    assert 0.9 * MAX_PAGE_BYTES < result["chars"] <= MAX_PAGE_BYTES


def test_text_over_the_size_limit_is_refused():
    result = clean_in_child("paragraphs", 27_000, "generic")
    assert result["outcome"] == "refused", result
    assert result["reason"].startswith("page too large")
