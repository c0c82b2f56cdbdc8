"""A crawl's coverage: every listing discovered and how its walk ended, the
articles each listed, how many of those are stored, and the ones found but
never stored, with why. Kept by the spider while it walks, summed up when it
closes, stored with the run and shown by the flow's artifact and `archive stats`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

# How a walk ended: past its last page, stopped at articles already stored
# (incremental), as a trap, at --max-pages or its shard's range, at articles
# older than --since, handed to a
# resumed walk, or failed (with the reason); "walking" when the crawl stopped first.
ENDINGS = ("end", "known", "trap", "max_pages", "range_end", "since", "resumed", "failed",
           "walking")
MISSING_SHOWN = 200  # the report lists this many missing articles at most


@dataclass
class ListingWalk:
    listing: str
    kind: str
    pages: int = 0
    ended: str = "walking"
    found: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class ListingRow:
    listing: str
    kind: str
    pages: int
    ended: str
    found: int
    stored: int


@dataclass(frozen=True)
class MissingArticle:
    url: str
    listing: str
    why: str


@dataclass(frozen=True)
class Coverage:
    listings: list[ListingRow]
    found: int
    stored: int
    missing: list[MissingArticle]  # at most MISSING_SHOWN
    missing_total: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarise(walks: Iterable[ListingWalk], stored: set[str],
              why_not: dict[str, str]) -> Coverage:
    """The report from the walks, the found URLs now stored, and the reason
    each URL failed or was quarantined this run."""
    rows: list[ListingRow] = []
    missing: list[MissingArticle] = []
    found_all: set[str] = set()
    for walk in sorted(walks, key=lambda w: (w.kind, w.listing)):
        rows.append(ListingRow(walk.listing, walk.kind, walk.pages, walk.ended,
                               len(walk.found), len(walk.found & stored)))
        for url in sorted(walk.found - stored - found_all):
            missing.append(MissingArticle(url, walk.listing, why_not.get(url, "not fetched")))
        found_all |= walk.found
    return Coverage(rows, len(found_all), len(found_all & stored), missing[:MISSING_SHOWN],
                    len(missing))


def as_markdown(coverage: Coverage) -> str:
    """A run's coverage as a Markdown report."""
    lines = [f"**{coverage.stored} of {coverage.found}** articles found "
             f"in listings are stored.", "",
             "| listing | kind | pages | ended | found | stored |",
             "| --- | --- | ---: | --- | ---: | ---: |"]
    lines += [f"| {r.listing} | {r.kind} | {r.pages} | {r.ended} | {r.found} | {r.stored} |"
              for r in coverage.listings]
    if coverage.missing:
        lines += ["", f"Found but not stored ({coverage.missing_total}):", "",
                  "| article | listing | why |", "| --- | --- | --- |"]
        lines += [f"| {m.url} | {m.listing} | {m.why} |" for m in coverage.missing]
    return "\n".join(lines)
