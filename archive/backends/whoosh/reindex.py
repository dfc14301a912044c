"""Rebuild an index from the records it stores, into a fresh folder that then takes the old one's place.

The old index stays locked (no ingest can write to it) and readable until the new one is complete; the swap
is two renames. Should the process die between them, the old index is left at `<index>.old`: the error on
opening says how to put it back.
"""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

from ...cluster import signature
from ...enrich import enrich as enrich_article
from .index import IndexBusy, acquire_ingest_lock, busy_message, create_or_open, iter_articles, open_index, \
    write_articles, writer

log = logging.getLogger(__name__)
BATCH = 2000


def reindex(index_path: str, enrich: bool = False) -> int:
    """Rebuild the index at `index_path` from its stored articles; return how many were written."""
    path = Path(index_path)
    old = open_index(path)
    fresh_path = path.with_name(path.name + ".new")
    shutil.rmtree(fresh_path, ignore_errors=True)
    count = 0
    ingesting = acquire_ingest_lock(old)  # no ingest runs meanwhile, not even between two of its commits
    lock = old.ix.lock("WRITELOCK")  # the lock Whoosh writers take
    if not lock.acquire(blocking=False):
        ingesting.release()
        raise IndexBusy(busy_message(path))
    try:
        fresh = create_or_open(fresh_path)
        batch = []
        for article in iter_articles(old):
            if enrich:
                enrich_article(article)
            else:
                sig = signature(article.body)
                article.fingerprint = sig.to_bytes() if sig is not None else None
            batch.append(article)
            if len(batch) >= BATCH:
                count += _write(fresh, batch)
                batch = []
        count += _write(fresh, batch)
        backup = path.with_name(path.name + ".old")
        shutil.rmtree(backup, ignore_errors=True)
        path.rename(backup)
        fresh_path.rename(path)
    finally:
        lock.release()
        ingesting.release()
    shutil.rmtree(backup, ignore_errors=True)
    log.info("reindexed %d articles", count)
    return count


def _write(archive, batch) -> int:
    if not batch:
        return 0
    with writer(archive) as w:
        return write_articles(w, batch)
