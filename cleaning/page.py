"""One parsed page and what the profiles share about it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from bs4 import BeautifulSoup, SoupStrainer, Tag

from .boilerplate import is_gone
from .metadata import PageMeta, read_meta
from .models import Image

# The <html lang> and <body class> of the whole page, read without a parse:
# what `<html\b[^>]*?\slang=...` would find, in one pass (see `search_in_tags`).
_HTML_OPEN_RE = re.compile(r"<html\b", re.I)
_LANG_ATTR_RE = re.compile(r"\slang=[\"']?([A-Za-z]{2,3}(?:-[\w]+)?)", re.I)
_BODY_OPEN_RE = re.compile(r"<body\b", re.I)
_CLASS_ATTR_RE = re.compile(r"\sclass=[\"']", re.I)
_QUOTE_RE = re.compile(r"[\"']")


def search_in_tags(html: str, opening: re.Pattern[str], attribute: re.Pattern[str],
                   gap: int = 0) -> re.Match[str] | None:
    """The first match of `attribute` inside a tag that `opening` starts (at
    least `gap` characters after it, before the tag's first `>`): what
    `opening[^>]{gap,}?attribute` finds when `attribute` cannot match a `>`,
    in linear time. That regex takes every unclosed opening (`<html <html
    ...`) to the end of the page and back: quadratic. Here each tag's text is
    searched once; an opening inside a tag already searched starts a suffix
    of it, where nothing can be found either."""
    searched_to = 0
    for start in opening.finditer(html):
        if start.start() < searched_to:
            continue
        end = html.find(">", start.end())
        if end < 0:
            end = len(html)
        match = attribute.search(html, start.end() + gap, end)
        if match:
            return match
        searched_to = end
    return None


def html_language(html: str) -> str | None:
    """The first <html> tag's lang attribute (a language code), from the raw page."""
    match = search_in_tags(html, _HTML_OPEN_RE, _LANG_ATTR_RE)
    return match.group(1) if match else None


def body_classes(html: str) -> str | None:
    """The first <body> tag's class attribute, from the raw page: the value
    runs to the next quote, wherever that is (as `[^"']*` reads it)."""
    match = search_in_tags(html, _BODY_OPEN_RE, _CLASS_ATTR_RE)
    if match is None:
        return None
    quote = _QUOTE_RE.search(html, match.end())
    return html[match.end():quote.start() if quote else len(html)]


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
        if language := html_language(html):
            meta.language = language.split("-")[0].lower()
        if (classes := body_classes(html)) is not None:
            meta.body_classes = frozenset(classes.split())
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
