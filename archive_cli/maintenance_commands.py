"""Looking after the store and the deployments: `reextract`, `prune-warc`,
`serve`, `alerts`."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import Progress

from ingest.reextract import reextract as reextract_all
from sites import (
    shipped_names,
)
from storage.warc import NothingReadable

from .console import (
    DB_HELP,
    check_site,
    err,
    fail,
    open_store,
    out,
)
from .flow_runtime import flow_runtime
from .mend_command import SITE_FILTER_HELP, stored_site


def check_reading_site(site: str | None) -> str | None:
    return None if site is None else check_site(site)


def reextract(site: str | None = typer.Option(None, help=SITE_FILTER_HELP),
              read_as: str | None = typer.Option(
                  None, callback=check_reading_site,
                  help=f"Read every page as this site ({', '.join(shipped_names())}, or a "
                       "site module's); default: "
                       "each as the site it is stored under, else auto."),
              dry_run: bool = typer.Option(False, "--dry-run",
                                           help="Report what would change; write nothing."),
              db: str | None = typer.Option(None, help=DB_HELP)) -> None:
    """Re-clean the archived raw pages (WARC) of stored and quarantined pages with
    the current cleaner and quality gate; no HTTP."""
    store = open_store(db)
    site = stored_site(store, site)
    with Progress(console=err) as progress:
        task = progress.add_task("re-extracting", total=None)
        try:
            result = reextract_all(store, site=site, read_as=read_as, dry_run=dry_run,
                                   progress=lambda n: progress.update(task, completed=n))
        except NothingReadable as error:
            raise fail(str(error), code=1) from None
    prefix = "would be " if dry_run else ""
    out.print(", ".join(f"{prefix if k in ('updated', 'recovered') else ''}{k} {v}"
                        for k, v in sorted(result.items())))


def positive_days(value: float) -> float:
    if value <= 0:
        raise typer.BadParameter(f"must be a positive number of days, not {value:g}")
    return value


def prune_warc(
    older_than: float = typer.Option(..., "--older-than", callback=positive_days,
                                     help="Delete WARC files older than this many days."),
    data_dir: str | None = typer.Option(
        None, help="The data folder whose warc/ folder is pruned (default: $ARCHIVE_DATA_DIR, "
                   "else ./data)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List what would be deleted; "
                                                          "delete nothing."),
) -> None:
    """Retention: delete old WARC files (re-extraction cannot use what is deleted)."""
    from storage.warc import prune

    folder = Path(data_dir or os.environ.get("ARCHIVE_DATA_DIR") or "./data") / "warc"
    try:
        removed = prune(folder, older_than, dry_run=dry_run)
    except FileNotFoundError:
        raise fail(f"no WARC folder at {folder} (give --data-dir, the folder a crawl wrote "
                   "to)") from None
    except OSError as error:
        raise fail(f"cannot prune {folder}: {error.strerror or error}") from None
    for path in removed if dry_run else []:
        out.print(f"would delete {escape(str(path))}", highlight=False, soft_wrap=True)
    out.print(f"{len(removed)} WARC files older than {older_than:g} days "
              f"{'would be ' if dry_run else ''}deleted from {escape(str(folder))}",
              highlight=False, soft_wrap=True)


def serve_command() -> None:
    """Serve every deployment of prefect.yaml with its schedule from one process."""
    from flows.serve import ServeConflict, serve_all

    # Against the command's own API when none is given (one in a session of
    # its own, so a terminal's Ctrl-C stops serve, and serve's last words to
    # the API, pausing its schedules, still reach it), stopped when serve ends.
    with flow_runtime():
        try:
            paused = serve_all()
        except ServeConflict as error:
            raise fail(str(error)) from None
        except Exception as error:  # the API went away as serve stopped
            raise fail(f"serve stopped, but its schedules could not be paused: "
                       f"{str(error).splitlines()[0] if str(error) else type(error).__name__}",
                       code=1) from None
        err.print(f"serve stopped: the schedules of its {paused} deployments are paused")


def alerts(webhook: str = typer.Option(
        os.environ.get("ARCHIVE_ALERT_WEBHOOK", ""),
        help="URL to POST to when a crawl run fails (default: $ARCHIVE_ALERT_WEBHOOK).")) -> None:
    """Install the automation that calls a webhook when a crawl run fails."""
    if not webhook.startswith(("http://", "https://")):
        raise fail("--webhook: give an http(s) URL (or set ARCHIVE_ALERT_WEBHOOK)")
    from flows.alerts import install_failure_webhook

    automation = install_failure_webhook(webhook)
    out.print(f"automation {automation.name!r} installed ({automation.id})")
