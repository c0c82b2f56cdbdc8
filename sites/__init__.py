"""Sites: one module per site (sites/catalog/), the registry that finds them,
the sites file, the one rule that turns a `--site` name into what to crawl
(docs/sites.md), and reading a page as its site."""

from .base import ParserVersion, Site
from .extraction import Reading, clean_page, extract_article, parser_for
from .registry import (
    AUTO,
    RegistryError,
    all_sites,
    crawlable_names,
    get_site,
    profiles,
    recognise,
    registered,
    shipped,
    shipped_names,
    site_names,
)
from .resolve import CrawlTarget, SiteChoiceError, resolve_site
from .sites_file import SiteEntry, SitesFileError, load_sites, sites_file_path
from .sources import CrawlSources, Term
from .stored import reading_site, site_for_url

__all__ = [
    "AUTO",
    "CrawlSources",
    "CrawlTarget",
    "ParserVersion",
    "Reading",
    "RegistryError",
    "Site",
    "SiteChoiceError",
    "SiteEntry",
    "SitesFileError",
    "Term",
    "all_sites",
    "clean_page",
    "crawlable_names",
    "extract_article",
    "get_site",
    "load_sites",
    "parser_for",
    "profiles",
    "reading_site",
    "recognise",
    "registered",
    "resolve_site",
    "shipped",
    "shipped_names",
    "site_for_url",
    "site_names",
    "sites_file_path",
]
