"""Unit tests, no network: the failure vocabulary (one list in the code, the
README and docs/outcomes.md), the classification of Scrapy 2.19's and
Twisted's errors, the run judgement, the backoff on network errors, and
redaction."""

from __future__ import annotations

import asyncio
import os
import re
import time
from pathlib import Path

import pytest
from OpenSSL import SSL
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Request, Response
from scrapy.settings import Settings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx
from twisted.python.failure import Failure
from twisted.web.client import ResponseFailed

from cleaning.quality import gate
from spiders.failures import FAILURE_REASONS, QUARANTINE_REASONS, classify
from spiders.outcome import RUN_FAILURE_CAUSES, judge
from spiders.summary import CrawlSummary
from storage.config import redact

ROOT = Path(__file__).resolve().parent.parent


def table_reasons(text: str, heading: str) -> dict[str, bool]:
    """The `reason` -> permanent rows of the table under a heading."""
    section = text.split(heading, 1)[1]
    section = re.split(r"\n#+ ", section, maxsplit=1)[0]
    rows = re.findall(r"^\| `(\w+)` \| (yes|no) \|", section, flags=re.M)
    return {reason: flag == "yes" for reason, flag in rows}


@pytest.mark.parametrize("document", ["README.md", "docs/outcomes.md"])
def test_the_documents_list_exactly_the_codes_reasons(document):
    text = (ROOT / document).read_text(encoding="utf-8")
    assert table_reasons(text, "Failure reasons") == FAILURE_REASONS
    assert table_reasons(text, "Quarantine reasons") == QUARANTINE_REASONS
    for cause in RUN_FAILURE_CAUSES:
        assert f"`{cause}`" in text, cause


def test_the_quality_gate_speaks_the_vocabulary():
    from cleaning.models import Article

    empty = Article(url="u", canonical_url="u", title="t", body="", extractor="x")
    short = empty.model_copy(update={"body": "a few words", "word_count": 3})
    for article in (empty, short):
        problem = gate(article)
        assert problem is not None and problem[0] in QUARANTINE_REASONS


def http_error(status: int) -> HttpError:
    return HttpError(Response("http://h/x", status=status), "Ignoring non-200 response")


def twisted_failed(*errors: Exception) -> DownloadFailedError:
    """How Scrapy 2.19 wraps a Twisted ResponseFailed."""
    failed = ResponseFailed([Failure(e) for e in errors])
    try:
        raise DownloadFailedError(str(failed)) from failed
    except DownloadFailedError as wrapped:
        return wrapped


@pytest.mark.parametrize("error, reason", [
    (DownloadConnectionRefusedError("Connection was refused by other side"), "connection_refused"),
    (CannotResolveHostError("no such host"), "dns_error"),
    (DownloadTimeoutError("took longer than 30 seconds"), "timeout"),
    (ResponseDataLossError(), "data_loss"),
    (DownloadCancelledError("exceeded DOWNLOAD_MAXSIZE"), "too_large"),
    (IgnoreRequest("Ignored response <200 http://h/x> because its body (1 B compressed, 9 B "
                   "decompressed so far) exceeded DOWNLOAD_MAXSIZE (5 B) during "
                   "decompression."), "too_large"),  # a gzip bomb
    (IgnoreRequest("Forbidden by robots.txt"), "robots_txt"),
    (IgnoreRequest("robots.txt unavailable: robots.txt answered HTTP 500"), "robots_unavailable"),
    (IgnoreRequest("shared rate limit unavailable: AuthenticationError"),
     "rate_limit_unavailable"),
    (IgnoreRequest("Filtered offsite request to 'elsewhere.example'"), "offsite"),
    (IgnoreRequest("max redirections reached"), "redirect_loop"),
    (twisted_failed(tx.ConnectionLost("Connection to the other side was lost")),
     "connection_lost"),
    (twisted_failed(SSL.Error([("SSL routines", "", "certificate verify failed")])),
     "tls_error"),
    (tx.TCPTimedOutError(), "timeout"),
    (tx.ConnectionRefusedError(), "connection_refused"),
    (http_error(404), "http_404"),
    (http_error(410), "http_410"),
    (http_error(429), "http_429"),
    (http_error(403), "http_4xx"),
    (http_error(502), "http_5xx"),
    (RuntimeError("something new"), "download_error"),
])
def test_every_error_maps_to_one_reason_of_the_vocabulary(error, reason):
    found = classify(error)
    assert found.reason == reason
    assert found.permanent is FAILURE_REASONS[reason]
    assert found.detail


