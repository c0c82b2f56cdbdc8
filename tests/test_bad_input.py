"""Bad input: an Article, NotAnArticle or ExtractionError, never anything else."""

from __future__ import annotations

import gzip

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaning import Article, ExtractionError, NotAnArticle
from cleaning.decoding import _NOT_TEXT_RE, without_controls
from replica.divi import BASE, Post, article_page
from sites import extract_article
from tests.support import assert_well_formed

URL = BASE + "/theaawsat/news-middle-east/a-story"
ARABIC = "قالت الحكومة إن المحادثات ستستأنف يوم الاثنين بعد توقف دام ثلاثة أسابيع."
LATIN = "Le ministre a déclaré à Genève que les négociations reprendraient lundi."


def extract_or_error(html, url=URL, site="auto"):
    try:
        return extract_article(html, url, site)
    except ExtractionError as error:  # NotAnArticle included
        assert str(error)
        return error


@pytest.mark.parametrize("raw, message", [
    (b"", "empty"),
    ("   \n\t ", "empty"),
    (b"\x00\x01\x02\x03" * 500, "binary"),
    (gzip.compress(b"<html><body><p>hi</p></body></html>", mtime=0), "binary"),
    ("just some words with no markup at all", "no markup"),
])
def test_unreadable_input_raises_extraction_error(raw, message):
    with pytest.raises(ExtractionError, match=message):
        extract_article(raw, URL)


def test_unknown_site_and_wrong_type_are_extraction_errors():
    with pytest.raises(ExtractionError, match="unknown site"):
        extract_article("<p>x</p>", URL, site="nosuch")
    with pytest.raises(ExtractionError, match="expected str or bytes"):
        extract_article(12345, URL)  # type: ignore[arg-type]


def test_truncated_page_keeps_what_arrived():
    post = Post(slug="a-story", title="A story", body_html="".join(
        f"<p>Paragraph number {i} of the story, told at length.</p>" for i in range(20)))
    page = article_page(post).encode()
    cut = page[: page.index(b"Paragraph number 12")]
    article = extract_article(cut, URL)
    assert article.blocks[-1].startswith("Paragraph number 11")
    assert len(article.blocks) == 12


@pytest.mark.parametrize("text, encoding", [(ARABIC, "cp1256"), (LATIN, "latin-1")])
@pytest.mark.parametrize("declared", [True, False])
def test_legacy_charsets_decode_without_mojibake(text, encoding, declared):
    post = Post(slug="a-story", title="Charset", body_html=f"<p>{text}</p>" * 3)
    page = article_page(post)
    if declared:
        page = page.replace('<meta charset="UTF-8" />', f'<meta charset="{encoding}" />')
    else:
        page = page.replace('<meta charset="UTF-8" />', "")
    article = extract_article(page.encode(encoding), URL)
    assert article.blocks[0] == text
    assert "\ufffd" not in article.body


def test_wrongly_declared_charset_is_not_trusted():
    post = Post(slug="a-story", title="Charset", body_html=f"<p>{LATIN}</p>" * 3)
    article = extract_article(article_page(post).encode("latin-1"), URL)  # says UTF-8
    assert article.blocks[0] == LATIN
    assert any("does not decode" in w for w in article.warnings)


@pytest.mark.slow
def test_huge_page_is_read():
    filler = "<p>" + "word " * 200 + "</p>\n"
    post = Post(slug="a-story", title="Huge", body_html=filler * 20_000)  # about 20 MB
    page = article_page(post)
    assert len(page) > 20_000_000
    article = extract_article(page, URL)
    assert len(article.blocks) == 20_000


def test_page_over_the_limit_is_refused():
    with pytest.raises(ExtractionError, match="too large"):
        extract_article(b"<p>" + b"x" * 30_000_000, URL)


def test_ten_thousand_nested_elements():
    deep = "<div>" * 10_000 + "<p>Deep text at the bottom of the page.</p>" + "</div>" * 10_000
    post = Post(slug="a-story", title="Deep", body_html="<p>Opening paragraph.</p>" + deep)
    result = extract_or_error(article_page(post))
    assert isinstance(result, Article)
    assert result.blocks[0] == "Opening paragraph."


html_fragments = st.lists(
    st.one_of(
        st.sampled_from(["<p>", "</p>", "<div class='entry-content'>", "</div>", "<br>",
                         "<article class='et_pb_post'>", "<h1 class='entry-title'>", "</h1>",
                         "<figure>", "<figcaption>", "<script>", "</script>", "<!--", "-->",
                         "<![CDATA[", "]]>", "&#34", "&nbsp;", "&", "<", ">", "<img src=x>",
                         "<meta property='article:published_time' content='2099-13-45'>",
                         "<script type='application/ld+json'>{\"@type\": [\"NewsArticle\"",
                         "<title>", "</title>", "\x00", "\ufeff", "[caption]", "<svg><title>"]),
        st.text(max_size=40),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fragments=html_fragments, site=st.sampled_from(["auto", "aawsat", "wordpress", "generic"]),
       as_bytes=st.booleans())
def test_generated_html_raises_only_documented_errors(fragments, site, as_bytes):
    html = "".join(fragments)
    raw = html.encode("utf-8", "surrogatepass") if as_bytes else html
    try:
        article = extract_article(raw, URL, site)
    except NotAnArticle:
        return
    except ExtractionError as error:
        assert "cleaner failed" not in str(error), error
        return
    assert_well_formed(article)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.one_of(st.characters(codec=None), st.sampled_from(
    "\x00\x08\t\n\x0b\x0c\r\x1f\x7f\ud800\udfff\ufffe\uffff\ud7a3\uf000\ufffd")), max_size=80))
def test_the_fast_scan_for_controls_replaces_what_the_regex_replaces(text):
    assert without_controls(text) == _NOT_TEXT_RE.sub(" ", text)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes(raw):
    result = extract_or_error(raw)
    if isinstance(result, Article):
        assert_well_formed(result)
    else:  # a documented refusal, not a cleaner bug turned into an error
        assert "cleaner failed" not in str(result), result
