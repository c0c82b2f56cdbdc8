"""What a site module declares: one `Site`, as data plus small hooks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cleaning import Profile

from .sources import CrawlSources


@dataclass(frozen=True)
class ParserVersion:
    """One version of a site's parser, valid for pages fetched from
    `valid_from` on, until the next version's date (as Fundus versions them):
    a template change is a new version that overrides only what changed."""

    valid_from: date
    parser: Profile

    @property
    def label(self) -> str:
        """Recorded with every revision it produced: `<parser>-<version>@<date>`."""
        return f"{self.parser.name}-{self.parser.version}@{self.valid_from.isoformat()}"


@dataclass(frozen=True)
class Site:
    """A registered site (it has a base URL of its own) or a profile (one kind
    of site, crawled at the base URL it is given)."""

    name: str
    description: str
    sources: type[CrawlSources]
    parsers: tuple[ParserVersion, ...]  # oldest first
    base_url: str | None = None  # a registered site's own; a profile needs --base-url
    hosts: tuple[str, ...] = ()  # hosts besides the base URL's that are the site
    timezone: str | None = None  # where the site prints bare dates
    language: str | None = None
    crawlable: bool = True
    # Whether `auto` may choose it for a page (the generic profile is the last resort).
    recognisable: bool = True

    def __post_init__(self) -> None:
        dates = [v.valid_from for v in self.parsers]
        if not dates or dates != sorted(set(dates)):
            raise ValueError(f"site {self.name}: parser versions must be in date order, "
                             f"one per date")

    @property
    def is_profile(self) -> bool:
        return self.base_url is None

    def parser_for(self, fetched: date | None = None) -> ParserVersion:
        """The version valid on the day a page was fetched (today's when not said)."""
        if fetched is None:
            return self.parsers[-1]
        valid = [v for v in self.parsers if v.valid_from <= fetched]
        return valid[-1] if valid else self.parsers[0]

    def recognises(self, url: str, html: str) -> bool:
        """Whether a page is this site's, by its host or its markup."""
        return self.recognisable and self.parsers[-1].parser.matches(url, html)

    def crawl_sources(self, base_url: str) -> CrawlSources:
        return self.sources(base_url, self.hosts)
