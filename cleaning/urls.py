"""One URL per article: the canonical form used as the store's key."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

# Query parameters that name a share button, a campaign or a reply, never a page.
TRACKING_PARAMS = (
    "share", "nb", "replytocom", "amp", "fbclid", "gclid", "dclid", "msclkid", "mc_cid",
    "mc_eid", "igshid", "ref", "ref_src", "utm_source", "utm_medium", "utm_campaign",
    "utm_term", "utm_content", "utm_name", "_ga", "output",
)


def canonical_form(url: str) -> str:
    """Scheme and host lower-cased, fragment and tracking parameters dropped,
    query sorted, no trailing slash (except the root)."""
    cleaned = url_query_cleaner(url.strip(), TRACKING_PARAMS, remove=True, keep_fragments=False)
    cleaned = canonicalize_url(cleaned, keep_fragments=False)
    parts = urlsplit(cleaned)
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def resolve_canonical(page_url: str, link_href: str | None) -> str:
    """`<link rel=canonical>` when it is a usable http(s) URL, else the page's own URL."""
    if link_href:
        absolute = urljoin(page_url, link_href)
        if urlsplit(absolute).scheme in ("http", "https"):
            return canonical_form(absolute)
    return canonical_form(page_url)
