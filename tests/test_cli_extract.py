"""`archive extract` as people use trafilatura's: each page of a folder under
its own URL (its canonical link, or a mapping file), folders on all cores in
input order, text or Markdown output, a non-HTML file refused."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from typer.testing import CliRunner

from archive_cli.main import app
from replica.divi import BASE, Post, article_page
from tests.test_reextract import PARAGRAPHS

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def save_pages(folder: Path, count: int) -> list[str]:
    folder.mkdir()
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    urls = []
    for i in range(count):
        post = Post(slug=f"story-{i}", title=f"Story {i}", body_html=body,
                    featured_src=f"/wp-content/uploads/2014/04/photo-{i}.jpg",
                    featured_alt=f"A photo {i}")
        page = article_page(post)
        (folder / f"p{i:02d}.html.gz").write_bytes(gzip.compress(page.encode()))
        urls.append(BASE + post.path)
    return urls


def test_a_folder_is_cleaned_in_order_under_each_pages_own_url(tmp_path):
    urls = save_pages(tmp_path / "pages", 6)
    result = cli("extract", str(tmp_path / "pages"), "--workers", "2")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["canonical_url"] for r in rows] == urls  # from each page's canonical link
    assert all(image["src"].startswith("https://") for r in rows for image in r["images"])


def test_a_mapping_file_gives_each_page_its_url(tmp_path):
    save_pages(tmp_path / "pages", 2)
    mapping = tmp_path / "urls.tsv"
    mapping.write_text("p00.html.gz\thttps://mirror.example/a\np01.html.gz\thttps://mirror.example/b\n")
    result = cli("extract", str(tmp_path / "pages"), "--urls", str(mapping), "--workers", "1")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["url"] for r in rows] == ["https://mirror.example/a", "https://mirror.example/b"]


def test_text_and_markdown_output(tmp_path):
    save_pages(tmp_path / "pages", 1)
    page = str(tmp_path / "pages" / "p00.html.gz")
    text = cli("extract", page, "--format", "text")
    assert text.stdout.startswith("Story 0\n") and PARAGRAPHS[1] in text.stdout
    markdown = cli("extract", page, "--format", "markdown")
    assert markdown.stdout.startswith("# Story 0\n\n*Asharq Al-Awsat — 2014-04-16*")
    assert f"![]({BASE}/wp-content/uploads/2014/04/photo-0.jpg)" in markdown.stdout


def test_a_file_that_is_not_html_is_refused(tmp_path):
    result = cli("extract", str(ROOT / "README.md"))
    assert result.exit_code == 1
    assert "not HTML" in result.output and "Traceback" not in result.output
