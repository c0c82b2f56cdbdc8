"""Open discovery's ledger and sitemap reading, and the verdict on a run
whose callbacks raised (pure: no engine, no server)."""

from __future__ import annotations

import gzip

from scrapy.http import Response

from spiders.discovery import SourceLedger, sitemap_selector
from spiders.outcome import judge
from spiders.summary import CrawlSummary

URLSET = (b'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
          b'schemas/sitemap/0.9"><url><loc>https://a.example/x</loc></url></urlset>')


def test_each_source_is_asked_once_and_the_last_answer_says_so():
    ledger = SourceLedger(max_sitemaps=10, max_depth=2)
    assert ledger.ask("https://a.example/robots.txt")
    assert ledger.ask("https://a.example/sitemap.xml", sitemap=True)
    assert not ledger.ask("https://a.example/sitemap.xml", sitemap=True)  # robots named it too
    assert not ledger.answered("https://a.example/never-asked")
    assert not ledger.answered("https://a.example/robots.txt")
    assert ledger.answered("https://a.example/sitemap.xml")  # the last one
    assert not ledger.answered("https://a.example/sitemap.xml")  # reported once only
    assert ledger.bounds == {"duplicate": 1}


def test_sitemap_bounds_count_what_they_leave_out():
    ledger = SourceLedger(max_sitemaps=2, max_depth=1)
    assert ledger.ask("https://a.example/0.xml", sitemap=True)
    assert not ledger.ask("https://a.example/deep.xml", sitemap=True, depth=2)
    assert ledger.ask("https://a.example/1.xml", sitemap=True, depth=1)
    assert not ledger.ask("https://a.example/2.xml", sitemap=True, depth=1)
    assert ledger.ask("https://a.example/feed", tracked=False)  # feeds are no sitemaps
    assert ledger.pending == {"https://a.example/0.xml", "https://a.example/1.xml"}
    assert ledger.bounds == {"sitemap_depth": 1, "sitemaps": 1}


def test_a_sitemap_is_read_by_its_content_gzip_or_not():
    for body in (URLSET, gzip.compress(URLSET)):
        xml = sitemap_selector(Response("https://a.example/s.xml.gz", body=body), 1 << 20)
        assert xml is not None and xml.xpath("//url/loc/text()").getall() == \
            ["https://a.example/x"]
    bomb = gzip.compress(b"<urlset>" + b" " * (1 << 21) + b"</urlset>")
    assert sitemap_selector(Response("https://a.example/b.gz", body=bomb), 1 << 20) is None
    assert sitemap_selector(Response("https://a.example/t.gz", body=b"\x1f\x8bnot"), 99) is None
    assert sitemap_selector(Response("https://a.example/e", body=b"  "), 99) is None


def test_callback_errors_with_nothing_to_show_fail_the_run():
    summary = CrawlSummary(pages_fetched=3, failures={"callback_error": 2}, urls_found=5,
                           articles_requested=5,
                           callback_error="KeyError: 'x' (on https://a.example/)")
    outcome = judge(summary)
    assert outcome.state == "failed" and outcome.cause == "callback_error"
    assert "KeyError: 'x'" in outcome.message
    # With articles stored, the errors are listed, and the run stands.
    assert judge(summary.model_copy(update={"articles_new": 12})).state == "completed"
    # An incremental run with nothing new asks for no article: one error does not fail it.
    assert judge(summary.model_copy(update={"articles_requested": 0})).state == "completed"
