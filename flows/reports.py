"""What a crawl run reports: the figures table and the quality report in
markdown; and what the fleet reports, one row per site. Plain functions of
the runs' summaries, so they are tested without Prefect."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from spiders.outcome import rates
from spiders.summary import CrawlSummary

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~-])")


def markdown_text(text: str) -> str:
    """Text from a page (URLs, titles, reasons) shown literally in Markdown:
    `![pixel](http://...)` in a URL must never become an image or a link."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def markdown_url(url: str) -> str:
    """A URL as a code span: shown, never auto-linked or rendered."""
    return "`" + url.replace("`", "%60").replace("|", "%7C").replace("\n", "") + "`"


# The counts of a summary as the figures table names them: one list, so the
# table can be read back (the fleet reads its sites' runs from their tables).
FIGURE_LABELS = {
    "pages_fetched": "pages fetched",
    "articles_new": "articles new",
    "articles_updated": "articles updated",
    "articles_unchanged": "articles unchanged",
    "articles_not_modified": "articles not modified (304)",
    "articles_gone": "articles gone (404/410)",
}
_FAILED_PREFIX = "failed: "


def figures_table(summary: CrawlSummary) -> list[dict[str, Any]]:
    rows: list[tuple[str, Any]] = [("outcome", summary.outcome_label)]
    rows += [(label, getattr(summary, key)) for key, label in FIGURE_LABELS.items()]
    rows += [(f"quarantined: {reason}", count)
             for reason, count in sorted(summary.quarantined.items())]
    rows += [(f"{_FAILED_PREFIX}{reason}", count)
             for reason, count in sorted(summary.failures.items())]
    rows += [("duration (s)", summary.duration_s),
             ("pages per second", summary.pages_per_s)]
    return [{"figure": name, "value": value} for name, value in rows]


def quality_markdown(summary: CrawlSummary, samples: list[dict[str, Any]]) -> str:
    r = rates(summary)
    failed = summary.failed_total
    lines = [f"# Crawl of {markdown_text(summary.base_url or '')}: "
             f"{summary.outcome_label or 'unknown'}", "",
             f"{markdown_text(summary.outcome.message if summary.outcome else '')}", "",
             "| extractor profile | articles |", "| --- | --- |"]
    for name, count in sorted(summary.extractors.items()):
        lines.append(f"| {markdown_text(name)} | {count} |")
    lines += ["", f"- fallback rate (generic took over): **{r['fallback_rate']:.1%}**",
              f"- pages quarantined after cleaning: **{summary.quarantined_total}** "
              f"({r['quarantine_rate']:.1%} of the article pages cleaned)",
              f"- requests that failed: **{failed}**"
              + (" (" + ", ".join(f"{markdown_text(k)} {v}" for k, v in
                                  sorted(summary.failures.items())) + ")" if failed else ""),
              f"- missing-date rate: **{r['missing_date_rate']:.1%}**",
              f"- pages fetched: {summary.pages_fetched}, "
              f"in {summary.duration_s} s (store run {summary.run_id})"]
    if samples:
        lines += ["", "## Sample quarantined pages (cleaner, quality gate, or a permanent "
                  "fetch failure)", "", "| url | reason | detail |", "| --- | --- | --- |"]
        for sample in samples:
            lines.append(f"| {markdown_url(str(sample['url']))} | "
                         f"{markdown_text(str(sample['reason']))} | "
                         f"{markdown_text(str(sample.get('detail', ''))[:120])} |")
    return "\n".join(lines)


def summary_from_figures(table: list[dict[str, Any]]) -> CrawlSummary:
    """The counts of a run read back from its figures table (`figures_table`):
    what another process (the fleet) can know of a run, from the API alone."""
    values = {str(row.get("figure")): row.get("value") for row in table}
    return CrawlSummary.model_validate({
        **{key: int(values.get(label) or 0) for key, label in FIGURE_LABELS.items()},
        "failures": {name.removeprefix(_FAILED_PREFIX): int(value or 0)
                     for name, value in values.items() if name.startswith(_FAILED_PREFIX)}})


@dataclass(frozen=True)
class SiteRunReport:
    """One site's crawl under the fleet, as the fleet saw it end."""

    site: str  # its name in the sites file
    state: str  # its flow run's state name (Completed, Failed, Cancelled, Crashed, ...)
    failed: bool  # failed, crashed, or not finished by the fleet's deadline
    message: str = ""  # the state's message: why it failed or was cancelled
    summary: CrawlSummary | None = None  # its counts, when the crawl got to report them


def fleet_table(reports: list[SiteRunReport]) -> list[dict[str, Any]]:
    """The fleet's table artifact: one row per site. A crawl that never
    reported (cancelled, crashed, unreachable) has blank counts, not zeros."""
    rows = []
    for report in reports:
        summary = report.summary
        counts: dict[str, Any] = {"pages fetched": "", "new": "", "updated": "",
                                  "failures": ""}
        if summary is not None:
            counts = {"pages fetched": summary.pages_fetched, "new": summary.articles_new,
                      "updated": summary.articles_updated, "failures": summary.failed_total}
        rows.append({"site": report.site, "state": report.state, **counts,
                     "message": report.message})
    return rows
