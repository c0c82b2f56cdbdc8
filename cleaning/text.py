"""Text normalisation shared by every profile.

The body contract: one block per paragraph, blocks joined by exactly one blank
line, every run of whitespace inside a block folded to one space. Typography
(curly quotes, dashes, accents) is kept as published.
"""

from __future__ import annotations

import html
import re

# Python's \s covers NBSP, thin spaces and the other Unicode spaces; zero-width
# characters are not whitespace to Python but are invisible noise in text.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_WHITESPACE_RE = re.compile(r"\s+")

# 2005-06 imports carry entities the parser left alone, e.g. "&#34" with no
# semicolon. Only numeric and a few typographic names: "AT&T" must survive.
_BROKEN_ENTITY_RE = re.compile(
    r"&(?:#\d{2,5}|#x[0-9a-fA-F]{2,4}|quot|amp|nbsp|rsquo|lsquo|rdquo|ldquo|mdash|ndash|hellip);?"
)

# WordPress shortcodes left in the text by imports: "[inset_left]", "[/caption]",
# "[gallery ids="1,2"]". Editorial brackets such as "[sic]" or "[the army]" are
# not shortcodes: a shortcode has an underscore, attributes, a closing slash,
# or is one of WordPress's own names.
_KNOWN_SHORTCODES = (
    "caption|gallery|embed|audio|video|playlist|wp_caption|inset|pullquote|"
    "quote|youtube|vimeo|tweet|twitter|googlemaps|contact-form|contact-form-7|"
    "et_pb_[a-z_]+|vc_[a-z_]+"
)
# A shortcode's content that is never article text: a caption (recorded
# apart), a button's label ("[button link=...]Send us your review[/button]").
_CAPTION_SHORTCODE_RE = re.compile(
    r"\[(caption|wp_caption|button|btn)\b[^\]]*\].*?\[/\1\]", re.S | re.I)
_SHORTCODE_RE = re.compile(
    r"\[/?(?:[a-z]+_[a-z0-9_]+|(?:" + _KNOWN_SHORTCODES + r"))(?:\s[^\[\]]*)?/?\]"
    r"|\[[a-z][\w-]*\s+[a-z_-]+=(?:\"[^\"]*\"|'[^']*'|\S+)[^\[\]]*\]"
    # A closing tag of one word ("[/button]", "[/su_box]"): editors' brackets never open with "/".
    r"|\[/[a-z][a-z0-9_-]*\]",
    re.I,
)


def fold_whitespace(text: str) -> str:
    """Every run of whitespace (NBSP included) becomes one space; ends trimmed."""
    text = _INVISIBLE_RE.sub("", text)
    return _WHITESPACE_RE.sub(" ", text).strip()


def repair_entities(text: str) -> str:
    if "&" not in text:
        return text
    return _BROKEN_ENTITY_RE.sub(lambda m: html.unescape(m.group(0).rstrip(";") + ";"), text)


def strip_shortcodes(text: str) -> str:
    if "[" not in text:
        return text
    text = _CAPTION_SHORTCODE_RE.sub(" ", text)
    return _SHORTCODE_RE.sub(" ", text)


def clean_block(text: str) -> str:
    """One block of body text in its stored form."""
    return fold_whitespace(strip_shortcodes(repair_entities(text)))


def clean_inline(text: str | None) -> str:
    """A short field (title, caption, name): entities repaired, whitespace folded."""
    if not text:
        return ""
    return fold_whitespace(repair_entities(text))
