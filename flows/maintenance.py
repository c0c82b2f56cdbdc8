"""Re-extraction and export over the store."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from pydantic import Field

from sites import SiteParameter
from storage.export import export
from storage.reextract import reextract
from storage.store import ArticleStore
from storage.warc import prune


@flow(name="reextract", flow_run_name="reextract {site}")
def reextract_flow(site: SiteParameter = "auto",
                   dry_run: bool = False) -> dict[str, Any]:
    """Re-clean the archived raw pages (WARC) of stored and quarantined pages with
    the current cleaner and quality gate; no HTTP. `dry_run` writes nothing."""
    result = reextract(ArticleStore(os.environ.get("ARCHIVE_DB_URL")), site=site,
                       dry_run=dry_run)
    get_run_logger().info("re-extraction: %s", result)
    create_markdown_artifact(key="reextract", markdown="\n".join(
        ["# Re-extraction", ""] + [f"- {k}: {v}" for k, v in sorted(result.items())]))
    return result


@flow(name="export", flow_run_name="export {format} to {out}")
def export_flow(format: Literal["jsonl", "csv", "parquet"] = "jsonl",  # noqa: A002
                out: str = "./data/export/articles.jsonl", since: date | None = None,
                until: date | None = None, category: str | None = None) -> dict[str, Any]:
    """Write the stored articles to a file (`since`/`until`: calendar days as
    the pages printed them)."""
    count = export(ArticleStore(os.environ.get("ARCHIVE_DB_URL"), read_only=True), format,
                   Path(out), since, until, category)
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
