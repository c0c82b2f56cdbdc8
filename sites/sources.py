"""A site's crawl sources: where its listings are and how they page, its
feeds and sitemaps, which URLs are articles and which never are, and where
its pages name its sections. WordPress's rules are the base; a site module
overrides only what differs (selectors are data)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from scrapy.http import HtmlResponse, Response

from cleaning import canonical_form
from cleaning.dates import parse_date

# The kinds of listing a WordPress site has, and the path segment of each;
# besides, its date archives (/YYYY/MM/, kind "month", slug "YYYY/MM").
LISTING_KINDS = ("category", "tag", "author")
MONTH = "month"

# Paths that are never articles on a WordPress site.
NOT_ARTICLE_RE = re.compile(
    r"/(?:attachment|feed|rss|wp-admin|wp-login\.php|wp-json|wp-content|wp-includes|"
    r"category|tag|author|search|page|comments|trackback|xmlrpc\.php)(?:/|\?|$)|"
    r"[?&](?:s|p|attachment_id|replytocom)=",
    re.I,
)


# A listing's path anywhere in a page's text, link or not: the prefilter of
# `CrawlSources.mentioned_terms` (a literal "/" first keeps the scan fast).
_LISTING_PATH_RE = re.compile(r"/(?:category|tag|author)/[^\"'<>\s?#]+")
# A relative one in an attribute (`href="category/x"`), which that scan misses.
# The home page, its later pages, a month's (or day's) archive and its later pages.
_DATED_LISTING_PATH_RE = re.compile(r"(?:\d{4}(?:/\d{2}){0,2}/?)?(?:page/\d+)?")
_RELATIVE_LISTING_RE = re.compile(r"=\s*[\"']?(?:category|tag|author)/")


_HOST_RE = re.compile(r"^[A-Za-z0-9.-]+$|^[0-9A-Fa-f:.]+$")  # a DNS name, or IPv4/IPv6


def check_base_url(value: str) -> str:
    """A site's base URL as crawls use it (no trailing /), or ValueError
    saying what is wrong: http(s) only, a host that can exist, a port that can."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"the base URL must be an http(s) URL with a host, not {value!r}")
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 1 <= port <= 65535:
        raise ValueError(f"{value!r}: the port must be between 1 and 65535")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        host = ""
    if not _HOST_RE.match(host) or ".." in host or len(host) > 253:
        raise ValueError(f"{value!r}: {parts.hostname!r} is not a host name")
    return value.strip().rstrip("/")


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


@dataclass(frozen=True)
class Term:
    """A section, tag or author of a site as one of its pages shows it: the
    slug from its listing's URL and, where the link says it, its display name."""

    kind: str  # category | tag | author
    slug: str
    name: str | None = None


