"""JSON-LD as pages write it (trailing commas, comments, CDATA wrappers, one
broken block beside good ones): parsed, flattened, and the article's object
chosen by its schema.org type."""

from __future__ import annotations

import html as html_lib
import json
import re
from typing import Any

from ..text import clean_inline

# schema.org's article types: every *Article (NewsArticle and its subtypes
# ReportageNewsArticle, AnalysisNewsArticle, OpinionNewsArticle,
# BackgroundNewsArticle, ReviewNewsArticle, AskPublicNewsArticle;
# ScholarlyArticle, TechArticle, SatiricalArticle ...), the postings, Report.
ARTICLE_TYPE_RE = re.compile(
    r"(?:Article|BlogPosting|LiveBlogPosting|SocialMediaPosting|Report|ReportageNews)$")
PAGE_TYPE_RE = re.compile(r"WebPage$")  # WebPage, MedicalWebPage, ItemPage: a weaker source
ORG_TYPE_RE = re.compile(r"Organization$|^Corporation$|^NGO$|^NewsMediaOrganization$")


_TRAILING_COMMA_RE = re.compile(r",\s*([\]}])")
_LINE_COMMENT_RE = re.compile(r"(?<![:\"'\w\\])//[^\n]*")
_WRAPPER_RE = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?://\s*)?(?:\]\]>|-->)\s*$")
_FIELD_RE = {
    name: re.compile(rf'"{name}"\s*:\s*"((?:[^"\\]|\\.)*)"')
    for name in ("@type", "headline", "datePublished", "dateCreated")
}
_AUTHOR_NAME_RE = re.compile(r'"author"\s*:\s*\[?\s*(?:"((?:[^"\\]|\\.)*)"|\{[^{}]*?"name"\s*:\s*'
                             r'"((?:[^"\\]|\\.)*)")')


def parse_jsonld(raw: str) -> list[Any]:
    """Every JSON value in one <script type="application/ld+json">, tolerating
    what sites get wrong: comments, trailing commas, raw newlines in strings,
    several objects one after another, HTML comment wrappers. What still does
    not parse gives the fields a regex can read (type, headline, dates, author)."""
    text = _WRAPPER_RE.sub("", raw.strip())
    if not text:
        return []
    for attempt in (text, _repair(text)):
        values = _decode_all(attempt)
        if values is not None:
            return values
    salvaged: dict[str, Any] = {}
    for name, pattern in _FIELD_RE.items():
        match = pattern.search(text)
        if match:
            salvaged[name] = _unescape(match.group(1))
    author = _AUTHOR_NAME_RE.search(text)
    if author:
        salvaged["author"] = {"name": _unescape(author.group(1) or author.group(2))}
    return [salvaged] if salvaged else []


def _repair(text: str) -> str:
    text = _strip_block_comments(text)
    text = _LINE_COMMENT_RE.sub("", text)
    return _TRAILING_COMMA_RE.sub(r"\1", text)


def _strip_block_comments(text: str) -> str:
    """`re.sub(r"/\\*.*?\\*/", "", text, flags=re.S)` in linear time (that regex
    reads from every unclosed "/*" to the end): once no "*/" follows a "/*",
    none follows a later one either."""
    pieces: list[str] = []
    done = 0
    while (start := text.find("/*", done)) >= 0 and (end := text.find("*/", start + 2)) >= 0:
        pieces.append(text[done:start])
        done = end + 2
    return "".join(pieces) + text[done:] if pieces else text


def _decode_all(text: str) -> list[Any] | None:
    decoder = json.JSONDecoder(strict=False)
    values: list[Any] = []
    position = 0
    try:
        while position < len(text):
            value, position = decoder.raw_decode(text, position)
            values.append(value)
            while position < len(text) and text[position] in " \t\r\n;,":
                position += 1
    except (ValueError, RecursionError):
        return values or None
    return values


def _unescape(value: str) -> str:
    try:
        decoded: str = json.loads(f'"{value}"', strict=False)
        return decoded
    except ValueError:
        return value


def flatten(values: list[Any]) -> list[dict[str, Any]]:
    """Every object in the JSON-LD, nested @graph, mainEntity and list items
    included, in document order."""
    found: list[dict[str, Any]] = []
    stack: list[Any] = list(reversed(values))
    seen = 0
    while stack and seen < 5000:
        seen += 1
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            found.append(item)
            for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement",
                        "hasPart", "item"):
                if isinstance(item.get(key), (dict, list)):
                    stack.append(item[key])
    return found


def item_types(item: dict[str, Any]) -> set[str]:
    kind = item.get("@type") or item.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.rsplit("/", 1)[-1] for k in kinds if isinstance(k, str)}


def jsonld_types(item: dict[str, Any]) -> set[str]:
    """An object's schema.org types by name ("https://schema.org/AboutPage": AboutPage)."""
    return item_types(item)


def is_article_type(kind: str) -> bool:
    """NewsArticle, BlogPosting, Report...: the types `jsonld` is chosen by."""
    return ARTICLE_TYPE_RE.search(kind) is not None


def article_object(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The page's article: the first object of an article type; else a web
    page object that carries a headline or a publication date. Its author
    references ({"@id": ...}) are resolved through the page's other objects."""
    chosen = next((o for o in objects
                   if any(ARTICLE_TYPE_RE.search(t) for t in item_types(o))), None)
    if chosen is None:
        chosen = next((o for o in objects if any(PAGE_TYPE_RE.search(t) for t in item_types(o))
                       and ("headline" in o or "datePublished" in o)), None)
    if chosen is None:
        return None
    by_id = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str) and len(o) > 1}
    resolved = dict(chosen)
    for key in ("author", "creator", "publisher"):
        value = resolved.get(key)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        resolved[key] = [by_id.get(i["@id"], i) if isinstance(i, dict) and "@id" in i
                         and len(i) == 1 else i for i in items]
    if "author" not in resolved and "creator" in resolved:
        resolved["author"] = resolved["creator"]
    return resolved


def jsonld_names(value: Any) -> list[str]:
    """Names from a JSON-LD person/organisation/list field."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, list):
            name = next((n for n in name if isinstance(n, str)), None)
        if isinstance(name, str) and clean_inline(html_lib.unescape(name)):
            names.append(clean_inline(html_lib.unescape(name)))
    return names


def jsonld_people(value: Any) -> tuple[list[str], list[str]]:
    """(people, organisations) named by a JSON-LD author field."""
    people: list[str] = []
    organisations: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        names = jsonld_names(item)
        if isinstance(item, dict) and any(ORG_TYPE_RE.search(t) for t in item_types(item)):
            organisations += names
        else:
            people += names
    return people, organisations
