"""Any news page: BeautifulSoup pre-cleaning, then trafilatura picks the text.

Pre-cleaning (ours) records captions and cuts every caption form, share,
related, comment and plugin block out of the tree, so none of it can reach
the body. The page is narrowed to its semantic container when that holds
most of the text; trafilatura then chooses the main content among what is
left, in its precision mode, on our tree converted to lxml (no second
parse). On the bundled benchmark this beats both our own density scorer and
trafilatura on the raw page (bench/extract_quality.py), at under twice the
cost of a bare BeautifulSoup parse (bench/extract_speed.py).
"""

from __future__ import annotations

import logging
import re

import lxml.html
import trafilatura
from bs4 import BeautifulSoup
from lxml import etree
from lxml.html import HtmlElement
from lxml.html.soupparser import convert_tree

from ..boilerplate import strip_boilerplate
from ..dates import parse_date
from ..images import ImageCollector
from ..metadata import jsonld_names
from ..models import Image
from ..page import Draft, Page
from ..text import clean_block, clean_inline
from .wordpress import unique

# trafilatura logs every page it finds too short; that is our NotAnArticle.
logging.getLogger("trafilatura").setLevel(logging.ERROR)
_LIST_MARK_RE = re.compile(r"^[-*•]\s+")
MAIN_CONTAINERS = ("article", "main")  # the first of these the page has is its content
MAIN_SHARE = 0.3  # of the pre-cleaned page's text, for the container to be taken alone


class GenericProfile:
    name = "generic"
    version = "1"
    timezone = "UTC"

    def matches(self, url: str, html: str) -> bool:
        return True

    def parse_page(self, html: str, url: str) -> Page:
        return Page.parse(html, url)

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
        draft.blocks, draft.images = self.read_body(page, draft.title)
        return draft

    def read_title(self, page: Page) -> str:
        headline = page.meta.jsonld.get("headline")
        candidates = [page.meta.first("og:title", "twitter:title"),
                      headline if isinstance(headline, str) else None]
        h1 = page.first("h1")
        if h1 is not None:
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

    def read_body(self, page: Page, title: str) -> tuple[list[str], list[Image]]:
        soup = page.soup
        strip_boilerplate(soup, page.tags)
        # Captions of the article's own images are kept; the rest of the page's
        # figures (teasers, galleries elsewhere) are cut unrecorded.
        main = next((t for t in map(page.first, MAIN_CONTAINERS) if t is not None), None)
        images = ImageCollector(page.url)
        images.take_from(soup, record_within=main, tags=page.tags)
        # The head is read already (metadata); trafilatura needs only the body.
        head = page.first("head")
        if head is not None:
            head.decompose()
        text = trafilatura.extract(
            narrow_to_main(as_lxml_tree(soup)), url=page.url, favor_precision=True,
            include_comments=False, include_tables=True, include_images=False,
            deduplicate=False,
        )
        if not text:
            return [], images.images
        blocks = [clean_block(_LIST_MARK_RE.sub("", line)) for line in text.split("\n")]
        return [b for b in blocks if b and b != title], images.images


def as_lxml_tree(soup: BeautifulSoup) -> HtmlElement | str:
    """The pre-cleaned tree as lxml elements for trafilatura, converted node
    by node: a third of the cost of serialising and re-parsing.
    `convert_tree` hands back the children of the page's root (head, body),
    detached: they go under a new <html>."""
    try:
        children = convert_tree(soup)
    except ValueError:  # text lxml will not hold; trafilatura parses the string instead
        return str(soup)
    root = lxml.html.Element("html")
    root.extend(child for child in children if isinstance(child.tag, str))
    # trafilatura parses with comments left out; one it meets mid-paragraph is
    # removed with the text that follows it. Stripping keeps that text.
    etree.strip_tags(root, etree.Comment)
    return root


def narrow_to_main(root: HtmlElement | str) -> HtmlElement | str:
    """The page's semantic container (MAIN_CONTAINERS) alone,
    when it holds at least MAIN_SHARE of the pre-cleaned page's text: less
    for trafilatura to weigh (faster), and teasers and widgets outside it
    cannot be chosen. A container with less (a teaser <article>) is ignored."""
    if isinstance(root, str):
        return root
    main = next((m for m in (next(root.iter(name), None) for name in MAIN_CONTAINERS)
                 if m is not None), None)  # lxml elements are falsy when childless
    if main is None:
        return root
    if len(main.text_content()) < MAIN_SHARE * len(root.text_content()):
        return root
    narrowed = lxml.html.Element("html")
    main.tail = None  # the text after the container stays behind
    etree.SubElement(narrowed, "body").append(main)
    return narrowed
