"""The quality gate between the cleaner and the store (cleaning/quality.py):
each reason, on articles built by hand."""

from __future__ import annotations

import pytest

from cleaning.models import Article, count_words
from cleaning.quality import LEAK_MARKERS, MIN_WORDS, gate

TEXT = ("The talks resumed in Geneva on Monday after a pause of three weeks, and both "
        "delegations said they expected a long round.")


def article(body: str = TEXT, title: str = "Talks resume") -> Article:
    return Article(url="http://h/a/b/c", canonical_url="http://h/a/b/c", title=title,
                   body=body, word_count=count_words(body), extractor="aawsat")


def test_a_good_article_passes():
    assert count_words(TEXT) >= MIN_WORDS
    assert gate(article()) is None


@pytest.mark.parametrize("body", ["", "   ", "\n\n"])
def test_no_text_is_an_empty_body(body):
    assert gate(article(body))[0] == "empty_body"


@pytest.mark.parametrize("marker", LEAK_MARKERS)
def test_page_chrome_in_the_body_is_a_leak_named_in_the_detail(marker):
    problem = gate(article(TEXT + "\n\n" + marker))
    assert problem == ("boilerplate_leaked", f"body contains {marker!r}")


def test_the_word_limit():
    words = " ".join(f"word{n}" for n in range(MIN_WORDS))
    assert gate(article(words)) is None
    short = " ".join(f"word{n}" for n in range(MIN_WORDS - 1))
    assert gate(article(short)) == ("too_short", f"{MIN_WORDS - 1} words")


def test_no_title():
    assert gate(article(title=""))[0] == "no_title"


def test_the_first_reason_wins():
    # a leak in a short body without a title: the leak is what is wrong
    assert gate(article("Share this:", title=""))[0] == "boilerplate_leaked"
    assert gate(article("only four words here", title=""))[0] == "too_short"
