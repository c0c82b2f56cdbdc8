"""The registry: every site module of `sites/catalog/` (and of
`$ARCHIVE_SITE_MODULES`), found once. Every place that names sites (the
CLI's choices and help, the flows' parameters, the sites file, `auto`)
reads them here: no list of site names is written twice."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import pkgutil
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

from . import catalog
from .base import Site

log = logging.getLogger(__name__)
AUTO = "auto"  # not a site: the one whose host or markup matches, else generic
EXTRA_MODULES_VARIABLE = "ARCHIVE_SITE_MODULES"


class RegistryError(ValueError):
    """A site module that cannot be loaded, said in one line."""


def _load(reference: str) -> ModuleType:
    """A module by dotted name, or a `.py` file by path."""
    try:
        if reference.endswith(".py"):
            path = Path(reference)
            name = f"archive_site_{path.stem}"
            spec = importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None:
                raise ImportError(f"not a Python module: {path}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
            return module
        return importlib.import_module(reference)
    except SystemExit as stop:  # a module must not end the program that loads it
        raise RegistryError(f"site module {reference}: exits when imported "
                            f"(sys.exit({stop.code!r}))") from None
    except Exception as error:  # noqa: BLE001 - any failure of a user's module: one line
        raise RegistryError(f"site module {reference}: cannot be imported: "
                            f"{type(error).__name__}: {error}") from None


def _catalog() -> list[str]:
    return [f"{catalog.__name__}.{m.name}" for m in pkgutil.iter_modules(catalog.__path__)]


def _extra_modules() -> list[str]:
    extra = os.environ.get(EXTRA_MODULES_VARIABLE, "")
    return [r.strip() for r in extra.replace(",", os.pathsep).split(os.pathsep) if r.strip()]


@cache
def all_sites() -> dict[str, Site]:
    """Every site by name: registered sites first, then profiles, generic last
    (the order `auto` tries them in)."""
    return _sites(_catalog() + _extra_modules())


def _sites(references: list[str]) -> dict[str, Site]:
    sites: dict[str, Site] = {}
    for reference in references:
        site = getattr(_load(reference), "SITE", None)
        if not isinstance(site, Site):
            raise RegistryError(f"site module {reference}: declares no SITE = Site(...)")
        if site.name in sites or site.name == AUTO:
            raise RegistryError(f"site module {reference}: the name {site.name!r} is taken")
        sites[site.name] = site
    return dict(sorted(sites.items(), key=lambda item: (item[1].is_profile,
                                                        not item[1].recognisable, item[0])))


def registered() -> dict[str, Site]:
    """Sites with a base URL of their own (`--site aawsat` needs nothing else)."""
    return {n: s for n, s in all_sites().items() if not s.is_profile}


def profiles() -> dict[str, Site]:
    """Kinds of site, crawled at the base URL they are given."""
    return {n: s for n, s in all_sites().items() if s.is_profile}


def site_names() -> tuple[str, ...]:
    """Every name `--site` takes besides the sites file's: `auto` and the sites."""
    return (AUTO, *all_sites())


def crawlable_names() -> tuple[str, ...]:
    return (AUTO, *(n for n, s in all_sites().items() if s.crawlable))


def get_site(name: str) -> Site:
    try:
        return all_sites()[name]
    except KeyError:
        raise RegistryError(f"unknown site {name!r}; "
                            f"choose one of {', '.join(site_names())}") from None


def recognise(url: str, html: str) -> Site:
    """The site a page is from: the first whose host or markup matches, else
    generic. A module whose `matches()` raises costs that module alone: it is
    said once and left out of recognition, and the other sites are tried."""
    for site in all_sites().values():
        if site.name in _broken:
            continue
        try:
            if site.recognises(url, html):
                return site
        except (Exception, SystemExit) as error:  # noqa: BLE001 - isolate a user's module
            _broken.add(site.name)
            log.error("site %s: its matches() raised %s: %s; left out of recognition from "
                      "now on", site.name, type(error).__name__, error)
    return all_sites()["generic"]


_broken: set[str] = set()  # sites whose matches() raised: no longer tried


@cache
def shipped() -> dict[str, Site]:
    """The catalog's sites, for help texts written at import time: a user's
    module (which may fail to load) is read only when a command runs."""
    return _sites(_catalog())


def shipped_names() -> tuple[str, ...]:
    return (AUTO, *shipped())
