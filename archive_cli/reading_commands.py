"""Reading the store: `search`, `show`, `failures`, `quarantine`, `stats`,
`export`."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import typer
from rich.markup import escape
from rich.table import Table

from cleaning import canonical_form
from spiders.coverage import Coverage
from spiders.summary import CrawlSummary
from storage.export import FORMATS, ExportError, article_record
from storage.export import export as export_articles
from storage.naming import name_key
from storage.store import ArticleStore

from .console import (
    DB_HELP,
    JSON_HELP,
    as_text,
    err,
    fail,
    open_store,
    out,
    print_json,
    show_stored,
)
from .mend_command import SITE_FILTER_HELP, stored_site


# --- the store -------------------------------------------------------------------------
def parse_day(value: str | None, option: str) -> date | None:
    """A calendar day, compared with the day each page printed."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option}: {value!r} is not a date like 2014-04-16") from None


def parse_moment(value: str | None, option: str) -> datetime | None:
    """A moment (a bare date is its midnight UTC)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise fail(f"{option}: {value!r} is not a date or time like 2024-05-01T12:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def search(query: str = typer.Argument(..., help="Words to look for."),
           limit: int = typer.Option(20, min=1, max=1000, help="Show at most this many."),
           site: str | None = typer.Option(None, help=SITE_FILTER_HELP),
           as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
           db: str | None = typer.Option(None, help=DB_HELP)) -> None:
    """Full-text search over the stored articles."""
    if not re.search(r"\w", query):  # the user's mistake first, before the store's
        raise fail("the search query has no words to look for")
    store = open_store(db, read_only=True)
    site = stored_site(store, site)
    try:
        hits = store.search(query, limit=limit, site=site)
        total = store.count_matches(query, site=site)
    except ValueError as error:
        raise fail(str(error)) from None
    if as_json:
        for hit in hits:
            print_json(article_record(hit))
        return
    for hit in hits:  # one line each, the URL whole: it can be pasted into `archive show`
        day = str(hit["published"] or "")[:10] or "-"
        out.print(f"{day}  {escape(hit['canonical_url'])}  {escape(hit['title'])}",
                  soft_wrap=True, highlight=False)
    out.print(f"{len(hits)} of {total} matching articles shown" if total > len(hits)
              else f"{total} matching articles")


def show(url: str = typer.Argument(..., help="An article's URL (any form of it)."),
         revisions: bool = typer.Option(False, "--revisions",
                                        help="List its revisions with their provenance."),
         diff: tuple[int, int] | None = typer.Option(
             None, help="Show what changed between two revisions (numbers), with --revisions; "
                        "default: the last two."),
         as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
         db: str | None = typer.Option(None, help=DB_HELP)) -> None:
    """Print one stored article (or its revisions)."""
    store = open_store(db, read_only=True)
    row = store.get(canonical_form(url))
    if row is None:
        raise fail(f"no stored article at {url}", 1)
    if revisions:
        show_revisions(store.revisions(row["canonical_url"]), diff, as_json)
    elif as_json:
        print_json(article_record(row))
    else:
        show_stored(row)


def parser_of(revision: dict) -> str:
    """The parser version that read a revision (`aawsat-1@2005-01-01`); a
    revision stored before parsers were recorded names its extractor."""
    return str(revision.get("parser") or revision["extractor"])


def show_revisions(rows: list[dict], diff: tuple[int, int] | None, as_json: bool) -> None:
    numbers = {r["number"]: r for r in rows}
    if diff is None and len(rows) >= 2:
        diff = (rows[-2]["number"], rows[-1]["number"])
    if diff is not None and not all(n in numbers for n in diff):
        raise fail(f"--diff: this article has revisions {', '.join(map(str, numbers))}, "
                   f"not {diff[0]} and {diff[1]}")
    if as_json:
        for r in rows:
            print_json({k: v for k, v in r.items() if k != "body"})
        return
    for r in rows:  # one line each: paths whole, whatever the width
        record = f"{r['warc_file']}@{r['warc_offset']}" if r["warc_file"] else "-"
        out.print(f"revision {r['number']}  fetched {r['fetched_at'].isoformat(timespec='seconds')}"
                  f"  run {r['crawl_run_id'] or '-'}  parser {escape(parser_of(r))} "
                  f"{escape(r['cleaner_version'])}  WARC {escape(record)}  "
                  f"hash {r['content_hash'][:12]}", soft_wrap=True, highlight=False)
    if diff is not None:
        old, new = numbers[diff[0]], numbers[diff[1]]
        lines = difflib.unified_diff(
            [old["title"], *old["body"].split("\n\n")], [new["title"], *new["body"].split("\n\n")],
            f"revision {diff[0]}", f"revision {diff[1]}", lineterm="", n=1)
        out.print("\n".join(lines) or "(no difference in title and body)", markup=False,
                  highlight=False, soft_wrap=True)


def known_failure_reason(reason: str | None) -> str | None:
    from spiders.failures import FAILURE_REASONS

    return _known_reason(reason, FAILURE_REASONS, "a fetch failure's")


def known_quarantine_reason(reason: str | None) -> str | None:
    from spiders.failures import QUARANTINE_REASONS

    return _known_reason(reason, QUARANTINE_REASONS, "a quarantine")


def _known_reason(reason: str | None, known: Iterable[str], what: str) -> str | None:
    if reason is not None and reason not in known:
        raise typer.BadParameter(f"{reason!r} is not {what} reason; the reasons are "
                                 f"{', '.join(sorted(known))}")
    return reason


def failures(reason: str | None = typer.Option(None, callback=known_failure_reason,
                                                help="Only this reason (http_404, ...)."),
             run: int | None = typer.Option(None, help="Only this crawl run."),
             limit: int = typer.Option(100, min=1, max=100_000),
             as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
             db: str | None = typer.Option(None, help=DB_HELP)) -> None:
    """Requests that failed, with their reasons, newest first."""
    list_rows(open_store(db, read_only=True).failure_rows(reason, run, limit), as_json)


def quarantine(reason: str | None = typer.Option(None, callback=known_quarantine_reason,
                                                  help="Only this reason (too_short, ...)."),
               run: int | None = typer.Option(None, help="Only this crawl run."),
               limit: int = typer.Option(100, min=1, max=100_000),
               as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
               db: str | None = typer.Option(None, help=DB_HELP)) -> None:
    """Pages fetched but not stored as articles, with their reasons, newest first."""
    list_rows(open_store(db, read_only=True).quarantine_rows(reason, run, limit), as_json)


def list_rows(rows: list[dict], as_json: bool) -> None:
    for row in rows:
        if as_json:
            print_json(row)
        else:  # one line each, the URL whole
            out.print(f"{row['at']:%Y-%m-%d %H:%M}  {escape(row['reason'])}  "
                      f"{escape(row['url'])}  {escape(str(row['detail'])[:120])}",
                      soft_wrap=True, highlight=False)
    if not as_json:
        err.print(f"{len(rows)} shown")


def stats(site: str | None = typer.Option(None, help=SITE_FILTER_HELP),
          as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
          db: str | None = typer.Option(None, help=DB_HELP)) -> None:
    """What the store holds (per site too), and the last runs."""
    store = open_store(db, read_only=True)
    figures = store.stats(site=stored_site(store, site))
    recent = [(r, CrawlSummary.model_validate(r["stats"] or {})) for r in store.runs(5)]
    if as_json:
        print_json({**figures, "recent_runs": [
            {"id": r["id"], "site": run_site(r, s), "status": r["status"],
             "started": r["started"], "finished": r["finished"],
             **s.as_record(include={"outcome", "pages_fetched", "articles_new", "coverage"})}
            for r, s in recent]})
        return
    per_site = figures.pop("sites")
    table = Table(show_header=False)
    for key, value in figures.items():
        table.add_row(key, escape(as_text(value)))
    out.print(table)
    sites_table = Table("site", "articles", "gone", "categories", "tags", "authors")
    for name, counts in per_site.items():
        sites_table.add_row(escape(name), *(str(counts[k]) for k in (
            "articles", "gone", "categories", "tags", "authors")))
    if per_site:
        out.print(sites_table)
    for run, summary in recent:
        cause = summary.outcome.cause if summary.outcome else None
        coverage = summary.coverage
        covered = f", {coverage.stored} of {coverage.found} listed articles stored" \
            if coverage else ""
        out.print(f"run {run['id']} {escape(run_site(run, summary))}: {run['status']}"
                  f"{f' ({cause})' if cause else ''} "
                  f"{run['started']:%Y-%m-%d %H:%M}, {summary.pages_fetched} pages, "
                  f"{summary.articles_new} new{covered}", highlight=False, soft_wrap=True)
    last = next((s.coverage for _run, s in recent if s.coverage), None)
    if last:
        show_coverage(last)


def run_site(run: dict[str, Any], summary: CrawlSummary) -> str:
    """The site a run crawled: the name it stored under, else its base URL's host."""
    params = run["params"] or {}
    return summary.site or params.get("site_label") or \
        urlsplit(params.get("base_url") or "").netloc or "-"


