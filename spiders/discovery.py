"""Open discovery's bookkeeping (a site without listings: robots.txt, sitemaps,
feeds, then links): which sources were asked for, which are still to answer,
and the bounds on sitemaps. Pure: tested without Scrapy's engine.

Link following starts when the last source has answered and none named a
page. A source that never reports back would leave the crawl waiting in
silence, so every source is asked once (a URL named twice, by robots.txt and
by default, or twice in one index, is not asked again) and reports back
whatever happens to it: parsed, empty, refused, failed, or raised."""

from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass, field

from parsel import Selector
from scrapy.http import Response

GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class SourceLedger:
    """The sources of one crawl. `max_sitemaps` bounds the sitemap documents
    asked for in all (an index of 250,000 children, a chain of indexes without
    end), `max_depth` how deep indexes may nest (the root sitemaps are depth 0)."""

    max_sitemaps: int
    max_depth: int
    asked: set[str] = field(default_factory=set)
    pending: set[str] = field(default_factory=set)
    sitemaps: int = 0
    bounds: Counter[str] = field(default_factory=Counter)  # what a bound left out, by bound

    def ask(self, url: str, *, sitemap: bool = False, depth: int = 0,
            tracked: bool = True) -> bool:
        """Whether to request this source now; `tracked` ones are waited for."""
        if url in self.asked:
            self.bounds["duplicate"] += 1
            return False
        if sitemap and depth > self.max_depth:
            self.bounds["sitemap_depth"] += 1
            return False
        if sitemap and self.sitemaps >= self.max_sitemaps:
            self.bounds["sitemaps"] += 1
            return False
        self.asked.add(url)
        self.sitemaps += sitemap
        if tracked:
            self.pending.add(url)
        return True

    def answered(self, url: str) -> bool:
        """Record that a source answered (in any way); True when it was the
        last one still awaited."""
        if url not in self.pending:
            return False
        self.pending.discard(url)
        return not self.pending


def sitemap_selector(response: Response, max_bytes: int) -> Selector | None:
    """The sitemap's XML, namespaces removed; a gzip file is read by its
    content (a `.xml.gz` served as a file, with no Content-Encoding), within
    `max_bytes` once inflated. None: not XML that can be read."""
    body = response.body
    if body[:2] == GZIP_MAGIC:
        try:
            body = _gunzip(body, max_bytes)
        except (OSError, EOFError, zlib.error, ValueError):
            return None
    if not body.strip():
        return None
    try:
        selector = Selector(body=body, type="xml")
    except (ValueError, TypeError):
        return None
    selector.remove_namespaces()
    return selector


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    """Inflate within a bound: a small bomb never becomes a large page."""
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = inflate.decompress(data, max_bytes + 1)
    if len(out) > max_bytes:
        raise ValueError(f"over {max_bytes} bytes once inflated")
    return out


__all__ = ["SourceLedger", "sitemap_selector"]
