"""Store speed (issue 14): bulk upserts per second into PostgreSQL and SQLite,
full-text search latency at that size, and beside each the ceiling measured
in the same run (synthetic articles of 480 words drawn with Zipf frequencies).

Per database, in a fresh store:
1. new: `--rows` new articles, in batches of `--batch`;
2. unchanged: the same articles fetched again, nothing changed;
3. 10% changed: the same again, one article in ten with a new body;
then 70 searches (median, p95), against the time of the index lookup alone.
Upserts/s is the time inside `upsert_articles`; searchable/s adds the wait
until the search index holds every article (PostgreSQL indexes search text
after the write: storage/search_index.py; SQLite's FTS5 is in step at commit).
The records are made before the clock starts.

The ceiling, in another fresh store: the same rows written bare, a batch a
transaction, into the same tables (articles, revisions, name links) with the
same indexes: COPY on PostgreSQL (and, apart, the search text indexed per
batch), executemany INSERT on SQLite (FTS5 triggers firing, and without them).

`--options` measures instead what chose the search indexing's settings:
GIN fastupdate, gin_pending_list_limit, work_mem, search text indexed in the
write or after it (PostgreSQL); FTS5 hashsize and automerge (SQLite).

    python bench/store.py [--rows 100000] [--batch 500] [--only postgresql|sqlite]
                          [--pg postgresql://root@127.0.0.1:5432/test] [--options]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# The repo root, not bench/ (whose incremental.py would shadow Twisted's `incremental`).
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from sqlalchemy import Connection, Table, text  # noqa: E402

from bench.common import save, scratch_postgres  # noqa: E402
from cleaning.models import Article, content_hash, count_words  # noqa: E402
from storage.bulk import (  # noqa: E402
    ARTICLE_COLUMNS,
    ARTICLES,
    REVISION_COLUMNS,
    REVISIONS,
    ColumnValues,
    copy_rows,
    revision_values,
    row_values,
)
from storage.search import PG_SEARCH_VECTOR, SEARCH_CANDIDATES  # noqa: E402
from storage.search_index import THREADS, index_pending, merge_pending_list  # noqa: E402
from storage.store import ArticleStore, PageRecord  # noqa: E402
from storage.writer import NAME_LINKS  # noqa: E402

TOPICAL = ("minister talks border oil budget election ceasefire council exports prices "
           "delegates summit refugees aid treaty parliament coalition province army "
           "bank inflation harbour ferry market court ruling protest").split()
QUERIES = ["oil exports", "ceasefire talks", "central bank inflation", "harbour ferry",
           "court ruling protest", "summit treaty", "refugees aid province"]
SEARCH_ROUNDS = 10  # each query this many times: 70 searches


def vocabulary(size: int = 20_000) -> tuple[list[str], list[float]]:
    """Words with Zipf frequencies, as in real text: a few very common words,
    the topical ones in the middle ranks, a long tail of rare ones."""
    syllables = ["ka", "lo", "mi", "ra", "tu", "sen", "dor", "vel", "an", "is", "ber", "qui"]
    rnd = random.Random(7)
    words = ["".join(rnd.choice(syllables) for _ in range(2 + rank % 3)) + str(rank)
             for rank in range(size)]
    for offset, word in enumerate(TOPICAL):
        words[100 + offset * 7] = word
    cumulative, total = [], 0.0
    for rank in range(size):
        total += 1 / (rank + 1)
        cumulative.append(total)
    return words, cumulative


WORDS, CUMULATIVE = vocabulary()


def text_of(rnd: random.Random, count: int) -> str:
    return " ".join(rnd.choices(WORDS, cum_weights=CUMULATIVE, k=count))


def synthetic(index: int, rnd: random.Random) -> Article:
    body = "\n\n".join(text_of(rnd, 80) + "." for _ in range(6))
    title = f"Report {index}: {text_of(rnd, 6)}"
    return Article(url=f"https://example.com/a/b/story-{index}",
                   canonical_url=f"https://example.com/a/b/story-{index}", title=title,
                   authors=[f"Writer {index % 50}"], categories=[f"Section {index % 8}"],
                   tags=[rnd.choice(TOPICAL) for _ in range(2)],
                   published=datetime(2010, 1, 1, tzinfo=UTC) + timedelta(hours=index),
                   body=body, word_count=count_words(body),
                   content_hash=content_hash(title, body), extractor="aawsat")


def rewritten(article: Article, rnd: random.Random) -> Article:
    """The same story with a paragraph added: new content, a new revision."""
    body = article.body + "\n\n" + text_of(rnd, 40) + "."
    return article.model_copy(update={"body": body, "word_count": count_words(body),
                                      "content_hash": content_hash(article.title, body)})


@dataclass
class Phases:
    """The three passes' records, made before any clock starts."""

    new: list[PageRecord]
    unchanged: list[PageRecord]
    changed: list[PageRecord]

    @classmethod
    def make(cls, rows: int) -> Phases:
        rnd = random.Random(1)
        first = datetime(2026, 1, 1, tzinfo=UTC)
        new = [PageRecord(article=synthetic(i, rnd), fetched_at=first, etag=f'"{i}"',
                          warc_file="bench.warc.gz", warc_offset=i, cleaner_version="bench")
               for i in range(rows)]
        unchanged = [replace(r, fetched_at=first + timedelta(days=1)) for r in new]
        changed = [replace(r, fetched_at=first + timedelta(days=2),
                           article=rewritten(r.article, rnd) if i % 10 == 0 else r.article)
                   for i, r in enumerate(new)]
        return cls(new, unchanged, changed)


