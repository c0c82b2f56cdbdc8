"""Store speed: batched upserts per second into SQLite and PostgreSQL, and
full-text search latency once the store holds that many articles (synthetic
rows, 100,000 by default, 480 words each drawn with Zipf frequencies).

    python bench/store.py [--rows 100000] [--batch 500] [--pg postgresql://root@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

# The repo root, not bench/ (whose incremental.py would shadow Twisted's `incremental`).
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import save  # noqa: E402
from cleaning.models import Article, content_hash, count_words  # noqa: E402
from storage.store import ArticleStore, PageRecord  # noqa: E402

TOPICAL = ("minister talks border oil budget election ceasefire council exports prices "
           "delegates summit refugees aid treaty parliament coalition province army "
           "bank inflation harbour ferry market court ruling protest").split()
QUERIES = ["oil exports", "ceasefire talks", "central bank inflation", "harbour ferry",
           "court ruling protest", "summit treaty", "refugees aid province"]


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


def text(rnd: random.Random, count: int) -> str:
    return " ".join(rnd.choices(WORDS, cum_weights=CUMULATIVE, k=count))


def synthetic(index: int, rnd: random.Random) -> Article:
    body = "\n\n".join(text(rnd, 80) + "." for _ in range(6))
    title = f"Report {index}: {text(rnd, 6)}"
    return Article(url=f"https://example.com/a/b/story-{index}",
                   canonical_url=f"https://example.com/a/b/story-{index}", title=title,
                   authors=[f"Writer {index % 50}"], categories=[f"Section {index % 8}"],
                   tags=[rnd.choice(TOPICAL) for _ in range(2)],
                   published=datetime(2010, 1, 1, tzinfo=UTC) + timedelta(hours=index),
                   body=body, word_count=count_words(body),
                   content_hash=content_hash(title, body), extractor="aawsat")


def bench(url: str, rows: int, batch: int) -> dict[str, float]:
    store = ArticleStore(url)
    rnd = random.Random(1)
    now = datetime.now(UTC)
    upsert_s = 0.0  # time inside the store only, not making the synthetic articles
    for first in range(0, rows, batch):
        records = [PageRecord(article=synthetic(i, rnd), fetched_at=now)
                   for i in range(first, min(first + batch, rows))]
        started = time.monotonic()
        store.upsert_articles(records)
        upsert_s += time.monotonic() - started
    latencies = []
    for query in QUERIES * 3:
        begin = time.monotonic()
        store.search(query, limit=20)
        latencies.append((time.monotonic() - begin) * 1000)
    return {"rows": rows, "upserts_per_s": round(rows / upsert_s), "upsert_s": round(upsert_s, 1),
            "search_ms_median": round(statistics.median(latencies), 1),
            "search_ms_max": round(max(latencies), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--pg", default="postgresql://root@127.0.0.1:5432/test")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = bench(f"sqlite:///{tmp}/bench.db", args.rows, args.batch)
    results["postgresql"] = bench_postgres(args.pg, args.rows, args.batch)
    print(f"{'database':<12}{'rows':>8}{'upserts/s':>11}{'search median ms':>18}{'max ms':>8}")
    for name, r in results.items():
        print(f"{name:<12}{r['rows']:>8}{r['upserts_per_s']:>11}{r['search_ms_median']:>18}"
              f"{r['search_ms_max']:>8}")
    save("store", {"results": results})


def bench_postgres(admin_url: str, rows: int, batch: int) -> dict[str, float]:
    import psycopg

    name = f"archive_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        return bench(admin_url.rsplit("/", 1)[0] + f"/{name}", rows, batch)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
