"""The leaks issue 12 lists: share counters and buttons, comment counters,
shortcodes, slideshow and advert placeholders, image descriptions and
credits, follow widgets. Each one's markup, as the plugin or theme prints it,
inside the body of a WordPress post (the wordpress profile, site="auto") and
of any news page (the generic profile); the leak never reaches the body and
the article's paragraphs all do."""

from __future__ import annotations

import pytest

from sites import extract_article
from tests.news_text import NEWS_PARAGRAPHS

PARAGRAPHS = NEWS_PARAGRAPHS[:5]


def wordpress_post(inside: str) -> str:
    """A single post of a classic WordPress theme, `inside` its content."""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:3]) + inside + \
        "".join(f"<p>{p}</p>" for p in PARAGRAPHS[3:])
    return f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<title>Council votes to rebuild the harbour wall - Coastal News</title>
<meta name="generator" content="WordPress 6.4">
<link rel="stylesheet" href="/wp-content/themes/coast/style.css"></head>
<body class="post-template-default single single-post postid-77">
<article id="post-77" class="post-77 post type-post status-publish hentry">
<h1 class="entry-title">Council votes to rebuild the harbour wall</h1>
<div class="entry-content">{body}</div></article></body></html>"""


def news_page(inside: str) -> str:
    """A news page of no known platform, `inside` its article body."""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:3]) + inside + \
        "".join(f"<p>{p}</p>" for p in PARAGRAPHS[3:])
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Council votes to rebuild the harbour wall | The Coast Herald</title></head>
<body><header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<main><article><h1>Council votes to rebuild the harbour wall</h1>
<div class="story-body">{body}</div></article></main>
<footer><p>The Coast Herald, 1 Quay Street.</p></footer></body></html>"""


def bodies(inside: str) -> list[str]:
    """The body the wordpress profile (auto) and the generic profile make of the leak."""
    wordpress = extract_article(wordpress_post(inside), "https://coast.example/2024/05/wall/")
    assert wordpress.extractor == "wordpress"
    generic = extract_article(news_page(inside), "https://herald.example/news/wall",
                              site="generic")
    return [wordpress.body, generic.body]


def assert_clean(inside: str, *leaks: str) -> None:
    for body in bodies(inside):
        for paragraph in PARAGRAPHS:
            assert paragraph in body
        for leak in leaks:
            assert leak not in body, f"{leak!r} leaked into: {body}"


SHARE_BAR = """<div id="dpsp-content-top" class="dpsp-content-wrapper dpsp-shape-rectangular">
<p class="dpsp-share-text">Sharing is caring!</p>
<div class="dpsp-total-share-wrapper"><span class="dpsp-icon-total-share"></span>
<span class="dpsp-total-share-count">0</span><span>shares</span></div>
<ul class="dpsp-networks-btns-wrapper"><li><a class="dpsp-network-btn dpsp-pinterest"
href="#"><span class="dpsp-network-label">Pinterest</span></a></li><li><a
class="dpsp-network-btn dpsp-facebook" href="#"><span class="dpsp-network-label">Facebook</span>
</a></li></ul></div>"""


def test_share_counter_and_buttons():
    assert_clean(SHARE_BAR, "Sharing is caring", "shares", "Pinterest", "Facebook")


def test_share_counter_printed_as_plain_lines():
    assert_clean("<p>Sharing is caring!</p><p>12 shares</p><p>Share this:</p>",
                 "Sharing is caring", "12 shares", "Share this")


def test_comment_counter_of_the_facebook_comments_plugin():
    markup = ('<h3>Comments</h3><p><comments-count href="https://coast.example/wall/">'
              '</comments-count> comments</p><div class="fb-comments" '
              'data-href="https://coast.example/wall/"></div>')
    assert_clean(markup, "Comments", "comments")


def test_comment_counter_and_invitation_lines():
    assert_clean("<center><h3>Tell us what YOU think...</h3><p>3 comments</p></center>",
                 "Tell us what", "comments")


def test_button_shortcode_with_its_label():
    markup = ("<p>[button link=”https://coast.example/submit/” type=”big” newwindow=”yes”] "
              "Send us YOUR kit review[/button]</p>")
    assert_clean(markup, "[button", "[/button]", "Send us YOUR kit review")


def test_orphan_closing_shortcode():
    for body in bodies("<p>The ferry timetable is unchanged.[/su_note] [/box]</p>"):
        assert "The ferry timetable is unchanged." in body
        assert "[/" not in body


def test_editorial_brackets_are_kept():
    for body in bodies("<p>He said the wall [the old one] had failed.</p>"):
        assert "He said the wall [the old one] had failed." in body


def test_slideshow_placeholder():
    markup = ('<p class="jetpack-slideshow-noscript robots-nocontent">This slideshow requires '
              'JavaScript.</p><div class="slideshow-window jetpack-slideshow"></div>')
    assert_clean(markup, "slideshow")


def test_advert_labels():
    markup = ('<div class="Off5dpXq"><center><span>Advert</span></center></div>'
              '<div class="ad-slot"><span>Advertisement</span></div>')
    assert_clean(markup, "Advert")


