"""Column arrays of an open index, decoded once per segment and kept in memory for counting and sorting.

Sorting by date, collapsing reprints, counting facets and drawing the timeline only need three columns:
`sort_old` (YYYYMMDDHHMM, or `UNDATED_OLD`), `cluster` and the packed `facets`. Reading them through Whoosh's
column readers costs a Python call per document, so each segment's columns are decoded once into numpy arrays
(facet values as integer ids into a vocabulary) and cached by segment id; a reader's arrays are those of its
segments laid end to end at their document offsets, cached by the tuple of segment ids (the index generation).
Segments never change once written, so the cache is never stale; a new commit makes new segment ids.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh.reading import IndexReader

from ...analysis import fold
from ...model import UNDATED_OLD
from .index import FACET_SEP, VALUE_SEP

FACET_KEYS = ("source", "language", "PER", "ORG", "LOC", "MISC")
_SEGMENT_CACHE_SIZE = 512
_READER_CACHE_SIZE = 8


@dataclass
class FacetColumn:
    """One facet as a sparse matrix: entry i says document `docs[i]` has the value `ids[i]`."""

    docs: np.ndarray  # int64 docnums, ascending
    ids: np.ndarray  # int32 value ids into `keys`
    keys: list[str]  # folded value keys
    names: list[str]  # the display name of each key (its most frequent written form)


@dataclass
class Columns:
    """The decoded columns of one reader, indexed by docnum."""

    sort_old: np.ndarray  # int64 YYYYMMDDHHMM, UNDATED_OLD where undated
    cluster: np.ndarray  # int64 cluster id, -1 where the article has no cluster
    cluster_keys: list[str]
    facets: dict[str, FacetColumn]
    id_rank: np.ndarray  # int64 rank of each document's id in code-point order: the tie-break of every sort

    @property
    def size(self) -> int:
        return len(self.sort_old)

    def sort_new(self) -> np.ndarray:
        """Return the descending date key: undated articles get 0 so they sort last."""
        return np.where(self.sort_old == UNDATED_OLD, 0, self.sort_old)


@dataclass
class _Segment:
    sort_old: np.ndarray
    cluster: np.ndarray
    cluster_keys: list[str]
    facets: dict[str, tuple[np.ndarray, np.ndarray, list[str]]]  # docs, ids into the written values, the values
    ids: list[str]


_segments: OrderedDict[tuple[str, ...], _Segment] = OrderedDict()
_readers: OrderedDict[tuple, Columns] = OrderedDict()
_lock = threading.Lock()


def columns(reader: IndexReader) -> Columns:
    """Return the decoded columns of a (possibly multi-segment) reader, from the cache where possible."""
    leaves = list(reader.leaf_readers())
    key = tuple((_segment_key(r), base) for r, base in leaves)
    with _lock:
        found = _readers.get(key)
        if found is not None:
            _readers.move_to_end(key)
            return found
        segments = [(_segment(r, skey), base) for (r, _), (skey, base) in zip(leaves, key)]
        built = _merge(segments, reader.doc_count_all())
        _readers[key] = built
        while len(_readers) > _READER_CACHE_SIZE:
            _readers.popitem(last=False)
        return built


def clear_cache() -> None:
    """Forget every cached column (for tests and benchmarks)."""
    with _lock:
        _segments.clear()
        _readers.clear()


def _segment_key(reader: Any) -> tuple[str, ...]:
    """Name a segment for the caches: its id (random, fixed when written) and size; deletions are not part of it."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    if segment is None:  # not a segment reader: never cached across readers
        return ("reader", str(id(reader)))
    return ("segment", segment.segment_id(), str(reader.doc_count_all()))


def _segment(reader: IndexReader, key: tuple[str, ...]) -> _Segment:
    found = _segments.get(key)
    if found is not None:
        _segments.move_to_end(key)
        return found
    _verify(reader)
    built = _decode(reader)
    _segments[key] = built
    while len(_segments) > _SEGMENT_CACHE_SIZE:
        _segments.popitem(last=False)
    return built


def _verify(reader: Any) -> None:
    """Compare the column files about to be decoded with the checksums recorded when they were written: a damaged
    one is named (IndexDamaged) instead of silently sorting and counting wrong."""
    from pathlib import Path

    from .integrity import CHECK, IndexDamaged, verify_files

    folder = getattr(getattr(reader, "_storage", None), "folder", None)
    segment = reader.segment() if hasattr(reader, "segment") else None
    if not folder or segment is None:
        return
    segid = segment.segment_id()
    problems = verify_files(Path(folder), "", segid, [f"{segid}.{c}.col" for c in ("sort_old", "cluster", "facets",
                                                                                      "id")])
    if problems:
        raise IndexDamaged(f"the index file {problems[0].split(': ', 1)[0]} is damaged: {CHECK} for what to do")


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return value or ""


