"""Ingest processes: workers die with the ingest, a killed ingest's leftovers go, a second ingest is refused first."""
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from archive.backends.base import IndexBusy
from archive.backends.whoosh.index import INGEST_LOCK, clean_leftovers, create_or_open, open_index
from archive.ingest import _die_with_parent, ingest

from .conftest import ROOT, SAMPLE, run
from .test_ingest_safety import write_corpus

N = 1200


def children(pid: int) -> list[int]:
    """Return the pids of the live processes whose parent is `pid` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for(predicate, seconds: float = 60.0) -> bool:
    """Poll until `predicate()` holds or `seconds` pass (a generous bound, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def committed(index: Path) -> int:
    return int(whoosh_index.open_dir(str(index)).latest_generation()) if whoosh_index.exists_in(str(index)) else -1


def stored_ids(index: Path) -> list[str]:
    with open_index(index).searcher() as s:
        return [f["id"] for f in s.all_stored_fields()]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_of_an_ingest_takes_its_workers_and_the_rerun_is_exact(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, N)
    index = tmp_path / "ix"
    cmd = [sys.executable, "-m", "archive", "--index", str(index), "ingest", "-q", "--workers", "2",
           "--batch-size", "50", str(corpus)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    workers: list[int] = []
    try:
        assert wait_for(lambda: committed(index) >= 2 and len(children(proc.pid)) >= 2), "no commit seen"
        workers = children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)  # the ingest only: its workers are not signalled
        proc.wait()
        assert wait_for(lambda: not any(alive(w) for w in workers), 10), [w for w in workers if alive(w)]
    finally:
        for pid in [proc.pid, *workers]:  # leave nothing running should the test fail
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        proc.wait()
    ids = stored_ids(index)
    assert 0 < len(ids) < N and len(ids) == len(set(ids))
    finished = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr
    ids = stored_ids(index)
    assert len(ids) == len(set(ids)) == N


def test_a_worker_whose_parent_is_gone_exits_at_once():
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        _die_with_parent(os.getppid() + 1_000_000)  # not its parent: as if the parent died before the call
        os._exit(0)
    _, status = os.waitpid(child, 0)
    assert os.WEXITSTATUS(status) == 1


def test_leftovers_of_a_killed_writer_are_removed_at_the_next_open(tmp_path):
    index = tmp_path / "ix"
    ingest([str(SAMPLE)], str(index), workers=1)
    before = sorted(os.listdir(index))
    count = len(stored_ids(index))
    # What a writer killed mid-flush leaves: an unnamed segment, posting-pool runs, a half-written TOC.
    for name in ("MAIN_deadbeef00000000.pst", "MAIN_deadbeef00000000.trm", "MAIN_deadbeef00000000.id.col",
                 "_MAIN_99.toc.1701370000.25"):
        (index / name).write_bytes(b"x" * 100)
    (index / "MAIN.tmp").mkdir(exist_ok=True)
    (index / "MAIN.tmp" / "abc.ctmp").write_bytes(b"x" * 100)
    removed = clean_leftovers(create_or_open(index))
    assert "MAIN_deadbeef00000000.pst" in removed and "_MAIN_99.toc.1701370000.25" in removed
    assert sorted(p for p in os.listdir(index) if p != "MAIN.tmp") == [p for p in before if p != "MAIN.tmp"]
    assert not any((index / "MAIN.tmp").glob("*"))
    assert len(stored_ids(index)) == count
    report = ingest([str(SAMPLE)], str(index), workers=1)  # the ingest cleans up too, and works
    assert not report.failures and len(stored_ids(index)) == count


def test_a_second_ingest_is_refused_before_any_work(runner, tmp_path):
    index = tmp_path / "ix"
    run(runner, index, "ingest", "-q", str(SAMPLE))
    generation = committed(index)
    lock = create_or_open(index).ix.lock(INGEST_LOCK)  # as a running ingest holds it
    assert lock.acquire(blocking=False)
    seen = []
    try:
        with pytest.raises(IndexBusy, match="another ingest is writing"):
            ingest([str(SAMPLE)], str(index), workers=1, progress=lambda report, name: seen.append(name))
        assert seen == []  # not one input read
        result = run(runner, index, "ingest", "-q", str(SAMPLE), code=1)
        assert "another ingest is writing" in result.output and "--wait" in result.output
        assert "Traceback" not in result.output
        result = run(runner, index, "reindex", code=1)
        assert "another ingest is writing" in result.output
    finally:
        lock.release()
    assert committed(index) == generation


def test_a_second_ingest_with_wait_runs_once_the_first_is_done(tmp_path):
    index = tmp_path / "ix"
    ingest([str(SAMPLE)], str(index), workers=1)
    count = len(stored_ids(index))
    lock = create_or_open(index).ix.lock(INGEST_LOCK)
    assert lock.acquire(blocking=False)
    releaser = threading.Timer(0.5, lock.release)
    releaser.start()
    try:
        report = ingest([str(SAMPLE)], str(index), workers=1, wait_seconds=60)
    finally:
        releaser.join()
    assert not report.failures and len(stored_ids(index)) == count
