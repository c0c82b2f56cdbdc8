"""Maintenance over the store: re-extraction, export, the names' mend job
and WARC retention."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from pydantic import Field

from ingest.mend_names import mend_names
from ingest.reextract import reextract
from storage.export import export
from storage.store import ArticleStore
from storage.warc import prune

# A stored site's name: the sites file's or registry's, or a host (`archive stats`).
StoredSite = Annotated[str, Field(
    description="Only the articles stored under this site name (all sites when not given).",
    min_length=1)] | None
ReadAs = Annotated[str, Field(
    description="Read every page as this registered site or profile (`archive sites`); "
                "when not given, each as the site it is stored under, else auto.")] | None


@flow(name="reextract", flow_run_name="reextract")
def reextract_flow(site: StoredSite = None, read_as: ReadAs = None,
                   dry_run: bool = False) -> dict[str, Any]:
    """Re-clean the archived raw pages (WARC) of stored and quarantined pages with
    the current cleaner and quality gate; no HTTP. Each page is read as
    `read_as`, else as the site it is stored under. `dry_run` writes nothing."""
    result = reextract(ArticleStore(os.environ.get("ARCHIVE_DB_URL")), site=site,
                       read_as=read_as, dry_run=dry_run)
    get_run_logger().info("re-extraction: %s", result)
    create_markdown_artifact(key="reextract", markdown="\n".join(
        ["# Re-extraction", ""] + [f"- {k}: {v}" for k, v in sorted(result.items())]))
    return result


@flow(name="export", flow_run_name="export {format} to {out}")
def export_flow(format: Literal["jsonl", "csv", "parquet"] = "jsonl",  # noqa: A002
                out: str = "./data/export/articles.jsonl", since: date | None = None,
                until: date | None = None, category: str | None = None,
                site: StoredSite = None) -> dict[str, Any]:
    """Write the stored articles to a file (`since`/`until`: calendar days as
    the pages printed them)."""
    count = export(ArticleStore(os.environ.get("ARCHIVE_DB_URL"), read_only=True), format,
                   Path(out), since, until, category, site=site)
    get_run_logger().info("exported %d articles to %s", count, out)
    return {"articles": count, "out": out}


@flow(name="prune-warc", flow_run_name="prune-warc older than {older_than_days} days")
def prune_warc_flow(older_than_days: Annotated[float, Field(gt=0)]) -> dict[str, Any]:
    """Retention, as maintenance of its own (never during a crawl): delete WARC
    files older than `older_than_days` under $ARCHIVE_DATA_DIR/warc."""
    folder = Path(os.environ.get("ARCHIVE_DATA_DIR") or "./data") / "warc"
    removed = prune(folder, older_than_days)
    get_run_logger().info("deleted %d WARC files older than %g days from %s", len(removed),
                          older_than_days, folder)
    return {"deleted": [str(p) for p in removed]}


@flow(name="mend-names", flow_run_name="mend-names")
def mend_names_flow(site: StoredSite = None, dry_run: bool = False) -> dict[str, Any]:
    """Learn the display names of sections, tags and authors from the stored
    articles' WARC records (no HTTP) and merge the names stored as slugs into
    them (docs/names.md). Idempotent; `dry_run` writes nothing."""
    result = mend_names(ArticleStore(os.environ.get("ARCHIVE_DB_URL")), site=site,
                        dry_run=dry_run)
    would = "would be " if dry_run else ""
    get_run_logger().info("mend-names: %d pages read, %d names %slearned, %d %smerged",
                          result.articles, len(result.learned), would, len(result.merged), would)
    lines = ["# Names mended" + (" (dry run)" if dry_run else ""), "",
             f"- archived pages read: {result.articles} ({result.unreadable} unreadable)",
             f"- names {would}learned: {len(result.learned)}",
             f"- names {would}merged: {len(result.merged)}", ""]
    if result.merged:
        lines += ["| site | kind | name | into | articles |", "| --- | --- | --- | --- | --- |"]
        lines += [f"| {_cell(m.site)} | {m.kind} | {_cell(m.name)} | {_cell(m.into)} | "
                  f"{m.articles} |" for m in result.merged]
    create_markdown_artifact(key="mend-names", markdown="\n".join(lines))
    return result.as_dict()


def _cell(text: str) -> str:
    """A name in a Markdown table cell: a `|` would end the cell."""
    return text.replace("|", "\\|").replace("\n", " ")
