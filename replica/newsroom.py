"""A news site of its own markup, not WordPress: "The Harbour Courier".

Sections with paginated hubs (`/politics/`, `/politics/page-2.html`),
articles at dated paths (`/2017/03/14/<slug>.html`) with boilerplate in and
around the story body, an about and a contact page. `discovery="sitemap"`:
robots.txt names a sitemap index (an ordinary urlset and a Google news
sitemap); `discovery="links"`: no sitemap, no feed, only links. Texts come
from our own phrase lists and a seeded random; `articles` is the truth."""

from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

SITE_NAME = "The Harbour Courier"
GENERATOR = "Newsroom CMS 3.2"
TIMEZONE = ZoneInfo("Europe/London")
PER_PAGE = 6  # teasers on a section hub page
NEWS_DAYS = 30  # articles this recent (from the newest) are in the news sitemap
SECTIONS = {"politics": "Politics", "business": "Business", "culture": "Culture",
            "science": "Science", "sport": "Sport"}
HEADLINES = {  # section -> (subjects, what they did)
    "politics": ("council|mayor|harbour board|planning committee", "delays vote on new ferry "
                 "terminal|approves budget after long debate|faces questions over road repairs"),
    "business": ("shipyard|fish market|brewery|port authority", "reports record season|cuts "
                 "hours amid staff shortage|wins contract for two vessels|opens a second site"),
    "culture": ("museum|orchestra|film festival|library", "reopens after storm|unveils "
                "winter programme|finds lost manuscript in archive|celebrates fiftieth season"),
    "science": ("university lab|marine survey|observatory|seabird study", "records rise in "
                "water temperature|maps shifting sandbanks|tracks return of rare terns"),
    "sport": ("rowing club|football club|sailing school|cricket team", "wins cup in final "
              "minutes|names new coach|postpones race after gales|opens season with narrow win"),
}
PLACES = "Kestrel Bay|Northmoor|Lindenfield|Old Quay|Ashcombe|Marram Point".split("|")
AUTHORS = "Jane Whitlow|Omar Reyes|Priya Nandakumar|Callum Byrne|Sofia Marchetti".split("|")
OPENERS = ("Officials said on {day} that|A spokesperson confirmed on {day} that|Figures released "
           "on {day} showed that|Residents were told on {day} that|In a statement on {day}, "
           "the organisers said that").split("|")
CLAUSES = ("work on the quay would take another six weeks|the cost of the project had risen by a "
           "third since the spring|a decision was not expected before the end of the month|"
           "volunteers had cleared most of the debris from the seafront|visitor numbers were "
           "the highest since records began|the plan would be put to a public meeting in the "
           "town hall|two of the three proposals had been withdrawn|funding for the next stage "
           "had still to be agreed|more than four hundred people had signed the letter").split("|")
DETAILS = ("Local businesses want the work finished before the summer.|Not everyone is "
           "convinced.|The figures will be checked again next month.|A full report is due in "
           "the new year.|Similar schemes along the coast have had mixed results.").split("|")
QUOTES = ("We knew it would be hard, but nobody expected it to take this long|This is a good "
          "day for the town|People deserve a straight answer|The numbers speak for themselves"
          ).split("|")
SPEAKERS = ("Mira Castell, who runs a bakery near the quay|Tomas Greenhalgh, a member of the "
            "planning committee|Ines Okafor, chair of the residents' association|Rafe Dunmore, "
            "a marine biologist at the university").split("|")
ITEMS = ("a new slipway for the lifeboat|longer opening hours in the summer|a shuttle bus from "
         "the station|repairs to the sea wall|free entry for school groups").split("|")
SUBHEADS = ["What happens next", "The cost", "Questions remain"]
SCENES = ("Boats moored along the harbour wall|Visitors queue outside the main entrance|"
          "The seafront after the storm|Crews on the water at first light").split("|")
COMMENTS = ["I have lived here for thirty years and never seen the quay this busy; whoever "
            "planned it deserves some credit for once.",
            "The council should have asked the people who actually use the ferry before "
            "spending a penny of our money on this."]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
NOT_FOUND = (404, "text/html", "<html><body class='error-page'><h1>Page not found</h1>"
                               "</body></html>")
Page = tuple[int, str, str]


