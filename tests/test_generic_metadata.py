"""Metadata as pages give it (issue 12): every JSON-LD form, microdata,
Dublin Core, PRISM, <time>, bylines in meta and in markup; authors cleaned;
titles without site names, preferring the declared headline over an <h1>
that adds a kicker to it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from cleaning.metadata import parse_jsonld, split_byline
from sites import extract_article

URL = "https://herald.example/news/2024/05/harbour-wall"
BODY = "".join(
    f"<p>{p}</p>" for p in [
        "The city council voted on Tuesday to rebuild the old harbour wall, which the winter "
        "storms had breached in three places, at a cost of four million pounds over two years.",
        "Engineers told the council that the wall had been patched so often since the war that "
        "a repair would no longer hold, and that a new wall would last at least a century.",
        "Fishermen who use the harbour welcomed the vote but asked that the work be done in "
        "stages, so that boats could still land their catch while the builders were at work.",
    ])
TITLE = "Council votes to rebuild the harbour wall"


def page(head: str = "", header: str = "", h1: str = TITLE, html_title: str = "",
         article_attrs: str = "") -> str:
    title = html_title or f"{TITLE} | The Coast Herald"
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title>{head}</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article{article_attrs}><h1>{h1}</h1>{header}<div class="story-body">{BODY}</div></article>
<footer><p>The Coast Herald</p></footer></body></html>"""


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def extract(html: str, site: str = "generic"):
    return extract_article(html, URL, site=site)


def day(article) -> date | None:
    return article.published.date() if article.published else None


# --- JSON-LD ------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle",
                                  "OpinionNewsArticle", "BlogPosting", "Report", "Article",
                                  ["NewsArticle", "LiveBlogPosting"]])
def test_every_article_type_counts(kind):
    article = extract(page(ld({"@context": "https://schema.org", "@type": kind,
                               "headline": TITLE, "datePublished": "2024-05-21T09:30:00+01:00",
                               "author": {"@type": "Person", "name": "Jo Reed"}})))
    assert article.authors == ["Jo Reed"]
    assert article.published == datetime.fromisoformat("2024-05-21T09:30:00+01:00")


def test_article_as_a_webpages_main_entity():
    data = {"@context": "https://schema.org", "@type": "WebPage", "name": "Harbour",
            "mainEntity": {"@type": "NewsArticle", "headline": TITLE,
                           "datePublished": "2024-05-21", "author": [{"name": "Jo Reed"}]}}
    article = extract(page(ld(data)))
    assert article.authors == ["Jo Reed"]
    assert day(article) == date(2024, 5, 21)


def test_author_given_as_an_id_reference_into_the_graph():
    data = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "@id": "https://herald.example/#site", "name": "The Coast Herald"},
        {"@type": "Article", "@id": URL + "#article", "headline": TITLE,
         "datePublished": "2024-05-21T08:00:00+00:00",
         "author": {"@id": "https://herald.example/#/schema/person/42"}},
        {"@type": "Person", "@id": "https://herald.example/#/schema/person/42",
         "name": "Jo Reed"},
    ]}
    article = extract(page(ld(data)))
    assert article.authors == ["Jo Reed"]


@pytest.mark.parametrize("raw", [
    # a comment, a trailing comma
    '{"@type": "NewsArticle", // the type\n "headline": "H", "datePublished": "2024-05-21",'
    ' "author": {"name": "Jo Reed"},}',
    # a raw newline inside a string, and two objects one after the other
    '{"@type": "WebSite", "name": "Coast\nHerald"}\n{"@type": "NewsArticle", "headline": "H",'
    ' "datePublished": "2024-05-21", "author": "Jo Reed"}',
    # an unescaped quote: the fields are still read
    '{"@type": "NewsArticle", "description": "the "wall" vote", "headline": "H",'
    ' "datePublished": "2024-05-21", "author": {"@type": "Person", "name": "Jo Reed"}}',
])
def test_invalid_jsonld_is_tolerated(raw):
    html = page(f'<script type="application/ld+json">{raw}</script>')
    article = extract(html)
    assert article.authors == ["Jo Reed"]
    assert day(article) == date(2024, 5, 21)


def test_garbage_jsonld_gives_nothing_and_breaks_nothing():
    assert parse_jsonld("<<< not json at all >>>") == []
    article = extract(page('<script type="application/ld+json">{{{{</script>'))
    assert article.title == TITLE


def test_placeholder_date_of_year_one_is_not_a_date():
    html = page(ld({"@type": "NewsArticle", "datePublished": "0001-01-01T00:00:00Z"})
                + '<meta property="article:published_time" content="2024-05-21T10:00:00Z">')
    assert day(extract(html)) == date(2024, 5, 21)


