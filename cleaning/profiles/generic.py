"""Any news page: BeautifulSoup pre-cleaning, trafilatura's choice of the
main text, then our own view of the container it chose.

1. Metadata first (cleaning.metadata), while the byline and <time> are in
   the tree; and what the page says about being a shell, a paywall or a
   consent wall (boilerplate.WallSignals).
2. Pre-cleaning (ours) records captions and cuts every caption form, share,
   related, comment and plugin block out of the tree, so none of it can
   reach the body; content hidden only until a script runs, or wrapped in a
   page-wide <form>, is kept. The page is narrowed to its semantic container
   when that holds most of the text.
3. trafilatura, precision mode, on our tree converted to lxml (no second
   parse), keeps the paragraphs it is sure of.
4. Mapped back onto the tree, those show the article's container: its
   paragraphs that the precision mode dropped, those of sibling containers
   built alike (a body cut into chunks between ad slots) and the lead right
   before it are taken back unless marked as furniture (complete_from_tree).
   (Merging with trafilatura's default mode instead was measured and lost
   precision for no recall: see issue 12's note.)
5. The lines plugins print are dropped (boilerplate.is_furniture_text); a
   body that is a wall's, or a listing's teasers, is NotAnArticle.
"""
from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections.abc import Callable
from datetime import datetime
from itertools import islice
from urllib.parse import urljoin, urlsplit

import htmldate
import lxml.html
import trafilatura
from bs4 import BeautifulSoup, Tag
from lxml import etree
from lxml.html import HtmlElement

from ..boilerplate import WallSignals, is_furniture_text, strip_boilerplate
from ..convert import convert_tree
from ..dates import parse_date, parse_printed_date, zone
from ..errors import ExtractionError, NotAnArticle
from ..images import ImageCollector
from ..metadata import (
    PageMeta,
    article_authors,
    article_title,
    byline_texts,
    date_candidates,
    is_article_type,
    jsonld_types,
    paywall_marks,
    printed_date_texts,
    time_candidates,
    title_index,
)
from ..page import Draft, Page
from ..text import clean_block
from ..tree import NearestAncestor, Subtrees
from .wordpress import unique

# trafilatura logs every page it finds too short; that is our NotAnArticle.
logging.getLogger("trafilatura").setLevel(logging.ERROR)
_LIST_MARK_RE = re.compile(r"^[-*•]\s+")
MAIN_CONTAINERS = ("article", "main")  # the first of these the page has is its content
MAIN_SHARE = 0.3  # of the pre-cleaned page's text, for the container to be taken alone
# Elements nested deeper than this are not read: the tree's conversion for
# trafilatura recurses once a level and Python's stack holds about a
# thousand, so such a page failed there ("nested too deeply") anyway, after
# seconds of work that walked every element's ancestors. The benchmark's
# deepest page nests 51 elements.
MAX_DEPTH = 800


class GenericProfile:
    name = "generic"
    version = "1"
    timezone = "UTC"

    def matches(self, url: str, html: str) -> bool:
        return True

    def parse_page(self, html: str, url: str) -> Page:
        return Page.parse(html, url)

    def extract(self, page: Page) -> Draft:
        if nesting_depth(page.tags) > MAX_DEPTH:
            raise ExtractionError("page nested too deeply to read", page.url)
        meta = page.meta
        draft = Draft(canonical_url=meta.canonical)
        # Read before the body's cleaning cuts the byline and <time> out.
        draft.title = self.read_title(page)
        anchor = title_index(page.tags, draft.title)
        bylines = byline_texts(page.tags, anchor)
        draft.authors = article_authors(meta, bylines)
        draft.published = self.read_published(page, anchor, bylines)
        draft.categories = unique(meta.all("article:section"))
        draft.tags = unique(meta.all("article:tag"))
        walls = WallSignals(page.tags, paywall_marks(page.meta))
        declared_listing = listing_declared(page)
        if declared_listing:
            raise NotAnArticle(declared_listing, page.url)
        headlines = linked_headlines(page.tags)
        draft.blocks, images, teasers = self.read_body(page, draft.title)
        draft.images = images.images
        draft.warnings += images.warnings
        reason = walls.wall(draft.blocks) or listing_body(
            draft.blocks, headlines, 0 if declares_article(meta) else teasers)
        if reason:
            raise NotAnArticle(reason, page.url)
        return draft

    def read_title(self, page: Page) -> str:
        h1s = [t.get_text(" ") for t in islice((t for t in page.tags if t.name == "h1"), 5)]
        return article_title(h1s, page.meta, page.url)

    def read_published(self, page: Page, anchor: int | None,
                       bylines: list[str]) -> datetime | None:
        """Declared (JSON-LD, meta, microdata), then the page's <time>, then a
        date printed by the byline or in a date element near the headline,
        then htmldate's reading of the page. A date without its offset is in
        the site's timezone (UTC unless its site says otherwise)."""
        tz = zone(self.timezone)
        for candidate in [*date_candidates(page.meta), *time_candidates(page.tags)]:
            published = parse_date(candidate, tz)
            if published is not None and published.year >= MIN_YEAR:
                return published
        for text in [*bylines, *printed_date_texts(page.tags, anchor)]:
            published = parse_printed_date(text, tz)
            if published is not None and published.year >= MIN_YEAR:
                return published
        return read_date_in_text(page)

    def read_body(self, page: Page, title: str) -> tuple[list[str], ImageCollector, int]:
        """The body's blocks, the images (and those dropped), and how many of
        the blocks are teasers."""
        soup = page.soup
        paged = links_to_next_or_previous(page.tags)  # read before the pager is cut
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
        tree = narrow_to_main(as_lxml_tree(soup))
        blocks = main_text(tree, page.url, precision=True)
        teasers = 0
        if blocks and not isinstance(tree, str):
            blocks = complete_from_tree(tree, blocks)
            teasers = count_teasers(tree, blocks, page.url, paged, title)
        blocks = [b for b in blocks if b != title and not is_furniture_text(b)]
        return blocks, images, teasers


