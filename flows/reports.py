"""What a crawl run reports: the figures table, the quality report in
markdown, and the alarms. Plain functions of the run's summary, so they are
tested without Prefect."""

from __future__ import annotations

from typing import Any

from spiders.outcome import rates


def figures_table(summary: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [
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
    lines = [f"# Crawl run {summary.get('run_id')}: quality", "",
             "| extractor profile | articles |", "| --- | --- |"]
    for name, count in sorted(summary.get("extractors", {}).items()):
        lines.append(f"| {name} | {count} |")
    lines += ["", f"- fallback rate (generic took over): **{r['fallback_rate']:.1%}**",
              f"- quarantine rate: **{r['quarantine_rate']:.1%}**",
              f"- missing-date rate: **{r['missing_date_rate']:.1%}**",
              f"- pages fetched: {summary.get('pages_fetched', 0)}, "
              f"in {summary.get('duration_s', 0)} s"]
    if samples:
        lines += ["", "## Sample quarantined pages", "", "| url | reason | detail |",
                  "| --- | --- | --- |"]
        for sample in samples:
            detail = str(sample.get("detail", "")).replace("|", "\\|")[:120]
            lines.append(f"| {sample['url']} | {sample['reason']} | {detail} |")
    return "\n".join(lines)
