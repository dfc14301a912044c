"""Time the pages that list every value of a facet on an existing index, through the web app in-process.

    python bench/browse_bench.py INDEX [--runs 15] [--word oil]

INDEX is a Whoosh folder or a PostgreSQL URL that holds articles with entities (an ingested one: `archive ingest`
runs the recognisers). Prints p50 and p95 wall-clock milliseconds and p50 CPU milliseconds of: /sources, every person
by count (page 1) and by name (a deep page), organisations filtered by a few letters, the JSON of a page of places,
and a search's "All ..." pages (/facets/person and /facets/location of one word), through Flask's test client with
the backend kept open as the served app keeps it. The machine is shared and noisy: compare ratios, not absolute times.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.web import create_app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index", help="An index folder or a PostgreSQL URL that holds articles with entities.")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--word", default="oil")
    args = parser.parse_args()
    client = create_app({"TESTING": True, "INDEX_PATH": args.index}).test_client()
    people = client.get("/api/entities?type=person&size=50").get_json()
    deep = max(1, people["pages"] // 2)
    cases = [
        ("/sources", "/sources"),
        ("people by count, page 1", "/entities/person"),
        (f"people by name, page {deep}", f"/entities/person?by=name&page={deep}"),
        ("organisations containing 'bank'", "/entities/org?contains=bank"),
        ("places, page 2 as JSON", "/api/entities?type=location&page=2"),
        (f"people of the search {args.word!r}", f"/facets/person?q={args.word}"),
        (f"places of the search {args.word!r}, by name", f"/facets/location?q={args.word}&by=name"),
    ]
    print(f"{people['distinct']:,} people in {args.index}")
    print(f"{'page':45} {'p50 ms':>8} {'p95 ms':>8} {'cpu ms':>8}")
    for name, path in cases:
        assert client.get(path).status_code == 200, path
        wall, cpu = [], []
        for _ in range(args.runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            client.get(path)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        wall.sort()
        p95 = wall[min(len(wall) - 1, int(round(0.95 * (len(wall) - 1))))]
        print(f"{name:45} {statistics.median(wall):>8.0f} {p95:>8.0f} {statistics.median(cpu):>8.0f}")


if __name__ == "__main__":
    main()
