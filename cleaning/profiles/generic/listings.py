"""Listing pages (section, tag, author, search and home pages) told from
articles: what the page declares, its linked headlines and its teasers."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from bs4 import Tag
from lxml.html import HtmlElement

from ...boilerplate import is_furniture_text
from ...metadata import (
    PageMeta,
    is_article_type,
    jsonld_types,
)
from ...page import Page
from ...tree import NearestAncestor, Subtrees
from .completion import HEADINGS, KEY_RE, NON_WORD_RE, key

_LISTING_BODY_CLASSES = frozenset("archive category tag author search search-results blog home "
                                  "paged".split())
_ARTICLE_BODY_CLASSES = frozenset("single single-post".split())
_LISTING_PAGE_TYPES = frozenset("CollectionPage SearchResultsPage ProfilePage ItemList".split())
# schema.org's WebPage subtypes that are never a news story: a site's about,
# contact and FAQ pages, a shop's checkout and product (item) pages, a forum's
# question. Not MedicalWebPage (health news declares it) nor the galleries
# (a photo story is an ImageGallery).
_OTHER_PAGE_TYPES = frozenset(
    "AboutPage ContactPage FAQPage QAPage CheckoutPage ItemPage RealEstateListing".split())
LISTING_HEADLINES = 4  # linked headlines among the body's blocks ...
LISTING_SHARE = 0.3  # ... and this share of them: teasers, not an article


def listing_declared(page: Page) -> str | None:
    """A page that says it is a listing: WordPress's <body class> ("archive
    category", "search", "home blog"), or JSON-LD whose page type is a
    collection, search results or a profile, with no article in it; or,
    alike, that it is another kind of page (about, contact, FAQ...)."""
    classes = page.meta.body_classes
    if classes & _LISTING_BODY_CLASSES and not classes & _ARTICLE_BODY_CLASSES \
            and not any(c.startswith("postid-") for c in classes):
        return "listing page (its body class says " + \
            " ".join(sorted(classes & _LISTING_BODY_CLASSES)) + ")"
    kinds = declared_page_types(page.meta)
    if kinds & _LISTING_PAGE_TYPES:
        return f"listing page (JSON-LD {sorted(kinds & _LISTING_PAGE_TYPES)[0]})"
    if kinds & _OTHER_PAGE_TYPES:
        return f"not an article (its JSON-LD page type is {sorted(kinds & _OTHER_PAGE_TYPES)[0]})"
    return None


def declared_page_types(meta: PageMeta) -> set[str]:
    """The types the page's JSON-LD gives itself, none if any object is an
    article: a page with an article in it is read as one. A Yoast page
    object with a date (["WebPage", "AboutPage"]) is the `jsonld` fallback,
    so it is read here too; a breadcrumb item's type (the section: a
    CollectionPage) is another page's, not this one's."""
    objects = meta.jsonld_objects
    found = [jsonld_types(item) for item in objects]
    if any(is_article_type(kind) for kinds in found for kind in kinds):
        return set()
    named = {id(item["item"]) for item in objects if isinstance(item.get("item"), dict)}
    return {kind for item, kinds in zip(objects, found, strict=True) if id(item) not in named
            for kind in kinds}


def declares_article(meta: PageMeta) -> bool:
    """Whether the page calls itself an article (JSON-LD, og:type, article:
    meta): a roundup of linked items is then an article, not a listing."""
    return bool(meta.jsonld) or (meta.first("og:type") or "").lower() == "article" \
        or meta.first("article:published_time") is not None


def nesting_depth(tags: list[Tag]) -> int:
    """How deep the page's elements nest (`tags`: all of them, in document order)."""
    depths: dict[int, int] = {}
    deepest = 0
    for tag in tags:
        depth = depths[id(tag)] = depths.get(id(tag.parent), 0) + 1
        deepest = max(deepest, depth)
    return deepest


# A teaser's headline is short: a heading with more elements or characters
# than these is not one, and its text is not read (nested headings each read
# all the text below them: quadratic).
HEADLINE_ELEMENTS = 1_000
HEADLINE_CHARS = 10_000


def linked_headlines(tags: list[Tag]) -> set[str]:
    """The page's headlines that are links to other pages (teasers), as keys."""
    found: set[str] = set()
    links = _Links(tags)
    for tag in tags:
        if tag.name not in ("h2", "h3", "h4", "h5"):
            continue
        if not links.short(tag):
            continue
        text = key(tag.get_text(" "))
        if not text:
            continue
        link = links.around(tag) or links.inside(tag)
        if link is not None and links.key_length(link) >= 0.6 * len(text):
            found.add(text)
    return found


def _own_texts(tag: Tag) -> list[str]:
    """The element's own strings that its `get_text` reads."""
    return [str(child) for child in tag.contents if type(child) in Tag.MAIN_CONTENT_STRING_TYPES]


def _own_chars(tag: Tag) -> int:
    return sum(map(len, _own_texts(tag)))


def _own_word_chars(tag: Tag) -> int:
    return sum(len(NON_WORD_RE.sub("", text)) for text in _own_texts(tag))


