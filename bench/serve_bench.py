"""Load on `archive serve`: 50 concurrent clients for 60 s with a mixed workload, with 1 and with 2 worker processes,
alone and during an ingest into the served index.

    python bench/serve_bench.py [--clients 50] [--seconds 60] [--workers 1,2] [--ingest-workers 1] [--keepalive]

1. The index: the 10k-article Whoosh index of real articles that bench/hostile_bench.py builds under
   bench/out/hostile/ (a fixed sample of the enriched export of ../shared/data made through bench/corpus.py; built
   the first time), copied to bench/out/serve/ (git-ignored) for every run so that an ingest never touches the cache.
2. For each worker count, `archive serve --workers N` on 127.0.0.1 in a child process; `--clients` threads (urllib-style
   http.client, a new connection per request unless --keepalive) send the workload below for `--seconds`, after a
   short warm-up. Reported: requests/s, p50/p95 latency overall and per kind, errors (5xx, timeouts, refused), and
   the CPU the server's processes used (cores busy on average).
3. The same during an ingest: `archive ingest --workers 1` of 3,000 articles of the export that are not in the index
   (new ids) starts with the clients; once it is done, the served total is compared with a fresh process's.

The workload, drawn at random with fixed weights: a search page with its facets (`/?q=word`), a faceted search with a
filter (a place, person or source of the index, `/?q=word&location=X`), an article page (`/articles/ID`), the API's
search (`/api/search?q=word`, and one in four with `facets=1`) and article record (`/api/articles/ID`).
The machine is shared and noisy (2 cores, which the clients and the ingest share with the server): read the ratios
between runs, not the absolute numbers.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

OUT = ROOT / "bench" / "out" / "serve"
WORDS = ["oil", "bank", "regering", "trade", "minister", "shares", "market", "profit", "gemeente", "football",
         "election", "dollar", "rente", "police", "music", "president", "company", "government", "prices", "wheat",
         "coffee", "growth", "court", "school", "minister president", '"interest rates"']
WEIGHTS = {"page": 25, "faceted": 20, "article": 20, "api-search": 20, "api-article": 15}
CLK = os.sysconf("SC_CLK_TCK")


def cached_index(articles: int) -> Path:
    """The 10k index of bench/hostile_bench.py (built there the first time)."""
    from hostile_bench import build_index

    return build_index(articles)


def fresh_copy(source: Path, name: str) -> Path:
    target = OUT / name
    shutil.rmtree(target, ignore_errors=True)
    OUT.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, target)
    return target


def extra_articles(sample: Path, count: int) -> Path:
    """`count` articles of the export that the index does not hold: what the ingest during the load adds."""
    path = OUT / f"extra-{count}.jsonl"
    if path.exists():
        return path
    base = ROOT / "bench" / "out" / "scale" / "base.jsonl"
    have = {json.loads(line)["id"] for line in sample.open(encoding="utf-8")}
    OUT.mkdir(parents=True, exist_ok=True)
    written = 0
    with base.open(encoding="utf-8") as src, path.open("w", encoding="utf-8") as out:
        for line in src:
            if written < count and json.loads(line)["id"] not in have:
                out.write(line)
                written += 1
    return path


class Server:
    """`archive serve --port 0 --workers N` in a child process."""

    def __init__(self, index: Path, workers: int):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "archive", "--index", str(index), "serve", "--port", "0", "--workers",
             str(workers)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            env=os.environ | {"PYTHONUNBUFFERED": "1"})
        assert self.proc.stderr is not None
        line = self.proc.stderr.readline()
        if not line.startswith("Serving "):
            raise SystemExit(f"archive serve did not start: {line}{self.proc.stderr.read()}")
        self.port = int(line.split("http://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
        stderr = self.proc.stderr
        threading.Thread(target=lambda: [None for _ in stderr], daemon=True).start()  # drain it

    def processes(self) -> list[int]:
        pids = [self.proc.pid]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                        pids.append(int(entry.name))
                except OSError:
                    pass
        return pids

    def cpu_seconds(self) -> dict[int, float]:
        """CPU seconds used so far by each of the server's processes (the parent first)."""
        used = {}
        for pid in self.processes():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            used[pid] = (int(fields[11]) + int(fields[12])) / CLK  # utime + stime
        return used

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)


