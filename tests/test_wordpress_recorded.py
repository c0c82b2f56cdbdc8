"""The wordpress profile on pages recorded from a real WordPress 6.1 (Debian's
package, served by `php -S`; see tests/site/wordpress/record.sh), in a classic
theme (Twenty Twenty-One) and a block theme (Twenty Twenty-Three)."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cleaning import NotAnArticle
from sites import extract_article

RECORDED = Path(__file__).parent / "site" / "wordpress"
THEMES = ["twentytwentyone", "twentytwentythree"]
# A neutral URL, so that only the markup can tell what the page is.
NEUTRAL_URL = "http://127.0.0.1:8089/2023/05/some-page/"


def recorded(theme: str, name: str) -> bytes:
    return gzip.decompress((RECORDED / theme / f"{name}.html.gz").read_bytes())


@pytest.mark.parametrize("theme", THEMES)
def test_post_with_a_classic_caption_shortcode(theme):
    article = extract_article(recorded(theme, "post-classic-caption"), NEUTRAL_URL)
    assert article.extractor == "wordpress"
    assert article.title == "Harbour reopens after storm"
    assert article.authors == ["Mira Holt"]
    assert article.published == datetime(2023, 5, 4, 8, 15, tzinfo=UTC)
    assert article.categories == ["Local News"]
    assert article.tags == ["harbour", "storms"]
    assert article.blocks == [
        "The harbour reopened on Thursday, two days after the storm closed it.",
        "Fishing boats were the first to leave, followed by the ferry to the islands.",
        "What the council said",
        "“We are open for business,” the mayor said.",
        "Ferries run again from Friday;",
        "the fish market opens on Monday.",
    ]
    assert [(i.caption, i.credit) for i in article.images] == [
        ("Boats return to the harbour after the storm.", "Reuters")]
    assert article.canonical_url == "http://127.0.0.1:8089/2023/05/harbour-reopens-after-storm"


@pytest.mark.parametrize("theme", THEMES)
def test_post_with_a_block_editor_figure(theme):
    article = extract_article(recorded(theme, "post-block-caption"), NEUTRAL_URL)
    assert article.title == "Council approves the budget"
    assert article.blocks == [
        "The council approved the budget late on Wednesday after a long debate.",
        "What changes",
        "Bus fares fall and parking costs rise from June.",
    ]
    assert [(i.caption, i.credit) for i in article.images] == [
        ("Councillors vote on the budget", "AP Photo/Jo Lee")]


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("name, reason", [
    ("category-page-1", "listing"), ("category-page-2", "listing"), ("tag-listing", "listing"),
    ("author-listing", "listing"), ("search", "search"),
])
def test_listing_and_search_pages_are_recognised_by_their_markup(theme, name, reason):
    with pytest.raises(NotAnArticle, match=reason):
        extract_article(recorded(theme, name), NEUTRAL_URL)
