"""The page's head, read once: <title>, meta tags (Open Graph, Dublin Core,
PRISM, Parse.ly, Sailthru, `byl`), the canonical link, language, and the
article's JSON-LD and microdata (`PageMeta`); the publication times and
paywall marks it declares."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup, Tag

from ..text import clean_inline
from ..tree import NearestAncestor
from .jsonld import article_object, flatten, item_types, jsonld_names, parse_jsonld
from .microdata import Microdata

_HEAD_TAGS = frozenset({"meta", "title", "link", "script"})

# A separator's spaces are read from the start of their run only (`(?<!\s)`):
# the same matches, without trying every position of a long run of spaces
# (a quadratic search in a declared headline left unfolded).
TITLE_SEPARATORS_RE = re.compile(r"(?<!\s)\s+(?:\||-|–|—|::|·|»)\s+")


@dataclass
class PageMeta:
    title: str = ""
    canonical: str | None = None
    language: str | None = None
    body_classes: frozenset[str] = frozenset()
    meta: dict[str, list[str]] = field(default_factory=dict)
    # The page's article object, if any, its author references resolved.
    jsonld: dict[str, Any] = field(default_factory=dict)
    # Every JSON-LD object of the page, nested ones included.
    jsonld_objects: list[dict[str, Any]] = field(default_factory=list)
    # Microdata of the page's article (itemtype *Article): headline, author, datePublished.
    microdata: dict[str, list[str]] = field(default_factory=dict)
    _site_names: list[str] | None = field(default=None, repr=False, compare=False)

    def first(self, *names: str) -> str | None:
        for name in names:
            values = self.meta.get(name)
            if values:
                return values[0]
        return None

    def all(self, name: str) -> list[str]:
        return self.meta.get(name, [])

    def site_names(self) -> list[str]:
        """What the site calls itself: og:site_name, application-name, the
        JSON-LD publisher and WebSite names, the <title>'s tail."""
        if self._site_names is None:
            self._site_names = self._read_site_names()
        return self._site_names

    def _read_site_names(self) -> list[str]:
        names = [*self.all("og:site_name"), *self.all("application-name")]
        publisher = self.jsonld.get("publisher")
        names += jsonld_names(publisher)
        for item in self.jsonld_objects:
            if item_types(item) & {"WebSite"} and isinstance(item.get("name"), str):
                names.append(item["name"])
        # "Headline - Site": the last part of a <title> cut by a separator.
        parts = TITLE_SEPARATORS_RE.split(self.title)
        if len(parts) > 1 and len(parts[-1]) <= 60:
            names.append(parts[-1])
        return [clean_inline(n) for n in names if clean_inline(n)]


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
    scripts: list[str] = []
    microdata = Microdata(soup, tags)
    in_svg = NearestAncestor(lambda tag: tag.name == "svg")
    # Meta tags and JSON-LD also sit in <body>: the whole page is read.
    for tag in tags:
        name = tag.name
        if name in _HEAD_TAGS:
            if name == "meta":
                key = tag.get("property") or tag.get("name") or tag.get("itemprop")
                content = tag.get("content")
                if isinstance(key, str) and isinstance(content, str) and content.strip():
                    page.meta.setdefault(key.strip().lower(), []).append(clean_inline(content))
            elif name == "title":
                if not page.title and in_svg(tag) is None:
                    page.title = clean_inline(tag.get_text())
            elif name == "link":
                rel: list[str] | str = tag.get("rel") or []
                href = tag.get("href")
                if page.canonical is None and "canonical" in rel and isinstance(href, str):
                    page.canonical = href.strip() or None
            elif tag.get("type") == "application/ld+json":
                scripts.append(tag.string or tag.get_text())
        if "itemprop" in tag.attrs and name != "meta":
            microdata.read(tag, page.microdata)
    objects: list[dict[str, Any]] = []
    for raw in scripts:
        objects.extend(flatten(parse_jsonld(raw)))
    page.jsonld_objects = objects
    page.jsonld = article_object(objects) or {}
    return page


# --- dates --------------------------------------------------------------------------------
# Meta tags that give the publication time, most specific first.
PUBLISHED_META = (
    "article:published_time", "article:published", "article.published", "og:published_time",
    "og:pubdate", "datepublished", "publishdate", "publish-date", "publish_date", "pubdate",
    "publication_date", "published_time", "published_at", "published", "dc.date.issued",
    "dcterms.issued", "dcterms.created", "dc.date.created", "prism.publicationdate",
    "citation_publication_date", "citation_date", "parsely-pub-date", "sailthru.date",
    "dcsext.articlefirstpublished", "datecreated", "dc.date", "dcterms.date", "date", "pdate",
)


def date_candidates(meta: PageMeta) -> list[str]:
    """Publication times the page declares, best first (see the module's precedence)."""
    candidates: list[str] = []
    for key in ("datePublished", "dateCreated"):
        value = meta.jsonld.get(key)
        if isinstance(value, str):
            candidates.append(value)
    candidates += [v for key in PUBLISHED_META for v in meta.all(key)]
    candidates += meta.microdata.get("datepublished", []) + meta.microdata.get("datecreated", [])
    return candidates


def paywall_marks(meta: PageMeta) -> list[object]:
    """What the page declares about free access: JSON-LD `isAccessibleForFree`
    (of the article or of its parts), the same in microdata, and
    `article:content_tier` ("locked", "metered", "free")."""
    values: list[object] = [meta.jsonld.get("isAccessibleForFree")]
    parts = meta.jsonld.get("hasPart")
    for part in parts if isinstance(parts, list) else [parts]:
        if isinstance(part, dict):
            values.append(part.get("isAccessibleForFree"))
    values += meta.all("isaccessibleforfree") + meta.all("article:content_tier")
    return [v for v in values if v is not None]
