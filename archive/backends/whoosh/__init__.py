"""The embedded engine: one Whoosh folder on disk, nothing to install (the default).

`WhooshBackend` answers the backend protocol from an index folder: searchers come from a small pool (opening one
reads every segment), matches are evaluated with numpy over cached postings and columns (`engine.py`), and one
writer at a time commits batches under Whoosh's write lock. Every search has a time budget and a bound on what
its wildcards expand to, and only a few expensive ones run at once (`guard.py`).
"""
from __future__ import annotations

import weakref
from functools import wraps
from pathlib import Path
from typing import Callable, Iterator, TypeVar

import numpy as np
from whoosh.reading import TermNotFound

from ...cluster import ReprintTable, assign_clusters
from ...model import UNDATED_OLD, Article
from ...request import SearchRequest
from ...search import FACET_LIMIT, Facets, SearchPage
from ...timeline import build_timeline
from ..base import BackendError, Checked, Prepare, Prepared, Stats
from .columns import columns
from ...query import QueryError, build_query
from ...request import RequestError
from .engine import count_facets, iter_matches, run_search, versions
from .guard import Admission, Budget, is_expensive
from .integrity import CHECK, IndexDamaged, check_index, fault, locate_damage
from .index import (ArchiveIndex, acquire_ingest_lock, analyse, clean_leftovers, create_or_open, iter_articles,
                    stored_article, write_articles)
from .index import writer as index_writer
from .pool import SearcherPool
from .similar import more_like

T = TypeVar("T")


