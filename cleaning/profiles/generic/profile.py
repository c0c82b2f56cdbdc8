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

from datetime import datetime
from itertools import islice

import htmldate
from lxml import etree

from ...boilerplate import WallSignals, is_furniture_text, strip_boilerplate
from ...dates import parse_date, parse_printed_date, zone
from ...errors import ExtractionError, NotAnArticle
from ...images import ImageCollector
from ...metadata import (
    article_authors,
    article_title,
    byline_texts,
    date_candidates,
    paywall_marks,
    printed_date_texts,
    time_candidates,
    title_index,
)
from ...page import Draft, Page
from ..wordpress import unique
from .completion import complete_from_tree
from .listings import (
    count_teasers,
    declares_article,
    linked_headlines,
    links_to_next_or_previous,
    listing_body,
    listing_declared,
    nesting_depth,
)
from .main_text import MAIN_CONTAINERS, as_lxml_tree, main_text, narrow_to_main

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
