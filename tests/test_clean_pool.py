"""The cleaning pool: a page over its time budget is quarantined as
`cleaner_timeout` and its worker replaced; a worker that dies costs only its
page (archived, retried next run); the pool goes on with the next pages."""

from __future__ import annotations

import asyncio

import pytest

from ingest.clean_pool import CleaningPool
from replica.large import LargeSite
from storage.warc import RawPage
from tests.pool_tasks import dies_on_fatal_pages, stalls_on_slow_pages

pytestmark = pytest.mark.integration
SITE = LargeSite(3)


def page(index: int, marker: str = "") -> RawPage:
    return RawPage(url=f"http://h{SITE.path(index)}{marker}", status=200, headers=[],
                   body=SITE.article(index, "http://h").encode())


def clean_all(pool: CleaningPool, pages: list[RawPage]) -> list:
    async def run() -> list:
        return [await pool.archive_and_clean(p, [], "aawsat") for p in pages]

    try:
        return asyncio.run(run())
    finally:
        pool.close()


def test_a_page_over_its_budget_is_quarantined_and_the_next_pages_are_cleaned():
    pool = CleaningPool(workers=1, in_thread_first=0, budget_s=2, task=stalls_on_slow_pages)
    results = clean_all(pool, [page(0), page(1, "-slow"), page(2)])
    (_, first), (records, slow), (_, third) = results
    assert first.article is not None and third.article is not None
    assert slow.problem == "cleaner_timeout" and not slow.transient
    assert records.startswith(b"\x1f\x8b")  # archived all the same


def test_a_dead_worker_costs_only_its_page():
    pool = CleaningPool(workers=1, in_thread_first=0, task=dies_on_fatal_pages)
    results = clean_all(pool, [page(0), page(1, "-fatal"), page(2)])
    (_, first), (records, crashed), (_, third) = results
    assert first.article is not None and third.article is not None
    assert crashed.problem == "cleaner_crashed" and crashed.transient
    assert records.startswith(b"\x1f\x8b")  # nothing lost: retried next run from the web
