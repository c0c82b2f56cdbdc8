"""schema.org microdata: the article's headline, authors and dates, read
within bounds (nested itemprops each hold all the text below them)."""

from __future__ import annotations

from bisect import bisect_right

from bs4 import BeautifulSoup, Tag

from ..text import clean_inline
from ..tree import FoldedText, NearestAncestor, Subtrees
from .jsonld import ARTICLE_TYPE_RE

_MICRODATA_PROPS = frozenset({"headline", "author", "datepublished", "datecreated"})


# A value longer than this is not a headline, a name or a date, and a page
# names no more than this many of each: what nested itemprops (each one's
# value holding all those below it) can cost is bounded.
MICRODATA_CHARS = 10_000
MICRODATA_VALUES = 100
_SMALL_SUBTREE = 64  # tags below an element whose text is read directly


class Microdata:
    """Reads the itemprops of the page's article (see `read`)."""

    def __init__(self, soup: BeautifulSoup, tags: list[Tag]) -> None:
        self.soup = soup
        self.tags = tags
        self.scope = NearestAncestor(lambda tag: tag.get("itemscope") is not None)
        self._index: Subtrees | None = None
        self._names: list[int] | None = None  # positions of itemprop="name" tags
        self._text: FoldedText | None = None

    def read(self, tag: Tag, found: dict[str, list[str]]) -> None:
        """An itemprop of the page's article (the nearest itemscope is of an
        article type): its value as microdata defines it."""
        props = str(tag.get("itemprop") or "").lower().split()
        wanted = [p for p in props if p in _MICRODATA_PROPS
                  and len(found.get(p, ())) < MICRODATA_VALUES]
        if not wanted:
            return
        scope = self.scope(tag)
        kind = str(scope.get("itemtype") or "") if scope is not None else ""
        if not any(ARTICLE_TYPE_RE.search(k.rstrip("/")) for k in kind.split()):
            return
        if "author" in wanted and tag.has_attr("itemscope"):
            name = self._first_name_below(tag)
            if isinstance(name, Tag):
                tag = name
        value = tag.get("content") or tag.get("datetime")
        if value:
            value = clean_inline(value if isinstance(value, str) else " ".join(value))
        else:
            value = self._text_of(tag)
        if value and len(value) <= MICRODATA_CHARS:
            for prop in wanted:
                found.setdefault(prop, []).append(value)

    def _subtrees(self) -> Subtrees:
        if self._index is None:
            self._index = Subtrees(self.tags)
        return self._index

    def _first_name_below(self, tag: Tag) -> Tag | None:
        """`tag.find(True, attrs={"itemprop": "name"})`."""
        index = self._subtrees()
        if tag not in index:
            found = tag.find(True, attrs={"itemprop": "name"})
            return found if isinstance(found, Tag) else None
        if self._names is None:
            self._names = [i for i, t in enumerate(index.tags) if t.get("itemprop") == "name"]
        start = index.position[id(tag)]
        at = bisect_right(self._names, start)
        if at < len(self._names) and self._names[at] < index.end[start]:
            return index.tags[self._names[at]]
        return None

    def _text_of(self, tag: Tag) -> str:
        """`clean_inline(tag.get_text(" "))` ("" past MICRODATA_CHARS)."""
        index = self._subtrees()
        if tag not in index or index.end[index.position[id(tag)]] \
                - index.position[id(tag)] <= _SMALL_SUBTREE:
            return clean_inline(tag.get_text(" "))
        if self._text is None:
            self._text = FoldedText(self.soup)
        _, text = self._text.text(tag, MICRODATA_CHARS)
        return text or ""
