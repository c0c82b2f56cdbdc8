"""Pages that are not the article although they are an article's page: a
script's shell (the text arrives by script), a paywall's teaser, a consent
wall. Each raises NotAnArticle with its own reason; an article that merely
carries a noscript note, a login widget or a cookie banner is still an
article, and the banner never reaches its body."""

from __future__ import annotations

import pytest

from cleaning import NotAnArticle
from sites import extract_article
from tests.news_text import NEWS_PARAGRAPHS

URL = "https://herald.example/news/2024/05/harbour-wall"
PARAGRAPHS = NEWS_PARAGRAPHS[:4]
TEASER = "The city council voted on Tuesday to rebuild the old harbour wall."
ARTICLE_JSONLD = """<script type="application/ld+json">{"@context": "https://schema.org",
"@type": "NewsArticle", "headline": "Council votes to rebuild the harbour wall",
"isAccessibleForFree": false, "hasPart": {"@type": "WebPageElement",
"isAccessibleForFree": false, "cssSelector": ".paywalled-body"}}</script>"""


def page(body: str, head: str = "",
         title: str = "Council votes to rebuild the harbour wall") -> str:
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | The Coast Herald</title>{head}</head>
<body>{body}</body></html>"""


def reason(html: str, site: str = "generic", url: str = URL) -> str:
    with pytest.raises(NotAnArticle) as caught:
        extract_article(html, url, site=site)
    return caught.value.reason


# --- a script's shell -------------------------------------------------------------------
@pytest.mark.parametrize("html", [
    page('<noscript>You need to enable JavaScript to run this app.</noscript>'
         '<div id="root"></div><script src="/static/js/main.4f2a.js"></script>'),
    page('<div id="__next"></div><script id="__NEXT_DATA__" type="application/json">'
         '{"props": {"pageProps": {"story": "The council voted..."}}}</script>'),
    page("<app-root></app-root><noscript>Please enable JavaScript to continue using this "
         "application.</noscript>"),
    page('<div id="app"><div class="spinner">Loading…</div></div><noscript>This site requires '
         "JavaScript.</noscript>"),
])
def test_a_scripts_shell_is_js_required(html):
    assert reason(html).startswith("js_required")
    assert reason(html, site="auto").startswith("js_required")


def test_an_article_with_a_noscript_note_is_an_article():
    html = page('<noscript>Please enable JavaScript to view the comments.</noscript>'
                '<div id="root"><article><h1>Council votes to rebuild the harbour wall</h1>'
                + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</article></div>")
    assert extract_article(html, URL, site="generic").blocks == PARAGRAPHS


# --- a paywall's teaser -----------------------------------------------------------------
def test_teaser_with_declared_paywall_is_paywalled():
    html = page(f"""<article><h1>Council votes to rebuild the harbour wall</h1>
<div class="article-body"><p>{TEASER}</p></div>
<div class="paywalled-body"></div></article>""", head=ARTICLE_JSONLD)
    assert reason(html).startswith("paywalled")


def test_teaser_with_printed_paywall_is_paywalled():
    html = page(f"""<article><h1>Council votes to rebuild the harbour wall</h1>
<p>{TEASER}</p><div class="offer"><h3>Subscribe to continue reading</h3>
<p>Get unlimited access for 1 pound a week.</p><a href="/subscribe">Subscribe</a>
<a href="/login">Sign in</a></div></article>""")
    assert reason(html).startswith("paywalled")


def test_wordpress_teaser_behind_a_paywall_is_paywalled_in_auto_mode():
    html = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Council votes to rebuild the harbour wall</title>
<meta name="generator" content="WordPress 6.4">{ARTICLE_JSONLD}</head>
<body class="post-template-default single single-post postid-42">
<article class="post-42 post type-post hentry"><h1 class="entry-title">Council votes</h1>
<div class="entry-content"><p>{TEASER}</p></div></article></body></html>"""
    assert reason(html, site="auto", url="https://coast.example/2024/05/wall/") \
        .startswith("paywalled")


def test_metered_article_with_its_whole_text_is_an_article():
    html = page(f"""<article><h1>Council votes to rebuild the harbour wall</h1>
<div class="paywalled-body">{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}</div></article>""",
                head=ARTICLE_JSONLD)
    assert extract_article(html, URL, site="generic").blocks == PARAGRAPHS


def test_a_login_widget_on_a_free_short_article_is_not_a_paywall():
    html = page("""<header><div class="paywall-login-link"><a href="/login">Log in</a></div>
<div class="paywall-user-name"></div></header><article><h1>Fire at the pier</h1>
<p>A fire broke out at the end of the pier on Monday night. Firefighters put it out within
an hour and nobody was hurt, the fire service said. The pier will stay closed on Tuesday
while engineers check the deck.</p></article>""", title="Fire at the pier")
    article = extract_article(html, URL, site="generic")
    assert article.blocks[0].startswith("A fire broke out")


# --- a consent wall -----------------------------------------------------------------------
CONSENT_WALL = page("""<div id="consent-page" class="consent-wall">
<h1>Before you continue</h1>
<p>We and our partners use cookies and data to deliver and maintain our services, measure
audience engagement and show personalised ads. If you choose Accept all, we will also use
cookies for personalised content.</p>
<p>Select More options for information on managing your privacy settings, or Reject all to
decline cookies for these additional purposes. Our partners may process data on the basis of
legitimate interest.</p>
<form action="https://consent.herald.example/save"><button>Reject all</button>
<button>Accept all</button></form><a href="/privacy">More options</a></div>""")


def test_a_consent_wall_is_consent_wall():
    assert reason(CONSENT_WALL).startswith("consent_wall")
    assert reason(CONSENT_WALL, site="auto").startswith("consent_wall")


def test_an_article_under_a_cookie_banner_is_an_article_without_the_banner():
    banner = ('<div id="onetrust-consent-sdk"><div class="ot-sdk-container"><p>We use cookies '
              "to improve your experience. By continuing you accept our cookie policy.</p>"
              "<button>Accept all</button></div></div>")
    html = page(banner + '<article><h1>Council votes to rebuild the harbour wall</h1>'
                + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</article>")
    article = extract_article(html, URL, site="generic")
    assert article.blocks == PARAGRAPHS
