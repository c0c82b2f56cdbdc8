"""Exports of the stored articles: JSON lines, CSV or Parquet, streamed.

Fields (one per Article field, see the README): url, canonical_url, title,
authors, published, categories, tags, dateline, body, images, language,
word_count, content_hash, extractor, fallback, warnings, status, revision,
first_seen, last_fetched."""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from .store import ArticleStore

FIELDS = ["url", "canonical_url", "title", "authors", "published", "categories", "tags",
          "dateline", "body", "images", "language", "word_count", "content_hash", "extractor",
          "fallback", "warnings", "status", "revision", "first_seen", "last_fetched"]
LIST_FIELDS = {"authors", "categories", "tags", "images", "warnings"}
FORMATS = ("jsonl", "csv", "parquet")


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (row[k].isoformat() if isinstance(row[k], datetime) else row[k]) for k in FIELDS}


def article_record(row: dict[str, Any]) -> dict[str, Any]:
    """A stored article as plain JSON values, with the export's field names
    (what `--json` prints)."""
    return _plain(row)


class ExportError(ValueError):
    """An export that cannot be written where asked (one line, for the user)."""


def export(store: ArticleStore, fmt: str, out: Path | None, since: date | None = None,
           until: date | None = None, category: str | None = None) -> int:
    """Write the articles to `out` (None: standard output, text formats only).

    A file is written whole or not at all: into a temporary file beside the
    target, renamed over it at the end, so a killed export leaves the previous
    file as it was and never a partial one that looks whole."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    rows = store.iter_articles(since=since, until=until, category=category)
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
        os.replace(partial, out)
    except OSError as error:
        raise ExportError(f"cannot write {out}: {error.strerror or error}") from None
    finally:
        partial.unlink(missing_ok=True)
    return count


def _check_target(store: ArticleStore, out: Path) -> None:
    if out.is_dir():
        raise ExportError(f"{out} is a folder: give a file path for --out")
    database = store.sqlite_path()
    if database is not None and out.resolve() == database.resolve():
        raise ExportError(f"{out} is the store itself: choose another path for the export")


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
    ])
    count = 0
    with pq.ParquetWriter(out, schema) as writer:
        buffer: list[dict[str, Any]] = []
        for article in rows:
            row = {k: article[k] for k in FIELDS}
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
