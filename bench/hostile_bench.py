"""Hostile queries against a served archive: each alone, then 8 at once beside a stream of plain searches.

    python bench/hostile_bench.py [--articles 10000] [--query-seconds 5] [--plain-clients 2] [--port 0]

1. Builds (or reuses) a Whoosh index of `--articles` real articles under bench/out/hostile/ (git-ignored): a fixed
   sample of the enriched export of the real corpus (bench/out/scale/base.jsonl, made by bench/scale_bench.py from
   ../shared/data through bench/corpus.py), ingested as exported records (no recogniser run).
2. Serves it with `archive serve --workers 1` (waitress, 8 threads, one process) on 127.0.0.1 in a child process.
3. Times plain searches alone (the baseline), then for every hostile case: one request alone (time, status, the
   server's peak RSS), and 8 at once while `--plain-clients` threads search plain words in a loop (each hostile
   request's time and status, the server's peak RSS, and the plain searches' p50/p95 during the attack).
The issue's goal: every request answered or refused within the budget, plain p95 under 1 s throughout, server
peak RSS under 1 GB. The machine is shared and noisy: read the ratios, not the absolute times.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

OUT = ROOT / "bench" / "out" / "hostile"
BASE = ROOT / "bench" / "out" / "scale" / "base.jsonl"
PLAIN = ["oil", "bank", "regering", "trade", "minister", "shares", "market", "profit", "gemeente", "football",
         "election", "dollar", "rente", "police", "music"]
INFIX = " OR ".join(f"*{c}*" for c in "aeiounrstl")
LONG = " OR ".join(f"{w}*" for w in (PLAIN * 12))[:990]
CASES = {
    "**": "**",
    "*a*": "*a*",
    "[a TO z]": "[a TO z]",
    "NOT *": "NOT *",
    "10 infix OR'ed": INFIX,
    "long query (990 chars of prefixes)": LONG,
    "*zq* (scans every word)": "*zq*",
    "person:*": "person:*",
    "common phrase": '"of the"',
    "[a TO b] NOT oil": "[a TO b] NOT oil",
}


def base_export() -> Path:
    if BASE.exists():
        return BASE
    from scale_bench import base_export as make  # enriches the real corpus once (minutes)

    return make(ROOT.parent / "shared" / "data", 2)


def build_index(articles: int) -> Path:
    """Return the index of `articles` real articles, ingesting it the first time."""
    index = OUT / f"index-{articles}"
    if (index / "READY").exists():
        return index
    from archive.ingest import ingest

    OUT.mkdir(parents=True, exist_ok=True)
    lines = base_export().read_text(encoding="utf-8").splitlines()
    if articles > len(lines):  # more than the real corpus: its records cycled with new ids, as scale_bench does
        from scale_bench import replica

        sample = replica(base_export(), 0, articles)
    else:
        chosen = sorted(random.Random(0).sample(range(len(lines)), articles))
        sample = OUT / f"sample-{articles}.jsonl"
        sample.write_text("".join(lines[i] + "\n" for i in chosen), encoding="utf-8")
    started = time.monotonic()
    report = ingest([str(sample)], str(index), workers=2)
    print(f"ingested {report.articles} articles in {time.monotonic() - started:.0f} s "
          f"({len(report.failures)} failed)", flush=True)
    (index / "READY").write_text(str(report.articles))
    return index


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`archive serve` in a child process, and its resident memory sampled every 20 ms."""

    def __init__(self, index: Path, port: int, query_seconds: float):
        self.port = port
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "archive", "--index", str(index), "serve", "--port", str(port),
             "--query-seconds", str(query_seconds), "--workers", "1"],  # one process: its RSS is the server's
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ | {"PYTHONUNBUFFERED": "1"})
        self.peak = 0
        self._stop = threading.Event()
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        threading.Thread(target=self._sample, daemon=True).start()

    def rss(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self.rss())
            except OSError:
                return
            time.sleep(0.02)

    def reset_peak(self) -> None:
        self.peak = self.rss()

    def stop(self) -> None:
        self._stop.set()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def get(port: int, params: dict, timeout: float = 120) -> tuple[int, float, str]:
    """Return status, seconds and the error message (if any) of one search page request."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/api/search?" + urlencode(params | {"facets": "1"}))
        response = conn.getresponse()
        body = response.read()
        status = response.status
    except (OSError, http.client.HTTPException) as exc:
        return 0, time.monotonic() - started, f"{type(exc).__name__}: {exc}"
    finally:
        conn.close()
    message = ""
    if status != 200:
        try:
            message = json.loads(body).get("error", "")
        except ValueError:
            message = body[:120].decode("utf-8", "replace")
    return status, time.monotonic() - started, message


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))] if values else float("nan")


def plain_stream(port: int, stop: threading.Event, times: list[float], errors: list[int]) -> None:
    rng = random.Random(threading.get_ident())
    while not stop.is_set():
        status, seconds, _ = get(port, {"q": rng.choice(PLAIN)})
        times.append(seconds)
        if status != 200:
            errors.append(status)


def with_plain_stream(port: int, clients: int, work) -> tuple[object, list[float], list[int]]:
    """Run `work()` while `clients` threads search plain words; return its result and the plain timings."""
    stop = threading.Event()
    times: list[float] = []
    errors: list[int] = []
    threads = [threading.Thread(target=plain_stream, args=(port, stop, times, errors)) for _ in range(clients)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    try:
        result = work()
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join()
    return result, times, errors


def at_once(port: int, q: str, n: int) -> list[tuple[int, float, str]]:
    results: list[tuple[int, float, str]] = [(0, 0.0, "")] * n

    def one(i: int) -> None:
        results[i] = get(port, {"q": q})

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--query-seconds", type=float, default=5.0)
    parser.add_argument("--plain-clients", type=int, default=2)
    parser.add_argument("--concurrent", type=int, default=8)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    index = build_index(args.articles)
    server = Server(index, args.port or free_port(), args.query_seconds)
    mb = 1024 * 1024
    try:
        for q in PLAIN:  # warm the columns and postings caches, as a running server has them
            get(server.port, {"q": q})
        print(f"index: {index} ({args.articles} articles); budget {args.query_seconds:g} s; server RSS after warm-up "
              f"{server.rss() / mb:.0f} MB", flush=True)
        _, times, errors = with_plain_stream(server.port, args.plain_clients, lambda: time.sleep(10))
        print(f"plain searches alone ({args.plain_clients} clients, 10 s): {len(times)} requests, "
              f"p50 {pct(times, 0.5) * 1000:.0f} ms, p95 {pct(times, 0.95) * 1000:.0f} ms, {len(errors)} errors\n",
              flush=True)
        print(f"{'case':38} {'alone':>24} {'peak MB':>8} | {args.concurrent} at once: {'statuses':>14} "
              f"{'max s':>6} {'peak MB':>8} | plain p50/p95 ms (n, errors)")
        for name, q in CASES.items():
            server.reset_peak()
            status, seconds, message = get(server.port, {"q": q})
            alone_peak = server.peak
            server.reset_peak()
            results, times, errors = with_plain_stream(
                server.port, args.plain_clients, lambda: at_once(server.port, q, args.concurrent))
            statuses = ",".join(f"{s}x{n}" for s, n in sorted(
                {s: sum(1 for r in results if r[0] == s) for s, _, _ in results}.items()))
            slowest = max(r[1] for r in results)
            print(f"{name:38} {status:>4} in {seconds:7.3f} s {'':9} {alone_peak / mb:8.0f} | {statuses:>24} "
                  f"{slowest:6.2f} {server.peak / mb:8.0f} | {pct(times, 0.5) * 1000:6.0f} / "
                  f"{pct(times, 0.95) * 1000:6.0f} ({len(times)}, {len(errors)})", flush=True)
            if message:
                print(f"{'':38}   -> {message[:110]}", flush=True)
        print(f"\nserver RSS at the end {server.rss() / mb:.0f} MB", flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
