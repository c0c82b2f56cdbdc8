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

from warcio.exceptions import ArchiveLoadFailed

from ingest.names import ArchivedPageNames
from sites import Term, site_for_url
from storage.naming import LearnedName, NameMerge
from storage.store import ArticleStore
from storage.warc import NothingReadable, read_response

log = logging.getLogger(__name__)


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
    names = ArchivedPageNames(store)
    pending: dict[str, list[LearnedName]] = {}  # learned in a dry run, by site
    for done, row in enumerate(store.latest_revisions_with_warc(site=site), 1):
        stored = row["site"] or site_for_url(row["canonical_url"])
        known = names.of(stored)
        terms = _terms_shown(row, stored, names)
        if terms is None:
            result.unreadable += 1
        else:
            result.articles += 1
            _, changed = known.take(terms)
            if changed and dry_run:
                pending.setdefault(stored, []).extend(
                    LearnedName(stored, t.kind, t.slug, t.name) for t in changed if t.name)
            elif changed:
                remembered = store.remember_terms(stored, changed)
                result.learned += remembered.learned
                result.merged += remembered.merged
        if progress is not None:
            progress(done)
    if result.unreadable and not result.articles:
        raise NothingReadable(f"none of the {result.unreadable} archived pages could be read "
                              "from their WARC files; were the WARC files moved or pruned?")
    for stored in names.sites:  # names learned before this run, by crawls, merged too
        learned = pending.get(stored, [])
        result.learned += learned
        result.merged += store.merge_names(stored, learned, dry_run=dry_run)
    log.info("mend-names: %d articles read, %d names learned, %d merged%s", result.articles,
             len(result.learned), len(result.merged), " (dry run)" if dry_run else "")
    return result


def _terms_shown(row: dict[str, Any], stored: str,
                 names: ArchivedPageNames) -> list[Term] | None:
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
    return names.shown(stored, page.url, page.body, page.header("Content-Type"))


__all__ = ["MendResult", "mend_names"]
