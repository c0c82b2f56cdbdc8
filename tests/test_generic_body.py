"""Body recall of the generic profile (and of site="auto") on the patterns
issue 12 names: content hidden until a script runs, a page-wide ASP.NET
<form>, an article body split over sibling containers, the lead right
before the body, embedded tweets, paragraphs whose inline link trafilatura's
precision mode drops, and WordPress posts with teasers of other posts beside
them."""

from __future__ import annotations

from sites import extract_article
from tests.news_text import NEWS_PARAGRAPHS

URL = "https://herald.example/news/2024/05/harbour-wall"
PARAGRAPHS = NEWS_PARAGRAPHS


def paragraphs(items: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in items)


def page(body: str, head: str = "") -> str:
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Council votes to rebuild the harbour wall | The Coast Herald</title>{head}</head>
<body>{body}</body></html>"""


NAV = ('<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a>'
       '</nav></header>')
FOOTER = "<footer><p>The Coast Herald, 1 Quay Street. All rights reserved.</p></footer>"


def blocks(html: str, site: str = "generic") -> list[str]:
    return extract_article(html, URL, site=site).blocks


def test_a_page_wide_aspnet_form_is_not_cut():
    html = page(f"""<form id="aspnetForm" method="post" action="./harbour-wall.aspx">
<input type="hidden" name="__VIEWSTATE" value="abc">{NAV}
<div id="content"><h1>Council votes to rebuild the harbour wall</h1>
<div class="article-body">{paragraphs(PARAGRAPHS)}</div></div>
<div class="search"><input name="q"><button>Search</button></div>{FOOTER}</form>""")
    for site in ("generic", "auto"):
        assert blocks(html, site) == PARAGRAPHS


def test_small_forms_are_still_cut():
    html = page(f"""{NAV}<article><h1>Council votes to rebuild the harbour wall</h1>
{paragraphs(PARAGRAPHS)}
<form class="newsletter"><p>Get our morning email.</p><input name="email"></form></article>
{FOOTER}""")
    body = "\n\n".join(blocks(html))
    assert "morning email" not in body
    assert blocks(html) == PARAGRAPHS


def test_nextjs_streamed_content_in_a_hidden_div():
    html = page(f"""{NAV}<main><h1>Council votes to rebuild the harbour wall</h1>
<!--$?--><template id="B:0"></template><div class="skeleton">Loading</div><!--/$--></main>
<div hidden id="S:0"><article>{paragraphs(PARAGRAPHS)}</article></div>
<script>$RC("B:0","S:0")</script>{FOOTER}""")
    assert blocks(html) == PARAGRAPHS


def test_paywalled_rest_of_the_article_in_a_hidden_div():
    html = page(f"""{NAV}<article><h1>Council votes to rebuild the harbour wall</h1>
<div class="article-body">{paragraphs(PARAGRAPHS[:2])}
<div class="paywall" hidden>{paragraphs(PARAGRAPHS[2:])}</div></div></article>{FOOTER}""")
    assert blocks(html) == PARAGRAPHS


def test_hidden_menus_and_dialogs_stay_out():
    html = page(f"""{NAV}<div hidden class="mobile-menu"><ul><li><a href="/a">World</a></li>
<li><a href="/b">Business</a></li></ul></div>
<div hidden class="dialog"><p>Allow notifications from The Coast Herald?</p></div>
<article><h1>Council votes to rebuild the harbour wall</h1>{paragraphs(PARAGRAPHS)}</article>
{FOOTER}""")
    assert blocks(html) == PARAGRAPHS


def test_body_split_over_sibling_chunks_between_ad_slots():
    chunks = "".join(
        f'<div class="grid grid-margins grid-layout--adrail"><div class="grid--item body '
        f'body__container article__body">{paragraphs(PARAGRAPHS[i:i + 3])}</div>'
        f'<div class="grid--item grid-layout__aside"></div></div>'
        f'<div class="row full-bleed-ad"><div class="ad ad--mid-content"></div></div>'
        for i in range(0, 6, 3))
    html = page(f"""{NAV}<article class="story"><h1>Council votes to rebuild the harbour wall</h1>
