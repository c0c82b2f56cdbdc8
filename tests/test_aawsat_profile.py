"""The aawsat profile on every markup variant the archive is known to use."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from cleaning import NotAnArticle
from replica.divi import BASE, Post, article_page, attachment_page, listing_page
from sites import extract_article

PARAGRAPHS = (
    "<p>London – The talks resumed on Monday after a pause of three weeks.</p>\n"
    "<p>Delegates said the second round would focus on the ceasefire.</p>"
)


def clean(post: Post, **kwargs):
    return extract_article(article_page(post), BASE + post.path, **kwargs)


def test_headline_byline_date_and_category_from_the_post_meta_line():
    post = Post(slug="the-road-to-geneva", title="Opinion: The road to Geneva",
                author_slug="arafat-madabish", author_name="Arafat Madabish",
                category_slug="opinion", category_name="Opinion", body_html=PARAGRAPHS)
    article = clean(post)
    assert article.title == "Opinion: The road to Geneva"  # a real prefix stays
    assert article.authors == ["Arafat Madabish"]
    assert article.published == datetime(2014, 4, 16, tzinfo=ZoneInfo("Europe/London"))
    assert article.published.utcoffset() is not None
    assert article.categories == ["Opinion"]
    assert article.dateline == "London"
    assert article.body.startswith("London – The talks resumed")
    assert article.extractor == "aawsat"


def test_meta_published_time_wins_over_the_printed_date():
    post = Post(slug="a", title="A", body_html=PARAGRAPHS,
                published_meta="2014-04-16T09:30:00+00:00")
    assert clean(post).published == datetime(2014, 4, 16, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("suffix", [
    " - ASHARQ AL-AWSAT English Archive",
    " - ASHARQ AL-AWSAT English Archive 2005 -2017",
    " | ASHARQ AL-AWSAT English Archive 2005 -2017",
])
def test_every_title_suffix_is_removed_when_there_is_no_h1(suffix):
    post = Post(slug="yemen-talks", title="Yemen: Talks stall in Kuwait", body_html=PARAGRAPHS,
                show_header=False, title_suffix=suffix)
    article = clean(post)
    assert article.title == "Yemen: Talks stall in Kuwait"
    assert article.authors == ["Asharq Al-Awsat"]  # from the URL's house slug
    assert article.categories == ["news-middle-east"]  # only a slug is on the page


def test_author_slug_gives_a_name_when_no_byline_is_shown():
    post = Post(slug="x", title="X", author_slug="arafat-madabish", body_html=PARAGRAPHS,
                show_header=False)
    assert clean(post).authors == ["Arafat Madabish"]


@pytest.mark.parametrize("caption_html, caption, credit", [
    ('<div id="attachment_7" class="wp-caption aligncenter">'
     '<img src="/wp-content/uploads/2015/01/a.jpg" />'
     '<p class="wp-caption-text">Smoke rises over the city. (Reuters)</p></div>',
     "Smoke rises over the city.", "Reuters"),
    ('<figure class="wp-caption alignnone"><img src="/wp-content/uploads/2015/01/a.jpg" />'
     "<figcaption>Protesters gather in the square (AP Photo/Hussein Malla)</figcaption></figure>",
     "Protesters gather in the square", "AP Photo/Hussein Malla"),
    ('<p><img class="aligncenter" src="/wp-content/uploads/2015/01/a.jpg" /></p>\n'
     "<p>Fighters stand on a hill near the border. (AFP Photo)</p>",
     "Fighters stand on a hill near the border.", "AFP Photo"),
    ('<p><img src="/wp-content/uploads/2015/01/a.jpg" /> '
     "A convoy crosses the bridge (AFP)</p>",
     "A convoy crosses the bridge", "AFP"),
])
def test_caption_forms_go_to_images_never_to_the_body(caption_html, caption, credit):
    post = Post(slug="c", title="C", body_html=caption_html + "\n" + PARAGRAPHS)
    article = clean(post)
    assert article.blocks == [
        "London – The talks resumed on Monday after a pause of three weeks.",
        "Delegates said the second round would focus on the ceasefire.",
    ]
    assert [(i.caption, i.credit) for i in article.images] == [(caption, credit)]
    assert article.images[0].src == BASE + "/wp-content/uploads/2015/01/a.jpg"


def test_gallery_is_metadata_only():
    gallery = (
        '<div id="gallery-1" class="gallery galleryid-5 gallery-columns-2">'
        '<dl class="gallery-item"><dt class="gallery-icon"><img src="/u/1.jpg" /></dt>'
        '<dd class="wp-caption-text gallery-caption">First view of the port</dd></dl>'
        '<dl class="gallery-item"><dt class="gallery-icon"><img src="/u/2.jpg" /></dt>'
        '<dd class="wp-caption-text gallery-caption">Second view (Reuters)</dd></dl></div>'
    )
    article = clean(Post(slug="g", title="G", body_html=PARAGRAPHS + gallery))
    assert len(article.blocks) == 2
    assert [(i.caption, i.credit) for i in article.images] == [
        ("First view of the port", None), ("Second view", "Reuters")]


def test_structure_blocks_entities_and_shortcodes():
    body = (
        "<p>Cairo, Asharq Al-Awsat- The minister said &#34the plan is ready&#34 on Sunday.</p>"
        "<h2>What comes next</h2>"
        "<blockquote><p>“We will not wait,” he said.</p><p>“Not again.”</p></blockquote>"
        "<ul><li>First, the budget;</li><li>then the election.</li></ul>"
        "<p>[inset_left]Erdoğan’s visit[/inset_left] Erdoğan’s visit . . . was brief."
        "\u00a0\u00a0End</p>"
        "<p>Line one<br/>line two<br/><br/>A new paragraph</p>"
        "<script>var x = 'never';</script><style>.a{}</style>"
    )
    article = clean(Post(slug="s", title="S", body_html=body))
    assert article.blocks == [
        'Cairo, Asharq Al-Awsat- The minister said "the plan is ready" on Sunday.',
        "What comes next",
        "“We will not wait,” he said.",
        "“Not again.”",
        "First, the budget;",
        "then the election.",
        "Erdoğan’s visit Erdoğan’s visit . . . was brief. End",
        "Line one line two",
        "A new paragraph",
    ]
    assert article.dateline == "Cairo"
    assert "\n\n\n" not in article.body


@pytest.mark.parametrize("opening, place", [
    ("Beirut, Asharq Al-Awsat—Syrian forces", "Beirut"),
    ("Jeddah, Asharq Al-Awsat – Saudi officials", "Jeddah"),
    ("Beirut, Asharq Al-Awsat- Lebanese leaders", "Beirut"),
    ("London – Britain said", "London"),
    ("WASHINGTON, (Reuters) – The White House", "WASHINGTON"),
    ("Al-Assad said on Monday", None),
    ("The minister - who spoke late - said", None),
])
def test_datelines(opening, place):
    article = clean(Post(slug="d", title="D", body_html=f"<p>{opening} more words here.</p>"))
    assert article.dateline == place
    assert article.body.startswith(opening)  # the body keeps the text as published


def test_attachment_page_is_not_an_article():
    post = Post(slug="a", title="A", body_html=PARAGRAPHS)
    with pytest.raises(NotAnArticle, match="attachment"):
        extract_article(attachment_page(post, "syria-tank", "A tank (AFP Photo)"),
                        BASE + post.path + "/attachment/syria-tank")


def test_listing_pages_are_not_articles():
    posts = [Post(slug=f"p{i}", title=f"Story {i}", body_html="") for i in range(3)]
    page = listing_page("Middle East", posts, older=BASE + "/category/news-middle-east/page/2",
                        newer=None)
    for url in (BASE + "/category/news-middle-east", BASE + "/category/news-middle-east/page/2",
                BASE + "/some/odd/listing"):
        with pytest.raises(NotAnArticle, match="listing"):
            extract_article(page, url)


def test_changed_template_falls_back_to_generic(caplog):
    post = Post(slug="t", title="Template changed", body_html="")
    page = article_page(post).replace(
        '<div class="entry-content">',
        '<div class="post-text">' + "".join(
            f"<p>Paragraph {i} of a story long enough to be the content of this page, "
            f"with commas, clauses, and detail.</p>" for i in range(6)) + "</div><div>",
    )
    article = extract_article(page, BASE + post.path)
    assert article.extractor == "generic" and article.fallback
    assert article.title == "Template changed"
    assert article.blocks[0].startswith("Paragraph 0 of a story")
    assert any("generic" in w for w in article.warnings)
    assert "found no article body" in caplog.text


def test_a_future_date_is_dropped_with_a_warning():
    post = Post(slug="f", title="F", body_html=PARAGRAPHS, date_text="Apr 16, 2099")
    article = clean(post)
    assert article.published is None
    assert any("future" in w for w in article.warnings)


def test_explicit_site_profile_is_used():
    post = Post(slug="e", title="E", body_html=PARAGRAPHS)
    assert clean(post, site="wordpress").extractor == "wordpress"
    assert clean(post, site="aawsat").extractor == "aawsat"
