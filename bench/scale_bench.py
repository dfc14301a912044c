"""The archive at scale: Whoosh beside PostgreSQL on a local 3-shard layout, loading and searching.

    python bench/scale_bench.py [--data ../shared/data] [--whoosh 125000] [--postgres 1000000] [--e2e 6000]
                                [--workers 2] [--e2e-only]

1. Enriches the real corpus once (`bench/corpus.py`: Reuters-21578, BBC, DpgMedia2019, BASIL) and exports it;
   the export, cycled with new ids, is the replica corpus of pre-enriched records (bench/out/scale/, git-ignored).
2. Load rate of those records: Whoosh up to --whoosh articles, PostgreSQL (`archive cluster up`, 3 shards) up to
   --postgres, each `archive ingest` in a child process with 2 workers; ratio PostgreSQL / Whoosh.
3. End-to-end ingest with enrichment into PostgreSQL beside enrichment alone (the same workers, nothing written).
4. Query latency in-process over a mix of real queries, plain (exact total, top 10, snippets) and faceted (text,
   one filter, every facet and the timeline): Whoosh and PostgreSQL at --whoosh articles, PostgreSQL at --postgres.
5. Peak memory of the processes and size on disk per article.
Compare ratios measured in the same run: this machine is shared and noisy.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus import build  # noqa: E402

from archive.backends import open_backend  # noqa: E402
from archive.request import SearchRequest  # noqa: E402

OUT = ROOT / "bench" / "out" / "scale"
WORDS = ["oil", "bank", "regering", "trade", "minister", "shares", "market", "profit", "gemeente", "football",
         "election", "dollar", "rente", "police", "music"]
PHRASES = ['"interest rates"', '"oil prices"', '"prime minister"', '"de minister"', '"stock exchange"']
WILDCARDS = ["export*", "gover*", "verkiez*", "econom*", "bank*"]


def mix(top_place: str, top_person: str, top_source: str) -> dict[str, list[dict]]:
    """At least 30 queries of each kind: rare and frequent words, phrases, wildcards, filters, sorts."""
    plain = [{"q": w} for w in WORDS] + [{"q": p} for p in PHRASES] + [{"q": w} for w in WILDCARDS]
    plain += [{"q": "oil", "sort": "newest"}, {"q": "bank AND rates", "sort": "oldest"},
              {"q": "minister NOT election"}, {"q": "zeppelin"}, {"q": "trade", "source": top_source}]
    faceted = []
    filters = [{"location": top_place}, {"person": top_person}, {"source": top_source}, {"language": "en"},
               {"from": "1987-03-01", "to": "1987-04-30"}]
    for i, q in enumerate(WORDS + PHRASES + WILDCARDS):
        faceted.append({"q": q, "facets": "1"} | filters[i % len(filters)])
    return {"plain": plain, "faceted": faceted}


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def server_cpu() -> float:
    """Return the CPU seconds used so far by every PostgreSQL server process on this machine."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
        if name.startswith("postgres"):
            total += sum(int(v) for v in rest[11:15]) / tick  # its own time and its exited children's
    return total


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_ingest(location: str, inputs: list[str], workers: int, batch: int = 2000) -> tuple[int, float, float]:
    """Run `archive ingest` in a child process: (articles, seconds, peak MB of the largest child process)."""
    cmd = [sys.executable, "-m", "archive", "--index", location, "ingest", "-q", "--workers", str(workers),
           "--batch-size", str(batch), *inputs]
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    seconds = time.perf_counter() - started
    summary = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    if done.returncode not in (0, 1) or not summary[:1].isdigit():
        raise SystemExit(f"ingest into {location} failed: {done.stderr[-2000:]}")
    return int(summary.split()[0]), seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def base_export(data: Path, workers: int) -> Path:
    """Enrich the real corpus once and export it (cached)."""
    path = OUT / "base.jsonl"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    inputs = build(data, ROOT / "bench" / "out", 1)
    tmp = Path(tempfile.mkdtemp(prefix="scale-base-"))
    try:
        n, s, _ = run_ingest(str(tmp / "ix"), inputs, workers)
        print(f"enriched the real corpus: {n} articles in {s:.0f}s", flush=True)
        with open(path.with_suffix(".tmp"), "w", encoding="utf-8") as fh:
            subprocess.run([sys.executable, "-m", "archive", "--index", str(tmp / "ix"), "export"], stdout=fh,
                           check=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
        path.with_suffix(".tmp").rename(path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return path


def replica(base: Path, start: int, stop: int) -> Path:
    """Write records start..stop of the base export cycled with new ids (cached)."""
    path = OUT / f"replica-{start}-{stop}.jsonl"
    if path.exists():
        return path
    records = base.read_text(encoding="utf-8").splitlines()
    with open(path.with_suffix(".tmp"), "w", encoding="utf-8") as fh:
        for i in range(start, stop):
            record = json.loads(records[i % len(records)])
            copy = i // len(records)
            if copy:
                record["id"] = f"{record['id']}-r{copy}"
                if record.get("url"):
                    record["url"] = f"{record['url']}#r{copy}"
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    path.with_suffix(".tmp").rename(path)
    return path


def time_queries(label: str, location: str, searches: dict[str, list[dict]], runs: int = 3) -> dict[str, float]:
    """Print p50/p95 of each kind of search in-process (the first run of each included)."""
    backend = open_backend(location)
    out = {}
    for kind, params_list in searches.items():
        times = []
        for params in params_list:
            req = SearchRequest.from_dict(params)
            for _ in range(runs):
                started = time.perf_counter()
                backend.search(req)
                times.append((time.perf_counter() - started) * 1000)
        out[kind] = statistics.median(times)
        print(f"  {label:28} {kind:8} p50 {statistics.median(times):8.1f} ms   p95 {pct(times, 0.95):8.1f} ms   "
              f"(n={len(times)})", flush=True)
    backend.close()
    return out


def top_values(location: str) -> tuple[str, str, str]:
    facets = open_backend(location).facet_counts(1)
    return facets.values["LOC"][0][0], facets.values["PER"][0][0], facets.values["source"][0][0]


def enrichment_alone(inputs: list[str], workers: int) -> tuple[int, float]:
    """Read, enrich and analyse with the ingest's own workers, writing nothing: the rate ingest cannot beat."""
    from archive.backends.postgres.rows import prepare
    from archive.ingest import _processed, plan
    from archive.readers import ReadError, iter_inputs

    started = time.perf_counter()
    count = 0
    inputs_ = [i for i in iter_inputs(inputs) if not isinstance(i, ReadError)]
    for _task, (result, *_skipped_and_warned) in _processed(plan(inputs_, prepare=prepare), workers):
        if not isinstance(result, str):
            count += len(result)
    return count, time.perf_counter() - started


def pg_size(url: str) -> int:
    import psycopg

    from archive.backends.postgres.schema import shard_servers

    with psycopg.connect(url, autocommit=True) as conn:
        total = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        for server in shard_servers(conn):
            conn.execute("CREATE EXTENSION IF NOT EXISTS dblink")
            total += conn.execute("SELECT size FROM dblink(%s, 'SELECT pg_database_size(current_database())') "
                                  "AS t(size bigint)", (server,)).fetchone()[0]
    return int(total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--whoosh", type=int, default=125_000)
    parser.add_argument("--postgres", type=int, default=1_000_000)
    parser.add_argument("--e2e", type=int, default=6_000, help="articles for the end-to-end enrichment test")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=26432)
    parser.add_argument("--e2e-only", action="store_true", help="stop after the end-to-end test (step 3)")
    args = parser.parse_args()
    from archive.backends.postgres import layout

    base = base_export(Path(args.data), args.workers)
    base_count = sum(1 for _ in open(base, encoding="utf-8"))
    print(f"base: {base_count} enriched real articles", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="scale-bench-"))
    os.chmod(tmp, 0o755)
    url = layout.up(tmp / "layout", shards=3, port=args.port)
    try:
        # 3. end to end, with enrichment, into PostgreSQL; beside enrichment alone
        raw = build(Path(args.data), ROOT / "bench" / "out", 1)
        sample = OUT / f"raw-{args.e2e}.jsonl"
        if not sample.exists():
            records = base.read_text(encoding="utf-8").splitlines()[: args.e2e]
            with open(sample, "w", encoding="utf-8") as fh:
                for line in records:
                    r = json.loads(line)
                    fh.write(json.dumps({k: r[k] for k in ("id", "title", "body", "source", "language", "url")
                                         if r.get(k)} | ({"date": r["date"]} if r.get("date") else {}),
                                        ensure_ascii=False) + "\n")
        del raw
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        kids_before = children_cpu()
        n_alone, s_alone = enrichment_alone([str(sample)], args.workers)
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        alone_cpu = (cpu_after.ru_utime + cpu_after.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime
                     + children_cpu() - kids_before)
        servers, ours = server_cpu(), children_cpu()
        n_e2e, s_e2e, _ = run_ingest(url, [str(sample)], args.workers)
        servers, ours = server_cpu() - servers, children_cpu() - ours
        print(f"end to end into PostgreSQL (3 shards): {n_e2e} articles in {s_e2e:.1f}s = {n_e2e / s_e2e:.0f}/s; "
              f"enrichment alone {n_alone / s_alone:.0f}/s; ratio {(n_e2e / s_e2e) / (n_alone / s_alone):.2f}",
              flush=True)
        print(f"  CPU per article: enrichment alone {1000 * alone_cpu / n_alone:.2f} ms; during the ingest the "
              f"archive's processes {1000 * ours / n_e2e:.2f} ms and the PostgreSQL servers "
              f"{1000 * servers / n_e2e:.2f} ms, on the same {os.cpu_count()} cores", flush=True)
        if args.e2e_only:
            return
        import psycopg

        from archive.backends.postgres.schema import drop

        with psycopg.connect(url, autocommit=True) as conn:
            drop(conn)

        # 2. loading pre-enriched records
        first = replica(base, 0, args.whoosh)
        whoosh = tmp / "whoosh"
        n_w, s_w, peak_w = run_ingest(str(whoosh), [str(first)], args.workers)
        print(f"load into Whoosh: {n_w} articles in {s_w:.0f}s = {n_w / s_w:.0f}/s; peak {peak_w:.0f} MB; "
              f"{folder_size(whoosh) / n_w:.0f} bytes/article on disk", flush=True)
        n_p, s_p, peak_p = run_ingest(url, [str(first)], args.workers)
        print(f"load into PostgreSQL, 3 shards: {n_p} articles in {s_p:.0f}s = {n_p / s_p:.0f}/s "
              f"(ratio to Whoosh {(n_p / s_p) / (n_w / s_w):.2f}); {pg_size(url) / n_p:.0f} bytes/article",
              flush=True)
        place, person, source = top_values(str(whoosh))
        searches = mix(place, person, source)
        print(f"queries at {n_w} articles (filters: {place}, {person}, {source}):", flush=True)
        w = time_queries("Whoosh", str(whoosh), searches)
        p = time_queries("PostgreSQL 3 shards", url, searches)
        print("  ratio PostgreSQL/Whoosh p50: " + ", ".join(f"{k} {p[k] / w[k]:.2f}" for k in w), flush=True)
        shutil.rmtree(whoosh, ignore_errors=True)
        if args.postgres > args.whoosh:
            rest = replica(base, args.whoosh, args.postgres)
            n_r, s_r, peak_r = run_ingest(url, [str(rest)], args.workers)
            total = n_p + n_r
            print(f"load into PostgreSQL, 3 shards, {n_p} -> {total}: {n_r / s_r:.0f}/s; overall "
                  f"{total / (s_p + s_r):.0f}/s (ratio to Whoosh {(total / (s_p + s_r)) / (n_w / s_w):.2f}); "
                  f"peak {max(peak_p, peak_r):.0f} MB; {pg_size(url) / total:.0f} bytes/article", flush=True)
            print(f"queries at {total} articles:", flush=True)
            time_queries("PostgreSQL 3 shards", url, searches)
        print(f"peak memory of this process (searches in-process): "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB", flush=True)
    finally:
        layout.down(tmp / "layout")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
