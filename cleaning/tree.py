"""Questions about a tree's subtrees in constant time, for passes that ask
them of every element.

Asked of each element in turn, "is this inside that?", "how much paragraph
text is under this?" or "what is this element's text?" cost a walk of the
element's ancestors or descendants each: quadratic on a page of nested
elements (a thousand unclosed `<figure>`s or `<div hidden>`s) or of one
element holding thousands (a paragraph of `<img>`s). Here one pass over
the tree answers them all:

- `Subtrees`: each element's descendants are a range of the tags in
  document order, so containment is two comparisons and a sum over a
  subtree is a difference of prefix sums. Valid while the subtrees asked
  about are unchanged: a pass in document order that cuts elements out as
  it goes never changes the subtree of an element it has not reached yet
  (what it cut before that element is an ancestor, then the element is
  gone, or lies wholly before it).
- `FoldedText`: each element's text as `text.clean_inline` folds it, kept
  current while elements are cut, through a Fenwick tree over the page's
  strings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from bs4 import NavigableString, PageElement, Tag

from .text import clean_inline

# What `Tag.get_text()` reads in an ordinary element: no comments, scripts, styles.
MAIN_CONTENT_STRING_TYPES = Tag.MAIN_CONTENT_STRING_TYPES


def is_gone(element: Tag) -> bool:
    """Whether `element` was decomposed (as part of an ancestor, say).

    bs4's own `decomposed` property falls through `Tag.__getattr__` into a
    tree search on every call, which costs more than the parse on big pages.
    """
    return "_decomposed" in vars(element)


class Cutter:
    """`element.decompose()` for the elements a pass cuts in document order.
    bs4 looks an element up among its parent's children from the first one
    (quadratic when thousands of children of one parent are cut: a
    paragraph of `<script>`s or `<img>`s); this looks outwards from where
    the last cut in that parent was."""

    def __init__(self) -> None:
        self._last: dict[int, tuple[Tag, int]] = {}  # id(parent) -> (parent, index)

    def cut(self, element: Tag) -> None:
        parent = element.parent
        if parent is not None:
            children = parent.contents
            near = self._last.get(id(parent), (parent, 0))[1]
            index = _index_near(children, element, near)
            element.extract(_self_index=index)
            self._last[id(parent)] = (parent, index)
        element.decompose()


def _index_near(children: list[PageElement], element: Tag, near: int) -> int:
    """`element`'s index in `children` (by identity), looked for at `near`,
    then one further on each side at a time."""
    for distance in range(max(near + 1, len(children) - near)):
        after, before = near + distance, near - 1 - distance
        if after < len(children) and children[after] is element:
            return after
        if before >= 0 and children[before] is element:
            return before
    raise ValueError("not a child of its parent")


class NearestAncestor:
    """`tag.find_parent(...)` for one condition, each ancestor visited once
    a page (nested elements each walked up to the root: quadratic)."""

    def __init__(self, condition: Callable[[Tag], bool], within: Tag | None = None) -> None:
        self.condition = condition
        self.within = within  # ancestors from this one up are never looked at
        self._found: dict[int, Tag | None] = {}
        self._held: list[Tag] = []  # keeps the ids in `_found` unique

    def __call__(self, tag: Tag) -> Tag | None:
        path: list[Tag] = []
        node = tag
        while True:
            parent = node.parent
            if parent is None or parent is self.within:
                found = None
                break
            if self.condition(parent):
                found = parent
                break
            if id(parent) in self._found:
                found = self._found[id(parent)]
                break
            path.append(node)
            node = parent
        path.append(node)
        for visited in path:
            self._found[id(visited)] = found
        self._held += path
        return found


class Subtrees:
    """The intact tags of `tags` (every tag of a tree, in document order)
    with each one's descendants as a range of positions."""

    def __init__(self, tags: Iterable[Tag]) -> None:
        self.tags = [tag for tag in tags if not is_gone(tag)]
        self.position = {id(tag): index for index, tag in enumerate(self.tags)}
        self.end = [len(self.tags)] * len(self.tags)  # past the last descendant
        open_ancestors: list[int] = []
        for index, tag in enumerate(self.tags):
            parent = tag.parent
            while open_ancestors and self.tags[open_ancestors[-1]] is not parent:
                self.end[open_ancestors.pop()] = index
            open_ancestors.append(index)
        self._sums: dict[str, list[int]] = {}

    def __contains__(self, tag: Tag) -> bool:
        return id(tag) in self.position

    def contains(self, ancestor: Tag, tag: Tag) -> bool:
        """Whether `tag` is a descendant of `ancestor` (both listed)."""
        start = self.position[id(ancestor)]
        return start < self.position[id(tag)] < self.end[start]

    def below(self, name: str, measure: Callable[[Tag], int], tag: Tag) -> int:
        """The sum of `measure` over the descendants of `tag` (not `tag`
        itself); `name` names the measure, whose prefix sums are built once."""
        sums = self._sums.get(name)
        if sums is None:
            sums = [0]
            total = 0
            for listed in self.tags:
                total += measure(listed)
                sums.append(total)
            self._sums[name] = sums
        start = self.position[id(tag)]
        return sums[self.end[start]] - sums[start + 1]