@pytest.mark.parametrize("markup, leak", [
    ('<p><img src="/up/wall.jpg" alt="The harbour wall"></p>'
     '<p class="img-description">The breached harbour wall after the January storm</p>',
     "The breached harbour wall"),
    ('<div class="image"><img src="/up/wall.jpg" alt=""></div>'
     '<p class="caption">Builders inspect the wall on Monday morning</p>',
     "Builders inspect the wall"),
    ('<img src="/up/wall.jpg" alt=""><div class="photo-credit">MDR (Engin Haupt, '
     'Alisa Sonntag)</div>', "Engin Haupt"),
    ('<p><span class="wf_caption"><img src="/up/wall.jpg" alt="map"><span>The first map of the '
     'harbour. (<a href="https://example.org">NASA/JPL</a>)</span></span></p>', "first map"),
    ('<div><img src="/up/wall.jpg" alt="The slimmer harbour wall seen from the sea"></div><br>'
     '<span class="minor small">The slimmer harbour wall seen from the sea</span>',
     "seen from the sea"),
    ('<table><tr><td><img src="/up/wall.jpg" alt=""><div class="info2">The wall in 1950. '
     '(credit: Harbour Trust)</div></td></tr></table>', "The wall in 1950"),
    ('<p><em>Harbour wall, installation views, photos © Coast Herald, 2024</em></p>',
     "installation views"),
])
def test_image_descriptions_and_credits(markup, leak):
    assert_clean(markup, leak)


def test_caption_of_the_articles_image_is_recorded_not_lost():
    page = news_page('<p><img src="/up/wall.jpg" alt=""></p>'
                     '<p class="img-description">The breached harbour wall</p>')
    article = extract_article(page, "https://herald.example/news/wall", site="generic")
    assert [(i.src, i.caption) for i in article.images] == [
        ("https://herald.example/up/wall.jpg", "The breached harbour wall")]


def captions(inside: str) -> list[tuple[str | None, str | None]]:
    """(caption, credit) of the post's image, by the wordpress and the generic profile."""
    found = []
    for html, url, site in ((wordpress_post(inside), "https://coast.example/2024/05/wall/", "auto"),
                            (news_page(inside), "https://herald.example/news/wall", "generic")):
        article = extract_article(html, url, site=site)
        assert "Jo Reed" not in article.body and "Reuters" not in article.body
        found += [(image.caption, image.credit) for image in article.images]
    return found


WALL = "The breached harbour wall after the January storm"


@pytest.mark.parametrize("credit", [
    '<span class="credit">Photo: Jo Reed</span>', "<small>Photo: Jo Reed</small>",
    '<span class="photo-credit">Photo: Jo Reed</span>',
    '<span class="image-credit">Photo: Jo Reed</span>',
    '<span class="byline">Photo: Jo Reed</span>', '<em class="image__credit">Photo: Jo Reed</em>',
])
def test_a_credit_in_its_own_element_inside_the_caption_is_the_credit(credit):
    figure = f'<figure><img src="/up/wall.jpg" alt=""><figcaption>{WALL} {credit}</figcaption>' \
        "</figure>"
    assert captions(figure) == [(WALL, "Photo: Jo Reed")] * 2


@pytest.mark.parametrize("caption, expected", [
    (f"{WALL} (Photo: Jo Reed)", (WALL, "Photo: Jo Reed")),  # bracketed in the text
    (f"{WALL} <small>(Reuters)</small>", (WALL, "Reuters")),  # bracketed in its element
    (f"<small>{WALL} (Reuters)</small>", (WALL, "Reuters")),  # an element that is all of it
    (f'<span class="wp-caption-text">{WALL}</span>', (WALL, None)),  # nested: read once
    (f"{WALL}", (WALL, None)),
])
def test_captions_and_credits_in_every_other_form(caption, expected):
    figure = f'<figure><img src="/up/wall.jpg" alt=""><figcaption>{caption}</figcaption></figure>'
    assert captions(figure) == [expected] * 2


def test_a_loose_images_caption_with_a_credit_element():
    loose = ('<p><img src="/up/wall.jpg" alt=""></p>'
             f'<p class="wp-caption-text">{WALL} <span class="credit">Jo Reed</span></p>')
    assert captions(loose) == [(WALL, "Jo Reed")] * 2


@pytest.mark.parametrize("markup, leak", [
    ('<div class="follow-us"><span>Follow us</span><a href="#">Twitter</a>'
     '<a href="#">Facebook</a></div>', "Follow us"),
    ("<p>Follow @CoastDeals on Twitter to keep up with the latest deals. Prices may change.</p>",
     "CoastDeals"),
    ("<p>Jo Reed covers the harbour for the Herald. Follow her on Twitter @joreed.</p>",
     "Follow her"),
    ("<p>Sign up for the Morning Tide newsletter to get the day's top stories.</p>",
     "Morning Tide"),
    ('<p class="social-icons"><a href="#">Instagram</a> <a href="#">YouTube</a></p>',
     "Instagram"),
])
def test_follow_and_newsletter_widgets(markup, leak):
    assert_clean(markup, leak)


def test_related_pointer_lines():
    markup = ('<p>Related: <a href="/news/pier">The pier reopens after ten years</a></p>'
              '<p><strong>SEE MORE:</strong> <a href="/news/ferry">Ferry fares to rise</a></p>')
    assert_clean(markup, "The pier reopens", "Ferry fares")


def test_prose_that_mentions_sharing_or_following_is_kept():
    kept = ("<p>The harbour trust's shares fell after the vote, and investors said they "
            "would follow the works closely on the council's own website.</p>")
    for body in bodies(kept):
        assert "The harbour trust's shares fell after the vote" in body
