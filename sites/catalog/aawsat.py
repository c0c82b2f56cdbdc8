"""The Asharq Al-Awsat English Archive (2005-2017): WordPress with the Divi theme.

The site, declared once: its hosts, how it is crawled (Divi's listings) and
its parser versions. Markup facts are in docs/archive-site.md. Only what
differs from WordPress is declared here.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from bs4 import SoupStrainer, Tag

from cleaning.page import Draft, Page
from cleaning.profiles.wordpress import WordPressProfile

from ..base import ParserVersion, Site
from ..sources import CrawlSources

HOUSE_BYLINE = "Asharq Al-Awsat"
HOUSE_SLUGS = {"theaawsat", "asharq-al-awsat", "aawsat"}
HOSTS = ("eng-archive.aawsat.com", "english.aawsat.com", "aawsat.net")
# Every suffix variant seen in <title>: " - ... English Archive", "... 2005 -2017", " | ...".
# From the start of a run of spaces only (`(?<!\s)`): the same match,
# without a quadratic search over a long run.
_TITLE_SUFFIX_RE = re.compile(
    r"(?<!\s)\s*[-|–—]\s*ASHARQ\s+AL-?AWSAT(?:\s+English\s+Archive)?(?:\s*2005\s*-\s*2017)?\s*$",
    re.I,
)
_READ_ONLY = SoupStrainer(["title", "meta", "link", "script", "article"])
_SITE_MARK_RE = re.compile(r"ASHARQ AL-AWSAT English Archive|Asharq Al-awsat", re.I)


class AawsatProfile(WordPressProfile):
    name = "aawsat"
    version = "1"
    timezone = "Europe/London"  # the paper is edited in London

    post_selectors = ("article.et_pb_post", "article.post", "article")
    title_selectors = ("h1.entry-title", ".et_post_meta_wrapper h1")
    author_selectors = (
        "p.post-meta span.author a", "p.post-meta span.author", "span.author.vcard a",
    )
    date_selectors = ("p.post-meta span.published", "span.published", "time[datetime]")
    category_selectors = ("p.post-meta a[rel~=category]", "a[rel~=category]")
    tag_selectors = ()  # Divi prints no tags on a post: meta tags, else the tag-* classes

    def matches(self, url: str, html: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        if host in HOSTS or host.endswith(".aawsat.com"):
            return True
        return "et_pb_post" in html and bool(_SITE_MARK_RE.search(html[:20_000]))

    def parse_page(self, html: str, url: str) -> Page:
        """Parse only the head and Divi's #left-area, and of those only the
        elements this profile reads: about half the cost of a full parse."""
        head_end = html.find("</head>")
        area = html.find('id="left-area"')
        if head_end < 0 or area < 0:
            return Page.parse(html, url)
        area_start = html.rfind("<", 0, area)
        sidebar = html.find('id="sidebar"', area)
        area_end = html.rfind("<", area, sidebar) if sidebar > 0 else len(html)
        part = html[:head_end] + "</head><body>" + html[area_start:area_end] + "</body>"
        return Page.parse_parts(html, url, part, _READ_ONLY)

    def extract(self, page: Page) -> Draft:
        draft = super().extract(page)
        draft.authors = [HOUSE_BYLINE if a.lower().replace(" ", "") in HOUSE_SLUGS
                         or a.lower() == HOUSE_BYLINE.lower() else a for a in draft.authors]
        author_slug, category_slug = self.slugs_from_url(page.url)
        if not draft.authors and author_slug:
            draft.authors = [self.author_from_slug(author_slug)]
        if not draft.categories and category_slug:
            draft.categories = [category_slug]
        return draft

    def strip_title_suffix(self, title: str, page: Page) -> str:
        return _TITLE_SUFFIX_RE.sub("", title).strip() or super().strip_title_suffix(title, page)

    @staticmethod
    def slugs_from_url(url: str) -> tuple[str | None, str | None]:
        """Article URLs are /<author-slug>/<category-slug>/<post-slug>."""
        segments = [s for s in urlsplit(url).path.split("/") if s]
        if len(segments) >= 3:
            return segments[0], segments[1]
        return None, None

    @staticmethod
    def author_from_slug(slug: str) -> str:
        if slug in HOUSE_SLUGS:
            return HOUSE_BYLINE
        return " ".join(part.capitalize() for part in slug.split("-"))

    def find_meta_scope(self, post: Tag | None) -> Tag | None:
        # Divi's first meta wrapper holds the h1, the "by ... | date" line and the
        # featured image; the second holds the comments and their avatars.
        if post is None:
            return None
        wrapper = post.find("div", class_="et_post_meta_wrapper", recursive=False)
        return wrapper if isinstance(wrapper, Tag) else None

    def find_featured(self, scope: Tag) -> Tag | None:
        if "et_post_meta_wrapper" in (scope.get("class") or []):
            image = scope.find("img")
            return image if isinstance(image, Tag) else None
        return super().find_featured(scope)


class AawsatSources(CrawlSources):
    """Divi listings: `h2.entry-title > a`, "« Older Entries" in
    `.pagination .alignleft`. Article URLs are /<author>/<category>/<post>.
    The sections are discovered from the site (menus, post meta), never listed here."""

    article_link_css = "article.et_pb_post h2.entry-title a::attr(href)"
    next_page_css = ".pagination .alignleft a::attr(href)"
    sitemaps = ()  # not confirmed on the archive: never rely on one

    def is_article_url(self, url: str) -> bool:
        if not super().is_article_url(url):
            return False
        return len([s for s in urlsplit(url).path.split("/") if s]) == 3


SITE = Site(
    name="aawsat",
    description="The Asharq Al-Awsat English Archive (WordPress + Divi, 2005-2017)",
    base_url="https://eng-archive.aawsat.com",
    hosts=HOSTS,
    timezone=AawsatProfile.timezone,
    language="en",
    sources=AawsatSources,
    parsers=(ParserVersion(date(2005, 1, 1), AawsatProfile()),),
)
