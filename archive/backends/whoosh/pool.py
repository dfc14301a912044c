"""Searchers kept open between web requests, one request at a time each, refreshed when the index changes.

Opening a Whoosh searcher reads every segment's files (compound segments are copied into memory), which costs
hundreds of milliseconds on a big index, so the web app borrows an open searcher for each request instead of
opening one. A borrowed searcher serves only that request (Whoosh readers are not safe to share between threads);
on borrowing, one whose index has a newer commit is closed and a new one opened. (Whoosh's own `refresh` reuses
segment readers by segment, keeping their old deletion sets and even segments merged away, so articles updated in
place were counted twice until a restart.)
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from whoosh.searching import Searcher

from .index import ArchiveIndex, open_index


class SearcherPool:
    """Open searchers of one index folder, lent out one request at a time."""

    def __init__(self, path: str, size: int = 8):
        self.path = path
        self.size = size
        self._idle: list[Searcher] = []
        self._lock = threading.Lock()
        self._archive: ArchiveIndex | None = None

    def archive(self) -> ArchiveIndex:
        """Return the opened index (raise IndexMissing where there is none)."""
        if self._archive is None:
            self._archive = open_index(self.path)
        return self._archive

    def borrow(self) -> Searcher:
        """Return an up-to-date searcher for this request's use only."""
        with self._lock:
            searcher = self._idle.pop() if self._idle else None
        if searcher is None:
            return self.archive().searcher()
        if not searcher.up_to_date():
            searcher.close()
            searcher = self.archive().searcher()
        return searcher

    def give_back(self, searcher: Searcher) -> None:
        """Keep a searcher for the next request (closing it where enough are kept or it is out of date)."""
        with self._lock:
            if len(self._idle) < self.size and searcher.up_to_date():
                self._idle.append(searcher)
                return
        searcher.close()

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        searcher = self.borrow()
        try:
            yield searcher
        finally:
            self.give_back(searcher)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for searcher in idle:
            searcher.close()