# --- microdata, Dublin Core, PRISM, <time>, meta bylines --------------------------------
def test_microdata_of_the_article():
    header = ('<p itemprop="author" itemscope itemtype="https://schema.org/Person">By '
              '<span itemprop="name">Jo Reed</span></p><span itemprop="datePublished" '
              'content="2024-05-21T07:00:00Z">21 May</span>')
    html = page(header=header,
                article_attrs=' itemscope itemtype="https://schema.org/NewsArticle"')
    article = extract(html)
    assert article.authors == ["Jo Reed"]
    assert article.published == datetime(2024, 5, 21, 7, 0, tzinfo=UTC)


def test_microdata_of_a_comment_is_not_the_articles():
    comment = ('<div itemscope itemtype="https://schema.org/Comment"><span itemprop="author">'
               "Sam Troll</span><p>First!</p></div>")
    html = page(ld({"@type": "NewsArticle", "author": {"name": "Jo Reed"}}), header=comment)
    assert extract(html).authors == ["Jo Reed"]


@pytest.mark.parametrize("head, expected_day", [
    ('<meta name="DC.date" content="2024-05-21">', date(2024, 5, 21)),
    ('<meta name="dcterms.created" content="2024-05-20T22:00:00+02:00">', date(2024, 5, 20)),
    ('<meta name="prism.publicationDate" content="2024-05-19">', date(2024, 5, 19)),
    ('<meta itemprop="datePublished" content="2024-05-18T12:00:00Z">', date(2024, 5, 18)),
    ('<meta name="pdate" content="20240517">', date(2024, 5, 17)),
])
def test_dublin_core_prism_and_other_date_meta(head, expected_day):
    assert day(extract(page(head))) == expected_day


def test_time_datetime_in_the_page():
    header = ('<div class="meta"><time class="updated" datetime="2024-05-23T10:00:00Z">'
              'Updated 23 May</time> <time class="published" datetime="2024-05-21T08:15:00Z">'
              "21 May 2024</time></div>")
    assert extract(page(header=header)).published == datetime(2024, 5, 21, 8, 15, tzinfo=UTC)


def test_date_printed_by_the_byline_only():
    header = '<p class="byline">By Jo Reed on Tuesday, May 21st, 2024 at 9:00 a.m.</p>'
    article = extract(page(header=header))
    assert day(article) == date(2024, 5, 21)
    assert article.authors == ["Jo Reed"]


@pytest.mark.parametrize("head, authors", [
    ('<meta name="byl" content="By Jo Reed and Sam Lee">', ["Jo Reed", "Sam Lee"]),
    ('<meta property="article:author" content="Jo Reed">', ["Jo Reed"]),
    ('<meta property="article:author" content="https://www.facebook.com/joreed">', []),
    ('<meta name="dc.creator" content="Jo Reed">', ["Jo Reed"]),
    ('<meta name="author" content="Jo Reed, The Coast Herald">', ["Jo Reed"]),
])
def test_bylines_in_meta(head, authors):
    assert extract(page(head)).authors == authors


@pytest.mark.parametrize("header, authors", [
    ('<div class="article-byline">By <a href="/a/jo" rel="author">Jo Reed</a></div>',
     ["Jo Reed"]),
    ('<p class="c-byline">By <span class="c-byline__item">Jo Reed</span> and '
     '<span class="c-byline__item">Sam Lee</span> · May 21, 2024</p>', ["Jo Reed", "Sam Lee"]),
    ("<div><span>21/05/2024 - Publicado por: Ana Souza - Categoria: Cidade</span></div>",
     ["Ana Souza"]),
    ("<p>Von Jana Berg und Uwe Kolb</p>", ["Jana Berg", "Uwe Kolb"]),
    ("<p>Av Kari Nordmann og Ola Hansen</p>", ["Kari Nordmann", "Ola Hansen"]),
])
def test_bylines_in_markup(header, authors):
    assert extract(page(header=header)).authors == authors


def test_bylines_of_comments_and_widgets_are_not_the_articles():
    html = page(header='<p class="byline">By Jo Reed</p>').replace(
        "<footer>", '<aside class="widget"><p class="author">by Sam Troll</p></aside><footer>')
    assert extract(html).authors == ["Jo Reed"]


# --- author cleaning ----------------------------------------------------------------------
@pytest.mark.parametrize("raw, names", [
    ("By LISA MASCARO, MARY CLARE JALONICK and ERIC TUCKER Associated Press",
     ["LISA MASCARO", "MARY CLARE JALONICK", "ERIC TUCKER Associated Press"]),
    ("Rachael Link, MS, RD", ["Rachael Link"]),
    ("By Megan Rowe meganr@herald.example (509) 459-5382", ["Megan Rowe"]),
    ("by Bryan DeArdo @BryanDeArdo Nov 18, 2019 at 9:24 pm ET", ["Bryan DeArdo"]),
    ("Finian Cunningham. Sputnik International", ["Finian Cunningham", "Sputnik International"]),
    ("Trevor J. Mitchell", ["Trevor J. Mitchell"]),
])
def test_byline_splitting(raw, names):
    assert split_byline(raw) == names


