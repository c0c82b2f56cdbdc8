"""Downloader middlewares of our own:

- `BackoffRetryMiddleware`: retries that wait, with exponential backoff, on
  responses (429/5xx, honouring `Retry-After`) and on network errors alike
  (Scrapy's own RetryMiddleware retries at once).
- `StrictRobotsTxtMiddleware`: Scrapy's robots.txt handling, except that a
  robots.txt that cannot be read (5xx after retries, no answer) disallows
  everything, as RFC 9309 asks, instead of allowing everything; and its
  `Crawl-delay` and `Request-rate` set the pace for the site's host (Scrapy
  reads neither), never faster than the crawl's own delay."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from typing import Any
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from .failures import ROBOTS_UNAVAILABLE, classify

log = logging.getLogger(__name__)
MAX_WAIT = 120.0  # a site asking for more is told no: the request fails and is retried next run
# A robots.txt pace slower than this is taken as this (a Crawl-delay of a day
# would stall the crawl for good); said in the log.
MAX_ROBOTS_DELAY = 60.0


def robots_delay(parser: Any, user_agent: str) -> float:
    """Seconds between two requests that a robots.txt asks of `user_agent`: its
    Crawl-delay or its Request-rate (n requests per s seconds), the slower."""
    delay = parser.crawl_delay(user_agent) or 0.0
    rate = parser.request_rate(user_agent)
    if rate is not None and rate.requests:
        delay = max(delay, rate.seconds / rate.requests)
    return float(delay)


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 0.5)

    def backoff(self, request: Request) -> float:
        return float(self.backoff_base * (2 ** request.meta.get("retry_times", 0)))

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        wait = retry_after(response) if response.status in (429, 503) else None
        if wait is None:
            wait = self.backoff(request)
        if wait > MAX_WAIT:
            return response
        await asyncio.sleep(wait)
        return self._retry(request, f"HTTP {response.status}") or response

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | Response | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry"):
            return None
        retry = self._retry(request, exception)
        if retry is not None:  # wait before it goes, as for a 5xx
            await asyncio.sleep(self.backoff(request))
        return retry


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


class DisallowAll:
    """The parser for a robots.txt that could not be read."""

    def __init__(self, why: str) -> None:
        self.why = why

    def allowed(self, url: str, user_agent: str | bytes) -> bool:
        return False


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.paced: dict[str, float] = {}  # host -> the delay its robots.txt asked for

    async def process_request(
        self, request: Request, spider: Any = None
    ) -> None:
        self._hold_pace(request)
        if request.meta.get("dont_obey_robotstxt") or request.url.startswith(("data:", "file:")):
            return  # robots.txt itself (open discovery reads it for its Sitemap: lines)
        await self.robot_parser(request)
        self._hold_pace(request)  # the first request to a host: paced once robots.txt is read
        # The verdict is read from the table, not from the Deferred that requests
        # waiting for robots.txt share: only the first waiter gets its result
        # (measured: the others got None and were let through unchecked).
        parser = self._parsers.get(urlparse_cached(request).netloc)
        self.process_request_2(None if isinstance(parser, Deferred) else parser, request)

    def _hold_pace(self, request: Request) -> None:
        # AutoThrottle would lower the pace robots.txt set: not for this host,
        # on any request to it (one response it may adjust halves the delay).
        if urlparse_cached(request).hostname in self.paced:
            request.meta["autothrottle_dont_adjust_delay"] = True

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500 or response.status == 429:
            self._unavailable(netloc, f"robots.txt answered HTTP {response.status}")
            return
        await super()._parse_robots(response, netloc, request)  # 2xx, or 4xx: allow all
        self._pace(netloc, request)

    def _pace(self, netloc: str, request: Request) -> None:
        """The host's pace from its robots.txt, for its download slot (the
        one Scrapy keys by host name) now and when the slot is made again."""
        protego = getattr(self._parsers.get(netloc), "rp", None)
        if protego is None:
            return
        agent = self._robotstxt_useragent or self._default_useragent
        delay = robots_delay(protego, str(agent))
        downloader = self.crawler.engine.downloader
        if delay <= downloader._delay:
            return
        if delay > MAX_ROBOTS_DELAY:
            log.warning("%s: robots.txt asks for %.0f s between requests; %.0f s taken",
                        netloc, delay, MAX_ROBOTS_DELAY)
            delay = MAX_ROBOTS_DELAY
        host = urlparse_cached(request).hostname or ""
        self.paced[host] = delay
        self._stats.set_value("robotstxt/delay", delay)
        log.info("%s: robots.txt asks for %.2f s between requests", netloc, delay)
        downloader.per_slot_settings.setdefault(host, {}).update(delay=delay, jitter=0)
        slot = downloader.slots.get(host)
        if slot is not None:
            slot.delay, slot.jitter = max(slot.delay, delay), 0

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        # The robots.txt request failed like any request would: count why, so
        # a site that never answered is told apart from a broken robots.txt.
        self._stats.inc_value(f"failures/{classify(exc).reason}")
        self._unavailable(netloc, f"robots.txt could not be fetched: {exc}")

    def _unavailable(self, netloc: str, why: str) -> None:
        log.error("%s: every URL of %s is disallowed (RFC 9309)", why, netloc)
        self._stats.inc_value("robotstxt/unavailable")
        waiting = self._parsers[netloc]
        parser: Any = DisallowAll(why)
        self._parsers[netloc] = parser
        if isinstance(waiting, Deferred):  # requests waiting for robots.txt get the verdict
            waiting.callback(parser)

    def process_request_2(self, rp: Any, request: Request) -> None:
        if isinstance(rp, DisallowAll):
            raise IgnoreRequest(f"{ROBOTS_UNAVAILABLE}: {rp.why}")
        super().process_request_2(rp, request)


def site_origin(url: str) -> tuple[str, int]:
    """(host, port) of a URL, the port made explicit; ValueError if malformed."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return (parts.hostname or "").lower(), port


class SiteHostsMiddleware:
    """Requests, redirects and meta refreshes stay on the site: its host and
    port exactly (Scrapy's own offsite check compares host names only and
    lets subdomains through: another port of the host, `internal.<host>` and
    `169.254.169.254.<host>` all passed it). The one exception is an
    upgrade from http to https on the same host."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> SiteHostsMiddleware:
        return cls(crawler)

    def allowed(self, url: str) -> bool:
        spider = self.crawler.spider
        if spider.sources.on_site(url):
            return True
        base = spider.sources.base_url
        try:
            host, port = site_origin(url)
            base_host, base_port = site_origin(base)
        except ValueError:
            return False
        if host != base_host:
            return False
        return port == base_port or (urlsplit(url).scheme == "https" and port == 443)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        if not self.allowed(request.url):
            self.crawler.stats.inc_value("offsite/filtered")
            raise IgnoreRequest(f"Filtered offsite request to {request.url[:200]!r}: not one of "
                                "the site's hosts and ports")
