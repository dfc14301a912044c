"""What the RUM index costs a load: pre-enriched records into an empty PostgreSQL archive, the index kept up to
date row by row beside the same load with the index built once at the end (what the archive does for a bulk load).

    python bench/pg_load.py postgresql://postgres@127.0.0.1:26432 RECORDS.jsonl [--workers 2]

The URL names a server (its databases `archive_load_kept` and `archive_load_deferred` are made and dropped);
RECORDS is an export (`archive export`, or bench/out/scale/replica-*.jsonl from scale_bench.py). Both loads run
in this process one after the other, twice, so that a noisy machine shows; the server's CPU time is counted too.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scale_bench import server_cpu  # noqa: E402

import archive.backends.postgres as pg_backend  # noqa: E402
from archive.ingest import ingest  # noqa: E402


def database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def fresh(url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return database(url, name)


def drop(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("records")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    default_ratio = pg_backend.DEFER_RUM_RATIO
    for run in (1, 2):
        for variant, ratio in (("kept", 0), ("deferred", default_ratio)):
            name = f"archive_load_{variant}"
            location = fresh(args.url, name)
            pg_backend.DEFER_RUM_RATIO = ratio
            cpu = server_cpu()
            started = time.perf_counter()
            report = ingest([args.records], location, workers=args.workers, batch_size=2000)
            seconds = time.perf_counter() - started
            cpu = server_cpu() - cpu
            backend = pg_backend.PostgresBackend(location)
            assert backend.layout.rum, "the RUM index is missing after the load"
            backend.close()
            print(f"run {run}: RUM {variant:8}: {report.articles} articles in {seconds:6.1f}s = "
                  f"{report.articles / seconds:6.0f}/s; server CPU {1000 * cpu / report.articles:.2f} ms/article",
                  flush=True)
            drop(args.url, name)
    pg_backend.DEFER_RUM_RATIO = default_ratio


if __name__ == "__main__":
    main()
