"""What a crawl run reports: the figures table and the quality report in
markdown. Plain functions of the run's summary, so they are tested without
Prefect."""

from __future__ import annotations

import re
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


def figures_table(summary: dict[str, Any]) -> list[dict[str, Any]]:
    outcome = summary.get("outcome") or {}
    rows: list[tuple[str, Any]] = [
        ("outcome", outcome.get("state", "") + (f" ({outcome['cause']})"
                                                if outcome.get("cause") else "")),
        ("pages fetched", summary.get("pages_fetched", 0)),
        ("articles new", summary.get("articles_new", 0)),
        ("articles updated", summary.get("articles_updated", 0)),
        ("articles unchanged", summary.get("articles_unchanged", 0)),
        ("articles not modified (304)", summary.get("articles_not_modified", 0)),
        ("articles gone (404/410)", summary.get("articles_gone", 0)),
    ]
    rows += [(f"quarantined: {reason}", count)
             for reason, count in sorted(summary.get("quarantined", {}).items())]
    rows += [(f"failed: {reason}", count)
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
