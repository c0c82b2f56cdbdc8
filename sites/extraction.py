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

from .base import ParserVersion
from .registry import AUTO, RegistryError, get_site, recognise


@dataclass(frozen=True)
class Reading:
    """How to read a site's pages: as which site or profile, and where the
    sites file says more than the site module (its timezone, for dates
    printed without one; its language, for pages that declare none)."""

    site: str = AUTO
    timezone: str | None = None
    language: str | None = None


def parser_for(site: str, url: str, html: str | bytes,
               fetched: date | datetime | None = None) -> ParserVersion:
    """The parser version for a page: its site's (or, with `auto`, the site
    its host or markup names), valid on the fetch day."""
    day = fetched.date() if isinstance(fetched, datetime) else fetched
    if site == AUTO:
        # Only ASCII markers are looked for: any ASCII-compatible reading will do.
        text = html if isinstance(html, str) else \
            html[:300_000].decode("utf-8", "replace") if isinstance(html, bytes) else ""
        return recognise(url, text).parser_for(day)
    return get_site(site).parser_for(day)


def _parser(version: ParserVersion, reading: Reading) -> Profile:
    """The version's parser, in the sites file's timezone when it gives one."""
    if reading.timezone is None or getattr(version.parser, "timezone", None) is None:
        return version.parser
    parser = copy.copy(version.parser)
    parser.timezone = reading.timezone  # type: ignore[attr-defined]
    return parser


def _in_language(article: Article, reading: Reading) -> Article:
    if article.language or not reading.language:
        return article
    return article.model_copy(update={"language": reading.language})


def extract_article(html: str | bytes, url: str, site: str | Reading = AUTO, *,
                    fetched: date | datetime | None = None, fallback: bool | None = None,
                    declared_charset: str | None = None) -> Article:
    """`cleaning.extract_article` with the site's parser version. Raises
    NotAnArticle or ExtractionError (an unknown site is one), nothing else."""
    reading = site if isinstance(site, Reading) else Reading(site)
    try:
        version = parser_for(reading.site, url, html, fetched)
    except RegistryError as error:
        raise ExtractionError(str(error), url) from None
    article = extract_with(html, url, _parser(version, reading),
                           fallback=reading.site == AUTO if fallback is None else fallback,
                           declared_charset=declared_charset)
    return _in_language(article, reading).model_copy(update={"parser": version.label})


def clean_page(body: bytes | str, url: str, site: str | Reading,
               content_type: str | None = None,
               fetched: date | datetime | None = None) -> Cleaned:
    """`cleaning.outcome.clean_page` with the site's parser version: the one
    way a raw page becomes a storable article. Never raises."""
    reading = site if isinstance(site, Reading) else Reading(site)
    try:
        version = parser_for(reading.site, url, body, fetched)
    except RegistryError as error:
        return Cleaned(problem="parse_error", detail=str(error))
    cleaned = clean_with(body, url, _parser(version, reading), content_type)
    if cleaned.article is not None:
        cleaned.article = _in_language(cleaned.article, reading).model_copy(
            update={"parser": version.label})
    return cleaned
