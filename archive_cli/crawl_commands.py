"""`archive crawl`, `crawl --all`, `sites` and `demo`: crawls run as the Prefect
crawl flow (a temporary local API when none is given), and what they print."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from sites import (
    AUTO,
    CrawlTarget,
    SiteChoiceError,
    SiteEntry,
    SitesFileError,
    load_sites,
    resolve_site,
    shipped,
    sites_file_path,
)
from sites import profiles as site_profiles
from sites import registered as registered_sites
from spiders.config import CrawlConfig
from spiders.runner import CrawlFailed, prepare_data_dir
from spiders.summary import CrawlSummary
from storage.store import ArticleStore, StoreError

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
from .flow_runtime import flow_runtime


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
        summary = state_summary(state)
        failed += not state.is_completed()
        outcome = "completed" if state.is_completed() else f"failed: {state.message}"
        if as_json:
            print_json({"site": target.name, "state": state.name, "message": state.message,
                        **(summary.as_record() if summary else {})})
        elif summary is None:  # it never got to crawl: no counts, not zeros
            table.add_row(escape(target.name), escape(outcome), "", "", "", "", "")
        else:
            table.add_row(escape(target.name), escape(outcome),
                          *(str(n) for n in (summary.pages_fetched, summary.articles_new,
                                             summary.articles_updated,
                                             summary.articles_unchanged)),
                          escape(as_text(summary.failures)))
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
            **CrawlSummary.model_validate(last["stats"] or {}).as_record(
                include={"articles_new", "failures"})}
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
                   as_json: bool = False) -> CrawlSummary:
    """Validate, then run the Prefect crawl flow in this process and report."""
    prepare_environment(db, data_dir, environment)
    check_before_running(parameters)
    from flows.crawl import crawl_flow  # Prefect is imported only by the commands that run flows

    with flow_runtime(), \
            out.status(f"crawling {parameters['base_url']} ({parameters['mode']})..."):
        state = crawl_flow(**parameters, timeout_s=timeout, return_state=True)
    summary = state_summary(state)
    if summary is not None:
        print_json(summary.as_record()) if as_json else show_summary(summary)
    if not state.is_completed():  # docs/outcomes.md: a failed run exits 1, its cause named
        raise fail(f"the crawl run {(state.name or 'failed').lower()}: {state.message}", 1)
    assert summary is not None
    if summary.failures:
        failures = ", ".join(f"{k} {v}" for k, v in sorted(summary.failures.items()))
        err.print(f"[yellow]the crawl completed with failures:[/] {escape(failures)}")
    return summary


def state_summary(state: Any) -> CrawlSummary | None:
    """A crawl flow run's summary: its result, or a failed run's data; None
    for a run that never got to crawl (bad parameters, site busy)."""
    summary = state.result(raise_on_failure=False) if state.is_completed() else \
        getattr(state, "data", None)
    return summary if isinstance(summary, CrawlSummary) else None


def make_config(**values: Any) -> CrawlConfig:
    try:
        return CrawlConfig(**values)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in error.errors())
        raise fail(f"bad crawl parameters: {problems}") from None


def show_summary(summary: CrawlSummary) -> None:
    table = Table(title=f"crawl run {summary.run_id}", show_header=False)
    if summary.outcome:
        table.add_row("outcome", escape(summary.outcome_label))
    record = summary.as_record()
    for key in ("pages_fetched", "listing_pages", "articles_new", "articles_updated",
                "articles_unchanged", "articles_not_modified", "articles_gone", "quarantined",
                "failures", "robots_disallowed", "retries", "extractors", "fallbacks",
                "duration_s", "pages_per_s", "log_file"):
        table.add_row(key, escape(as_text(record[key] if record[key] is not None else "")))
    out.print(table)


DEMO_PORT = 8765  # a fixed port keeps the replica's URLs, so a second demo run is incremental


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
