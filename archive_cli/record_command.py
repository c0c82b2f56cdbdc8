"""`archive record-page`: keep a page as a site version's recorded page, with
the article it makes as the expectation (review the JSON before committing)."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import typer

from cleaning import ExtractionError
from sites import site_names
from sites.recorded import record_page

from .console import fail, out


def record(
    page: Path = typer.Argument(..., help="The page as served (.html, or .html.gz)."),
    url: str = typer.Option(..., help="The URL it was served at."),
    site: str = typer.Option(..., help="The site whose parser reads it."),
    fetched: str = typer.Option(date.today().isoformat(),
                                help="The day it was fetched (YYYY-MM-DD): picks the version."),
    out_dir: Path = typer.Option(Path("tests/recorded"), "--out",
                                 help="Where recorded pages live (one folder per site version)."),
    name: str | None = typer.Option(None, help="The file name (default: from the URL)."),
) -> None:
    """Record a page for a site's parser version, and write the article it
    makes beside it as the expected output."""
    if site not in site_names():
        raise fail(f"--site: {site!r} is not one of {', '.join(site_names())}")
    try:
        day = date.fromisoformat(fetched)
    except ValueError:
        raise fail(f"--fetched: {fetched!r} is not a date (YYYY-MM-DD)") from None
    try:
        body = page.read_bytes()
    except OSError as error:
        raise fail(f"{page}: cannot read it: {error.strerror or error}") from None
    if page.suffix == ".gz":
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError) as error:
            raise fail(f"{page}: not a gzip file: {error}") from None
    try:
        recorded = record_page(body, url, site, day, out_dir, name)
    except ExtractionError as error:
        raise fail(f"{page}: {error}") from None
    except OSError as error:
        raise fail(f"{out_dir}: cannot write there: {error.strerror or error}") from None
    out.print(f"recorded {recorded.html_path} and {recorded.expected_path}: review the "
              "expected article before you commit it", soft_wrap=True, highlight=False)
