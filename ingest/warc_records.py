"""What an import reads of WARC files: the files named (folders walked),
the URL forms a page may be archived under, and each record judged, as it
is streamed, into an HTML page to clean or the reason it is skipped (a
corrupt record skipped, and reading goes on at the next one that parses)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

from warcio.archiveiterator import ArchiveIterator

from cleaning.dates import iso_moment
from cleaning.decoding import MAX_PAGE_BYTES

HTML_TYPES = ("text/html", "application/xhtml+xml")
WARC_SUFFIXES = (".warc", ".warc.gz")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_SCAN_CHUNK = 1 << 20
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}



class ImportInputError(ValueError):
    """A path that is not there, or a file that is not a WARC file."""



# --- the files ------------------------------------------------------------------------------
def warc_files(paths: Iterable[str | Path]) -> list[Path]:
    """The WARC files to import, absolute: files as given, folders searched
    (recursively) for `*.warc` and `*.warc.gz`. A path that is not there, a
    file that is not a WARC file, or a folder with none raises ImportInputError."""
    found: list[Path] = []
    for given in paths:
        path = Path(given).expanduser()
        if not path.exists():
            raise ImportInputError(f"no such file or folder: {given}")
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*")
                            if p.is_file() and p.name.lower().endswith(WARC_SUFFIXES))
            if not inside:
                raise ImportInputError(f"{given}: no .warc or .warc.gz files in this folder")
            found += inside
        else:
            problem = not_a_warc(path)
            if problem:
                raise ImportInputError(f"{given}: not a WARC file ({problem})")
            found.append(path)
    return list(dict.fromkeys(p.resolve() for p in found))


def not_a_warc(path: Path) -> str | None:
    """Why `path` is not a WARC file (its first record does not parse), or None."""
    try:
        with open(path, "rb") as stream:
            record = next(iter(ArchiveIterator(stream)), None)
            if record is None:
                return "empty"
            if record.format != "warc":
                return f"{record.format.upper()} files are not supported" \
                    if record.format else "no WARC record"
    except Exception as error:  # noqa: BLE001 - any parse failure means: not a WARC file
        return first_line(error) or type(error).__name__
    return None


# --- URL forms ---------------------------------------------------------------------------------
def url_twins(url: str) -> list[str]:
    """The forms one page takes in archives, `url` first: http and https, with
    and without `www.`, without a default port. `url` is a canonical form."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return [url]
    netloc = parts.netloc.removesuffix(_DEFAULT_PORTS[parts.scheme])
    bare = netloc.removeprefix("www.")
    hostname = (parts.hostname or "").removeprefix("www.")
    # An IP address or a single-label host has no www. twin.
    hosts = [netloc] + ([bare, "www." + bare] if "." in hostname
                        and not hostname.replace(".", "").isdigit() else [bare])
    schemes = [parts.scheme, "https" if parts.scheme == "http" else "http"]
    forms = [url] + [urlunsplit((scheme, host, parts.path, parts.query, ""))
                     for scheme in schemes for host in hosts]
    return list(dict.fromkeys(forms))


def url_identity(url: str) -> str:
    """A URL without what its twins differ by: the scheme, `www.`, a default port."""
    parts = urlsplit(url)
    netloc = parts.netloc.removesuffix(_DEFAULT_PORTS.get(parts.scheme, "\0"))
    return urlunsplit(("", netloc.removeprefix("www."), parts.path, parts.query, ""))


def bare_host(value: str) -> str:
    """A URL's or a `host[:port]`'s host name, without `www.`."""
    try:
        host = urlsplit(value.strip() if "://" in value else "//" + value.strip()).hostname
    except ValueError:  # a malformed IPv6 literal
        return ""
    return (host or "").lower().rstrip(".").removeprefix("www.")



# --- reading records -----------------------------------------------------------------------------
@dataclass
class ArchivedRecord:
    """One WARC record read: an HTML page to clean (`reason` None), or why not."""

    offset: int
    reason: str | None = None
    url: str = ""
    body: bytes = b""
    content_type: str | None = None
    fetched_at: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    detail: str = ""