def test_wire_agency_beside_people_is_dropped_and_names_read_in_title_case():
    html = page(header='<p class="byline">By LISA MASCARO and ERIC TUCKER Associated Press</p>')
    assert extract(html).authors == ["Lisa Mascaro", "Eric Tucker"]


def test_publisher_is_never_added_beside_a_person():
    head = (ld({"@type": "NewsArticle", "author": [{"@type": "Person", "name": "Jo Reed"},
                                                   {"@type": "Organization",
                                                    "name": "The Coast Herald"}],
                "publisher": {"@type": "Organization", "name": "The Coast Herald"}})
            + '<meta property="og:site_name" content="The Coast Herald">')
    assert extract(page(head)).authors == ["Jo Reed"]


def test_site_name_is_no_stand_in_where_the_page_names_a_person():
    head = (ld({"@type": "NewsArticle", "author": {"@type": "Person", "name": "Coast Herald"}})
            + '<meta property="og:site_name" content="Coast Herald">')
    html = page(head, header='<p class="byline">By Jo Reed</p>')
    assert extract(html).authors == ["Jo Reed"]


def test_a_wire_agency_byline_alone_is_the_author():
    assert extract(page(header='<p class="byline">Reuters</p>')).authors == ["Reuters"]


def test_publisher_declared_as_author_with_no_byline_is_no_author():
    head = (ld({"@type": "NewsArticle", "author": {"@type": "NewsMediaOrganization",
                                                   "name": "Coast Herald"}})
            + '<meta property="og:site_name" content="Coast Herald">')
    assert extract(page(head)).authors == []


@pytest.mark.parametrize("name", ["jo@herald.example", "12345678", "admin",
                                  "https://herald.example/author/jo"])
def test_no_emails_ids_accounts_or_urls(name):
    assert extract(page(f'<meta name="author" content="{name}">')).authors == []


def test_wordpress_byline_split_and_credentials_dropped():
    html = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{TITLE}</title><meta name="generator" content="WordPress 6.4"></head>
<body class="single single-post postid-9"><article class="post-9 post type-post hentry">
<h1 class="entry-title">{TITLE}</h1><span class="author vcard"><a href="/author/jo">Jo Reed
and Sam Lee, MS</a></span><div class="entry-content">{BODY}</div></article></body></html>"""
    article = extract_article(html, "https://coast.example/2024/05/wall/")
    assert article.extractor == "wordpress"
    assert article.authors == ["Jo Reed", "Sam Lee"]


# --- titles -------------------------------------------------------------------------------
@pytest.mark.parametrize("html_title", [
    f"{TITLE} | The Coast Herald",
    f"{TITLE} - The Coast Herald",
    f"{TITLE} | World | News | Coast Herald",
    f"The Coast Herald: {TITLE}",
])
def test_title_without_site_suffix_when_there_is_no_h1(html_title):
    html = page('<meta property="og:site_name" content="The Coast Herald">',
                html_title=html_title, h1="").replace("<h1></h1>", "")
    assert extract(html).title == TITLE


def test_title_without_a_suffix_the_site_is_known_by_its_host():
    html = page(html_title=f"{TITLE} - Herald.example", h1="").replace("<h1></h1>", "")
    assert extract(html).title == TITLE


def test_site_suffix_known_from_og_site_name():
    html = page('<meta property="og:site_name" content="Herald Online">'
                f'<meta property="og:title" content="{TITLE} :: Herald Online">',
                h1="").replace("<h1></h1>", "")
    assert extract(html).title == TITLE


def test_declared_headline_preferred_over_an_h1_with_a_kicker():
    html = page(f'<meta property="og:title" content="{TITLE}">', h1=f"LIVE: {TITLE}")
    assert extract(html).title == TITLE


def test_h1_preferred_over_a_declared_title_with_a_section_label():
    html = page(f'<meta property="og:title" content="Opinion | {TITLE}">')
    assert extract(html).title == TITLE


def test_h1_preferred_over_a_declared_headline_cut_to_length():
    long_title = TITLE + " after three winters of storms breached it in three places"
    html = page(ld({"@type": "NewsArticle", "headline": long_title[:60]}), h1=long_title)
    assert extract(html).title == long_title


def test_h1_that_is_the_site_logo_is_not_the_title():
    html = page(f'<meta property="og:title" content="{TITLE}">', h1="The Coast Herald",
                html_title=f"{TITLE} | The Coast Herald")
    assert extract(html).title == TITLE
