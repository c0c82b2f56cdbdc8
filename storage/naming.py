"""Sites and names as the store keeps them (docs/names.md).

- The site an article is stored under: what the crawl says (the sites file's
  or the registry's name, a profile crawl's host); for a page that comes with
  no site (an import, a test), the registered site whose host the URL is on,
  else the URL's host[:port] (the same rule as migration 0008).
- A name's key: how a slug and a display name are told to be one name
  (`news-middle-east` and `News Middle East`, `Hamzamustafa` and `Hamza Mustafa`).
- The site a stored site's pages are read and searched as: its registered
  site, the site a sites-file entry of that name declares, else none.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

# An article's name fields and the kind of term (site_terms.kind) each holds.
KIND_OF_FIELD = {"authors": "author", "categories": "category", "tags": "tag"}
TERM_KINDS = tuple(KIND_OF_FIELD.values())


def name_key(text: str) -> str:
    """Lower case, letters and digits only: a slug and the display name it
    stands for have the same key (a percent-encoded slug is read decoded)."""
    return "".join(c for c in unquote(text).lower() if c.isalnum())


def host_site(url: str) -> str:
    """The URL's host[:port], lower case: the name a profile crawl stores under."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host


def site_for_url(url: str) -> str:
    """The site a page that came with none is stored under."""
    from sites import registered

    host = (urlsplit(url).hostname or "").lower()
    for name, site in registered().items():
        if host in {(urlsplit(site.base_url or "").hostname or "").lower(), *site.hosts}:
            return name
    return host_site(url)


def reading_site(stored: str | None) -> str | None:
    """The registered site or profile that pages stored under `stored` are
    read as: the name itself when the registry has it, else the site of the
    sites-file entry so named (unless `auto`); None when neither says."""
    from sites import AUTO, RegistryError, SitesFileError, get_site, load_sites, sites_file_path

    if not stored:
        return None
    try:
        get_site(stored)
        return stored
    except RegistryError:
        pass
    try:
        entries = load_sites(sites_file_path())
    except (SitesFileError, OSError):
        return None  # a broken sites file is `archive crawl`'s to report, not this
    entry = next((e for e in entries if e.name == stored), None)
    return entry.site if entry is not None and entry.site != AUTO else None


@dataclass(frozen=True)
class NameMerge:
    """One stored name merged into the display name its site's pages give it."""

    site: str
    kind: str  # category | tag | author
    name: str  # the name merged away (a slug, a name made from one)
    into: str  # the display name
    articles: int  # articles whose link moved


@dataclass(frozen=True)
class LearnedName:
    """A display name learned for a site's slug (new, or changed)."""

    site: str
    kind: str
    slug: str
    name: str


@dataclass
class NamesRemembered:
    """What `ArticleStore.remember_terms` did: the names learned and the
    stored names merged into them."""

    learned: list[LearnedName]
    merged: list[NameMerge]


@dataclass(frozen=True)
class SiteCounts:
    """What the store holds of one site."""

    site: str
    articles: int
    gone: int
    authors: int
    categories: int
    tags: int


__all__ = ["KIND_OF_FIELD", "TERM_KINDS", "LearnedName", "NameMerge", "NamesRemembered",
           "SiteCounts", "host_site", "name_key", "reading_site", "site_for_url"]
