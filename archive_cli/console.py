"""What every command shares: the consoles, the one-line error, JSON output,
an Article and a stored article as people read them, the `--site` check,
and opening the store."""

from __future__ import annotations

import json
from datetime import date, datetime

import typer
from rich.console import Console
from rich.markup import escape

from cleaning import Article
from sites import site_names
from storage.store import ArticleStore, StoreError

out = Console()
err = Console(stderr=True, soft_wrap=True)  # one error, one line, whatever the width


def fail(message: str, code: int = 2) -> typer.Exit:
    # Messages quote what users typed and pages hold: never read as Rich markup.
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(code)


JSON_HELP = "Print JSON (one object, or one per line) instead of a table."


def json_value(value: object) -> object:
    """Moments in one form everywhere: ISO 8601 with `T` and the offset
    (`2024-05-01T12:00:00+00:00`), as exports and the cleaner's dates are."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def json_text(value: object, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, default=json_value, indent=indent)


def print_json(value: object) -> None:
    print(json_text(value))


def article_json_text(article: Article, indent: int | None = None) -> str:
    """A cleaned article as JSON, its moments as print_json writes them
    (pydantic's own JSON writes UTC as `Z`)."""
    return json_text(article.model_dump(mode="python"), indent=indent)


def show_article(article: Article) -> None:
    out.rule(f"[bold]{escape(article.title)}")
    facts = {
        "url": article.canonical_url,
        "authors": ", ".join(article.authors),
        "published": article.published.isoformat() if article.published else "",
        "categories": ", ".join(article.categories),
        "tags": ", ".join(article.tags),
        "dateline": article.dateline or "",
        "words": str(article.word_count),
        "extractor": article.extractor + (" (fallback)" if article.fallback else ""),
    }
    for key, value in facts.items():
        out.print(f"[cyan]{key:>10}[/] {escape(value)}")
    for image in article.images:
        out.print(f"[cyan]{'image':>10}[/] {escape(image.src)}\n{'':>11}"
                  f"{escape(image.caption or '')} [dim]({escape(image.credit or 'no credit')})[/]")
    for warning in article.warnings:
        out.print(f"[yellow]{'warning':>10}[/] {escape(warning)}")
    out.rule()
    out.print(article.body, markup=False, highlight=False)


DB_HELP = ("Database URL (default: $ARCHIVE_DB_URL, else archive.db in the data folder: "
           "$ARCHIVE_DATA_DIR, else ./data).")


def open_store(db: str | None, read_only: bool = False) -> ArticleStore:
    """The store; read commands open it read-only: never created, never changed."""
    try:
        return ArticleStore(db, read_only=read_only)
    except StoreError as error:
        raise fail(str(error)) from None


def check_site(site: str) -> str:
    """A `--site` option's value: a registered site or profile."""
    if site not in site_names():
        raise typer.BadParameter(f"{site!r} is not one of {', '.join(site_names())}")
    return site


def as_text(value: object) -> str:
    """A value as people read it: `a 1, b 2` for counts, never a Python repr."""
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in sorted(value.items())) or "-"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def show_stored(row: dict) -> None:
    out.rule(f"[bold]{escape(row['title'])}")
    for key in ("canonical_url", "authors", "published", "categories", "tags", "dateline",
                "word_count", "extractor", "status", "revision"):
        value = row[key].isoformat() if isinstance(row[key], datetime) else row[key]
        out.print(f"[cyan]{key:>14}[/] {escape(as_text(value))}", soft_wrap=True)
    out.rule()
    out.print(row["body"], markup=False, highlight=False)
