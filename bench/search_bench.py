"""Ingest a real corpus from ../shared/data and time it, then time a fixed set of searches.

    python bench/search_bench.py [--data ../shared/data] [--workers N] [--runs 20]

Prints articles/s for the archive's end-to-end ingest (read, detect language, entities, index) beside a yardstick
measured in the same run: plain single-process Whoosh indexing of the same texts with a stemming analyzer and no
enrichment. Then p50/p95 latency of each query, in-process, on one searcher per request as the web app does.
No numbers are asserted: this machine is shared and noisy, so compare the ratio, not absolute times.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus import build  # noqa: E402

from archive.backends import open_backend  # noqa: E402
from archive.ingest import ingest  # noqa: E402
from archive.readers import iter_inputs, read_input  # noqa: E402
from archive.request import SearchRequest  # noqa: E402
from archive.search import search  # noqa: E402

QUERIES = [
    {"q": "oil"},
    {"q": "bank rates", "sort": "newest"},
    {"q": '"interest rates"'},
    {"q": "minister", "facets": "1"},
    {"q": "market", "source": "Reuters", "from": "1987-03-01", "to": "1987-03-31"},
    {"q": "regering OR kabinet", "language": "nl"},
    {"location": "usa"},
    {"q": "busin*"},
    {"q": "trade", "facets": "1", "sort": "oldest"},
]


def yardstick(inputs: list[str], path: Path) -> tuple[int, float]:
    """Index the same texts with plain Whoosh (stemming analyzer, no enrichment), one process."""
    from whoosh import fields, index
    from whoosh.analysis import StemmingAnalyzer

    schema = fields.Schema(id=fields.ID(unique=True, stored=True), title=fields.TEXT(stored=True),
                           body=fields.TEXT(analyzer=StemmingAnalyzer()), date=fields.DATETIME(sortable=True),
                           source=fields.ID(stored=True))
    path.mkdir(parents=True)
    ix = index.create_in(str(path), schema)
    started = time.perf_counter()
    n = 0
    writer = ix.writer(limitmb=256)
    for inp in iter_inputs(inputs):
        try:
            articles = read_input(inp)
        except Exception:
            continue
        for a in articles:
            writer.add_document(id=a.id, title=a.title or "", body=a.body, source=a.source or "",
                                **({"date": a.date} if a.date else {}))
            n += 1
    writer.commit()
    return n, time.perf_counter() - started


def time_queries(index_path: Path, runs: int) -> None:
    backend = open_backend(str(index_path))
    print(f"\n{'query':60} {'total':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for params in QUERIES:
        req = SearchRequest.from_dict(params)
        times = []
        total = 0
        for _ in range(runs):
            started = time.perf_counter()
            total = search(backend, req).total
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        print(f"{str(params):60} {total:7d} {statistics.median(times):8.1f} {p95:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", help="Keep the archive index at this path (and reuse it if it exists).")
    args = parser.parse_args()
    import os

    workers = args.workers or os.cpu_count() or 1
    inputs = build(Path(args.data), ROOT / "bench" / "out")
    tmp = Path(tempfile.mkdtemp(prefix="archive-bench-"))
    try:
        n_plain, s_plain = yardstick(inputs, tmp / "plain")
        print(f"yardstick: plain Whoosh, 1 process, no enrichment: {n_plain} articles in {s_plain:.1f}s = "
              f"{n_plain / s_plain:.0f} articles/s")
        index_path = Path(args.keep) if args.keep else tmp / "archive"
        if not (args.keep and index_path.exists()):
            started = time.perf_counter()
            report = ingest(inputs, str(index_path), workers=workers)
            seconds = time.perf_counter() - started
            print(f"archive ingest, {workers} workers, with enrichment: {report.articles} articles in {seconds:.1f}s"
                  f" = {report.articles / seconds:.0f} articles/s ({len(report.failures)} inputs failed); "
                  f"ratio to yardstick {(report.articles / seconds) / (n_plain / s_plain):.2f}")
            size = sum(p.stat().st_size for p in index_path.iterdir())
            print(f"index size: {size / 2**20:.0f} MB")
        time_queries(index_path, args.runs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
