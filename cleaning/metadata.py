"""What a page says about itself in its head: <title>, meta tags, canonical
link, language and JSON-LD. Read once per page; profiles fall back on it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup, Tag

from .text import clean_inline

_HEAD_TAGS = frozenset({"meta", "title", "link", "script"})
_ARTICLE_TYPES = {
    "Article", "NewsArticle", "BlogPosting", "ReportageNews", "AnalysisNewsArticle",
    "OpinionNewsArticle", "BackgroundNewsArticle", "Report", "LiveBlogPosting",
    "ScholarlyArticle", "TechArticle", "SocialMediaPosting",
}


@dataclass
class PageMeta:
    title: str = ""
    canonical: str | None = None
    language: str | None = None
    body_classes: frozenset[str] = frozenset()
    meta: dict[str, list[str]] = field(default_factory=dict)
    jsonld: dict[str, Any] = field(default_factory=dict)  # the page's article object, if any

    def first(self, *names: str) -> str | None:
        for name in names:
            values = self.meta.get(name)
            if values:
                return values[0]
        return None

    def all(self, name: str) -> list[str]:
        return self.meta.get(name, [])


def read_meta(soup: BeautifulSoup, tags: list[Tag] | None = None) -> PageMeta:
    """The page's metadata. `tags`: every tag of `soup` in document order,
    if the caller has them (a plain list is much cheaper to filter than a
    bs4 search by name, which costs milliseconds on a large page)."""
    page = PageMeta()
    if tags is None:
        tags = soup.find_all(True)
    html_tag = next((t for t in tags if t.name == "html"), None)
    if html_tag is not None:
        lang = html_tag.get("lang") or html_tag.get("xml:lang")
        if isinstance(lang, str) and lang.strip():
            page.language = lang.strip().split("-")[0].lower()
    body = next((t for t in tags if t.name == "body"), None)
    if body is not None:
        page.body_classes = frozenset(body.get("class") or [])
    # Meta tags and JSON-LD also sit in <body>: the whole page is read.
    for tag in (t for t in tags if t.name in _HEAD_TAGS):
        if tag.name == "meta":
            key = tag.get("property") or tag.get("name") or tag.get("itemprop")
            content = tag.get("content")
            if isinstance(key, str) and isinstance(content, str) and content.strip():
                page.meta.setdefault(key.strip().lower(), []).append(clean_inline(content))
        elif tag.name == "title":
            if not page.title and tag.find_parent("svg") is None:
                page.title = clean_inline(tag.get_text())
        elif tag.name == "link":
            rel: list[str] | str = tag.get("rel") or []
            href = tag.get("href")
            if page.canonical is None and "canonical" in rel and isinstance(href, str):
                page.canonical = href.strip() or None
        elif not page.jsonld and tag.get("type") == "application/ld+json":
            page.jsonld = _article_object(tag.string or tag.get_text()) or {}
    return page


def _article_object(raw: str) -> dict[str, Any] | None:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    stack: list[Any] = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            kind = item.get("@type")
            kinds = set(kind) if isinstance(kind, list) else {kind}
            if kinds & _ARTICLE_TYPES:
                return item
            if "@graph" in item:
                stack.append(item["@graph"])
    return None


def jsonld_names(value: Any) -> list[str]:
    """Names from a JSON-LD person/organisation/list field."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and clean_inline(name):
            names.append(clean_inline(name))
    return names