class CrawlSources:
    article_link_css = (
        "h2.entry-title a::attr(href), h1.entry-title a::attr(href), "
        ".wp-block-post-title a::attr(href), article header a[rel=bookmark]::attr(href)"
    )
    next_page_css = (
        ".pagination .alignleft a::attr(href), a.next.page-numbers::attr(href), "
        ".nav-previous a::attr(href), .wp-block-query-pagination-next::attr(href)"
    )
    # Where listing and article pages name their sections, tags and authors:
    # post meta and menus (the home page's every link is read).
    term_link_css = ("a[rel~=category], a[rel~=tag], a[rel~=author], .post-meta a, "
                     ".entry-meta a, .cat-links a, .tags-links a, nav a, .menu a")
    # Whether the site has listings of a known kind to walk; without, the
    # crawl discovers from sitemaps, feeds and links (spiders/open_discovery.py).
    listings = True
    # Whether the site serves month archives (/YYYY/MM/, as WordPress does):
    # a backfill by dates is sharded by month through them.
    month_archives = True
    # Where a listing prints each entry's date (for `--since`).
    listed_date_css = ("article time[datetime]::attr(datetime), article .published::text, "
                       "article .entry-date::text")
    feeds: tuple[str, ...] = ("/feed/",)
    sitemaps: tuple[str, ...] = ("/wp-sitemap.xml", "/sitemap_index.xml", "/sitemap.xml")

    def __init__(self, base_url: str, extra_hosts: tuple[str, ...] = ()) -> None:
        self.base_url = base_url.rstrip("/")
        parts = urlsplit(base_url)
        self.host = parts.hostname or ""
        self.port = parts.port
        # A site is its declared hosts, exactly: no other subdomain, no other
        # port (docs/sites.md).
        self.hosts = frozenset({self.host, *extra_hosts, *self.twins()})

    def listing_url(self, kind: str, slug: str, page: int = 1) -> str:
        base = f"{self.base_url}/{slug}" if kind == MONTH else \
            f"{self.base_url}/{kind}/{slug}" if kind else self.base_url
        return self.listing_page_url(base, page)

    def listing_page_url(self, listing: str, page: int) -> str:
        """Page `page` of the listing whose first page is `listing` (WordPress's rule)."""
        return listing if page == 1 else f"{listing}/page/{page}"

    def is_article_url(self, url: str) -> bool:
        parts = urlsplit(url)
        if not self.on_site(url):
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
        try:
            port = parts.port
        except ValueError:
            return False
        host = parts.hostname or ""
        return parts.scheme in ("http", "https") and host in self.hosts and \
            port == (self.port if host == self.host or host in self.twins() else None)

    def twins(self) -> frozenset[str]:
        """Hosts that are the base URL's own under another name (none here)."""
        return frozenset()

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

    def listed_dates(self, response: Response) -> list[date]:
        """The dates a listing page prints for its entries (none it cannot read)."""
        days = []
        for text in response.css(self.listed_date_css).getall():
            moment = parse_date(text.strip())
            if moment is not None:
                days.append(moment.date())
        return days

    def terms(self, response: Response, everywhere: bool = False) -> list[Term]:
        """The sections, tags and authors a page links to from its menus and
        post meta (from any link, `everywhere`): `/category/<slug>`,
        `/tag/<slug>` and `/author/<slug>` links on this site, named by the
        link's text when it reads as a name (a link to a later page does not)."""
        found: dict[tuple[str, str], Term] = {}
        for link in response.css("a[href]" if everywhere else self.term_link_css):
            if "href" not in link.attrib:
                continue
            url = safe_url(response, link.attrib["href"], canonical=False)
            if url is None or not self.on_site(url):
                continue  # another site's /category/x is not one of ours
            term = self.term_of(url)
            if term is None:
                continue
            # A link to a later page ("Older Entries") does not name the listing.
            text = "" if "/page/" in url else " ".join(link.css("::text").getall())
            name = " ".join(text.split())
            key = (term.kind, term.slug)
            if key not in found or (found[key].name is None and self.reads_as_name(name)):
                found[key] = Term(term.kind, term.slug, name if self.reads_as_name(name) else None)
        return list(found.values())

    def terms_in_page(self, url: str, body: bytes, content_type: str | None = None,
                      everywhere: bool = False) -> list[Term]:
        """`terms` of an archived page (its URL, raw body and Content-Type
        header): for readers that hold bytes, not a Scrapy response."""
        headers = {"Content-Type": content_type} if content_type else None
        return self.terms(HtmlResponse(url=url, body=body, headers=headers), everywhere)

    def mentioned_terms(self, text: str) -> set[tuple[str, str]] | None:
        """The (kind, slug) of every listing path in a page's raw text, read
        without a parse: a superset of what `terms` finds on the page (links
        elsewhere, or in no link, included), so a page whose mentions are all
        known and named can teach nothing and need not be parsed. None when
        the text links to a relative listing path (`category/x`), which
        the scan does not read: parse the page."""
        if _RELATIVE_LISTING_RE.search(text):
            return None
        found = set()
        for path in set(_LISTING_PATH_RE.findall(text)):  # menus repeat them
            term = self.term_of(html.unescape(path))
            if term is not None:
                found.add((term.kind, term.slug))
        return found

    def is_listing_url(self, url: str) -> bool:
        """A page a crawl walks for links, by its URL: the home page and its
        later pages, a month's archive, a section's, tag's or author's
        listing (any page of them); `/?p=123`, a post's short link, is not."""
        parts = urlsplit(url)
        if parts.query:
            return False
        return bool(_DATED_LISTING_PATH_RE.fullmatch(parts.path.strip("/"))) \
            or self.term_of(url) is not None

    def term_of(self, url: str) -> Term | None:
        """The term whose listing `url` is (its first page or a later one).
        WordPress nests a sub-category as /category/parent/child: its slug is
        the path, so its listing URL is the one the site gave."""
        path = [s for s in urlsplit(url).path.split("/") if s]
        if "page" in path:
            path = path[:path.index("page")]
        if len(path) < 2 or path[0] not in LISTING_KINDS or \
                (path[0] != "category" and len(path) != 2):
            return None
        return Term(path[0], "/".join(path[1:]))

    @staticmethod
    def reads_as_name(text: str) -> bool:
        return 1 < len(text) <= 80 and not text.isdigit()

