"""Any news site: no listings of a known kind; discovery from sitemaps, feeds
and links within the site, and the generic extractor deciding what is an
article."""

from __future__ import annotations

from datetime import date

from cleaning.profiles.generic import GenericProfile

from ..base import ParserVersion, Site
from ..sources import CrawlSources


class GenericSources(CrawlSources):
    """Sitemaps and feeds found on the site itself (robots.txt's `Sitemap:`
    lines, `/sitemap.xml`, the home page's feed links), then links followed
    within the site; every on-site page may be an article."""

    article_link_css = "a::attr(href)"
    next_page_css = "a[rel~=next]::attr(href)"
    feeds = ()  # the ones the home page links are read from it
    sitemaps = ("/sitemap.xml",)


SITE = Site(
    name="generic",
    description="any news site (sitemaps, feeds, links within the site)",
    sources=GenericSources,
    parsers=(ParserVersion(date(1990, 1, 1), GenericProfile()),),
    crawlable=False,  # its discovery is being built (issue on sites)
    recognisable=False,  # `auto`'s last resort, never its first match
)
