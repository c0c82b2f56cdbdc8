"""`archive import PATH...`: web archives made elsewhere (Common Crawl, the
Internet Archive, `wget --warc-file`) through the crawl's ingest step.

Registered in archive_cli/main.py with `app.command("import")(import_warc)`;
what it shares with the other commands (`open_store`, `fail`, the consoles)
comes from archive_cli/console.py, so main.py can import this module."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sites import shipped_names

from .console import DB_HELP, check_site, err, fail, open_store, out, print_json

if TYPE_CHECKING:
    from ingest.warc_import import ImportResult


def import_warc(
    paths: list[Path] = typer.Argument(
        ..., help="WARC or WARC.gz files, or folders of them (searched recursively).",
        show_default=False),
    site: str = typer.Option("auto", callback=check_site,
                             help=f"Site to read the pages as: {', '.join(shipped_names())}, or a "
                                  "site module's."),
    host: list[str] = typer.Option(
        [], "--host", help="Only records of this host, its www. twin included (repeatable)."),
    json: bool = typer.Option(False, "--json", help="Print the result as one JSON object."),
    db: str | None = typer.Option(None, help=DB_HELP),
) -> None:
    """Import WARC files made elsewhere: every HTML response is cleaned, gated and
    stored like a crawled page (a revision only when its text changed, never over
    a newer one), or quarantined with its reason; the capture date is the fetch
    date. An archived copy under another form of a stored article's URL (http or
    https, www., a trailing slash, tracking parameters) is that article."""
    from ingest.warc_import import ImportInputError, warc_files
    from ingest.warc_import import import_warc as run_import
    from storage.store import StoreError

    try:  # a missing path or a file that is not a WARC file: before the store is opened
        files = warc_files(paths)
    except ImportInputError as error:
        raise fail(str(error)) from None
    store = open_store(db)
    total = sum(path.stat().st_size for path in files)
    columns = (BarColumn(bar_width=20), DownloadColumn(), TimeElapsedColumn(),
               TextColumn("{task.fields[figures]}"))
    with Progress(*columns, console=err) as progress:
        task = progress.add_task("import", total=total, figures="")
        shown = [0.0]

        def on_progress(result: ImportResult, position: int) -> None:
            if time.monotonic() - shown[0] < 0.1 and position < total:
                return
            shown[0] = time.monotonic()
            progress.update(task, completed=position, figures=figures_line(result))

        try:
            result = run_import(store, files, site=site, hosts=host, progress=on_progress)
        except (StoreError, ImportInputError) as error:
            raise fail(str(error), 1) from None
        progress.update(task, completed=total, figures=figures_line(result))
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)
    if json:
        print_json(result.as_dict())
    else:
        show_result(result)
    why = result.nothing_usable()
    if why:  # docs/outcomes.md: a run that achieved nothing is a failure
        raise fail(why, 1)


def figures_line(result: ImportResult) -> str:
    """The progress bar's figures: records read, articles, what was skipped."""
    skipped = sum(result.skipped.values())
    quarantined = sum(result.quarantined.values())
    return (f"{result.records} records · new {result.new} · updated {result.updated} · "
            f"unchanged {result.unchanged + result.stale} · skipped {skipped} · "
            f"quarantined {quarantined}")


def show_result(result: ImportResult) -> None:
    table = Table(title=f"import of {result.files} WARC file{'s' * (result.files != 1)}",
                  show_header=False)
    rows: list[tuple[str, object]] = [
        ("records read", result.records), ("articles new", result.new),
        ("articles updated", result.updated), ("articles unchanged", result.unchanged),
        ("older than stored (left alone)", result.stale)]
    rows += [(f"quarantined: {reason}", count)
             for reason, count in sorted(result.quarantined.items())]
    rows += [(f"skipped: {reason}", count) for reason, count in sorted(result.skipped.items())]
    rows.append(("names learned", result.names_learned))
    rows.append(("duration (s)", f"{result.duration_s:.1f}"))
    for name, value in rows:
        table.add_row(escape(name), str(value))
    out.print(table)