def get(port: int, path: str, conn: http.client.HTTPConnection | None = None) -> tuple[int, bytes]:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if own:
            conn.close()


def workload(port: int) -> dict[str, list[str]]:
    """The paths of each kind of request, from what the index holds."""
    ids: list[str] = []
    facets: dict[str, list[str]] = {}
    for word in WORDS[:12]:
        page = json.loads(get(port, "/api/search?" + urlencode({"q": word, "facets": 1, "size": 20}))[1])
        ids += [r["id"] for r in page["results"]]
        for field in ("source", "person", "location"):
            facets.setdefault(field, []).extend(v["value"] for v in page["facets"].get(field, [])[:3])
    filters = [(field, value) for field, values in facets.items() for value in dict.fromkeys(values)]
    return {
        "page": ["/?" + urlencode({"q": w}) for w in WORDS],
        "faceted": ["/?" + urlencode({"q": w, f: v}) for w in WORDS[:10] for f, v in filters],
        "article": [f"/articles/{quote(i, safe='')}" for i in dict.fromkeys(ids)],
        "api-search": ["/api/search?" + urlencode({"q": w} | ({"facets": 1} if i % 4 == 0 else {}))
                       for i, w in enumerate(WORDS)],
        "api-article": [f"/api/articles/{quote(i, safe='')}" for i in dict.fromkeys(ids)],
    }


def load(port: int, paths: dict[str, list[str]], clients: int, seconds: float, keepalive: bool) -> dict:
    """Run the clients for `seconds`; return the timings of the requests that finished in that window."""
    kinds = list(WEIGHTS)
    weights = [WEIGHTS[k] for k in kinds]
    results: list[tuple[str, float, bool]] = []  # kind, seconds, ok
    errors: dict[str, int] = {}
    lock = threading.Lock()
    start = time.monotonic()
    end = start + seconds

    def client(number: int) -> None:
        rng = random.Random(number)
        conn = None
        mine: list[tuple[str, float, bool]] = []
        while time.monotonic() < end:
            kind = rng.choices(kinds, weights)[0]
            path = rng.choice(paths[kind])
            began = time.monotonic()
            try:
                if keepalive and conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status, _ = get(port, path, conn)
                ok = status < 500
                problem = None if ok else f"HTTP {status}"
            except (OSError, http.client.HTTPException) as exc:
                ok, problem = False, type(exc).__name__
                if conn is not None:
                    conn.close()
                    conn = None
            finished = time.monotonic()
            if finished <= end:
                mine.append((kind, finished - began, ok))
                if problem:
                    with lock:
                        errors[problem] = errors.get(problem, 0) + 1
        if conn is not None:
            conn.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return summarise(results, errors, seconds)


