"""Reading a page as its site: the site's parser version valid on the day
the page was fetched, through the cleaner (`cleaning.extract_article` with
that parser). The entry point for every caller that knows sites: the crawl,
re-extraction, import and `archive extract`."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, datetime

from cleaning import Article, ExtractionError, Profile
from cleaning import extract_article as extract_with
from cleaning.outcome import Cleaned
from cleaning.outcome import clean_page as clean_with

from .base import ParserVersion, Site
from .registry import AUTO, RegistryError, get_site, recognise


@dataclass(frozen=True)
class Reading:
    """How to read a site's pages: as which site or profile, and where the
    sites file says more than the site module (its timezone, for dates
    printed without one; its language, for pages that declare none)."""

    site: str = AUTO
    timezone: str | None = None
    language: str | None = None


def site_for(site: str, url: str, html: str | bytes) -> Site:
    """The site a page is read as: the one named, or with `auto` the site its
    host or markup names."""
    if site == AUTO:
        # Only ASCII markers are looked for: any ASCII-compatible reading will do.
        text = html if isinstance(html, str) else \
            html[:300_000].decode("utf-8", "replace") if isinstance(html, bytes) else ""
        return recognise(url, text)
    return get_site(site)


def parser_for(site: str, url: str, html: str | bytes,
               fetched: date | datetime | None = None) -> ParserVersion:
    """The parser version for a page: its site's, valid on the fetch day."""
    return site_for(site, url, html).parser_for(_day(fetched))


def _day(fetched: date | datetime | None) -> date | None:
    return fetched.date() if isinstance(fetched, datetime) else fetched


def _parser(version: ParserVersion, reading: Reading) -> Profile:
    """The version's parser, in the sites file's timezone when it gives one."""
    if reading.timezone is None or getattr(version.parser, "timezone", None) is None:
        return version.parser
    parser = copy.copy(version.parser)
    parser.timezone = reading.timezone  # type: ignore[attr-defined]
    return parser


def _finished(article: Article, reading: Reading, site: Site, version: ParserVersion
              ) -> Article:
    """The parser version that read it, and a language for a page that
    declares none: the sites file's, else the site module's where the site
    was named or the page is on its own hosts. A page `auto` took for the
    site by its markup, or on a sister host (the Arabic www.aawsat.com), may
    be in another language: it keeps none."""
    language = article.language or reading.language
    if language is None and (reading.site != AUTO or _on_its_hosts(site, article.url)):
        language = site.language
    return article.model_copy(update={"parser": version.label, "language": language})


def _on_its_hosts(site: Site, url: str) -> bool:
    return site.base_url is not None and site.crawl_sources(site.base_url).on_site(url)


def extract_article(html: str | bytes, url: str, site: str | Reading = AUTO, *,
                    fetched: date | datetime | None = None, fallback: bool | None = None,
                    declared_charset: str | None = None) -> Article:
    """`cleaning.extract_article` with the site's parser version. Raises
    NotAnArticle or ExtractionError (an unknown site is one), nothing else."""
    reading = site if isinstance(site, Reading) else Reading(site)
    try:
        read_as = site_for(reading.site, url, html)
    except RegistryError as error:
        raise ExtractionError(str(error), url) from None
    version = read_as.parser_for(_day(fetched))
    article = extract_with(html, url, _parser(version, reading),
                           fallback=reading.site == AUTO if fallback is None else fallback,
                           declared_charset=declared_charset)
    return _finished(article, reading, read_as, version)


def clean_page(body: bytes | str, url: str, site: str | Reading,
               content_type: str | None = None,
               fetched: date | datetime | None = None) -> Cleaned:
    """`cleaning.outcome.clean_page` with the site's parser version: the one
    way a raw page becomes a storable article. Never raises."""
    reading = site if isinstance(site, Reading) else Reading(site)
    try:
        read_as = site_for(reading.site, url, body)
    except RegistryError as error:
        return Cleaned(problem="parse_error", detail=str(error))
    version = read_as.parser_for(_day(fetched))
    cleaned = clean_with(body, url, _parser(version, reading), content_type)
    if cleaned.article is not None:
        cleaned.article = _finished(cleaned.article, reading, read_as, version)
    return cleaned
