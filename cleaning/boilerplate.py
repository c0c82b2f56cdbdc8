"""Removing what is never article text from a content element.

One pass over the tree with set look-ups: CSS selectors through soupsieve
cost more than the parse itself on a large page.
"""

from __future__ import annotations

from bs4 import Tag

# Elements that hold no reader-visible article text.
NON_TEXT_TAGS = frozenset(
    "script style noscript template iframe object embed form button input select textarea "
    "svg canvas link meta map audio video picture source".split()
)

# Plugin and theme blocks that sit inside or right after the content of a post:
# sharing (Jetpack, AddToAny, Divi), related posts, comments, ads, hidden text.
BOILERPLATE_CLASSES = frozenset(
    "sharedaddy sd-sharing-enabled sd-like jetpack-likes-widget-wrapper jp-relatedposts "
    "yarpp-related related-posts crp_related addtoany_share_save_container a2a_kit "
    "et_social_inline social-share share-buttons sharing comments-area comment-respond "
    "screen-reader-text sr-only adsbygoogle wp-block-embed twitter-tweet instagram-media "
    "post-navigation nav-links wp-block-buttons".split()
)
BOILERPLATE_IDS = frozenset("jp-relatedposts comments comment-wrap respond".split())


def is_boilerplate(element: Tag) -> bool:
    if element.name in NON_TEXT_TAGS:
        return True
    attrs = element.attrs
    if not attrs:
        return False
    if "hidden" in attrs:
        return True
    classes = attrs.get("class")
    if classes and not BOILERPLATE_CLASSES.isdisjoint(classes):
        return True
    return attrs.get("id") in BOILERPLATE_IDS


def is_gone(element: Tag) -> bool:
    """Whether `element` was decomposed (as part of an ancestor, say).

    bs4's own `decomposed` property falls through `Tag.__getattr__` into a
    tree search on every call, which costs more than the parse on big pages.
    """
    return "_decomposed" in vars(element)


def strip_boilerplate(root: Tag, tags: list[Tag] | None = None) -> None:
    """Cut non-text elements and plugin blocks out of `root`, in one pass
    (over `tags`, every tag of `root` in document order, when given)."""
    for element in [e for e in (root.find_all(True) if tags is None else tags)
                    if is_boilerplate(e)]:
        if not is_gone(element):
            element.decompose()
