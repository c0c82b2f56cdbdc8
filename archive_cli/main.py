"""The `archive` command."""

from __future__ import annotations

import difflib
import os
import re
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from cleaning import canonical_form
from ingest.reextract import reextract as reextract_all
from sites import (
    AUTO,
    CrawlTarget,
    RegistryError,
    SiteChoiceError,
    SiteEntry,
    SitesFileError,
    load_sites,
    resolve_site,
    shipped,
    shipped_names,
    site_names,
    sites_file_path,
)
from sites import profiles as site_profiles
from sites import registered as registered_sites
from spiders.config import CrawlConfig
from spiders.runner import CrawlFailed, prepare_data_dir
from storage.export import FORMATS, ExportError, article_record
from storage.export import export as export_articles
from storage.naming import name_key
from storage.store import ArticleStore, StoreError
from storage.warc import NothingReadable

from .console import (
    DB_HELP,
    JSON_HELP,
    err,
    fail,
    open_store,
    out,
    print_json,
)
from .extract_command import extract
from .flow_runtime import flow_runtime
from .import_command import import_warc
from .mend_command import SITE_FILTER_HELP, mend_names, stored_site
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


def check_site(site: str) -> str:
    if site not in site_names():
        raise typer.BadParameter(f"{site!r} is not one of {', '.join(site_names())}")
    return site


app.command()(extract)
app.command(name="record-page")(record)
app.command("import")(import_warc)
app.command("mend-names")(mend_names)




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


def positive_seconds(value: float) -> float:
    if value <= 0:
        raise typer.BadParameter(f"must be a positive number of seconds, not {value:g}")
    return value


def _site_help() -> str:
    registered = [n for n, site in shipped().items() if not site.is_profile]
    kinds = [AUTO, *(n for n, site in shipped().items() if site.is_profile)]
    return (f"A site of the sites file, a registered site ({', '.join(registered)}) or a "
            f"site module's, or a profile ({', '.join(kinds)}; give --base-url). Default: "
            "the archive, or auto with $ARCHIVE_BASE_URL.")


SITE_HELP = _site_help()


