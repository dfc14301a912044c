"""End-to-end ingest of the real corpus (and of an N-times replica), beside a plain-Whoosh yardstick.

    python bench/ingest_bench.py [--data ../shared/data] [--replicas 1] [--workers 2]

For the corpus built by `bench/corpus.py` (Reuters-21578 converted, BBC, DpgMedia2019, BASIL: about 25k articles
per replica) it runs `archive ingest` in a child process (read, detect language, entities, clusters, index) and
prints articles/s, the peak memory of the largest process, and the index size. In the same run it indexes the
same articles with plain single-process Whoosh (one stemmed text field, no enrichment): the yardstick. Compare
the ratio, not the absolute numbers: this machine is shared and noisy.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus import build  # noqa: E402
from search_bench import yardstick  # noqa: E402


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-yardstick", action="store_true")
    args = parser.parse_args()
    inputs = build(Path(args.data), ROOT / "bench" / "out", args.replicas)
    tmp = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    try:
        index = tmp / "archive"
        cmd = [sys.executable, "-m", "archive", "--index", str(index), "ingest", "-q", "--workers",
               str(args.workers), *inputs]
        started = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        summary = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "(no summary)"
        count = int(summary.split()[0]) if summary[:1].isdigit() else 0
        rate = count / seconds
        print(f"corpus: {args.replicas} replica(s), {len(inputs)} inputs")
        print(f"archive ingest ({args.workers} workers, enrichment, clusters): {count} articles in {seconds:.1f}s = "
              f"{rate:.0f} articles/s; peak memory {peak_mb:.0f} MB (largest process); index "
              f"{folder_size(index) / 2**20:.0f} MB; exit {done.returncode}")
        if not args.skip_yardstick:
            n, s = yardstick(inputs, tmp / "plain")
            print(f"yardstick, plain Whoosh in 1 process, no enrichment: {n} articles in {s:.1f}s = {n / s:.0f} "
                  f"articles/s; index {folder_size(tmp / 'plain') / 2**20:.0f} MB")
            print(f"ratio archive/yardstick: {rate / (n / s):.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
