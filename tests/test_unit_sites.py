"""How a site is walked (sites/sources.py and the site modules), on responses
built by hand: which URLs are articles, which links of a listing are taken or
refused, where the next listing page is, which sections a page names."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse

from replica.divi import Post, listing_page
from sites import CrawlSources as CrawlSite
from sites import Term, get_site, recognise
from sites.catalog.aawsat import AawsatSources as AawsatSite

ARCHIVE = "https://eng-archive.aawsat.com"
BLOG = "https://news.example.org"


def html(url: str, body: str) -> HtmlResponse:
    return HtmlResponse(url=url, body=body.encode(), encoding="utf-8")


def post(slug: str, category: str = "opinion", author: str = "theaawsat") -> Post:
    return Post(slug=slug, title=slug.replace("-", " ").title(), body_html="<p>x</p>",
                author_slug=author, category_slug=category)


# --- which sites --------------------------------------------------------------------------
@pytest.mark.parametrize("site, base, expected", [
    ("aawsat", "http://127.0.0.1:8765", AawsatSite),
    ("wordpress", "https://eng-archive.aawsat.com", CrawlSite),
])
def test_each_site_module_declares_its_crawl_sources(site, base, expected):
    chosen = get_site(site).crawl_sources(base)
    assert type(chosen) is expected
    assert chosen.host == base.split("//")[1].split(":")[0].rstrip("/")


@pytest.mark.parametrize("base, markup, expected", [
    ("https://eng-archive.aawsat.com", "<html></html>", "aawsat"),
    ("https://www.aawsat.com/", "<html></html>", "aawsat"),  # any host under aawsat.com
    # A copy under another host: Divi's post markup and the site's name.
    ("http://127.0.0.1:8765", '<title>x | ASHARQ AL-AWSAT English Archive</title>'
     '<article class="et_pb_post">', "aawsat"),
    ("https://news.example.org", '<link href="/wp-content/themes/x.css">', "wordpress"),
    ("https://aawsat.com.example.org", "<html></html>", "generic"),
])
def test_auto_recognises_a_site_by_host_or_markup(base, markup, expected):
    assert recognise(base + "/", markup).name == expected


def test_a_site_is_its_hosts_and_port_exactly():
    sources = get_site("aawsat").crawl_sources("http://127.0.0.1:8765")
    assert sources.on_site("http://127.0.0.1:8765/a/b/c")
    assert sources.on_site("https://english.aawsat.com/a/b/c")  # a host the module declares
    assert not sources.on_site("http://127.0.0.1:8766/a/b/c")  # another port
    assert not sources.on_site("http://internal.127.0.0.1:8765/")


def test_listing_urls_page_one_has_no_page_suffix():
    site = CrawlSite(BLOG + "/")
    assert site.base_url == BLOG
    assert site.listing_url("category", "world") == BLOG + "/category/world"
    assert site.listing_url("tag", "budget", 3) == BLOG + "/tag/budget/page/3"
    assert site.listing_url("", "", 2) == BLOG + "/page/2"  # the home page's own pages


# --- which URLs are articles --------------------------------------------------------------
@pytest.mark.parametrize("url", [
    BLOG + "/2023/05/harbour-reopens-after-storm/",
    BLOG + "/harbour-reopens-after-storm",
    "http://news.example.org/2023/05/harbour/",  # either scheme
    BLOG + "/2023/05/story?lang=en",  # a query that names no WordPress page
])
def test_wordpress_article_urls(url):
    assert CrawlSite(BLOG).is_article_url(url)


@pytest.mark.parametrize("url, why", [
    (BLOG + "/", "the home page"),
    (BLOG, "the home page"),
    (BLOG + "/category/world/", "a category listing"),
    (BLOG + "/tag/budget", "a tag listing"),
    (BLOG + "/author/mholt/", "an author listing"),
    (BLOG + "/page/2/", "a page of the home listing"),
    (BLOG + "/feed/", "the feed"),
    (BLOG + "/2023/05/story/feed/", "a post's comment feed"),
    (BLOG + "/2023/05/story/attachment/photo/", "an attachment page"),
    (BLOG + "/wp-admin/post.php", "the admin"),
    (BLOG + "/wp-login.php", "the login"),
    (BLOG + "/wp-json/wp/v2/posts", "the REST API"),
    (BLOG + "/wp-content/uploads/2023/05/a.jpg", "an upload"),
    (BLOG + "/xmlrpc.php", "XML-RPC"),
    (BLOG + "/2023/05/story/feed", "a comment feed in canonical form"),
    (BLOG + "/?s=harbour", "a search"),
    (BLOG + "/?p=123", "a post by number (its canonical URL is the pretty one)"),
    (BLOG + "/2023/05/story/?replytocom=4", "a reply link"),
    (BLOG + "/?attachment_id=31", "an attachment by number"),
    (BLOG + "/wp-sitemap.xml", "a sitemap"),
    (BLOG + "/files/report.pdf", "a document"),
    (BLOG + "/photos/harbour.JPG".lower(), "an image"),
    ("https://elsewhere.example.org/2023/05/story/", "another host"),
    ("https://sub.news.example.org/2023/05/story/", "a sub-domain is another host"),
    ("ftp://news.example.org/2023/05/story", "another scheme"),
    ("file:///etc/passwd", "a local file"),
    ("javascript:alert(1)", "a script"),
])
def test_not_article_urls(url, why):
    assert not CrawlSite(BLOG).is_article_url(url), why


@pytest.mark.parametrize("path, is_article", [
    ("/theaawsat/news-middle-east/syria-assad-troops-advance-in-homs", True),
    ("/theaawsat/news-middle-east/syria-assad-troops-advance-in-homs/", True),
    ("/asharq-al-awsat/opinion/a-column?share=twitter", True),  # a share link of an article
    ("/theaawsat/news-middle-east", False),  # two segments: not a post
    ("/theaawsat/news-middle-east/story/attachment-page", False),  # four
    ("/category/news-middle-east/page/2", False),  # listing, and four segments
    ("/category/opinion/x", False),  # three segments, but a listing path
    ("/author/theaawsat/opinion", False),
    ("/theaawsat/opinion/feed", False),
])
def test_archive_articles_are_author_category_slug(path, is_article):
    assert AawsatSite(ARCHIVE).is_article_url(ARCHIVE + path) is is_article


# --- links of a listing -------------------------------------------------------------------
def test_archive_listing_links_in_page_order_once_each():
    posts = [post("first-story"), post("second-story", "world-news"), post("first-story")]
    page = listing_page("Opinion", posts, older=None, newer=None, base=ARCHIVE)
    links, refused = AawsatSite(ARCHIVE).article_links(html(ARCHIVE + "/category/opinion", page))
    assert links == [ARCHIVE + "/theaawsat/opinion/first-story",
                     ARCHIVE + "/theaawsat/world-news/second-story"]
    assert refused == 0


def test_archive_listing_reads_only_post_titles():
    """Author links, the header's menu and the footer are no article links."""
    page = listing_page("Opinion", [post("a-story")], older=None, newer=None, base=ARCHIVE)
    page = page.replace("</body>", '<h2 class="entry-title"><a href="/theaawsat/opinion/'
                                   'outside-article">not a post entry</a></h2></body>')
    links, _ = AawsatSite(ARCHIVE).article_links(html(ARCHIVE + "/category/opinion", page))
    assert links == [ARCHIVE + "/theaawsat/opinion/a-story"]