def _own_words(tag: Tag) -> int:
    return sum(len(KEY_RE.findall(text)) for text in _own_texts(tag))


class _Links:
    """`tag.find_parent("a")` and `tag.find("a")` for the page's headings,
    each element's ancestors and descendants visited once a page (a heading
    deep in the page walked up all its ancestors: seconds for thousands)."""

    def __init__(self, tags: list[Tag]) -> None:
        self.tags = tags
        self.around = NearestAncestor(lambda tag: tag.name == "a")
        self._index: Subtrees | None = None
        self._links: list[int] = []

    @property
    def index(self) -> Subtrees:
        if self._index is None:
            self._index = Subtrees(self.tags)
            self._links = [i for i, t in enumerate(self._index.tags) if t.name == "a"]
        return self._index

    def _total(self, name: str, measure: Callable[[Tag], int], tag: Tag) -> int:
        return measure(tag) + self.index.below(name, measure, tag)

    def _summed(self, tag: Tag) -> bool:
        """Whether `tag`'s text can be summed from its strings' (see key_length)."""
        return tag in self.index and tag.interesting_string_types in (
            None, Tag.MAIN_CONTENT_STRING_TYPES)

    def short(self, tag: Tag) -> bool:
        """At most HEADLINE_ELEMENTS below it and HEADLINE_CHARS of text."""
        if not self._summed(tag):
            return True
        start = self.index.position[id(tag)]
        return self.index.end[start] - start <= HEADLINE_ELEMENTS \
            and self._total("chars", _own_chars, tag) <= HEADLINE_CHARS

    def key_length(self, tag: Tag) -> int:
        """`len(key(tag.get_text(" ")))`: the strings are joined by spaces, so
        no word runs across two of them, and the key's length is the word
        characters plus one space between words."""
        if not self._summed(tag):
            return len(key(tag.get_text(" ")))
        words = self._total("words", _own_words, tag)
        return self._total("word chars", _own_word_chars, tag) + max(words - 1, 0)

    def inside(self, tag: Tag) -> Tag | None:
        index = self.index
        if tag not in index:
            found = tag.find("a")
            return found if isinstance(found, Tag) else None
        start = index.position[id(tag)]
        at = bisect_right(self._links, start)
        if at < len(self._links) and self._links[at] < index.end[start]:
            return index.tags[self._links[at]]
        return None


def listing_body(blocks: list[str], headlines: set[str], teasers: int) -> str | None:
    """A "body" made of teasers: linked headlines among its blocks, or blocks
    that are each a story's summary beside the link to it (count_teasers)."""
    linked = sum(1 for block in blocks if key(block) in headlines)
    if linked >= LISTING_HEADLINES and linked >= LISTING_SHARE * len(blocks):
        return f"listing page ({linked} linked headlines in the body)"
    if teasers and teasers >= TEASER_SHARE * len(blocks):
        return f"listing page ({teasers} of its {len(blocks)} blocks are teasers)"
    return None


LISTING_TEASERS = 4
# Fewer teasers make a listing only when they are the whole body (a
# section's last page): this many, or one on a page with rel=next/prev links.
FEW_TEASERS = 2
TEASER_SHARE = 0.5
_TEASER_CHARS = 800  # a teaser: a headline link and a summary, in an element this small
_HEADLINE_LINK_CHARS = 20


def count_teasers(root: HtmlElement, blocks: list[str], url: str = "",
                  paged: bool = False, title: str = "") -> int:
    """How many blocks are parts of teasers (0 if there are fewer than
    LISTING_TEASERS teasers): a block printed by an element that sits, with a
    headline-sized link to another page, in a small element of its own (a
    card, a list item), or that is itself mostly such a link.

    Fewer teasers count when every block is part of one (no paragraph of the
    page's own; its `title` and furniture lines are not read as such) and
    each links another page of the site (`url`'s): a related-stories box
    beside an article leaves the article's paragraphs outside the teasers.
    At least FEW_TEASERS of them, or one on a `paged` page (rel=next/prev).
    The caller gives 0 weight to a page that calls itself an article
    (declares_article)."""
    wanted = {key(block) for block in blocks}
    keys = _Keys(root, max(map(len, wanted), default=0))
    elements: dict[str, HtmlElement] = {}
    for element in root.iter("p", "li", "div", "span", "dd", "h2", "h3", "h4", "h5", "a"):
        element_key = keys.get(element)
        if element_key is not None:
            elements.setdefault(element_key, element)
    units: dict[int, HtmlElement] = {}  # held, so that lxml keeps each proxy's id
    found: dict[HtmlElement, HtmlElement | None] = {}  # each element's unit, asked once
    lengths = _TextLengths()
    inside = outside = 0
    for block in blocks:
        element = elements.get(key(block))
        if element is not None and element not in found:
            found[element] = _teaser_unit(element, lengths)
        unit = found[element] if element is not None else None
        if unit is not None:
            units.setdefault(id(unit), unit)
            inside += 1
        elif block != title and not is_furniture_text(block):
            outside += 1
    if len(units) >= LISTING_TEASERS:
        return inside
    if outside or not units:
        return 0
    links = [_link_elsewhere_on_site(unit, url) for unit in units.values()]
    if None in links:
        return 0
    if len(units) >= FEW_TEASERS:
        return inside
    # One teaser: a post's own short body can sit beside a link to another
    # post, and a post's "previous/next post" links are rel=prev/next too;
    # a teaser's link is its headline's, in or around an <h2>-<h5>.
    if paged and any(_is_headline(link) for link in links if link is not None):
        return inside
    return 0


