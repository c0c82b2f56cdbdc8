"""One request budget per domain shared by every crawl process on every
machine: a Redis-backed GCRA limiter (a "virtual scheduling" token bucket).
Fanning a backfill out over workers never multiplies the load on the site."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request

from storage.config import redact

from .failures import RATE_LIMIT_UNAVAILABLE

# Atomically: the earliest time this request may go, and the new "theoretical
# arrival time" for the next one. Returns the seconds to wait (as a string).
_GCRA = """
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local start = math.max(tat, now)
redis.call('SET', KEYS[1], tostring(start + interval), 'PX', math.ceil(interval * 1000) + 60000)
return tostring(start - now)
"""


class SharedRateLimit:
    def __init__(self, url: str, per_second: float, key_prefix: str = "archive:ratelimit:") -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.interval = 1.0 / per_second
        self.key_prefix = key_prefix
        self.script = self.client.register_script(_GCRA)

    def reserve(self, domain: str) -> float:
        """Seconds until this request may be sent (its slot is taken now)."""
        wait = self.script(keys=[self.key_prefix + domain], args=[time.time(), self.interval])
        return float(wait)


class SharedRateLimitMiddleware:
    """Downloader middleware: waits for a slot of the domain's shared budget."""

    def __init__(self, limiter: SharedRateLimit) -> None:
        self.limiter = limiter

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedRateLimitMiddleware:
        url = crawler.settings.get("SHARED_RATE_LIMIT_REDIS_URL")
        per_second = crawler.settings.getfloat("SHARED_RATE_LIMIT_PER_SECOND", 0)
        if not url or per_second <= 0:
            raise NotConfigured("no shared rate limit")
        return cls(SharedRateLimit(url, per_second))

    async def process_request(self, request: Request, spider: Any = None) -> None:
        import redis

        # One budget per site: host and port (two sites on one host are two sites).
        domain = urlsplit(request.url).netloc.lower()
        try:
            wait = await asyncio.to_thread(self.limiter.reserve, domain)
        except redis.RedisError as error:
            # Without the shared budget no request may go: going on unthrottled
            # would multiply the load on the site across workers.
            raise IgnoreRequest(f"{RATE_LIMIT_UNAVAILABLE}: {type(error).__name__}: "
                                f"{redact(str(error))}") from None
        if wait > 0:
            await asyncio.sleep(wait)
        return None
