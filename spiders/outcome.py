"""A crawl run's outcome, judged once from its summary (docs/outcomes.md):
the CLI's exit code, the flow run's state and the store's run status all
come from here. Pure functions, tested without Scrapy or Prefect."""

from __future__ import annotations

from .summary import CrawlSummary, RunOutcome

FALLBACK_ALARM = 0.2  # more than a fifth of articles cleaned by `generic`: a changed template
QUARANTINE_ALARM = 0.3  # more than 30% of article pages quarantined
ALARM_MIN_PAGES = 10  # fewer pages than this are too few to judge a template by

# Failure reasons meaning the site never answered at all.
NETWORK_REASONS = frozenset({"connection_refused", "connection_lost", "dns_error", "tls_error",
                             "timeout"})
# Why a run failed, first cause first: where several apply, the first wins.
RUN_FAILURE_CAUSES = ("site_unreachable", "rate_limit_unavailable", "robots_unavailable",
                      "start_listings_failed", "nothing_found", "articles_failed",
                      "callback_error",
                      "store_error", "disk_full",
                      "timeout", "stopped", "crashed", "quality_alarm")

def answered_articles(summary: CrawlSummary) -> int:
    """Article requests that came to something: stored, found unchanged or not
    modified, marked gone (a stored one answering 404/410), or fetched and
    found to be no article (quarantined)."""
    return (summary.stored + summary.articles_not_modified + summary.articles_gone
            + summary.pages_not_articles + summary.quarantined_total)


def every_article_failed(summary: CrawlSummary) -> bool:
    """Every article the run asked for failed and none came to anything, when
    that says the run achieved nothing: the pages were named (`--url`), or
    there were enough of them to judge by. One new link of an incremental
    run that answers 503 is listed in the summary and asked again next run;
    it does not fail the run (and every run after it, while it lasts)."""
    failed = summary.articles_failed
    if not failed or answered_articles(summary):
        return False
    return bool(summary.start_urls) or failed >= ALARM_MIN_PAGES


def found_nothing(summary: CrawlSummary) -> bool:
    """The site answered, and no listing, feed, sitemap or link of it named
    one article: a mirror whose links point to the host it was copied from,
    a base URL that is not the site's home. (Pages named with --url, and a
    backfill shard past a listing's end, are no discovery.)"""
    return (summary.urls_found == 0 and summary.pages_fetched > 0
            and not summary.start_urls and not summary.listing_past_end
            and summary.listing_pages == 0)


def rates(summary: CrawlSummary) -> dict[str, float]:
    articles = summary.stored
    pages_quarantined = summary.quarantined_total
    pages = articles + pages_quarantined
    return {
        "fallback_rate": summary.fallbacks / articles if articles else 0.0,
        "quarantine_rate": pages_quarantined / pages if pages else 0.0,
        "missing_date_rate": summary.missing_dates / articles if articles else 0.0,
    }


def alarms(summary: CrawlSummary, fallback_alarm: float = FALLBACK_ALARM,
           quarantine_alarm: float = QUARANTINE_ALARM) -> list[str]:
    """Signs of a changed site template, once there are enough pages to judge."""
    r = rates(summary)
    pages = summary.stored + summary.quarantined_total
    if pages < ALARM_MIN_PAGES:
        return []
    found = []
    if r["fallback_rate"] > fallback_alarm:
        found.append(f"fallback rate {r['fallback_rate']:.0%} is over {fallback_alarm:.0%}: "
                     "the site profile found no body on many pages (changed template?)")
    if r["quarantine_rate"] > quarantine_alarm:
        found.append(f"quarantine rate {r['quarantine_rate']:.0%} is over "
                     f"{quarantine_alarm:.0%}: many fetched pages did not clean into articles")
    return found


def judge(summary: CrawlSummary, fallback_alarm: float = FALLBACK_ALARM,
          quarantine_alarm: float = QUARANTINE_ALARM) -> RunOutcome:
    """The outcome of a crawl that ran to its end (a crash or a timeout is
    judged by the runner, which knows of it)."""
    failures = summary.failures
    site = summary.base_url or "the site"
    network = {r: n for r, n in failures.items() if r in NETWORK_REASONS}
    if summary.pages_fetched == 0 and network:
        reasons = ", ".join(f"{r} x{n}" for r, n in sorted(network.items()))
        return RunOutcome("failed", "site_unreachable",
                          f"no response at all from {site} "
                          f"({reasons})")
    if failures.get("rate_limit_unavailable"):
        return RunOutcome("failed", "rate_limit_unavailable",
                          f"{failures['rate_limit_unavailable']} requests were not sent: the "
                          "shared request budget (Redis) could not be reached")
    if failures.get("robots_unavailable"):
        return RunOutcome("failed", "robots_unavailable",
                          "robots.txt could not be read (5xx or no answer after retries): "
                          "every URL is disallowed until it can (RFC 9309)")
    starts = summary.start_listings
    start_failures = summary.start_failures
    if starts and all(url in start_failures for url in starts):
        listed = "; ".join(f"{url} ({start_failures[url]})" for url in starts)
        return RunOutcome("failed", "start_listings_failed",
                          f"every listing the crawl started from failed: {listed}")
    if found_nothing(summary):
        hosts = summary.offsite_hosts
        where = "; its home page links to other hosts: " + ", ".join(
            f"{host} ({count} links)" for host, count in hosts.items()) if hosts else ""
        return RunOutcome("failed", "nothing_found",
                          f"the crawl found no listing and no article on "
                          f"{site}{where}")
    if every_article_failed(summary):
        reasons = ", ".join(f"{r} x{n}" for r, n in sorted(failures.items()))
        return RunOutcome("failed", "articles_failed",
                          f"every one of the {summary.articles_failed} article pages asked "
                          f"for failed, nothing was stored ({reasons})")
    errors = int(failures.get("callback_error", 0))
    # Article pages asked for and none came to anything: an incremental run
    # with nothing new asks for none, and one error does not fail it.
    if errors and summary.articles_requested and not answered_articles(summary):
        return RunOutcome("failed", "callback_error",
                          f"{errors} errors in the crawl's handling of pages (first: "
                          f"{summary.callback_error or 'see the log'}), and no article "
                          "came of the run")
    if summary.finish_reason == "disk_full":
        return RunOutcome("failed", "disk_full", "the data folder ran out of space")
    problems = alarms(summary, fallback_alarm, quarantine_alarm)
    if problems:
        return RunOutcome("failed", "quality_alarm", "quality alarm: " + "; ".join(problems))
    return RunOutcome("completed", None, completed_message(summary))


def completed_message(summary: CrawlSummary) -> str:
    """One line: what the run did and what failed along the way."""
    parts = [f"{summary.pages_fetched} pages", f"{summary.articles_new} new",
             f"{summary.articles_updated} updated", f"{summary.articles_unchanged} unchanged"]
    if summary.quarantined:
        parts.append("quarantined " + ", ".join(
            f"{r} {n}" for r, n in sorted(summary.quarantined.items())))
    if summary.failures:
        parts.append("failed " + ", ".join(
            f"{r} {n}" for r, n in sorted(summary.failures.items())))
    bounds = {k: v for k, v in summary.discovery_bounds.items() if k != "duplicate"}
    if bounds:
        parts.append("left out by discovery bounds " + ", ".join(
            f"{k} {v}" for k, v in sorted(bounds.items())))
    return "; ".join(parts)
