"""A whole archive site built from a seed: categories, tags and authors with
paginated listings, 50+ articles with every caption and dateline variant,
attachment pages, share links, a feed and robots.txt. Texts are generated
from our own phrase lists; nothing is copied from the real archive."""

from __future__ import annotations

import html
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime

from .divi import Post, article_page, attachment_page, listing_page
from .wordpress_api import WordPressApi

CATEGORIES = {
    "news-middle-east": "Middle East",
    "world-news": "World News",
    "opinion": "Opinion",
    "majalla-blogs": "Majalla Blogs",
}
AUTHORS = {
    "theaawsat": "Asharq Al-Awsat",
    "arafat-madabish": "Arafat Madabish",
    "hamzamustafa": "Hamza Mustafa",
}
TAGS = ["syria", "yemen", "iran", "oil", "diplomacy", "elections", "economy", "security"]
PLACES = ["Beirut", "Riyadh", "Cairo", "London", "Jeddah", "Baghdad", "Amman", "Washington"]
SUBJECTS = ["The foreign minister", "A government spokesman", "Opposition leaders",
            "The central bank", "Local officials", "Aid agencies", "The army", "Diplomats"]
VERBS = ["said on Monday that", "warned that", "announced that", "confirmed that",
         "told reporters that", "argued that"]
CLAUSES = ["talks would resume after a pause of three weeks",
           "the new budget would cut fuel subsidies by a fifth",
           "the border crossing would reopen to trucks carrying food",
           "a committee would review the election law before the summer",
           "oil exports had risen for the fourth month in a row",
           "the ceasefire was holding in most of the northern province",
           "the visit was the first of its kind in a decade",
           "prices of bread and rice had doubled since January"]
PER_PAGE = 5
PRIVATE_CATEGORY = "private-briefings"  # robots.txt disallows its article URLs
ROBOTS = f"User-agent: *\nDisallow: /wp-admin/\nDisallow: /theaawsat/{PRIVATE_CATEGORY}/\n"


@dataclass
class SiteArticle:
    post: Post
    published: date
    blocks: list[str]
    image_caption: str | None = None
    image_credit: str | None = None
    image_slug: str | None = None
    tags: list[str] = field(default_factory=list)
    post_id: int = 0  # WordPress's post ID (`/?p=N`, the REST API)
    listed: bool = True  # False: an orphan, in no listing or feed (the API and sitemaps have it)


