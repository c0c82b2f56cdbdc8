"""One vocabulary of failure reasons, and the classification of a failed
request into it. docs/outcomes.md and the README list the same reasons; a
test holds the three together."""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx
from twisted.python.failure import Failure
from twisted.web.client import ResponseFailed

# reason -> permanent (never asked again by later runs)
FAILURE_REASONS: dict[str, bool] = {
    "connection_refused": False,
    "connection_lost": False,
    "dns_error": False,
    "tls_error": False,
    "timeout": False,
    "data_loss": False,
    "http_429": False,
    "http_5xx": False,
    "http_4xx": True,
    "http_404": True,
    "http_410": True,
    "too_large": True,
    "redirect_loop": True,
    "robots_txt": True,
    "robots_unavailable": False,
    "offsite": True,
    "rate_limit_unavailable": False,
    "download_error": False,
}

# reason -> permanent, for pages fetched but not stored as articles
QUARANTINE_REASONS: dict[str, bool] = {
    "not_an_article": True,
    "parse_error": True,
    "empty_body": True,
    "too_short": True,
    "no_title": True,
    "boilerplate_leaked": True,
    "wrong_charset": True,
    "cleaner_crashed": False,
    "cleaner_timeout": True,
    "store_rejected": False,
}

# Raised (as IgnoreRequest) by our middlewares; the text is how classify() knows them.
ROBOTS_UNAVAILABLE = "robots.txt unavailable"
RATE_LIMIT_UNAVAILABLE = "shared rate limit unavailable"


@dataclass(frozen=True)
class FailureReason:
    reason: str
    permanent: bool
    detail: str


def http_reason(status: int) -> str:
    if status in (404, 410, 429):
        return f"http_{status}"
    return "http_5xx" if status >= 500 else "http_4xx"


def _reason(reason: str, detail: str) -> FailureReason:
    return FailureReason(reason, FAILURE_REASONS[reason], detail[:500])


def _causes(error: BaseException) -> list[BaseException]:
    """The error, the errors it was raised from, and those a Twisted
    ResponseFailed carries: Scrapy 2.19 wraps Twisted's errors in its own."""
    found: list[BaseException] = []
    pending: list[BaseException] = [error]
    while pending and len(found) < 20:
        current = pending.pop()
        found.append(current)
        if current.__cause__ is not None:
            pending.append(current.__cause__)
        if isinstance(current, ResponseFailed):
            pending.extend(f.value for f in current.reasons if isinstance(f, Failure))
    return found


def _is_tls(error: BaseException) -> bool:
    module = type(error).__module__
    return module.startswith(("OpenSSL", "ssl")) or "SSL routines" in str(error)


def classify(error: BaseException) -> FailureReason:
    """The reason a request failed, from the exception its errback got."""
    detail = str(error) or type(error).__name__
    if isinstance(error, HttpError):
        status = error.response.status
        return _reason(http_reason(status), f"HTTP {status}")
    if isinstance(error, IgnoreRequest):
        text = str(error).lower()
        if ROBOTS_UNAVAILABLE in text:
            return _reason("robots_unavailable", detail)
        if RATE_LIMIT_UNAVAILABLE in text:
            return _reason("rate_limit_unavailable", detail)
        if "robots" in text:
            return _reason("robots_txt", detail)
        if "offsite" in text:
            return _reason("offsite", detail)
        if "redirect" in text:
            return _reason("redirect_loop", detail)
        if "download_maxsize" in text or "exceeded" in text:  # a compressed body too large
            return _reason("too_large", detail)
        return _reason("download_error", detail)
    causes = _causes(error)
    if any(isinstance(c, (DownloadTimeoutError, tx.TimeoutError, tx.TCPTimedOutError))
           for c in causes):
        return _reason("timeout", detail)
    if any(isinstance(c, (DownloadConnectionRefusedError, tx.ConnectionRefusedError))
           for c in causes):
        return _reason("connection_refused", detail)
    if any(isinstance(c, (CannotResolveHostError, tx.DNSLookupError)) for c in causes):
        return _reason("dns_error", detail)
    if any(_is_tls(c) for c in causes):
        return _reason("tls_error", detail)
    if any(isinstance(c, DownloadCancelledError) for c in causes):
        return _reason("too_large", detail)  # cancelled past DOWNLOAD_MAXSIZE
    if any(isinstance(c, ResponseDataLossError) for c in causes) or "dataloss" in detail.lower():
        return _reason("data_loss", detail)
    if any(isinstance(c, (tx.ConnectionLost, tx.ConnectionDone, tx.ConnectError,
                          DownloadFailedError)) for c in causes):
        return _reason("connection_lost", detail)
    return _reason("download_error", f"{type(error).__name__}: {detail}")
