"""Disk full, a read-only index folder, permission denied: one clear line naming the folder and what to do, exit 1,
no traceback, and nothing half-written left behind to keep the disk full."""
import errno
import json
import os
import re
import shutil
import subprocess

import pytest
from whoosh.filedb import structfile
from whoosh.filedb.filestore import FileStorage

from archive.cli import cli
from archive.ingest import ingest

from .conftest import SAMPLE, run


def write_corpus(path, n, words=60):
    with open(path, "w", encoding="utf-8") as fh:
        for k in range(n):
            fh.write(json.dumps({"id": f"a{k}", "source": "Testbureau", "date": "2020-01-02", "language": "nl",
                                 "title": f"Bericht {k}",
                                 "text": " ".join(f"woord{k}x{i}" for i in range(words))}) + "\n")
    return path


def no_traceback(result):
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def committed_files(index):
    """The files the index's table of contents names (with their checksums), its TOC and its lock files."""
    storage = FileStorage(str(index))
    from whoosh.index import TOC

    toc = TOC.read(storage, "MAIN", TOC._latest_generation(storage, "MAIN"))
    ids = {s.segment_id() for s in toc.segments}
    extra = set()
    for name in os.listdir(index):
        m = re.match(r"^(MAIN_[0-9a-z]+)\.", name)
        if name.startswith("_MAIN_") and name.endswith(".toc") and name == f"_MAIN_{toc.generation}.toc":
            continue
        if name in ("MAIN_WRITELOCK", "MAIN_INGESTLOCK") or (m and m.group(1) in ids):
            continue
        extra.add(name)
    return extra


def test_disk_full_during_a_commit_leaves_no_half_written_files(runner, tmp_path, monkeypatch):
    index = tmp_path / "index"
    run(runner, index, "ingest", "-q", "--workers", "1", str(SAMPLE))
    corpus = write_corpus(tmp_path / "more.jsonl", 100)
    written = [0]
    real_write = structfile.StructFile.write

    def filling_write(self, *args, **kwargs):
        written[0] += 1
        if written[0] > 200:  # the disk fills part way through writing the new segment
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(structfile.StructFile, "write", filling_write)
    result = runner.invoke(cli, ["--index", str(index), "ingest", "-q", "--workers", "1", str(corpus)])
    monkeypatch.undo()
    assert written[0] > 200, "the fault was never met"
    assert result.exit_code == 1
    no_traceback(result)
    assert result.output.strip().splitlines() == [
        f"Error: the disk holding the index folder {index} is full: free some space (or use --index on another "
        "disk) and run this again; the files of the unfinished commit were removed"]
    assert committed_files(index) == set()  # nothing of the failed commit is left
    assert run(runner, index, "check").output.strip() == "ok: 13 articles in 1 segment"
    run(runner, index, "ingest", "-q", "--workers", "1", str(corpus))  # space again: the same command completes
    assert "articles: 113" in run(runner, index, "stats").output


def _root_mount(*args):
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount here: {done.stderr.strip()}")


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB file system of its own (root only)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    _root_mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder))
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_really_full_disk(runner, tmp_path, small_disk):
    index = small_disk / "index"
    corpus = write_corpus(tmp_path / "big.jsonl", 400, words=300)  # some 2 MB of index for a 1 MB disk
    result = runner.invoke(cli, ["--index", str(index), "ingest", "-q", "--workers", "1", "--batch-size", "100",
                                 str(corpus)])
    assert result.exit_code == 1
    no_traceback(result)
    assert result.output.startswith(f"Error: the disk holding the index folder {index} is full")
    assert len(result.output.strip().splitlines()) == 1
    assert committed_files(index) == set()
    used = sum(f.stat().st_size for f in small_disk.rglob("*") if f.is_file())
    assert used < 64 * 1024, used  # the half-written segment is gone: the disk is not kept full
    run(runner, index, "search", "woord1x1")  # what was committed (nothing, or whole batches) still searches
    assert run(runner, index, "check").output.startswith("ok: ")


def test_a_read_only_file_system(runner, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    _root_mount("-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder))
    try:
        index = folder / "index"
        assert not ingest([str(SAMPLE)], str(index), workers=1).failures
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        result = runner.invoke(cli, ["--index", str(index), "ingest", "-q", "--workers", "1", str(SAMPLE)])
        assert result.exit_code == 1
        no_traceback(result)
        assert result.output.startswith(f"Error: the index folder {index} is on a read-only file system")
        assert "remount it read-write or give --index a writable folder" in result.output
        assert "articles: 13" in run(runner, index, "stats").output  # reading still works
        run(runner, index, "search", "haven")
        assert run(runner, index, "check").output.strip() == "ok: 13 articles in 1 segment"
        result = runner.invoke(cli, ["--index", str(folder / "new"), "ingest", "-q", "--workers", "1",
                                     str(SAMPLE)])
        assert result.exit_code == 1
        no_traceback(result)
        assert result.output.startswith(f"Error: the index folder {folder / 'new'} is on a read-only file system")
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.mark.parametrize("code,start", [(errno.EROFS, "Error: the index folder {} is on a read-only file system"),
                                        (errno.EACCES, "Error: permission denied on the index folder {}")])
def test_an_unwritable_index_folder(runner, sample_index, monkeypatch, code, start):
    """Root passes permission checks, so the refusals are simulated where files are created."""
    def refuse(self, name, *args, **kwargs):
        raise OSError(code, os.strerror(code), os.path.join(self.folder, name))

    def refuse_lock(self, blocking=False):
        raise OSError(code, os.strerror(code), self.filename)

    monkeypatch.setattr(FileStorage, "create_file", refuse)
    monkeypatch.setattr("whoosh.util.filelock.FcntlLock.acquire", refuse_lock)
    result = runner.invoke(cli, ["--index", str(sample_index), "ingest", "-q", "--workers", "1", str(SAMPLE)])
    assert result.exit_code == 1
    no_traceback(result)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(start.format(sample_index)), lines
    assert "(or use --index" in lines[0] or "give --index a writable folder" in lines[0]
    monkeypatch.undo()
    assert run(runner, sample_index, "check").output.strip() == "ok: 13 articles in 1 segment"


def test_an_unreadable_index_folder(runner, sample_index, monkeypatch):
    def refuse(self, name, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", os.path.join(self.folder, name))

    monkeypatch.setattr(FileStorage, "open_file", refuse)
    for args in (["search", "haven"], ["stats"], ["export"]):
        result = runner.invoke(cli, ["--index", str(sample_index), *args])
        assert result.exit_code == 1, result.output
        no_traceback(result)
        assert result.output.strip().splitlines() == [
            f"Error: permission denied on the index folder {sample_index} ({sample_index}/_MAIN_1.toc): give this "
            "user read and write access to the folder and its files (or use --index with another folder)"], args
