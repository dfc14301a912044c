"""Ingest: read → enrich → index, in batches, recording every input that fails without stopping the batch.

Records of `archive export` keep their entities (a restore does not recompute them; `archive reindex --enrich`
does). Reading and enrichment run in worker processes where `workers > 1`; one writer in this process adds the results
and commits every `batch_size` articles, so an interrupted ingest keeps every committed batch, and running it
again updates the same articles in place (ids are stable) and completes it.
"""
from __future__ import annotations

import gzip
import logging
import multiprocessing
import os
import time
import zlib
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Iterable, Iterator, Mapping

from .backends import Backend, open_backend
from .backends.base import Prepare, Prepared
from .enrich import enrich
from .model import Article
from .readers import Input, ReadError, iter_inputs, read_bytes, read_input

log = logging.getLogger(__name__)

STREAMED_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines", ".jsonl.gz", ".ndjson.gz")
CHUNK_BYTES = 1024 * 1024


@dataclass
class Failure:
    """An input that could not be read, and why."""

    name: str
    reason: str


@dataclass
class IngestReport:
    """What an ingest did."""

    inputs: int = 0
    read: int = 0  # articles read and enriched
    articles: int = 0  # articles committed to the index
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

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


def process_input(
    inp: Input, field_map: Mapping[str, str] | None = None, meta: str | None = None
) -> tuple[str, list[Article] | str]:
    """Read and enrich one input: its articles, or the reason it failed."""
    try:
        return inp.name, [enrich(a, keep_entities=True) for a in read_input(inp, field_map, meta)]
    except ReadError as exc:
        return inp.name, str(exc)


def process_task(task: Task) -> tuple[str, Prepared | str]:
    """Run one task (in a worker process where there are workers): read, enrich, analyse the text for the index."""
    field_map = dict(task.field_map) or None
    if task.chunk is None:
        name, result = process_input(task.input, field_map, task.meta)
    else:
        name = task.input.name
        try:
            result = [enrich(a, keep_entities=True) for a in read_bytes(name, task.chunk, field_map, task.meta)]
        except ReadError as exc:
            result = f"{name}: {exc}"
    if isinstance(result, str):
        return name, result
    prepare = task.prepare
    return name, [(a, prepare(a) if prepare else None) for a in result]


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
        try:
            previous = None
            for chunk in _line_chunks(inp):
                if previous is not None:
                    yield task(inp, previous, last=False)
                previous = chunk
            yield task(inp, previous or b"", last=True)
        except (OSError, EOFError, zlib.error) as exc:
            yield task(inp)  # the reader then reports what is wrong with the file
            log.debug("%s: not streamed (%s)", inp.name, exc)


def _line_chunks(inp: Input) -> Iterator[bytes]:
    """Yield runs of whole lines of about CHUNK_BYTES from a (possibly gzipped) file."""
    assert inp.path is not None
    opener = gzip.open if inp.name.lower().endswith(".gz") else open
    with opener(inp.path, "rb") as fh:
        lines: list[bytes] = []
        size = 0
        for line in fh:
            lines.append(line)
            size += len(line)
            if size >= CHUNK_BYTES:
                yield b"".join(lines)
                lines, size = [], 0
        if lines:
            yield b"".join(lines)


def _lower_priority() -> None:
    """Let the single writer win the CPU over the workers that feed it: it is the one that must never wait."""
    try:
        os.nice(10)
    except (AttributeError, OSError):  # not on this platform, or not allowed
        pass


def _processed(tasks: Iterable[Task], workers: int) -> Iterator[tuple[Task, Prepared | str]]:
    """Yield each task's result in order, in worker processes when `workers > 1`, a bounded number in flight."""
    if workers <= 1:
        for task in tasks:
            yield task, process_task(task)[1]
        return
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_lower_priority) as pool:
        pending: deque[tuple[Task, Future]] = deque()
        for task in tasks:
            if task.input.path is None:  # stdin is read here, not in a worker
                while pending:
                    done, fut = pending.popleft()
                    yield done, fut.result()[1]
                yield task, process_task(task)[1]
                continue
            pending.append((task, pool.submit(process_task, task)))
            while len(pending) >= workers * 3:
                done, fut = pending.popleft()
                yield done, fut.result()[1]
        while pending:
            done, fut = pending.popleft()
            yield done, fut.result()[1]


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
    inputs: list[Input] = []
    for item in iter_inputs(paths):
        if isinstance(item, ReadError):
            report.failures.append(Failure(str(item).split(":", 1)[0], str(item)))
        else:
            inputs.append(item)
    batch: Prepared = []
    for task, result in _processed(plan(inputs, field_map, meta, backend.prepare), workers):
        name = task.input.name
        report.inputs += task.last
        if isinstance(result, str):
            report.failures.append(Failure(name, result))
            log.warning("%s", result)
        else:
            batch.extend(result)
            report.read += len(result)
        if len(batch) >= batch_size:
            backend.write(batch, wait_seconds)
            report.articles += len(batch)
            batch = []
        report.seconds = time.monotonic() - started
        if progress:
            progress(report, name)
    if batch:
        backend.write(batch, wait_seconds)
        report.articles += len(batch)
    backend.finish()
