"""The canonical example: the seed page, rebuilt in the archive's Divi markup."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sites import extract_article
from tests.conftest import SEED_URL

CAPTION_START = "Syrian soldiers flash the sign for victory"


def test_body_equals_the_seed_article_block_for_block(seed_html, seed_text_blocks):
    article = extract_article(seed_html, SEED_URL)
    assert len(seed_text_blocks) == 17
    assert article.body.split("\n\n") == seed_text_blocks
    assert article.body == "\n\n".join(seed_text_blocks)


def test_title_authors_date_and_section(seed_html):
    article = extract_article(seed_html, SEED_URL)
    assert article.title == "Syria: Assad troops advance in Homs"
    assert article.authors == ["Asharq Al-Awsat"]
    assert article.published == datetime(2014, 4, 16, tzinfo=UTC)
    assert article.categories == ["Middle East"]
    assert article.tags == ["syria", "homs"]  # slugs: no tag names on the page
    assert article.dateline == "Beirut"
    assert article.language == "en"
    assert article.extractor == "aawsat" and not article.fallback
    assert article.warnings == []


def test_caption_lives_in_images_only(seed_html):
    article = extract_article(seed_html, SEED_URL)
    assert len(article.images) == 1  # featured and in-body copies are one photo
    image = article.images[0]
    assert image.credit == "AFP Photo"
    assert image.caption and image.caption.startswith(CAPTION_START)
    assert image.src.endswith("/wp-content/uploads/2014/04/syria-tank-sarkha.jpg")
    for text in (article.title, article.body, *article.authors, *article.categories):
        assert CAPTION_START not in text
        assert "AFP Photo" not in text


def test_no_navigation_or_page_chrome_in_any_text_field(seed_html):
    article = extract_article(seed_html, SEED_URL)
    text = " ".join([article.title, article.body, *article.authors, *article.categories,
                     *article.tags])
    for chrome in ("Select Page", "Middle-east Arab News Opinion", "Share this", "Related",
                   "Submit a Comment", "Recent Posts", "Elegant Themes", "ASHARQ AL-AWSAT English"):
        assert chrome not in text


def test_share_link_canonicalises_to_the_article(seed_html):
    for suffix in ("", "/", "?share=jetpack-whatsapp", "?share=twitter#comments"):
        article = extract_article(seed_html, SEED_URL + suffix)
        assert article.canonical_url == SEED_URL
        assert article.url == SEED_URL + suffix


def test_word_count_and_hash_are_stable(seed_html, seed_text_blocks):
    first = extract_article(seed_html, SEED_URL)
    again = extract_article(seed_html.decode("utf-8"), SEED_URL + "?share=twitter")
    assert first.content_hash == again.content_hash
    assert first.word_count == sum(len(re.findall(r"\w+", b)) for b in seed_text_blocks)