class ReplicaSite:
    def __init__(self, articles: int = 56, seed: int = 2014,
                 changed_template: bool = False,
                 extra_sections: dict[str, str] | None = None, robots_extra: str = "",
                 orphans: int = 0, broken_month: str | None = None,
                 wordpress_api: bool = False) -> None:
        """`orphans`: posts no listing or feed links (the REST API and the core
        sitemaps list them); `broken_month` ("2017-09"): every listing page
        that would show a post of that month answers 500; `wordpress_api`:
        serve the REST API, the core sitemaps and `/?p=N` (replica/wordpress_api.py)."""
        self.random = random.Random(seed)
        self.post_ids = iter(range(101, 1_000_000))
        self.broken_month = broken_month
        self.api = WordPressApi(self) if wordpress_api else None
        self.robots = ROBOTS + robots_extra  # e.g. a Crawl-delay line
        # Sections beside the usual four, which no menu lists and no code names:
        # found only from the site (its post meta, tag and author listings, feed).
        self.sections = {**CATEGORIES, **(extra_sections or {})}
        # A redesign that renamed the content container: site profiles find no body.
        self.changed_template = changed_template
        self.articles: list[SiteArticle] = []
        start = date(2017, 10, 1)
        for index in range(articles):
            self.articles.append(self._make(index, start - timedelta(days=3 * index)))
        self.articles.append(self._make(articles, start - timedelta(days=1),
                                        category=PRIVATE_CATEGORY))
        for index in range(articles + 1, articles + 1 + orphans):
            orphan = self._make(index, start - timedelta(days=3 * (index - articles) + 1))
            orphan.listed = False
            self.articles.append(orphan)

    # --- content ----------------------------------------------------------------------
    def _make(self, index: int, published: date, category: str | None = None) -> SiteArticle:
        rnd = self.random
        author = list(AUTHORS)[index % len(AUTHORS)]
        if category == PRIVATE_CATEGORY:
            author = "theaawsat"  # robots.txt disallows /theaawsat/private-briefings/
        if category is None:
            category = list(self.sections)[index % len(self.sections)]
        place = PLACES[index % len(PLACES)]
        opening_forms = [f"{place}, Asharq Al-Awsat—", f"{place}, Asharq Al-Awsat – ",
                         f"{place} – ", f"{place.upper()}, (Reuters) – ", ""]
        opening = opening_forms[index % len(opening_forms)]
        blocks = []
        for number in range(4 + index % 4):
            sentence = f"{rnd.choice(SUBJECTS)} {rnd.choice(VERBS)} {rnd.choice(CLAUSES)}"
            blocks.append(f"{opening if number == 0 else ''}{sentence}, in report {index}.")
        if index % 6 == 4:
            blocks.insert(2, "What the officials said")  # a subheading
        tags = sorted(rnd.sample(TAGS, 2))
        title = f"{rnd.choice(['Talks', 'Budget', 'Border', 'Oil', 'Vote'])} update {index}: " \
                f"{place} reports"
        slug = f"{place.lower()}-update-{index}"
        article = SiteArticle(
            post=Post(slug=slug, title=title, body_html="", author_slug=author,
                      author_name=AUTHORS[author], category_slug=category,
                      category_name=self.sections.get(category, "Briefings"),
                      date_text=published.strftime("%b %d, %Y"), tags=tags,
                      show_header=index % 7 != 3,
                      published_meta=None if index % 7 != 3 else f"{published}T00:00:00+00:00"),
            published=published, blocks=blocks, tags=tags, post_id=next(self.post_ids))
        article.post.body_html = self._body_html(article, index)
        return article

    def _body_html(self, article: SiteArticle, index: int) -> str:
        paragraphs = []
        for block in article.blocks:
            if block == "What the officials said":
                paragraphs.append(f"<h2>{block}</h2>")
            else:
                paragraphs.append(f"<p>{html.escape(block, quote=False)}</p>")
        form = index % 4
        if form == 3:
            return "\n".join(paragraphs)
        slug = f"photo-{index}"
        caption = f"Photo {index} shows the scene in {PLACES[index % len(PLACES)]}"
        credit = ["AFP Photo", "Reuters", "AP Photo/Staff"][index % 3]
        article.image_slug, article.image_caption, article.image_credit = slug, caption, credit
        src = f"/wp-content/uploads/2017/09/{slug}-300x200.jpg"
        link = f"{article.post.path}/attachment/{slug}"
        image = {
            0: f'<div class="wp-caption alignleft"><a href="{link}"><img src="{src}" /></a>'
               f'<p class="wp-caption-text">{caption}. ({credit})</p></div>',
            1: f'<figure class="wp-caption"><a href="{link}"><img src="{src}" /></a>'
               f"<figcaption>{caption} ({credit})</figcaption></figure>",
            2: f'<p><a href="{link}"><img src="{src}" /></a></p><p>{caption}. ({credit})</p>',
        }[form]
        paragraphs.insert(1, image)
        return "\n".join(paragraphs)

    def add_article(self, title_suffix: str = "new") -> SiteArticle:
        """A newly published article: first in its listings (for incremental tests)."""
        index = len(self.articles) + 1000
        article = self._make(index, date(2017, 10, 5))
        article.post.title = f"Breaking {title_suffix}: {article.post.title}"
        self.articles.insert(0, article)
        return article

    def remove_article(self, article: SiteArticle) -> None:
        """Taken down: its URL answers 404 from now on."""
        self.articles.remove(article)

    # --- pages ----------------------------------------------------------------------------
    def public_articles(self) -> list[SiteArticle]:
        return [a for a in self.articles if a.post.category_slug != PRIVATE_CATEGORY]

    def listings(self) -> dict[str, list[SiteArticle]]:
        """Listing base path -> its articles, newest first."""
        ordered = sorted((a for a in self.articles if a.listed), key=lambda a: a.published,
                         reverse=True)
        groups: dict[str, list[SiteArticle]] = {"": ordered}
        for article in ordered:
            post = article.post
            groups.setdefault(f"/category/{post.category_slug}", []).append(article)
            if post.category_slug not in self.sections:  # the private briefings
                groups.setdefault("/category/news-middle-east", []).append(article)
            groups.setdefault(f"/author/{post.author_slug}", []).append(article)
            # WordPress's month archives, /YYYY/MM
            groups.setdefault(f"/{article.published:%Y/%m}", []).append(article)
            for tag in article.tags:
                groups.setdefault(f"/tag/{tag}", []).append(article)
        return groups

    def page(self, path: str, base: str) -> tuple[int, str, str]:
        """(status, content type, body) for a path (query already removed)."""
        path = "/" + path.strip("/")
        if path == "/robots.txt":
            return 200, "text/plain", self.robots
        if path in ("/feed", "/rss"):
            return 200, "application/rss+xml", self.feed(base)
        listing = self._listing(path, base)
        if listing is not None:
            return listing
        for article in self.articles:
            post = article.post
            if path == post.path:
                page = article_page(post, base)
                if self.changed_template:
                    page = page.replace('class="entry-content"', 'class="story-text"')
                return 200, "text/html; charset=UTF-8", page
            if article.image_slug and path == f"{post.path}/attachment/{article.image_slug}":
                caption = f"{article.image_caption} ({article.image_credit})"
                return 200, "text/html; charset=UTF-8", attachment_page(
                    post, article.image_slug, caption, base)
        return 404, "text/html", "<html><body class='error404'><h1>Not found</h1></body></html>"

    def _listing(self, path: str, base: str) -> tuple[int, str, str] | None:
        parts = path.split("/page/")
        root = "" if parts[0] == "/" else parts[0]
        listings = self.listings()
        if root not in listings:
            return None
        try:
            number = int(parts[1]) if len(parts) > 1 else 1
        except ValueError:
            return None
        articles = listings[root]
        pages = max(1, -(-len(articles) // PER_PAGE))
        if not 1 <= number <= pages:
            return None
        chunk = articles[(number - 1) * PER_PAGE: number * PER_PAGE]
        if self.broken_month and any(f"{a.published:%Y-%m}" == self.broken_month
                                     for a in chunk):
            return 500, "text/html", "<html><body><h1>Internal Server Error</h1></body></html>"
        older = f"{base}{root}/page/{number + 1}" if number < pages else None
        newer = (f"{base}{root}/page/{number - 1}" if number > 2 else f"{base}{root or '/'}") \
            if number > 1 else None
        title = root.rsplit("/", 1)[-1] or "Home"
        return 200, "text/html; charset=UTF-8", listing_page(
            title, [a.post for a in chunk], older, newer, base)

    def feed(self, base: str) -> str:
        items = []
        listed = (a for a in self.articles if a.listed)
        for article in sorted(listed, key=lambda a: a.published, reverse=True)[:10]:
            when = format_datetime(datetime(*article.published.timetuple()[:3], tzinfo=UTC))
            items.append(f"<item><title>{html.escape(article.post.title)}</title>"
                         f"<link>{base}{article.post.path}</link><pubDate>{when}</pubDate></item>")
        return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                f"<title>ASHARQ AL-AWSAT English Archive</title><link>{base}</link>"
                + "".join(items) + "</channel></rss>")
