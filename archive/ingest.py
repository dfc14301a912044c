"""Ingest: read → enrich → index, in batches, recording every input that fails without stopping the batch.

Records of `archive export` keep their entities (a restore does not recompute them; `archive reindex --enrich`
does). Reading and enrichment run in worker processes where `workers > 1`; one writer in this process adds the results
and commits every `batch_size` articles, so an interrupted ingest keeps every committed batch, and running it
again updates the same articles in place (ids are stable) and completes it.

The report counts the articles that were new and those that replaced a stored article of the same id (the engine
says how many at each commit), lists each input that failed once with its reason, and gives each warning a library
raised while reading a file (`warnings.warn` from trafilatura, feedparser, charset_normalizer, dateutil...) with
that file's name, once per file: warnings raised in worker processes travel back with their results.
"""
from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import warnings
import zlib
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Callable, Iterable, Iterator, Mapping, TypeVar

from .backends import Backend, open_backend
from .backends.base import Prepare, Prepared
from .enrich import enrich
from .model import Article
from .readers import Input, ReadError, iter_inputs, read_bytes, read_input
from .readers.limits import BLOCK, MAX_LINE_BYTES, LimitError, gunzip_file

log = logging.getLogger(__name__)
T = TypeVar("T")

STREAMED_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines", ".jsonl.gz", ".ndjson.gz")
CHUNK_BYTES = 1024 * 1024
PR_SET_PDEATHSIG = 1  # prctl option: the signal this process gets when its parent dies (linux/prctl.h)


@dataclass
class Failure:
    """An input that could not be read, and why."""

    name: str
    reason: str
    record: bool = False  # one record of the input, not the whole input


@dataclass
class IngestReport:
    """What an ingest did."""

    inputs: int = 0
    read: int = 0  # articles read and enriched
    articles: int = 0  # articles committed to the index
    updated: int = 0  # of those, how many replaced a stored article with the same id (updated in place)
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # library warnings, each naming its file, once per file
    seconds: float = 0.0

    @property
    def new(self) -> int:
        """The committed articles whose id the archive did not hold."""
        return self.articles - self.updated

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


Progress = Callable[[IngestReport, str], None]


@dataclass(frozen=True)
class Task:
    """A unit of work for a worker: a whole input, or a chunk of lines of a large JSON Lines input."""

    input: Input
    chunk: bytes | None = None
    last: bool = True  # the last task of its input
    field_map: tuple[tuple[str, str], ...] = ()  # JSON/CSV keys named by the user
    meta: str | None = None  # sidecar records joined to JSON/CSV records by id
    prepare: Prepare | None = None  # the engine's per-article work (text analysis), done in the worker
    first_line: int = 1  # the number of the chunk's first line in its input
    problems: tuple[str, ...] = ()  # lines skipped while cutting the input into chunks
    error: str | None = None  # why the input cannot be read at all (found while cutting it)


def process_input(
    inp: Input, field_map: Mapping[str, str] | None = None, meta: str | None = None,
    problems: list[str] | None = None,
) -> tuple[str, list[Article] | str]:
    """Read and enrich one input: its articles, or the reason it failed.

    Where `problems` is given, records that cannot be read or enriched are skipped and described there.
    """
    try:
        articles = read_input(inp, field_map, meta, problems)
    except ReadError as exc:
        return inp.name, str(exc)
    except Exception as exc:  # a reader fault on odd input costs this input only, never the batch
        log.debug("%s: reader fault", inp.name, exc_info=True)
        return inp.name, f"{inp.name}: could not be read ({type(exc).__name__}: {exc}): please report this input"
    return inp.name, _each(articles, lambda a: enrich(a, keep_entities=True), problems)


def _each(articles: Iterable[Article], step: Callable[[Article], T], problems: list[str] | None) -> list[T]:
    """Apply a per-article step; an article it fails on is skipped and described in `problems` (raised without)."""
    done: list[T] = []
    for article in articles:
        if problems is None:
            done.append(step(article))
            continue
        try:
            done.append(step(article))
        except Exception as exc:  # one bad record never costs the rest of its file
            log.debug("%s: failed", article.origin, exc_info=True)
            problems.append(f"{article.origin or article.id}: could not be processed "
                            f"({type(exc).__name__}: {exc}): record skipped")
    return done


# Warnings of these kinds speak to programmers about the code, not to users about their files: left unreported.
QUIET_WARNINGS = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)


