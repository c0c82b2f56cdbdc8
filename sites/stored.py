"""Which site a stored page belongs to, and how a stored site's pages are
read (docs/names.md): the registry's and the sites file's knowledge, which
the store itself does not have."""

from __future__ import annotations

from urllib.parse import urlsplit

from cleaning.urls import host_site

from .registry import AUTO, RegistryError, get_site, registered
from .sites_file import SitesFileError, load_sites, sites_file_path


def site_for_url(url: str) -> str:
    """The site a page that came with none is stored under: the registered
    site whose hosts hold the URL's host, else the host[:port] (the rule of
    migration 0008)."""
    host = (urlsplit(url).hostname or "").lower()
    for name, site in registered().items():
        if host in {(urlsplit(site.base_url or "").hostname or "").lower(), *site.hosts}:
            return name
    return host_site(url)


def reading_site(stored: str | None) -> str | None:
    """The registered site or profile that pages stored under `stored` are
    read as: the name itself when the registry has it, else the site of the
    sites-file entry so named (unless `auto`); None when neither says."""
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
