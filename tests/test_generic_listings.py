"""The generic profile's article / not-article decision (issue 12): section,
tag, author, search and WordPress listing pages are NotAnArticle; an article
with related teasers, and a roundup of linked items that calls itself an
article, are articles."""

from __future__ import annotations

import json

import pytest

from cleaning import NotAnArticle
from sites import extract_article
from tests.news_text import NEWS_PARAGRAPHS

URL = "https://herald.example/news/local/"
SUMMARY = "The council said on Monday that the work would start in the spring, and more."
PARAGRAPHS = NEWS_PARAGRAPHS[:3]


def page(body: str, head: str = "", title: str = "Local news", body_class: str = "") -> str:
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | The Coast Herald</title>{head}</head><body class="{body_class}">
<header><a href="/">The Coast Herald</a><nav><a href="/news">News</a></nav></header>
<main>{body}</main><footer><p>The Coast Herald, 1 Quay Street.</p></footer></body></html>"""


def cards(count: int = 10) -> str:
    return "".join(
        f'<article class="card"><h3><a href="/news/story-{i}">The harbour story number {i} '
        f"told in a headline</a></h3><p class=\"summary\">{SUMMARY} ({i})</p>"
        f'<span class="date">21 May 2024</span></article>' for i in range(count))


def reason(html: str, url: str = URL) -> str:
    with pytest.raises(NotAnArticle) as caught:
        extract_article(html, url, site="generic")
    return caught.value.reason


def test_a_section_page_of_cards_is_a_listing():
    assert reason(page(f"<h1>Local news</h1>{cards()}")).startswith("listing page")


def test_a_wordpress_archive_is_a_listing_in_generic_mode_too():
    html = page(f"<h1>Harbour</h1>{cards(3)}", body_class="archive category category-harbour")
    assert "body class" in reason(html)


@pytest.mark.parametrize("kind", ["CollectionPage", "SearchResultsPage", "ProfilePage"])
def test_a_declared_collection_search_or_profile_page_is_a_listing(kind):
    head = f'<script type="application/ld+json">{json.dumps({"@type": kind})}</script>'
    assert "JSON-LD" in reason(page(f"<h1>Results</h1>{cards(3)}", head=head))


def test_an_article_with_related_teasers_is_an_article():
    body = ("<article><h1>Council votes to rebuild the harbour wall</h1>"
            + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</article>"
            + f'<section class="more"><h2>More stories</h2>{cards(6)}</section>')
    article = extract_article(page(body, title="Council votes to rebuild the harbour wall"),
                              "https://herald.example/news/2024/05/wall", site="generic")
    assert article.blocks[:3] == PARAGRAPHS


def test_a_roundup_of_linked_items_that_calls_itself_an_article_is_an_article():
    items = "".join(
        f'<div class="item"><h2><a href="/news/{i}">Story {i} of the day in a long headline</a>'
        f"</h2><p>{SUMMARY} ({i})</p></div>" for i in range(8))
    html = page(f"<article><h1>8 things to know today</h1>{items}</article>",
                head='<meta property="og:type" content="article">',
                title="8 things to know today")
    article = extract_article(html, "https://herald.example/news/8-things", site="generic")
    assert sum(SUMMARY in block for block in article.blocks) >= 5


# --- pages that say they are no article: about, contact, FAQ ... ----------------------------
def static_page(head: str) -> str:
    return page("<h1>About the Herald</h1>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS),
                head=head, title="About the Herald")


def jsonld(value: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(value)}</script>'


@pytest.mark.parametrize("kind", ["AboutPage", "ContactPage", "FAQPage", "QAPage",
                                  "CheckoutPage", "ItemPage", "RealEstateListing"])
def test_a_declared_page_that_is_never_news_is_not_an_article(kind):
    assert reason(static_page(jsonld({"@type": kind, "name": "About"}))) == \
        f"not an article (its JSON-LD page type is {kind})"


@pytest.mark.parametrize("declared", [
    {"@type": ["WebPage", "AboutPage"], "datePublished": "2024-05-21T10:00:00Z",
     "name": "About the Herald"},  # Yoast's page object: the `jsonld` fallback
    {"@type": "https://schema.org/ContactPage"},
    {"@graph": [{"@type": "WebSite", "name": "The Coast Herald"}, {"@type": "ContactPage"}]},
])
def test_a_page_type_is_read_in_every_form_sites_print_it(declared):
    assert reason(static_page(jsonld(declared))).startswith("not an article")


@pytest.mark.parametrize("declared", [
    # An article in the page wins over the page type beside it.
    {"@graph": [{"@type": "ItemPage"}, {"@type": "NewsArticle", "headline": "About"}]},
    # A breadcrumb item's type is another page's (the section's), not this one's.
    {"@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": 1, "item": {"@type": "CollectionPage", "@id": "/news"}},
        {"@type": "ListItem", "position": 2, "item": {"@type": "ItemPage", "@id": "/wall"}}]},
    # Health news declares MedicalWebPage; a photo story, ImageGallery.
    {"@type": "MedicalWebPage", "name": "About"},
])
def test_page_types_that_are_not_the_pages_own_refuse_nothing(declared):
    article = extract_article(static_page(jsonld(declared)), URL, site="generic")
    assert article.blocks == PARAGRAPHS


# --- a section's last page: fewer than LISTING_TEASERS teasers ------------------------------
def teasers(count: int, host: str = "") -> str:
    return '<ul class="story-list">' + "".join(
        f'<li class="teaser"><h3><a href="{host}/news/2024/05/story-{i}">The harbour story '
        f'number {i} told in a headline</a></h3><p class="summary">{SUMMARY[:-5]} ({i})…</p>'
        f'<time datetime="2024-05-2{i}">2{i} May 2024</time></li>' for i in range(count)) + "</ul>"


PAGER = '<nav class="pager"><a rel="prev" href="/news/local/">Newer</a></nav>'


@pytest.mark.parametrize("count", [2, 3])
def test_a_section_page_of_a_few_teasers_and_nothing_else_is_a_listing(count):
    html = page(f"<h1>Local news</h1>{teasers(count)}", title="Local news: page 4")
    assert reason(html, URL + "page-4.html") == \
        f"listing page ({count} of its {count} blocks are teasers)"


def test_a_single_teaser_is_a_listing_on_a_paged_page_only():
    html = page(f"<h1>Local news</h1>{teasers(1)}{PAGER}", title="Local news: page 4")
    assert reason(html, URL + "page-4.html") == "listing page (1 of its 1 blocks are teasers)"
    alone = page(f"<h1>Local news</h1>{teasers(1)}", title="Local news: page 4")
    assert extract_article(alone, URL + "page-4.html", site="generic").blocks


def test_a_paragraph_of_the_pages_own_beside_a_few_teasers_makes_an_article():
    # The teasers' summaries are read into the body: without the page's own
    # paragraph they are a section's page, with it a short article and its
    # related stories.
    related = "".join(
        f'<div class="story"><h3><a href="/news/2024/05/story-{i}">The harbour story number '
        f"{i} told in a headline</a></h3><p>{NEWS_PARAGRAPHS[i + 2]}</p></div>" for i in range(3))
    url = "https://herald.example/news/2024/05/wall"
    title = "Council votes to rebuild the harbour wall"
    assert reason(page(f"<h1>{title}</h1>{related}", title=title), url).startswith("listing")
    html = page(f"<h1>{title}</h1><p>{PARAGRAPHS[0]}</p>{related}", title=title)
    assert PARAGRAPHS[0] in extract_article(html, url, site="generic").blocks


def test_a_few_teasers_on_a_page_that_calls_itself_an_article_are_its_body():
    html = page(f"<h1>Three things to know today</h1>{teasers(3)}",
                head='<meta property="og:type" content="article">',
                title="Three things to know today")
    article = extract_article(html, "https://herald.example/news/three-things", site="generic")
    assert len(article.blocks) == 3


def test_a_few_teasers_of_other_sites_are_no_section_page():
    # A page of links out (a press review) is not the site's own section.
    html = page(f"<h1>In other papers</h1>{teasers(3, 'https://other.example')}",
                title="In other papers")
    assert len(extract_article(html, URL + "review", site="generic").blocks) == 3


def test_a_short_post_with_links_and_post_navigation_is_an_article():
    # A post's "previous post" link is rel=prev too; its paragraphs link other
    # posts: one small element with links, but no headline link.
    body = ('<article><h1>Harbour wall: a short update</h1><div class="entry">'
            f'<p>{PARAGRAPHS[0]} <a href="/news/2024/04/wall-vote">The council first voted on '
            f'the wall in April</a>.</p><p>{PARAGRAPHS[1]} <a href="/news/2024/03/storm">The '
            'storm that breached the wall in March</a>.</p></div></article>'
            '<nav><a rel="prev" href="/news/2024/05/ferry">Ferry fares to rise in June</a></nav>')
    article = extract_article(page(body, title="Harbour wall: a short update"),
                              "https://herald.example/news/2024/05/wall-update", site="generic")
    assert len(article.blocks) == 2
