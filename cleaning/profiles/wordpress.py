"""A single post of any WordPress theme (classic and block themes).

Selectors are class attributes so that a theme or site profile (see
`aawsat.py`) overrides only what differs, as a Fundus parser version does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import ClassVar
from urllib.parse import urlsplit

from bs4 import Tag

from ..blocks import iter_blocks
from ..boilerplate import CONSENT_WORDS, WallSignals, is_gone, strip_boilerplate
from ..dates import parse_date, zone
from ..errors import NotAnArticle
from ..images import ImageCollector
from ..metadata import (
    article_authors,
    article_title,
    clean_people,
    date_candidates,
    paywall_marks,
    strip_site_name,
)
from ..models import count_words
from ..page import Draft, Page, search_in_tags
from ..text import clean_inline

# A WordPress page: its paths, or a generator meta tag naming it. What
# `<meta[^>]+content=["']WordPress|/wp-content/|/wp-includes/` finds, without
# the regex's quadratic time on unclosed `<meta ` tags (page.search_in_tags).
_WP_PATH_RE = re.compile(r"/wp-content/|/wp-includes/", re.I)
_META_OPEN_RE = re.compile(r"<meta", re.I)
_GENERATOR_CONTENT_RE = re.compile(r"content=[\"']WordPress", re.I)
_PAGED_RE = re.compile(r"/page/\d+/?$")
_LISTING_SEGMENTS = {"category", "tag", "author", "search", "feed", "wp-admin", "wp-json",
                     "wp-login.php", "comments", "type", "date"}
# Words that menus and widgets put near a byline; never an author.
NOT_A_NAME = {"select page", "home", "menu", "search", "admin", "by", "share", "comments",
              "leave a comment", "read more", "uncategorized"}


class WordPressProfile:
    name = "wordpress"
    version = "1"
    timezone = "UTC"

    post_selectors: ClassVar[tuple[str, ...]] = (
        "article.type-post", "article.post", "article.hentry", "main article", "article",
        ".type-post", ".hentry",
    )
    content_selectors: ClassVar[tuple[str, ...]] = (
        ".entry-content", ".wp-block-post-content", ".post-content", ".entry-body",
    )
    title_selectors: ClassVar[tuple[str, ...]] = (
        "h1.entry-title", "h1.wp-block-post-title", ".wp-block-post-title", "h1.post-title",
        ".entry-title", "h1",
    )
    author_selectors: ClassVar[tuple[str, ...]] = (
        ".author.vcard a", ".author.vcard", ".byline .author a", ".wp-block-post-author__name",
        ".wp-block-post-author-name", "a[rel~=author]",
    )
    date_selectors: ClassVar[tuple[str, ...]] = (
        "time.entry-date.published[datetime]", "time.entry-date[datetime]",
        ".wp-block-post-date time[datetime]", "time[datetime]", "span.published",
        ".entry-date",
    )
    category_selectors: ClassVar[tuple[str, ...]] = (
        ".cat-links a", ".taxonomy-category a", "a[rel~=category]",
    )
    tag_selectors: ClassVar[tuple[str, ...]] = (
        ".tags-links a", ".taxonomy-post_tag a", "a[rel=tag]",
    )
    featured_selectors: ClassVar[tuple[str, ...]] = (
        ".post-thumbnail img", "img.wp-post-image", ".wp-block-post-featured-image img",
    )

    # --- choosing ---------------------------------------------------------------
    def matches(self, url: str, html: str) -> bool:
        head = html[:300_000]
        return bool(_WP_PATH_RE.search(head)) \
            or search_in_tags(head, _META_OPEN_RE, _GENERATOR_CONTENT_RE, gap=1) is not None

    def parse_page(self, html: str, url: str) -> Page:
        return Page.parse(html, url)

    # --- the post ---------------------------------------------------------------
    def extract(self, page: Page) -> Draft:
        self.reject_non_articles(page)
        post = self.find_post(page)
        draft = Draft(canonical_url=page.meta.canonical)
        scope = self.find_meta_scope(post) or post or page.soup
        draft.title = self.read_title(page, scope)
        draft.authors = self.read_authors(page, scope)
        draft.published = self.read_published(page, scope)
        draft.categories = self.read_terms(scope, self.category_selectors,
                                           page.meta.all("article:section"),
                                           page.meta.jsonld.get("articleSection"))
        draft.tags = self.read_terms(scope, self.tag_selectors, page.meta.all("article:tag"),
                                     page.meta.jsonld.get("keywords"))
        if not draft.categories:
            draft.categories = self.slugs_from_classes(post, "category-")
        if not draft.tags:
            draft.tags = self.slugs_from_classes(post, "tag-")

        images = ImageCollector(page.url)
        featured = self.find_featured(scope)
        if featured is not None:
            images.add_featured(featured)
        content = self.find_content(post or page.soup)
        if content is not None:
            strip_boilerplate(content)
            images.take_from(content)
            draft.blocks = self.drop_repeated_title(iter_blocks(content), draft.title)
        draft.images = images.images
        draft.warnings += images.warnings
        self.reject_walls(page, draft.blocks)
        return draft

    @staticmethod
    def reject_walls(page: Page, blocks: list[str]) -> None:
        """A short body on a paywall's or a consent wall's page is not the article
        (an empty one is left to the generic fallback, which says why)."""
        if not blocks or not page.tags or sum(map(len, blocks)) > 20 * CONSENT_WORDS \
                or count_words(" ".join(blocks)) >= CONSENT_WORDS:
            return
        signals = WallSignals([t for t in page.tags if not is_gone(t)], paywall_marks(page.meta))
        reason = signals.wall(blocks)
        if reason:
            raise NotAnArticle(reason, page.url)

    def reject_non_articles(self, page: Page) -> None:
        parts = urlsplit(page.url)
        segments = [s for s in parts.path.split("/") if s]
        classes = page.meta.body_classes
        if "attachment" in segments or "attachment_id=" in parts.query or "attachment" in classes:
            raise NotAnArticle("attachment page", page.url)
        if "error404" in classes:
            raise NotAnArticle("not-found page", page.url)
        if segments and segments[0] in _LISTING_SEGMENTS or _PAGED_RE.search(parts.path):
            raise NotAnArticle("listing page", page.url)
        if "s=" in parts.query.split("&")[0] or "search" in classes:
            raise NotAnArticle("search page", page.url)
        if "page" in classes and "single" not in classes:
            raise NotAnArticle("static page", page.url)
        listing_classes = {"archive", "category", "tag", "author", "blog", "home", "paged"}
        if classes & listing_classes and not classes & {"single", "single-post", "page"}:
            raise NotAnArticle("listing page", page.url)

    def find_post(self, page: Page) -> Tag | None:
        for selector in self.post_selectors:
            posts = page.soup.select(selector)
            if len(posts) > 1 and not any(p.select_one("h1") for p in posts):
                post_id = self.single_post_id(page)
                if post_id is None:
                    raise NotAnArticle(f"listing page ({len(posts)} post excerpts)", page.url)
                # A single post's page (WordPress says so in <body class>) with
                # teasers of other posts beside it: the post is the one with its
                # id, or the one holding the content.
                return next((p for p in posts if f"post-{post_id}" in (p.get("class") or [])),
                            next((p for p in posts if self.find_content(p) is not None), None))
            if posts:
                return posts[0]
        return None

    @staticmethod
    def single_post_id(page: Page) -> str | None:
        """The post's id when <body class> marks a single post's page
        ("single ... postid-42"), "" when it is marked single with no id,
        None for any other page (a listing, a static page)."""
        classes = page.meta.body_classes
        post_id = next((c.removeprefix("postid-") for c in classes if c.startswith("postid-")),
                       None)
        if post_id is not None:
            return post_id
        return "" if "single" in classes or "single-post" in classes else None

    def find_meta_scope(self, post: Tag | None) -> Tag | None:
        """Where the headline, byline, date and terms are printed, if a theme
        keeps them apart from the content (searching less is faster)."""
        return None

    def find_featured(self, scope: Tag) -> Tag | None:
        for selector in self.featured_selectors:
            featured = scope.select_one(selector)
            if featured is not None:
                return featured
        return None

    def find_content(self, scope: Tag) -> Tag | None:
        for selector in self.content_selectors:
            content = scope.select_one(selector)
            if content is not None:
                return content
        return None

    # --- fields -----------------------------------------------------------------
    def read_title(self, page: Page, scope: Tag) -> str:
        for selector in self.title_selectors:
            tag = scope.select_one(selector)
            if tag is not None:
                text = clean_inline(tag.get_text(" "))
                if text:
                    # The theme's headline, unless the page declares it without a
                    # kicker, or it is not this article's (metadata.article_title).
                    return article_title([text], page.meta, page.url) or text
        headline = page.meta.jsonld.get("headline")
        if isinstance(headline, str) and clean_inline(headline):
            return self.strip_title_suffix(clean_inline(headline), page)
        for candidate in (page.meta.first("og:title", "twitter:title"), page.meta.title):
            if candidate:
                return self.strip_title_suffix(candidate, page)
        return ""

    def strip_title_suffix(self, title: str, page: Page) -> str:
        site = page.meta.first("og:site_name")
        if site:
            for separator in (" - ", " | ", " – ", " — ", " :: "):
                suffix = separator + site
                if title.endswith(suffix):
                    return title[: -len(suffix)].strip()
        return strip_site_name(title, page.meta, page.url)

    def read_authors(self, page: Page, scope: Tag) -> list[str]:
        """The theme's byline, cleaned (split at "and", no e-mails or
        credentials); where it names no person (the site's name, say), the
        people the page's metadata names, else that byline; then the
        metadata's precedence (metadata.article_authors)."""
        for selector in self.author_selectors:
            raw = [self.normalise_author(t.get_text(" ")) for t in scope.select(selector)]
            raw = unique(n for n in raw if n)
            if not raw:
                continue
            people, organisations = clean_people(raw, page.meta)
            if people:
                return people
            declared = article_authors(page.meta, [])
            declared_people, _ = clean_people(declared, page.meta)
            return declared_people or organisations or raw
        return article_authors(page.meta, [])

    def normalise_author(self, raw: str) -> str:
        name = clean_inline(raw)
        name = re.sub(r"^(?:by|written by|posted by)\s+", "", name, flags=re.I).strip(" ,|")
        if not name or len(name) > 80 or name.lower() in NOT_A_NAME:
            return ""
        return name

    def read_published(self, page: Page, scope: Tag) -> datetime | None:
        tz = zone(self.timezone)
        candidates: list[str | None] = [
            page.meta.first("article:published_time", "datepublished", "og:published_time"),
            page.meta.jsonld.get("datePublished") if isinstance(
                page.meta.jsonld.get("datePublished"), str) else None,
            *date_candidates(page.meta),
        ]
        for candidate in candidates:
            parsed = parse_date(candidate, tz)
            if parsed is not None:
                return parsed
        # The theme's printed date only when the metadata has none (a search
        # of the tree costs more than reading the metadata).
        for selector in self.date_selectors:
            tag = scope.select_one(selector)
            if tag is not None:
                value = tag.get("datetime")
                parsed = parse_date(value if isinstance(value, str) else tag.get_text(" "), tz)
                if parsed is not None:
                    return parsed
        return None

    def read_terms(self, scope: Tag, selectors: Iterable[str], meta_values: list[str],
                   jsonld_value: object) -> list[str]:
        for selector in selectors:
            names = unique(clean_inline(t.get_text(" ")) for t in scope.select(selector))
            if names:
                return names
        if meta_values:
            return unique(meta_values)
        if isinstance(jsonld_value, str):
            return unique(clean_inline(v) for v in jsonld_value.split(","))
        if isinstance(jsonld_value, list):
            return unique(clean_inline(str(v)) for v in jsonld_value)
        return []

    @staticmethod
    def slugs_from_classes(post: Tag | None, prefix: str) -> list[str]:
        if post is None:
            return []
        classes: list[str] = list(post.get("class") or [])
        return unique(c.removeprefix(prefix) for c in classes
                      if c.startswith(prefix) and c != prefix)

    @staticmethod
    def drop_repeated_title(blocks: list[str], title: str) -> list[str]:
        # Some themes repeat the headline as the content's first line.
        if blocks and title and blocks[0] == title:
            return blocks[1:]
        return blocks


def unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
    return list(seen)
