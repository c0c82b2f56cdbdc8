"""How to walk a site: where its listings are, how to read them, which URLs
are articles. One class per kind of site; selectors are data."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from scrapy.http import Response

from cleaning import canonical_form

# Paths that are never articles on a WordPress site.
NOT_ARTICLE_RE = re.compile(
    r"/(?:attachment|feed|rss|wp-admin|wp-login\.php|wp-json|wp-content|wp-includes|"
    r"category|tag|author|search|page|comments|trackback|xmlrpc\.php)(?:/|\?|$)|"
    r"[?&](?:s|p|attachment_id|replytocom)=",
    re.I,
)


def safe_url(response: Response, href: str, canonical: bool = True) -> str | None:
    """An absolute URL from a link, or None when the link is malformed (a bad
    IPv6 literal, a port out of range): one bad link never costs the page."""
    try:
        url = response.urljoin(href.strip())
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
        return canonical_form(url) if canonical else url
    except ValueError:
        return None


class CrawlSite:
    name = "wordpress"
    cleaner_site = "wordpress"
    default_categories: tuple[str, ...] = ()
    article_link_css = (
        "h2.entry-title a::attr(href), h1.entry-title a::attr(href), "
        ".wp-block-post-title a::attr(href), article header a[rel=bookmark]::attr(href)"
    )
    next_page_css = (
        ".pagination .alignleft a::attr(href), a.next.page-numbers::attr(href), "
        ".nav-previous a::attr(href), .wp-block-query-pagination-next::attr(href)"
    )
    category_link_css = "a[href*='/category/']::attr(href)"
    feeds: tuple[str, ...] = ("/feed/",)
    sitemaps: tuple[str, ...] = ("/wp-sitemap.xml", "/sitemap_index.xml", "/sitemap.xml")

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(base_url).hostname or ""

    def listing_url(self, kind: str, slug: str, page: int = 1) -> str:
        base = f"{self.base_url}/{kind}/{slug}" if kind else self.base_url
        return self.listing_page_url(base, page)

    def listing_page_url(self, listing: str, page: int) -> str:
        """Page `page` of the listing whose first page is `listing` (WordPress's rule)."""
        return listing if page == 1 else f"{listing}/page/{page}"

    def is_article_url(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or (parts.hostname or "") != self.host:
            return False
        path = parts.path.strip("/")
        return bool(path) and not NOT_ARTICLE_RE.search(parts.path + "?" + parts.query) \
            and not path.endswith((".xml", ".jpg", ".png", ".gif", ".pdf", ".zip"))

    def article_links(self, response: Response) -> tuple[list[str], int]:
        """Article URLs of a listing page, and how many links were refused for
        pointing off the site or at another scheme (file://, ftp://, ...)."""
        links, refused = [], 0
        for href in response.css(self.article_link_css).getall():
            url = safe_url(response, href)
            if url is None or not self.on_site(url):
                refused += 1  # malformed, off the site, or another scheme: skipped, counted
            elif self.is_article_url(url):
                links.append(url)
        return list(dict.fromkeys(links)), refused

    def on_site(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and (parts.hostname or "") == self.host

    def next_page(self, response: Response) -> str | None:
        """The "older entries" link; None at the listing's end. A link that is
        malformed or off the site raises ValueError (the caller falls back on
        the site's pagination rule)."""
        href = response.css(self.next_page_css).get()
        if not href:
            return None
        url = safe_url(response, href, canonical=False)
        if url is None or not self.on_site(url):
            raise ValueError(f"unusable next-page link {href[:200]!r}")
        return url

    def category_slugs(self, response: Response) -> list[str]:
        slugs = []
        for href in response.css(self.category_link_css).getall():
            url = safe_url(response, href, canonical=False)
            if url is None or not self.on_site(url):
                continue  # another site's /category/x is not one of ours
            path = urlsplit(url).path.strip("/").split("/")
            if len(path) >= 2 and path[0] == "category":
                slugs.append(path[1])
        return list(dict.fromkeys(slugs))


class AawsatSite(CrawlSite):
    """Divi listings: `h2.entry-title > a`, "« Older Entries" in `.pagination .alignleft`.
    Article URLs are /<author-slug>/<category-slug>/<post-slug>."""

    name = "aawsat"
    cleaner_site = "aawsat"
    default_categories = ("news-middle-east", "world-news", "opinion", "majalla-blogs")
    article_link_css = "article.et_pb_post h2.entry-title a::attr(href)"
    next_page_css = ".pagination .alignleft a::attr(href)"
    sitemaps = ()  # not confirmed on the archive: never rely on one

    def is_article_url(self, url: str) -> bool:
        if not super().is_article_url(url):
            return False
        return len([s for s in urlsplit(url).path.split("/") if s]) == 3


def crawl_site(site: str, base_url: str) -> CrawlSite:
    host = urlsplit(base_url).hostname or ""
    if site == "aawsat" or (site == "auto" and host.endswith("aawsat.com")):
        return AawsatSite(base_url)
    return CrawlSite(base_url)
