"""A crawl's figures, from Scrapy's statistics to the run's reports, as plain
functions: `CrawlSummary.from_scrapy_stats`, `flows.reports` (the figures table,
the quality report) and the quality rates and alarms of `spiders.outcome`."""

from __future__ import annotations

import re

import pytest

from flows.reports import figures_table, quality_markdown
from spiders.outcome import ALARM_MIN_PAGES, FALLBACK_ALARM, QUARANTINE_ALARM, alarms, rates
from spiders.summary import CrawlSummary

# What a crawl child's Scrapy stats look like, ours and Scrapy's own.
STATS = {
    "downloader/response_count": 60,
    "downloader/request_count": 64,
    "listing/pages": 8,
    "articles/not_modified": 5,
    "articles/gone": 2,
    "failures/http_404": 3,
    "failures/timeout": 1,
    "retry/count": 4,
    "robotstxt/forbidden": 1,
    "offsite/filtered": 2,
    "refused/links": 7,
    "finish_reason": "finished",
    "elapsed_time_seconds": 11.5,
    "start/listings": ["http://h/category/opinion"],
    "start/failures": {},
    "pipeline": {"articles_new": 40, "articles_updated": 3, "articles_unchanged": 2,
                 "quarantined": {"too_short": 2, "not_an_article": 1},
                 "extractors": {"aawsat": 44, "generic": 1}, "fallbacks": 1,
                 "missing_dates": 4},
}


# --- the summary ----------------------------------------------------------------------------
def test_summary_of_a_crawls_statistics():
    summary = CrawlSummary.from_scrapy_stats(STATS, wall_seconds=12.0)
    assert summary.pages_fetched == 60 and summary.requests == 64
    assert summary.listing_pages == 8
    assert (summary.articles_new, summary.articles_updated,
            summary.articles_unchanged) == (40, 3, 2)
    assert summary.articles_not_modified == 5 and summary.articles_gone == 2
    assert summary.failures == {"http_404": 3, "timeout": 1}  # every failures/<reason>
    assert summary.quarantined == {"too_short": 2, "not_an_article": 1}
    assert summary.extractors == {"aawsat": 44, "generic": 1}
    assert (summary.fallbacks, summary.missing_dates) == (1, 4)
    assert summary.retries == 4 and summary.robots_disallowed == 1
    assert summary.offsite_filtered == 2 and summary.refused_links == 7
    assert summary.finish_reason == "finished"
    assert summary.duration_s == 12.0 and summary.crawl_s == 11.5
    assert summary.pages_per_s == 5.0  # 60 pages in 12 s of wall time
    assert summary.start_listings == ["http://h/category/opinion"]


def test_summary_of_a_child_that_left_no_statistics():
    summary = CrawlSummary.from_scrapy_stats({}, wall_seconds=0)
    assert summary.pages_fetched == 0 and summary.articles_new == 0
    assert summary.failures == {} and summary.quarantined == {}
    assert summary.finish_reason is None
    assert summary.pages_per_s == 0.0  # no division by zero


def test_summary_rounds_its_times():
    summary = CrawlSummary.from_scrapy_stats(
        {"downloader/response_count": 10, "elapsed_time_seconds": 2.34567}, wall_seconds=3.14159)
    assert summary.duration_s == 3.14 and summary.crawl_s == 2.35
    assert summary.pages_per_s == 3.18


# --- the figures table --------------------------------------------------------------------
def test_figures_table_lists_every_figure_and_each_reason():
    summary = CrawlSummary.from_scrapy_stats(STATS, wall_seconds=12.0)
    table = figures_table(summary)
    assert all(set(row) == {"figure", "value"} for row in table)
    figures = [row["figure"] for row in table]
    values = {row["figure"]: row["value"] for row in table}
    assert len(values) == len(figures)  # no figure twice
    assert {name: values[name] for name in (
        "pages fetched", "articles new", "articles updated", "articles unchanged",
        "articles not modified (304)", "articles gone (404/410)")} == {
        "pages fetched": 60, "articles new": 40, "articles updated": 3,
        "articles unchanged": 2, "articles not modified (304)": 5,
        "articles gone (404/410)": 2}
    # one row per reason, alphabetical, quarantine before failures, times last
    reasons = [f for f in figures if f.startswith(("quarantined: ", "failed: "))]
    assert reasons == ["quarantined: not_an_article", "quarantined: too_short",
                       "failed: http_404", "failed: timeout"]
    assert values["quarantined: too_short"] == 2 and values["failed: http_404"] == 3
    assert figures[-2:] == ["duration (s)", "pages per second"]
    assert values["duration (s)"] == 12.0 and values["pages per second"] == 5.0


