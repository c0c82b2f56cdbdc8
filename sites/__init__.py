"""Sites: the registry of sites and profiles, the sites file, and the one
rule that turns a `--site` name into what to crawl (docs/sites.md)."""

from .registry import CRAWL_PROFILES, PROFILES, REGISTERED, CrawlSiteName, SiteKind
from .resolve import CrawlTarget, SiteChoiceError, resolve_site
from .sites_file import SiteEntry, SitesFileError, load_sites, sites_file_path

__all__ = [
    "CRAWL_PROFILES",
    "PROFILES",
    "REGISTERED",
    "CrawlSiteName",
    "CrawlTarget",
    "SiteChoiceError",
    "SiteEntry",
    "SiteKind",
    "SitesFileError",
    "load_sites",
    "resolve_site",
    "sites_file_path",
]
