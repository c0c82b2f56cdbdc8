"""One URL per article: the canonical form used as the store's key."""

from __future__ import annotations

from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

# Query parameters that name a share button, a campaign or a reply, never a page.
TRACKING_PARAMS = (
    "share", "nb", "replytocom", "amp", "fbclid", "gclid", "dclid", "msclkid", "mc_cid",
    "mc_eid", "igshid", "ref", "ref_src", "utm_source", "utm_medium", "utm_campaign",
    "utm_term", "utm_content", "utm_name", "_ga", "output",
    # Session identifiers: the same page for every visitor.
    "sid", "sessionid", "session_id", "phpsessid", "PHPSESSID", "jsessionid", "JSESSIONID",
)


def canonical_form(url: str) -> str:
    """Scheme and host lower-cased, fragment and tracking parameters dropped,
    query sorted, no trailing slash (except the root)."""
    cleaned = url_query_cleaner(url.strip(), TRACKING_PARAMS, remove=True, keep_fragments=False)
    cleaned = canonicalize_url(cleaned, keep_fragments=False)
    parts = urlsplit(cleaned)
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def _bare_host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _same_page(declared: str, fetched: str) -> bool:
    """Whether a canonical link names the page it is on: the same host (`www.`
    and scheme aside) and path, its query a part of the fetched one (a
    canonical drops what a redirect, a session or a campaign added)."""
    a, b = urlsplit(declared), urlsplit(fetched)
    if (a.hostname or "").removeprefix("www.") != (b.hostname or "").removeprefix("www.") \
            or a.port != b.port or a.path != b.path:
        return False
    return set(parse_qsl(a.query, keep_blank_values=True)) <= \
        set(parse_qsl(b.query, keep_blank_values=True))


def storage_key(page_url: str, canonical: str) -> tuple[str, str | None]:
    """(the key an article is stored under, the canonical URL it declared if
    that is not the key), from the fetched URL and `resolve_canonical`'s result.

    The declared canonical is the key only when it names this same page (the
    fetched URL up to the site's normalisation: tracking and share parameters,
    trailing slash, http/https, `www.`). A page declaring another page's URL
    (a hijack, or page 2 of a post naming page 1) is stored under its own URL,
    its declaration kept beside it: two different pages never end in one row.
    (The store still merges a page with the one it names when both hold the
    same content: see storage/bulk.py.)"""
    fetched = canonical_form(page_url)
    if canonical == fetched or _same_page(canonical, fetched):
        return canonical, None
    return fetched, canonical


def resolve_canonical(page_url: str, link_href: str | None) -> str:
    """`<link rel=canonical>` when it is a usable http(s) URL on the page's own
    host (a `www.` twin included), else the page's own URL: a canonical that
    is malformed (a port out of range) or names another site is ignored, so a
    page can never take another site's article's place."""
    if link_href:
        try:
            absolute = urljoin(page_url, link_href.strip())
            parts = urlsplit(absolute)
            parts.port  # noqa: B018 - raises ValueError for a port out of range
            if parts.scheme in ("http", "https") and _bare_host(absolute) == _bare_host(page_url):
                return canonical_form(absolute)
        except ValueError:
            pass
    return canonical_form(page_url)


def host_site(url: str) -> str:
    """The URL's host[:port], lower case: the name a page of no known site is
    stored under (a profile crawl's, an import's of an unknown host)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host
