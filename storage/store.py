"""`ArticleStore`: the one door to the database, for SQLite and PostgreSQL
alike, made of four parts over one engine, each a module of its own and each
described by a protocol (storage/protocols.py) so that a caller depends only
on the part it uses:

- the crawl frontier (storage/frontier.py): known URLs, validators, listing
  walks, failures, a site's sections;
- the article writer (storage/writer.py): batched upserts (written in bulk:
  storage/bulk.py), revisions, names, the quarantine, and on PostgreSQL the
  search text indexed after the write (storage/search_index.py);
- the run log (storage/runlog.py): crawl runs, backfill shards;
- the reader (storage/reader.py): show, search, export, stats.
"""

from __future__ import annotations

from .database import Database, StoreError, StoreUnavailable, retry_when_unavailable
from .frontier import StoreFrontier
from .protocols import ArticleReader, ArticleWriter, CrawlFrontier, RunLog
from .reader import StoreReader, as_printed
from .records import PageRecord, TermShown, UpsertCounts
from .runlog import StoreRunLog
from .writer import DisplayNames, StoreWriter


class ArticleStore(StoreFrontier, StoreWriter, StoreRunLog, StoreReader):
    """Every part of the store, over one engine (one pool of connections)."""


def _parts(store: ArticleStore) -> tuple[CrawlFrontier, ArticleWriter, RunLog, ArticleReader]:
    """Never called: mypy checks here that the store is each of its protocols."""
    return store, store, store, store


__all__ = ["ArticleStore", "Database", "DisplayNames", "PageRecord", "StoreError",
           "StoreUnavailable", "TermShown", "UpsertCounts", "as_printed",
           "retry_when_unavailable"]
