"""What open discovery (a site without listings: the generic profile) reads
from home pages and sitemaps, as pure values."""

from __future__ import annotations

from datetime import UTC, datetime

# The feed types a home page's <link rel="alternate"> may name.
FEED_TYPES = ("application/rss+xml", "application/atom+xml")


def sitemap_lastmod(value: str | None) -> datetime | None:
    """A sitemap's <lastmod> (W3C datetime; a bare date is the day's start, UTC)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
