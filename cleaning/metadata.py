"""What a page says about itself in its head: <title>, meta tags, canonical
link, language and JSON-LD. Read once per page; profiles fall back on it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup, Tag

from .text import clean_inline

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


def read_meta(soup: BeautifulSoup) -> PageMeta:
    page = PageMeta()
    title_tag = soup.find("title")
    if title_tag is not None:
        page.title = clean_inline(title_tag.get_text())
    html_tag = soup.find("html")
    if isinstance(html_tag, Tag):
        lang = html_tag.get("lang") or html_tag.get("xml:lang")
        if isinstance(lang, str) and lang.strip():
            page.language = lang.strip().split("-")[0].lower()
    body = soup.find("body")
    if isinstance(body, Tag):
        page.body_classes = frozenset(body.get("class") or [])
    for tag in soup.find_all("meta"):
        key = tag.get("property") or tag.get("name") or tag.get("itemprop")
        content = tag.get("content")
        if isinstance(key, str) and isinstance(content, str) and content.strip():
            page.meta.setdefault(key.strip().lower(), []).append(clean_inline(content))
    for link in soup.find_all("link", rel=True):
        rel: list[str] | str = link.get("rel") or []
        href = link.get("href")
        if "canonical" in rel and isinstance(href, str) and href.strip():
            page.canonical = href.strip()
            break
    for script in soup.find_all("script", type="application/ld+json"):
        found = _article_object(script.string or script.get_text())
        if found:
            page.jsonld = found
            break
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
