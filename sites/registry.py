"""The sites we know by name, and the profiles for any other site."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ARCHIVE_BASE_URL = "https://eng-archive.aawsat.com"

# What a crawl can be asked for today: the registered site and two profiles
# (a `generic` crawl, discovery without WordPress listings, is still to come).
CrawlSiteName = Literal["auto", "aawsat", "wordpress"]


@dataclass(frozen=True)
class SiteKind:
    name: str
    description: str
    base_url: str | None = None  # a registered site's own; a profile needs --base-url
    crawlable: bool = True


REGISTERED: dict[str, SiteKind] = {
    "aawsat": SiteKind("aawsat", "The Asharq Al-Awsat English Archive (WordPress + Divi, "
                                 "2005-2017)", ARCHIVE_BASE_URL),
}
PROFILES: dict[str, SiteKind] = {
    "auto": SiteKind("auto", "the registered site or profile the pages match"),
    "wordpress": SiteKind("wordpress", "any WordPress site (classic and block themes)"),
    "generic": SiteKind("generic", "any news site (cleaning only: crawling it is to come)",
                        crawlable=False),
}
CRAWL_PROFILES = tuple(n for n, kind in {**REGISTERED, **PROFILES}.items() if kind.crawlable)