# --- listings: section, tag, author, search and home pages -------------------------------
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
    return sum(len(_NON_WORD_RE.sub("", text)) for text in _own_texts(tag))


def _own_words(tag: Tag) -> int:
    return sum(len(_KEY_RE.findall(text)) for text in _own_texts(tag))


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
    return next(link.iter(*_HEADINGS), None) is not None \
        or any(a.tag in _HEADINGS for a in link.iterancestors())


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
    return len(_NON_WORD_RE.sub("", text)) if text else 0


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


MIN_YEAR = 1995  # the web's news: earlier dates are placeholders ("0001-01-01") or errors


def read_date_in_text(page: Page) -> datetime | None:
    """htmldate's reading of the page (its visible dates, URL, text patterns),
    for pages that declare no publication time."""
    tree = as_lxml_tree(page.soup)
    if isinstance(tree, str):
        return None
    # Scripts hold comment widgets' and ads' dates; the text search guesses
    # from any year in the page (a copyright line): both left out.
    etree.strip_elements(tree, "script", "style", "noscript", with_tail=False)
    try:
        found = htmldate.find_date(tree, url=page.url, original_date=True,
                                   extensive_search=False, outputformat="%Y-%m-%d")
    except Exception:  # noqa: BLE001 - a third-party reader must not fail the page
        return None
    return parse_date(found) if isinstance(found, str) else None


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


# --- our own view of the main container ------------------------------------------------------
# trafilatura (precision mode) keeps the paragraphs it is sure of. Mapped back
# onto the tree, they show where the article is: the container they share.
# Paragraphs of that container (and of sibling containers built alike: a body
# cut into chunks between ad slots) that it dropped are taken back when
# nothing marks them as furniture.
PARAGRAPH_TAGS = frozenset("p h2 h3 h4 h5 h6 blockquote pre".split())
_KEY_RE = re.compile(r"\w+")
_NON_WORD_RE = re.compile(r"\W+")
_FURNITURE_RE = re.compile(
    r"share|social|related|newsletter|promo|advert|(?:^|[-_ ])ads?(?:$|[-_ ])|sponsor|"
    r"subscri|signup|sign-up|recommend|popular|trending|most-read|comment|caption|credit|"
    r"byline|author|meta|tags?(?:$|[-_ ])|breadcrumb|(?:^|[-_ ])nav|footer|sidebar|widget|"
    r"toolbar|print|more-|read-?more|outbrain|taboola|teaser|card|disclaimer|copyright|"
    r"timestamp|dateline|video|gallery|slideshow|podcast|audio|cta|banner",
    re.I,
)
_HEADINGS = frozenset("h2 h3 h4 h5 h6".split())
_ASIDE_TAGS = frozenset("aside nav footer figure figcaption header menu".split())
_LINK_SHARE = 0.5  # of a paragraph's text in links: a link list, not prose
_CORE_SHARE = 0.9  # of the matched text, for their container


def key(text: str) -> str:
    return " ".join(_KEY_RE.findall(text))


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
             if paragraphs[index].tag not in _HEADINGS
             or (index + 1 < len(paragraphs) and id(paragraphs[index + 1]) in taken
                 and paragraphs[index + 1].tag not in _HEADINGS)]
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
