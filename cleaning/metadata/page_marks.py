"""What the page's own markup says beside its head: bylines near the title,
<time> elements, and dates printed in the text."""

from __future__ import annotations

import re

from bs4 import NavigableString, Tag

from ..tree import FoldedText, NearestAncestor, Subtrees
from .titles import words

_BYLINE_WORD_RE = re.compile(
    r"(?:^|[-_\s])(?:byline|bylines|by-line|author|authors|authorname|author-name|author_name|"
    r"writer|posted-by|postedby|contributor|contributors|reporter)(?:$|[-_\s])", re.I)
_NOT_BYLINE_RE = re.compile(
    r"comment|widget|sidebar|related|footer|popular|trending|recommend|bio|avatar|image|img|"
    r"photo|follow|social|share|newsletter", re.I)
_BYLINE_CHARS = 150


def _marks(tag: Tag) -> str:
    classes = tag.get("class")
    words = classes if isinstance(classes, list) else [classes or ""]
    return " ".join([*words, str(tag.get("id") or "")])


_BY_START_RE = re.compile(
    r"^(?:(?:written|posted|published|publicado|publicada|reported|escrito|escrita|"
    r"geschrieben|publié|pubblicato)\s+)?(?:by|por|von|par|di|door|av|af)\b\s*:?\s*\S", re.I)
_BY_START_TAGS = frozenset("p div span li small em strong address section header dd a".split())
_WINDOW_BEFORE, _WINDOW_AFTER = 40, 250  # tags around the headline where bylines sit


def title_index(tags: list[Tag], title: str) -> int | None:
    """Where the headline sits among the page's tags: its <h1>, or failing
    that the page's first <article> or <main>.

    An <h1>'s text is read only when it has as many word characters as the
    headline, and not when the nearest <h1> around it has as many too (then
    both have the same words: it was read already). Nested <h1>s each read
    all the text below them: quadratic."""
    wanted = words(title)
    h1s = [(i, t) for i, t in enumerate(tags) if t.name == "h1"] if wanted else []
    if h1s:
        length = sum(map(len, wanted))
        index = Subtrees(tags)
        around = NearestAncestor(lambda tag: tag.name == "h1")
        counts: dict[int, int] = {}
        for position, tag in h1s:
            if tag not in index or tag.interesting_string_types not in (
                    None, Tag.MAIN_CONTENT_STRING_TYPES):
                if words(tag.get_text(" ")) == wanted:
                    return position
                continue
            count = counts[id(tag)] = _word_chars_of(tag) + index.below(
                "word chars", _word_chars_of, tag)
            outer = around(tag)
            if count != length or (outer is not None and counts.get(id(outer)) == count):
                continue
            if words(tag.get_text(" ")) == wanted:
                return position
    return next((i for i, t in enumerate(tags) if t.name in ("article", "main")), None)


def _word_chars_of(tag: Tag) -> int:
    """The word characters of the element's own strings (those `get_text` reads)."""
    return sum(len(_NON_WORD_RE.sub("", str(child).casefold())) for child in tag.contents
               if type(child) in Tag.MAIN_CONTENT_STRING_TYPES)


_NON_WORD_RE = re.compile(r"\W+")


class _Excluded:
    """Whether a byline candidate sits in a footer, an aside, a navigation
    or a block whose class says it is not a byline (a comment, a widget),
    each ancestor looked at once a page."""

    def __init__(self) -> None:
        self._known: dict[int, bool] = {}
        self._held: list[Tag] = []

    def __call__(self, tag: Tag) -> bool:
        path: list[Tag] = []
        node: Tag | None = tag.parent
        found = False
        while isinstance(node, Tag) and node.name not in ("[document]", "html", "body"):
            if id(node) in self._known:
                found = self._known[id(node)]
                break
            if node.name in ("footer", "aside", "nav") or _NOT_BYLINE_RE.search(_marks(node)):
                found = True
                break
            path.append(node)
            node = node.parent
        for visited in path:
            self._known[id(visited)] = found
        self._held += path
        return found


def _names_byline(marks: str) -> bool:
    return bool(_BYLINE_WORD_RE.search(marks))