def guarded(method: Callable) -> Callable:
    """Turn a disk fault (full, read-only, permission denied) or a damaged file met by a backend call into one
    clear `BackendError` naming the folder or file and what to do, instead of a traceback."""

    @wraps(method)
    def wrapper(self: "WhooshBackend", *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return method(self, *args, **kwargs)
        except (BackendError, QueryError, RequestError):
            raise
        except Exception as exc:
            self._raise_fault(exc)
            raise

    return wrapper


def _holds(reader, article_id: str) -> bool:  # type: ignore[no-untyped-def]
    """Say whether the index holds a (not deleted) document with this id: one term lookup."""
    try:
        return reader.postings("id", article_id).is_active()
    except TermNotFound:
        return False


class WhooshBackend:
    """An archive in one Whoosh index folder."""

    engine = "whoosh"

    def __init__(self, location: str, create: bool = False, searchers: int = 8, query_seconds: float | None = None,
                 query_terms: int | None = None, expensive_queries: int | None = None):
        """`query_seconds`, `query_terms` and `expensive_queries` bound each search (defaults: the environment's
        ARCHIVE_QUERY_SECONDS, ARCHIVE_QUERY_TERMS, ARCHIVE_EXPENSIVE_QUERIES, else 5 s, 2,000 words, 2; 0: none)."""
        self.location = location
        self.query_seconds = query_seconds
        self.query_terms = query_terms
        self.admission = Admission(expensive_queries)
        Budget(query_seconds, query_terms)  # a bad setting is reported when the archive is opened
        self.path = Path(location)
        if create:
            try:
                create_or_open(self.path)
            except (BackendError, QueryError, RequestError):
                raise
            except Exception as exc:
                self._raise_fault(exc)
                raise
        self.pool = SearcherPool(location, searchers)
        weakref.finalize(self, self.pool.close)  # kept searchers' files close with the backend
        self._reprints: ReprintTable | None = None
        self._ingest_lock = None  # held from `begin` to `close` by an ingest

    def _raise_fault(self, exc: Exception) -> None:
        """Raise the clear error for a fault met on this index, where there is one (else return)."""
        converted = fault(exc, self.path)
        if converted is not None:
            raise converted from None

    def _guarded_iter(self, items: Iterator[T]) -> Iterator[T]:
        try:
            yield from items
        except (BackendError, QueryError, RequestError):
            raise
        except Exception as exc:
            self._raise_fault(exc)
            raise

    @guarded
    def index(self) -> ArchiveIndex:
        """Return the opened index (IndexMissing where there is none)."""
        return self.pool.archive()

    # writing

    @property
    def prepare(self) -> Prepare:
        return analyse

    @guarded
    def write(self, batch: Prepared, wait_seconds: float = 0.0) -> int:
        """Cluster and write one batch in one commit: all of it lands, or none of it. Return how many of its
        articles replaced one with the same id (stored, or earlier in the batch)."""
        archive = self.index()
        if self._reprints is None:
            with self.pool.searcher() as searcher:
                self._reprints = ReprintTable.from_index(searcher)
        with index_writer(archive, timeout=wait_seconds) as w:
            last = {a.id: (a, analysed) for a, analysed in batch}  # update_document only sees committed documents
            with w.reader() as reader:  # the committed documents, under the write lock
                stored = sum(_holds(reader, id_) for id_ in last)
            articles = [a for a, _ in last.values()]
            assign_clusters(self._reprints, articles)
            write_articles(w, articles, {id_: analysed for id_, (_, analysed) in last.items()})
        return len(batch) - len(last) + stored

    @guarded
    def begin(self, wait_seconds: float = 0.0) -> None:
        """Take the index for one ingest before any work (IndexBusy where another ingest has it, after waiting up
        to `wait_seconds`), clear what an interrupted ingest left behind, and refuse an index with a damaged file
        (one read that differs from its recorded checksum: ingest never builds on a damaged segment)."""
        if self._ingest_lock is None:
            archive = self.index()
            self._ingest_lock = acquire_ingest_lock(archive, wait_seconds)
            clean_leftovers(archive)
            damaged = locate_damage(self.path)
            if damaged:
                self.close()
                raise IndexDamaged(f"cannot add to the index at {self.path}: {damaged[0].split(': ', 1)[0]} is "
                                   f"damaged: {CHECK} for what to do")

    def finish(self) -> None:
        """Nothing to do: every batch was committed."""

    def reindex(self, enrich: bool = False) -> int:
        from .reindex import reindex

        self.pool.close()
        return reindex(self.location, enrich=enrich)

    # reading

    @guarded
    def version(self) -> int:
        return self.index().version

    @guarded
    def count(self) -> int:
        return self.index().doc_count()

    @guarded
    def get(self, article_id: str) -> Article | None:
        with self.pool.searcher() as searcher:
            fields_ = searcher.document(id=article_id)
        return stored_article(fields_) if fields_ is not None else None

    @guarded
    def versions(self, article: Article) -> list[Article]:
        with self.pool.searcher() as searcher:
            return versions(searcher, article)

    @guarded
    def search(self, req: SearchRequest, facet_limit: int = FACET_LIMIT) -> SearchPage:
        budget = Budget(self.query_seconds, self.query_terms)
        version = self.version()
        with self.pool.searcher() as searcher:
            parsed = build_query(req, searcher.schema)
            budget.expand_all(parsed.text, searcher.reader(), any_value=False)  # refused before waiting its turn
            with self.admission.admit(is_expensive(parsed.text, searcher.reader()), budget):
                return run_search(searcher, req, version, facet_limit, parsed, budget)

    @guarded
    def matches(self, req: SearchRequest) -> tuple[int, Iterator[Article]]:
        budget = Budget(self.query_seconds, self.query_terms)
        searcher = self.pool.borrow()
        try:
            parsed = build_query(req, searcher.schema)
            budget.expand_all(parsed.text, searcher.reader(), any_value=False)
            with self.admission.admit(is_expensive(parsed.text, searcher.reader()), budget):
                total, docnums = iter_matches(searcher, req, parsed, budget)
        except BaseException:
            self.pool.give_back(searcher)
            raise

        def articles() -> Iterator[Article]:
            try:
                for docnum in docnums:
                    yield stored_article(searcher.stored_fields(docnum))
            finally:
                self.pool.give_back(searcher)

        return total, self._guarded_iter(articles())

    def articles(self) -> Iterator[Article]:
        return self._guarded_iter(iter_articles(self.index()))

    @guarded
    def facet_counts(self, limit: int | None) -> Facets:
        with self.pool.searcher() as searcher:
            if searcher.doc_count_all() == 0:
                return Facets(values={k: [] for k in ("source", "language", "PER", "ORG", "LOC", "MISC")},
                              timeline=build_timeline(np.empty(0, dtype=np.int64)))
            return count_facets(searcher, list(searcher.reader().all_doc_ids()), limit=limit)

    @guarded
    def stats(self) -> Stats:
        facets = self.facet_counts(None)
        with self.pool.searcher() as searcher:
            if searcher.doc_count_all():
                cols = columns(searcher.reader())
                live = np.fromiter(searcher.reader().all_doc_ids(), dtype=np.int64)
                stamps = cols.sort_old[live]
                dated = stamps[stamps != UNDATED_OLD]
            else:
                dated = np.empty(0, dtype=np.int64)
        first, last = (_day(int(dated.min())), _day(int(dated.max()))) if len(dated) else (None, None)
        return Stats(self.location, self.version(), self.count(), first, last, facets.undated,
                     len(facets.values["source"]), facets.values["language"], self.engine)

    @guarded
    def more_like(self, article: Article, limit: int = 5) -> tuple[list[str], list[Article]]:
        with self.pool.searcher() as searcher:
            return more_like(searcher, article, limit)

    @guarded
    def check(self) -> Checked:
        """Verify the index folder as Lucene's CheckIndex would (`integrity.py`)."""
        self.pool.close()
        problems, articles, segments = check_index(self.path)
        summary = f"{articles:,} articles in {segments} segment{'s' if segments != 1 else ''}"
        if not problems:
            unsummed = sum(not (self.path / f"{s.segment_id()}.sums").exists() for s in self.index().ix._segments())
            if unsummed:
                summary += (f" ({unsummed} written before checksums were recorded: decoded but not compared; "
                            "`archive reindex` records them)")
        return Checked(problems, summary)

    def close(self) -> None:
        if self._ingest_lock is not None:
            self._ingest_lock.release()
            self._ingest_lock = None
        self.pool.close()


def _day(stamp: int) -> str:
    s = str(stamp)
    return f"{s[:4]}-{s[4:6]}-{s[6:8]}"
