"""`extract_article`: one page in, one clean Article out (pure, no I/O)."""

from __future__ import annotations

import logging
import re
from typing import Protocol

from .datelines import find_dateline
from .dates import drop_future
from .decoding import ensure_text
from .errors import ExtractionError, NotAnArticle
from .models import Article, content_hash, count_words
from .page import Draft, Page
from .profiles.generic import GenericProfile
from .profiles.wordpress import WordPressProfile
from .urls import resolve_canonical

log = logging.getLogger(__name__)
# Recorded with every revision: bump when the cleaner's output changes.
CLEANER_VERSION = "cleaning-3"


class Profile(Protocol):
    name: str
    version: str

    def matches(self, url: str, html: str) -> bool: ...
    def parse_page(self, html: str, url: str) -> Page: ...
    def extract(self, page: Page) -> Draft: ...


# The cleaner's own profiles, for any site of a kind, as `auto` tries them;
# the site registry (sites/) is the one list of names users choose from, and
# passes a registered site's parser in as a Profile.
PROFILES: dict[str, Profile] = {
    "wordpress": WordPressProfile(),
    "generic": GenericProfile(),
}
_CHOICES = ("auto", *PROFILES)
_LANG_RE = re.compile(r"^[a-z]{2,3}$")


def choose_profile(url: str, html: str) -> Profile:
    """The most specific profile whose site this page is from."""
    for profile in PROFILES.values():
        if profile.matches(url, html):
            return profile
    return PROFILES["generic"]


def extract_article(html: str | bytes, url: str, site: str | Profile = "auto",
                    fallback: bool | None = None, *,
                    declared_charset: str | None = None) -> Article:
    """Clean one page. Raises NotAnArticle or ExtractionError, nothing else.

    `site`: `auto`, a profile's name, or a site's parser (`sites.extract_article`
    chooses one by site and fetch date).

    `declared_charset`: the charset of the HTTP Content-Type header the page
    came with; tried first for bytes (it is authoritative when it decodes).

    `fallback`: whether `generic` takes over when the site profile finds no
    body; by default only with `site="auto"` (a crawl of a known site asks for
    it explicitly, so that a changed template still yields articles)."""
    try:
        return _extract(html, url, site, site == "auto" if fallback is None else fallback,
                        declared_charset)
    except ExtractionError:
        raise
    except RecursionError as error:
        raise ExtractionError("page nested too deeply to read", url) from error
    except Exception as error:  # a cleaner bug must not crash a crawl: report it as such
        log.exception("cleaner failed on %s", url)
        raise ExtractionError(f"cleaner failed: {type(error).__name__}: {error}", url) from error


def _extract(html: str | bytes, url: str, site: str | Profile, fallback_allowed: bool,
             declared_charset: str | None = None) -> Article:
    if isinstance(site, str) and site not in _CHOICES:
        choices = ", ".join(_CHOICES)
        raise ExtractionError(f"unknown site profile {site!r}; choose one of {choices}", url)
    text, warnings = ensure_text(html, url, declared_charset)
    if not isinstance(site, str):
        profile = site
    else:
        profile = choose_profile(url, text) if site == "auto" else PROFILES[site]
    page = profile.parse_page(text, url)
    draft = profile.extract(page)
    extractor, fallback = profile.name, False

    if not draft.blocks and fallback_allowed and profile.name != "generic":
        # A changed template: keep the profile's metadata, take the body from generic.
        message = f"profile {profile.name} found no article body; generic extractor used"
        log.warning("%s: %s", url, message)
        warnings.append(message)
        # A fresh full parse: the profile's tree may be partial (strainer) and is pruned.
        generic = PROFILES["generic"].extract(Page.parse(text, url))
        draft.blocks, draft.images = generic.blocks, draft.images + generic.images
        draft.warnings += generic.warnings
        draft.title = draft.title or generic.title
        extractor, fallback = "generic", True

    if not draft.blocks:
        raise NotAnArticle(f"no article body found (profile {profile.name})", url)
    if not draft.title:
        warnings.append("no title found")

    published, future_warning = drop_future(draft.published)
    if future_warning:
        log.warning("%s: %s", url, future_warning)
        warnings.append(future_warning)

    body = "\n\n".join(draft.blocks)
    return Article(
        url=url,
        canonical_url=resolve_canonical(url, draft.canonical_url),
        title=draft.title,
        authors=draft.authors,
        published=published,
        categories=draft.categories,
        tags=draft.tags,
        dateline=find_dateline(draft.blocks[0]),
        body=body,
        images=draft.images,
        language=_language(page),
        word_count=count_words(body),
        content_hash=content_hash(draft.title, body),
        extractor=extractor,
        parser=f"{profile.name}-{profile.version}",
        fallback=fallback,
        warnings=warnings + draft.warnings,
    )


def _language(page: Page) -> str | None:
    for candidate in (page.meta.language, page.meta.first("og:locale", "content-language")):
        if candidate:
            code = candidate.split("_")[0].split("-")[0].lower()
            if _LANG_RE.match(code):
                return code
    return None
