"""The `archive` command."""

from __future__ import annotations

import os
import sys

import typer

from sites import (
    RegistryError,
    site_names,
)

from .console import (
    fail,
    out,
)
from .crawl_commands import crawl, demo, sites
from .extract_command import extract
from .import_command import import_warc
from .maintenance_commands import alerts, prune_warc, reextract, serve_command
from .mend_command import mend_names
from .reading_commands import export, failures, quarantine, search, show, stats
from .record_command import record
from .replica_command import replica_app

# The temporary Prefect API that `crawl` and `demo` start sends usage telemetry,
# which fails (with a traceback) on machines without internet; off unless asked for.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

# Plain help (click's): rich's panels showed every flag as `<bool>`.
app = typer.Typer(
    help="Crawl, clean and store news archives.", no_args_is_help=True, add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(replica_app, name="replica")


def show_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        from cleaning import CLEANER_VERSION

        out.print(f"archive {version('news-archive-pipeline')} (cleaner {CLEANER_VERSION})",
                  highlight=False)
        raise typer.Exit()


@app.callback()
def main(ctx: typer.Context,
         _version: bool = typer.Option(False, "--version", is_eager=True, callback=show_version,
                                       help="Print the version and exit.")) -> None:
    """Crawl, clean and store news archives."""
    if ctx.resilient_parsing or "--help" in sys.argv[1:]:
        return  # help is written from the shipped sites: it works whatever a module does
    try:
        site_names()  # a user's site module that cannot be loaded: one line, before anything
    except RegistryError as error:
        raise fail(str(error)) from None


app.command()(extract)
app.command(name="record-page")(record)
app.command("import")(import_warc)
app.command("mend-names")(mend_names)
app.command()(crawl)
app.command()(sites)
app.command()(demo)
app.command()(search)
app.command()(show)
app.command()(failures)
app.command()(quarantine)
app.command()(stats)
app.command()(export)
app.command()(reextract)
app.command("prune-warc")(prune_warc)
app.command("serve")(serve_command)
app.command()(alerts)


if __name__ == "__main__":
    app()
