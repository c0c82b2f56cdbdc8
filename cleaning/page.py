"""One parsed page and what the profiles share about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bs4 import BeautifulSoup

from .metadata import PageMeta, read_meta
from .models import Image


@dataclass
class Page:
    url: str
    soup: BeautifulSoup
    meta: PageMeta
    partial: bool = False  # parsed with a strainer: only the parts a profile reads

    @classmethod
    def parse(cls, html: str, url: str, parse_only: object | None = None) -> Page:
        soup = BeautifulSoup(html, "lxml", parse_only=parse_only)  # type: ignore[arg-type]
        return cls(url=url, soup=soup, meta=read_meta(soup), partial=parse_only is not None)


@dataclass
class Draft:
    """What a profile read off a page, before the shared finishing steps."""

    title: str = ""
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    canonical_url: str | None = None
    warnings: list[str] = field(default_factory=list)