def byline_texts(tags: list[Tag], anchor: int | None = None, limit: int = 3) -> list[str]:
    """Texts of the page's bylines, nearest the headline (tag index `anchor`)
    first: rel=author links and elements whose class or id names a byline or
    an author (the innermost such element), and short elements that open
    with "By" ("Posted by", "Publicado por", "Von" ...); outside comments,
    widgets, asides and footers."""
    if anchor is None:
        window = range(len(tags))
        anchor = 0
    else:
        window = range(max(0, anchor - _WINDOW_BEFORE), min(len(tags), anchor + _WINDOW_AFTER))
    texts = _Texts(tags)
    opens = _FirstWords(tags)
    marked: list[tuple[int, Tag]] = []
    opening: list[tuple[int, Tag]] = []
    for index in window:
        tag = tags[index]
        if tag.name in ("meta", "link", "script", "style", "img", "body", "html", "head"):
            continue
        rel = tag.get("rel")
        marks = _marks(tag)
        if (isinstance(rel, list) and "author" in rel) \
                or (_names_byline(marks) and not _NOT_BYLINE_RE.search(marks)):
            marked.append((index, tag))
        elif tag.name in _BY_START_TAGS and opens(tag):
            text = texts(tag, _BYLINE_CHARS)
            if text is not None and _BY_START_RE.match(text.lstrip(_LEADING_NOISE)):
                opening.append((index, tag))
    # The innermost marked element; the outermost one that opens with "By"
    # (ancestors found by sweeping each list in document order: see _nesting).
    inner = [(i, t) for i, t, _, below in _nesting(marked, texts.index) if not below]
    # Several names in elements of their own, marked alike, under one byline
    # ("By <span class=byline__item>A</span> and <span class=byline__item>B</span>"): one text.
    holders = {id(t): holder for _, t, holder, _ in _nesting(marked, texts.index)}
    groups: dict[tuple[int, str, str], list[tuple[int, Tag]]] = {}
    for index, tag in inner:
        holder = holders[id(tag)]
        group = (id(holder) if holder is not None else id(tag), _marks(tag), str(tag.name))
        groups.setdefault(group, []).append((index, tag))
    joined: list[tuple[int, Tag | str | None]] = []
    for members in groups.values():
        if len(members) == 1:
            joined.append(members[0])
        else:
            parts = [texts(t, _BYLINE_CHARS) for _, t in members]
            # A name longer than a byline makes the whole too long to be one.
            joined.append((members[0][0], None if None in parts else ", ".join(
                p for p in parts if p is not None)))
    outer = [(i, t) for i, t, holder, _ in _nesting(opening, texts.index) if holder is None]
    candidates: list[tuple[int, Tag | str | None]] = [*joined, *outer]
    ranked = sorted(candidates, key=lambda item: item[0] - anchor if item[0] >= anchor
                    else 3 * (anchor - item[0]))
    found: list[str] = []
    excluded = _Excluded()
    for index, element in ranked:
        if excluded(tags[index]):
            continue
        text = texts(element, _BYLINE_CHARS) if isinstance(element, Tag) else element
        if text and len(text) <= _BYLINE_CHARS and text not in found:
            found.append(text)
        if len(found) >= limit:
            break
    return found


class _Texts:
    """`clean_inline(tag.get_text(" "))` of the page's elements, None past
    `limit` characters: read from one index of the page (tree.FoldedText)
    rather than from each element's descendants (nested elements each read
    all below them: quadratic)."""

    def __init__(self, tags: list[Tag]) -> None:
        self.tags = tags
        self._folded: FoldedText | None = None
        self._index: Subtrees | None = None

    @property
    def index(self) -> Subtrees:
        if self._index is None:
            self._index = Subtrees(self.tags)
        return self._index

    def __call__(self, tag: Tag, limit: int) -> str | None:
        if self._folded is None:
            root: Tag = self.tags[0]
            while root.parent is not None:
                root = root.parent
            self._folded = FoldedText(root)
        _, text = self._folded.text(tag, limit)
        return text


def _nesting(listed: list[tuple[int, Tag]], index: Subtrees
             ) -> list[tuple[int, Tag, Tag | None, bool]]:
    """For each (position, tag) of `listed` (in document order): its
    outermost ancestor in `listed` (None if it has none) and whether one of
    `listed` is below it; one sweep with a stack of the elements open."""
    found: list[tuple[int, Tag, Tag | None, bool]] = []
    open_: list[tuple[int, int]] = []  # (end of the subtree, position in `found`)
    has_below: set[int] = set()
    for position, tag in listed:
        start = index.position[id(tag)]
        while open_ and open_[-1][0] <= start:
            open_.pop()
        holder = found[open_[0][1]][1] if open_ else None
        for _, ancestor in open_:
            has_below.add(ancestor)
        found.append((position, tag, holder, False))
        open_.append((index.end[start], len(found) - 1))
    return [(p, t, h, i in has_below) for i, (p, t, h, _) in enumerate(found)]


