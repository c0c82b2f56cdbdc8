"""A cleaned page becomes a record to store the same way on every ingest
path: what the page is (its article) and where it comes from (its
provenance: a live crawl, an import, a re-extraction, a recovery from the
quarantine), with the site it is stored under resolved here, so storage
never has to know the sites."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from cleaning import CLEANER_VERSION
from cleaning.models import Article
from sites import site_for_url
from storage.store import PageRecord

# "crawl": a live fetch, which owns the article's status, validators and
# fetch time; the others clean an archived copy again, and change content only.
Source = Literal["crawl", "import", "reextract", "recovered"]


@dataclass(frozen=True)
class Provenance:
    """Where and when a page was fetched, and how it reached us."""

    source: Source
    warc_file: str
    warc_offset: int
    fetched_at: datetime | None = None  # None: unknown (an archived copy without a date)
    etag: str | None = None
    last_modified: str | None = None
    run_id: int | None = None


def stored_record(article: Article, provenance: Provenance, site: str | None = None,
                  aliases: Iterable[str] = ()) -> PageRecord:
    """The record of a cleaned article. `site`: the name it is stored under
    (None: the registered site of its URL's host, else the host); `aliases`:
    the other URL forms it was reached under."""
    key = article.canonical_url
    return PageRecord(
        article=article, fetched_at=provenance.fetched_at or datetime.now(UTC),
        run_id=provenance.run_id, warc_file=provenance.warc_file,
        warc_offset=provenance.warc_offset, etag=provenance.etag,
        last_modified=provenance.last_modified, cleaner_version=CLEANER_VERSION,
        source=provenance.source, aliases=[u for u in dict.fromkeys(aliases) if u != key],
        site=site or site_for_url(key))