@dataclass
class Phase:
    name: str
    rows: int
    upsert_s: float
    searchable_s: float  # upsert_s and the wait until the search index holds them all
    counts: str
    indexer_busy_s: float = 0.0  # PostgreSQL: the search indexer's time (in parallel)
    writer_waited_s: float = 0.0  # PostgreSQL: the writer's waits for the indexer

    @property
    def upserts_per_s(self) -> int:
        return round(self.rows / self.upsert_s)

    @property
    def searchable_per_s(self) -> int:
        return round(self.rows / self.searchable_s)


@dataclass
class Ceiling:
    write_per_s: int  # the bare write: COPY / executemany INSERT
    search_per_s: int | None = None  # PostgreSQL: search text indexed alone, per batch
    without_fts_per_s: int | None = None  # SQLite: the bare write without FTS5


@dataclass
class Result:
    database: str
    rows: int
    batch: int
    phases: list[Phase] = field(default_factory=list)
    search_ms_median: float = 0.0
    search_ms_p95: float = 0.0
    lookup_ms_median: float = 0.0  # the index lookup alone: count of the matches
    ceiling: Ceiling | None = None
    bounds: list[str] = field(default_factory=list)


def batches(records: Sequence[PageRecord], size: int) -> Iterator[Sequence[PageRecord]]:
    for first in range(0, len(records), size):
        yield records[first:first + size]


def run_phases(url: str, phases: Phases, batch: int, database: str) -> Result:
    store = ArticleStore(url)
    result = Result(database, len(phases.new), batch)
    postgresql = store.dialect == "postgresql"
    for name, records in (("new", phases.new), ("unchanged", phases.unchanged),
                          ("10% changed", phases.changed)):
        indexer = store.search_indexer() if postgresql else None
        busy, waited = (indexer.busy_s, indexer.waited_s) if indexer else (0.0, 0.0)
        totals = {"new": 0, "updated": 0, "unchanged": 0, "stale": 0, "rejected": 0}
        began = time.monotonic()
        for part in batches(records, batch):
            counts = store.upsert_articles(part)
            for key in ("new", "updated", "unchanged", "stale"):
                totals[key] += getattr(counts, key)
            totals["rejected"] += len(counts.rejected)
        upsert_s = time.monotonic() - began
        store.wait_searchable()
        searchable_s = time.monotonic() - began
        result.phases.append(Phase(
            name, len(records), upsert_s, searchable_s,
            ", ".join(f"{v} {k}" for k, v in totals.items() if v),
            indexer.busy_s - busy if indexer else 0.0,
            indexer.waited_s - waited if indexer else 0.0))
    if postgresql:  # what the indexer does once idle a second: searches at rest
        with store.engine.begin() as connection:
            merge_pending_list(connection)
    latencies, lookups = [], []
    for query in QUERIES * SEARCH_ROUNDS:
        began = time.monotonic()
        store.search(query, limit=20)
        latencies.append((time.monotonic() - began) * 1000)
        began = time.monotonic()
        store.count_matches(query)
        lookups.append((time.monotonic() - began) * 1000)
    latencies.sort()
    result.search_ms_median = round(statistics.median(latencies), 1)
    result.search_ms_p95 = round(latencies[int(len(latencies) * 0.95) - 1], 1)
    result.lookup_ms_median = round(statistics.median(lookups), 1)
    store.close()
    return result


