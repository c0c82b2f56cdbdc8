"""Pages in the archive's real Divi markup (see ../shared/seed/ARCHIVE-SITE.md).

The offline replica is built from these templates; the texts are our own.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

BASE = "https://eng-archive.aawsat.com"
SUFFIX = " - ASHARQ AL-AWSAT English Archive"


@dataclass
class Post:
    slug: str
    title: str
    body_html: str
    author_slug: str = "theaawsat"
    author_name: str = "Asharq Al-Awsat"
    category_slug: str = "news-middle-east"
    category_name: str = "Middle East"
    date_text: str = "Apr 16, 2014"
    published_meta: str | None = None
    tags: list[str] = field(default_factory=list)
    show_header: bool = True  # h1 and the "by ... | date | category" line
    featured_src: str | None = None
    featured_alt: str = ""
    title_suffix: str = SUFFIX
    extra_head: str = ""

    @property
    def path(self) -> str:
        return f"/{self.author_slug}/{self.category_slug}/{self.slug}"


def _head(title: str, extra: str = "", base: str = BASE) -> str:
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8" />
<title>{html.escape(title)}</title>
<link rel='stylesheet' id='divi-style-css' href='{base}/wp-content/themes/Divi/style.css' type='text/css' media='all' />
<meta name="generator" content="WordPress 4.7.3" />
{extra}
</head>"""


def header(base: str = BASE) -> str:
    return f"""<div id="page-container">
<header id="main-header">
<div class="container clearfix et_menu_container">
<div class="logo_container"><a href="{base}/"><img src="{base}/wp-content/uploads/2017/10/logo.png" alt="Middle-east Arab News Opinion | Asharq Al-awsat" id="logo" /></a></div>
<div id="et-top-navigation">
<nav id="top-menu-nav"><ul id="top-menu" class="nav">
<li class="menu-item"><a href="{base}/category/news-middle-east">Middle East</a></li>
<li class="menu-item"><a href="{base}/category/world-news">World News</a></li>
<li class="menu-item"><a href="{base}/category/opinion">Opinion</a></li>
</ul></nav>
<div id="et_top_search"><span id="et_search_icon"></span></div>
<div id="et_mobile_nav_menu"><div class="mobile_nav closed"><span class="select_page">Select Page</span><span class="mobile_menu_bar mobile_menu_bar_toggle"></span></div></div>
</div>
</div>
</header>
<div id="et-main-area"><div id="main-content"><div class="container"><div id="content-area" class="clearfix">
<div id="left-area">"""


def footer(base: str = BASE) -> str:
    return f"""</div> <!-- #left-area -->
<div id="sidebar">
<div id="search-2" class="et_pb_widget widget_search"><form role="search" method="get" action="{base}/"><input type="text" name="s" /><input type="submit" value="Search" /></form></div>
<div id="recent-posts-2" class="et_pb_widget widget_recent_entries"><h4 class="widgettitle">Recent Posts</h4><ul><li><a href="{base}/theaawsat/world-news/un-envoy-meets-parties">UN envoy meets the parties in Geneva</a></li></ul></div>
</div>
</div></div></div>
<footer id="main-footer"><div id="footer-bottom"><div class="container clearfix"><p id="footer-info">Designed by <a href="http://www.elegantthemes.com">Elegant Themes</a> | Powered by <a href="http://www.wordpress.org">WordPress</a></p></div></div></footer>
</div></div>
</body>
</html>"""


SHARE_AND_RELATED = """<div class="sharedaddy sd-sharing-enabled"><div class="sd-block sd-social sd-sharing"><h3 class="sd-title">Share this:</h3><div class="sd-content"><ul><li><a class="share-twitter sd-button" href="?share=twitter"><span>Twitter</span></a></li><li><a class="share-jetpack-whatsapp sd-button" href="?share=jetpack-whatsapp"><span>WhatsApp</span></a></li></ul></div></div></div>
<div id='jp-relatedposts' class='jp-relatedposts'><h3 class="jp-relatedposts-headline"><em>Related</em></h3></div>"""

