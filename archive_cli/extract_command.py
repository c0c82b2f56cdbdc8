"""`archive extract`: clean saved pages as people use trafilatura's command:
one page or a folder, on all cores, as JSON, text or Markdown."""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import typer
from rich.markup import escape
from rich.progress import Progress

from cleaning import Article, ExtractionError, NotAnArticle
from sites import extract_article, shipped_names, site_names

from .console import article_json_text, err, fail, show_article

PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
FORMATS = ("readable", "json", "text", "markdown")
# What any HTML page has: a file without one of these tags (a README) is not HTML.
_HTML_TAG_RE = re.compile(rb"<(?:!doctype\s+html|html|head|body|p|div|article|main)[\s>]", re.I)


@dataclass(frozen=True)
class Job:
    path: str
    url: str | None
    site: str


def read_page(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def page_url(html: bytes, path: Path) -> str:
    """The URL a saved page declares (canonical link, og:url), else file://."""
    try:
        head = lxml.html.document_fromstring(html[:300_000]).find("head")
    except (ValueError, lxml.etree.ParserError):
        head = None
    if head is not None:
        for xpath in ('.//link[@rel="canonical"]/@href', './/meta[@property="og:url"]/@content'):
            found = [v.strip() for v in head.xpath(xpath) if str(v).strip().startswith("http")]
            if found:
                return str(found[0])
    return path.resolve().as_uri()


def clean(job: Job) -> tuple[str, Article | None, str, bool]:
    """(path, article or None, error, not-an-article) for one saved page."""
    path = Path(job.path)
    try:
        html = read_page(path)
        if not _HTML_TAG_RE.search(html[:200_000]):
            raise ExtractionError("not HTML: no <html>, <head>, <body> or <p> tag", job.path)
        article = extract_article(html, job.url or page_url(html, path), job.site)
        return job.path, article, "", False
    except NotAnArticle as error:
        return job.path, None, str(error), True
    except (ExtractionError, OSError, EOFError) as error:
        return job.path, None, str(error), False


def as_text(article: Article) -> str:
    lines = [article.title]
    byline = ", ".join(article.authors)
    when = article.published.isoformat() if article.published else ""
    if byline or when:
        lines.append(" | ".join(x for x in (byline, when) if x))
    return "\n".join(lines) + "\n\n" + article.body + "\n"


def as_markdown(article: Article) -> str:
    byline = ", ".join(article.authors)
    when = article.published.date().isoformat() if article.published else ""
    parts = [f"# {article.title}"]
    if byline or when:
        parts.append("*" + " — ".join(x for x in (byline, when) if x) + "*")
    parts += article.blocks
    for image in article.images:
        caption = (image.caption or "").replace("]", "\\]")
        parts.append(f"![{caption}]({image.src})")
    return "\n\n".join(parts) + "\n"


def load_urls(mapping: Path | None) -> dict[str, str]:
    """A mapping file: one `path<TAB>url` per line (paths relative to the folder)."""
    if mapping is None:
        return {}
    urls = {}
    for number, line in enumerate(mapping.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        name, _, url = line.partition("\t")
        if not url.strip().startswith(("http://", "https://")):
            raise ValueError(f"{mapping}:{number}: expected `path<TAB>http(s) URL`")
        urls[name.strip()] = url.strip()
    return urls


def run_jobs(jobs: list[Job], workers: int) -> Iterator[tuple[str, Article | None, str, bool]]:
    if workers <= 1 or len(jobs) < 4:
        yield from map(clean, jobs)
        return
    with ProcessPoolExecutor(workers) as pool:
        yield from pool.map(clean, jobs, chunksize=8)  # results in input order


def extract(
    path: Path = typer.Argument(..., help="A saved page (.html or .html.gz) or a folder of them."),
    url: str | None = typer.Option(
        None, help="The page's URL (default: its canonical link, else a file:// URL)."),
    urls: Path | None = typer.Option(
        None, help="For a folder: a file of `path<TAB>url` lines (paths relative to it)."),
    site: str = typer.Option(
        "auto", help=f"Site to read the page as: {', '.join(shipped_names())}, or a site "
                     "module's."),
    output: str = typer.Option("readable", "--format",
                               help="readable, json, text or markdown (a folder: json lines "
                                    "unless text or markdown)."),
    as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
    workers: int = typer.Option(os.cpu_count() or 1, min=1, max=64,
                                help="Processes for a folder (default: one per core)."),
) -> None:
    """Clean saved pages and print the Article."""
    if site not in site_names():
        raise fail(f"--site: {site!r} is not one of {', '.join(site_names())}")
    output = "json" if as_json else output
    if output not in FORMATS:
        raise fail(f"--format: {output!r} is not one of {', '.join(FORMATS)}")
    if not path.exists():
        raise fail(f"no such file or folder: {path}")
    if not path.is_dir():
        _, article, why, _ = clean(Job(str(path), url, site))
        if article is None:
            raise fail(f"{path}: {why}", 1)
        if output == "readable":
            show_article(article)
        else:
            print({"json": lambda a: article_json_text(a, 2), "text": as_text,
                   "markdown": as_markdown}[output](article))
        return
    try:
        mapping = load_urls(urls)
    except (OSError, ValueError) as error:
        raise fail(str(error)) from None
    pages = sorted(p for p in path.rglob("*") if p.name.lower().endswith(PAGE_SUFFIXES))
    jobs = [Job(str(p), url or mapping.get(str(p.relative_to(path))), site) for p in pages]
    failures = 0
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("cleaning", total=len(jobs))
        for page, article, why, not_article in run_jobs(jobs, workers):
            progress.advance(task)
            if article is None:
                failures += 1
                print(json.dumps({"path": page, "error": why, "not_an_article": not_article}))
            elif output in ("text", "markdown"):
                print((as_text if output == "text" else as_markdown)(article))
            else:
                print(article_json_text(article))
    err.print(f"{len(pages) - failures} articles, {failures} failures, {len(pages)} pages "
              f"in {escape(str(path))}")
