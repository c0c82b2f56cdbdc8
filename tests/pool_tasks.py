"""Module-level tasks for the cleaning pool's tests (a spawned worker imports
them by name): a page that takes for ever, one that kills its worker."""

from __future__ import annotations

import os
import time

from cleaning.outcome import Cleaned
from spiders.clean_pool import archive_and_clean
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