def process_task(task: Task) -> tuple[str, Prepared | str, list[str], list[str]]:
    """Run one task (in a worker process where there are workers): read, enrich, analyse the text for the index.

    Return the input's name, its prepared articles (or why the input failed), the records that were skipped and
    the warnings libraries raised meanwhile ("name: message (Category)", each distinct one once).
    """
    with library_warnings(task.input.name) as warned:
        name, result, problems = _process_task(task)
    return name, result, problems, warned


@contextmanager
def library_warnings(name: str) -> Iterator[list[str]]:
    """Catch the warnings raised in the block (by a library reading the file `name`); when it ends, the list given
    holds each distinct one once, as "name: message (Category)". Deprecations and the like are left out."""
    found: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for category in QUIET_WARNINGS:
            warnings.simplefilter("ignore", category)
        yield found
    seen: dict[str, None] = {}
    for w in caught or []:
        message = " ".join(str(w.message).split())
        seen.setdefault(f"{name}: {message} ({w.category.__name__})", None)
    found.extend(seen)


def _process_task(task: Task) -> tuple[str, Prepared | str, list[str]]:
    field_map = dict(task.field_map) or None
    problems: list[str] = list(task.problems)
    result: list[Article] | str
    if task.error is not None:
        return task.input.name, task.error, problems
    if task.chunk is None:
        name, result = process_input(task.input, field_map, task.meta, problems)
    else:
        name = task.input.name
        try:
            plain = name[:-3] if name.lower().endswith(".gz") else name  # the chunk is expanded already
            read = list(read_bytes(plain, task.chunk, field_map, task.meta, problems, task.first_line))
            result = _each(read, lambda a: enrich(a, keep_entities=True), problems)
        except ReadError as exc:
            result = f"{name}: {exc}"
        except Exception as exc:
            log.debug("%s: reader fault", name, exc_info=True)
            result = f"{name}: could not be read ({type(exc).__name__}: {exc}): please report this input"
    if isinstance(result, str):
        return name, result, problems
    prepare = task.prepare
    return name, _each(result, lambda a: (a, prepare(a) if prepare else None), problems), problems


def plan(
    inputs: Iterable[Input], field_map: Mapping[str, str] | None = None, meta: str | None = None,
    prepare: Prepare | None = None,
) -> Iterator[Task]:
    """Cut large JSON Lines files into chunks of lines so that no worker holds a whole big file."""
    mapping = tuple(sorted((field_map or {}).items()))
    task = partial(Task, field_map=mapping, meta=meta, prepare=prepare)
    for inp in inputs:
        try:
            streamed = (inp.path is not None and inp.name.lower().endswith(STREAMED_SUFFIXES)
                        and inp.path.stat().st_size > CHUNK_BYTES)
        except OSError:
            streamed = False
        if not streamed:
            yield task(inp)
            continue
        previous: Task | None = None
        try:
            for first, chunk, skipped in _line_chunks(inp):
                if previous is not None:
                    yield previous
                previous = task(inp, chunk, last=False, first_line=first, problems=tuple(skipped))
            yield replace(previous, last=True) if previous else task(inp, b"", last=True)
        except LimitError as exc:
            if previous is not None:
                yield replace(previous, last=False)
            yield task(inp, error=f"{inp.name}: {exc}")
        except (OSError, EOFError, zlib.error) as exc:
            if previous is not None:
                yield replace(previous, last=False)
            yield task(inp, error=f"{inp.name}: broken or unreadable after line {previous.first_line if previous else 1}"
                                  f" ({exc}): the file is truncated or corrupt, fetch it again")


def _line_chunks(inp: Input) -> Iterator[tuple[int, bytes, list[str]]]:
    """Yield runs of whole lines of about CHUNK_BYTES from a (possibly gzipped) file, with the number of their
    first line and the lines skipped for being over MAX_LINE_BYTES; raise LimitError for a gzip bomb."""
    assert inp.path is not None
    with open(inp.path, "rb") as raw:
        if inp.name.lower().endswith(".gz"):
            blocks: Iterator[bytes] = gunzip_file(raw, os.fstat(raw.fileno()).st_size)
        else:
            blocks = iter(partial(raw.read, BLOCK), b"")
        buf = bytearray()
        line = 1  # the number of buf's first line
        skipped: list[str] = []
        skipping = False  # inside a line that is too long, until its end
        last_end = -1  # where buf's last complete line ends
        for block in blocks:
            if skipping:
                end = block.find(b"\n")
                if end < 0:
                    continue
                block, skipping, line = block[end + 1:], False, line + 1
            end = block.rfind(b"\n")
            if end >= 0:
                last_end = len(buf) + end + 1
            buf += block
            if len(buf) >= CHUNK_BYTES and last_end > 0:
                chunk = bytes(buf[:last_end])
                del buf[:last_end]
                last_end = -1
                yield line, chunk, skipped
                line += chunk.count(b"\n")
                skipped = []
            elif len(buf) > MAX_LINE_BYTES:  # one line, still unfinished
                skipped.append(f"{inp.name}:{line}: a line over {MAX_LINE_BYTES // 2**20} MB, not an article "
                               "record: skipped")
                buf.clear()
                skipping = True
        if buf.strip() or skipped:
            yield line, bytes(buf), skipped