# --- the ceiling: the same rows, written bare -------------------------------------------

BareRows = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]],
                 list[tuple[Table, list[tuple[int, int]]]]]


def bare_rows(connection: Connection, records: Sequence[PageRecord], first_id: int,
              names: dict[tuple[str, str], int]) -> BareRows:
    """Articles, revisions and name links as the store writes them (its own
    value conversions), under ids from `first_id`."""
    articles = ColumnValues(connection, ARTICLES, ARTICLE_COLUMNS)
    revisions = ColumnValues(connection, REVISIONS, REVISION_COLUMNS)
    article_rows, revision_rows = [], []
    links: dict[str, list[tuple[int, int]]] = {kind: [] for kind in NAME_LINKS}
    for offset, record in enumerate(records):
        article_id = first_id + offset
        article_rows.append(articles.row(row_values(record, article_id, 1, "example.com")))
        revision_rows.append(revisions.row(revision_values(record, article_id, 1)))
        for kind in NAME_LINKS:
            for name in dict.fromkeys(getattr(record.article, kind)):
                links[kind].append((article_id, names[(kind, name)]))
    return article_rows, revision_rows, [(NAME_LINKS[k][0], v) for k, v in links.items()]


def make_names(connection: Connection, records: Sequence[PageRecord]
               ) -> dict[tuple[str, str], int]:
    names: dict[tuple[str, str], int] = {}
    for kind, (_, model) in NAME_LINKS.items():
        for name in sorted({n for r in records for n in getattr(r.article, kind)}):
            names[(kind, name)] = len(names) + 1
            connection.execute(text(f"INSERT INTO {model.__tablename__} (id, site, name) "
                                    "VALUES (:id, 'example.com', :name)"),
                               {"id": names[(kind, name)], "name": name})
    return names


def bare_batches(store: ArticleStore, records: Sequence[PageRecord], batch: int
                 ) -> Iterator[BareRows]:
    """The names made first, then each batch's rows (`bare_rows`), built
    before the caller's clock starts."""
    with store.engine.begin() as connection:
        names = make_names(connection, records)
    for first in range(0, len(records), batch):
        with store.engine.connect() as connection:
            rows = bare_rows(connection, records[first:first + batch], first + 1, names)
        yield rows


def ceiling_postgresql(url: str, records: Sequence[PageRecord], batch: int) -> Ceiling:
    """Bare COPY into articles, revisions and the link tables, a batch a
    transaction; then, apart, the search text of each batch indexed as the
    indexer does (its statement, the same GIN index)."""
    store = ArticleStore(url)  # the schema, with every index
    write_s = 0.0
    for article_rows, revision_rows, links in bare_batches(store, records, batch):
        with store.engine.begin() as connection:
            began = time.monotonic()
            with copy_rows(connection, "articles", ARTICLE_COLUMNS) as write:
                for row in article_rows:
                    write(row)
            with copy_rows(connection, "revisions", REVISION_COLUMNS) as write:
                for row in revision_rows:
                    write(row)
            for table, pairs in links:
                with copy_rows(connection, table.name, ("article_id", _name_column(table))
                               ) as write:
                    for pair in pairs:
                        write(pair)
            write_s += time.monotonic() - began
    search_s = 0.0
    for first in range(0, len(records), batch):
        began = time.monotonic()
        with store.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO search_pending SELECT generate_series(%(a)s::integer, %(b)s::integer)",
                {"a": first + 1, "b": min(first + batch, len(records))})
            index_pending(connection, batch)
        search_s += time.monotonic() - began
    store.close()
    return Ceiling(round(len(records) / write_s), round(len(records) / search_s))


def _name_column(table: Table) -> str:
    return next(c.name for c in table.c if c.name != "article_id")


