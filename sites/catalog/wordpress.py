"""Any WordPress site, classic or block theme: the profile every WordPress
site is crawled and read with unless it has a module of its own."""

from __future__ import annotations

from datetime import date

from cleaning.profiles.wordpress import WordPressProfile

from ..base import ParserVersion, Site
from ..sources import CrawlSources

SITE = Site(
    name="wordpress",
    description="any WordPress site (classic and block themes)",
    sources=CrawlSources,  # WordPress's own rules are the base every site starts from
    parsers=(ParserVersion(date(2003, 5, 27), WordPressProfile()),),  # WordPress 0.70
)
