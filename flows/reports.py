"""What a crawl run reports: the figures table and the quality report in
markdown; and what the fleet reports, one row per site. Plain functions of
the runs' summaries, so they are tested without Prefect."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from spiders.outcome import rates

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


def figures_table(summary: dict[str, Any]) -> list[dict[str, Any]]:
    outcome = summary.get("outcome") or {}
    rows: list[tuple[str, Any]] = [
        ("outcome", outcome.get("state", "") + (f" ({outcome['cause']})"
                                                if outcome.get("cause") else "")),
    ]
    rows += [(label, summary.get(key, 0)) for key, label in FIGURE_LABELS.items()]
    rows += [(f"quarantined: {reason}", count)
             for reason, count in sorted(summary.get("quarantined", {}).items())]
    rows += [(f"{_FAILED_PREFIX}{reason}", count)
             for reason, count in sorted(summary.get("failures", {}).items())]
    rows += [("duration (s)", summary.get("duration_s", 0)),
             ("pages per second", summary.get("pages_per_s", 0))]
    return [{"figure": name, "value": value} for name, value in rows]


def quality_markdown(summary: dict[str, Any], samples: list[dict[str, Any]]) -> str:
    r = rates(summary)
    outcome = summary.get("outcome") or {}
    cleaned_out = sum((summary.get("quarantined") or {}).values())
    failed = sum((summary.get("failures") or {}).values())
    lines = [f"# Crawl of {markdown_text(str(summary.get('base_url', '')))}: "
             f"{outcome.get('state', 'unknown')}"
             + (f" ({outcome['cause']})" if outcome.get("cause") else ""), "",
             f"{markdown_text(str(outcome.get('message', '')))}", "",
             "| extractor profile | articles |", "| --- | --- |"]
    for name, count in sorted(summary.get("extractors", {}).items()):
        lines.append(f"| {markdown_text(name)} | {count} |")
    lines += ["", f"- fallback rate (generic took over): **{r['fallback_rate']:.1%}**",
              f"- pages quarantined after cleaning: **{cleaned_out}** "
              f"({r['quarantine_rate']:.1%} of the article pages cleaned)",
              f"- requests that failed: **{failed}**"
              + (" (" + ", ".join(f"{markdown_text(k)} {v}" for k, v in
                                  sorted(summary["failures"].items())) + ")" if failed else ""),
              f"- missing-date rate: **{r['missing_date_rate']:.1%}**",
              f"- pages fetched: {summary.get('pages_fetched', 0)}, "
              f"in {summary.get('duration_s', 0)} s (store run {summary.get('run_id')})"]
    if samples:
        lines += ["", "## Sample quarantined pages (cleaner, quality gate, or a permanent "
                  "fetch failure)", "", "| url | reason | detail |", "| --- | --- | --- |"]
        for sample in samples:
            lines.append(f"| {markdown_url(str(sample['url']))} | "
                         f"{markdown_text(str(sample['reason']))} | "
                         f"{markdown_text(str(sample.get('detail', ''))[:120])} |")
    return "\n".join(lines)


def summary_from_figures(table: list[dict[str, Any]]) -> dict[str, Any]:
    """The counts of a run read back from its figures table (`figures_table`):
    what another process (the fleet) can know of a run, from the API alone."""
    values = {str(row.get("figure")): row.get("value") for row in table}
    summary: dict[str, Any] = {key: int(values.get(label) or 0)
                               for key, label in FIGURE_LABELS.items()}
    summary["failures"] = {name.removeprefix(_FAILED_PREFIX): int(value or 0)
                           for name, value in values.items()
                           if name.startswith(_FAILED_PREFIX)}
    return summary


@dataclass(frozen=True)
class SiteRunReport:
    """One site's crawl under the fleet, as the fleet saw it end."""

    site: str  # its name in the sites file
    state: str  # its flow run's state name (Completed, Failed, Cancelled, Crashed, ...)
    failed: bool  # failed, crashed, or not finished by the fleet's deadline
    message: str = ""  # the state's message: why it failed or was cancelled
    summary: dict[str, Any] | None = None  # its counts, when the crawl got to report them


def fleet_table(reports: list[SiteRunReport]) -> list[dict[str, Any]]:
    """The fleet's table artifact: one row per site. A crawl that never
    reported (cancelled, crashed, unreachable) has blank counts, not zeros."""
    rows = []
    for report in reports:
        summary = report.summary
        counts: dict[str, Any] = {"pages fetched": "", "new": "", "updated": "",
                                  "failures": ""}
        if summary is not None:
            counts = {"pages fetched": summary.get("pages_fetched", 0),
                      "new": summary.get("articles_new", 0),
                      "updated": summary.get("articles_updated", 0),
                      "failures": sum((summary.get("failures") or {}).values())}
        rows.append({"site": report.site, "state": report.state, **counts,
                     "message": report.message})
    return rows