def _start_worker(parent: int) -> None:
    """Set up a worker process: it dies with the ingest that started it, and yields the CPU to the writer."""
    _die_with_parent(parent)
    try:
        os.nice(10)  # the single writer must never wait for the workers that feed it
    except (AttributeError, OSError):  # not on this platform, or not allowed
        pass


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux), else watch the parent from a thread.

    Whatever kills an ingest (kill -9 included), its workers must not live on holding memory and CPU.
    """
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    if not armed:
        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1.0)
            os._exit(1)

        threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _processed(tasks: Iterable[Task], workers: int
               ) -> Iterator[tuple[Task, tuple[Prepared | str, list[str], list[str]]]]:
    """Yield each task's result (with the records it skipped and the warnings raised) in order, in worker
    processes when `workers > 1`, a bounded number in flight."""
    if workers <= 1:
        for task in tasks:
            yield task, process_task(task)[1:]
        return
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                             initargs=(os.getpid(),)) as pool:
        pending: deque[tuple[Task, Future]] = deque()
        for task in tasks:
            if task.input.path is None:  # stdin is read here, not in a worker
                while pending:
                    done, fut = pending.popleft()
                    yield done, fut.result()[1:]
                yield task, process_task(task)[1:]
                continue
            pending.append((task, pool.submit(process_task, task)))
            while len(pending) >= workers * 3:
                done, fut = pending.popleft()
                yield done, fut.result()[1:]
        while pending:
            done, fut = pending.popleft()
            yield done, fut.result()[1:]


def ingest(
    paths: list[str],
    index_path: str,
    workers: int = 1,
    batch_size: int = 2000,
    progress: Progress | None = None,
    wait_seconds: float = 0.0,
    field_map: Mapping[str, str] | None = None,
    meta: str | None = None,
) -> IngestReport:
    """Ingest files, folders, globs or `-` into the archive at `index_path` (a folder or a URL).

    Raise IndexBusy if another writer holds a Whoosh index's lock.
    """
    report = IngestReport()
    started = time.monotonic()
    backend = open_backend(index_path, create=True)
    try:
        _ingest(backend, paths, report, started, workers, batch_size, progress, wait_seconds, field_map, meta)
    finally:
        backend.close()
    report.seconds = time.monotonic() - started
    return report


def _ingest(backend: Backend, paths: list[str], report: IngestReport, started: float, workers: int,
            batch_size: int, progress: Progress | None, wait_seconds: float,
            field_map: Mapping[str, str] | None, meta: str | None) -> None:
    begin = getattr(backend, "begin", None)  # an engine that locks the archive for a whole ingest does it first
    if begin is not None:
        begin(wait_seconds)
    inputs: list[Input] = []
    for item in iter_inputs(paths):
        if isinstance(item, ReadError):
            report.failures.append(Failure(str(item).split(":", 1)[0], str(item)))
        else:
            inputs.append(item)
    batch: Prepared = []
    warned: set[str] = set()  # a file read in chunks warns once, not once a chunk
    for task, (result, problems, raised) in _processed(plan(inputs, field_map, meta, backend.prepare), workers):
        name = task.input.name
        report.inputs += task.last
        for problem in problems:
            report.failures.append(Failure(name, problem, record=True))
            log.info("%s", problem)
        for message in raised:
            if message not in warned:
                warned.add(message)
                report.warnings.append(message)
                log.info("warning: %s", message)
        if isinstance(result, str):
            report.failures.append(Failure(name, result))
            log.info("%s", result)  # reported once, by whoever reads the report (the CLI prints it)
        else:
            batch.extend(result)
            report.read += len(result)
        if len(batch) >= batch_size:
            _write(backend, batch, wait_seconds, report)
            batch = []
        report.seconds = time.monotonic() - started
        if progress:
            progress(report, name)
    if batch:
        _write(backend, batch, wait_seconds, report)
    backend.finish()


def _write(backend: Backend, batch: Prepared, wait_seconds: float, report: IngestReport) -> None:
    """Commit one batch and count its articles, and those that replaced a stored one."""
    replaced = backend.write(batch, wait_seconds)
    report.articles += len(batch)
    report.updated += replaced or 0  # an engine that cannot tell (None) counts every article as new
