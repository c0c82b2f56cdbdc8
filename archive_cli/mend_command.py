"""`archive mend-names`: a store crawled before display names were learned
mended from its WARC records (ingest/mend_names.py, docs/names.md); and the
`--site` filter every store command shares (the name articles are stored under).

Registered in archive_cli/main.py with `app.command("mend-names")(mend_names)`."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.progress import Progress

from storage.store import ArticleStore

from .console import DB_HELP, JSON_HELP, err, fail, open_store, out, print_json

SITE_FILTER_HELP = "Only the articles stored under this site name (see `archive stats`)."


def stored_site(store: ArticleStore, site: str | None) -> str | None:
    """A `--site` filter: the name articles are stored under. A name the
    store does not hold is the user's mistake, said with the names it holds."""
    if site is not None and site not in (held := store.stored_sites()):
        raise fail(f"--site: no article is stored under {site!r}; the store holds "
                   f"{', '.join(repr(s) for s in held) or 'no articles'}")
    return site


def mend_names(
    site: str | None = typer.Option(None, help=SITE_FILTER_HELP),
    dry_run: bool = typer.Option(False, "--dry-run",
                                 help="Report what would be learned and merged; write nothing."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    db: str | None = typer.Option(None, help=DB_HELP),
) -> None:
    """Learn the display names of sections, tags and authors from the stored
    articles' archived pages (no HTTP), and merge the names stored as slugs
    (`news-middle-east`, `Hamzamustafa`) into them. Safe to run again."""
    from ingest.mend_names import mend_names as run_mend
    from storage.warc import NothingReadable

    store = open_store(db)
    site = stored_site(store, site)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("reading archived pages", total=None)
        try:
            result = run_mend(store, site=site, dry_run=dry_run,
                              progress=lambda n: progress.update(task, completed=n))
        except NothingReadable as error:
            raise fail(str(error), code=1) from None
    if as_json:
        print_json({**result.as_dict(), "dry_run": dry_run})
        return
    would = "would be " if dry_run else ""
    for learned in result.learned:
        out.print(f"{would}learned  {escape(learned.site)}  {learned.kind} "
                  f"{escape(learned.slug)}: {escape(learned.name)}", highlight=False,
                  soft_wrap=True)
    for merge in result.merged:
        out.print(f"{would}merged  {escape(merge.site)}  {merge.kind} \"{escape(merge.name)}\" "
                  f"into \"{escape(merge.into)}\" ({merge.articles} articles)", highlight=False,
                  soft_wrap=True)
    out.print(f"{result.articles} archived pages read, {result.unreadable} unreadable; "
              f"{len(result.learned)} names {would}learned, {len(result.merged)} {would}merged",
              highlight=False, soft_wrap=True)
