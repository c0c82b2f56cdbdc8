"""`Retry-After` as the backoff middleware reads it (spiders/middlewares.py)."""

from __future__ import annotations

import email.utils
import time

import pytest
from scrapy.http import Response

from spiders.middlewares import retry_after


def answer(*headers: tuple[str, str]) -> Response:
    return Response("http://h/x", status=429, headers=list(headers))


@pytest.mark.parametrize("value, seconds", [("0", 0.0), ("7", 7.0), (" 120 ", 120.0),
                                            ("3600", 3600.0)])
def test_seconds(value, seconds):
    assert retry_after(answer(("Retry-After", value))) == seconds


def test_an_http_date_in_the_future_is_the_seconds_until_then():
    when = email.utils.formatdate(time.time() + 90, usegmt=True)
    wait = retry_after(answer(("Retry-After", when)))
    assert wait is not None and 85 <= wait <= 90


def test_an_http_date_in_the_past_means_now():
    assert retry_after(answer(("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"))) == 0.0


@pytest.mark.parametrize("value", ["soon", "-5", "1.5", "", "Wed, 99 Foo 2015 07:28:00 GMT"])
def test_unreadable_values_are_no_answer(value):
    assert retry_after(answer(("Retry-After", value))) is None


def test_no_header_is_no_answer():
    assert retry_after(answer()) is None
    assert retry_after(answer(("Content-Type", "text/html"))) is None


def test_the_header_name_is_case_insensitive():
    assert retry_after(answer(("retry-after", "12"))) == 12.0