@app.command()
def crawl(
    site: str | None = typer.Option(None, help=SITE_HELP),
    base_url: str | None = typer.Option(None, help="The site to crawl (overrides a site's own)."),
    all_sites: bool = typer.Option(False, "--all",
                                   help="Crawl every enabled site of the sites file at once."),
    sites_file: str | None = typer.Option(None, help="The sites file (default: $ARCHIVE_SITES, "
                                                      "else ./sites.yaml)."),
    mode: str = typer.Option("incremental", help="incremental or full."),
    category: list[str] = typer.Option([], help="A category slug (repeatable)."),
    tag: list[str] = typer.Option([], help="A tag slug (repeatable)."),
    url: list[str] = typer.Option([], help="An article URL to fetch (repeatable)."),
    max_pages: int | None = typer.Option(None, help="Listing pages per listing, at most."),
    refresh: bool = typer.Option(False, help="Fetch stored articles again (conditionally)."),
    since: datetime | None = typer.Option(
        None, formats=["%Y-%m-%d"],
        help="Stop each listing walk at its first page whose articles are all older."),
    db: str | None = typer.Option(None, help=DB_HELP),
    data_dir: str | None = typer.Option(
        None, help="WARC files, logs and, without --db, the SQLite store archive.db "
                   "(default $ARCHIVE_DATA_DIR, else ./data)."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's summary as JSON."),
    timeout: float = typer.Option(
        6 * 3600, callback=positive_seconds,
        help="Seconds the whole run may take, retries of a crashed crawl included; then "
             "the crawl is stopped (pages in hand are stored) and the run fails."),
) -> None:
    """Run the crawl flow once, now, and print a summary (one row per site with --all)."""
    entries = read_sites_file(sites_file, required=all_sites)
    common = {"mode": mode, "max_pages": max_pages, "refresh": refresh,
              "since": since.date() if since else None}
    if all_sites:
        if category or tag or url or site or base_url:
            raise fail("--all crawls every site of the sites file as declared: --site, "
                       "--base-url, --category, --tag and --url are for one site")
        crawl_all([e for e in entries if e.enabled], common, db, data_dir, timeout, as_json)
        return
    try:
        target = resolve_site(site, base_url, entries, os.environ.get("ARCHIVE_BASE_URL"))
    except SiteChoiceError as error:
        raise fail(str(error)) from None
    parameters = {**target_parameters(target), **common, "urls": url, "tags": tag,
                  "categories": category or target_parameters(target)["categories"]}
    run_crawl_flow(parameters, db=db, data_dir=data_dir, timeout=timeout, as_json=as_json)


def read_sites_file(override: str | None, required: bool = False) -> list[SiteEntry]:
    """The sites file's entries; one the user named (--sites-file, $ARCHIVE_SITES)
    must exist, and so must the default one where `required` (crawl --all)."""
    try:
        return load_sites(sites_file_path(override),
                          required=required or bool(override or os.environ.get("ARCHIVE_SITES")))
    except SitesFileError as error:
        raise fail(str(error)) from None


def target_parameters(target: CrawlTarget) -> dict[str, Any]:
    """The crawl flow's parameters for a site, its sites-file settings included."""
    entry = target.entry
    return {"site": target.site, "base_url": target.base_url,
            "site_name": entry.name if entry else None,
            "timezone": entry.timezone if entry else None,
            "language": entry.language if entry else None,
            "categories": list(entry.categories) if entry else [],
            "rate_limit_per_s": entry.rate_limit_per_s if entry else None,
            "concurrency": entry.concurrency if entry else None}


def crawl_all(entries: list[SiteEntry], common: dict[str, Any], db: str | None,
              data_dir: str | None, timeout: float, as_json: bool) -> None:
    """Every site at once, each its own flow run with its own politeness; the
    cleaning processes shared out (one crawl's worth of cores in all)."""
    if not entries:
        raise fail(f"no enabled site in {sites_file_path()}: nothing to crawl")
    prepare_environment(db, data_dir, {"ARCHIVE_CLEAN_WORKERS": os.environ.get(
        "ARCHIVE_CLEAN_WORKERS", str(max(1, (os.cpu_count() or 1) // len(entries))))})
    targets = [resolve_site(e.name, None, entries) for e in entries]
    # Every site's values checked before any crawl starts.
    check_before_running(*({**target_parameters(t), **common} for t in targets))
    from flows.crawl import crawl_flow

    def run(target: CrawlTarget) -> tuple[CrawlTarget, Any]:
        return target, crawl_flow(**target_parameters(target), **common, timeout_s=timeout,
                                  return_state=True)

    # The pool is left last: a second Ctrl-C stops the crawls before it waits for their threads.
    with ThreadPoolExecutor(len(targets)) as pool, flow_runtime(), \
            out.status(f"crawling {len(targets)} sites..."):
        finished = list(pool.map(run, targets))
    failed = 0
    table = Table("site", "outcome", "pages", "new", "updated", "unchanged", "failures")
    for target, state in finished:
        summary = state.result(raise_on_failure=False) if state.is_completed() else \
            getattr(state, "data", None)
        summary = summary if isinstance(summary, dict) else {}
        failed += not state.is_completed()
        outcome = "completed" if state.is_completed() else f"failed: {state.message}"
        if as_json:
            print_json({"site": target.name, "state": state.name, "message": state.message,
                        **summary})
        else:
            table.add_row(escape(target.name), escape(outcome),
                          *(str(summary.get(k, "")) for k in ("pages_fetched", "articles_new",
                                                              "articles_updated",
                                                              "articles_unchanged")),
                          escape(as_text(summary.get("failures", {}))))
    if not as_json:
        out.print(table)
    if failed:
        raise fail(f"{failed} of {len(finished)} site crawls failed", 1)


def last_run(store: ArticleStore | None, name: str, base_url: str | None
             ) -> dict[str, Any] | None:
    """The last crawl that stored under the site's name (the demo's crawl of
    the archive's replica is the archive's), else of its base URL; None with
    no store, or one that stopped answering: `sites` lists the sites whatever
    the store does."""
    if store is None or not base_url:
        return None
    try:
        return next(iter(store.runs(1, site=name) or store.runs(1, base_url=base_url)), None)
    except StoreError:
        return None


@app.command()
def sites(sites_file: str | None = typer.Option(None, help="The sites file (default: "
                                                             "$ARCHIVE_SITES, else ./sites.yaml)."),
          as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
          db: str | None = typer.Option(None, help=DB_HELP)) -> None:
    """The registered and configured sites, each with its last crawl."""
    entries = read_sites_file(sites_file)
    if not entries and not sites_file_path(sites_file).exists():
        err.print(f"no sites file at {escape(str(sites_file_path(sites_file)))}: the registered "
                  "sites and profiles only (give --sites-file, or set ARCHIVE_SITES)",
                  highlight=False)
    try:
        store: ArticleStore | None = ArticleStore(db, read_only=True)
    except StoreError:
        store = None  # no store yet: no crawl either
    rows: list[dict[str, Any]] = [{"name": e.name, "kind": "sites file", "site": e.site,
                                   "base_url": e.base_url,
             "enabled": e.enabled} for e in entries]
    rows += [{"name": k.name, "kind": "registered site", "site": k.name,
              "base_url": k.base_url, "enabled": True} for k in registered_sites().values()]
    rows += [{"name": AUTO, "kind": "profile", "site": AUTO, "base_url": None, "enabled": True}]
    rows += [{"name": k.name, "kind": "profile", "site": k.name, "base_url": None,
              "enabled": k.crawlable} for k in site_profiles().values()]
    for row in rows:
        last = last_run(store, row["name"], row["base_url"])
        row["last_crawl"] = None if last is None else {
            "started": last["started"], "status": last["status"],
            "articles_new": (last["stats"] or {}).get("articles_new"),
            "failures": (last["stats"] or {}).get("failures")}
    if as_json:
        for row in rows:
            print_json(row)
        return
    for row in rows:
        last = row["last_crawl"]
        when = f"last crawl {last['started']:%Y-%m-%d %H:%M} {last['status']}, " \
               f"{last['articles_new'] or 0} new" if last else "never crawled"
        out.print(f"{escape(row['name'])}  ({row['kind']}, {escape(row['site'])})  "
                  f"{escape(row['base_url'] or 'any --base-url')}  "
                  f"{when if row['base_url'] else ''}", soft_wrap=True, highlight=False)


def prepare_environment(db: str | None, data_dir: str | None,
                        extra: dict[str, str] | None = None) -> None:
    environment = dict(extra or {})
    if db:
        environment["ARCHIVE_DB_URL"] = db
    if data_dir:
        environment["ARCHIVE_DATA_DIR"] = data_dir
    os.environ.update(environment)


def check_before_running(*crawls: dict) -> None:
    """The crawls' values, then their store and data folder (one of each, from
    the environment), checked before any run starts: a mistake is one line
    and exit 2, and no run is recorded (docs/outcomes.md)."""
    flow_only = ("rate_limit_per_s", "concurrency", "site_name")
    configs = [make_config(**{k: v for k, v in parameters.items() if k not in flow_only},
                           db_url=os.environ.get("ARCHIVE_DB_URL"),
                           data_dir=os.environ.get("ARCHIVE_DATA_DIR", "./data"))
               for parameters in crawls]
    open_store(os.environ.get("ARCHIVE_DB_URL"))
    try:
        prepare_data_dir(configs[0])
    except CrawlFailed as error:
        raise fail(str(error)) from None


def run_crawl_flow(parameters: dict, db: str | None, data_dir: str | None,
                   timeout: float, environment: dict[str, str] | None = None,
                   as_json: bool = False) -> dict:
    """Validate, then run the Prefect crawl flow in this process and report."""
    prepare_environment(db, data_dir, environment)
    check_before_running(parameters)
    from flows.crawl import crawl_flow  # Prefect is imported only by the commands that run flows

    with flow_runtime(), \
            out.status(f"crawling {parameters['base_url']} ({parameters['mode']})..."):
        state = crawl_flow(**parameters, timeout_s=timeout, return_state=True)
    summary = state.result(raise_on_failure=False) if state.is_completed() else \
        getattr(state, "data", None)
    if isinstance(summary, dict):
        print_json(summary) if as_json else show_summary(summary)
    if not state.is_completed():  # docs/outcomes.md: a failed run exits 1, its cause named
        raise fail(f"the crawl run {(state.name or 'failed').lower()}: {state.message}", 1)
    assert isinstance(summary, dict)
    if summary.get("failures"):
        failures = ", ".join(f"{k} {v}" for k, v in sorted(summary["failures"].items()))
        err.print(f"[yellow]the crawl completed with failures:[/] {escape(failures)}")
    return summary


def make_config(**values: Any) -> CrawlConfig:
    try:
        return CrawlConfig(**values)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in error.errors())
        raise fail(f"bad crawl parameters: {problems}") from None


def show_summary(summary: dict) -> None:
    table = Table(title=f"crawl run {summary.get('run_id')}", show_header=False)
    outcome = summary.get("outcome") or {}
    if outcome:
        table.add_row("outcome", escape(outcome["state"] + (f" ({outcome['cause']})"
                                                           if outcome.get("cause") else "")))
    for key in ("pages_fetched", "listing_pages", "articles_new", "articles_updated",
                "articles_unchanged", "articles_not_modified", "articles_gone", "quarantined",
                "failures", "robots_disallowed", "retries", "extractors", "fallbacks",
                "duration_s", "pages_per_s", "log_file"):
        table.add_row(key, escape(as_text(summary.get(key, ""))))
    out.print(table)


def as_text(value: object) -> str:
    """A value as people read it: `a 1, b 2` for counts, never a Python repr."""
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in sorted(value.items())) or "-"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


DEMO_PORT = 8765  # a fixed port keeps the replica's URLs, so a second demo run is incremental


@app.command()
def demo(
    data_dir: str = typer.Option("./data/demo", help="Where the demo keeps its files."),
    port: int = typer.Option(DEMO_PORT, min=1, max=65535,
                             help="The replica's port (the store remembers its URLs)."),
) -> None:
    """Serve the bundled replica on 127.0.0.1 and crawl it into SQLite."""
    from replica import ReplicaServer

    path = Path(data_dir)
    path.mkdir(parents=True, exist_ok=True)
    db = f"sqlite:///{path / 'demo.db'}"
    try:
        server = ReplicaServer(port=port)
    except OSError as error:
        # Another port would be another site to the store: every article again.
        raise fail(f"port {port} on 127.0.0.1 is taken ({error.strerror}): free it, or "
                   "give --port (with a new --data-dir, or the demo store holds every "
                   "article twice)") from None
    with server:
        out.print(f"replica of the archive served at {server.base}")
        # The replica is ours and local: no politeness delay needed.
        run_crawl_flow({"site": "aawsat", "base_url": server.base, "mode": "incremental"},
                       db=db, data_dir=str(path), timeout=600,
                       environment={"ARCHIVE_DOWNLOAD_DELAY": "0", "ARCHIVE_CONCURRENCY": "8"})
    store = open_store(db, read_only=True)
    first = next(store.iter_articles(), None)
    if first:
        out.print(f"\none stored article ({escape(db)}):")
        show_stored(first)


@app.command()
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


@app.command()
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


@app.command()
def failures(reason: str | None = typer.Option(None, callback=known_failure_reason,
                                                help="Only this reason (http_404, ...)."),
             run: int | None = typer.Option(None, help="Only this crawl run."),
             limit: int = typer.Option(100, min=1, max=100_000),
             as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
             db: str | None = typer.Option(None, help=DB_HELP)) -> None:
    """Requests that failed, with their reasons, newest first."""
    list_rows(open_store(db, read_only=True).failure_rows(reason, run, limit), as_json)


@app.command()
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


def show_stored(row: dict) -> None:
    out.rule(f"[bold]{escape(row['title'])}")
    for key in ("canonical_url", "authors", "published", "categories", "tags", "dateline",
                "word_count", "extractor", "status", "revision"):
        value = row[key].isoformat() if isinstance(row[key], datetime) else row[key]
        out.print(f"[cyan]{key:>14}[/] {escape(as_text(value))}", soft_wrap=True)
    out.rule()
    out.print(row["body"], markup=False, highlight=False)


@app.command()
def stats(site: str | None = typer.Option(None, help=SITE_FILTER_HELP),
          as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
          db: str | None = typer.Option(None, help=DB_HELP)) -> None:
    """What the store holds (per site too), and the last runs."""
    store = open_store(db, read_only=True)
    figures = store.stats(site=stored_site(store, site))
    runs = [{"id": r["id"], "site": run_site(r), "status": r["status"], "started": r["started"],
             "finished": r["finished"], "outcome": (r["stats"] or {}).get("outcome"),
             "pages_fetched": (r["stats"] or {}).get("pages_fetched"),
             "articles_new": (r["stats"] or {}).get("articles_new"),
             "coverage": (r["stats"] or {}).get("coverage")} for r in store.runs(5)]
    if as_json:
        print_json({**figures, "recent_runs": runs})
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
    for run in runs:
        cause = (run["outcome"] or {}).get("cause")
        coverage = run["coverage"] or {}
        covered = f", {coverage['stored']} of {coverage['found']} listed articles stored" \
            if coverage else ""
        out.print(f"run {run['id']} {escape(run['site'])}: {run['status']}"
                  f"{f' ({cause})' if cause else ''} "
                  f"{run['started']:%Y-%m-%d %H:%M}, {run['pages_fetched'] or 0} pages, "
                  f"{run['articles_new'] or 0} new{covered}", highlight=False, soft_wrap=True)
    last = next((run["coverage"] for run in runs if run["coverage"]), None)
    if last:
        show_coverage(last)


def run_site(run: dict[str, Any]) -> str:
    """The site a run crawled: the name it stored under, else its base URL's host."""
    params = run["params"] or {}
    return (run["stats"] or {}).get("site") or params.get("site_label") or \
        urlsplit(params.get("base_url") or "").netloc or "-"


def show_coverage(coverage: dict[str, Any]) -> None:
    """The listings of a crawl and how each walk ended; what was never stored."""
    table = Table("listing", "kind", "pages", "ended", "found", "stored",
                  title="coverage of the last crawl")
    for row in coverage["listings"]:
        table.add_row(escape(urlsplit(row["listing"]).path or "/"), row["kind"], str(row["pages"]),
                      escape(row["ended"]), str(row["found"]), str(row["stored"]))
    out.print(table)
    for missing in coverage["missing"]:
        out.print(f"not stored: {escape(missing['url'])} ({escape(missing['why'])})",
                  highlight=False, soft_wrap=True)
    if coverage["missing_total"] > len(coverage["missing"]):
        out.print(f"... and {coverage['missing_total'] - len(coverage['missing'])} more")


@app.command()
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


def check_reading_site(site: str | None) -> str | None:
    return None if site is None else check_site(site)


@app.command()
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


@app.command("prune-warc")
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


@app.command("serve")
def serve_command() -> None:
    """Serve every deployment of prefect.yaml with its schedule from one process."""
    from flows.serve import ServeConflict, serve_all

    try:
        serve_all()
    except ServeConflict as error:
        raise fail(str(error)) from None


@app.command()
def alerts(webhook: str = typer.Option(
        os.environ.get("ARCHIVE_ALERT_WEBHOOK", ""),
        help="URL to POST to when a crawl run fails (default: $ARCHIVE_ALERT_WEBHOOK).")) -> None:
    """Install the automation that calls a webhook when a crawl run fails."""
    if not webhook.startswith(("http://", "https://")):
        raise fail("--webhook: give an http(s) URL (or set ARCHIVE_ALERT_WEBHOOK)")
    from flows.alerts import install_failure_webhook

    automation = install_failure_webhook(webhook)
    out.print(f"automation {automation.name!r} installed ({automation.id})")


if __name__ == "__main__":
    app()
