"""The typed values the store takes and gives: a cleaned page to store, what a
batch came to, a section, tag or author as a page showed it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from cleaning import Article as CleanArticle


class TermShown(Protocol):
    """A section, tag or author as a page showed it (sites.Term is one)."""

    @property
    def kind(self) -> str: ...
    @property
    def slug(self) -> str: ...
    @property
    def name(self) -> str | None: ...

@dataclass
class PageRecord:
    """A cleaned article with where and when its page was fetched."""

    article: CleanArticle
    fetched_at: datetime
    run_id: int | None = None
    warc_file: str | None = None
    warc_offset: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    cleaner_version: str = ""
    # "crawl": a live fetch, which owns the article's status, validators and
    # fetch time. Any other ("reextract", "recovered" from the quarantine, an
    # import): a page cleaned again from a WARC record, which changes content
    # only, and never replaces a revision fetched after its own.
    source: str = "crawl"
    # Other URL forms the page was reached under (canonical forms of the URL
    # a listing gave and of the URL fetched), when they differ from the key.
    aliases: list[str] = field(default_factory=list)
    # The site it is stored under (the sites file's or registry's name, a
    # profile crawl's host); None: the registered site of its host, else the host.
    site: str | None = None

    @property
    def from_crawl(self) -> bool:
        return self.source == "crawl"

@dataclass
class UpsertCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0  # re-extracted pages older than the stored revision: left alone
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (url, why) not stored

    def add(self, other: UpsertCounts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.stale += other.stale
        self.rejected += other.rejected
