"""One parsed page and what the profiles share about it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from bs4 import BeautifulSoup, SoupStrainer, Tag

from .boilerplate import is_gone
from .metadata import PageMeta, read_meta
from .models import Image

_HTML_LANG_RE = re.compile(r"<html\b[^>]*?\slang=[\"']?([A-Za-z]{2,3}(?:-[\w]+)?)", re.I)
_BODY_CLASS_RE = re.compile(r"<body\b[^>]*?\sclass=[\"']([^\"']*)", re.I)


@dataclass
class Page:
    url: str
    soup: BeautifulSoup
    meta: PageMeta
    # Every tag in document order, listed once after the parse: profiles
    # filter this list instead of searching the tree again (check `is_gone`
    # for tags cut out since).
    tags: list[Tag] = field(default_factory=list)

    @classmethod
    def parse(cls, html: str, url: str) -> Page:
        soup = BeautifulSoup(html, "lxml")
        tags = soup.find_all(True)
        return cls(url=url, soup=soup, meta=read_meta(soup, tags), tags=tags)

    def first(self, name: str) -> Tag | None:
        """The first tag of that name still in the tree, from `tags`."""
        return next((t for t in self.tags if t.name == name and not is_gone(t)), None)

    @classmethod
    def parse_parts(cls, html: str, url: str, part: str, parse_only: SoupStrainer) -> Page:
        """Build only what a profile reads: `part` (a slice of `html`) through a
        strainer. The <html> and <body> attributes come from the whole page."""
        soup = BeautifulSoup(part, "lxml", parse_only=parse_only)
        meta = read_meta(soup)
        if match := _HTML_LANG_RE.search(html):
            meta.language = match.group(1).split("-")[0].lower()
        if match := _BODY_CLASS_RE.search(html):
            meta.body_classes = frozenset(match.group(1).split())
        return cls(url=url, soup=soup, meta=meta)


@dataclass
class Draft:
    """What a profile read off a page, before the shared finishing steps."""

    title: str = ""
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    canonical_url: str | None = None
    warnings: list[str] = field(default_factory=list)
