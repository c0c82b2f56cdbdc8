"""Exports of the stored articles: JSON lines, CSV or Parquet, streamed.

Fields (see the README): one per Article field, then the site the article
is stored under and the provenance of its current revision (parser_version,
cleaner_version, revision_fetched, warc_file, warc_offset). Each export file gets a manifest
beside it."""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from .store import ArticleStore

FIELDS = ["url", "canonical_url", "title", "authors", "published", "categories", "tags",
          "dateline", "body", "images", "language", "word_count", "content_hash", "extractor",
          "fallback", "warnings", "status", "revision", "first_seen", "last_fetched",
          # provenance of the current revision
          "site", "parser_version", "cleaner_version", "revision_fetched", "warc_file",
          "warc_offset"]
# Bump when FIELDS change. export-3: `site` is the site's name (it was the host).
# export-4: `parser_version` is the site parser's (it was the cleaner's, now
# `cleaner_version`).
SCHEMA_VERSION = "export-4"
LIST_FIELDS = {"authors", "categories", "tags", "images", "warnings"}
FORMATS = ("jsonl", "csv", "parquet")


def _with_site(row: dict[str, Any]) -> dict[str, Any]:
    # The name it is stored under; the host for a row that has none (never
    # once migration 0008 has run, but a row dict may come from elsewhere).
    return {**row, "site": row.get("site") or urlsplit(row["canonical_url"]).netloc}


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    row = _with_site(row)
    return {k: _json_value(row.get(k)) for k in FIELDS}


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def article_record(row: dict[str, Any]) -> dict[str, Any]:
    """A stored article as plain JSON values, with the export's field names
    (what `--json` prints)."""
    return _plain(row)


class ExportError(ValueError):
    """An export that cannot be written where asked (one line, for the user)."""


def export(store: ArticleStore, fmt: str, out: Path | None, since: date | None = None,
           until: date | None = None, category: str | None = None,
           fetched_since: datetime | None = None, site: str | None = None) -> int:
    """Write the articles to `out` (None: standard output, text formats only).

    A file is written whole or not at all: into a temporary file beside the
    target, renamed over it at the end, so a killed export leaves the previous
    file as it was and never a partial one that looks whole."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    rows = store.iter_articles(since=since, until=until, category=category,
                               fetched_since=fetched_since, site=site)
    if out is None:
        if fmt == "parquet":
            raise ExportError("Parquet is a binary file: give --out PATH, not -")
        writer = _jsonl if fmt == "jsonl" else _csv
        return writer(rows, sys.stdout)
    _check_target(store, out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out.parent, prefix=f".{out.name}.",
                                         suffix=".partial", delete=False) as handle:
            partial = Path(handle.name)
    except OSError as error:
        raise ExportError(f"cannot write to {out.parent}: {error.strerror or error}") from None
    try:
        if fmt == "parquet":
            count = _parquet(rows, partial)
        else:
            newline = "" if fmt == "csv" else None
            with partial.open("w", encoding="utf-8", newline=newline) as stream:
                count = (_jsonl if fmt == "jsonl" else _csv)(rows, stream)
        partial.chmod(0o666 & ~_umask())  # a temporary file is 0600; the export is the user's
        os.replace(partial, out)
        write_manifest(out, fmt, count, {"site": site, "since": since, "until": until,
                                         "category": category, "fetched_since": fetched_since})
    except OSError as error:
        raise ExportError(f"cannot write {out}: {error.strerror or error}") from None
    finally:
        partial.unlink(missing_ok=True)
    return count


def write_manifest(out: Path, fmt: str, count: int, filters: dict[str, Any]) -> Path:
    """`<out>.manifest.json` beside an export: when, what, how many, which fields."""
    manifest = out.with_name(out.name + ".manifest.json")
    manifest.write_text(json.dumps({
        "file": out.name, "format": fmt, "articles": count,
        "created": datetime.now(UTC).isoformat(),
        "filters": {k: (v.isoformat() if isinstance(v, date | datetime) else v)
                    for k, v in filters.items() if v is not None},
        "schema_version": SCHEMA_VERSION, "fields": FIELDS,
    }, indent=2) + "\n", encoding="utf-8")
    return manifest


def _check_target(store: ArticleStore, out: Path) -> None:
    if out.is_dir():
        raise ExportError(f"{out} is a folder: give a file path for --out")
    database = store.sqlite_path()
    if database is None:
        return
    # The store's file and SQLite's companions, however the target names them
    # (relative, ./, a symlink, a hard link): writing over any of them loses the store.
    for guarded in (database, *(database.with_name(database.name + suffix)
                                for suffix in SQLITE_COMPANIONS)):
        if _same_file(out, guarded):
            raise ExportError(f"{out} is the store itself ({guarded.name}): "
                              "choose another path for the export")


SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def _umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it: put it straight back
    os.umask(mask)
    return mask


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)  # hard links: the same inode under another name
    except OSError:  # either does not exist yet: nothing to overwrite by another name
        return False


def _jsonl(rows: Iterator[dict[str, Any]], stream: TextIO) -> int:
    count = 0
    for row in map(_plain, rows):
        stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def _csv(rows: Iterator[dict[str, Any]], stream: TextIO) -> int:
    count = 0
    writer = csv.DictWriter(stream, fieldnames=FIELDS)
    writer.writeheader()
    for row in map(_plain, rows):
        # Lists as JSON inside the cell: names may contain commas.
        writer.writerow({k: json.dumps(v, ensure_ascii=False) if k in LIST_FIELDS else v
                         for k, v in row.items()})
        count += 1
    return count


def _parquet(rows: Iterator[dict[str, Any]], out: Path, chunk: int = 1000) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    utc = pa.timestamp("us", tz="UTC")
    # A timestamp column has one zone: `published` is the UTC instant, and
    # `published_local` the ISO string with the offset the page printed.
    schema = pa.schema([
        *[(f, pa.string()) for f in ("url", "canonical_url", "title")],
        ("authors", pa.list_(pa.string())), ("published", utc),
        ("published_local", pa.string()),
        ("categories", pa.list_(pa.string())), ("tags", pa.list_(pa.string())),
        ("dateline", pa.string()), ("body", pa.string()), ("images", pa.string()),
        ("language", pa.string()), ("word_count", pa.int64()), ("content_hash", pa.string()),
        ("extractor", pa.string()), ("fallback", pa.bool_()),
        ("warnings", pa.list_(pa.string())), ("status", pa.string()),
        ("revision", pa.int64()), ("first_seen", utc), ("last_fetched", utc),
        ("site", pa.string()), ("parser_version", pa.string()),
        ("cleaner_version", pa.string()), ("revision_fetched", utc),
        ("warc_file", pa.string()), ("warc_offset", pa.int64()),
    ])
    count = 0
    with pq.ParquetWriter(out, schema) as writer:
        buffer: list[dict[str, Any]] = []
        for article in rows:
            row = {k: value for k, value in _with_site(article).items() if k in FIELDS}
            row["images"] = json.dumps(row["images"], ensure_ascii=False)
            published = row["published"]
            row["published_local"] = published.isoformat() if published else None
            buffer.append(row)
            if len(buffer) >= chunk:
                writer.write_table(pa.Table.from_pylist(buffer, schema=schema))
                count += len(buffer)
                buffer = []
        if buffer or not count:
            writer.write_table(pa.Table.from_pylist(buffer, schema=schema))
            count += len(buffer)
    return count
