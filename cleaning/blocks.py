"""Turn a pruned content element into body blocks.

A block is a maximal run of text whose nearest block-level ancestor is the same
element: `<p>a <b>b</b></p>` is one block, `<div>a<p>b</p>c</div>` is three.
Walks `descendants` (iterative, so 10,000 nested elements cannot overflow the
stack) and never builds the text twice.
"""

from __future__ import annotations

import re

from bs4 import NavigableString, Tag
from bs4.element import PreformattedString

from .boilerplate import is_furniture_text
from .text import clean_block

BLOCK_TAGS = frozenset(
    (
        "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre section article "
        "table thead tbody tfoot tr td th caption figure header footer main aside "
        "nav address hr form center details summary fieldset body html "
    ).split()
)
_BREAK = "\x00"  # stands for <br> while a block's pieces are gathered
_DOUBLE_BREAK_RE = re.compile(r"\x00\s*\x00[\x00\s]*")


class _BlockFinder:
    """Memoised nearest block-level ancestor of any node under `root`."""

    def __init__(self, root: Tag) -> None:
        self.root = root
        self.cache: dict[int, Tag] = {}

    def block_of(self, node: Tag | NavigableString) -> Tag:
        path: list[Tag] = []
        element = node.parent
        found = self.root
        while element is not None and element is not self.root:
            cached = self.cache.get(id(element))
            if cached is not None:
                found = cached
                break
            if element.name in BLOCK_TAGS:
                found = element
                break
            path.append(element)
            element = element.parent
        for visited in path:
            self.cache[id(visited)] = found
        return found


def iter_blocks(root: Tag) -> list[str]:
    """The text blocks of `root` in document order, cleaned; empties and
    the lines plugins print (boilerplate.is_furniture_text) dropped."""
    finder = _BlockFinder(root)
    groups: list[list[str]] = []
    current_block: Tag | None = None
    for node in root.descendants:
        if isinstance(node, NavigableString):
            if isinstance(node, PreformattedString):  # comments, CDATA, doctypes
                continue
            piece = str(node)
        elif isinstance(node, Tag) and node.name == "br":
            piece = _BREAK
        else:
            continue
        block = finder.block_of(node)
        if block is not current_block:
            groups.append([])
            current_block = block
        groups[-1].append(piece)

    blocks: list[str] = []
    for pieces in groups:
        # One <br> is a line break inside the paragraph; two or more end it.
        for part in _DOUBLE_BREAK_RE.split("".join(pieces)):
            text = clean_block(part.replace(_BREAK, " "))
            if text and not is_furniture_text(text):
                blocks.append(text)
    return blocks