def _decode(reader: IndexReader) -> _Segment:
    """Read one segment's columns into arrays; facet values get ids in order of first appearance, as written."""
    n = reader.doc_count_all()
    if reader.has_column("sort_old"):
        sort_old = np.fromiter(reader.column_reader("sort_old", translate=True), dtype=np.int64, count=n)
    else:
        sort_old = np.full(n, UNDATED_OLD, dtype=np.int64)
    cluster = np.full(n, -1, dtype=np.int64)
    cluster_keys: list[str] = []
    if reader.has_column("cluster"):
        seen: dict[str, int] = {}
        for docnum, raw in enumerate(reader.column_reader("cluster")):
            value = _text(raw)
            if value:
                cluster[docnum] = seen.setdefault(value, len(seen))
        cluster_keys = list(seen)
    keys = len(FACET_KEYS)
    docs: list[list[int]] = [[] for _ in range(keys)]
    ids: list[list[int]] = [[] for _ in range(keys)]
    vocab: list[dict[str, int]] = [{} for _ in range(keys)]
    if reader.has_column("facets"):
        for docnum, raw in enumerate(reader.column_reader("facets")):
            if not raw:
                continue
            parts = raw.decode("utf-8").split(FACET_SEP)
            for k in range(min(keys, len(parts))):
                part = parts[k]
                if not part:
                    continue
                known = vocab[k]
                for value in part.split(VALUE_SEP) if VALUE_SEP in part else (part,):
                    ident = known.get(value)
                    if ident is None:
                        ident = known[value] = len(known)
                    docs[k].append(docnum)
                    ids[k].append(ident)
    facets = {key: (np.asarray(docs[i], dtype=np.int64), np.asarray(ids[i], dtype=np.int32), list(vocab[i]))
              for i, key in enumerate(FACET_KEYS)}
    ids_ = [_text(v) for v in reader.column_reader("id")] if reader.has_column("id") else [""] * n
    return _Segment(sort_old, cluster, cluster_keys, facets, ids_)


def _merge(segments: list[tuple[_Segment, int]], size: int) -> Columns:
    """Lay the segments' arrays end to end, mapping their written values to one vocabulary of folded keys."""
    sort_old = np.full(size, UNDATED_OLD, dtype=np.int64)
    cluster = np.full(size, -1, dtype=np.int64)
    cluster_vocab: dict[str, int] = {}
    for seg, base in segments:
        sort_old[base : base + len(seg.sort_old)] = seg.sort_old
        if seg.cluster_keys:
            mapping = np.array([cluster_vocab.setdefault(c, len(cluster_vocab)) for c in seg.cluster_keys],
                               dtype=np.int64)
            local = seg.cluster
            cluster[base : base + len(local)] = np.where(local >= 0, mapping[np.maximum(local, 0)], -1)
    facets: dict[str, FacetColumn] = {}
    folds: dict[str, str] = {}
    for k in FACET_KEYS:
        vocab: dict[str, int] = {}
        written: list[dict[str, int]] = []  # per folded key: written form -> articles
        all_docs, all_ids = [], []
        for seg, base in segments:
            docs, ids, values = seg.facets[k]
            counts = np.bincount(ids, minlength=len(values)) if len(ids) else np.zeros(len(values), dtype=np.int64)
            mapping = np.empty(len(values), dtype=np.int64)
            for i, value in enumerate(values):
                folded = folds.get(value)
                if folded is None:
                    folded = folds[value] = fold(value)
                ident = vocab.get(folded)
                if ident is None:
                    ident = vocab[folded] = len(vocab)
                    written.append({})
                forms = written[ident]
                forms[value] = forms.get(value, 0) + int(counts[i])
                mapping[i] = ident
            all_docs.append(docs + base)
            all_ids.append(mapping[ids] if len(ids) else ids.astype(np.int64))
        docs = np.concatenate(all_docs) if all_docs else np.empty(0, dtype=np.int64)
        ids = np.concatenate(all_ids) if all_ids else np.empty(0, dtype=np.int64)
        if len(docs):  # an article counts once per key, even where it wrote the name two ways
            pairs = np.unique(docs * max(len(vocab), 1) + ids)
            docs, ids = pairs // max(len(vocab), 1), pairs % max(len(vocab), 1)
        names = [max(forms.items(), key=lambda item: (item[1], item[0]))[0] for forms in written]
        facets[k] = FacetColumn(docs, ids.astype(np.int32), list(vocab), names)
    all_ids = [""] * size
    for seg, base in segments:
        all_ids[base : base + len(seg.ids)] = seg.ids
    id_rank = np.empty(size, dtype=np.int64)
    id_rank[sorted(range(size), key=all_ids.__getitem__)] = np.arange(size, dtype=np.int64)
    return Columns(sort_old, cluster, list(cluster_vocab), facets, id_rank)
