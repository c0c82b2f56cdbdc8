"""Retries that wait: exponential backoff, and `Retry-After` honoured on 429
and 503 (Scrapy's own RetryMiddleware retries at once)."""

from __future__ import annotations

import asyncio
import email.utils
import time
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response

MAX_WAIT = 120.0  # a site asking for more is told no: the request fails and is retried next run


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 0.5)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        tries = request.meta.get("retry_times", 0)
        wait = retry_after(response) if response.status in (429, 503) else None
        if wait is None:
            wait = self.backoff_base * (2 ** tries)
        if wait > MAX_WAIT:
            return response
        await asyncio.sleep(wait)
        return self._retry(request, f"HTTP {response.status}") or response


def retry_after(response: Response) -> float | None:
    """Seconds from a Retry-After header: a number, or an HTTP date."""
    raw = response.headers.get(b"Retry-After")
    if not raw:
        return None
    value = raw.decode("latin-1").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