def ceiling_sqlite(url: str, records: Sequence[PageRecord], batch: int,
                   with_fts: bool = True) -> int:
    """Bare executemany INSERT into articles (FTS5 following by its triggers,
    unless `with_fts` is False), revisions and the link tables, a batch a
    transaction."""
    store = ArticleStore(url)
    if not with_fts:
        with store.engine.begin() as connection:
            for trigger in ("insert", "delete", "update"):
                connection.exec_driver_sql(f"DROP TRIGGER articles_fts_{trigger}")
    elapsed = 0.0
    for article_rows, revision_rows, links in bare_batches(store, records, batch):
        began = time.monotonic()
        with store.engine.begin() as connection:
            connection.exec_driver_sql(
                f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(ARTICLE_COLUMNS))})", article_rows)
            connection.exec_driver_sql(
                f"INSERT INTO revisions ({', '.join(REVISION_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(REVISION_COLUMNS))})", revision_rows)
            for table, pairs in links:
                connection.exec_driver_sql(
                    f"INSERT INTO {table.name} (article_id, {_name_column(table)}) "
                    "VALUES (?, ?)", pairs)
        elapsed += time.monotonic() - began
    store.close()
    return round(len(records) / elapsed)


# --- databases --------------------------------------------------------------------------

@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{folder}/bench.db"


def bench_postgresql(admin_url: str, phases: Phases, batch: int) -> Result:
    with scratch_postgres(admin_url) as url:
        result = run_phases(url, phases, batch, "postgresql")
    with scratch_postgres(admin_url) as url:
        result.ceiling = ceiling_postgresql(url, phases.new, batch)
    result.bounds = postgres_bounds(result)
    return result


def bench_sqlite(phases: Phases, batch: int) -> Result:
    with sqlite_database() as url:
        result = run_phases(url, phases, batch, "sqlite")
    with sqlite_database() as url:
        write = ceiling_sqlite(url, phases.new, batch)
    with sqlite_database() as url:
        bare = ceiling_sqlite(url, phases.new, batch, with_fts=False)
    result.ceiling = Ceiling(write, without_fts_per_s=bare)
    result.bounds = sqlite_bounds(result)
    return result


def postgres_bounds(result: Result) -> list[str]:
    """What bounds each figure, from the run's own measures."""
    assert result.ceiling is not None and result.ceiling.search_per_s is not None
    alone_ms = 1000 / result.ceiling.search_per_s
    lines = []
    for phase in result.phases:
        share = phase.indexer_busy_s / (THREADS * phase.searchable_s)
        facts = (f"writer {phase.upsert_s:.1f} s, of which {phase.writer_waited_s:.1f} s waiting "
                 f"for the search indexer; the indexer's {THREADS} threads busy "
                 f"{phase.indexer_busy_s:.1f} s ({share:.0%} of their time)")
        if phase.writer_waited_s > 0.2 * phase.upsert_s or share > 0.5:
            why = (f"search indexing (to_tsvector and the GIN index: {alone_ms:.2f} ms an "
                   "article alone), on the two cores it shares with the writer")
        elif phase.name == "unchanged":
            why = "the UPDATE of each article's fetch time and validators (a new row version)"
        else:
            why = "the write path (rows built in Python, COPY, the set-based statements)"
        lines.append(f"{phase.name}: {why}; {facts}")
    lines.append(f"search: ts_rank over the {SEARCH_CANDIDATES:,} newest matches, their "
                 "tsvectors read from TOAST; the GIN lookup alone is the count's time")
    return lines


def sqlite_bounds(result: Result) -> list[str]:
    assert result.ceiling is not None and result.ceiling.without_fts_per_s is not None
    lines = []
    for phase in result.phases:
        if phase.name == "unchanged":
            why = ("an UPDATE of each article's fetch time and validators (FTS5 untouched: "
                   "no title or body changes)")
        else:
            why = (f"FTS5 kept in step (tokenizing, writing and merging segments): the bare "
                   f"INSERT takes {result.ceiling.write_per_s:,}/s with it, "
                   f"{result.ceiling.without_fts_per_s:,}/s without; the rest is Python "
                   "building rows and reading what is stored")
        lines.append(f"{phase.name}: {why}")
    lines.append("search: FTS5's bm25 over every match (ORDER BY rank LIMIT); the lookup "
                 "alone is the count's time")
    return lines


