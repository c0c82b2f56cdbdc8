"""Our own view of the main container that trafilatura chose."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from ...text import clean_block

# trafilatura (precision mode) keeps the paragraphs it is sure of. Mapped back
# onto the tree, they show where the article is: the container they share.
# Paragraphs of that container (and of sibling containers built alike: a body
# cut into chunks between ad slots) that it dropped are taken back when
# nothing marks them as furniture.
PARAGRAPH_TAGS = frozenset("p h2 h3 h4 h5 h6 blockquote pre".split())
KEY_RE = re.compile(r"\w+")
NON_WORD_RE = re.compile(r"\W+")
_FURNITURE_RE = re.compile(
    r"share|social|related|newsletter|promo|advert|(?:^|[-_ ])ads?(?:$|[-_ ])|sponsor|"
    r"subscri|signup|sign-up|recommend|popular|trending|most-read|comment|caption|credit|"
    r"byline|author|meta|tags?(?:$|[-_ ])|breadcrumb|(?:^|[-_ ])nav|footer|sidebar|widget|"
    r"toolbar|print|more-|read-?more|outbrain|taboola|teaser|card|disclaimer|copyright|"
    r"timestamp|dateline|video|gallery|slideshow|podcast|audio|cta|banner",
    re.I,
)
HEADINGS = frozenset("h2 h3 h4 h5 h6".split())
_ASIDE_TAGS = frozenset("aside nav footer figure figcaption header menu".split())
_LINK_SHARE = 0.5  # of a paragraph's text in links: a link list, not prose
_CORE_SHARE = 0.9  # of the matched text, for their container


def key(text: str) -> str:
    return " ".join(KEY_RE.findall(text))


# Matching a block to its paragraph by its words alone reads every
# paragraph's key for each block: this many characters (a block costs its
# paragraphs' key lengths, and 64 a paragraph) are read a page, then the
# rest of the blocks stay unmatched. The benchmark's pages read at most
# about 1% of it; a page of thousands of lines cut at <br>s reads it up.
FUZZY_MATCH_BUDGET = 50_000_000


def complete_from_tree(root: HtmlElement, blocks: list[str]) -> list[str]:
    inside = _inside_paragraphs(root)
    paragraphs = [e for e in root.iter(*PARAGRAPH_TAGS) if e not in inside]
    if not paragraphs:
        return blocks
    order = {id(e): i for i, e in enumerate(paragraphs)}
    by_key: dict[str, list[HtmlElement]] = {}
    for element in paragraphs:
        by_key.setdefault(key(element.text_content()), []).append(element)
    # Each block mapped to the paragraph element that printed it, if any.
    # A block may be a piece of one (trafilatura splits at <br>), or one with
    # an inline element left out (a link in a <span>): then the paragraph's
    # own text is taken.
    mapped: list[HtmlElement | None] = []
    keys = [(key(e.text_content()), e) for e in paragraphs]
    cost = sum(len(k) + 64 for k, _ in keys)
    budget = FUZZY_MATCH_BUDGET
    blocks = list(blocks)
    for position, block in enumerate(blocks):
        block_key = key(block)
        found = by_key.get(block_key)
        if found:
            mapped.append(found.pop(0))
            continue
        element = None
        if len(block_key) >= 20 and budget >= cost:
            budget -= cost
            element = next((e for k, e in keys if block_key in k), None)
            if element is None:
                words = block_key.split()
                head, tail = " ".join(words[:6]), " ".join(words[-4:])
                element = next((e for k, e in keys if len(words) >= 10 and k.startswith(head)
                                and k.endswith(tail)), None)
                if element is not None:
                    blocks[position] = clean_block(element.text_content())
        mapped.append(element)
    matched = [e for e in mapped if e is not None]
    if len(matched) < 2:
        return blocks
    container = _shared_container(matched)
    if container is None:
        return blocks
    chunks = _sibling_chunks(container)
    first, last = order[id(matched[0])], order[id(matched[-1])]
    taken = {id(e) for e in matched}
    printed = " ".join(key(b) for b in blocks)
    extra: list[tuple[int, str]] = []
    for chunk in [container, *chunks]:
        for element in chunk.iter(*PARAGRAPH_TAGS):
            index = order.get(id(element))
            if index is None or id(element) in taken:
                continue
            if chunk is container and not first < index < last:
                continue
            text = clean_block(element.text_content())
            if text and key(text) not in printed and _is_prose(element, text, chunk):
                extra.append((index, text))
                taken.add(id(element))
    extra.sort()
    # A heading is taken back only with a paragraph of its own after it.
    extra = [(index, text) for index, text in extra
             if paragraphs[index].tag not in HEADINGS
             or (index + 1 < len(paragraphs) and id(paragraphs[index + 1]) in taken
                 and paragraphs[index + 1].tag not in HEADINGS)]
    lead = _lead_before(container)
    if lead is not None:
        text = clean_block(lead.text_content())
        if text and key(text) not in printed:
            blocks = [text, *blocks]
            mapped = [None, *mapped]
    if not extra:
        return blocks
    out: list[str] = []
    position = 0
    for block, element in zip(blocks, mapped, strict=True):
        if element is not None:
            index = order[id(element)]
            while position < len(extra) and extra[position][0] < index:
                out.append(extra[position][1])
                position += 1
        out.append(block)
    out.extend(text for _, text in extra[position:])
    return out


_LEAD_RE = re.compile(
    r"summary|standfirst|(?:^|[-_ ])lead(?:$|[-_ ])|lede|(?:^|[-_ ])dek(?:$|[-_ ])|deck|intro|"
    r"sub-?title|sub-?headline|preface|abstract|strapline|excerpt",
    re.I,
)


def _lead_before(container: HtmlElement, levels: int = 3) -> HtmlElement | None:
    """The article's lead or standfirst: the element right before its body
    (before the container, or before the nearest of its ancestors that has
    anything before it), when its class or id names it so."""
    node = container
    for _ in range(levels + 1):
        sibling = node.getprevious()
        while sibling is not None and not (isinstance(sibling.tag, str)
                                           and sibling.text_content().strip()):
            sibling = sibling.getprevious()
        if sibling is not None:
            marks = f"{sibling.get('class') or ''} {sibling.get('id') or ''}"
            if not _LEAD_RE.search(marks) or _FURNITURE_RE.search(marks):
                return None
            text = sibling.text_content()
            links = sum(len(a.text_content()) for a in sibling.iter("a"))
            if len(text.strip()) < 40 or links > _LINK_SHARE * len(text) \
                    or next(sibling.iter("h1", "h2", "h3", "time"), None) is not None:
                return None  # a header block (title, byline, date), not a lead
            return sibling
        parent = node.getparent()
        if parent is None or parent.tag in ("html", "body"):
            return None
        node = parent
    return None


def _inside_paragraphs(root: HtmlElement) -> set[HtmlElement]:
    """The elements under `root` that have a paragraph among their ancestors
    (one pass down the tree, not a walk up from each element)."""
    inside: set[HtmlElement] = set()  # the set holds lxml's proxies, so their ids stay
    for element in root.iter():
        parent = element.getparent()
        if parent is not None and (parent.tag in PARAGRAPH_TAGS or parent in inside):
            inside.add(element)
    if any(a.tag in PARAGRAPH_TAGS for a in root.iterancestors()):
        inside.update(root.iter())
    return inside


def _shared_container(matched: list[HtmlElement]) -> HtmlElement | None:
    """The deepest element holding _CORE_SHARE of the matched paragraphs' text.

    The elements holding that share are all on one line of ancestors (two
    apart could not both hold 90% of the text), so each element's share is
    summed once, up the tree, rather than added to every ancestor of every
    paragraph (which walked the whole depth of the page for each)."""
    own: dict[HtmlElement, int] = {}  # each paragraph's text, as many times as it matched
    for element in matched:
        own[element] = own.get(element, 0) + len(element.text_content())
    total = sum(own.values())
    if not total:  # empty paragraphs only: every ancestor holds "all" of nothing
        return _deepest_ancestor(matched)
    top = next(iter(own))
    while (parent := top.getparent()) is not None:
        top = parent
    below: dict[HtmlElement, int] = {}  # the matched text strictly below each element
    best: list[HtmlElement] = []
    for element in reversed(list(top.iter())):  # descendants before their ancestors
        weight = below.get(element, 0)
        parent = element.getparent()
        if parent is not None:
            carried = weight + own.get(element, 0)
            if carried:
                below[parent] = below.get(parent, 0) + carried
        if weight and weight >= _CORE_SHARE * total:
            best.append(element)
    if not best:
        return None
    chosen = max(best, key=_depth)
    return chosen if chosen.tag not in ("html", "body") else None


def _deepest_ancestor(matched: list[HtmlElement]) -> HtmlElement | None:
    ancestors: dict[int, HtmlElement] = {}
    for element in matched:
        for ancestor in element.iterancestors():
            ancestors.setdefault(id(ancestor), ancestor)
    if not ancestors:
        return None
    chosen = max(ancestors.values(), key=_depth)
    return chosen if chosen.tag not in ("html", "body") else None


def _depth(element: HtmlElement) -> int:
    return sum(1 for _ in element.iterancestors())


def _signature(element: HtmlElement) -> tuple[str, str]:
    return element.tag, " ".join(sorted((element.get("class") or "").split()))


def _sibling_chunks(container: HtmlElement, levels: int = 2) -> list[HtmlElement]:
    """Elements built like `container` (or like one of its nearest ancestors)
    beside it: the rest of a body cut into chunks."""
    element = container
    for _ in range(levels + 1):
        parent = element.getparent()
        if parent is None or parent.tag in ("html", "body"):
            return []
        signature = _signature(element)
        if signature[1]:
            alike = [s for s in parent if s is not element and isinstance(s.tag, str)
                     and _signature(s) == signature]
            if alike:
                return alike
        element = parent
    return []


def _is_prose(element: HtmlElement, text: str, chunk: HtmlElement) -> bool:
    links = sum(len(a.text_content()) for a in element.iter("a"))
    if links > _LINK_SHARE * len(text):
        return False
    node: HtmlElement | None = element
    while node is not None and node is not chunk:
        if node.tag in _ASIDE_TAGS:
            return False
        marks = f"{node.get('class') or ''} {node.get('id') or ''}"
        if marks.strip() and _FURNITURE_RE.search(marks):
            return False
        node = node.getparent()
    return True