def test_links_off_the_site_or_to_other_schemes_are_refused_and_counted():
    entries = "".join(
        f'<article class="et_pb_post"><h2 class="entry-title"><a href="{href}">x</a></h2>'
        "</article>" for href in [
            "/theaawsat/opinion/relative-story",  # relative: joined to the page's URL
            "https://EVIL.example.com/theaawsat/opinion/phishing",
            "file:///etc/passwd",
            "ftp://eng-archive.aawsat.com/theaawsat/opinion/x",
            "javascript:alert(1)",
            "/category/opinion/page/2",  # on the site, but no article: neither taken nor refused
            "  https://eng-archive.aawsat.com/theaawsat/opinion/spaced-story?share=facebook#c ",
        ])
    response = html(ARCHIVE + "/category/opinion", f"<html><body>{entries}</body></html>")
    links, refused = AawsatSite(ARCHIVE).article_links(response)
    assert links == [ARCHIVE + "/theaawsat/opinion/relative-story",
                     ARCHIVE + "/theaawsat/opinion/spaced-story"]  # in canonical form
    assert refused == 4


@pytest.mark.parametrize("markup", [
    '<article><h2 class="entry-title"><a href="{url}">T</a></h2></article>',  # classic themes
    '<h1 class="entry-title"><a href="{url}">T</a></h1>',
    '<h2 class="wp-block-post-title"><a href="{url}">T</a></h2>',  # block themes
    '<article><header><a rel="bookmark" href="{url}">T</a></header></article>',
])
def test_wordpress_listing_markups(markup):
    url = BLOG + "/2023/05/harbour-reopens-after-storm/"
    page = "<html><body>" + markup.format(url=url) + \
        '<a href="/2023/05/not-in-a-title/">sidebar</a></body></html>'
    links, refused = CrawlSite(BLOG).article_links(html(BLOG + "/category/local-news/", page))
    assert links == [BLOG + "/2023/05/harbour-reopens-after-storm"] and refused == 0