def report(result: Result) -> None:
    assert result.ceiling is not None
    ceiling = result.ceiling
    bare = "bare COPY" if result.database == "postgresql" else "bare INSERT"
    print(f"\n{result.database}: {result.rows:,} articles of 480 words, "
          f"batches of {result.batch}")
    print(f"  {'phase':<13}{'upserts/s':>10}{'searchable/s':>14}{'ceiling/s':>11}  counts")
    for phase in result.phases:
        print(f"  {phase.name:<13}{phase.upserts_per_s:>10,}{phase.searchable_per_s:>14,}"
              f"{ceiling.write_per_s:>11,}  {phase.counts}")
    print(f"  ceiling: a {bare} of the same rows into articles, revisions and name links, "
          "same indexes, a batch a transaction")
    if ceiling.search_per_s is not None:
        print(f"  ceiling of the search text alone (indexed per batch into the GIN index): "
              f"{ceiling.search_per_s:,}/s")
    if ceiling.without_fts_per_s is not None:
        print(f"  the bare INSERT without FTS5 (its triggers dropped): "
              f"{ceiling.without_fts_per_s:,}/s")
    print(f"  search at {result.rows:,}: median {result.search_ms_median} ms, "
          f"p95 {result.search_ms_p95} ms ({len(QUERIES) * SEARCH_ROUNDS} searches, top 20); "
          f"the index lookup alone (count of matches): median {result.lookup_ms_median} ms")
    print("  bounded by:")
    for line in result.bounds:
        print(f"    {line}")


# --- --options: what chose the search indexing's settings ------------------------------------

@dataclass
class Option:
    name: str
    rows_per_s: int
    search_ms: float  # median, the GIN pending list as the writes left it
    search_ms_merged: float  # median, after gin_clean_pending_list
    merge_s: float


def pg_options(admin_url: str, records: Sequence[PageRecord], batch: int,
               words: str = "") -> list[Option]:
    vector = PG_SEARCH_VECTOR.format(a="articles")
    variants: list[tuple[str, list[str], bool, str]] = [
        # (name, schema statements, search text indexed after the write, work_mem)
        ("in the write: generated column, GIN fastupdate on, 4 MB (0006)",
         [f"ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS ({vector}) "
          "STORED", "CREATE INDEX articles_search_idx ON articles USING gin (search)"],
         False, "4MB"),
        ("in the write: generated column, GIN fastupdate off",
         [f"ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS ({vector}) "
          "STORED", "CREATE INDEX articles_search_idx ON articles USING gin (search) "
          "WITH (fastupdate = off)"], False, "4MB"),
        ("after the write: GIN fastupdate off", [_gin("fastupdate = off")], True, "64MB"),
        ("after the write: fastupdate on, 4 MB list (default)",
         [_gin("gin_pending_list_limit = 4096")], True, "4MB"),
        ("after the write: 4 MB list, work_mem 64 MB", [_gin("gin_pending_list_limit = 4096")],
         True, "64MB"),
        ("after the write: 16 MB list, work_mem 4 MB", [_gin("gin_pending_list_limit = 16384")],
         True, "4MB"),
        ("after the write: 16 MB list, work_mem 64 MB", [_gin("gin_pending_list_limit = 16384")],
         True, "64MB"),
        ("after the write: 64 MB list, work_mem 64 MB", [_gin("gin_pending_list_limit = 65536")],
         True, "64MB"),
    ]
    options = []
    for name, statements, after, work_mem in variants:
        if words not in name:
            continue
        with scratch_postgres(admin_url) as url:
            store = ArticleStore(url)
            with store.engine.begin() as connection:
                connection.exec_driver_sql("DROP INDEX article_search_idx")
                if not after:
                    connection.exec_driver_sql("DROP TABLE article_search")
                for statement in statements:
                    connection.exec_driver_sql(statement)
                names = make_names(connection, records)
            elapsed = 0.0
            for first in range(0, len(records), batch):
                with store.engine.begin() as connection:
                    article_rows, _, _ = bare_rows(connection, records[first:first + batch],
                                                   first + 1, names)
                began = time.monotonic()
                with store.engine.begin() as connection, \
                        copy_rows(connection, "articles", ARTICLE_COLUMNS) as write:
                    for row in article_rows:
                        write(row)
                if after:
                    with store.engine.begin() as connection:
                        connection.exec_driver_sql(f"SET LOCAL work_mem = '{work_mem}'")
                        connection.exec_driver_sql(
                            "INSERT INTO article_search SELECT id, "
                            f"{PG_SEARCH_VECTOR.format(a='articles')} FROM articles "
                            "WHERE id BETWEEN %(a)s AND %(b)s",
                            {"a": first + 1, "b": first + len(article_rows)})
                elapsed += time.monotonic() - began
            table, index = ("article_search", "article_search_idx") if after \
                else ("articles", "articles_search_idx")
            search_ms = _pg_search_median(store, table)
            began = time.monotonic()
            with store.engine.begin() as connection:
                connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '64MB'")
                connection.exec_driver_sql(f"SELECT gin_clean_pending_list('{index}')")
            merge_s = time.monotonic() - began
            options.append(Option(name, round(len(records) / elapsed), search_ms,
                                  _pg_search_median(store, table), round(merge_s, 2)))
            store.close()
            print(f"  {options[-1]}", flush=True)
    return options