def scan_records(path: Path, hosts: frozenset[str]) -> Iterator[ArchivedRecord]:
    """Every record of a file, judged. A damaged record is yielded as
    `corrupt`, and reading resumes at the next place a record may start (a
    gzip member's header, a `WARC/1.x` line); one that does not parse is
    damaged too. With no such place left, the rest of the file is skipped."""
    with open(path, "rb") as stream:
        gzipped = stream.read(2) == _GZIP_MAGIC[:2]
        start: int | None = 0
        while start is not None:
            stream.seek(start)
            resumed_at = start
            try:
                iterator = ArchiveIterator(stream)
            except Exception as error:  # noqa: BLE001 - a torn first member, say
                yield corrupt_record(path, start, error)
                start = next_record_start(stream, start + 1, gzipped)
                continue
            while True:
                offset = iterator.offset
                try:
                    record = next(iterator)
                except StopIteration:
                    return
                except Exception as error:  # noqa: BLE001 - warcio raises what it meets
                    yield corrupt_record(path, max(offset, resumed_at), error)
                    if "non-chunked gzip" in str(error):
                        return  # one gzip stream: no record boundary to resume at
                    # Always forward: a record whose Content-Length is short of
                    # its block reports an offset before where reading resumed.
                    start = next_record_start(stream, max(offset, resumed_at) + 1, gzipped)
                    break
                offset = iterator.offset  # where this record starts
                try:
                    judged = judge_record(record, offset, hosts)
                    iterator.read_to_end()  # a damaged tail is this record's
                    missing = getattr(record.raw_stream, "limit", 0)
                    if isinstance(missing, int) and missing > 0:  # the file ends inside it
                        raise EOFError(f"torn record: the last {missing} bytes are missing")
                except Exception as error:  # noqa: BLE001
                    yield corrupt_record(path, max(offset, resumed_at), error)
                    start = next_record_start(stream, max(offset, resumed_at) + 1, gzipped)
                    break
                if offset < resumed_at:  # a length that lies: this record cannot be placed
                    yield corrupt_record(path, resumed_at, ValueError(
                        "the record's length does not match its block"))
                    start = next_record_start(stream, resumed_at + 1, gzipped)
                    break
                yield judged


def corrupt_record(path: Path, offset: int, error: Exception) -> ArchivedRecord:
    message = "".join(c if " " <= c <= "~" else "?" for c in first_line(error)[:100])
    if "non-chunked gzip" in str(error):
        message = ("one gzip stream for the whole file, not one per record: "
                   "`warcio recompress` makes it readable")
    return ArchivedRecord(offset, "corrupt", detail=f"{path}@{offset}: {type(error).__name__}: "
                                              f"{message or '-'}")


def next_record_start(stream: IO[bytes], position: int, gzipped: bool) -> int | None:
    """Where the next record may start at or after `position`: a gzip member's
    header, or a `WARC/1.x` line; None at the end of the file."""
    marker = _GZIP_MAGIC if gzipped else b"\nWARC/1."
    skip = 0 if gzipped else 1
    stream.seek(position)
    carried = b""
    base = position
    while True:
        chunk = stream.read(_SCAN_CHUNK)
        if not chunk:
            return None
        data = carried + chunk
        found = data.find(marker)
        if found >= 0:
            return base + found + skip
        keep = len(marker) - 1
        carried = data[-keep:]
        base += len(data) - len(carried)


def judge_record(record: Any, offset: int, hosts: frozenset[str]) -> ArchivedRecord:
    """Why a record is not an HTML page to clean, or the page, its payload read."""
    kind = record.rec_type
    if kind != "response":
        return ArchivedRecord(offset, kind or "unknown")
    headers = record.rec_headers
    url = (headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a port out of range (99999)
    except ValueError:
        return ArchivedRecord(offset, "bad_url")
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ArchivedRecord(offset, "non_http")
    if hosts and bare_host(url) not in hosts:
        return ArchivedRecord(offset, "other_host")
    if headers.get_header("WARC-Truncated"):
        return ArchivedRecord(offset, "truncated")
    http = record.http_headers
    if http is None or not http.statusline:
        return ArchivedRecord(offset, "non_http")
    if http.get_statuscode() != "200":
        return ArchivedRecord(offset, "non_200")
    content_type = http.get_header("Content-Type")
    mime = (content_type or headers.get_header("WARC-Identified-Payload-Type") or "")
    if mime.split(";")[0].strip().lower() not in HTML_TYPES:
        return ArchivedRecord(offset, "non_html")
    try:
        fetched_at = iso_moment(headers.get_header("WARC-Date"))
        # In UTC, as stored: 0001-01-01T00:00:00+14:00 is no moment a database holds.
        fetched_at = fetched_at.astimezone(UTC) if fetched_at is not None else None
    except (OverflowError, ValueError):
        return ArchivedRecord(offset, "bad_date")
    if fetched_at is None:
        return ArchivedRecord(offset, "no_date")
    body = record.content_stream().read(MAX_PAGE_BYTES + 1)
    if len(body) > MAX_PAGE_BYTES:
        return ArchivedRecord(offset, "too_large")
    return ArchivedRecord(offset, None, url=url, body=body, content_type=content_type,
                   fetched_at=fetched_at, etag=http.get_header("ETag"),
                   last_modified=http.get_header("Last-Modified"))


def first_line(error: BaseException) -> str:
    return next((line.strip() for line in str(error).splitlines() if line.strip()), "")