_PAGER_RELS = frozenset(("next", "prev", "previous"))


def links_to_next_or_previous(tags: list[Tag]) -> bool:
    """Whether the page links its next or previous page (rel=next/prev)."""
    for tag in tags:
        if tag.name in ("a", "link"):
            rel = tag.get("rel")
            rels = rel if isinstance(rel, list) else (rel or "").split()
            if any(r.lower() in _PAGER_RELS for r in rels):
                return True
    return False


def _link_elsewhere_on_site(unit: HtmlElement, url: str) -> HtmlElement | None:
    """A teaser's headline link to another page of the page's own site (not
    an anchor in the page itself, not another site), if it has one."""
    try:
        here = urlsplit(url)
    except ValueError:  # a malformed URL ("http://[x"): no site to compare with
        return None
    for link in unit.iter("a"):
        href = (link.get("href") or "").strip()
        if not href or len(link.text_content().strip()) < _HEADLINE_LINK_CHARS:
            continue
        try:
            there = urlsplit(urljoin(url, href))
        except ValueError:  # a malformed href: not a link to follow
            continue
        if _host(there.netloc) == _host(here.netloc) \
                and there.path.rstrip("/") != here.path.rstrip("/"):
            return link
    return None


def _is_headline(link: HtmlElement) -> bool:
    return next(link.iter(*HEADINGS), None) is not None \
        or any(a.tag in HEADINGS for a in link.iterancestors())


def _host(netloc: str) -> str:
    return netloc.lower().rsplit("@", 1)[-1].removeprefix("www.")


class _TextLengths:
    """`len(element.text_content())`, each element's counted once a pass
    (a thousand teasers asked it of the same <div> a thousand times)."""

    def __init__(self) -> None:
        self._lengths: dict[HtmlElement, int] = {}  # the keys hold lxml's proxies

    def __call__(self, element: HtmlElement) -> int:
        length = self._lengths.get(element)
        if length is None:
            length = self._lengths[element] = len(element.text_content())
        return length


class _Keys:
    """`key(element.text_content())` for the elements whose key can be one of
    length `longest` at most: an element with more word characters than
    that has a longer key. An element whose parent adds no word character
    to it has its parent's key, read once for the whole chain (nested
    elements each read the text of all below them: quadratic)."""

    def __init__(self, root: HtmlElement, longest: int) -> None:
        self.longest = longest
        self.word_chars: dict[HtmlElement, int] = {}
        for element in reversed(list(root.iter())):  # descendants before ancestors
            count = _word_chars(element.text) if isinstance(element.tag, str) else 0
            for child in element:
                count += self.word_chars[child] + _word_chars(child.tail)
            self.word_chars[element] = count
        self.keys: dict[HtmlElement, str] = {}

    def get(self, element: HtmlElement) -> str | None:
        count = self.word_chars[element]
        if count > self.longest:
            return None
        chain = [element]
        while (parent := chain[-1].getparent()) is not None \
                and self.word_chars.get(parent) == count and chain[-1] not in self.keys:
            chain.append(parent)
        top = chain[-1]
        found = self.keys.get(top)
        if found is None:
            found = key(top.text_content())
        for node in chain:
            self.keys[node] = found
        return found


def _word_chars(text: str | None) -> int:
    return len(NON_WORD_RE.sub("", text)) if text else 0


def _headline_link(element: HtmlElement, outside: HtmlElement | None = None) -> bool:
    for link in element.iter("a"):
        if outside is not None and any(a is outside for a in link.iterancestors()):
            continue
        if link.get("href") and len(link.text_content().strip()) >= _HEADLINE_LINK_CHARS:
            return True
    return False


def _teaser_unit(element: HtmlElement, length: _TextLengths) -> HtmlElement | None:
    """The card or list item a block's element is the headline or summary
    of, if any."""
    text = length(element)
    links = sum(len(a.text_content()) for a in element.iter("a"))
    if element.tag in ("li", "h2", "h3", "h4", "h5", "a") and text <= _TEASER_CHARS \
            and links >= 0.6 * text and _headline_link(element):
        parent = element.getparent()
        if element.tag == "li" or parent is None or length(parent) > _TEASER_CHARS:
            return element
        return parent
    node = element.getparent()
    for _ in range(3):
        if node is None or node.tag in ("body", "html", "main"):
            return None
        if length(node) > _TEASER_CHARS:
            return None
        if _headline_link(node, outside=element):
            return node
        node = node.getparent()
    return None
