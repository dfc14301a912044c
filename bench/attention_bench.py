"""Time attention over time and the search feed on an existing index: in-process, then through waitress.

    python bench/attention_bench.py INDEX [--runs 20] [--words oil,bank,trade,minister,president]

INDEX is a Whoosh folder or a PostgreSQL URL that holds articles (for the 125k-article index of the issue, build it
once with `python bench/web_bench.py --keep /tmp/bench125k` and pass that folder). Prints p50 and p95 in milliseconds of:
five searches compared per month (counts and shares: one search per query and one for the shared denominator), the
same split by source, one query per week, and the Atom feed of one search; first in-process (the backend kept open, as
the web app does), then as HTTP requests to the web app served by waitress on 127.0.0.1 (the JSON API, the HTML page
with its SVG chart, the feed), one client at a time. The issue's goal: five queries by month under 300 ms p50.
The machine is shared and noisy: compare ratios, not absolute times.
"""
from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.attention import AttentionRequest, attention  # noqa: E402
from archive.backends import open_backend  # noqa: E402
from archive.feed import feed_request  # noqa: E402
from archive.request import SearchRequest  # noqa: E402


def row(name: str, times: list[float]) -> None:
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"  {name:34} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   ({len(times)} runs)")


def cases(words: list[str]) -> dict[str, list[tuple[str, str]]]:
    """The timed requests, as URL parameters."""
    five = [("q", w) for w in words[:5]]
    return {
        "5 queries per month": five + [("by", "month")],
        "5 queries per month, shares": five + [("by", "month"), ("normalise", "1")],
        "1 query split by source": [("q", words[0]), ("by", "month"), ("split", "source")],
        "1 query per week": [("q", words[0]), ("by", "week")],
    }


def in_process(index: str, words: list[str], runs: int) -> None:
    backend = open_backend(index)
    started = time.perf_counter()
    backend.count()
    attention(backend, AttentionRequest.from_dict({"q": words[0]}))
    print(f"in-process ({backend.count()} articles; first call {(time.perf_counter() - started) * 1000:.0f} ms):")
    for name, params in cases(words).items():
        grouped: dict[str, list[str]] = {}
        for key, value in params:
            grouped.setdefault(key, []).append(value)
        areq = AttentionRequest.from_dict(grouped)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            attention(backend, areq)
            times.append((time.perf_counter() - t0) * 1000)
        row(name, times)
    req = feed_request(SearchRequest(q=words[0]), size_given=False)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        backend.search(req)
        times.append((time.perf_counter() - t0) * 1000)
    row("feed search (20 newest)", times)
    backend.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> float:
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 200, (path, response.status)
    return (time.perf_counter() - t0) * 1000


def through_waitress(index: str, words: list[str], runs: int) -> None:
    port = free_port()
    env = dict(os.environ, ARCHIVE_INDEX=index, PYTHONPATH=str(ROOT))
    server = subprocess.Popen([sys.executable, "-m", "waitress", "--host=127.0.0.1", f"--port={port}", "--threads=4",
                               "--call", "archive.web:create_app"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("waitress did not start") from None
                time.sleep(0.2)
        get(port, "/api/attention?" + urlencode({"q": words[0]}))  # the column cache
        print("through waitress, one client:")
        for name, params in cases(words).items():
            for path in ("/api/attention?", "/attention?"):
                url = path + urlencode(params)
                get(port, url)
                row(f"{name} ({'JSON' if 'api' in path else 'page'})", [get(port, url) for _ in range(runs)])
        url = "/feed?" + urlencode({"q": words[0]})
        get(port, url)
        row("feed", [get(port, url) for _ in range(runs)])
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index", help="An index folder or a PostgreSQL URL that holds articles.")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--words", default="oil,bank,trade,minister,president")
    args = parser.parse_args()
    words = [w.strip() for w in args.words.split(",") if w.strip()]
    in_process(args.index, words, args.runs)
    through_waitress(args.index, words, args.runs)


if __name__ == "__main__":
    main()
