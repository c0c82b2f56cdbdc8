"""Import never aborts on one record or one file: each hostile case is
skipped and counted by reason, the rest stored; the import fails only when
nothing usable was read. Header values are stored as sent, NUL included.
On SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import re
from io import BytesIO

import pytest
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive_cli.main import app
from ingest.warc_import import import_warc
from storage.store import ArticleStore
from tests.test_import import CC_DATE, ArchiveFile, balanced, page_html, url_of

pytestmark = pytest.mark.integration


@pytest.fixture
def store(db_url) -> ArticleStore:
    return ArticleStore(db_url)


def test_impossible_dates_and_ports_are_skipped_and_the_rest_stored(store, tmp_path):
    archive = ArchiveFile(tmp_path / "odd.warc.gz")
    archive.response(url_of("first"), page_html("first"), CC_DATE)
    for moment in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        archive.response(url_of("dated"), page_html("dated"), CC_DATE,
                         warc_headers={"WARC-Date": moment})
    archive.response("http://eng-archive.aawsat.com:99999/theaawsat/x/port", page_html("port"),
                     CC_DATE)
    archive.response(url_of("last"), page_html("last"), CC_DATE)
    result = import_warc(store, [archive.close()], workers=1)
    assert result.new == 2 and balanced(result)
    assert result.skipped == {"bad_date": 2, "bad_url": 1}
    assert store.get(url_of("first")) and store.get(url_of("last"))


def raw_record(url: str, html: str) -> bytes:
    out = BytesIO()
    writer = WARCWriter(out, gzip=False)
    payload = html.encode()
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=UTF-8")],
                               protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(
        url, "response", payload=BytesIO(payload), http_headers=headers,
        warc_headers_dict={"WARC-Date": "2017-03-22T14:05:09Z"}))
    return out.getvalue()


def test_a_record_whose_length_lies_costs_that_record_only(store, tmp_path):
    """A gzip member whose Content-Length is shorter than its block: reading
    resumed at a negative offset and gave up on the rest of the file."""
    lying = re.sub(rb"Content-Length: (\d+)", lambda m: b"Content-Length: "
                   + str(int(m[1]) // 2).encode(), raw_record(url_of("short"), page_html("short")),
                   count=1)
    members = [gzip.compress(raw_record(url_of("before"), page_html("before"))),
               gzip.compress(lying)]
    members += [gzip.compress(raw_record(url_of(f"after-{n}"), page_html(f"after-{n}")))
                for n in range(3)]
    path = tmp_path / "lying.warc.gz"
    path.write_bytes(b"".join(members))
    result = import_warc(store, [path], workers=1)
    stored = {s for s in ("before", "short", "after-0", "after-1", "after-2")
              if store.get(url_of(s))}
    assert {"before", "after-0", "after-1", "after-2"} <= stored, (result.as_dict(), stored)
    assert result.unreadable_files == 0


def test_a_file_torn_in_its_first_member_costs_that_file_only(store, tmp_path):
    folder = tmp_path / "crawl"
    folder.mkdir()
    good = ArchiveFile(folder / "b-good.warc.gz")
    good.response(url_of("good"), page_html("good"), CC_DATE)
    good.close()
    torn = ArchiveFile(folder / "a-torn.warc.gz")
    torn.response(url_of("torn"), page_html("torn"), CC_DATE)
    data = torn.close().read_bytes()
    (folder / "a-torn.warc.gz").write_bytes(data[: len(data) // 3])
    result = import_warc(store, [folder], workers=1)
    assert store.get(url_of("good")) is not None
    assert result.files == 2 and result.new == 1


def test_a_nul_in_a_header_is_stored_not_refused(store, tmp_path):
    archive = ArchiveFile(tmp_path / "nul.warc.gz")
    archive.response(url_of("nul"), page_html("nul"), CC_DATE,
                     extra_headers=[("ETag", '"a\x00b"')])
    result = import_warc(store, [archive.close()], workers=1)
    assert result.new == 1 and not result.quarantined, result.as_dict()
    etag = store.validators([url_of("nul")])[url_of("nul")][0]
    assert etag in ('"a\x00b"', '"a\\x00b"')  # as sent; PostgreSQL keeps it escaped


def test_an_import_with_nothing_usable_fails(db_url, tmp_path):
    archive = ArchiveFile(tmp_path / "nothing.warc.gz")
    archive.dns("eng-archive.aawsat.com", CC_DATE)
    archive.response(url_of("x"), b"\x89PNG", CC_DATE, content_type="image/png")
    result = CliRunner().invoke(app, ["import", str(archive.close()), "--db", db_url])
    assert result.exit_code == 1, result.output
    assert "nothing usable in 1 WARC file: 2 records read (non_html 1, non_http 1)" in \
        result.output