def summarise(results: list[tuple[str, float, bool]], errors: dict[str, int], seconds: float) -> dict:
    def stats(times: list[float]) -> dict:
        if not times:
            return {"n": 0}
        ordered = sorted(times)
        return {"n": len(ordered), "p50_ms": round(1000 * statistics.median(ordered)),
                "p95_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))])}

    ok = [t for _, t, good in results if good]
    return {"requests": len(results), "rps": round(len(results) / seconds, 1), "errors": sum(errors.values()),
            "error_kinds": errors, **stats(ok),
            "kinds": {kind: stats([t for k, t, good in results if k == kind and good]) for kind in WEIGHTS}}


def served_total(port: int) -> int:
    return json.loads(get(port, "/api/search?" + urlencode({"q": "", "size": 1}))[1])["total"]


def fresh_total(index: Path) -> int:
    from archive.backends import open_backend
    from archive.request import SearchRequest

    backend = open_backend(str(index))
    try:
        return backend.search(SearchRequest(page_size=1)).total
    finally:
        backend.close()


def run(index: Path, workers: int, args: argparse.Namespace, extra: Path | None) -> dict:
    server = Server(index, workers)
    try:
        for _ in range(300):
            try:
                get(server.port, "/api/search?q=oil")
                break
            except OSError:
                time.sleep(0.2)
        paths = workload(server.port)
        load(server.port, paths, min(args.clients, 10), args.warmup, args.keepalive)  # caches of every worker
        ingest = None
        if extra is not None:
            ingest = subprocess.Popen([sys.executable, "-m", "archive", "--index", str(index), "ingest", "-q",
                                       "--workers", str(args.ingest_workers), str(extra)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            ingest_started = time.monotonic()
        cpu_before, wall_before, clients_before = server.cpu_seconds(), time.monotonic(), time.process_time()
        result = load(server.port, paths, args.clients, args.seconds, args.keepalive)
        cpu_after, wall = server.cpu_seconds(), time.monotonic() - wall_before
        busy = [round((cpu_after[pid] - cpu_before.get(pid, 0.0)) / wall, 2) for pid in cpu_after]
        result["server_cores_busy"] = round(sum(busy), 2)
        result["cores_busy_by_process"] = busy  # the parent (or the only process) first, then each worker
        result["client_cores_busy"] = round((time.process_time() - clients_before) / wall, 2)
        result["workers"] = workers
        if ingest is not None:
            result["ingest_running_at_end"] = ingest.poll() is None
            _, err = ingest.communicate()
            result["ingest_seconds"] = round(time.monotonic() - ingest_started)
            result["ingest_exit"] = ingest.returncode
            if ingest.returncode:
                result["ingest_error"] = err.strip()[-500:]
            time.sleep(2)  # the workers' searchers refresh on their next request
            result["served_total"] = served_total(server.port)
            result["fresh_total"] = fresh_total(index)
        return result
    finally:
        server.stop()


def show(name: str, r: dict) -> None:
    line = (f"{name:<28} {r['rps']:>7} req/s  p50 {r.get('p50_ms', '-'):>5} ms  p95 {r.get('p95_ms', '-'):>5} ms  "
            f"errors {r['errors']}  cores busy: server {r['server_cores_busy']} {r['cores_busy_by_process']}, "
            f"clients {r['client_cores_busy']}")
    print(line, flush=True)
    kinds = "  ".join(f"{k} {v.get('p50_ms', '-')}/{v.get('p95_ms', '-')}" for k, v in r["kinds"].items())
    print(f"{'':<28} p50/p95 ms by kind: {kinds}", flush=True)
    if "served_total" in r:
        print(f"{'':<28} ingest {'still running' if r['ingest_running_at_end'] else 'done'} at the end of the load; "
              f"took {r['ingest_seconds']} s, exit {r['ingest_exit']}; total served {r['served_total']}, "
              f"fresh process {r['fresh_total']}", flush=True)
    if r["errors"]:
        print(f"{'':<28} errors: {r['error_kinds']}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--workers", default="1,2", help="worker counts to compare, comma-separated")
    parser.add_argument("--ingest-workers", type=int, default=1)
    parser.add_argument("--ingest-articles", type=int, default=3000, help="articles the ingest during the load adds")
    parser.add_argument("--keepalive", action="store_true", help="one kept-alive connection per client")
    parser.add_argument("--no-ingest", action="store_true", help="skip the runs during an ingest")
    args = parser.parse_args()

    cache = cached_index(args.articles)
    extra = None if args.no_ingest else extra_articles(cache.parent / f"sample-{args.articles}.jsonl",
                                                       args.ingest_articles)
    print(f"index: {cache} ({fresh_total(cache)} articles); {args.clients} clients for {args.seconds:.0f} s; "
          f"{os.cpu_count()} cores; {'keep-alive' if args.keepalive else 'a connection per request'}", flush=True)
    report = {}
    for workers in [int(w) for w in args.workers.split(",")]:
        name = f"{workers} worker{'s' if workers > 1 else ''}, alone"
        report[name] = run(fresh_copy(cache, "index"), workers, args, None)
        show(name, report[name])
        if extra is not None:
            name = f"{workers} worker{'s' if workers > 1 else ''}, during ingest"
            report[name] = run(fresh_copy(cache, "index"), workers, args, extra)
            show(name, report[name])
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(report, indent=1))
    shutil.rmtree(OUT / "index", ignore_errors=True)


if __name__ == "__main__":
    main()
