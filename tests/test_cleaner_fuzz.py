"""The cleaner on 10,000 generated pages raises nothing but its documented
exceptions (NotAnArticle, ExtractionError)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaning import ExtractionError
from sites import extract_article
from tests.support import assert_well_formed

TAGS = ["p", "div", "span", "article", "h1", "h2", "figure", "figcaption", "li", "ul",
        "blockquote", "script", "style", "table", "td", "a", "img", "br", "header", "nav"]
CLASSES = ["entry-content", "et_pb_post", "wp-caption", "wp-caption-text", "post-meta",
           "sharedaddy", "entry-title", "author vcard", "published", "gallery", ""]


@st.composite
def pages(draw) -> str:
    parts = ["<html><head><title>", draw(st.text(max_size=30)), "</title></head><body>"]
    for _ in range(draw(st.integers(0, 25))):
        tag = draw(st.sampled_from(TAGS))
        css = draw(st.sampled_from(CLASSES))
        text = draw(st.text(max_size=60))
        parts.append(f'<{tag} class="{css}">{text}')
        if draw(st.booleans()):
            parts.append(f"</{tag}>")
    return "".join(parts)


@pytest.mark.slow
@pytest.mark.timeout(1200)
@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(page=pages(), url=st.sampled_from([
    "https://eng-archive.aawsat.com/theaawsat/news-middle-east/x",
    "https://example.com/2020/01/story/", "http://127.0.0.1:1/a/b/c"]),
    as_bytes=st.booleans())
def test_ten_thousand_generated_pages(page, url, as_bytes):
    try:
        article = extract_article(page.encode("utf-8", "surrogatepass") if as_bytes else page,
                                  url)
    except ExtractionError as error:  # NotAnArticle included
        assert "cleaner failed" not in str(error), error
        return
    assert_well_formed(article)
