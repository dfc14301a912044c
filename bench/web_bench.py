"""Time the search experience on a big index: in-process, through a production WSGI server, and against a
yardstick measured in the same run.

    python bench/web_bench.py [--keep /tmp/bench125k] [--replicas 6] [--runs 30] [--clients 4] [--requests 30]

Builds an index of the benchmark corpus (`bench/corpus.py`: Reuters-21578, BBC, DpgMedia2019 and BASIL, about 23k
articles, each replica adding them all again as near-duplicates: 6 replicas make about 139k) with `archive.ingest`
(2 workers), or reuses the one at `--keep PATH`. Ingest runs at 30-60 articles/s here: build it once with --keep.
Then, for each kind of search (plain, phrase, filtered, faceted = text + one filter + every facet + timeline,
date-sorted), prints p50/p95 latency in-process (one pooled searcher per request, as the web app does), then the same
searches as HTTP requests to the web app served by waitress on 127.0.0.1 with N concurrent client threads, and as
yardsticks: Whoosh's own `groupedby` faceting of the faceted query, and SQLite FTS5 with GROUP BY on the same
texts (where the Python build has FTS5). The issue's target: faceted search under 100 ms median, 300 ms p95
in-process. The machine is shared and noisy: compare ratios, not absolute times.
"""
from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus import build  # noqa: E402

from archive.backends.whoosh.columns import clear_cache, columns  # noqa: E402
from archive.backends.whoosh.index import ArchiveIndex, open_index, stored_article  # noqa: E402
from archive.ingest import ingest  # noqa: E402
from archive.backends.whoosh.pool import SearcherPool  # noqa: E402
from archive.query import build_query  # noqa: E402
from archive.request import SearchRequest  # noqa: E402
from archive.backends.whoosh.engine import count_facets, run_search  # noqa: E402


def kinds(top_location: str, top_person: str) -> dict[str, list[dict]]:
    """The searches timed, by kind; filters use the index's most frequent place and person."""
    return {
        "plain": [{"q": "oil"}, {"q": "bank rates"}, {"q": "regering"}],
        "phrase": [{"q": '"interest rates"'}, {"q": '"oil prices"'}, {"q": '"prime minister"'}],
        "filtered": [{"q": "market", "language": "en", "from": "1987-03-01", "to": "1987-03-31"},
                     {"q": "trade", "location": top_location}, {"q": "shares", "source": "Reuters"}],
        "faceted": [{"q": "oil", "location": top_location, "facets": "1"},
                    {"q": "market", "language": "en", "facets": "1"},
                    {"q": "minister", "person": top_person, "facets": "1"}],
        "date-sorted": [{"q": "bank", "sort": "newest"}, {"q": "profit", "sort": "oldest"},
                        {"language": "nl", "sort": "newest"}],
    }


def pct(times: list[float], p: float) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, int(round(p * (len(times) - 1))))]


def row(label: str, times: list[float], extra: str = "") -> None:
    print(f"  {label:14} p50 {statistics.median(times):8.1f} ms   p95 {pct(times, 0.95):8.1f} ms   "
          f"(n={len(times)}){extra}", flush=True)


def in_process(archive: ArchiveIndex, pool: SearcherPool, searches: dict[str, list[dict]], runs: int) -> None:
    started = time.perf_counter()
    archive.searcher().close()
    print(f"\nopening a new searcher: {(time.perf_counter() - started) * 1000:.0f} ms (so the web app borrows "
          "open ones from a pool)")
    print("in-process, one pooled searcher per request, first run of each search included:")
    for kind, params_list in searches.items():
        times: list[float] = []
        totals = []
        for params in params_list:
            req = SearchRequest.from_dict(params)
            for _ in range(runs):
                started = time.perf_counter()
                with pool.searcher() as s:
                    page = run_search(s, req, archive.version)
                times.append((time.perf_counter() - started) * 1000)
            totals.append(page.total)
        row(kind, times, f"  totals {totals}")


def groupedby_yardstick(pool: SearcherPool, params_list: list[dict], runs: int) -> None:
    """Whoosh's own faceting: the same matches grouped by source, language and each entity field."""
    from whoosh import sorting

    facets = {name: sorting.FieldFacet(name, allow_overlap=name not in ("source", "language"))
              for name in ("source", "language", "person", "org", "location", "misc")}
    facets["year"] = sorting.FieldFacet("sort_old")
    times: list[float] = []
    for params in params_list:
        req = SearchRequest.from_dict(params)
        for _ in range(runs):
            started = time.perf_counter()
            with pool.searcher() as s:
                parsed = build_query(req, s.schema)
                results = s.search(parsed.text, filter=parsed.filter_query(), limit=10, groupedby=facets)
                for name in facets:
                    results.groups(name)
                [stored_article(hit.fields()) for hit in results]
            times.append((time.perf_counter() - started) * 1000)
    row("groupedby", times, "  (Whoosh sorting.FieldFacet on the same faceted searches)")


