"""Sites and names as the store keeps them (docs/names.md).

- The site an article is stored under: what its writer says (the sites
  file's or the registry's name, a profile crawl's host: `sites.site_for_url`
  is the rule for a page that comes with none); a record that says nothing
  is stored under its URL's host[:port]. The store knows no sites.
- A name's key: how a slug and a display name are told to be one name
  (`news-middle-east` and `News Middle East`, `Hamzamustafa` and `Hamza Mustafa`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

# An article's name fields and the kind of term (site_terms.kind) each holds.
KIND_OF_FIELD = {"authors": "author", "categories": "category", "tags": "tag"}


def name_key(text: str) -> str:
    """Lower case, letters and digits only: a slug and the display name it
    stands for have the same key (a percent-encoded slug is read decoded)."""
    return "".join(c for c in unquote(text).lower() if c.isalnum())


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


__all__ = ["KIND_OF_FIELD", "LearnedName", "NameMerge", "NamesRemembered",
           "SiteCounts", "name_key"]
