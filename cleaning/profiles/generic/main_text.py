"""trafilatura's choice of the main text, on our pre-cleaned tree converted
to lxml (no second parse), narrowed to the page's semantic container when
that holds most of its text."""

from __future__ import annotations

import logging
import re

import lxml.html
import trafilatura
from bs4 import BeautifulSoup
from lxml import etree
from lxml.html import HtmlElement

from ...convert import convert_tree
from ...text import clean_block

# trafilatura logs every page it finds too short; that is our NotAnArticle.
logging.getLogger("trafilatura").setLevel(logging.ERROR)
_LIST_MARK_RE = re.compile(r"^[-*•]\s+")
MAIN_CONTAINERS = ("article", "main")  # the first of these the page has is its content
MAIN_SHARE = 0.3  # of the pre-cleaned page's text, for the container to be taken alone


def main_text(tree: HtmlElement | str, url: str, precision: bool) -> list[str]:
    """trafilatura's choice of the main text, one block a line."""
    text = trafilatura.extract(
        tree, url=url, favor_precision=precision, include_comments=False,
        include_tables=True, include_images=False, deduplicate=False,
    )
    if not text:
        return []
    blocks = [clean_block(_LIST_MARK_RE.sub("", line)) for line in text.split("\n")]
    return [b for b in blocks if b]


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
