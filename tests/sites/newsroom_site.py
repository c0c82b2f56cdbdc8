"""The Harbour Courier (replica/newsroom.py): a news site that is not
WordPress, declared in one module. Loaded through ARCHIVE_SITE_MODULES."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from cleaning.blocks import iter_blocks
from cleaning.boilerplate import strip_boilerplate
from cleaning.images import ImageCollector
from cleaning.page import Page
from cleaning.profiles.generic import GenericProfile
from sites import CrawlSources, ParserVersion, Site, Term


class NewsroomProfile(GenericProfile):
    """The generic reading of title, byline and <time>; the body is the
    story's `div.story-body` chunks, without their asides."""

    name, version, timezone = "newsroom", "1", "Europe/London"

    def matches(self, url: str, html: str) -> bool:
        return '<meta name="generator" content="Newsroom CMS' in html[:5_000]

    def read_body(self, page: Page, title: str) -> tuple[list[str], ImageCollector, int]:
        images, story = ImageCollector(page.url), page.soup.select_one("article.story")
        if story is None:  # a home, a section, the about page: not an article
            return [], images, 0
        for aside in story.select(".story-body aside"):
            aside.decompose()  # pull quotes and "Read more" links
        strip_boilerplate(story)
        images.take_from(story)
        return [b for chunk in story.select(".story-body") for b in iter_blocks(chunk)], images, 0


class NewsroomSources(CrawlSources):
    """Sections at /<section>/, their older pages at /<section>/page-N.html,
    articles at /YYYY/MM/DD/<slug>.html."""

    article_link_css = "li.teaser h3 a::attr(href), .related-stories a::attr(href)"
    next_page_css = "nav.pager a[rel~=next]::attr(href)"
    term_link_css = "nav.masthead__sections a, a.story-header__section"
    feeds, sitemaps = (), ()

    def listing_url(self, kind: str, slug: str, page: int = 1) -> str:
        return self.listing_page_url(f"{self.base_url}/{slug}/", page)

    def listing_page_url(self, listing: str, page: int) -> str:
        return listing if page == 1 else f"{listing.rstrip('/')}/page-{page}.html"

    def is_article_url(self, url: str) -> bool:
        path = urlsplit(url).path
        return self.on_site(url) and bool(re.fullmatch(r"/\d{4}/\d\d/\d\d/[a-z0-9-]+\.html", path))

    def term_of(self, url: str) -> Term | None:
        section = re.fullmatch(r"/([a-z]+)/(?:page-\d+\.html)?", urlsplit(url).path)
        return Term("category", section[1]) if section else None


SITE = Site(name="newsroom", description="The Harbour Courier (a test site, not WordPress)",
            base_url="https://courier.example", timezone="Europe/London", language="en",
            sources=NewsroomSources, parsers=(ParserVersion(date(2010, 1, 1), NewsroomProfile()),))
