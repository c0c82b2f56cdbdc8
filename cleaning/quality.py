"""The quality gate between the cleaner and the store: what a cleaned page
must be to be stored as an article. Applied by `clean_page`, so the crawl,
re-extraction and imports gate alike."""

from __future__ import annotations

import re

from .models import Article

# Text that only page chrome carries; in a body it means the cleaner leaked.
LEAK_MARKERS = ("Select Page", "Share this:", "Submit a Comment", "Older Entries",
                "Next Entries", "Leave a Reply", "Your email address will not be published")
MIN_WORDS = 15
# What text decoded with the wrong charset looks like: UTF-8 read as a Latin
# code page (a lead byte then a continuation byte: "Ã©", "â€™", "Ð¿", "Ä\x85"),
# half-width katakana from a Cyrillic page read as a Japanese code page,
# U+FFFD for bytes nothing decoded.
_CONTINUATION = ("\u0080-\u00bf"  # a UTF-8 continuation byte read as Latin-1, or as cp1252:
                 "\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013"
                 "\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122")
_MOJIBAKE_RE = re.compile(f"[\u00c2-\u00f4][{_CONTINUATION}]|[\uff61-\uff9f]|\ufffd")
MOJIBAKE_SHARE = 0.02  # of the body's letters: real text has none of these pairs


def gate(article: Article) -> tuple[str, str] | None:
    """None for a storable article, else (reason, detail)."""
    if not article.body.strip():
        return "empty_body", "the cleaner found no text"
    for marker in LEAK_MARKERS:
        if marker in article.body:
            return "boilerplate_leaked", f"body contains {marker!r}"
    if article.word_count < MIN_WORDS:
        return "too_short", f"{article.word_count} words"
    if not article.title:
        return "no_title", "no headline found"
    letters = sum(map(str.isalpha, article.body)) or 1
    garbled = len(_MOJIBAKE_RE.findall(article.body))
    if garbled / letters > MOJIBAKE_SHARE:
        return "wrong_charset", (f"{garbled} character sequences of text decoded with the "
                                 "wrong charset")
    return None
