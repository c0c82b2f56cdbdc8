"""Cleaning off the reactor's thread: `extract_article` runs in worker
processes while Scrapy keeps fetching. Workers return a plain outcome, never
an exception, so nothing about a bad page has to survive pickling."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from cleaning import ExtractionError, NotAnArticle, extract_article
from cleaning.models import Article

from .lifetime import die_with_parent

LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"


@dataclass
class Cleaned:
    """An article, or why the page did not make one ("not_an_article" or
    "parse_error", with the cleaner's reason)."""

    article: Article | None = None
    problem: str | None = None
    detail: str = ""


def clean_page(body: bytes, url: str, site: str) -> Cleaned:
    try:
        return Cleaned(article=extract_article(body, url, site=site, fallback=True))
    except NotAnArticle as error:
        return Cleaned(problem="not_an_article", detail=error.reason)
    except ExtractionError as error:
        return Cleaned(problem="parse_error", detail=error.reason)


def _start_worker() -> None:
    # The cleaner's warnings (a fallback to generic, a future date) go to the
    # crawl's log like the parent's: the worker inherits its stderr.
    logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT)
    die_with_parent()


class CleanerPool:
    """`workers` processes, one per core by default (0: clean in the calling thread)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        # spawn, not fork: the crawl process holds a reactor, threads and sockets.
        self.executor = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker) if workers > 0 else None

    async def clean(self, body: bytes, url: str, site: str) -> Cleaned:
        if self.executor is None:
            return clean_page(body, url, site)
        return await asyncio.wrap_future(self.executor.submit(clean_page, body, url, site))

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)

