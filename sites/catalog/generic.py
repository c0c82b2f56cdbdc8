"""Any news site: no listings of a known kind; discovery from sitemaps, feeds
and links within the site, and the generic extractor deciding what is an
article."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from cleaning.profiles.generic import GenericProfile

from ..base import ParserVersion, Site
from ..sources import CrawlSources

NOT_PAGES = (".xml", ".xml.gz", ".rss", ".atom", ".json", ".txt", ".css", ".js", ".jpg",
             ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".pdf", ".zip", ".mp3", ".mp4")
NOT_ARTICLE_PATH_RE = re.compile(r"/(?:feed|rss|wp-admin|wp-json|wp-login\.php|xmlrpc\.php|"
                                 r"login|logout|signin|register|cart|checkout)(?:/|$)")


class GenericSources(CrawlSources):
    """Sitemaps and feeds found on the site itself (robots.txt's `Sitemap:`
    lines, `/sitemap.xml`, the home page's feed links), then links followed
    within the site; every on-site page may be an article."""

    listings = False
    month_archives = False
    feeds = ()  # the ones the home page links are read from it
    sitemaps = ("/sitemap.xml",)

    def twins(self) -> frozenset[str]:
        """The base URL's `www.`/apex twin: a news site links both forms."""
        host = self.host
        if not host or host.replace(".", "").isdigit() or "." not in host or ":" in host:
            return frozenset()  # an address or a bare name has no twin
        return frozenset({host[4:] if host.startswith("www.") else f"www.{host}"})

    def is_article_url(self, url: str) -> bool:
        """Any page of the site may be an article (the cleaner decides); never
        a file, a feed, a sitemap or a WordPress admin path."""
        if not self.on_site(url):
            return False
        path = urlsplit(url).path.lower()
        return not path.endswith(NOT_PAGES) and not NOT_ARTICLE_PATH_RE.search(path)


SITE = Site(
    name="generic",
    description="any news site (sitemaps, feeds, links within the site)",
    sources=GenericSources,
    parsers=(ParserVersion(date(1990, 1, 1), GenericProfile()),),
    recognisable=False,  # `auto`'s last resort, never its first match
)