def _gin(storage_parameter: str) -> str:
    return (f"CREATE INDEX article_search_idx ON article_search USING gin (search) "
            f"WITH ({storage_parameter})")


def _pg_search_median(store: ArticleStore, table: str) -> float:
    from storage.search import parse, to_tsquery

    latencies = []
    with store.engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")  # as storage/reader.py
        for query in QUERIES * 3:
            began = time.monotonic()
            connection.exec_driver_sql(
                f"SELECT count(*) FROM {table} WHERE search @@ to_tsquery('simple', %(q)s)",
                {"q": to_tsquery(parse(query))}).scalar()
            latencies.append((time.monotonic() - began) * 1000)
    return round(statistics.median(latencies), 1)


def sqlite_options(records: Sequence[PageRecord], batch: int,
                   words: str = "") -> list[Option]:
    variants = [("FTS5 defaults: hashsize 1 MB, automerge 4, crisismerge 16", 1, 4, 16),
                ("hashsize 16 MB, automerge 4, crisismerge 16", 16, 4, 16),
                ("hashsize 16 MB, automerge 8, crisismerge 16", 16, 8, 16),
                ("hashsize 16 MB, automerge 16, crisismerge 64", 16, 16, 64),
                ("hashsize 16 MB, automerge 0, crisismerge 64", 16, 0, 64)]
    options = []
    for name, hash_mb, automerge, crisismerge in variants:
        if words not in name:
            continue
        with sqlite_database() as url:
            store = ArticleStore(url)
            with store.engine.begin() as connection:
                for option, value in (("hashsize", hash_mb * 1024 * 1024),
                                      ("automerge", automerge), ("crisismerge", crisismerge)):
                    connection.exec_driver_sql("INSERT INTO articles_fts(articles_fts, rank) "
                                               f"VALUES ('{option}', {value})")
            store.close()
            per_s = ceiling_sqlite(url, records, batch)
            store = ArticleStore(url)
            latencies = []
            for query in QUERIES * 3:
                began = time.monotonic()
                store.search(query)
                latencies.append((time.monotonic() - began) * 1000)
            store.close()
            options.append(Option(name, per_s, round(statistics.median(latencies), 1), 0.0, 0.0))
            print(f"  {options[-1]}", flush=True)
    return options


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--pg", default="postgresql://root@127.0.0.1:5432/test")
    parser.add_argument("--only", choices=["postgresql", "sqlite"])
    parser.add_argument("--options", nargs="?", const="", metavar="WORDS",
                        help="measure the search indexing's settings instead (those whose "
                             "name holds WORDS)")
    args = parser.parse_args()
    began = time.monotonic()
    phases = Phases.make(args.rows)
    print(f"{args.rows:,} articles made in {time.monotonic() - began:.0f} s "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)", flush=True)
    if args.options is not None:
        figures: dict[str, Any] = {"rows": args.rows, "batch": args.batch}
        if args.only != "sqlite":
            print("PostgreSQL: COPY and search text, rows/s; search median ms "
                  "(pending list as left, then merged):")
            figures["postgresql"] = [asdict(o) for o in pg_options(
                args.pg, phases.new, args.batch, args.options)]
        if args.only != "postgresql":
            print("SQLite: executemany INSERT with FTS5, rows/s; search median ms:")
            figures["sqlite"] = [asdict(o) for o in sqlite_options(phases.new, args.batch,
                                                                    args.options)]
        save("store_options", figures)
        return
    results = []
    if args.only != "sqlite":
        results.append(bench_postgresql(args.pg, phases, args.batch))
        report(results[-1])
    if args.only != "postgresql":
        results.append(bench_sqlite(phases, args.batch))
        report(results[-1])
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end; "
          f"{time.monotonic() - began:.0f} s in all")
    save("store", {"results": [_figures(r) for r in results]})


def _figures(result: Result) -> dict[str, Any]:
    figures = asdict(result)
    for phase, record in zip(result.phases, figures["phases"], strict=True):
        record["upserts_per_s"] = phase.upserts_per_s
        record["searchable_per_s"] = phase.searchable_per_s
    return figures


if __name__ == "__main__":
    main()