# --- the next listing page ----------------------------------------------------------------
def test_archive_older_entries_is_the_next_page():
    page = listing_page("Opinion", [post("a")], older=ARCHIVE + "/category/opinion/page/3",
                        newer=ARCHIVE + "/category/opinion", base=ARCHIVE)
    response = html(ARCHIVE + "/category/opinion/page/2", page)
    assert AawsatSite(ARCHIVE).next_page(response) == ARCHIVE + "/category/opinion/page/3"


def test_archive_last_page_has_no_next_page_even_with_newer_entries():
    page = listing_page("Opinion", [post("a")], older=None,
                        newer=ARCHIVE + "/category/opinion/page/5", base=ARCHIVE)
    assert AawsatSite(ARCHIVE).next_page(html(ARCHIVE + "/category/opinion/page/6", page)) \
        is None


@pytest.mark.parametrize("markup", [
    '<div class="pagination"><div class="alignleft"><a href="{href}">Older</a></div></div>',
    '<nav><a class="next page-numbers" href="{href}">Next</a></nav>',
    '<div class="nav-previous"><a href="{href}">Older posts</a></div>',
    '<a class="wp-block-query-pagination-next" href="{href}">Next Page</a>',
])
def test_wordpress_pagination_markups_relative_links_joined(markup):
    response = html(BLOG + "/category/world/", "<html><body>"
                    + markup.format(href="page/2/") + "</body></html>")
    assert CrawlSite(BLOG).next_page(response) == BLOG + "/category/world/page/2/"


def test_the_archive_follows_only_divi_pagination():
    response = html(ARCHIVE + "/category/opinion", '<html><body><a class="next page-numbers" '
                    'href="/category/opinion/page/2">Next</a></body></html>')
    assert AawsatSite(ARCHIVE).next_page(response) is None
    assert CrawlSite(ARCHIVE).next_page(response) == ARCHIVE + "/category/opinion/page/2"


# --- sections, tags and authors a page names ---------------------------------------------
def test_the_terms_of_a_home_page_in_order_once_each():
    links = ["/category/local-news/", BLOG + "/category/world", "/category/world/page/2",
             "/category/local-news/harbours/", "/category/", "/tag/budget/",
             "/2023/05/category-of-its-own/", "/news/category/misplaced/",
             "https://other.example/category/theirs/"]
    page = "<html><body>" + "".join(f'<a href="{href}">x</a>' for href in links) + \
        "</body></html>"
    assert [(t.kind, t.slug) for t in CrawlSite(BLOG).terms(html(BLOG + "/", page), True)] == [
        ("category", "local-news"), ("category", "world"), ("category", "local-news/harbours"),
        ("tag", "budget")]


def test_terms_are_named_by_their_links_text_never_by_a_later_pages_link():
    page = ('<html><body><p class="post-meta">by <a href="/author/hamzamustafa" rel="author">'
            'Hamza Mustafa</a> | <a href="/category/news-middle-east" rel="category tag">'
            'Middle  East</a></p><div class="pagination"><a href="/category/features/page/2">'
            '&laquo; Older Entries</a></div><nav><a href="/category/features">Features</a>'
            '<a href="/category/opinion"><img src="x.png"></a></nav></body></html>')
    assert CrawlSite(BLOG).terms(html(BLOG + "/x/y/z", page)) == [
        Term("author", "hamzamustafa", "Hamza Mustafa"),
        Term("category", "news-middle-east", "Middle East"),
        Term("category", "features", "Features"), Term("category", "opinion", None)]