@dataclass
class NewsArticle:
    """One article as the reader sees it: the truth the tests compare with."""

    path: str
    section: str
    title: str
    authors: list[str]
    published: datetime  # aware, Europe/London
    blocks: list[str]  # body paragraphs, subheadings and list items, in order
    kinds: list[str] = field(default_factory=list)  # each block's element: p, h2 or li
    image_caption: str | None = None
    image_credit: str | None = None  # as printed: "Photo: Ana Ruiz"
    form: int = 0  # the layout variant (image place, asides, byline, chunks)


def e(text: str) -> str:
    return html.escape(text, quote=True)


class NewsroomSite:
    def __init__(self, articles: int = 48, seed: int = 1717,
                 discovery: Literal["sitemap", "links"] = "sitemap") -> None:
        self.random = random.Random(seed)
        self.discovery = discovery
        self.sections = dict(SECTIONS)
        self.articles: list[NewsArticle] = []  # newest first
        self.updated: dict[str, datetime] = {}  # path -> when last revised (its lastmod)
        start = datetime(2017, 9, 29, tzinfo=TIMEZONE)
        for index in range(articles):  # one every three or four days, in the daytime
            day = start - timedelta(days=(7 * index) // 2)
            self.articles.append(self._make(index, day.replace(
                hour=self.random.randint(7, 19), minute=self.random.choice([0, 15, 30, 45]))))

    # --- content ------------------------------------------------------------------------
    def _make(self, index: int, published: datetime) -> NewsArticle:
        rnd = self.random
        section = list(self.sections)[index % len(self.sections)]
        subjects, actions = (part.split("|") for part in HEADLINES[section])
        place = rnd.choice(PLACES)
        title = f"{place} {rnd.choice(subjects)} {rnd.choice(actions)}"
        path = f"/{published:%Y/%m/%d}/{re.sub(r'[^a-z0-9]+', '-', title.lower())}.html"
        while any(a.path == path for a in self.articles):
            path = path.replace(".html", "-2.html")
        blocks: list[str] = []
        count = 4 + rnd.randint(0, 4)
        while len(blocks) < count:
            text = f"“{rnd.choice(QUOTES)},” said {rnd.choice(SPEAKERS)}."
            if rnd.random() > 0.3:
                text = f"{rnd.choice(OPENERS).format(day=rnd.choice(DAYS))} {rnd.choice(CLAUSES)}."
                text += " " + rnd.choice(DETAILS) if rnd.random() < 0.5 else ""
            if text not in blocks:  # no paragraph twice in one article
                blocks.append(text)
        if index % 3 == 0:
            blocks[0] = f"{place.upper()} — {blocks[0]}"  # a dateline
        kinds = ["p"] * len(blocks)
        if index % 8 == 6:  # a bulleted list after the second paragraph
            items = [i[0].upper() + i[1:] for i in rnd.sample(ITEMS, 3)]
            blocks[2:2], kinds[2:2] = ["The proposals include:", *items], ["p"] + ["li"] * 3
        if index % 4 == 1:
            blocks.insert(3, SUBHEADS[index % len(SUBHEADS)])
            kinds.insert(3, "h2")
        authors = rnd.sample(AUTHORS, 2 if index % 5 == 0 else 1)
        article = NewsArticle(path, section, title, authors, published, blocks, kinds, form=index)
        if index % 6 != 5:  # every sixth article has no image
            article.image_caption = f"{rnd.choice(SCENES)} in {place}."
            article.image_credit = f"Photo: {rnd.choice(['Ana Ruiz', 'Colm Brady'])}"
        return article

    def add_article(self, title_suffix: str = "new") -> NewsArticle:
        """A newly published article: first on the home page, its section and
        the news sitemap (for incremental tests)."""
        newest = max(a.published for a in self.articles)
        article = self._make(len(self.articles) + 1000, newest + timedelta(hours=6))
        article.title = f"{article.title} ({title_suffix})"
        self.articles.insert(0, article)
        return article

    def revise_article(self, article: NewsArticle) -> None:
        """A correction appended to an article, its sitemap <lastmod> moved to now."""
        article.blocks.append("Correction: an earlier version of this story gave the wrong "
                              "date for the council meeting.")
        article.kinds.append("p")
        self.updated[article.path] = datetime.now(UTC)

    def remove_article(self, article: NewsArticle) -> None:
        """Taken down: its URL answers 404 from now on."""
        self.articles.remove(article)

    # --- the site's structure ----------------------------------------------------------
    def newest_first(self, section: str | None = None) -> list[NewsArticle]:
        chosen = [a for a in self.articles if section in (None, a.section)]
        return sorted(chosen, key=lambda a: a.published, reverse=True)

    def related(self, article: NewsArticle) -> list[NewsArticle]:
        """The three newest others of its section: its page links them."""
        return [a for a in self.newest_first(article.section) if a is not article][:3]

    def pages_of(self, section: str) -> int:
        return max(1, -(-len(self.newest_first(section)) // PER_PAGE))

    @staticmethod
    def section_page_path(section: str, number: int) -> str:
        return f"/{section}/" if number == 1 else f"/{section}/page-{number}.html"

    def hub_paths(self) -> list[str]:
        """Every page that is not an article, as the site links it."""
        return ["/", "/about.html", "/contact.html"] + [
            self.section_page_path(s, n) for s in self.sections
            for n in range(1, self.pages_of(s) + 1)]

    def page(self, path: str, base: str) -> Page:
        """(status, content type, body) for a path (query already removed)."""
        path = "/" + path.strip("/")
        if path == "/robots.txt":
            sitemap = f"\nSitemap: {base}/sitemaps/index.xml\n" * (self.discovery == "sitemap")
            return 200, "text/plain", f"User-agent: *\nDisallow: /search\n{sitemap}"
        if path.startswith("/sitemaps/") and self.discovery == "sitemap":
            xml = {"/sitemaps/index.xml": self._sitemap_index, "/sitemaps/archive.xml":
                   self._archive_sitemap, "/sitemaps/news.xml": self._news_sitemap}.get(path)
            return (200, "application/xml", xml(base)) if xml else NOT_FOUND
        if path in ("/", "/about.html", "/contact.html"):
            return self._html(self._home(base) if path == "/" else self._static(path, base))
        match = re.fullmatch(r"/([a-z]+)(?:/page-([2-9]|[1-9]\d+)\.html)?", path)
        if match and match[1] in self.sections and int(match[2] or 1) <= self.pages_of(match[1]):
            return self._html(self._hub(match[1], int(match[2] or 1), base))
        article = next((a for a in self.articles if a.path == path), None)
        return self._html(self._article(article, base)) if article else NOT_FOUND

    @staticmethod
    def _html(text: str) -> Page:
        return 200, "text/html; charset=utf-8", text

    # --- templates ----------------------------------------------------------------------
    def _frame(self, title: str, body_class: str, main: str, base: str, canonical: str,
               head: str = "", kind: str = "website") -> str:
        nav = "".join(f'<li><a href="{base}/{s}/">{n}</a></li>' for s, n in self.sections.items())
        return (
            f'<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
            f'<title>{e(title)} | {SITE_NAME}</title>\n'
            f'<meta name="generator" content="{GENERATOR}">'
            f'<meta property="og:site_name" content="{SITE_NAME}"><meta property="og:type" '
            f'content="{kind}"><meta property="og:title" content="{e(title)}">\n<link rel='
            f'"canonical" href="{base}{canonical}">{head}</head>\n<body class="{body_class}">\n'
            f'<header class="masthead"><a class="masthead__logo" href="{base}/">{SITE_NAME}</a>'
            f'<nav class="masthead__sections" aria-label="Sections"><ul>{nav}</ul></nav><form '
            f'class="masthead__search" action="{base}/search"><input name="q"><button>Search'
            f"</button></form></header>\n{main}\n<footer class=\"site-footer\"><ul><li><a href="
            f'"{base}/about.html">About us</a></li><li><a href="{base}/contact.html">Contact</a>'
            f"</li></ul><p>© 2017 {SITE_NAME}. All rights reserved.</p></footer>\n"
            f'<div class="cookie-banner" role="dialog"><p>We use cookies to understand how our '
            f"pages are read and to remember your choices. You can change your consent settings "
            f"at any time.</p><button>Accept all</button><button>Settings</button></div>\n"
            f"</body></html>")

    @staticmethod
    def _teaser(article: NewsArticle, base: str) -> str:
        summary = article.blocks[0].split(". ")[0].rstrip(".") + "…"
        return (f'<li class="teaser"><h3 class="teaser__headline"><a href="{base}{article.path}">'
                f'{e(article.title)}</a></h3><p class="teaser__summary">{e(summary)}</p><time '
                f'datetime="{article.published.isoformat()}">{article.published:%-d %B %Y}'
                f"</time></li>")

    def _home(self, base: str) -> str:
        top = "".join(self._teaser(a, base) for a in self.newest_first()[:8])
        more = "".join(f'<li><a href="{base}/{s}/">More {n}</a></li>'
                       for s, n in self.sections.items())
        main = (f'<main class="front"><h2 class="front__title">Latest news</h2>'
                f'<ul class="story-list">{top}</ul><ul class="front__more">{more}</ul></main>')
        return self._frame("News from the coast", "front-page", main, base, "/")

    def _hub(self, section: str, number: int, base: str) -> str:
        chunk = self.newest_first(section)[(number - 1) * PER_PAGE: number * PER_PAGE]
        pager = [f'<a class="pager__newer" rel="prev" href="{base}'
                 f'{self.section_page_path(section, number - 1)}">Newer</a>'] * (number > 1)
        if number < self.pages_of(section):
            pager.append(f'<a class="pager__older" rel="next" href="{base}'
                         f'{self.section_page_path(section, number + 1)}">Older stories</a>')
        name = self.sections[section]
        main = (f'<main class="section-front"><h1 class="section-front__title">{name}</h1>'
                f'<ul class="story-list">{"".join(self._teaser(a, base) for a in chunk)}</ul>'
                f'<nav class="pager">{" ".join(pager)}</nav></main>')
        return self._frame(name if number == 1 else f"{name}: page {number}", "section-page",
                           main, base, self.section_page_path(section, number))

    def _static(self, path: str, base: str) -> str:
        title, kind, text = ("About the Courier", "AboutPage", [
            "The Harbour Courier has reported on the towns of the estuary since 1921, first as "
            "a weekly sheet and now every day online.",
            "Our newsroom is independent and funded by readers. We correct our mistakes in the "
            "open and say so at the foot of each corrected story."]) \
            if path == "/about.html" else ("Contact us", "ContactPage", [
                "Write to the newsroom at 12 Chandlers Row, Kestrel Bay, or call the news desk "
                "between eight in the morning and ten at night.",
                "For corrections, tell us the headline and what we got wrong."])
        ld = (f'<script type="application/ld+json">{{"@context": "https://schema.org", '
              f'"@type": "{kind}", "name": "{title}"}}</script>')
        main = (f'<main class="static-page"><h1>{title}</h1>'
                + "".join(f"<p>{t}</p>" for t in text) + "</main>")
        return self._frame(title, "static-page", main, base, path, head=ld)

    def _figure(self, article: NewsArticle, base: str) -> str:
        if article.image_caption is None or article.image_credit is None:
            return ""
        credit = f' <span class="credit">{article.image_credit}</span>' \
            if article.form % 2 else f" ({article.image_credit})"
        return (f'<figure class="story-image"><img src="{base}/media{article.path[:-5]}.jpg" '
                f'alt="" width="960" height="540"><figcaption>{article.image_caption}{credit}'
                f"</figcaption></figure>")

    def _story_body(self, article: NewsArticle, base: str, same: list[NewsArticle]) -> str:
        form, parts = article.form, list[str]()
        for number, (block, kind) in enumerate(zip(article.blocks, article.kinds, strict=True)):
            text = e(block)
            clause = next((c for c in CLAUSES if c in block), None)
            if number == 2 and clause and same:  # a link inside a paragraph
                text = text.replace(clause, f'<a href="{base}{same[-1].path}">{clause}</a>')
            if kind == "li" and parts[-1].endswith("</ul>"):  # a list is one part
                parts[-1] = parts[-1][:-5] + f"<li>{text}</li></ul>"
            else:
                parts.append(f"<ul><li>{text}</li></ul>" if kind == "li"
                             else f"<{kind}>{text}</{kind}>")
        if form % 6 == 4:  # the image inside the body, between paragraphs
            parts.insert(2, self._figure(article, base))
        if form % 5 == 2:
            parts.insert(2, f'<aside class="pull-quote"><p>{e(article.blocks[1])}</p></aside>')
        if form % 4 == 3 and same:
            parts.insert(1, f'<aside class="inline-related"><p>Read more: <a href="{base}'
                            f'{same[0].path}">{e(same[0].title)}</a></p></aside>')
        # An advert between paragraphs; on every third layout it cuts the body in two.
        ad = '<div class="ad-slot"><p>Advertisement</p></div>'
        if form % 3 == 1:
            ad = f'</div>\n{ad}\n<div class="story-body">'
        parts.insert(min(4, len(parts)), ad)
        return '<div class="story-body">\n' + "\n".join(parts) + "\n</div>"

    def _article(self, article: NewsArticle, base: str) -> str:
        form, when, same = article.form, article.published, self.related(article)
        section = self.sections[article.section]
        names = " and ".join(f'<span class="byline__name">{e(n)}</span>' for n in article.authors)
        if len(article.authors) == 1 and form % 3 == 0:
            names += f', <span class="byline__role">{section} reporter</span>'
        stamp = f'<time class="published" datetime="{when.isoformat()}">{when:%-d %B %Y, %H:%M}'
        if form % 7 == 0:  # updated later that day
            later = when + timedelta(hours=5)
            stamp += (f'</time> <time class="updated" datetime="{later.isoformat()}">'
                      f"Updated {later:%H:%M}")
        share = ('<div class="share-tools"><a href="https://twitter.example/share">Twitter</a> '
                 '<a href="https://facebook.example/share">Facebook</a> <a href="mailto:?">Email'
                 "</a> <button>Copy link</button></div>")
        comments = "".join(f'<div class="comment"><p class="comment__author">reader{n}</p>'
                           f"<p>{c}</p></div>" for n, c in enumerate(COMMENTS)) * (form % 2 == 0)
        main = (
            f'<main class="story-main"><article class="story">\n<header class="story-header">'
            f'<a class="story-header__section" href="{base}/{article.section}/">{section}</a>'
            f'<h1 class="story-header__headline">{e(article.title)}</h1><div class="byline">By '
            f'{names}</div><div class="story-header__time">{stamp}</time></div></header>\n{share}'
            f"\n{self._figure(article, base) if form % 6 != 4 else ''}\n"
            f"{self._story_body(article, base, same)}\n"
            f'<div class="author-card"><p>{e(article.authors[0])} writes about '
            f"{section.lower()} and the life of the harbour towns for the Courier, and has "
            f"done since the spring of 2009.</p></div>\n"
            f'<div class="newsletter-box"><h3>The Morning Tide</h3><p>Our editors\' pick of the '
            f"day's news, in your inbox at seven.</p><form><input type=\"email\"><button>Sign up"
            f"</button></form></div>\n{share}\n</article>\n"
            f'<section class="related-stories"><h2>Related stories</h2><ul>'
            + "".join(f'<li><a href="{base}{a.path}">{e(a.title)}</a></li>' for a in same)
            + f'</ul></section>\n<section class="reader-comments"><h2>Comments</h2>{comments}'
            f"</section></main>")
        return self._frame(article.title, "story-page", main, base, article.path,
                           kind="article")

    # --- sitemaps -----------------------------------------------------------------------
    def _recent(self) -> list[NewsArticle]:
        newest = max((a.published for a in self.articles), default=None)
        return [a for a in self.newest_first()
                if newest is not None and a.published > newest - timedelta(days=NEWS_DAYS)]

    @staticmethod
    def _urlset(urls: str, news: bool = False) -> str:
        extra = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' * news
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
                f'schemas/sitemap/0.9"{extra}>{urls}</urlset>')

    def _sitemap_index(self, base: str) -> str:
        newest = self.newest_first()[0].published.isoformat() if self.articles else ""
        entries = "".join(f"<sitemap><loc>{base}/sitemaps/{name}.xml</loc>"
                          f"<lastmod>{newest}</lastmod></sitemap>" for name in ("archive", "news"))
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns='
                f'"http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>')

    def _archive_sitemap(self, base: str) -> str:
        """The home, the sections' first pages and the articles not in the news sitemap."""
        recent = {a.path for a in self._recent()}
        rows = [("/", ""), *((f"/{s}/", "") for s in self.sections)] + [
            (a.path, self.updated[a.path].isoformat() if a.path in self.updated
             else a.published.date().isoformat()) for a in self.newest_first()
            if a.path not in recent]
        return self._urlset("".join(f"<url><loc>{base}{p}</loc>" + (
            f"<lastmod>{m}</lastmod>" if m else "") + "</url>" for p, m in rows))

    def _news_sitemap(self, base: str) -> str:
        return self._urlset("".join(
            f"<url><loc>{base}{a.path}</loc><news:news><news:publication><news:name>"
            f"{SITE_NAME}</news:name><news:language>en</news:language></news:publication>"
            f"<news:publication_date>{a.published.isoformat()}</news:publication_date>"
            f"<news:title>{e(a.title)}</news:title></news:news></url>" for a in self._recent()),
            news=True)
