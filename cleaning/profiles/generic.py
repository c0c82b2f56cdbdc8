"""Any news page: BeautifulSoup pre-cleaning, then the densest text container.

Pre-cleaning removes what is never article text (navigation, header, footer,
asides, captions, share/related/comment blocks). The main content is then the
element whose paragraphs carry the most text with the fewest links, widened
to its siblings that score alike (readability's idea, on BeautifulSoup).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bs4 import NavigableString, Tag

from ..blocks import iter_blocks
from ..boilerplate import IN_CONTENT_BOILERPLATE, remove_all, strip_non_text
from ..dates import parse_date
from ..images import ImageCollector
from ..metadata import jsonld_names
from ..page import Draft, Page
from ..text import clean_inline
from .wordpress import unique

STRUCTURAL_BOILERPLATE = (
    "nav, header, footer, aside, menu, dialog, [role=navigation], [role=banner], "
    "[role=contentinfo], [role=complementary], [aria-hidden=true]"
)
_NEGATIVE_RE = re.compile(
    r"share|social|related|recommend|comment|sidebar|widget|footer|masthead|menu|breadcrumb|"
    r"subscribe|newsletter|promo|advert|sponsor|banner|cookie|popup|modal|outbrain|taboola|"
    r"byline|author-bio|tags|toolbar|signup|paywall|more-stories|read-more|trending|"
    r"\bnav|skip|caption|credit",
    re.I,
)
_POSITIVE_RE = re.compile(r"article|body|content|entry|main|post|story|text|blog", re.I)
_TEXT_CONTAINERS = ("p", "pre", "blockquote", "td", "li", "h2", "h3")
_MIN_PARAGRAPH = 25


class GenericProfile:
    name = "generic"
    version = "1"
    timezone = "UTC"

    def matches(self, url: str, html: str) -> bool:
        return True

    def extract(self, page: Page) -> Draft:
        meta = page.meta
        draft = Draft(canonical_url=meta.canonical)
        draft.title = self.read_title(page)
        draft.authors = unique(
            clean_inline(n) for n in jsonld_names(meta.jsonld.get("author")) + meta.all("author")
            if not n.startswith("http")
        )
        for candidate in (meta.first("article:published_time", "datepublished", "date",
                                     "og:published_time", "pubdate"),
                          meta.jsonld.get("datePublished")):
            if isinstance(candidate, str):
                draft.published = parse_date(candidate)
                if draft.published:
                    break
        draft.categories = unique(meta.all("article:section"))
        draft.tags = unique(meta.all("article:tag"))
        root = page.soup.body or page.soup
        if isinstance(root, Tag):
            draft.blocks, draft.images = self.read_body(root, page.url, draft.title)
        return draft

    def read_title(self, page: Page) -> str:
        headline = page.meta.jsonld.get("headline")
        candidates = [page.meta.first("og:title", "twitter:title"),
                      headline if isinstance(headline, str) else None]
        h1 = page.soup.find("h1")
        if isinstance(h1, Tag):
            candidates.insert(0, h1.get_text(" "))
        for candidate in candidates:
            text = clean_inline(candidate)
            if text:
                return text
        site = page.meta.first("og:site_name")
        title = page.meta.title
        if site:
            title = re.sub(r"\s*[-|–—:]+\s*" + re.escape(site) + r"\s*$", "", title)
        return title

    # --- body ----------------------------------------------------------------
    def read_body(self, root: Tag, url: str, title: str) -> tuple[list[str], list]:
        strip_non_text(root)
        remove_all(root, STRUCTURAL_BOILERPLATE)
        remove_all(root, IN_CONTENT_BOILERPLATE)
        self.remove_by_class_name(root)
        content = self.best_container(root)
        if content is None:
            return [], []
        images = ImageCollector(url)
        images.take_from(content)
        blocks = [b for b in iter_blocks(content) if b != title]
        return blocks, images.images

    @staticmethod
    def remove_by_class_name(root: Tag) -> None:
        for element in list(root.find_all(True)):
            if element.decomposed or element.name in ("body", "html", "article", "main"):
                continue
            names = " ".join(element.get("class") or []) + " " + str(element.get("id") or "")
            if names.strip() and _NEGATIVE_RE.search(names) and not _POSITIVE_RE.search(names):
                element.decompose()

    def best_container(self, root: Tag) -> Tag | None:
        scores: dict[int, float] = {}
        elements: dict[int, Tag] = {}
        for paragraph in root.find_all(_TEXT_CONTAINERS):
            text = paragraph.get_text(" ", strip=True)
            if len(text) < _MIN_PARAGRAPH:
                continue
            score = 1 + text.count(",") + min(len(text) / 100, 3)
            score *= 1 - link_density(paragraph, len(text))
            parent = paragraph.parent
            for weight in (1.0, 0.5):
                if not isinstance(parent, Tag):
                    break
                key = id(parent)
                elements[key] = parent
                scores[key] = scores.get(key, 0.0) + score * weight
                parent = parent.parent
        if not scores:
            return None
        best_key = max(scores, key=lambda k: scores[k])
        return elements[best_key]


def link_density(element: Tag, text_length: int | None = None) -> float:
    length = text_length if text_length is not None else len(element.get_text(" ", strip=True))
    if not length:
        return 1.0
    linked = sum(len(a.get_text(" ", strip=True)) for a in element.find_all("a"))
    return min(linked / length, 1.0)


def _texts(nodes: Iterable[Tag | NavigableString]) -> str:
    return " ".join(str(n) for n in nodes)
