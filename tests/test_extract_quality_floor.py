"""The quality gate: bench/extract_quality.py's figures for our cleaner, in
both modes, on the 95 pages of ../shared/data/article-extraction-benchmark,
each held above a floor a clear margin below what issue 12 reached, so that
a real regression fails and the drift of a dependency (trafilatura, lxml,
htmldate) does not. Reached at the close of issue 12 (generic / auto):

    body F1 0.982 / 0.982, precision 0.976 / 0.975, recall 0.987 / 0.989,
    exact 0.45 / 0.44, real articles rejected 0 / 0,
    non-articles taken for articles 1 of 23 / 1 of 23,
    title P 1.00 R 1.00, authors P 1.00 R 0.98 / 0.97, dates P 1.00 R 1.00.

About 10 seconds. Skipped, with a message, where ../shared is absent; under
CI=true (CI has ../shared) that fails instead.
"""

from __future__ import annotations

import os

import pytest

from tests.conftest import SHARED

DATA = SHARED / "data" / "article-extraction-benchmark"
pytestmark = pytest.mark.slow  # about 10 s


BODY_FLOORS = {"f1": 0.965, "precision": 0.955, "recall": 0.965, "accuracy": 0.38}
METADATA_FLOORS = {
    "title_precision": 0.93, "title_recall": 0.93,
    "author_precision": 0.92, "author_recall": 0.90,
    "date_precision": 0.95, "date_recall": 0.93,
}
MAX_REJECTED = 1  # real articles refused (0 at the close of issue 12)
MAX_ACCEPTED_NON_ARTICLES = 3  # of the 23 listing, search, hub, attachment and 404 pages


@pytest.fixture(scope="module")
def figures():
    if not (DATA / "ground-truth.json").exists():
        message = f"no benchmark pages at {DATA} (../shared is laid beside the checkout)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must have them: {message}")
        pytest.skip(message)
    from bench.extract_quality import evaluate, ours

    return evaluate({mode: ours(mode) for mode in ("generic", "auto")}, DATA)


@pytest.mark.parametrize("mode", ["generic", "auto"])
def test_body_quality_floor(figures, mode):
    got = figures[mode]
    low = {name: round(got[name], 4) for name, floor in BODY_FLOORS.items() if got[name] < floor}
    assert not low, f"{mode}: body figures under their floors {BODY_FLOORS}: {low}"


@pytest.mark.parametrize("mode", ["generic", "auto"])
def test_real_articles_are_not_rejected(figures, mode):
    got = figures[mode]
    assert got["rejected"] <= MAX_REJECTED, f"{mode} rejected: {got['rejections']}"


@pytest.mark.parametrize("mode", ["generic", "auto"])
def test_metadata_floor(figures, mode):
    metadata = figures[mode]["metadata"]
    assert metadata["pages"] == 95, "bench/data/metadata-truth.json covers every page"
    low = {name: round(metadata[name], 4) for name, floor in METADATA_FLOORS.items()
           if metadata[name] < floor}
    assert not low, (f"{mode}: metadata under its floors {METADATA_FLOORS}: {low}; "
                     f"misses: {metadata['misses']}")


@pytest.mark.parametrize("mode", ["generic", "auto"])
def test_non_articles_are_refused(figures, mode):
    got = figures[mode]
    assert got["false_acceptances"] <= MAX_ACCEPTED_NON_ARTICLES, got["accepted_non_articles"]
