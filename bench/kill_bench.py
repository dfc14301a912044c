"""Kill an ingest with SIGKILL at random moments and check what it leaves; rerun it and time the rerun.

    python bench/kill_bench.py [--kills 50] [--articles 1000] [--workers 2] [--batch-size 100] [--seed 1]

An invented corpus (JSON Lines, stable record ids) is ingested once cleanly to time it. Then, for each kill, a fresh
index: `archive ingest` starts in a child process and is sent SIGKILL (the ingest process only, as the OOM killer
or a crash would: its workers get no signal) at a random moment between 0.2 s and the clean run's time. One
second later the bench counts the ingest's worker processes still alive, opens the index (unreadable or not; none at
all is fine), counts duplicate ids, then runs the same command again and checks the rerun is exact (every article
once) and how long it took against the clean run. Files the rerun left beside the committed segments are counted.
Results go to stdout and to bench/out/kill_bench.json. This machine is shared: compare ratios, not seconds.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from whoosh import index as whoosh_index  # noqa: E402


def write_corpus(folder: Path, n: int) -> None:
    """Write n invented articles as JSON Lines files of 100 records each."""
    folder.mkdir(parents=True)
    for f in range((n + 99) // 100):
        with open(folder / f"part-{f:03d}.jsonl", "w", encoding="utf-8") as fh:
            for k in range(f * 100, min(n, f * 100 + 100)):
                fh.write(json.dumps({
                    "id": f"a{k}", "source": "Testbureau", "date": f"2020-{1 + k % 12:02d}-{1 + k % 28:02d}",
                    "language": "nl", "title": f"Bericht {k} over de haven",
                    "text": " ".join(f"Bericht nummer {k} over de haven van Antwerpen en de trein naar Gent, met "
                                     f"minister Jan Peeters en burgemeester Els {k % 37}." for _ in range(6))}) + "\n")


def children(pid: int) -> list[int]:
    """Return the live processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        return (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) != "Z"
    except OSError:
        return False


def inspect(index: Path) -> dict:
    """Open the index and read every stored id: articles, duplicates, or why it is unreadable."""
    if not whoosh_index.exists_in(str(index)):
        return {"state": "none", "articles": 0, "duplicates": 0}
    try:
        ix = whoosh_index.open_dir(str(index))
        with ix.searcher() as s:
            ids = [f["id"] for f in s.all_stored_fields()]
            count = s.doc_count()
    except Exception as exc:  # noqa: BLE001 - any failure to read is what we count
        return {"state": f"unreadable: {type(exc).__name__}: {exc}", "articles": 0, "duplicates": 0}
    return {"state": "ok", "articles": len(ids), "duplicates": len(ids) - len(set(ids)), "doc_count": count}


def stray_files(index: Path) -> int:
    """Count files in the index folder that no commit names (and posting-pool runs)."""
    if not whoosh_index.exists_in(str(index)):
        return 0
    ix = whoosh_index.open_dir(str(index))
    live = {s.segment_id() for s in ix._segments()}
    gen = ix.latest_generation()
    stray = 0
    for path in index.rglob("*"):
        name = path.name
        if path.is_dir() or "LOCK" in name:
            continue
        if path.parent != index:
            stray += 1  # inside MAIN.tmp
        elif name.startswith("_MAIN_"):
            stray += name != f"_MAIN_{gen}.toc"
        elif name.split(".", 1)[0] not in live:
            stray += 1
    return stray


def command(index: Path, corpus: Path, workers: int, batch: int) -> list[str]:
    return [sys.executable, "-m", "archive", "--index", str(index), "ingest", "-q", "--workers", str(workers),
            "--batch-size", str(batch), str(corpus)]


def timed_run(cmd: list[str], env: dict) -> tuple[float, subprocess.CompletedProcess]:
    started = time.monotonic()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=3600)
    return time.monotonic() - started, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "kill_bench.json"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory(prefix="kill_bench_") as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        write_corpus(corpus, args.articles)
        clean_times = []
        for i in range(2):
            seconds, done = timed_run(command(work / f"clean{i}", corpus, args.workers, args.batch_size), env)
            if done.returncode != 0:
                sys.exit(f"clean run failed: {done.stderr.strip()[-500:]}")
            clean_times.append(seconds)
        clean = min(clean_times)  # the least disturbed of the two on a shared machine
        print(f"clean run: {clean:.1f} s for {args.articles} articles ({clean_times})", flush=True)
        trials = []
        for k in range(args.kills):
            index = work / f"ix{k}"
            cmd = command(index, corpus, args.workers, args.batch_size)
            delay = rng.uniform(0.2, clean)
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    start_new_session=True)
            time.sleep(delay)
            workers = children(proc.pid)
            finished_first = proc.poll() is not None
            if not finished_first:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            time.sleep(1.0)
            survivors = [w for w in workers if alive(w)]
            for w in survivors:  # clean up after counting them
                os.kill(w, signal.SIGKILL)
            after_kill = inspect(index)
            rerun, done = timed_run(cmd, env)
            after_rerun = inspect(index)
            trial = {
                "kill": k, "delay": round(delay, 2), "finished_before_kill": finished_first,
                "workers_seen": len(workers), "survivors": len(survivors),
                "after_kill": after_kill, "rerun_seconds": round(rerun, 2), "rerun_exit": done.returncode,
                "rerun_exact": after_rerun.get("articles") == args.articles and after_rerun.get("duplicates") == 0,
                "stray_files_after_rerun": stray_files(index),
            }
            trials.append(trial)
            print(f"kill {k + 1:2d} at {delay:5.1f}s: {after_kill['state']:>4} {after_kill['articles']:5d} articles "
                  f"{after_kill['duplicates']} dup, {len(survivors)}/{len(workers)} workers left, rerun "
                  f"{rerun:5.1f}s ({rerun / clean:.2f}x) exact={trial['rerun_exact']} "
                  f"stray={trial['stray_files_after_rerun']}", flush=True)
    ratios = [t["rerun_seconds"] / clean for t in trials]
    summary = {
        "kills": len(trials), "articles": args.articles, "workers": args.workers, "batch_size": args.batch_size,
        "clean_seconds": round(clean, 2),
        "killed_mid_ingest": sum(not t["finished_before_kill"] for t in trials),
        "killed_before_last_commit": sum(t["after_kill"]["articles"] < args.articles for t in trials),
        "unreadable_indexes": sum(t["after_kill"]["state"].startswith("unreadable") for t in trials),
        "no_index_yet": sum(t["after_kill"]["state"] == "none" for t in trials),
        "duplicates": sum(t["after_kill"]["duplicates"] for t in trials),
        "surviving_workers": sum(t["survivors"] for t in trials),
        "reruns_not_exact": sum(not t["rerun_exact"] or t["rerun_exit"] != 0 for t in trials),
        "rerun_ratio_median": round(statistics.median(ratios), 2) if ratios else None,
        "rerun_ratio_max": round(max(ratios), 2) if ratios else None,
        "reruns_over_1_5x": sum(r > 1.5 for r in ratios),
        "stray_files_after_rerun": sum(t["stray_files_after_rerun"] for t in trials),
    }
    print(json.dumps(summary, indent=2))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"summary": summary, "trials": trials}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
