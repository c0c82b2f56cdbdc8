"""A BeautifulSoup tree as lxml elements: `lxml.html.soupparser.convert_tree`,
node for node, in linear time.

lxml's converter appends each text to the element before it with
`len(parent)`, which counts the parent's children: quadratic on a
paragraph of thousands of `<br>`s (5 MB of `a<br>` took a minute). Here
the texts are gathered and set once per element, and everything else is
done as lxml does it (the same root, attributes, entities, comments and
processing instructions; one level of recursion per level of the tree, so
a page nested too deeply fails here as it did there).
"""

from __future__ import annotations

import re
from html.entities import name2codepoint
from typing import Any

from bs4 import BeautifulSoup, Comment, NavigableString, ProcessingInstruction, Tag
from lxml import etree, html
from lxml.html import HtmlElement
from lxml.html.soupparser import _PseudoTag

_ENTITY_RE = re.compile(r"&(\w+);")


def convert_tree(soup: BeautifulSoup) -> list[HtmlElement]:
    """The children of the page's root element, converted and detached, as
    `lxml.html.soupparser.convert_tree(soup)` returns them (it also makes
    the soup's other top-level elements children of its <html>, as lxml's
    converter does)."""
    first = last = None
    html_root: Any = None
    for index, node in enumerate(soup):
        if isinstance(node, Tag):
            if first is None:
                first = index
            last = index
            if html_root is None and node.name and node.name.lower() == "html":
                html_root = node
    roots = soup.contents if first is None or last is None else soup.contents[first:last + 1]
    if html_root is not None:
        position = roots.index(html_root)
        html_root.contents = roots[:position] + html_root.contents + roots[position + 1:]
    else:
        html_root = _PseudoTag(roots)
    attributes = _attributes(html_root.attrs) if html_root.attrs else {}
    root = html.html_parser.makeelement(html_root.name, attrib=attributes)
    _convert_children(html_root, root)
    children = root.getchildren()
    for child in children:
        root.remove(child)
    return children


def _convert_children(node: Any, element: Any) -> None:
    """Convert `node`'s children under `element` (one call per tree level)."""
    last: Any = None  # the last node appended to `element`
    texts: list[str] = []  # text for `element.text`, or for `last.tail`
    for child in node:
        if isinstance(child, (Tag, _PseudoTag)):
            converted = _append_element(child, element, last, texts)
            _convert_children(child, converted)
        elif isinstance(child, Comment):
            converted = html.HtmlComment(child)
            _flush(element, last, texts)
            element.append(converted)
        elif isinstance(child, ProcessingInstruction):
            text = child[:-1] if child.endswith("?") else child
            converted = etree.ProcessingInstruction(*text.split(" ", 1))
            _flush(element, last, texts)
            element.append(converted)
        elif isinstance(child, NavigableString):
            texts.append(_unescape(child))
            continue
        else:
            continue
        last = converted
        texts = []
    _flush(element, last, texts)


def _append_element(child: Any, element: Any, last: Any, texts: list[str]) -> Any:
    _flush(element, last, texts)
    attributes = _attributes(child.attrs) if child.attrs else None
    return etree.SubElement(element, child.name, attrib=attributes)


def _flush(element: Any, last: Any, texts: list[str]) -> None:
    """Set the gathered texts where lxml's converter appends them one by one."""
    if not texts:
        return
    joined = "".join(texts)
    if last is None:
        element.text = (element.text or "") + joined
    else:
        last.tail = (last.tail or "") + joined
    texts.clear()


def _attributes(attrs: Any) -> dict[str, str]:
    if isinstance(attrs, dict):
        return {key: _unescape(" ".join(value) if isinstance(value, list) else value)
                for key, value in attrs.items()}
    return {key: _unescape(value) for key, value in attrs}


def _unescape(string: str) -> str:
    """lxml's soupparser.unescape: named entities BeautifulSoup left as text."""
    if not string:
        return ""

    def entity(match: re.Match[str]) -> str:
        try:
            return chr(name2codepoint[match.group(1)])
        except KeyError:
            return match.group(0)

    return _ENTITY_RE.sub(entity, string)
