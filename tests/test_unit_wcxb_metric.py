"""WCXB's word F1 as bench/wcxb_quality.py computes it, and its metadata rules."""

from __future__ import annotations

import pytest

from bench.wcxb_quality import author_right, date_right, title_right, word_f1


def test_the_same_words_in_another_case_and_punctuation_score_one():
    assert word_f1("The cat, the HAT.", "the cat the hat") == (1.0, 1.0, 1.0)


def test_words_count_as_multisets():
    precision, recall, f1 = word_f1("the the the cat", "the cat")
    assert (precision, recall) == (0.5, 1.0)
    assert f1 == pytest.approx(2 / 3)


def test_an_empty_extraction_of_a_page_with_content_scores_zero():
    assert word_f1("", "some content") == (0.0, 0.0, 0.0)
    assert word_f1("", "") == (1.0, 1.0, 1.0)  # nothing to find, nothing found


def test_disjoint_words_score_zero():
    assert word_f1("alpha beta", "gamma delta")[2] == 0.0


def test_metadata_rules():
    assert title_right("Budget: the vote!", "budget the vote")
    assert not title_right("Budget", "budget the vote") and not title_right("x", None)
    assert author_right("Jane Doe, John Roe", "Jane Doe")
    assert not author_right("Jane", "Jane Doe") and not author_right(None, "Jane Doe")
    assert date_right("2025-09-04T10:00:00", "2025-09-04")
    assert not date_right("2025-09-05", "2025-09-04") and not date_right(None, "2025-09-04")