@pytest.mark.parametrize("href", [
    "/category/news-middle-east", "category/local-news/harbours/", "/tag/caf&amp;e/",
    "/author/hamzamustafa/page/3", "http://127.0.0.1:8080/category/world/?ref=menu",
    "/news/category/misplaced/"])
def test_the_scan_without_a_parse_mentions_every_term_a_parse_finds(href):
    """`mentioned_terms` is the spider's reason not to parse an article page
    for terms: it must never miss one `terms` finds (more costs a parse only)."""
    page = f'<html><body><p class="post-meta"><a href="{href}">Some Name</a></p></body></html>'
    sources = CrawlSite(BLOG)
    for url in (BLOG + "/x/y/z", BLOG + "/"):
        parsed = {(t.kind, t.slug) for t in sources.terms(html(url, page), True)}
        mentioned = sources.mentioned_terms(page)
        assert mentioned is None or parsed <= mentioned
    assert sources.mentioned_terms('<a href="/tag/x">X</a><p>/categoryx/y</p>') == {("tag", "x")}
    assert sources.mentioned_terms('<a href="category/x">X</a>') is None  # parse it


def test_a_generic_site_is_its_host_and_its_www_twin_only():
    sources = get_site("generic").crawl_sources("https://news.example.org")
    assert sources.on_site("https://www.news.example.org/2023/a-story")
    assert not sources.on_site("https://cdn.news.example.org/a.jpg")
    assert not sources.on_site("https://www.news.example.org:8443/a")  # another port
    assert get_site("generic").crawl_sources("http://127.0.0.1:8080").hosts == {"127.0.0.1"}
    assert not get_site("wordpress").crawl_sources("https://news.example.org").on_site(
        "https://www.news.example.org/a")  # a WordPress site is its host exactly


def test_the_sites_file_timezone_and_language_reach_the_parser():
    """A date printed without its offset is read in the sites file's timezone;
    a page that declares no language takes the sites file's."""
    from sites import Reading, extract_article

    page = ("<html><head><title>Ferry strike ends</title></head><body><article>"
            "<h1>Ferry strike ends</h1><p class='byline'>By Ana Reis, 14 March 2017 18:30</p>"
            + "".join(f"<p>The ferry crews went back to work on the morning shift after "
                      f"talks that lasted {n} hours, the union said in a statement.</p>"
                      for n in range(8)) + "</article></body></html>")
    url = "https://coastal.example/2017/03/14/ferry-strike-ends"
    plain = extract_article(page, url, "generic")
    local = extract_article(page, url, Reading("generic", "America/Sao_Paulo", "pt"))
    assert plain.published is not None and local.published is not None
    assert plain.published.utcoffset().total_seconds() == 0
    assert local.published.utcoffset().total_seconds() == -3 * 3600
    assert (plain.language, local.language) == (None, "pt")


def test_a_page_that_declares_no_language_takes_its_site_modules():
    """The sites file's language first, else the site module's (the archive
    is in English), else none: never a guess."""
    from sites import Reading, extract_article
    from tests.conftest import SEED_URL, page_bytes

    page = page_bytes("syria-assad-troops-advance-in-homs.html") \
        .replace(b' lang="en-US"', b"").replace(b'og:locale" content="en_US"', b'og:x" content=""')
    assert extract_article(page, SEED_URL, "aawsat").language == "en"
    assert extract_article(page, SEED_URL, Reading("aawsat", language="ar")).language == "ar"
    assert extract_article(page, SEED_URL, "generic").language is None
    assert extract_article(page, SEED_URL).language == "en"  # auto, on the archive's host
    # The Arabic paper's host is no host of the English archive's: no language taken.
    sister = "https://www.aawsat.com/home/article/1/a-story"
    assert extract_article(page, sister).language is None


@pytest.mark.parametrize(("path", "listing"), [
    ("/", True), ("/page/2/", True), ("/2017/05/", True), ("/2017/05/page/3", True),
    ("/category/news-middle-east/", True), ("/tag/yemen/page/2", True),
    ("/author/hamzamustafa/", True), ("/?p=123", False),
    ("/theaawsat/news-middle-east/talks-resume", False), ("/2017/05/talks-resume", False),
])
def test_listing_urls_are_told_by_their_shape(path, listing):
    sources = get_site("wordpress").crawl_sources("https://news.example")
    assert sources.is_listing_url("https://news.example" + path) is listing