<div class="chunks">{chunks}</div>
<aside class="more"><h2>More news</h2><ul><li><a href="/x">Pier reopens</a></li>
<li><a href="/y">Ferry fares rise</a></li></ul></aside></article>{FOOTER}""")
    assert blocks(html) == PARAGRAPHS


def test_the_lead_right_before_the_body_is_taken():
    lead = ("Four million pounds will be spent over two years on a wall the winter storms "
            "breached in three places.")
    html = page(f"""{NAV}<div class="article"><h1>Council votes to rebuild the harbour wall</h1>
<div class="article__date">21 May 2024</div>
<div class="article__summary summary">{lead}</div>
<div class="article__text">{paragraphs(PARAGRAPHS)}</div></div>{FOOTER}""")
    assert blocks(html) == [lead, *PARAGRAPHS]


def test_an_embedded_tweet_is_quoted():
    tweet = ('<blockquote class="twitter-tweet"><p lang="en" dir="ltr">The harbour wall vote '
             'passed tonight, 31 to 9.</p>&mdash; Coast Council (@coastcouncil) '
             '<a href="https://twitter.com/coastcouncil/status/1">May 21, 2024</a></blockquote>')
    html = page(f"""{NAV}<article><h1>Council votes to rebuild the harbour wall</h1>
{paragraphs(PARAGRAPHS[:3])}{tweet}{paragraphs(PARAGRAPHS[3:])}</article>{FOOTER}""")
    body = "\n\n".join(blocks(html))
    assert "The harbour wall vote passed tonight, 31 to 9." in body
    for paragraph in PARAGRAPHS:
        assert paragraph in body


def test_an_inline_link_in_a_span_is_kept():
    linked = ('<p>The council said the vote means <span class="link"><a href="/news/plan">'
              "the rebuilding plan drawn up last year</a></span> can go ahead in the spring, "
              "as long as the contractor is chosen by March.</p>")
    html = page(f"""{NAV}<article><h1>Council votes to rebuild the harbour wall</h1>
{paragraphs(PARAGRAPHS[:3])}{linked}{paragraphs(PARAGRAPHS[3:])}</article>{FOOTER}""")
    body = "\n\n".join(blocks(html))
    assert ("The council said the vote means the rebuilding plan drawn up last year can go "
            "ahead in the spring") in body


def test_a_wordpress_post_with_teasers_of_other_posts_is_not_a_listing():
    teasers = "".join(
        f'<article class="post-{n} post type-post hentry"><h3><a href="/p{n}">Other story {n}'
        f"</a></h3><p>A short excerpt of another story.</p></article>" for n in (5, 6, 7))
    html = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Council votes to rebuild the harbour wall</title>
<meta name="generator" content="WordPress 6.4"></head>
<body class="post-template-default single single-post postid-42">
<div class="post-42 post type-post hentry"><div class="title-wrap"></div>
<div class="entry-content">{paragraphs(PARAGRAPHS)}</div></div>
<section class="more-stories">{teasers}</section></body></html>"""
    article = extract_article(html, "https://coast.example/2024/05/wall/")
    assert article.extractor == "wordpress"
    assert article.blocks == PARAGRAPHS


def test_a_wordpress_listing_is_still_a_listing():
    posts = "".join(
        f'<article class="post-{n} post type-post hentry"><h2><a href="/p{n}">Story {n}</a>'
        f"</h2><p>{PARAGRAPHS[n]}</p></article>" for n in range(4))
    html = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>News</title><meta name="generator" content="WordPress 6.4"></head>
<body class="archive category category-news">{posts}</body></html>"""
    try:
        extract_article(html, "https://coast.example/2024/05/")
    except Exception as error:
        assert "listing" in str(error)
    else:
        raise AssertionError("a category listing was taken for an article")
