"""Exports of the stored articles: JSON lines, CSV or Parquet, streamed.

Fields (one per Article field, see the README): url, canonical_url, title,
authors, published, categories, tags, dateline, body, images, language,
word_count, content_hash, extractor, fallback, warnings, status, revision,
first_seen, last_fetched."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from .store import ArticleStore

FIELDS = ["url", "canonical_url", "title", "authors", "published", "categories", "tags",
          "dateline", "body", "images", "language", "word_count", "content_hash", "extractor",
          "fallback", "warnings", "status", "revision", "first_seen", "last_fetched"]
LIST_FIELDS = {"authors", "categories", "tags", "images", "warnings"}
FORMATS = ("jsonl", "csv", "parquet")


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (row[k].isoformat() if isinstance(row[k], datetime) else row[k]) for k in FIELDS}


def export(store: ArticleStore, fmt: str, out: Path, since: datetime | None = None,
           until: datetime | None = None, category: str | None = None) -> int:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    rows = (_plain(r) for r in store.iter_articles(since=since, until=until, category=category))
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "jsonl":
        return _jsonl(rows, out)
    if fmt == "csv":
        return _csv(rows, out)
    return _parquet(rows, out)


def _jsonl(rows: Iterator[dict[str, Any]], out: Path) -> int:
    count = 0
    with out.open("w", encoding="utf-8") as stream:
        for row in rows:
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def _csv(rows: Iterator[dict[str, Any]], out: Path) -> int:
    count = 0
    with out.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows:
            # Lists as JSON inside the cell: names may contain commas.
            writer.writerow({k: json.dumps(v, ensure_ascii=False) if k in LIST_FIELDS else v
                             for k, v in row.items()})
            count += 1
    return count


def _parquet(rows: Iterator[dict[str, Any]], out: Path, chunk: int = 1000) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([
        *[(f, pa.string()) for f in ("url", "canonical_url", "title")],
        ("authors", pa.list_(pa.string())), ("published", pa.string()),
        ("categories", pa.list_(pa.string())), ("tags", pa.list_(pa.string())),
        ("dateline", pa.string()), ("body", pa.string()), ("images", pa.string()),
        ("language", pa.string()), ("word_count", pa.int64()), ("content_hash", pa.string()),
        ("extractor", pa.string()), ("fallback", pa.bool_()),
        ("warnings", pa.list_(pa.string())), ("status", pa.string()),
        ("revision", pa.int64()), ("first_seen", pa.string()), ("last_fetched", pa.string()),
    ])
    count = 0
    with pq.ParquetWriter(out, schema) as writer:
        buffer: list[dict[str, Any]] = []
        for row in rows:
            row["images"] = json.dumps(row["images"], ensure_ascii=False)
            buffer.append(row)
            if len(buffer) >= chunk:
                writer.write_table(pa.Table.from_pylist(buffer, schema=schema))
                count += len(buffer)
                buffer = []
        if buffer or not count:
            writer.write_table(pa.Table.from_pylist(buffer, schema=schema))
            count += len(buffer)
    return count
