"""A real `wget --warc-file` crawl of the bundled replica, imported: every
article once, counts by reason exactly what the replica served; imported
into a store that holds the live crawl of the same replica, it adds no
article and no older revision. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cleaning import canonical_form
from ingest.warc_import import import_warc
from replica import ReplicaServer
from spiders.config import CrawlConfig
from spiders.runner import run_crawl
from storage.store import ArticleStore
from tests.support import require_service
from tests.test_import import LATER, ArchiveFile, balanced

pytestmark = pytest.mark.integration
# wget's own records beside the pages: its log and arguments (resource) and a metadata record.
WGET_RECORDS = {"warcinfo", "resource", "metadata"}


def wget_archive(server: ReplicaServer, folder: Path) -> Path:
    """`wget --warc-file` over the whole replica (robots.txt obeyed, as by default).
    `--level=inf`: the replica's listings are paginated deeper than two levels.
    `--no-http-keep-alive`: on a loaded machine wget would now and then send a
    request down a connection the server was closing ("No data received",
    exit 4: 2 runs in 10 with both cores busy, none in 10 without keep-alive).
    A run that meets a network error all the same is run again from scratch,
    so that the server's log of requests (the expected counts) is the archive's."""
    require_service(shutil.which("wget") is not None, "wget")
    problems: list[str] = []
    for _ in range(3):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        server.take_requests()
        result = subprocess.run(
            ["wget", f"--warc-file={folder / 'replica'}", "--recursive", "--level=inf",
             "--no-parent", "--no-directories", "--no-http-keep-alive",
             f"--directory-prefix={folder / 'files'}",
             "--no-verbose", "--tries=1", "--timeout=30", server.base + "/"],
            capture_output=True, text=True, timeout=300)
        # 8: some pages answered with an error (the replica's missing images): expected.
        if result.returncode in (0, 8):
            return folder / "replica.warc.gz"
        problems.append(f"exit {result.returncode}: " + "\n".join(
            line for line in result.stderr.splitlines()
            if line.strip() and " URL:" not in line and "ERROR 404" not in line)[-1500:])
    raise AssertionError("wget failed three times:\n" + "\n".join(problems))


def is_listing(request: str) -> bool:
    """The home page and its later pages, a section's, tag's or author's
    listing, a month's archive (any page of them), as the import tells them."""
    parts = urlsplit(request)
    path = parts.path.strip("/")
    return not parts.query and (
        re.fullmatch(r"(\d{4}(/\d{2}){0,2}/?)?(page/\d+)?", path) is not None
        or path.split("/")[0] in ("category", "tag", "author"))


def expected_counts(server: ReplicaServer) -> dict:
    """What the import must count, from what the replica served to wget."""
    articles = {a.post.path for a in server.site.public_articles()}
    served: Counter[str] = Counter()
    seen: set[str] = set()
    requests = server.take_requests()
    for request in requests:
        path = "/" + urlsplit(request).path.strip("/")
        status, content_type, _ = server.site.page(path, server.base)
        if status != 200:
            served["non_200"] += 1
        elif not content_type.startswith("text/html"):
            served["non_html"] += 1
        elif path in articles:
            served["unchanged" if path in seen else "new"] += 1
            seen.add(path)
        elif is_listing(request):
            served["listing"] += 1  # read for names, never quarantined
        else:  # attachment pages
            served["not_an_article"] += 1
    served["request"] = len(requests)
    return dict(served)


def test_a_wget_crawl_of_the_replica_imports_every_article_once(db_url, tmp_path):
    with ReplicaServer() as server:
        path = wget_archive(server, tmp_path / "wget")
        expected = expected_counts(server)
        public = server.site.public_articles()
    store = ArticleStore(db_url)
    result = import_warc(store, [path])
    assert result.new == len(public) == expected["new"]
    assert result.updated == result.stale == 0
    assert result.unchanged == expected["unchanged"]  # share links: the same articles
    assert result.quarantined == {"not_an_article": expected["not_an_article"]}
    assert {k: result.skipped[k] for k in ("request", "non_200", "non_html", "listing")} == {
        k: expected[k] for k in ("request", "non_200", "non_html", "listing")}
    assert set(result.skipped) - {"request", "non_200", "non_html", "listing"} <= WGET_RECORDS
    assert balanced(result) and not result.warnings
    stored = {row["canonical_url"] for row in store.iter_articles()}
    assert stored == {canonical_form(server.base + a.post.path) for a in public}
    assert store.stats()["revisions"] == len(public)

    again = import_warc(store, [path])
    assert (again.new, again.updated) == (0, 0) and store.stats()["articles"] == len(public)


@pytest.mark.timeout(900)
def test_an_import_over_the_live_crawl_adds_no_duplicate_and_no_older_revision(db_url,
                                                                               tmp_path):
    with ReplicaServer() as server:
        summary = run_crawl(CrawlConfig(site="aawsat", base_url=server.base, db_url=db_url,
                                        data_dir=str(tmp_path / "crawl"), download_delay=0,
                                        autothrottle=False), timeout=300)
        public = server.site.public_articles()
        assert summary.articles_new == len(public)
        store = ArticleStore(db_url)
        before = {row["canonical_url"]: row for row in store.iter_articles()}
        path = wget_archive(server, tmp_path / "wget")
        # An older capture of one article, with a text it no longer has, from another
        # archive and under another URL form (https, a trailing slash, a campaign tag).
        older = ArchiveFile(tmp_path / "ia.warc.gz")
        first = public[0]
        url = server.base + first.post.path
        html = server.site.page(first.post.path, server.base)[2]
        assert html.count('<div class="entry-content">') == 1
        older.response(url.replace("http://", "https://") + "/?utm_source=rss",
                       html.replace('<div class="entry-content">',
                                    f'<div class="entry-content"><p>{LATER}</p>'),
                       datetime(2015, 1, 1, tzinfo=UTC))
        older_path = older.close()

    result = import_warc(store, [path, older_path])
    assert result.new == 0 and result.updated == 0 and result.stale == 1
    assert result.unchanged > 0 and balanced(result)
    assert store.stats()["articles"] == len(public)
    assert store.stats()["revisions"] == len(public)
    after = {row["canonical_url"]: row for row in store.iter_articles()}
    assert after == before  # text, status, fetch times: the crawl's, unchanged
