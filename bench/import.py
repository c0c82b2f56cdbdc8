"""`archive import` speed: records per second streaming a WARC file of
archive pages made elsewhere (Common Crawl's layout: warcinfo, then request,
response and metadata records per page, gzip per record), against
re-extraction of the same pages from our own WARC files in the same run,
and the peak memory of each (this process and its cleaning processes).

    python bench/import.py [--pages 10000] [--workers N]

The pages are the large replica's (`replica/large.py`, 60-120 KB each: 10,000
pages are about 1 GB uncompressed), written with warcio into a temporary
folder that is deleted afterwards. Three timed passes over the same pages,
each with the same number of cleaning processes (one per core by default):
(a) the import of the foreign file into an empty store, (b) the import of our
own WARC files (what a crawl writes) into another, (c) `reextract` over (b)'s
store, which reads each page back from our files by offset.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any, TypeVar

# The repo root, not bench/ (whose incremental.py would shadow Twisted's `incremental`).
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import psutil  # noqa: E402
from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from bench.common import save  # noqa: E402
from ingest.reextract import reextract  # noqa: E402
from ingest.warc_import import import_warc  # noqa: E402
from replica.large import LargeSite  # noqa: E402
from storage.store import ArticleStore  # noqa: E402
from storage.warc import RawPage, WarcWriterRotating, gzip_member  # noqa: E402

BASE = "https://eng-archive.aawsat.com"
FETCHED = "2017-03-22T14:05:09Z"
T = TypeVar("T")


class PeakMemory:
    """Peak resident memory of this process and its children (the cleaning
    pool), sampled every 50 ms while the block runs."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(0.05)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def record_member(writer: WARCWriter, buffer: BytesIO, record: Any) -> bytes:
    """One record as its own gzip member, as our writer compresses it."""
    buffer.seek(0)
    buffer.truncate()
    writer.write_record(record)
    return gzip_member(buffer.getvalue())


def write_archives(pages: int, folder: Path) -> dict[str, Any]:
    """The foreign file (Common Crawl's layout) and our own WARC files, same pages."""
    site = LargeSite(pages)
    buffer = BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    ours = WarcWriterRotating(folder / "ours")
    html_bytes = 0
    foreign = folder / "CC-MAIN-bench-00000.warc.gz"
    with foreign.open("wb") as out:
        out.write(record_member(writer, buffer, writer.create_warcinfo_record(
            foreign.name, {"software": "bench/import.py", "isPartOf": "CC-MAIN-bench"})))
        for index in range(pages):
            url = BASE + site.path(index)
            body = site.article(index, BASE).encode()
            html_bytes += len(body)
            request = StatusAndHeaders(f"GET {site.path(index)} HTTP/1.1",
                                       [("Host", BASE.split("//")[1]), ("User-Agent", "CCBot/2.0")],
                                       is_http_request=True)
            response = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=UTF-8"),
                                                   ("Content-Length", str(len(body)))],
                                        protocol="HTTP/1.1")
            dated = {"WARC-Date": FETCHED}
            out.write(record_member(writer, buffer, writer.create_warc_record(
                url, "request", payload=BytesIO(b""), http_headers=request,
                warc_headers_dict=dated)))
            out.write(record_member(writer, buffer, writer.create_warc_record(
                url, "response", payload=BytesIO(body), http_headers=response,
                warc_headers_dict={**dated, "WARC-Identified-Payload-Type": "text/html"})))
            out.write(record_member(writer, buffer, writer.create_warc_record(
                url, "metadata", payload=BytesIO(b"fetchTimeMs: 212\n"),
                warc_content_type="application/warc-fields", warc_headers_dict=dated)))
            ours.write(RawPage(url=url, status=200, body=body, headers=response.headers,
                               fetched_at=None), [("User-Agent", "bench")])
    ours.close()
    own_files = sorted((folder / "ours").glob("*.warc.gz"))
    return {"foreign": foreign, "own": own_files, "html_mb": html_bytes / 1e6,
            "foreign_mb": foreign.stat().st_size / 1e6,
            "own_mb": sum(p.stat().st_size for p in own_files) / 1e6}


