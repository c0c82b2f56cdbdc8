"""Removing what is never article text from a content element."""

from __future__ import annotations

from bs4 import Tag

# Elements that hold no reader-visible article text.
NON_TEXT_TAGS = (
    "script", "style", "noscript", "template", "iframe", "object", "embed", "form",
    "button", "input", "select", "textarea", "svg", "canvas", "link", "meta", "map",
    "audio", "video", "picture", "source",
)

# Plugin and theme blocks that sit inside or right after the content of a post:
# sharing (Jetpack, AddToAny, Divi), related posts, comments, ads, hidden text.
IN_CONTENT_BOILERPLATE = ", ".join((
    ".sharedaddy", ".sd-sharing-enabled", ".sd-like", ".jetpack-likes-widget-wrapper",
    "#jp-relatedposts", ".jp-relatedposts", ".yarpp-related", ".related-posts",
    ".crp_related", ".addtoany_share_save_container", ".a2a_kit", ".et_social_inline",
    ".social-share", ".share-buttons", ".sharing", "#comments", ".comments-area",
    "#comment-wrap", ".comment-respond", ".screen-reader-text", ".sr-only",
    "ins.adsbygoogle", ".wp-block-embed", ".twitter-tweet", ".instagram-media",
    ".post-navigation", ".nav-links", ".navigation", ".wp-block-buttons",
))


def remove_all(root: Tag, selector: str) -> int:
    removed = 0
    for element in root.select(selector):
        if not element.decomposed:
            element.decompose()
            removed += 1
    return removed


def strip_non_text(root: Tag) -> None:
    for element in root.find_all(NON_TEXT_TAGS):
        if not element.decomposed:
            element.decompose()


def strip_in_content_boilerplate(content: Tag) -> None:
    strip_non_text(content)
    remove_all(content, IN_CONTENT_BOILERPLATE)
    for element in content.find_all(hidden=True):
        if not element.decomposed:
            element.decompose()