def fts5_yardstick(archive: ArchiveIndex, tmp: Path, runs: int) -> None:
    """SQLite FTS5 over the same texts: MATCH + GROUP BY source, year, on one in-file database."""
    try:
        db = sqlite3.connect(str(tmp / "fts.db"))
        db.execute("CREATE VIRTUAL TABLE docs USING fts5(body, source UNINDEXED, year UNINDEXED, lang UNINDEXED)")
    except sqlite3.OperationalError as exc:
        print(f"  fts5           skipped: {exc}")
        return
    started = time.perf_counter()
    with archive.searcher() as s:
        batch = []
        for fields_ in s.all_stored_fields():
            a = stored_article(fields_)
            batch.append((f"{a.title or ''} {a.body}", a.source or "", a.date.year if a.date else None,
                          a.language or ""))
            if len(batch) >= 5000:
                db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?)", batch)
                batch = []
        db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?)", batch)
    db.commit()
    print(f"  (fts5 table built in {time.perf_counter() - started:.0f}s)")
    times: list[float] = []
    for word in ("oil", "market", "minister"):
        for _ in range(runs):
            t0 = time.perf_counter()
            db.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (word,)).fetchone()
            for col in ("source", "year", "lang"):
                db.execute(f"SELECT {col}, count(*) FROM docs WHERE docs MATCH ? GROUP BY {col} "
                           "ORDER BY 2 DESC LIMIT 10", (word,)).fetchall()
            db.execute("SELECT rowid, snippet(docs, 0, '<', '>', '…', 20) FROM docs WHERE docs MATCH ? "
                       "ORDER BY rank LIMIT 10", (word,)).fetchall()
            times.append((time.perf_counter() - t0) * 1000)
    row("fts5+group by", times, "  (text only, no entity facets: a lower bound)")
    db.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def through_wsgi(index: Path, searches: dict[str, list[dict]], clients: int, requests: int, threads: int) -> None:
    """Serve the app with waitress and send a bounded loop of requests from client threads (127.0.0.1 only)."""
    try:
        import waitress  # noqa: F401
    except ImportError:
        print("\nwaitress is not installed (pip install waitress): WSGI timings skipped")
        return
    port = free_port()
    env = dict(os.environ, ARCHIVE_INDEX=str(index), PYTHONPATH=str(ROOT))
    server = subprocess.Popen(
        [sys.executable, "-m", "waitress", "--host=127.0.0.1", f"--port={port}", f"--threads={threads}",
         "--call", "archive.web:create_app"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
        started = time.perf_counter()
        get(port, "/api/search?facets=1")  # the column cache, built by the first request after a commit
        print(f"\nthrough waitress: first request {(time.perf_counter() - started) * 1000:.0f} ms; then one warm-up "
              "pass of every search, and a pool of open searchers filled by concurrent requests")
        for params_list in searches.values():
            for p in params_list:
                get(port, "/api/search?" + urlencode(p))
        warm = [threading.Thread(target=get, args=(port, "/api/search?q=warm")) for _ in range(threads)]
        for w in warm:
            w.start()
        for w in warm:
            w.join()
        print(f"through waitress ({threads} threads), {clients} concurrent clients x {requests} requests per kind:")
        for kind, params_list in searches.items():
            paths = [("/?" if kind == "faceted" else "/api/search?") + urlencode(p) for p in params_list]
            times: list[float] = []
            lock = threading.Lock()

            def client(n: int) -> None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                mine = []
                for i in range(requests):
                    t0 = time.perf_counter()
                    conn.request("GET", paths[(n + i) % len(paths)])
                    response = conn.getresponse()
                    response.read()
                    assert response.status == 200, response.status
                    mine.append((time.perf_counter() - t0) * 1000)
                conn.close()
                with lock:
                    times.extend(mine)

            started = time.perf_counter()
            workers = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            seconds = time.perf_counter() - started
            row(kind, times, f"  {len(times) / seconds:.1f} req/s" + ("  (HTML page)" if kind == "faceted" else ""))
    finally:
        server.terminate()
        server.wait(timeout=10)


def get(port: int, path: str) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.request("GET", path)
    body = conn.getresponse().read()
    conn.close()
    return body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--keep", help="Build the index here, or reuse it if it exists.")
    parser.add_argument("--replicas", type=int, default=6, help="Corpus copies: 6 make about 139k articles.")
    parser.add_argument("--runs", type=int, default=30, help="In-process runs per search.")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=30, help="Requests per client per kind.")
    parser.add_argument("--threads", type=int, default=4, help="waitress worker threads.")
    parser.add_argument("--no-fts5", action="store_true")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="archive-webbench-"))
    try:
        index = Path(args.keep) if args.keep else tmp / "index"
        if not index.exists():
            inputs = build(Path(args.data), tmp / "corpus", replicas=args.replicas)
            started = time.perf_counter()
            report = ingest(inputs, str(index), workers=2)
            print(f"built {index}: {report.articles} articles in {time.perf_counter() - started:.0f}s "
                  f"({len(report.failures)} inputs failed)")
        archive = open_index(index)
        print(f"index {index}: {archive.doc_count()} articles, version {archive.version}")
        with archive.searcher() as s:
            clear_cache()
            started = time.perf_counter()
            cols = columns(s.reader())
            print(f"column cache built in {(time.perf_counter() - started) * 1000:.0f} ms "
                  "(once per index generation; every search after it reuses it)")
            everything = count_facets(s, list(s.reader().all_doc_ids()), limit=1, cols=cols)
        top_location = (everything.values["LOC"] or [("usa", 0)])[0][0]
        top_person = (everything.values["PER"] or [("reagan", 0)])[0][0]
        searches = kinds(top_location, top_person)
        pool = SearcherPool(str(index), size=2)
        in_process(archive, pool, searches, args.runs)
        print("\nyardsticks, same run:")
        groupedby_yardstick(pool, searches["faceted"], max(1, args.runs // 30))
        if not args.no_fts5:
            fts5_yardstick(archive, tmp, max(3, args.runs // 3))
        through_wsgi(index, searches, args.clients, args.requests, args.threads)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