COMMENTS = """<div class="et_post_meta_wrapper"><section id="comment-wrap"><div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title"><span>Submit a Comment</span></h3><form id="commentform"><p class="comment-notes">Your email address will not be published.</p></form></div></section></div>"""


def article_page(post: Post, base: str = BASE) -> str:
    meta = f'<link rel="canonical" href="{base}{post.path}" />\n'
    meta += f'<meta property="og:title" content="{html.escape(post.title + post.title_suffix)}" />\n'
    if post.published_meta:
        meta += f'<meta property="article:published_time" content="{post.published_meta}" />\n'
    classes = " ".join(
        ["et_pb_post", "post", "type-post", "status-publish", "hentry",
         f"category-{post.category_slug}"] + [f"tag-{t}" for t in post.tags]
    )
    meta_line = ""
    if post.show_header:
        meta_line = (
            f'<h1 class="entry-title">{html.escape(post.title)}</h1>\n'
            f'<p class="post-meta"> by <span class="author vcard"><a href="{base}/author/{post.author_slug}" '
            f'title="Posts by {html.escape(post.author_name)}" rel="author">{html.escape(post.author_name)}</a></span>'
            f' | <span class="published">{post.date_text}</span> | '
            f'<a href="{base}/category/{post.category_slug}" rel="category tag">{html.escape(post.category_name)}</a></p>'
        )
    featured = ""
    if post.featured_src:
        featured = f'<img src="{post.featured_src}" alt="{html.escape(post.featured_alt)}" width="1080" height="675" />'
    return (
        _head(post.title + post.title_suffix, meta + post.extra_head, base)
        + '\n<body class="post-template-default single single-post et_divi_theme">\n'
        + header(base)
        + f'\n<article id="post-1" class="{classes}">\n<div class="et_post_meta_wrapper">\n{meta_line}\n{featured}\n</div>\n'
        + f'<div class="entry-content">\n{post.body_html}\n{SHARE_AND_RELATED}\n</div>\n'
        + COMMENTS + "\n</article>\n" + footer(base)
    )


def listing_page(title: str, posts: list[Post], older: str | None, newer: str | None,
                 base: str = BASE) -> str:
    entries = []
    for post in posts:
        entries.append(
            f'<article class="et_pb_post post type-post category-{post.category_slug}">'
            f'<h2 class="entry-title"><a href="{base}{post.path}">{html.escape(post.title)}</a></h2>'
            f'<p class="post-meta"> by <span class="author vcard"><a href="{base}/author/{post.author_slug}">'
            f'{html.escape(post.author_name)}</a></span> | <span class="published">{post.date_text}</span>'
            f' | <a href="{base}/category/{post.category_slug}" rel="category tag">'
            f'{html.escape(post.category_name)}</a></p>'
            f"<p>{html.escape(post.title)} and more of the story, in short, for the listing...</p></article>"
        )
    nav = '<div class="pagination clearfix">'
    if older:
        nav += f'<div class="alignleft"><a href="{older}">&laquo; Older Entries</a></div>'
    if newer:
        nav += f'<div class="alignright"><a href="{newer}">Next Entries &raquo;</a></div>'
    nav += "</div>"
    return (
        _head(f"{title} | ASHARQ AL-AWSAT English Archive 2005 -2017", base=base)
        + '\n<body class="archive category et_divi_theme">\n' + header(base) + "\n".join(entries)
        + nav + footer(base)
    )


def attachment_page(post: Post, image_slug: str, caption: str, base: str = BASE) -> str:
    return (
        _head(f"{image_slug}{SUFFIX}", base=base)
        + '\n<body class="attachment attachment-template-default single single-attachment et_divi_theme">\n'
        + header(base)
        + '<article class="et_pb_post post-9 attachment type-attachment"><div class="entry-content">'
        + f'<p class="attachment"><a href="{base}/wp-content/uploads/2014/04/{image_slug}.jpg">'
        + f'<img src="{base}/wp-content/uploads/2014/04/{image_slug}-300x187.jpg" /></a></p>'
        + f"<p>{html.escape(caption)}</p></div></article>" + footer(base)
    )
