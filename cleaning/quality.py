"""The quality gate between the cleaner and the store: what a cleaned page
must be to be stored as an article. Applied by `clean_page`, so the crawl,
re-extraction and imports gate alike."""

from __future__ import annotations

from .models import Article

# Text that only page chrome carries; in a body it means the cleaner leaked.
LEAK_MARKERS = ("Select Page", "Share this:", "Submit a Comment", "Older Entries",
                "Next Entries", "Leave a Reply", "Your email address will not be published")
MIN_WORDS = 15


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
    return None
