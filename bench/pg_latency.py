"""Query latency of a PostgreSQL archive that is already loaded: relevance from the RUM index against ranking
every match, and the floor that exact counting sets, over the mix of `scale_bench.py`.

    python bench/pg_latency.py postgresql://postgres@127.0.0.1:26432/archive [--runs 3]

For each query of the mix, in turn (so that both see the same moment of a noisy machine): the search as the
archive runs it (RUM where installed), the same search with ranking over every match (`ts_rank`-style full
pass, what schema version 1 did), and the exact count alone (no page, no facets): no search that reports an
exact total can be faster than its count; for faceted searches also the facet and timeline counts alone (one
statement, every shard its part), which no faceted search can beat. Prints p50/p95 of each and their ratio.
"""
from __future__ import annotations

import argparse
import dataclasses
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scale_bench import mix, pct, top_values  # noqa: E402

from archive.backends import open_backend  # noqa: E402
from archive.backends.postgres import search as sql_search  # noqa: E402
from archive.query import build_query, query_schema  # noqa: E402
from archive.request import SearchRequest  # noqa: E402


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    backend = open_backend(args.url)
    rum_layout = backend.layout
    full_layout = dataclasses.replace(rum_layout, rum=False)
    print(f"{backend.count()} articles, {len(rum_layout.shards) or 1} server(s), RUM index: {rum_layout.rum}",
          flush=True)
    searches = mix(*top_values(args.url))
    for kind, params_list in searches.items():
        times: dict[str, list[float]] = {"archive": [], "full pass": [], "count alone": []}
        for params in params_list:
            req = SearchRequest.from_dict(params)
            where = sql_search.where(build_query(req, query_schema()), req)

            def count() -> None:
                with backend.pool.connection() as conn:
                    sql_search.counts(conn, backend.layout, where, req.collapse)

            def facets() -> None:
                with backend.pool.connection() as conn:
                    sql_search.facet_counts(conn, backend.layout, where)

            for _ in range(args.runs):
                backend.layout = rum_layout
                times["archive"].append(timed(lambda: backend.search(req)))
                backend.layout = full_layout
                times["full pass"].append(timed(lambda: backend.search(req)))
                backend.layout = rum_layout
                times["count alone"].append(timed(count))
                if req.facets:
                    times.setdefault("facets alone", []).append(timed(facets))
        for label, values in times.items():
            print(f"  {kind:8} {label:12} p50 {statistics.median(values):8.1f} ms   p95 {pct(values, 0.95):8.1f} ms"
                  f"   (n={len(values)})", flush=True)
        print(f"  {kind:8} full pass / archive p50: "
              f"{statistics.median(times['full pass']) / statistics.median(times['archive']):.2f}", flush=True)
    backend.close()
    print(f"peak memory of this process (every search in-process): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB", flush=True)


if __name__ == "__main__":
    main()
