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
# apart), a button's label ("[button link=...]Send us your review[/button]"):
# from "[caption ...]" to its "[/caption]" (strip_content_shortcodes).
_CONTENT_SHORTCODE_OPEN_RE = re.compile(r"\[(caption|wp_caption|button|btn)\b", re.I)
_CONTENT_SHORTCODE_CLOSE_RE = {
    name: re.compile(rf"\[/{name}\]", re.I) for name in ("caption", "wp_caption", "button", "btn")
}
# An attribute's value runs to the shortcode's "]": `\S+[^\[\]]*\]` read it
# with two overlapping loops (quadratic on a long word); `(?>\S+)[^\[\]]*\]`
# then `\S+\]` are the same two readings in the same order, each linear.
_SHORTCODE_RE = re.compile(
    r"\[/?(?:[a-z]+_[a-z0-9_]+|(?:" + _KNOWN_SHORTCODES + r"))(?:\s[^\[\]]*)?/?\]"
    r"|\[[a-z][\w-]*\s+[a-z_-]+=(?:\"[^\"]*\"[^\[\]]*\]|'[^']*'[^\[\]]*\]|(?>\S+)[^\[\]]*\]"
    r"|\S+\])"
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


def strip_content_shortcodes(text: str) -> str:
    """Each "[caption ...]...[/caption]" (and wp_caption, button, btn) cut to
    one space, as `re.sub(r"\\[(caption|...)\\b[^\\]]*\\].*?\\[/\\1\\]", " ", text,
    flags=re.S | re.I)` does, in linear time: that regex reads from every
    unclosed "[caption" to the end of the text. Here each search runs once:
    one that finds no closing tag finds none for a later opening either, and
    one that finds a closing tag found it for every opening up to it."""
    pieces: list[str] = []
    done = 0  # the text before this is written out or cut
    # name -> the closing tag (start, end) first found from a position, and that position
    closings: dict[str, tuple[int, int, int] | None] = {}
    for opening in _CONTENT_SHORTCODE_OPEN_RE.finditer(text):
        if opening.start() < done:
            continue  # inside a shortcode cut already
        bracket = text.find("]", opening.end())
        if bracket < 0:
            break  # no "]" after this opening, nor after any later one
        name = opening.group(1).lower()
        closing = closings.get(name, (0, -1, -1))
        if closing is None:
            continue  # none after an earlier position, so none after this one
        searched_from, found_at, found_end = closing
        if not searched_from <= bracket + 1 <= found_at:
            found = _CONTENT_SHORTCODE_CLOSE_RE[name].search(text, bracket + 1)
            closings[name] = None if found is None else (bracket + 1, found.start(), found.end())
            if found is None:
                continue
            found_end = found.end()
        pieces += [text[done:opening.start()], " "]
        done = found_end
    return "".join(pieces) + text[done:] if pieces else text


def strip_shortcodes(text: str) -> str:
    if "[" not in text:
        return text
    text = strip_content_shortcodes(text)
    return _SHORTCODE_RE.sub(" ", text)


def clean_block(text: str) -> str:
    """One block of body text in its stored form."""
    return fold_whitespace(strip_shortcodes(repair_entities(text)))


def clean_inline(text: str | None) -> str:
    """A short field (title, caption, name): entities repaired, whitespace folded."""
    if not text:
        return ""
    return fold_whitespace(repair_entities(text))
