"""The `--site` rule, one for the CLI and the flows: a name from the sites
file, else a registered site, else a profile (which needs a base URL);
`--base-url` overrides a site's own."""

from __future__ import annotations

from dataclasses import dataclass

from .registry import AUTO, crawlable_names, profiles, registered, site_names
from .sites_file import SiteEntry

ARCHIVE = "aawsat"  # what `archive crawl` crawls when told nothing else


class SiteChoiceError(ValueError):
    """A `--site` / `--base-url` choice that names nothing to crawl."""


@dataclass(frozen=True)
class CrawlTarget:
    name: str  # the sites file's name, or the registered site's or profile's
    site: str  # the registered site or profile that reads it
    base_url: str
    entry: SiteEntry | None = None  # its sites-file settings, if it has any


def resolve_site(name: str | None, base_url: str | None, entries: list[SiteEntry],
                 environment_base_url: str | None = None) -> CrawlTarget:
    """What `--site NAME [--base-url URL]` means. With neither, the base URL
    from the environment with `auto`, else the registered archive."""
    if name is None:
        base_url = base_url or environment_base_url
        if base_url is None:
            return CrawlTarget(ARCHIVE, ARCHIVE, str(registered()[ARCHIVE].base_url))
        name = AUTO
    entry = next((e for e in entries if e.name == name), None)
    if entry is not None:
        target = CrawlTarget(entry.name, entry.site, base_url or entry.base_url, entry)
    elif name in registered():
        target = CrawlTarget(name, name, base_url or str(registered()[name].base_url))
    elif name == AUTO or name in profiles():
        url = base_url or environment_base_url
        if not url:
            raise SiteChoiceError(f"--site {name} is a profile: give the site's --base-url")
        target = CrawlTarget(name, name, url)
    else:
        known = [e.name for e in entries] + list(site_names())
        raise SiteChoiceError(f"--site: {name!r} is not a site of the sites file, a registered "
                              f"site or a profile ({', '.join(known)})")
    if target.site not in crawlable_names():
        raise SiteChoiceError(f"--site {name}: crawling with the {target.site!r} profile is not "
                              f"supported yet (choose one of {', '.join(crawlable_names())})")
    return target
