"""The names' mend job (`archive mend-names`): a store crawled before display
names were learned holds a section twice (`news-middle-east` beside `Middle
East`) and bylines made from slugs (`Hamzamustafa` beside `Hamza Mustafa`).
Names are stored, not slugs, so no schema migration can mend that: the pages
must be read again. For each stored article, its latest WARC record is read
(no HTTP) and the sections, tags and authors its page shows are learned with
its site's crawl sources, as a crawl learns them; then every stored name of
the site that stands for a slug with a display name is merged into it
(`ArticleStore.merge_names`). Idempotent: a second run learns and merges
nothing. `dry_run` reports what it would learn and merge, and writes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import HtmlResponse
from warcio.exceptions import ArchiveLoadFailed

from sites import CrawlSources, Term, get_site
from storage.naming import LearnedName, NameMerge, reading_site, site_for_url
from storage.store import ArticleStore
from storage.warc import NothingReadable, read_response

log = logging.getLogger(__name__)
# Where a stored site's name says nothing of its kind (a host, a sites-file
# name for `auto`): WordPress's rules, the base every site's sources start from.
FALLBACK_SOURCES = "wordpress"


@dataclass
class MendResult:
    """What the mend job read, learned and merged."""

    articles: int = 0  # stored articles whose latest WARC record was read
    unreadable: int = 0  # records missing or damaged: skipped
    learned: list[LearnedName] = field(default_factory=list)
    merged: list[NameMerge] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"articles": self.articles, "unreadable": self.unreadable,
                "learned": [vars(n) for n in self.learned],
                "merged": [vars(m) for m in self.merged]}


def mend_names(store: ArticleStore, site: str | None = None, dry_run: bool = False,
               progress: Callable[[int], None] | None = None) -> MendResult:
    """Learn the display names the stored articles' pages show (of `site`,
    the name articles are stored under; every site with None) and merge the
    stored names that stand for their slugs into them."""
    result = MendResult()
    known: dict[str, dict[tuple[str, str], str | None]] = {}  # site -> (kind, slug) -> name
    pending: dict[str, list[LearnedName]] = {}  # learned in a dry run, by site
    sources: dict[tuple[str, str], CrawlSources] = {}
    for done, row in enumerate(store.latest_revisions_with_warc(site=site), 1):
        stored = row["site"] or site_for_url(row["canonical_url"])
        if stored not in known:
            known[stored] = {(t.kind, t.slug): t.name for t in store.site_terms(stored)}
        terms = _terms_shown(row, stored, sources)
        if terms is None:
            result.unreadable += 1
        else:
            result.articles += 1
            new = _new_to(known[stored], terms)
            if new and dry_run:
                pending.setdefault(stored, []).extend(
                    LearnedName(stored, t.kind, t.slug, t.name) for t in new if t.name)
            elif new:
                remembered = store.remember_terms(stored, new)
                result.learned += remembered.learned
                result.merged += remembered.merged
            for term in new:
                key = (term.kind, term.slug)
                known[stored][key] = term.name or known[stored].get(key)
        if progress is not None:
            progress(done)
    if result.unreadable and not result.articles:
        raise NothingReadable(f"none of the {result.unreadable} archived pages could be read "
                              "from their WARC files; were the WARC files moved or pruned?")
    for stored in known:  # names learned before this run, by crawls, merged too
        learned = pending.get(stored, [])
        result.learned += learned
        result.merged += store.merge_names(stored, learned, dry_run=dry_run)
    log.info("mend-names: %d articles read, %d names learned, %d merged%s", result.articles,
             len(result.learned), len(result.merged), " (dry run)" if dry_run else "")
    return result


def _new_to(known: dict[tuple[str, str], str | None], terms: list[Term]) -> list[Term]:
    """Terms the store does not know yet, or knows under another name."""
    return [t for t in terms if (t.kind, t.slug) not in known
            or (t.name is not None and known[(t.kind, t.slug)] != t.name)]


def _terms_shown(row: dict[str, Any], stored: str,
                 sources: dict[tuple[str, str], CrawlSources]) -> list[Term] | None:
    """The sections, tags and authors the article's archived page links to
    (None: its record cannot be read)."""
    try:
        page = read_response(row["warc_file"], row["warc_offset"])
    except (OSError, ValueError, EOFError, ArchiveLoadFailed) as error:
        log.warning("%s@%s: unreadable WARC record skipped (%s: %s)", row["warc_file"],
                    row["warc_offset"], type(error).__name__, error)
        return None
    if page.status != 200 or not page.body or not page.url:
        log.warning("%s@%s: no HTTP 200 response with a body", row["warc_file"],
                    row["warc_offset"])
        return None
    parts = urlsplit(page.url)
    origin = f"{parts.scheme}://{parts.netloc}"
    if (stored, origin) not in sources:
        # The page's own host is the site's here (a replica or mirror of it too).
        name = reading_site(stored) or FALLBACK_SOURCES
        sources[(stored, origin)] = get_site(name).crawl_sources(origin)
    content_type = page.header("Content-Type")
    response = HtmlResponse(url=page.url, body=page.body,
                            headers={"Content-Type": content_type} if content_type else None)
    return sources[(stored, origin)].terms(response)


__all__ = ["MendResult", "mend_names"]