def test_figures_table_of_an_empty_run_has_zeros_not_gaps():
    values = {row["figure"]: row["value"] for row in figures_table(CrawlSummary())}
    assert values["pages fetched"] == 0 and values["articles new"] == 0
    assert not any(name.startswith(("quarantined:", "failed:")) for name in values)


# --- rates and alarms ---------------------------------------------------------------------
S = CrawlSummary  # a summary with these counts, the rest zero

def test_rates():
    summary = S(articles_new=30, articles_updated=6, articles_unchanged=4,
                quarantined={"too_short": 6, "parse_error": 4}, fallbacks=10, missing_dates=2)
    assert rates(summary) == {"fallback_rate": 10 / 40, "quarantine_rate": 10 / 50,
                              "missing_date_rate": 2 / 40}


def test_rates_of_a_run_that_stored_nothing_are_zero():
    assert rates(CrawlSummary()) == {"fallback_rate": 0.0, "quarantine_rate": 0.0,
                         "missing_date_rate": 0.0}
    assert rates(S(quarantined={"too_short": 3}))["quarantine_rate"] == 1.0


def test_a_healthy_run_raises_no_alarm():
    assert alarms(S(articles_new=50, fallbacks=2, quarantined={"too_short": 3})) == []


def test_a_changed_template_raises_the_fallback_alarm():
    found = alarms(S(articles_new=20, fallbacks=10))
    assert len(found) == 1 and found[0].startswith("fallback rate 50% is over 20%")


def test_many_quarantined_pages_raise_the_quarantine_alarm():
    found = alarms(S(articles_new=10, quarantined={"not_an_article": 10}))
    assert len(found) == 1 and found[0].startswith("quarantine rate 50% is over 30%")


def test_both_alarms_at_once():
    found = alarms(S(articles_new=10, fallbacks=10, quarantined={"too_short": 10}))
    assert [a.split(" rate")[0] for a in found] == ["fallback", "quarantine"]


@pytest.mark.parametrize("fallbacks, alarmed", [(20, False), (21, True)])
def test_the_fallback_alarm_is_over_its_threshold_not_at_it(fallbacks, alarmed):
    assert FALLBACK_ALARM == 0.2
    assert bool(alarms(S(articles_new=100, fallbacks=fallbacks))) is alarmed


@pytest.mark.parametrize("quarantined, alarmed", [(30, False), (31, True)])
def test_the_quarantine_alarm_is_over_its_threshold_not_at_it(quarantined, alarmed):
    assert QUARANTINE_ALARM == 0.3
    summary = S(articles_new=100 - quarantined, quarantined={"too_short": quarantined})
    assert bool(alarms(summary)) is alarmed


def test_too_few_pages_to_judge_raise_no_alarm():
    pages = ALARM_MIN_PAGES - 1
    assert alarms(S(articles_new=pages, fallbacks=pages)) == []
    assert alarms(S(articles_new=pages + 1, fallbacks=pages + 1)) != []


def test_alarm_thresholds_are_the_callers():
    summary = S(articles_new=100, fallbacks=10)
    assert alarms(summary) == []
    assert alarms(summary, fallback_alarm=0.05) != []


# --- the quality report -------------------------------------------------------------------
def line_with(report: str, words: str) -> str:
    (line,) = [line for line in report.splitlines() if words in line]
    return line


def test_quality_report_in_markdown():
    summary = CrawlSummary.from_scrapy_stats(STATS, wall_seconds=12.0)
    summary.run_id = 7
    samples = [{"url": "http://h/a/b/c", "reason": "too_short", "detail": "3 words | short"}]
    report = quality_markdown(summary, samples)
    assert report.startswith("# ")
    assert "| aawsat | 44 |" in report.splitlines()
    assert "| generic | 1 |" in report.splitlines()
    assert "**2.2%**" in line_with(report, "fallback")  # 1 of 45 stored
    assert "6.2%" in report  # the quarantine rate: 3 of 48 pages
    assert "**8.9%**" in line_with(report, "missing-date")  # 4 of 45
    assert "60, in 12.0 s" in line_with(report, "pages fetched")
    row = line_with(report, "http://h/a/b/c")
    cells = [re.sub(r"\\(.)", r"\1", cell).strip(" `")  # as a Markdown reader shows them
             for cell in re.split(r"(?<!\\)\|", row)[1:-1]]
    assert cells == ["http://h/a/b/c", "too_short", "3 words | short"]  # one row, 3 cells


def test_quality_report_without_samples_has_no_sample_table():
    report = quality_markdown(CrawlSummary(run_id=1), [])
    assert "| url |" not in report
    assert "**0.0%**" in line_with(report, "fallback")