class FoldedText:
    """`clean_inline(element.get_text(" "))` of any element under `root`, as
    the tree is now: `cut` an element before decomposing it.

    Folding strings joined by spaces gives their folded forms, the empty ones
    left out, joined by single spaces (no entity, invisible character or run
    of spaces crosses the space between two strings). So an element's folded
    length is a sum over its strings, and its text, when wanted, is that many
    strings at most."""

    def __init__(self, root: Tag) -> None:
        self.pieces: list[str] = []  # the strings' folded forms, the empty ones left out
        self.span: dict[int, tuple[int, int]] = {}  # id(tag) -> range of its pieces
        stack: list[tuple[Tag, Iterator[PageElement]]] = [(root, iter(root.contents))]
        starts = {id(root): 0}
        while stack:
            tag, children = stack[-1]
            child = next(children, None)
            if child is None:
                self.span[id(tag)] = (starts[id(tag)], len(self.pieces))
                stack.pop()
            elif isinstance(child, Tag):
                starts[id(child)] = len(self.pieces)
                stack.append((child, iter(child.contents)))
            elif isinstance(child, NavigableString) and type(child) in MAIN_CONTENT_STRING_TYPES:
                piece = clean_inline(child)
                if piece:
                    self.pieces.append(piece)
        size = len(self.pieces)
        self._tree = [0] * (size + 1)  # Fenwick tree of len(piece) + 1 for pieces not cut
        for index, piece in enumerate(self.pieces):
            self._add(index, len(piece) + 1)
        self._next = list(range(size + 1))  # the first piece not cut at or after an index

    def text(self, tag: Tag, limit: int) -> tuple[int, str | None]:
        """(length of the element's folded text, the text if that is at most
        `limit` characters long, else None)."""
        if id(tag) not in self.span or tag.interesting_string_types not in (
                None, MAIN_CONTENT_STRING_TYPES):
            text = clean_inline(tag.get_text(" "))
            return len(text), text if len(text) <= limit else None
        start, end = self.span[id(tag)]
        total = self._sum(end) - self._sum(start)
        length = max(total - 1, 0)
        if length > limit:
            return length, None
        return length, " ".join(self.pieces[index] for index in self._alive(start, end))

    def cut(self, tag: Tag) -> None:
        """Take the element's strings out (call before decomposing it)."""
        span = self.span.get(id(tag))
        if span is None:
            return
        for index in list(self._alive(*span)):
            self._add(index, -(len(self.pieces[index]) + 1))
            self._next[index] = index + 1

    def _alive(self, start: int, end: int) -> Iterable[int]:
        index = self._find(start)
        while index < end:
            yield index
            index = self._find(index + 1)

    def _find(self, index: int) -> int:
        root = index
        while self._next[root] != root:
            root = self._next[root]
        while self._next[index] != root:  # path compression
            self._next[index], index = root, self._next[index]
        return root

    def _add(self, index: int, delta: int) -> None:
        index += 1
        while index < len(self._tree):
            self._tree[index] += delta
            index += index & -index

    def _sum(self, end: int) -> int:
        """The sum over pieces [0, end)."""
        total = 0
        while end > 0:
            total += self._tree[end]
            end -= end & -end
        return total