def summary(**values: object) -> CrawlSummary:
    return CrawlSummary.model_validate({"pages_fetched": 10, "finish_reason": "finished",
                                        **values})


def test_the_first_cause_wins():
    unreachable_and_robots = summary(pages_fetched=0, failures={
        "connection_refused": 1, "robots_unavailable": 4},
        start_listings=["a"], start_failures={"a": "robots_unavailable"})
    assert judge(unreachable_and_robots).cause == "site_unreachable"
    robots_and_listings = summary(pages_fetched=2, failures={"robots_unavailable": 4},
                                  start_listings=["a"], start_failures={"a": "robots_unavailable"})
    assert judge(robots_and_listings).cause == "robots_unavailable"


def test_every_start_listing_failed_names_each_one():
    outcome = judge(summary(failures={"http_404": 2}, start_listings=["u1", "u2"],
                            start_failures={"u1": "http_404", "u2": "http_404"}))
    assert outcome.state == "failed" and outcome.cause == "start_listings_failed"
    assert "u1 (http_404)" in outcome.message and "u2 (http_404)" in outcome.message


def test_one_start_listing_left_is_a_completed_run():
    outcome = judge(summary(failures={"http_404": 1}, start_listings=["u1", "u2"],
                            start_failures={"u1": "http_404"}))
    assert outcome.state == "completed"
    assert "failed http_404 1" in outcome.message


def test_a_no_change_incremental_run_with_a_gone_article_completes():
    outcome = judge(summary(pages_fetched=6, articles_unchanged=0,
                            failures={"http_404": 1, "robots_txt": 1}))
    assert outcome.state == "completed" and outcome.cause is None


def test_a_run_whose_every_named_page_failed_fails():
    outcome = judge(summary(pages_fetched=3, articles_failed=3, start_urls=3,
                            failures={"http_404": 2, "http_5xx": 1}))
    assert outcome.state == "failed" and outcome.cause == "articles_failed"
    assert "3 article pages" in outcome.message and "http_5xx x1" in outcome.message


@pytest.mark.parametrize("failed, state", [(1, "completed"), (9, "completed"), (10, "failed")])
def test_articles_found_on_listings_that_all_failed_fail_the_run_when_enough(failed, state):
    """One new link of an incremental run that answers 503 is listed and asked
    again next run; ten article pages and not one fetched is a run that
    achieved nothing."""
    outcome = judge(summary(listing_pages=4, articles_failed=failed,
                            failures={"http_5xx": failed}))
    assert outcome.state == state
    assert f"failed http_5xx {failed}" in outcome.message or outcome.cause == "articles_failed"


@pytest.mark.parametrize("answered", [
    {"articles_new": 1}, {"articles_unchanged": 1}, {"articles_not_modified": 1},
    {"articles_gone": 1}, {"quarantined": {"too_short": 1}}, {"pages_not_articles": 1}])
def test_one_article_request_that_came_to_something_completes_the_run(answered):
    """A stored one, a 304, a stored article now gone, a page that is no
    article: the run reached the site's articles, and its failures are listed."""
    outcome = judge(summary(articles_failed=12, start_urls=12, failures={"http_5xx": 12},
                            **answered))
    assert outcome.state == "completed", answered
    assert "failed http_5xx 12" in outcome.message


def test_a_quality_alarm_fails_the_run():
    outcome = judge(summary(articles_new=20, fallbacks=15))
    assert outcome.cause == "quality_alarm" and "fallback rate" in outcome.message


