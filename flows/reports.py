"""What a crawl run reports: the figures table, the quality report in
markdown, and the alarms. Plain functions of the run's summary, so they are
tested without Prefect."""

from __future__ import annotations

from typing import Any

FALLBACK_ALARM = 0.2  # more than a fifth of articles cleaned by `generic`: a changed template
QUARANTINE_ALARM = 0.3  # more than 30% of article pages quarantined


def stored(summary: dict[str, Any]) -> int:
    return int(summary.get("articles_new", 0) + summary.get("articles_updated", 0)
               + summary.get("articles_unchanged", 0))


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


def rates(summary: dict[str, Any]) -> dict[str, float]:
    articles = stored(summary)
    quarantined = sum(summary.get("quarantined", {}).values())
    pages = articles + quarantined
    return {
        "fallback_rate": summary.get("fallbacks", 0) / articles if articles else 0.0,
        "quarantine_rate": quarantined / pages if pages else 0.0,
        "missing_date_rate": summary.get("missing_dates", 0) / articles if articles else 0.0,
    }


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


def alarms(summary: dict[str, Any], fallback_alarm: float = FALLBACK_ALARM,
           quarantine_alarm: float = QUARANTINE_ALARM, min_pages: int = 10) -> list[str]:
    """Why this run must be marked failed: a site that changed its template."""
    r = rates(summary)
    pages = stored(summary) + sum(summary.get("quarantined", {}).values())
    if pages < min_pages:  # too few pages to judge
        return []
    found = []
    if r["fallback_rate"] > fallback_alarm:
        found.append(f"fallback rate {r['fallback_rate']:.0%} is over {fallback_alarm:.0%}: "
                     "the site profile found no body on many pages (changed template?)")
    if r["quarantine_rate"] > quarantine_alarm:
        found.append(f"quarantine rate {r['quarantine_rate']:.0%} is over "
                     f"{quarantine_alarm:.0%}: many fetched pages did not clean into articles")
    return found
