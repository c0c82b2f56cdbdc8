"""Module-level tasks for the cleaning pool's tests (a spawned worker imports
them by name): a page that takes for ever, one that kills its worker."""

from __future__ import annotations

import os
import time

from cleaning.outcome import Cleaned
from ingest.clean_pool import archive_and_clean
from ingest.reextract import Job, Result
from ingest.reextract import _clean as reextract_task
from sites import clean_page
from storage.warc import RawPage


def stalls_on_slow_pages(page: RawPage, request_headers: list[tuple[str, str]],
                         site: str) -> tuple[bytes, Cleaned]:
    if "slow" in page.url:
        time.sleep(600)  # a page built to stall the cleaner
    return archive_and_clean(page, request_headers, site)


def dies_on_fatal_pages(page: RawPage, request_headers: list[tuple[str, str]],
                        site: str) -> tuple[bytes, Cleaned]:
    if "fatal" in page.url:
        os._exit(9)  # a crash in C code, or the out-of-memory killer
    return archive_and_clean(page, request_headers, site)


def stalls_on_slow_jobs(job: Job) -> Result:
    """Re-extraction's task, stalling on a page whose URL says `slow`."""
    if "slow" in job.url:
        time.sleep(600)
    return reextract_task(job)


def stalls_on_slow_imports(job: tuple[bytes, str, str, str | None, object]) -> Cleaned:
    """The WARC import's task, stalling on a page whose URL says `slow`."""
    if "slow" in job[1]:
        time.sleep(600)
    return clean_page(*job)  # type: ignore[arg-type]