def show_coverage(coverage: Coverage) -> None:
    """The listings of a crawl and how each walk ended; what was never stored."""
    table = Table("listing", "kind", "pages", "ended", "found", "stored",
                  title="coverage of the last crawl")
    for row in coverage.listings:
        table.add_row(escape(urlsplit(row.listing).path or "/"), row.kind, str(row.pages),
                      escape(row.ended), str(row.found), str(row.stored))
    out.print(table)
    for missing in coverage.missing:
        out.print(f"not stored: {escape(missing.url)} ({escape(missing.why)})",
                  highlight=False, soft_wrap=True)
    if coverage.missing_total > len(coverage.missing):
        out.print(f"... and {coverage.missing_total - len(coverage.missing)} more")


def export(
    format: str = typer.Option(..., "--format", help="jsonl, csv or parquet."),  # noqa: A002
    out_path: str = typer.Option(..., "--out", help="The file to write, or - for stdout."),
    since: str | None = typer.Option(None, help="Published on or after (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, help="Published before (YYYY-MM-DD)."),
    category: str | None = typer.Option(None, help="A category's display name."),
    fetched_since: str | None = typer.Option(
        None, help="Only articles fetched at or after this (2024-05-01 or an ISO moment): "
                   "deltas for a corpus kept in step."),
    site: str | None = typer.Option(None, help=SITE_FILTER_HELP),
    db: str | None = typer.Option(None, help=DB_HELP),
) -> None:
    """Export the stored articles (fields: see the README), with a manifest beside."""
    if format not in FORMATS:
        raise fail(f"--format: {format!r} is not one of {', '.join(FORMATS)}")
    first, last = parse_day(since, "--since"), parse_day(until, "--until")
    fetched = parse_moment(fetched_since, "--fetched-since")
    if first and last and first >= last:
        raise fail(f"--since {first} is not before --until {last}: no day is between them")
    store = open_store(db, read_only=True)
    site = stored_site(store, site)
    category = stored_category(store, category, site)
    target = None if out_path == "-" else Path(out_path)
    try:
        count = export_articles(store, format, target, first, last, category, fetched, site)
    except ExportError as error:
        raise fail(str(error)) from None
    err.print(f"{count} articles written to {escape(out_path if target else 'stdout')}")


def stored_category(store: ArticleStore, category: str | None, site: str | None) -> str | None:
    """A --category filter as the store holds it: a display name, or a
    section's slug the store knows the name of (`news-middle-east`); one that
    can match nothing is the user's mistake, said with the names nearest it."""
    if category is None:
        return None
    names = store.category_names(site)
    if category in names:
        return category
    for stored in ([site] if site else store.stored_sites()):
        named = {t.slug: t.name for t in store.site_terms(stored, ("category",)) if t.name}
        if named.get(category) in names:
            return named[category]
    keyed = {name_key(n): n for n in names}
    if name_key(category) in keyed:
        return keyed[name_key(category)]
    near = difflib.get_close_matches(category, names, n=3, cutoff=0.4)
    raise fail(f"--category: no category named {category!r}"
               + (f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else
                  f"; the store holds {', '.join(repr(n) for n in names[:12]) or 'none'}"))
