"""Import web archives made elsewhere (Common Crawl, the Internet Archive,
`wget --warc-file`, any WARC or WARC.gz file) through the crawl's own ingest
step: every HTML response record goes through `cleaning.outcome.clean_page`
(cleaner, fallback, quality gate); an article is upserted by canonical URL
(a revision only when the content changed), anything else is quarantined
with its reason and WARC location.

- Streamed: records are read one at a time with warcio's ArchiveIterator;
  a page's payload is read only when it is an HTML response (at most the
  cleaner's 25 MB limit), so a multi-gigabyte file never sits in memory.
- Provenance: a revision records the source file (absolute path) and the
  record's offset, so `archive reextract` can clean it again while the file
  stays where it is; the capture date (`WARC-Date`) is its fetch date, and
  the HTTP response's ETag / Last-Modified its validators.
- An import never takes from the crawl what is the crawl's (`source="import"`:
  status, validators and fetch time stay, a revision fetched after the
  capture is never replaced; see `ArticleStore.upsert_articles`).
- One article, one row: the store's key (`canonical_form`) keeps the scheme
  and `www.`, and an archived copy is often under the other form (a site that
  moved to https, a crawler that followed a `www.` link). Before storing, the
  key is looked up under every twin (`http`/`https`, with and without `www.`,
  without a default port), among stored articles and their URL aliases; an
  archived copy of a stored article takes the stored key, and every twin is
  kept as an alias so that a later crawl knows the page.
- The site (docs/names.md): with a registered site (`site="aawsat"`) its
  articles are stored under that name; with a profile or `auto`, under the
  registered site whose hosts hold the page's host, else the host[:port].
  An archived copy of a stored article keeps the article's site.
- Skipped and counted by reason, never stored: records that are not
  responses (`request`, `metadata`, `warcinfo`, `resource`, `revisit`, ...),
  `non_http` (dns: and other schemes), `other_host` (the `hosts` filter),
  `truncated` (WARC-Truncated), `non_200`, `non_html`, `too_large`,
  `no_date`, `bad_date` (a WARC-Date no database holds, year 1 at +14:00),
  `bad_url` (a target URI with an impossible port), `corrupt` (a record
  warcio or gzip cannot read, or whose length lies: skipped, and
  reading goes on at the next record that parses, or the rest of the file is
  skipped), `rejected_but_known` (a page the cleaner rejects whose URL the
  store already holds as an article or a permanent quarantine: left as it is),
  `listing` (the home page and its later pages, a section's, tag's or
  author's listing, a month's archive, which the cleaner says is no article:
  read for its names, as a crawl reads it).
- Display names (docs/names.md): every HTML page is read for the sections,
  tags and authors it links to, with the site's crawl sources, as a crawl
  reads them; a WARC of our own crawl (which keeps its listings) gives a
  fresh store the names the crawl learned.
- Quarantined pages are quarantined as not permanent: an archived copy's
  verdict never keeps the live crawl from fetching the page. Reasons: the
  cleaner's and the gate's, `cleaner_crashed` (its cleaning process died:
  only that page, the others in flight are cleaned again), `store_rejected`
  (a value the database refuses; `skipped: store_rejected` when not even its
  quarantine row fits).

Invariant of the result: records == new + updated + unchanged + stale +
sum(quarantined) + sum(skipped).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from cleaning import canonical_form
from cleaning.models import Article
from cleaning.outcome import Cleaned
from ingest.clean_pool import DEFAULT_BUDGET_S, IN_THREAD_FIRST, CleaningPool, workers_setting
from ingest.names import ArchivedPageNames
from ingest.sink import REASON as REFUSED
from ingest.sink import store_records
from ingest.step import Provenance, stored_record
from ingest.warc_records import (
    ArchivedRecord,
    ImportInputError,
    bare_host,
    first_line,
    not_a_warc,
    scan_records,
    url_identity,
    url_twins,
    warc_files,
)
from sites import AUTO, clean_page, registered, site_for_url, site_names
from storage.models import Article as ArticleRow
from storage.models import UrlAlias
from storage.store import (
    ArticleStore,
    PageRecord,
    StoreError,
    StoreUnavailable,
    retry_when_unavailable,
)

log = logging.getLogger(__name__)

# The first pages are cleaned in this process: a small import pays no worker start-up.
CLEAN_BUDGET_S = DEFAULT_BUDGET_S  # seconds a page may take to clean, as in a crawl
INLINE_PAGES = IN_THREAD_FIRST
MAX_WARNINGS = 50
# The pool's verdicts on a page that stalled or killed a cleaning process.
CLEANER_STOPPED = ("cleaner_timeout", "cleaner_crashed")


@dataclass
class ImportResult:
    """What an import did. `records` counts every WARC record read (and every
    damaged spot skipped); each lands in exactly one of the other counts."""

    files: int = 0
    records: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0  # older than the stored revision: left alone
    quarantined: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # damaged records, unreadable files
    unreadable_files: int = 0  # files given up on (their records read before it are counted)
    names_learned: int = 0  # sections, tags and authors the pages showed, new or newly named
    duration_s: float = 0.0

    @property
    def articles(self) -> int:
        """HTML responses that made an article (stored, or already stored)."""
        return self.new + self.updated + self.unchanged + self.stale

    def nothing_usable(self) -> str | None:
        """Why the import read nothing it could use (no page made an article
        or was even judged by the cleaner), or None: then the import failed."""
        if self.articles or sum(self.quarantined.values()):
            return None
        skipped = ", ".join(f"{reason} {count}" for reason, count in sorted(self.skipped.items()))
        return (f"nothing usable in {self.files} WARC file{'s' * (self.files != 1)}: "
                f"{self.records} records read ({skipped or 'none'})"
                + (f", {self.unreadable_files} files unreadable" if self.unreadable_files
                   else ""))

    def as_dict(self) -> dict[str, Any]:
        return {"files": self.files, "records": self.records, "new": self.new,
                "updated": self.updated, "unchanged": self.unchanged, "stale": self.stale,
                "quarantined": dict(sorted(self.quarantined.items())),
                "skipped": dict(sorted(self.skipped.items())),
                "warnings": list(self.warnings), "unreadable_files": self.unreadable_files,
                "names_learned": self.names_learned, "duration_s": round(self.duration_s, 2)}

    def add(self, other: ImportResult) -> None:
        """Sum another import's counts into this one (files imported apart)."""
        for name in ("files", "records", "new", "updated", "unchanged", "stale",
                     "unreadable_files", "names_learned", "duration_s"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mine, theirs in ((self.quarantined, other.quarantined),
                             (self.skipped, other.skipped)):
            for reason, count in theirs.items():
                mine[reason] = mine.get(reason, 0) + count
        self.warnings = (self.warnings + other.warnings)[:MAX_WARNINGS]


# --- cleaning ------------------------------------------------------------------------------------
def _clean_job(job: tuple[bytes, str, str, str | None, datetime | None]) -> Cleaned:
    """In a worker process: the crawl's clean-and-gate step."""
    return clean_page(*job)


# --- the store ------------------------------------------------------------------------------
@retry_when_unavailable
def _stored_keys(store: ArticleStore, urls: list[str]) -> dict[str, str]:
    """Which of these URLs the store holds, as an article's key or an alias of
    one: URL -> the article's canonical URL."""
    found: dict[str, str] = {}
    with store.reads() as session:
        for first in range(0, len(urls), 500):
            chunk = urls[first:first + 500]
            found.update((url, url) for url in session.scalars(
                select(ArticleRow.canonical_url).where(ArticleRow.canonical_url.in_(chunk))))
            for alias, key in session.execute(
                    select(UrlAlias.url, ArticleRow.canonical_url)
                    .join(ArticleRow, ArticleRow.id == UrlAlias.article_id)
                    .where(UrlAlias.url.in_(chunk))):
                found.setdefault(alias, key)
    return found


@dataclass
class _Accepted:
    record: ArchivedRecord
    article: Article
    path: Path


class _Importer:
    def __init__(self, store: ArticleStore, site: str, hosts: frozenset[str],
                 batch_size: int, workers: int,
                 progress: Callable[[ImportResult, int], None] | None) -> None:
        self.store = store
        self.site = site
        # Stored under the registered site it is read as; with a profile or
        # `auto`, under the store's rule: the registered site of the page's
        # host, else the host (an article already stored keeps its own).
        self.stored_as = site if site in registered() else None
        # Display names are learned from every page, as the crawl learns them.
        self.names = ArchivedPageNames(store, read_as=None if site == AUTO else site)
        self.hosts = hosts
        self.batch_size = batch_size
        self.workers = workers
        self.progress = progress
        self.result = ImportResult()
        self.quarantined: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.accepted: list[_Accepted] = []
        self.rejected: list[tuple[ArchivedRecord, Cleaned, Path]] = []

    def run(self, files: list[Path]) -> ImportResult:
        started = time.monotonic()
        done_bytes = 0
        # One pool for every file; one process cleans everything when given one.
        cleaning = CleaningPool(self.workers if self.workers > 1 else 0,
                                budget_s=CLEAN_BUDGET_S, in_thread_first=INLINE_PAGES)
        with cleaning:  # on an error the workers are stopped at once
            for path in files:
                self.result.files += 1
                read = cleaning.ordered(_clean_job, scan_records(path, self.hosts),
                                        self._clean_args, lambda record: record.url)
                try:
                    while (item := next(read, None)) is not None:
                        # Outside the reading's error handling: a store error stops the import.
                        with _storing():
                            record, cleaned = item
                            self._take(record, cleaned, path)
                            if self.progress is not None:
                                self.progress(self._snapshot(started),
                                              done_bytes + record.offset)
                except _StoringFailed as failed:
                    raise failed.error from None
                except OSError as error:  # the file went away or cannot be read: the next one
                    self.result.unreadable_files += 1
                    self._warn(f"{path}: cannot be read: {error.strerror or error}")
                except StoreError:
                    raise  # the database, not the file: the import stops (its error says why)
                except Exception as error:  # noqa: BLE001 - one file never ends the import
                    self.result.unreadable_files += 1
                    self._warn(f"{path}: skipped after {type(error).__name__}: "
                               f"{first_line(error)[:200]}")
                done_bytes += _size(path)
            self._flush()
        result = self._snapshot(started)
        if self.progress is not None:
            self.progress(result, done_bytes)
        return result

    def _clean_args(self, record: ArchivedRecord
                    ) -> tuple[tuple[bytes, str, str, str | None, datetime | None]] | None:
        """`_clean_job`'s argument for an HTML page (None: a record skipped);
        the parser version is the one valid on the record's WARC-Date."""
        if record.reason is not None:
            return None
        return ((record.body, record.url, self.site, record.content_type, record.fetched_at),)

    def _snapshot(self, started: float) -> ImportResult:
        self.result.quarantined = dict(self.quarantined)
        self.result.skipped = dict(self.skipped)
        self.result.duration_s = time.monotonic() - started
        return self.result

    def _warn(self, message: str) -> None:
        log.warning("%s", message)
        if len(self.result.warnings) < MAX_WARNINGS:
            self.result.warnings.append(message)

    def _take(self, record: ArchivedRecord, cleaned: Cleaned | None, path: Path) -> None:
        self.result.records += 1
        if record.reason is not None:
            self.skipped[record.reason] += 1
            if record.reason == "corrupt":
                self._warn(f"corrupt record skipped: {record.detail}")
            return
        assert cleaned is not None
        stored = self.stored_as or site_for_url(record.url)
        if cleaned.problem not in CLEANER_STOPPED:  # never parse here what stalled a worker
            self._learn_names(stored, record)
        if cleaned.article is None and cleaned.problem == "not_an_article" \
                and self.names.sources(stored, record.url).is_listing_url(record.url):
            self.skipped["listing"] += 1  # read for its names, as the crawl reads it
        elif cleaned.article is None:
            self.rejected.append((record, cleaned, path))
        else:
            self.accepted.append(_Accepted(record, cleaned.article, path))
        if len(self.accepted) + len(self.rejected) >= self.batch_size:
            self._flush()

    def _learn_names(self, stored: str, record: ArchivedRecord) -> None:
        try:
            changed = self.names.learn(stored, record.url, record.body, record.content_type)
        except Exception as error:  # noqa: BLE001 - links that cannot be read cost only its names
            self._warn(f"{record.url[:300]}: its links could not be read for names "
                       f"({type(error).__name__}: {first_line(error)[:200]})")
            return
        if changed:
            remembered = self.store.remember_terms(stored, changed)
            self.result.names_learned += len(remembered.learned)

    # --- storing ----------------------------------------------------------------------------------
    def _flush(self) -> None:
        accepted, self.accepted = self.accepted, []
        rejected, self.rejected = self.rejected, []
        if accepted:
            self._store(accepted)
        if rejected:
            self._quarantine(rejected)

    def _store(self, accepted: list[_Accepted]) -> None:
        fetched = {id(a): canonical_form(a.record.url) for a in accepted}
        forms = {id(a): url_twins(a.article.canonical_url) + url_twins(fetched[id(a)])
                 for a in accepted}
        found = _stored_keys(self.store, list(dict.fromkeys(
            url for urls in forms.values() for url in urls)))
        in_batch: dict[str, str] = {}  # identity -> key chosen in this batch
        records: list[PageRecord] = []
        for item in accepted:
            article, urls = item.article, forms[id(item)]
            identities = (url_identity(article.canonical_url), url_identity(fetched[id(item)]))
            key = found.get(article.canonical_url) \
                or next((found[url] for url in urls if url in found), None) \
                or next((in_batch[i] for i in identities if i in in_batch), None) \
                or article.canonical_url
            for identity in identities:
                in_batch.setdefault(identity, key)
            if key != article.canonical_url:  # an archived copy of a stored article
                article = article.model_copy(update={"canonical_url": key, "url": key})
            records.append(stored_record(
                article, Provenance("import", str(item.path), item.record.offset,
                                    item.record.fetched_at, item.record.etag,
                                    item.record.last_modified),
                site=self.stored_as, aliases=urls))
        # One record per key in each upsert: two captures of a page are stored
        # in the order of the file (the later capture a revision, or stale).
        batch: list[PageRecord] = []
        for record in records:
            if any(r.article.canonical_url == record.article.canonical_url for r in batch):
                self._upsert(batch)
                batch = []
            batch.append(record)
        self._upsert(batch)

    def _upsert(self, batch: list[PageRecord]) -> None:
        if not batch:
            return
        counts = store_records(self.store, batch)
        self.result.new += counts.new
        self.result.updated += counts.updated
        self.result.unchanged += counts.unchanged
        self.result.stale += counts.stale
        if counts.refused > counts.refused_unrecorded:
            self.quarantined[REFUSED] += counts.refused - counts.refused_unrecorded
        if counts.refused_unrecorded:
            self.skipped[REFUSED] += counts.refused_unrecorded

    def _quarantine(self, rejected: list[tuple[ArchivedRecord, Cleaned, Path]]) -> None:
        urls = {id(record): canonical_form(record.url) for record, _, _ in rejected}
        known = self.store.known_urls(
            twin for url in urls.values() for twin in url_twins(url))
        for record, cleaned, path in rejected:
            url = urls[id(record)]
            if any(twin in known for twin in url_twins(url)):
                self.skipped["rejected_but_known"] += 1
                continue
            assert cleaned.problem is not None
            self._put_in_quarantine(url, cleaned.problem, cleaned.detail, str(path),
                                    record.offset)

    def _put_in_quarantine(self, url: str, reason: str, detail: str, warc_file: str,
                           warc_offset: int) -> None:
        try:
            self.store.quarantine(url, reason, detail, permanent=False, warc_file=warc_file,
                                  warc_offset=warc_offset)
        except StoreUnavailable:
            raise
        except Exception as error:  # noqa: BLE001 - one row the database refuses
            self._warn(f"{url[:300]} could not be quarantined ({reason}): "
                       f"{first_line(error)[:300]}")
            self.skipped["store_rejected"] += 1
            return
        self.quarantined[reason] += 1


class _StoringFailed(Exception):
    """An error while storing records (not while reading the file): carried
    past the per-file handling, which is for what a file holds."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


@contextmanager
def _storing() -> Iterator[None]:
    try:
        yield
    except Exception as error:
        raise _StoringFailed(error) from error


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def import_warc(store: ArticleStore, paths: Iterable[str | Path], site: str = "auto",
                hosts: Iterable[str] | None = None, batch_size: int = 100,
                workers: int | None = None,
                progress: Callable[[ImportResult, int], None] | None = None) -> ImportResult:
    """Import WARC files (or folders of them) into the store; see the module's
    doc. `hosts`: only records whose URL's host is one of these (its `www.`
    twin included). `progress(result so far, bytes of the files read)` is
    called after every record. Raises ImportInputError for a path that is not
    there or not a WARC file, before anything is imported; a damaged record
    is skipped and counted, never fatal."""
    if site not in site_names():
        raise ImportInputError(f"unknown site {site!r}; choose one of {', '.join(site_names())}")
    files = warc_files(paths)
    wanted = frozenset(bare_host(h) for h in hosts or () if bare_host(h))
    importer = _Importer(store, site, wanted, batch_size, workers_setting(workers),
                         progress)
    result = importer.run(files)
    log.info("imported %d WARC files: %s", len(files), result.as_dict())
    return result


__all__ = ["ImportInputError", "ImportResult", "import_warc", "not_a_warc", "url_twins",
           "warc_files"]
