"""Display names learned from a site's pages (docs/names.md): the one rule
that the crawl, the WARC import and the names' mend share. A page's
sections, tags and authors are read with the site's crawl sources; a term
new to the site, or shown under a new name, is what the store is told."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from sites import CrawlSources, Term, get_site, reading_site
from storage.records import TermShown
from storage.store import ArticleStore


class SiteNames:
    """The terms one site's pages have shown so far: (kind, slug) -> Term,
    with its display name once any page showed one."""

    def __init__(self, known: Iterable[TermShown] = ()) -> None:
        self.known: dict[tuple[str, str], Term] = {
            (t.kind, t.slug): Term(t.kind, t.slug, t.name) for t in known}

    def teaches_nothing(self, sources: CrawlSources, text: str) -> bool:
        """True when every listing the page's raw text mentions is known and
        named: the page cannot teach a name, and need not be parsed."""
        mentioned = sources.mentioned_terms(text)
        return mentioned is not None and all(
            (known := self.known.get(key)) is not None and known.name for key in mentioned)

    def take(self, shown: Iterable[Term]) -> tuple[list[Term], list[Term]]:
        """Remember the terms a page showed. Returns (new, changed): the terms
        never seen before, and those the store must be told of (new ones, and
        known ones that now have a display name, or another one)."""
        new, changed = [], []
        for term in shown:
            key = (term.kind, term.slug)
            known = self.known.get(key)
            if known is None:
                new.append(term)
            if known is None or (term.name and term.name != known.name):
                self.known[key] = term if term.name or known is None else known
                changed.append(self.known[key])
        return new, changed


# Where a stored site's name says nothing of its kind (a host, a sites-file
# name for `auto`): WordPress's rules, the base every site's sources start from.
FALLBACK_SOURCES = "wordpress"


class ArchivedPageNames:
    """Reads the names archived pages show (import, mend): per stored site,
    what the store already knows, and the site's crawl sources on each page's
    own origin (a replica or mirror of the site is read as the site)."""

    def __init__(self, store: ArticleStore, read_as: str | None = None) -> None:
        self.store = store
        self.read_as = read_as  # the registered site or profile every page is read as
        self.sites: dict[str, SiteNames] = {}
        self._sources: dict[tuple[str, str], CrawlSources] = {}

    def of(self, stored: str) -> SiteNames:
        """What the store and this job know of `stored`'s names."""
        if stored not in self.sites:
            self.sites[stored] = SiteNames(self.store.site_terms(stored))
        return self.sites[stored]

    def sources(self, stored: str, url: str) -> CrawlSources:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if (stored, origin) not in self._sources:
            name = self.read_as or reading_site(stored) or FALLBACK_SOURCES
            self._sources[(stored, origin)] = get_site(name).crawl_sources(origin)
        return self._sources[(stored, origin)]

    def shown(self, stored: str, url: str, body: bytes,
              content_type: str | None) -> list[Term]:
        """The sections, tags and authors the page links to."""
        return self.sources(stored, url).terms_in_page(url, body, content_type)

    def learn(self, stored: str, url: str, body: bytes, content_type: str | None) -> list[Term]:
        """The terms the page shows that the store must be told of (new, or
        newly named); a page whose raw text mentions only known, named
        listings is not parsed (latin-1: the paths are ASCII in any charset)."""
        names = self.of(stored)
        if names.teaches_nothing(self.sources(stored, url), body.decode("latin-1")):
            return []
        return names.take(self.shown(stored, url, body, content_type))[1]