_LEADING_NOISE = " -–—|:0123456789/."


class _FirstWords:
    """`_opens_with_by` for the page's elements: the first string below each
    element that is not blank or noise, found once for each element (from
    its children's), not by walking its descendants again."""

    def __init__(self, tags: list[Tag]) -> None:
        self.tags = tags
        self._first: dict[int, str | None] | None = None

    def __call__(self, tag: Tag) -> bool:
        if self._first is None:
            self._first = {}
            for listed in reversed(self.tags):  # descendants before their ancestors
                self._first[id(listed)] = self._first_below(listed)
        first = self._first.get(id(tag), _MISSING)
        if first is _MISSING:
            return _opens_with_by(tag)
        return first is not None and bool(_BY_WORD_RE.match(first))

    def _first_below(self, tag: Tag) -> str | None:
        assert self._first is not None
        for child in tag.children:
            if isinstance(child, NavigableString):
                text = child.strip().lstrip(_LEADING_NOISE)
                if text:
                    return text
            elif isinstance(child, Tag):
                found = self._first.get(id(child), _MISSING)
                if found is _MISSING:
                    found = self._first_below(child)
                if found is not None:
                    return found
        return None


_MISSING = "\x00missing"


def _opens_with_by(tag: Tag) -> bool:
    """Whether the element's own first words (its first text child, or its
    first child element's) open with "By": cheap, no text is built."""
    for child in tag.children:
        if isinstance(child, NavigableString):
            text = child.strip().lstrip(_LEADING_NOISE)
            if text:
                return bool(_BY_WORD_RE.match(text))
        elif isinstance(child, Tag):
            for node in child.descendants:
                if isinstance(node, NavigableString):
                    text = node.strip().lstrip(_LEADING_NOISE)
                    if text:
                        return bool(_BY_WORD_RE.match(text))
    return False


_BY_WORD_RE = re.compile(
    r"(?:written|posted|published|publicado|publicada|reported|escrito|escrita|geschrieben|"
    r"publié|pubblicato|by|por|von|par|di|door|av|af)\b", re.I)


_PUBLISHED_MARK_RE = re.compile(r"publish|posted|created|entry-date|dateline|timestamp", re.I)
_UPDATED_MARK_RE = re.compile(r"updat|modif|edited|comment", re.I)


def time_candidates(tags: list[Tag]) -> list[str]:
    """`<time datetime>` values of the page: those marked as the publication
    time first, then the rest in document order; update times left out."""
    marked: list[str] = []
    plain: list[str] = []
    for tag in tags:
        if tag.name != "time":
            continue
        value = tag.get("datetime")
        if not isinstance(value, str) or not value.strip():
            continue
        marks = " ".join([_marks(tag), str(tag.get("itemprop") or ""),
                          _marks(tag.parent) if isinstance(tag.parent, Tag) else ""])
        if _UPDATED_MARK_RE.search(marks) and not _PUBLISHED_MARK_RE.search(marks):
            continue
        if tag.has_attr("pubdate") or _PUBLISHED_MARK_RE.search(marks):
            marked.append(value)
        else:
            plain.append(value)
    return marked + plain


_DATE_MARK_RE = re.compile(r"date|time|publish|posted|byline|meta|dateline|stamp|info", re.I)


def printed_date_texts(tags: list[Tag], anchor: int | None, limit: int = 8) -> list[str]:
    """Short texts near the headline (tag index `anchor`) in elements whose
    class names a date, a time or the byline, nearest first; update times
    left out. For pages that declare no publication time."""
    if anchor is None:
        return []
    window = range(max(0, anchor - _WINDOW_BEFORE), min(len(tags), anchor + _WINDOW_AFTER))
    found: list[tuple[int, str]] = []
    texts = _Texts(tags)
    for index in window:
        tag = tags[index]
        marks = _marks(tag)
        if not marks.strip() or not _DATE_MARK_RE.search(marks) \
                or _UPDATED_MARK_RE.search(marks) or tag.name in ("script", "style", "body"):
            continue
        text = texts(tag, 200)
        if text:
            distance = index - anchor if index >= anchor else 3 * (anchor - index)
            found.append((distance, text))
    return [text for _, text in sorted(found)[:limit]]
