"""Ingest: read → enrich → index, in batches, recording every input that fails without stopping the batch.

Reading and enrichment run in worker processes where `workers > 1`; one writer in this process adds the results
and commits every `batch_size` articles, so an interrupted ingest keeps every committed batch, and running it
again updates the same articles in place (ids are stable) and completes it.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from .cluster import assign_clusters
from .enrich import enrich
from .index import ArchiveIndex, create_or_open, write_articles, writer
from .model import Article
from .readers import Input, ReadError, iter_inputs, read_input

log = logging.getLogger(__name__)


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


def process_input(inp: Input) -> tuple[str, list[Article] | str]:
    """Read and enrich one input (runs in a worker): its articles, or the reason it failed."""
    try:
        return inp.name, [enrich(a) for a in read_input(inp)]
    except ReadError as exc:
        return inp.name, str(exc)


def _processed(inputs: Iterable[Input], workers: int) -> Iterator[tuple[str, list[Article] | str]]:
    """Yield processed inputs, in worker processes when `workers > 1`, with a bounded number in flight."""
    if workers <= 1:
        for inp in inputs:
            yield process_input(inp)
        return
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: set[Future] = set()
        for inp in inputs:
            if inp.path is None:  # stdin is read here, not in a worker
                yield process_input(inp)
                continue
            pending.add(pool.submit(process_input, inp))
            if len(pending) >= workers * 4:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    yield fut.result()
        for fut in pending:
            yield fut.result()


def ingest(
    paths: list[str],
    index_path: str,
    workers: int = 1,
    batch_size: int = 500,
    progress: Progress | None = None,
    wait_seconds: float = 0.0,
) -> IngestReport:
    """Ingest files, folders, globs or `-` into the index at `index_path`; raise IndexBusy if it is locked."""
    report = IngestReport()
    started = time.monotonic()
    archive = create_or_open(index_path)
    inputs: list[Input] = []
    for item in iter_inputs(paths):
        if isinstance(item, ReadError):
            report.failures.append(Failure(str(item).split(":", 1)[0], str(item)))
        else:
            inputs.append(item)
    batch: list[Article] = []
    for name, result in _processed(inputs, workers):
        report.inputs += 1
        if isinstance(result, str):
            report.failures.append(Failure(name, result))
            log.warning("%s", result)
        else:
            batch.extend(result)
            report.read += len(result)
        if len(batch) >= batch_size:
            _commit(archive, batch, wait_seconds)
            report.articles += len(batch)
            batch = []
        report.seconds = time.monotonic() - started
        if progress:
            progress(report, name)
    if batch:
        _commit(archive, batch, wait_seconds)
        report.articles += len(batch)
    report.seconds = time.monotonic() - started
    return report


def _commit(archive: ArchiveIndex, batch: list[Article], wait_seconds: float) -> None:
    """Write one batch in one commit: all of it lands, or none of it."""
    with writer(archive, timeout=wait_seconds) as w:
        articles = _dedupe(batch)
        with archive.searcher() as searcher:
            assign_clusters(searcher, articles)
        write_articles(w, articles)


def _dedupe(batch: list[Article]) -> list[Article]:
    """Keep the last article of each id within one batch (update_document only sees committed documents)."""
    last = {a.id: a for a in batch}
    return list(last.values())