def test_network_errors_are_retried_after_a_backoff(monkeypatch):
    from spiders.middlewares import BackoffRetryMiddleware

    class Crawler:
        spider = object()
        stats = None

    settings = Settings({"RETRY_TIMES": 3, "RETRY_BACKOFF_BASE": 0.5})
    middleware = BackoffRetryMiddleware(settings)
    middleware.crawler = Crawler()  # type: ignore[assignment]
    monkeypatch.setattr("scrapy.downloadermiddlewares.retry.get_retry_request",
                        lambda request, **kw: request.replace(
                            meta={**request.meta,
                                  "retry_times": request.meta.get("retry_times", 0) + 1}))
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr("spiders.middlewares.asyncio.sleep", sleep)
    request = Request("http://h/x")
    for _ in range(3):
        request = asyncio.run(middleware.process_exception(
            request, DownloadConnectionRefusedError("refused")))
        assert isinstance(request, Request)
    assert waits == [0.5, 1.0, 2.0]  # 0.5 s doubled on every retry, as for a 5xx
    assert asyncio.run(middleware.process_exception(
        Request("http://h/y", meta={"dont_retry": True}), DownloadTimeoutError())) is None


@pytest.mark.parametrize("text, shown", [
    ("postgresql://user:s3cret@db.example/archive", "postgresql://user:***@db.example/archive"),
    ("redis://:pa@ss@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
    ("/path/plain.db", "/path/plain.db"),
    ("the default SQLite store", "the default SQLite store"),
    ("sqlite:///./data/archive.db", "sqlite:///./data/archive.db"),
    ("into postgresql://a:b@h/d now", "into postgresql://a:***@h/d now"),
])
def test_redaction_hides_passwords_and_leaves_the_rest_as_written(text, shown):
    assert redact(text) == shown


def test_retention_is_its_own_command(tmp_path):
    import os
    import time

    from typer.testing import CliRunner

    from archive_cli.main import app
    from spiders.config import CrawlConfig

    assert "warc_retention_days" not in CrawlConfig.model_fields  # never a crawl's side effect
    warc = tmp_path / "warc"
    warc.mkdir()
    old, new = warc / "archive-old.warc.gz", warc / "archive-new.warc.gz"
    old.write_bytes(b"x")
    new.write_bytes(b"x")
    ten_days_ago = time.time() - 10 * 86400
    os.utime(old, (ten_days_ago, ten_days_ago))
    result = CliRunner().invoke(app, ["prune-warc", "--older-than", "7",
                                      "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert not old.exists() and new.exists()
    assert "1 WARC files older than 7 days deleted" in result.output


def test_page_controlled_text_is_shown_literally_in_the_quality_report():
    from flows.reports import quality_markdown

    url = "http://h/x/![pixel](http://evil.example/t.png)[click](javascript:alert(1))|x`y"
    report = quality_markdown(CrawlSummary(run_id=1), [{"url": url, "reason": "too_short",
                                               "detail": "[b](javascript:x) *bold*"}])
    row = next(line for line in report.splitlines() if "evil.example" in line)
    assert "`http://h/x/![pixel](http://evil.example/t.png)[click](javascript:alert(1))%7Cx%60y`" \
        in row
    assert "\\[b\\]\\(javascript:x\\) \\*bold\\*" in row
    assert row.count("|") == 4  # three cells: the URL's pipe cannot open a fourth


@pytest.mark.parametrize("args", [
    ["export", "--format", "jsonl", "--out", "x.jsonl", "--since", "[/x]"],
    ["show", "[/bold][link=https://evil.example]click[/link]", "--db", "sqlite:///:memory:"],
])
def test_markup_in_arguments_is_printed_as_typed(args, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from archive_cli.main import app

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (1, 2)
    assert "MarkupError" not in result.output and "Traceback" not in result.output
    assert args[-1] in result.output or args[1] in result.output


@pytest.mark.parametrize("charset", ["undefined", "punycode", "cp037", "no-such-charset"])
def test_a_declared_charset_that_cannot_be_a_pages_loses_nothing(charset):
    from cleaning.decoding import decode_html

    page = f'<html><meta charset="{charset}"><p>Genève, Erdoğan — “quoted”</p></html>'
    text, warnings = decode_html(page.encode("utf-8"))
    assert "Genève, Erdoğan — “quoted”" in text


@pytest.mark.parametrize("charset, sentence", [
    ("koi8-r", "Переговоры возобновятся в понедельник после перерыва."),
    ("iso-8859-2", "Rozmowy zostaną wznowione w poniedziałek po przerwie."),
])
def test_the_http_header_charset_is_tried_first(charset, sentence):
    from sites import clean_page

    body = ("<html><head><title>T</title></head><body><article><h1>Talks</h1>"
            + f"<p>{sentence} {sentence} {sentence}</p>" * 3
            + "</article></body></html>").encode(charset)
    cleaned = clean_page(body, "https://example.com/news/talks", "generic",
                         f"text/html; charset={charset}")
    assert cleaned.article is not None, cleaned
    assert sentence in cleaned.article.body


@pytest.mark.parametrize("line, expected", [
    ("2026-11-25 19:52:25 [scrapy.utils.log] INFO: Versions:", None),
    ("2026-11-25 19:52:25 [scrapy.addons] INFO: Enabled addons:", None),
    ("2026-11-25 19:52:31 [scrapy.statscollectors] INFO: Dumping Scrapy stats:", None),
    ("{'downloader/request_count': 7,", None),  # a banner's body: never half of it
    ("2026-11-25 19:52:31 [scrapy.core.engine] INFO: Spider closed (finished)",
     (20, "[scrapy.core.engine] INFO: Spider closed (finished)")),  # one timestamp: Prefect's
    ("2026-11-25 19:52:30 [spiders.middlewares] ERROR: robots.txt answered HTTP 500",
     (40, "[spiders.middlewares] ERROR: robots.txt answered HTTP 500")),
])
def test_crawl_log_lines_reach_the_flow_log_whole_or_not_at_all(line, expected):
    from flows.crawl import prefect_log_line

    assert prefect_log_line(line) == expected


@pytest.mark.parametrize("body", [
    "Переговоры возобновятся".encode().decode("cp1252", "replace") * 4,  # UTF-8 read as cp1252
    "Rozmowy zostaną wznowione w poniedziałek, podało ministerstwo".encode().decode("latin-1")
    * 3,
    "Переговоры возобновятся в понедельник".encode("koi8_r").decode("cp932", "replace") * 4,
])
def test_the_gate_notices_text_decoded_with_the_wrong_charset(body):
    from cleaning.models import Article

    article = Article(url="u", canonical_url="u", title="t", body=body, extractor="x",
                      word_count=40)
    assert gate(article) is not None and gate(article)[0] == "wrong_charset"


@pytest.mark.parametrize("body", [
    "Переговоры возобновятся в понедельник после перерыва, сообщили в министерстве. " * 3,
    "Le ministre a déclaré à Genève que les négociations reprendraient lundi matin. " * 3,
    "قالت الحكومة إن المحادثات ستستأنف يوم الاثنين بعد توقف دام ثلاثة أسابيع " * 3,
    "Erdoğan said “the talks” — in Ankara — would resume; 50°C, £3, café, naïve. " * 3,
])
def test_the_gate_lets_real_text_in_any_script_through(body):
    from cleaning.models import Article

    article = Article(url="u", canonical_url="u", title="t", body=body, extractor="x",
                      word_count=40)
    assert gate(article) is None


def test_prune_warc_dry_run_and_its_mistakes(tmp_path):
    from typer.testing import CliRunner

    from archive_cli.main import app

    warc = tmp_path / "warc"
    warc.mkdir()
    old = warc / "archive-old.warc.gz"
    old.write_bytes(b"x")
    os.utime(old, (time.time() - 10 * 86400,) * 2)
    dry = CliRunner().invoke(app, ["prune-warc", "--older-than", "7", "--dry-run",
                                   "--data-dir", str(tmp_path)])
    assert dry.exit_code == 0 and old.exists()
    assert f"would delete {old}" in dry.output and "1 WARC files older than 7 days would be " \
        "deleted" in dry.output
    zero = CliRunner().invoke(app, ["prune-warc", "--older-than", "0", "--data-dir",
                                    str(tmp_path)])
    assert zero.exit_code == 2 and "positive number of days" in zero.output
    missing = CliRunner().invoke(app, ["prune-warc", "--older-than", "7", "--data-dir",
                                       str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "no WARC folder at" in missing.output
    assert old.exists()
