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
