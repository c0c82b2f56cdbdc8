"""Raw pages in gzipped WARC files (warcio): request and response records,
written before a page is cleaned, so that it can be re-cleaned later without
fetching it again. Files rotate by size; each record is flushed as written,
so a crash loses at most the record being written, which readers skip."""

from __future__ import annotations

import errno
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from isal import igzip
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

log = logging.getLogger(__name__)
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
WARC_FORMAT = "WARC File Format 1.0"
# ISA-L's gzip (standard members any reader takes) at its level 2: on the
# archive's 90 KB pages 0.09 ms a page for 17.1% of the size, where zlib
# takes 0.85 ms at level 6 for 15.9% (and warcio's level 9 four times that).
# A crawl compresses every page it fetches: a tenth of the CPU for 7% more disk.
GZIP_LEVEL = 2


def gzip_member(data: bytes) -> bytes:
    """`data` as one gzip member (a WARC record's, in a .warc.gz file)."""
    return igzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


@dataclass
class RawPage:
    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime | None = None

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)


class NothingReadable(RuntimeError):
    """Every archived page a job was to read was unreadable (moved or pruned
    WARC files, say): the job did nothing, and says so as a failure."""


class WarcWriterRotating:
    """Appends records to `<dir>/<prefix>-<time>-<pid>-<n>.warc.gz`, a new file
    past `max_bytes`. Returns where each response record starts. Each file
    opens with a `warcinfo` record of `info` (software, format, the crawl's
    parameters: the fields wget, Heritrix and Browsertrix write there)."""

    def __init__(self, directory: Path, prefix: str = "archive",
                 max_bytes: int = DEFAULT_MAX_BYTES,
                 info: dict[str, str] | None = None) -> None:
        # Absolute: the store records where each record is, for readers started anywhere.
        self.directory = Path(directory).absolute()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.info = {"format": WARC_FORMAT, **(info or {})}
        self._file: object | None = None
        self._path: Path | None = None
        self._count = 0

    def _open(self) -> None:
        self.close()
        self._count += 1
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
        self._path = self.directory / f"{self.prefix}-{stamp}-{os.getpid()}-{self._count}.warc.gz"
        self._file = open(self._path, "ab")  # noqa: SIM115 - kept open across records
        self._file.write(warcinfo_record(self._path.name, self.info))

    def write(self, page: RawPage, request_headers: list[tuple[str, str]] | None = None,
              method: str = "GET") -> tuple[str, int]:
        return self.append(warc_records(page, request_headers, method))

    def append(self, records: bytes) -> tuple[str, int]:
        """Append records made by `warc_records`; where they start."""
        # The file's position is its size: no stat() per page on the crawl's thread.
        if self._file is None or self._file.tell() > self.max_bytes:  # type: ignore[attr-defined]
            self._open()
        assert self._file is not None and self._path is not None
        offset = self._file.tell()  # type: ignore[attr-defined]
        self._file.write(records)  # type: ignore[attr-defined]
        self._file.flush()  # type: ignore[attr-defined]
        return str(self._path), offset

    def close(self) -> None:
        if self._file is not None:
            self._file.close()  # type: ignore[attr-defined]
        self._file = None


def warcinfo_record(filename: str, info: dict[str, str]) -> bytes:
    """A file's `warcinfo` record (one gzip member): `info` as WARC fields."""
    buffer = BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    writer.write_record(writer.create_warcinfo_record(filename, info))
    return gzip_member(buffer.getvalue())


def warc_records(page: RawPage, request_headers: list[tuple[str, str]] | None = None,
                 method: str = "GET") -> bytes:
    """A page's response record (then its request record), each its own gzip
    member, ready to append to a WARC file. Pure CPU (digests, compression):
    a crawl runs it in its cleaning workers."""
    fetched = (page.fetched_at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    http_headers = StatusAndHeaders(f"{page.status} {_reason(page.status)}", page.headers,
                                    protocol="HTTP/1.1")
    records = [("response", BytesIO(page.body), http_headers)]
    if request_headers is not None:
        records.append(("request", BytesIO(b""), StatusAndHeaders(
            f"{method} {_path_of(page.url)} HTTP/1.1", request_headers, is_http_request=True)))
    members = []
    for kind, payload, headers in records:
        buffer = BytesIO()
        writer = WARCWriter(buffer, gzip=False)
        writer.write_record(writer.create_warc_record(
            page.url, kind, payload=payload, http_headers=headers,
            warc_headers_dict={"WARC-Date": fetched}))
        members.append(gzip_member(buffer.getvalue()))
    return b"".join(members)


def read_response(path: str | Path, offset: int) -> RawPage:
    """The response record that starts at `offset` in `path`."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        for record in ArchiveIterator(stream):
            if record.rec_type == "response":
                return _raw_page(record)
            break
    raise ArchiveLoadFailed(f"no response record at {path}:{offset}")


def iter_responses(path: str | Path) -> Iterator[tuple[int, RawPage]]:
    """Every readable response record of a file with its offset; a torn last
    record (a crash while writing) is skipped with a warning."""
    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream)
        try:
            for record in iterator:
                if record.rec_type == "response":
                    page = _raw_page(record)
                    yield iterator.get_record_offset(), page
        except (ArchiveLoadFailed, EOFError, OSError, ValueError) as error:
            log.warning("%s: torn or unreadable record skipped (%s)", path, error)


def prune(directory: Path, keep_days: float, dry_run: bool = False) -> list[Path]:
    """Retention: delete WARC files older than `keep_days` (with `dry_run`,
    only say which). A folder that is not there raises FileNotFoundError."""
    if not Path(directory).is_dir():
        raise FileNotFoundError(errno.ENOENT, "no such folder", str(directory))
    cutoff = time.time() - keep_days * 86400
    removed: list[Path] = []
    for path in sorted(Path(directory).glob("*.warc.gz")):
        if path.stat().st_mtime < cutoff:
            if not dry_run:
                path.unlink()
            removed.append(path)
    return removed


def _raw_page(record: object) -> RawPage:
    http = record.http_headers  # type: ignore[attr-defined]
    status = int(http.get_statuscode()) if http else 0
    headers = list(http.headers) if http else []
    body = record.content_stream().read()  # type: ignore[attr-defined]
    date = record.rec_headers.get_header("WARC-Date")  # type: ignore[attr-defined]
    fetched = datetime.fromisoformat(date.replace("Z", "+00:00")) if date else None
    url = record.rec_headers.get_header("WARC-Target-URI")  # type: ignore[attr-defined]
    return RawPage(url=url, status=status, headers=headers, body=body, fetched_at=fetched)


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
