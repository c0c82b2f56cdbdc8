"""The `archive` command."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from cleaning import SITES, Article, ExtractionError, extract_article

app = typer.Typer(
    help="Crawl, clean and store news archives.", no_args_is_help=True, add_completion=False
)
out = Console()
err = Console(stderr=True)
PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")


@app.callback()
def main() -> None:
    """Crawl, clean and store news archives."""


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def read_page(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def check_site(site: str) -> str:
    if site not in SITES:
        raise typer.BadParameter(f"{site!r} is not one of {', '.join(SITES)}")
    return site


@app.command()
def extract(
    path: Path = typer.Argument(..., help="A saved page (.html or .html.gz) or a folder of them."),
    url: str | None = typer.Option(None, help="The page's URL (default: a file:// URL of PATH)."),
    site: str = typer.Option("auto", callback=check_site, help=f"Profile: {', '.join(SITES)}."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a readable view."),
) -> None:
    """Clean saved pages and print the Article (a folder: one JSON line per page)."""
    if not path.exists():
        raise fail(f"no such file or folder: {path}")
    if path.is_dir():
        pages = sorted(p for p in path.rglob("*") if p.name.lower().endswith(PAGE_SUFFIXES))
        failures = 0
        for page in pages:
            try:
                article = extract_article(read_page(page), url or page.resolve().as_uri(), site)
                print(article.model_dump_json())
            except (ExtractionError, OSError) as error:
                failures += 1
                print(json.dumps({"path": str(page), "error": str(error),
                                  "not_an_article": type(error).__name__ == "NotAnArticle"}))
        err.print(f"{len(pages) - failures} articles, {failures} failures, {len(pages)} pages")
        return
    try:
        article = extract_article(read_page(path), url or path.resolve().as_uri(), site)
    except (ExtractionError, OSError) as error:
        raise fail(f"{path}: {error}", 1) from None
    if as_json:
        print(article.model_dump_json(indent=2))
    else:
        show_article(article)


def show_article(article: Article) -> None:
    out.rule(f"[bold]{article.title}")
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


if __name__ == "__main__":
    app()
