"""Re-clean archived raw pages with the current cleaner, from WARC files only
(no HTTP request), through the same clean-and-gate step as the crawl
(`cleaning.outcome.clean_page`):

- stored articles: a changed result becomes a new revision; the article's
  status, validators and fetch time stay the crawl's; a revision fetched
  after the archived page (a crawl that ran meanwhile) is never replaced;
- quarantined pages: a page the cleaner now accepts is stored for the first
  time, with the fetch time and validators of its WARC record.

Each page is read as the site it is stored under (its registered site or
profile; `auto` for a host), or as the one site asked for; a site filter
takes the articles stored under that name, and the quarantined pages of
their hosts. An article keeps the site it is stored under.

Cleaning runs in the crawl's pool of processes (`ingest.clean_pool`: one per
core by default, the same budget per page); the store is written from this
process only, in batches. `dry_run` reports what would
change and writes nothing."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from warcio.exceptions import ArchiveLoadFailed

from cleaning.outcome import Cleaned
from ingest.clean_pool import DEFAULT_BUDGET_S, IN_THREAD_FIRST, CleaningPool, workers_setting
from ingest.sink import REASON as REFUSED
from ingest.sink import store_records
from ingest.step import Provenance, stored_record
from sites import AUTO, clean_page, reading_site, site_for_url, site_names
from storage.store import ArticleStore, PageRecord
from storage.warc import NothingReadable, RawPage, read_response

log = logging.getLogger(__name__)
CLEAN_BUDGET_S = DEFAULT_BUDGET_S  # a page's time budget, as in a crawl (tests shorten it)


@dataclass(frozen=True)
class Job:
    """One archived page to clean again: a stored article's latest revision,
    or a quarantined page."""

    warc_file: str
    warc_offset: int
    stored_hash: str | None  # None: quarantined, not stored
    site: str  # the registered site or profile the page is read as
    stored_key: str | None = None  # the stored article's key (its URL form may differ)
    stored_site: str | None = None  # the site it is stored under (kept as it is)
    url: str = ""  # the article's key, or the quarantined page's URL


@dataclass
class Result:
    job: Job
    page: RawPage | None = None
    cleaned: Cleaned | None = None
    unreadable: str = ""


def _clean(job: Job) -> Result:
    """In a worker: read one WARC record and clean it."""
    try:
        page = read_response(job.warc_file, job.warc_offset)
    except (OSError, ValueError, EOFError, ArchiveLoadFailed) as error:
        return Result(job, unreadable=f"{type(error).__name__}: {error}")
    if page.status != 200 or not page.body or not page.url:
        # What a damaged record can parse into: no page to clean.
        return Result(job, unreadable=f"no HTTP 200 response with a body (status {page.status})")
    # Read by the site's parser version valid on the day the page was fetched.
    return Result(job, page=page, cleaned=clean_page(page.body, page.url, job.site,
                                                     page.header("Content-Type"),
                                                     fetched=page.fetched_at))


def jobs(store: ArticleStore, site: str | None = None,
         read_as: str | None = None) -> Iterator[Job]:
    """The stored articles of `site` (every one with None), then its
    quarantined pages: a quarantined page has no site of its own, so it is
    the site other articles of its host are stored under, else the store's
    rule for a page that comes with none. Each is read as `read_as`, else as
    its stored site's registered site or profile, else `auto`."""
    reading: dict[str | None, str] = {}

    def read(stored: str | None) -> str:
        if stored not in reading:
            reading[stored] = read_as or reading_site(stored) or AUTO
        return reading[stored]

    hosts: dict[str, str] = {}  # scheme://host:port -> the site its articles are under
    for row in store.latest_revisions_with_warc():
        if row["site"]:
            hosts.setdefault(_origin(row["canonical_url"]), row["site"])
        if site is None or row["site"] == site:
            yield Job(row["warc_file"], row["warc_offset"], row["content_hash"],
                      read(row["site"]), row["canonical_url"], row["site"],
                      url=row["canonical_url"])
    for row in store.quarantined_with_warc():
        stored = hosts.get(_origin(row["url"])) or site_for_url(row["url"])
        if site is None or stored == site:
            yield Job(row["warc_file"], row["warc_offset"], None, read(stored),
                      stored_site=stored, url=row["url"])


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def reextract(store: ArticleStore, site: str | None = None, batch_size: int = 100,
              progress: Callable[[int], None] | None = None,
              workers: int | None = None, dry_run: bool = False,
              read_as: str | None = None) -> dict[str, int]:
    """Re-clean the pages of `site` (the name articles are stored under;
    every site with None), each read as `read_as` or as its own site.

    Counts: `updated` (a new revision), `recovered` (a quarantined page now
    stored), `unchanged`, `stale` (a newer crawl won), `still_quarantined`,
    `now_failing` (a stored article the cleaner or gate now rejects: it stays
    stored), `warc_unreadable` (a corrupt or missing record, skipped),
    `cleaner_timeout` / `cleaner_crashed` (the page stalled or killed its
    cleaning process: a quarantined page is quarantined with that reason, as
    a crawl and an import do; a stored article stays), `total` (pages), and
    `store_rejected` (rows the database refused: quarantined for the next run).
    Raises NothingReadable when there were pages and none could be read."""
    if read_as is not None and read_as not in site_names():
        raise ValueError(f"read_as: unknown site {read_as!r}; choose one of "
                         f"{', '.join(site_names())}")
    workers = workers_setting(workers)
    outcome: Counter[str] = Counter()
    batch: list[PageRecord] = []
    first_unreadable: list[str] = []  # the first reason, for the error when all are

    def flush() -> None:
        if batch and dry_run:  # what would be written, had a crawl not won meanwhile
            outcome["updated"] += sum(1 for r in batch if r.source == "reextract")
            outcome["recovered"] += sum(1 for r in batch if r.source == "recovered")
        elif batch:
            counts = store_records(store, batch)
            outcome["updated"] += counts.updated
            outcome["recovered"] += counts.new
            outcome["unchanged"] += counts.unchanged
            outcome["stale"] += counts.stale
            outcome[REFUSED] += counts.refused
        batch.clear()

    # The crawl's pool: its budget per page, its verdict on a page that
    # stalls or kills the cleaner; one process cleans everything when given one.
    pool = CleaningPool(workers if workers > 1 else 0, budget_s=CLEAN_BUDGET_S,
                        in_thread_first=IN_THREAD_FIRST)
    with pool:
        results = pool.ordered(_clean, jobs(store, site, read_as), lambda job: (job,),
                               lambda job: job.url)
        for done, (job, cleaned) in enumerate(results, 1):
            if isinstance(cleaned, Result):
                result = cleaned
                record = _judge(result, outcome)
            else:
                _stopped(store, job, cleaned, outcome, dry_run)
                result, record = Result(job), None
            if result.unreadable and not first_unreadable:
                first_unreadable.append(f"{result.job.warc_file}: {result.unreadable}")
            if record is not None:
                batch.append(record)
            if len(batch) >= batch_size:
                flush()
            if progress:
                progress(done)
    flush()
    outcome["total"] = sum(outcome.values())  # a refused row is a page, counted once
    if outcome["total"] and outcome["warc_unreadable"] == outcome["total"]:
        raise NothingReadable(
            f"none of the {outcome['total']} archived pages could be read from their WARC "
            f"files (first: {''.join(first_unreadable[:1])}); were the WARC files moved or pruned?")
    return {k: v for k, v in outcome.items() if v}


