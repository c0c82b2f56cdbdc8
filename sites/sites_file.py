"""The sites file (YAML, `$ARCHIVE_SITES`, default `./sites.yaml`): the sites
a user crawls, each with a name of its own."""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .registry import AUTO, site_names
from .sources import check_base_url

_NAME_RE = re.compile(r"^[A-Za-z0-9_-]+$")


class SitesFileError(ValueError):
    """A sites file that cannot be used, said in one line."""


class SiteEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")  # an unknown key is an error that names it

    name: str
    base_url: str
    site: str = AUTO
    timezone: str | None = None
    language: str | None = None
    rate_limit_per_s: float | None = Field(default=None, gt=0)
    concurrency: int | None = Field(default=None, ge=1, le=64)
    categories: list[str] = Field(default_factory=list)
    enabled: bool = True

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME_RE.match(value):
            raise ValueError(f"{value!r}: use letters, digits, - and _")
        if value in site_names():
            raise ValueError(f"{value!r} is the name of a registered site or profile")
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return check_base_url(value)

    @field_validator("site")
    @classmethod
    def _site(cls, value: str) -> str:
        if value not in site_names():
            raise ValueError(f"{value!r} is not one of {', '.join(site_names())}")
        return value


def sites_file_path(override: str | os.PathLike[str] | None = None) -> Path:
    return Path(override or os.environ.get("ARCHIVE_SITES") or "./sites.yaml")


def sites_file_named() -> bool:
    """Whether the user named a sites file (`$ARCHIVE_SITES`), rather than the default."""
    return bool(os.environ.get("ARCHIVE_SITES"))


def load_sites(path: Path, required: bool | None = None) -> list[SiteEntry]:
    """The entries of a sites file. A file that does not exist is an error
    when `required` (by default: when the user named it, `$ARCHIVE_SITES`),
    else no entries (the default `./sites.yaml` of a folder without one)."""
    if not path.exists():
        if required or (required is None and sites_file_named()):
            raise SitesFileError(f"no sites file at {path} (give --sites-file PATH, or set "
                                 "ARCHIVE_SITES)")
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise SitesFileError(f"{path}: cannot read it: {str(error).splitlines()[0]}") from None
    if not isinstance(data, dict) or not isinstance(data.get("sites", []), list) \
            or set(data) - {"sites"}:
        raise SitesFileError(f"{path}: expected one key, `sites:`, holding a list of sites")
    entries = []
    for number, raw in enumerate(data.get("sites") or [], 1):
        try:
            entries.append(SiteEntry.model_validate(raw))
        except ValidationError as error:
            problem = error.errors()[0]
            where = ".".join(str(p) for p in problem["loc"])
            message = "unknown key" if problem["type"] == "extra_forbidden" else problem["msg"]
            raise SitesFileError(f"{path}: site {number}: {where}: {message}") from None
    names = [e.name for e in entries]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise SitesFileError(f"{path}: the name {duplicate!r} is used twice")
    return entries
