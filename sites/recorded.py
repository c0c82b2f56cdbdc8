"""Recorded pages: for each site's parser version, pages kept as they were
served (`<name>.html.gz`) with the Article the version must make of them
beside (`<name>.json`: the URL, the fetch day and the expected article).
`archive record-page` writes one; the recorded-pages test reads them all."""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from cleaning import Article

from .extraction import extract_article, parser_for

_NAME_RE = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class RecordedPage:
    site: str
    url: str
    fetched: date
    html_path: Path
    expected_path: Path

    def html(self) -> bytes:
        return gzip.decompress(self.html_path.read_bytes())

    def expected(self) -> dict[str, Any]:
        return dict(json.loads(self.expected_path.read_text(encoding="utf-8"))["article"])

    def extract(self) -> Article:
        return extract_article(self.html(), self.url, self.site, fetched=self.fetched)


def record_page(html: bytes, url: str, site: str, fetched: date, root: Path,
                name: str | None = None) -> RecordedPage:
    """Keep a page and what the site's parser version valid on `fetched` makes
    of it, under `root/<site>/<version>/`, for review: the JSON is the
    expectation from now on. Raises NotAnArticle/ExtractionError as extraction does."""
    version = parser_for(site, url, html, fetched)
    stem = name or _NAME_RE.sub("-", url.lower().split("//", 1)[-1]).strip("-")[-80:]
    folder = root / site / version.label
    folder.mkdir(parents=True, exist_ok=True)
    page = RecordedPage(site, url, fetched, folder / f"{stem}.html.gz", folder / f"{stem}.json")
    article = extract_article(html, url, site, fetched=fetched)
    page.html_path.write_bytes(gzip.compress(html, mtime=0))
    page.expected_path.write_text(json.dumps(
        {"url": url, "site": site, "fetched": fetched.isoformat(),
         "article": article.model_dump(mode="json")}, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8")
    return page


def recorded_pages(root: Path) -> list[RecordedPage]:
    """Every recorded page under `root`, in path order."""
    pages = []
    for expected_path in sorted(root.glob("*/*/*.json")):
        meta = json.loads(expected_path.read_text(encoding="utf-8"))
        pages.append(RecordedPage(meta["site"], meta["url"], date.fromisoformat(meta["fetched"]),
                                  expected_path.with_suffix(".html.gz"), expected_path))
    return pages
