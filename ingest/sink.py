"""Cleaned, gated records out to the store, the same for every ingest path
(crawl, import, re-extraction): one upsert per batch, counted in one typed
count (`StoredCounts`).

Rows the database refuses (a value it cannot hold) do not fail the batch:
the rest is stored; each refused page is quarantined as `store_rejected`,
not permanently, so the next run tries it again; a page whose quarantine
row does not fit either is only reported."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from storage.protocols import ArticleWriter
from storage.store import PageRecord, StoreUnavailable

log = logging.getLogger(__name__)
REASON = "store_rejected"


@dataclass
class StoredCounts:
    """What upserts of records came to."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0  # re-extracted pages older than the stored revision: left alone
    refused: int = 0  # rows the database refused: quarantined as store_rejected ...
    refused_unrecorded: int = 0  # ... except these, whose quarantine row it refused too

    def add(self, other: StoredCounts) -> None:
        for name in ("new", "updated", "unchanged", "stale", "refused", "refused_unrecorded"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def store_records(store: ArticleWriter, batch: list[PageRecord],
                  run_id: int | None = None) -> StoredCounts:
    """Upsert the batch (one record per key); quarantine what the database refused."""
    if not batch:
        return StoredCounts()
    counts = store.upsert_articles(batch)
    refusals = quarantine_refused(store, batch, counts.rejected, run_id)
    return StoredCounts(counts.new, counts.updated, counts.unchanged, counts.stale,
                        refused=len(counts.rejected),
                        refused_unrecorded=len(refusals.unrecorded))


@dataclass
class Refusals:
    quarantined: list[str] = field(default_factory=list)  # URLs quarantined as store_rejected
    unrecorded: list[str] = field(default_factory=list)  # not even their quarantine row fits


def quarantine_refused(store: ArticleWriter, batch: Iterable[PageRecord],
                       rejected: list[tuple[str, str]], run_id: int | None = None) -> Refusals:
    """Quarantine the records of `batch` the store refused (`UpsertCounts.rejected`:
    their key and why). A store that is down is raised: it is no page's fault."""
    records = {record.article.canonical_url: record for record in batch}
    refusals = Refusals()
    for key, why in rejected:
        record = records[key]
        url = record.article.url
        log.error("the store refused %s: %s", url[:300], why[:300])
        try:
            store.quarantine(url, REASON, why, permanent=False, run_id=run_id,
                             warc_file=record.warc_file or "",
                             warc_offset=record.warc_offset or 0)
        except StoreUnavailable:
            raise
        except Exception as error:  # noqa: BLE001 - one row the database refuses
            log.error("%s could not be quarantined either: %s", url[:300],
                      str(error).splitlines()[0][:300])
            refusals.unrecorded.append(url)
        else:
            refusals.quarantined.append(url)
    return refusals
