"""The wordpress profile on classic- and block-theme markup.

The pages (tests/site/pages/wp-*.html) are written after WordPress core's own
output (Twenty Seventeen for the classic theme, Twenty Twenty-Four for the
block theme). Recording
pages from a real local WordPress is still to do (see the issue notes).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cleaning import NotAnArticle
from sites import extract_article
from tests.conftest import page_bytes

CLASSIC = page_bytes("wp-classic-post.html")
BLOCK = page_bytes("wp-block-post.html")


def test_classic_theme_post():
    article = extract_article(CLASSIC, "https://coastal.example/2023/05/harbour-reopens/?share=x")
    assert article.extractor == "wordpress"
    assert article.title == "Harbour reopens after storm"
    assert article.authors == ["Mira Holt"]
    assert article.published == datetime(2023, 5, 4, 8, 15, tzinfo=UTC)
    assert article.categories == ["Local News"]
    assert article.tags == ["Harbour", "Storms"]
    assert article.blocks == ["The harbour reopened on Thursday, two days after the storm.",
                              "Fishing boats were the first to leave."]
    assert [(i.caption, i.credit) for i in article.images] == [
        ("Boats return to the harbour", "Photo: Reuters")]
    assert article.canonical_url == "https://coastal.example/2023/05/harbour-reopens"
    assert article.language == "en"


def test_block_theme_post():
    article = extract_article(BLOCK, "https://valley.example/council-approves-the-budget/")
    assert article.extractor == "wordpress"
    assert article.title == "Council approves the budget"
    assert article.authors == ["Sam Reyes"]  # from JSON-LD: no byline on the page
    assert article.published == datetime(2024, 2, 1, 9, 0, tzinfo=UTC)
    assert article.categories == ["Politics"]
    assert article.tags == ["Budget"]
    assert article.blocks == ["The council approved the budget late on Wednesday.",
                              "What changes", "Bus fares fall;", "parking costs rise."]
    assert article.images[0].credit == "AP Photo/Jo Lee"


@pytest.mark.parametrize("url, reason", [
    ("https://coastal.example/category/news/", "listing"),
    ("https://coastal.example/tag/harbour/page/2/", "listing"),
    ("https://coastal.example/2023/05/harbour-reopens/attachment/harbour-1/", "attachment"),
    ("https://coastal.example/?attachment_id=31", "attachment"),
    ("https://coastal.example/?s=harbour", "search"),
])
def test_non_article_urls(url, reason):
    with pytest.raises(NotAnArticle, match=reason):
        extract_article(CLASSIC, url)
