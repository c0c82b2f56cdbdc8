"""The cleaned article, as stored and exported."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from pydantic import BaseModel, Field

WORD_RE = re.compile(r"\w+")


class Image(BaseModel):
    src: str
    caption: str | None = None
    credit: str | None = None


class Article(BaseModel):
    url: str
    canonical_url: str
    # Set on the way to the store (cleaning.outcome.clean_page): the canonical
    # link the page declared, when it names another page than the one fetched
    # and `canonical_url` was therefore made the fetched URL (cleaning.urls.storage_key).
    declared_canonical: str | None = None
    title: str
    authors: list[str] = Field(default_factory=list)
    published: datetime | None = None
    categories: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    dateline: str | None = None
    body: str
    images: list[Image] = Field(default_factory=list)
    language: str | None = None
    word_count: int = 0
    content_hash: str = ""
    extractor: str
    # The parser version that read the page: `<parser>-<version>`, and from
    # `sites.extract_article` with the date its version is valid from.
    parser: str | None = None
    fallback: bool = False
    warnings: list[str] = Field(default_factory=list)

    @property
    def blocks(self) -> list[str]:
        return self.body.split("\n\n") if self.body else []


def count_words(text: str) -> int:
    return len(WORD_RE.findall(text))


def content_hash(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()
