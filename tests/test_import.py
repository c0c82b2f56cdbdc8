"""`ingest.warc_import`: WARC files made elsewhere, in the forms real archives
write them (Common Crawl's request/response/metadata triples gzipped per
record, the Internet Archive's dns records and `revisit` records, damaged
files), imported through the crawl's clean-and-gate step with exact counts
by reason; an archived copy never duplicates a stored article under another
URL form and never replaces a newer revision. On SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import hashlib
import os
from base64 import b32encode
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaning import CLEANER_VERSION
from ingest.reextract import reextract
from ingest.warc_import import ImportInputError, ImportResult, import_warc, url_twins, warc_files
from replica.divi import BASE, Post, article_page, listing_page
from sites import clean_page, extract_article
from storage.store import ArticleStore, PageRecord

HOST = "eng-archive.aawsat.com"
PARAGRAPHS = ["Beirut, Asharq Al-Awsat—The talks resumed on Monday after a pause of three "
              "weeks, officials said, and both delegations arrived in Geneva early.",
              "The second round will focus on a ceasefire in the north of the country, "
              "according to a statement read out by the mediator."]
LATER = "A third paragraph the site added later on, after the first report was out."


def page_html(slug: str, paragraphs: list[str] = PARAGRAPHS, base: str = BASE,
              canonical: bool = True) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    page = article_page(Post(slug=slug, title=f"Talks resume {slug}", body_html=body), base)
    if not canonical:  # many pages declare none: the key is then the URL itself
        page = page.replace(f'<link rel="canonical" href="{base}/theaawsat/news-middle-east/'
                            f'{slug}" />', "")
        assert 'rel="canonical"' not in page
    return page


def url_of(slug: str, base: str = BASE) -> str:
    return f"{base}/theaawsat/news-middle-east/{slug}"


def warc_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def sha1(payload: bytes) -> str:
    return "sha1:" + b32encode(hashlib.sha1(payload).digest()).decode()


class ArchiveFile:
    """A WARC file as other archives write them, one gzip member per record
    (or none), written with warcio."""

    def __init__(self, path: Path, compress: bool = True) -> None:
        self.path = path
        self.stream = path.open("wb")
        self.writer = WARCWriter(self.stream, gzip=compress)
        self.offsets: list[int] = []  # where each record starts

    def _write(self, record) -> int:
        offset = self.stream.tell()
        self.offsets.append(offset)
        self.writer.write_record(record)
        return offset

    def warcinfo(self, fields: dict[str, str]) -> int:
        return self._write(self.writer.create_warcinfo_record(self.path.name, fields))

    def request(self, url: str, when: datetime) -> int:
        parts = url.split("/", 3)
        headers = StatusAndHeaders(f"GET /{parts[3] if len(parts) > 3 else ''} HTTP/1.1",
                                   [("Host", parts[2]), ("User-Agent", "CCBot/2.0"),
                                    ("Accept", "text/html")], is_http_request=True)
        return self._write(self.writer.create_warc_record(
            url, "request", http_headers=headers, payload=BytesIO(b""),
            warc_headers_dict={"WARC-Date": warc_date(when)}))

    def response(self, url: str, body: bytes | str, when: datetime, status: str = "200 OK",
                 content_type: str = "text/html; charset=UTF-8",
                 extra_headers: list[tuple[str, str]] | None = None,
                 warc_headers: dict[str, str] | None = None) -> int:
        payload = body.encode() if isinstance(body, str) else body
        headers = StatusAndHeaders(status, [("Content-Type", content_type),
                                            ("Content-Length", str(len(payload))),
                                            *(extra_headers or [])], protocol="HTTP/1.1")
        return self._write(self.writer.create_warc_record(
            url, "response", payload=BytesIO(payload), http_headers=headers,
            warc_headers_dict={"WARC-Date": warc_date(when), "WARC-IP-Address": "192.0.2.7",
                               **(warc_headers or {})}))

    def metadata(self, url: str, when: datetime, text: str) -> int:
        return self._write(self.writer.create_warc_record(
            url, "metadata", payload=BytesIO(text.encode()),
            warc_content_type="application/warc-fields",
            warc_headers_dict={"WARC-Date": warc_date(when)}))

    def revisit(self, url: str, when: datetime, earlier: datetime, body: bytes | str) -> int:
        payload = body.encode() if isinstance(body, str) else body
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=UTF-8")],
                                   protocol="HTTP/1.1")
        record = self.writer.create_revisit_record(
            url, digest=sha1(payload), refers_to_uri=url, refers_to_date=warc_date(earlier),
            http_headers=headers)
        record.rec_headers.replace_header("WARC-Date", warc_date(when))
        return self._write(record)

    def dns(self, host: str, when: datetime) -> int:
        return self._write(self.writer.create_warc_record(
            f"dns:{host}", "response", payload=BytesIO(f"{host}. 300 IN A 192.0.2.7\n".encode()),
            warc_content_type="text/dns", warc_headers_dict={"WARC-Date": warc_date(when)}))

    def close(self) -> Path:
        self.stream.close()
        return self.path


CC_DATE = datetime(2017, 3, 22, 14, 5, 9, tzinfo=UTC)


def common_crawl_file(path: Path) -> tuple[Path, dict[str, int]]:
    """Common Crawl's layout: a warcinfo record, then for every capture its
    request, response and metadata records; `WARC-Target-URI` with and
    without `www.`; pages over the size limit truncated; other hosts beside.
    Returns the file and where each response starts."""
    archive = ArchiveFile(path)
    archive.warcinfo({"software": "Apache Nutch 1.12 (modified, https://commoncrawl.org/)",
                      "isPartOf": "CC-MAIN-2017-13", "operator": "Common Crawl Admin",
                      "format": "WARC File Format 1.0"})
    starts: dict[str, int] = {}

    def capture(name: str, url: str, body: bytes | str, **options) -> None:
        archive.request(url, CC_DATE)
        warc_headers = {"WARC-Identified-Payload-Type": "text/html",
                        **options.pop("warc_headers", {})}
        starts[name] = archive.response(url, body, CC_DATE, warc_headers=warc_headers,
                                        **options)
        archive.metadata(url, CC_DATE, "fetchTimeMs: 212\ncharset-detected: UTF-8\n")

    www = BASE.replace("https://", "http://www.")
    capture("plain", url_of("plain"), page_html("plain"),
            extra_headers=[("ETag", '"cc-1"'), ("Last-Modified", "Mon, 20 Mar 2017 10:00:00 GMT"),
                           ("X-Crawler-Content-Encoding", "gzip")])
    # Under www. in the archive; the page names its canonical URL without it.
    capture("www", url_of("www-twin", www) + "/?utm_source=feed", page_html("www-twin"))
    capture("latin1", url_of("latin1"), page_html("latin1").encode("latin-1", "replace"),
            content_type="text/html; charset=ISO-8859-1")
    capture("listing", BASE + "/category/news-middle-east",
            listing_page("news-middle-east", [Post(slug="plain", title="Talks resume plain",
                                                   body_html="")], None, None))
    capture("short", url_of("short"), page_html("short", ["Too short to be an article."]))
    capture("redirect", BASE.replace("https", "http") + "/theaawsat", "", status="301 Moved",
            extra_headers=[("Location", BASE + "/theaawsat/")])
    capture("robots", BASE + "/robots.txt", "User-agent: *\nDisallow:\n",
            content_type="text/plain", warc_headers={"WARC-Identified-Payload-Type":
                                                     "text/plain"})
    capture("pdf", BASE + "/wp-content/uploads/report.pdf", b"%PDF-1.4 ...",
            content_type="application/pdf",
            warc_headers={"WARC-Identified-Payload-Type": "application/pdf"})
    capture("truncated", url_of("huge"), page_html("huge")[:2000],
            warc_headers={"WARC-Truncated": "length"})
    capture("elsewhere", "http://www.example.org/news/2017/story", page_html("elsewhere"))
    return archive.close(), starts


# Records of common_crawl_file: 1 warcinfo + 10 captures x (request, response, metadata).
CC_EXPECTED = {
    "records": 31, "new": 3, "updated": 0, "unchanged": 0, "stale": 0,
    # The section's listing is read for its names, not quarantined.
    "quarantined": {"too_short": 1},
    "skipped": {"warcinfo": 1, "request": 10, "metadata": 10, "non_200": 1, "non_html": 2,
                "truncated": 1, "other_host": 1, "listing": 1},
}


def counts(result: ImportResult) -> dict:
    figures = result.as_dict()
    return {k: figures[k] for k in CC_EXPECTED}


def balanced(result: ImportResult) -> bool:
    return result.records == result.articles + sum(result.quarantined.values()) \
        + sum(result.skipped.values())


@pytest.fixture
def store(db_url) -> ArticleStore:
    return ArticleStore(db_url)


def test_a_common_crawl_file_is_imported_with_exact_counts_by_reason(store, tmp_path):
    path, starts = common_crawl_file(tmp_path / "CC-MAIN-20170322-00000.warc.gz")
    result = import_warc(store, [path], hosts=[HOST], workers=1)
    assert counts(result) == CC_EXPECTED and balanced(result)
    assert result.files == 1 and not result.warnings

    plain = store.get(url_of("plain"))
    assert plain is not None and plain["title"] == "Talks resume plain"
    assert plain["last_fetched"] == CC_DATE and plain["first_seen"] == CC_DATE
    assert store.validators([url_of("plain")])[url_of("plain")][:2] == (
        '"cc-1"', "Mon, 20 Mar 2017 10:00:00 GMT")
    revision = store.revisions(url_of("plain"))[0]
    assert revision["warc_file"] == str(path.resolve())
    assert revision["warc_offset"] == starts["plain"]
    assert revision["fetched_at"] == CC_DATE and revision["crawl_run_id"] is None
    # The page declares its canonical without www.: that is its key.
    assert store.get(url_of("www-twin")) is not None
    assert store.get(url_of("latin1"))["title"] == "Talks resume latin1"
    assert store.stats()["articles"] == 3
    # Quarantined with their reason and WARC location; an archived copy's verdict is
    # not permanent, so it never keeps a live crawl from fetching the page.
    samples = {q["url"]: q["reason"] for q in store.quarantine_samples(None)}
    assert samples == {url_of("short"): "too_short"}
    assert store.known_urls([url_of("short")]) == set()
    # Every form of the URL is known to a later crawl.
    assert store.known_urls(url_twins(url_of("plain"))) == set(url_twins(url_of("plain")))


def test_without_a_host_filter_every_host_is_imported(store, tmp_path):
    path, _ = common_crawl_file(tmp_path / "cc.warc.gz")
    result = import_warc(store, [tmp_path], workers=1)  # a folder of WARC files
    assert result.new == 4 and "other_host" not in result.skipped and balanced(result)
    assert store.get("http://www.example.org/news/2017/story") is not None


def test_importing_the_same_file_again_changes_nothing(store, tmp_path):
    path, _ = common_crawl_file(tmp_path / "cc.warc.gz")
    import_warc(store, [path], hosts=[HOST], workers=1)
    again = import_warc(store, [path], hosts=[HOST], workers=1)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)
    assert again.quarantined == CC_EXPECTED["quarantined"] and balanced(again)
    assert store.stats()["revisions"] == 3


def test_imported_pages_are_re_extracted_from_the_source_file(store, tmp_path):
    path, _ = common_crawl_file(tmp_path / "cc.warc.gz")
    import_warc(store, [path], hosts=[HOST], workers=1)
    result = reextract(store, workers=1)
    assert result == {"unchanged": 3, "still_quarantined": 1, "total": 4}


IA_FIRST = datetime(2012, 6, 1, 8, 0, tzinfo=UTC)


def internet_archive_file(path: Path, captures: list[tuple[datetime, str]],
                          revisit_at: datetime | None = None) -> Path:
    """The Internet Archive's (Heritrix) layout: warcinfo, a dns record, then
    response, request and metadata (outlinks) per capture; a later capture
    whose payload did not change is a `revisit` record pointing at it."""
    archive = ArchiveFile(path)
    archive.warcinfo({"software": "Heritrix/3.4.0 http://crawler.archive.org",
                      "isPartOf": "ARCHIVEIT-1234", "format": "WARC File Format 1.0"})
    archive.dns(HOST, captures[0][0])
    url = url_of("history").replace("https://", "http://")
    for when, html in captures:
        archive.response(url, html, when)
        archive.request(url, when)
        archive.metadata(url, when, f"via: {BASE}/category/news-middle-east\noutlink: "
                                    f"{BASE}/ L a/@href\n")
    if revisit_at is not None:
        archive.revisit(url, revisit_at, captures[0][0], captures[0][1])
        archive.request(url, revisit_at)
    return archive.close()


def test_internet_archive_captures_become_revisions_and_revisits_are_skipped(store, tmp_path):
    second = datetime(2014, 2, 3, 9, 30, tzinfo=UTC)
    path = internet_archive_file(
        tmp_path / "ia.warc.gz",
        [(IA_FIRST, page_html("history")), (second, page_html("history", [*PARAGRAPHS, LATER]))],
        revisit_at=datetime(2013, 1, 1, tzinfo=UTC))
    result = import_warc(store, [path], workers=1)
    assert (result.records, result.new, result.updated, result.unchanged, result.stale) == (
        10, 1, 1, 0, 0)
    assert result.skipped == {"warcinfo": 1, "non_http": 1, "request": 3, "metadata": 2,
                              "revisit": 1}
    assert not result.quarantined and balanced(result)
    # http:// in the archive, the page's canonical says https://: one article.
    history = [r["fetched_at"] for r in store.revisions(url_of("history"))]
    assert history == [IA_FIRST, second] and store.stats()["articles"] == 1
    assert LATER in store.get(url_of("history"))["body"]


def test_an_older_capture_never_replaces_a_newer_revision(store, tmp_path):
    newer = datetime(2015, 5, 5, tzinfo=UTC)
    # The newer capture comes first in the file: the older one after it is stale.
    path = internet_archive_file(tmp_path / "ia.warc.gz", [
        (newer, page_html("history", [*PARAGRAPHS, LATER])), (IA_FIRST, page_html("history"))])
    result = import_warc(store, [path], workers=1)
    assert (result.new, result.updated, result.stale) == (1, 0, 1) and balanced(result)
    assert [r["fetched_at"] for r in store.revisions(url_of("history"))] == [newer]
    assert LATER in store.get(url_of("history"))["body"]


def crawled(store: ArticleStore, url: str, html: str, when: datetime) -> None:
    """What a live crawl stored."""
    store.upsert_articles([PageRecord(
        article=extract_article(html, url, site="aawsat"), fetched_at=when, run_id=None,
        etag='"live"', last_modified="Fri, 01 Mar 2024 00:00:00 GMT",
        cleaner_version=CLEANER_VERSION)])


LIVE = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
SITE = "https://news.example.com"  # a site whose pages declare no canonical URL


@pytest.mark.parametrize("archived_as", [
    "http://news.example.com/theaawsat/news-middle-east/moved",
    "https://www.news.example.com/theaawsat/news-middle-east/moved/",
    "http://www.news.example.com:80/theaawsat/news-middle-east/moved?utm_campaign=x&share=1",
])
def test_an_archived_copy_under_another_url_form_is_the_stored_article(store, tmp_path,
                                                                       archived_as):
    url = url_of("moved", SITE)
    crawled(store, url, page_html("moved", base=SITE, canonical=False), LIVE)
    store.mark_gone(url)
    before = store.get(url)
    archive = ArchiveFile(tmp_path / "copies.warc.gz")
    archive.response(archived_as, page_html("moved", base=SITE, canonical=False),
                     datetime(2016, 1, 1, tzinfo=UTC))  # older, same text
    archive.response(archived_as, page_html("moved", [*PARAGRAPHS, LATER], base=SITE,
                                            canonical=False),
                     datetime(2013, 1, 1, tzinfo=UTC))  # older, another text
    archive.response(archived_as, page_html("moved", base=SITE, canonical=False),
                     datetime(2025, 1, 1, tzinfo=UTC))  # newer, same text
    result = import_warc(store, [archive.close()], workers=1)
    assert (result.new, result.updated, result.unchanged, result.stale) == (0, 0, 1, 2)
    assert store.stats()["articles"] == 1 and len(store.revisions(url)) == 1
    assert store.get(url) == before  # status, fetch time and text: the crawl's
    assert store.validators([url])[url][:2] == ('"live"', "Fri, 01 Mar 2024 00:00:00 GMT")


def test_a_newer_archived_copy_updates_the_text_only(store, tmp_path):
    url = url_of("moved", SITE)
    crawled(store, url, page_html("moved", base=SITE, canonical=False), LIVE)
    store.mark_gone(url)
    before = store.get(url)
    archive = ArchiveFile(tmp_path / "copies.warc.gz")
    archive.response(url.replace("https://", "http://www."),
                     page_html("moved", [*PARAGRAPHS, LATER], base=SITE, canonical=False),
                     datetime(2025, 1, 1, tzinfo=UTC), extra_headers=[("ETag", '"archive"')])
    result = import_warc(store, [archive.close()], workers=1)
    assert result.updated == 1 and store.stats()["articles"] == 1
    stored = store.get(url)
    assert LATER in stored["body"] and stored["revision"] == 2
    assert stored["url"] == url  # the stored form, not the archive's
    assert stored["status"] == "gone" and stored["last_fetched"] == before["last_fetched"]
    assert store.validators([url])[url][0] == '"live"'


def test_two_forms_of_one_page_in_one_file_make_one_article(store, tmp_path):
    archive = ArchiveFile(tmp_path / "twins.warc.gz")
    for number, form in enumerate(["http://news.example.com", "https://www.news.example.com",
                                   "https://news.example.com"]):
        archive.response(url_of("twins", form), page_html("twins", base=SITE, canonical=False),
                         datetime(2016, 1, 1 + number, tzinfo=UTC))
    result = import_warc(store, [archive.close()], workers=1)
    assert (result.new, result.unchanged) == (1, 2) and store.stats()["articles"] == 1
    assert store.get(url_of("twins", "http://news.example.com")) is not None


def test_a_rejected_copy_of_a_stored_article_leaves_it_as_it_is(store, tmp_path):
    url = url_of("kept", SITE)
    crawled(store, url, page_html("kept", base=SITE, canonical=False), LIVE)
    archive = ArchiveFile(tmp_path / "soft-404.warc.gz")
    archive.response(url.replace("https://", "http://"),
                     page_html("kept", ["Not found."], base=SITE, canonical=False),
                     datetime(2019, 1, 1, tzinfo=UTC))
    result = import_warc(store, [archive.close()], workers=1)
    assert result.skipped == {"rejected_but_known": 1} and not result.quarantined
    assert store.quarantine_samples(None) == [] and store.get(url) is not None


def damaged_file(path: Path) -> tuple[Path, list[str]]:
    """Five pages, gzip per record; the second's compressed bytes garbled and
    the last torn off half-way (a download that stopped)."""
    archive = ArchiveFile(path)
    slugs = [f"page-{n}" for n in range(5)]
    for slug in slugs:
        archive.response(url_of(slug), page_html(slug), CC_DATE)
    archive.close()
    data = bytearray(path.read_bytes())
    second, third = archive.offsets[1], archive.offsets[2]
    middle = (second + third) // 2
    data[middle:middle + 40] = bytes(b ^ 0x5A for b in data[middle:middle + 40])
    last = archive.offsets[4]
    path.write_bytes(bytes(data[: last + (len(data) - last) // 2]))
    return path, slugs


def test_corrupt_records_are_skipped_and_counted_never_fatal(store, tmp_path):
    path, slugs = damaged_file(tmp_path / "damaged.warc.gz")
    result = import_warc(store, [path], workers=1)
    assert (result.records, result.new, result.skipped) == (5, 3, {"corrupt": 2})
    assert balanced(result) and len(result.warnings) == 2
    assert str(path) in result.warnings[0]
    stored = {slug for slug in slugs if store.get(url_of(slug))}
    assert stored == {"page-0", "page-2", "page-3"}


def test_an_uncompressed_file_with_garbage_resumes_at_the_next_record(store, tmp_path):
    archive = ArchiveFile(tmp_path / "plain.warc", compress=False)
    for slug in ("one", "two", "three"):
        archive.response(url_of(slug), page_html(slug), CC_DATE)
    archive.close()
    data = archive.path.read_bytes()
    second = archive.offsets[1]
    # The second record's header garbled: not a WARC record any more.
    archive.path.write_bytes(data[:second] + b"XXXX" + data[second + 4:])
    result = import_warc(store, [archive.path], workers=1)
    assert (result.records, result.new, result.skipped) == (3, 2, {"corrupt": 1})
    assert store.get(url_of("one")) and store.get(url_of("three"))


def test_a_whole_file_gzip_is_read_to_its_first_record_then_reported(store, tmp_path):
    plain = ArchiveFile(tmp_path / "x.warc", compress=False)
    for slug in ("one", "two"):
        plain.response(url_of(slug), page_html(slug), CC_DATE)
    whole = tmp_path / "whole.warc.gz"
    whole.write_bytes(gzip.compress(plain.close().read_bytes()))
    result = import_warc(store, [whole], workers=1)
    assert result.skipped == {"corrupt": 1} and result.new == 1
    assert "warcio recompress" in result.warnings[0]


@pytest.mark.integration  # starts cleaning processes
def test_a_pool_of_cleaning_processes_gives_the_same_result(store, tmp_path, monkeypatch):
    monkeypatch.setattr("ingest.warc_import.INLINE_PAGES", 2)  # the rest in the pool
    path, _ = common_crawl_file(tmp_path / "cc.warc.gz")
    result = import_warc(store, [path], hosts=[HOST], workers=2)
    assert counts(result) == CC_EXPECTED


def crashing_clean_job(job):
    """In a cleaning process: dies on one page (a cleaner that takes its process down)."""
    if job[1].endswith("/page-2"):
        os._exit(3)
    return clean_page(*job)


@pytest.mark.integration  # starts cleaning processes
def test_only_the_page_that_kills_its_cleaning_process_is_quarantined(store, tmp_path,
                                                                      monkeypatch):
    monkeypatch.setattr("ingest.warc_import.INLINE_PAGES", 1)
    monkeypatch.setattr("ingest.warc_import._clean_job", crashing_clean_job)
    archive = ArchiveFile(tmp_path / "crash.warc.gz")
    for number in range(8):
        archive.response(url_of(f"page-{number}"), page_html(f"page-{number}"), CC_DATE)
    result = import_warc(store, [archive.close()], workers=2)
    assert (result.new, result.quarantined) == (7, {"cleaner_crashed": 1})
    assert store.quarantine_samples(None)[0]["url"] == url_of("page-2")
    assert store.known_urls([url_of("page-2")]) == set()  # transient: tried again


def test_paths_that_are_not_warc_files_are_refused_before_anything_is_read(tmp_path):
    (tmp_path / "page.html").write_text("<html></html>")
    (tmp_path / "empty").mkdir()
    for bad, message in [(tmp_path / "missing.warc.gz", "no such file"),
                         (tmp_path / "page.html", "not a WARC file"),
                         (tmp_path / "empty", "no .warc or .warc.gz files")]:
        with pytest.raises(ImportInputError, match=message):
            warc_files([bad])
    with pytest.raises(ImportInputError, match="unknown site"):
        import_warc(ArticleStore(f"sqlite:///{tmp_path / 'a.db'}"), [], site="nope")


def test_url_twins():
    assert url_twins("http://www.example.com:80/a?b=1") == [
        "http://www.example.com:80/a?b=1", "http://www.example.com/a?b=1",
        "http://example.com/a?b=1", "https://www.example.com/a?b=1",
        "https://example.com/a?b=1"]
    assert url_twins("https://127.0.0.1:8080/a") == ["https://127.0.0.1:8080/a",
                                                      "http://127.0.0.1:8080/a"]


def stalling_clean_job(job):
    """In a cleaning process: one page that would take for ever."""
    if job[1].endswith("/page-3"):
        import time

        time.sleep(600)
    return clean_page(*job)


@pytest.mark.integration  # starts cleaning processes
def test_a_page_over_its_time_budget_costs_only_itself(store, tmp_path, monkeypatch):
    monkeypatch.setattr("ingest.warc_import.INLINE_PAGES", 1)
    monkeypatch.setattr("ingest.warc_import.CLEAN_BUDGET_S", 2.0)
    monkeypatch.setattr("ingest.warc_import._clean_job", stalling_clean_job)
    archive = ArchiveFile(tmp_path / "stall.warc.gz")
    for number in range(6):
        archive.response(url_of(f"page-{number}"), page_html(f"page-{number}"), CC_DATE)
    result = import_warc(store, [archive.close()], workers=2)
    assert (result.new, result.quarantined) == (5, {"cleaner_timeout": 1})