def _stopped(store: ArticleStore, job: Job, verdict: Cleaned | None, outcome: Counter[str],
             dry_run: bool) -> None:
    """A page the cleaner could not finish (over its budget, or its worker
    died): counted by the pool's reason; a quarantined page is quarantined
    again with it, as a crawl and an import would, never permanently (an
    archived copy's verdict never keeps the live crawl from fetching the
    page); a stored article stays."""
    assert verdict is not None and verdict.problem is not None
    outcome[verdict.problem] += 1
    if job.stored_hash is None and not dry_run:
        store.quarantine(job.url, verdict.problem, verdict.detail, permanent=False,
                         warc_file=job.warc_file, warc_offset=job.warc_offset)


def _judge(result: Result, outcome: Counter[str]) -> PageRecord | None:
    """Count one result; the record to store, if any."""
    job = result.job
    if result.unreadable or result.page is None or result.cleaned is None:
        outcome["warc_unreadable"] += 1
        log.warning("%s@%s: unreadable WARC record skipped (%s)", job.warc_file,
                    job.warc_offset, result.unreadable)
        return None
    article, page = result.cleaned.article, result.page
    if article is None:
        outcome["now_failing" if job.stored_hash else "still_quarantined"] += 1
        if job.stored_hash:
            log.warning("%s: the cleaner now rejects it (%s: %s); it stays stored", page.url,
                        result.cleaned.problem, result.cleaned.detail)
        return None
    if job.stored_hash == article.content_hash:
        outcome["unchanged"] += 1
        return None
    if job.stored_key and article.canonical_url != job.stored_key:
        # Stored under another URL form (an import re-keyed it): that row, not a new one.
        article = article.model_copy(update={"canonical_url": job.stored_key})
    return stored_record(
        article, Provenance("reextract" if job.stored_hash else "recovered", job.warc_file,
                            job.warc_offset, page.fetched_at, page.header("ETag"),
                            page.header("Last-Modified")),
        site=job.stored_site)