def timed(run: Callable[[], T]) -> tuple[T, float, int]:
    """The result, seconds and peak memory (bytes) of `run()`."""
    with PeakMemory() as memory:
        started = time.monotonic()
        result = run()
        seconds = time.monotonic() - started
    return result, seconds, memory.peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="cleaning processes for every pass (default: one per core)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        folder = Path(tmp)
        started = time.monotonic()
        files = write_archives(args.pages, folder)
        written_s = time.monotonic() - started
        print(f"{args.pages} pages written in {written_s:.0f} s: {files['html_mb']:.0f} MB of "
              f"HTML; foreign WARC {files['foreign_mb']:.0f} MB, ours {files['own_mb']:.0f} MB "
              "(gzip)", flush=True)
        foreign_store = ArticleStore(f"sqlite:///{folder / 'foreign.db'}")
        own_store = ArticleStore(f"sqlite:///{folder / 'own.db'}")
        runs: dict[str, dict[str, Any]] = {}

        imported, seconds, peak = timed(lambda: import_warc(
            foreign_store, [files["foreign"]], workers=args.workers))
        runs["import (foreign WARC)"] = figures(imported.records, imported.articles, seconds,
                                                peak, files["html_mb"])
        assert imported.new == args.pages, imported.as_dict()

        own, seconds, peak = timed(lambda: import_warc(own_store, files["own"],
                                                       workers=args.workers))
        runs["import (our WARC)"] = figures(own.records, own.articles, seconds, peak,
                                            files["html_mb"])
        assert own.new == args.pages, own.as_dict()

        again, seconds, peak = timed(lambda: reextract(own_store, workers=args.workers))
        runs["reextract (our WARC)"] = figures(again["total"], again["total"], seconds, peak,
                                               files["html_mb"])
        assert again.get("unchanged") == args.pages, again
        foreign_store.close()
        own_store.close()

    print(f"\n{args.pages} archive pages ({files['html_mb']:.0f} MB of HTML), "
          f"{args.workers} cleaning processes, {os.cpu_count()} cores")
    print(f"{'pass':<24}{'records':>9}{'pages':>8}{'seconds':>9}{'records/s':>11}"
          f"{'pages/s':>9}{'MB/s':>7}{'peak MB':>9}")
    for name, row in runs.items():
        print(f"{name:<24}{row['records']:>9}{row['pages']:>8}{row['seconds']:>9}"
              f"{row['records_per_s']:>11}{row['pages_per_s']:>9}{row['html_mb_per_s']:>7}"
              f"{row['peak_memory_mb']:>9}")
    ratio = runs["import (foreign WARC)"]["pages_per_s"] / runs["reextract (our WARC)"][
        "pages_per_s"]
    print(f"import / re-extraction, pages per second: {ratio:.2f}")
    save("import", {"pages": args.pages, "workers": args.workers,
                    "html_mb": round(files["html_mb"], 1),
                    "foreign_warc_mb": round(files["foreign_mb"], 1),
                    "own_warc_mb": round(files["own_mb"], 1), "write_s": round(written_s, 1),
                    "runs": runs, "import_vs_reextract_pages_per_s": round(ratio, 3)})


def figures(records: int, pages: int, seconds: float, peak: int,
            html_mb: float) -> dict[str, Any]:
    return {"records": records, "pages": pages, "seconds": round(seconds, 2),
            "records_per_s": round(records / seconds, 1),
            "pages_per_s": round(pages / seconds, 1),
            "html_mb_per_s": round(html_mb / seconds, 1),
            "peak_memory_mb": round(peak / 1e6, 1)}


if __name__ == "__main__":
    main()
