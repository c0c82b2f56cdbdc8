"""What the spider hands the pipeline: one fetched page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FetchedPage:
    url: str
    requested_url: str
    status: int
    headers: list[tuple[str, str]]
    request_headers: list[tuple[str, str]]
    # Left out of the repr: Scrapy logs an item that failed, and a log line
    # must never carry a page body (up to the download size limit).
    body: bytes = field(repr=False)
    site: str | None = None  # the site to read it as (None: the pipeline's)
    # The site to store it under, as the spider knew it when it fetched the
    # page (`auto` settles on a site once the home page is read); None: the pipeline's.
    stored_as: str | None = None
    # A page of a site without listings: one that is no article (a section, a
    # hub) is read for links, never quarantined (it changes; read it again).
    may_be_hub: bool = False


def header_pairs(headers: Any) -> list[tuple[str, str]]:
    """Scrapy's headers (bytes, a name repeated per value) as WARC records take them."""
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, values in headers.items()
            for v in values]
