"""Evaluate a query with numpy over cached postings: the exact set of matching documents, and BM25F scores.

Whoosh walks postings one document at a time in Python, which costs about 10 µs per match and per field; a word
is searched in seven fields, so a common word on a big index costs hundreds of milliseconds. Here each term's
postings are read a block at a time (128 postings per call) into numpy arrays, cached per segment, and the query
tree is evaluated as set operations: And is an intersection, Or a union, Not a difference, and scores add up as
Whoosh's matchers add them, with Whoosh's BM25F formula, idf and average field lengths, so the ranking is the
same. Wildcards, prefixes and ranges are expanded to the index's words within the search's `Budget` (which also
bounds the time) and scored with Whoosh's constant score (1 per match, whatever the segments); `field:*` is every
document with a length in the field, or with any of its words, cached per segment. Nodes this module does not
know (phrases) get their set from Whoosh's `docs_for_query`; where such a node must be scored, `Unsupported` is
raised and the caller falls back to Whoosh's own search.
Deleted documents are removed with the reader's deletion sets, so results stay exact after deletes.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import numpy as np
from whoosh import query as Q
from whoosh import scoring
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from .columns import _segment_key
from .guard import Budget, walk_words

_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
_MAX_CACHED_POSTINGS = 20_000_000
Result = tuple[np.ndarray, "np.ndarray | None"]  # docnums ascending, and their scores where scored

_postings: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
_lengths: OrderedDict[tuple, np.ndarray] = OrderedDict()
_field_docs: OrderedDict[tuple, np.ndarray] = OrderedDict()
_cached = [0]
_lock = threading.Lock()


class Unsupported(Exception):
    """The query holds a node that cannot be scored here: use Whoosh's search instead."""


def evaluate(searcher: Searcher, q: Q.Query, scored: bool, budget: Budget | None = None) -> Result:
    """Return the docnums matching `q` (ascending) and, where `scored`, their scores, within `budget`."""
    if scored and not isinstance(searcher.weighting, scoring.BM25F):
        raise Unsupported("only BM25F scoring is evaluated here")
    return _Evaluator(searcher, budget or Budget(seconds=0, max_terms=0)).run(q, scored)


class _Evaluator:
    def __init__(self, searcher: Searcher, budget: Budget):
        self.searcher = searcher
        self.budget = budget
        self.reader = searcher.reader()
        self.leaves = [(r, base, _segment_key(r)) for r, base in self.reader.leaf_readers()]
        self.size = self.reader.doc_count_all()
        self._live: np.ndarray | None = None

    def live(self) -> np.ndarray:
        """Return the mask of documents that are not deleted."""
        if self._live is None:
            live = np.ones(self.size, dtype=bool)
            for r, base, _ in self.leaves:
                if r.has_deletions():
                    deleted = np.fromiter(r.deleted_docs_set, dtype=np.int64)
                    live[deleted + base] = False
            self._live = live
        return self._live

    def run(self, q: Q.Query, scored: bool) -> Result:
        self.budget.check()
        if isinstance(q, Q.Every):
            docs = np.flatnonzero(self.live()).astype(np.int64)
            return docs, (np.ones(len(docs)) if scored else None)
        if isinstance(q, Q.NullQuery.__class__) or q is Q.NullQuery:
            return np.empty(0, dtype=np.int64), (np.empty(0) if scored else None)
        if isinstance(q, Q.Term):
            return self.term(q, scored)
        if isinstance(q, (Q.Prefix, Q.Wildcard, Q.TermRange, Q.FuzzyTerm)) and q.constantscore:
            return self.multiterm(q, scored)
        if isinstance(q, Q.Or):
            if getattr(q, "scale", None) or getattr(q, "minmatch", 0):
                return self.fallback(q, scored)
            return self.boost(_union([self.run(c, scored) for c in q.children()], scored), q, scored)
        if isinstance(q, Q.And):
            kids = list(q.children())
            positive = [self.run(c, scored) for c in kids if not isinstance(c, Q.Not)]
            negative = [self.run(c.query, False)[0] for c in kids if isinstance(c, Q.Not)]
            if not positive:
                return self.fallback(q, scored)
            result = _intersect(positive, scored)
            for docs in negative:
                result = _minus(result, docs)
            if result[1] is not None:  # Whoosh's inverse matcher scores each excluded word's boost for every doc
                extra = sum(c.boost for c in kids if isinstance(c, Q.Not))
                result = (result[0], result[1] + extra)
            return self.boost(result, q, scored)
        if isinstance(q, Q.AndNot):
            return self.boost(_minus(self.run(q.a, scored), self.run(q.b, False)[0]), q, scored)
        if isinstance(q, Q.Require):
            a_docs, a_scores = self.run(q.a, scored)
            keep = np.isin(a_docs, self.run(q.b, False)[0], assume_unique=True)
            return self.boost((a_docs[keep], a_scores[keep] if a_scores is not None else None), q, scored)
        if isinstance(q, Q.AndMaybe):
            a_docs, a_scores = self.run(q.a, scored)
            if a_scores is None:
                return a_docs, None
            b_docs, b_scores = self.run(q.b, True)
            if not len(b_docs) or b_scores is None:
                return self.boost((a_docs, a_scores), q, scored)
            scores = a_scores.copy()
            where = np.minimum(np.searchsorted(b_docs, a_docs), len(b_docs) - 1)
            hit = b_docs[where] == a_docs
            scores[hit] += b_scores[where[hit]]
            return self.boost((a_docs, scores), q, scored)
        if isinstance(q, Q.Not):  # Whoosh scores a lone NOT's matches with its boost
            inner = self.run(q.query, False)[0]
            live = self.live().copy()
            live[inner] = False
            docs = np.flatnonzero(live).astype(np.int64)
            return docs, (np.full(len(docs), float(q.boost)) if scored else None)
        return self.fallback(q, scored)

    def multiterm(self, q: Q.MultiTerm, scored: bool) -> Result:
        """Match a wildcard, prefix or range: the union of its words, each match scored 1 (Whoosh's constant score;
        Whoosh itself scores a segment's lone word, or some unions, by BM25, so its order depends on segments)."""
        field = q.field()
        if field not in self.searcher.schema:
            return np.empty(0, dtype=np.int64), (np.empty(0) if scored else None)
        fieldobj = self.searcher.schema[field]
        if isinstance(q, Q.Prefix) and q.text == "":  # field:* is every document with a value (Whoosh's Every)
            docs = self.field_docs(field)
            return docs, (np.full(len(docs), float(q.boost)) if scored else None)
        parts = []
        for btext in self.budget.expand(q, self.reader):
            self.budget.tick()
            parts.append(self.term(Q.Term(field, fieldobj.from_bytes(btext)), False)[0])
        docs = np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)
        return docs, (np.ones(len(docs)) if scored else None)

    def field_docs(self, field: str) -> np.ndarray:
        """Return every live document with a value in a field, from cached per-segment arrays."""
        parts = []
        for r, base, skey in self.leaves:
            parts.append(_segment_field_docs(r, skey, field, self.searcher.schema[field].scorable, self.budget)
                         + base)
        docs = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
        live = self.live()
        return docs[live[docs]] if len(docs) and not live.all() else docs

    def boost(self, result: Result, q: Q.Query, scored: bool) -> Result:
        if scored and q.boost != 1.0 and result[1] is not None:
            return result[0], result[1] * q.boost
        return result

    def fallback(self, q: Q.Query, scored: bool) -> Result:
        if scored:
            raise Unsupported(type(q).__name__)
        self.budget.expand_all(q, self.reader)
        docs = []
        for docnum in self.searcher.docs_for_query(q):
            self.budget.tick()
            docs.append(docnum)
        return np.array(sorted(docs), dtype=np.int64), None

    def term(self, q: Q.Term, scored: bool) -> Result:
        field, text = q.fieldname, q.text
        if field not in self.searcher.schema:
            return np.empty(0, dtype=np.int64), (np.empty(0) if scored else None)
        fieldobj = self.searcher.schema[field]
        tbytes = fieldobj.to_bytes(text)
        docs_parts, score_parts = [], []
        if scored and fieldobj.scorable:
            idf = self.searcher.idf(field, text)
            avgfl = self.searcher.avg_field_length(field) or 1
            weighting = self.searcher.weighting
            B = weighting._field_B.get(field, weighting.B)
            K1 = weighting.K1
        for r, base, skey in self.leaves:
            ids, weights = _term_postings(r, skey, field, tbytes)
            if not len(ids):
                continue
            docs_parts.append(ids + base)
            if scored:
                if fieldobj.scorable:
                    lengths = _field_lengths(r, skey, field)[ids]
                    lengths = np.where(lengths > 0, lengths, 1)
                    score_parts.append(idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / avgfl))))
                else:
                    score_parts.append(weights.astype(np.float64))
        if not docs_parts:
            return np.empty(0, dtype=np.int64), (np.empty(0) if scored else None)
        docs = np.concatenate(docs_parts)
        scores = np.concatenate(score_parts) if scored else None
        live = self.live()
        if not live.all():
            keep = live[docs]
            docs = docs[keep]
            scores = scores[keep] if scores is not None else None
        if scored and q.boost != 1.0:
            scores = scores * q.boost
        return docs, scores


def _term_postings(reader: Any, skey: tuple, field: str, tbytes: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Return a term's postings in one segment (local docnums, weights), every document, deleted or not."""
    key = (skey, field, tbytes)
    with _lock:
        found = _postings.get(key)
        if found is not None:
            _postings.move_to_end(key)
            return found
    ids, weights = _read_postings(reader, field, tbytes)
    with _lock:
        _postings[key] = (ids, weights)
        _cached[0] += len(ids)
        while _cached[0] > _MAX_CACHED_POSTINGS and _postings:
            _, (old, _w) = _postings.popitem(last=False)
            _cached[0] -= len(old)
    return ids, weights


def _read_postings(reader: Any, field: str, tbytes: bytes) -> tuple[np.ndarray, np.ndarray]:
    terms = getattr(reader, "_terms", None)
    if terms is None:  # not a segment reader: walk its (deletion-filtered) matcher
        try:
            m = reader.postings(field, tbytes)
        except Exception:  # Whoosh raises TermNotFound
            return np.empty(0, dtype=np.int64), np.empty(0)
    elif (field, tbytes) not in terms:
        return np.empty(0, dtype=np.int64), np.empty(0)
    else:
        m = terms.matcher(field, tbytes, reader.schema[field].format)
    id_blocks, weight_blocks = [], []
    if isinstance(m, W3LeafMatcher):
        while m.is_active():  # a block (up to 128 postings) per step, through the matcher's block reader
            m._read_ids()
            m._read_weights()
            id_blocks.append(np.asarray(m._ids, dtype=np.int64))
            weight_blocks.append(np.asarray(m._weights, dtype=np.float64))
            m._next_block()
    else:
        ids, weights = [], []
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            m.next()
        id_blocks, weight_blocks = [np.array(ids, dtype=np.int64)], [np.array(weights, dtype=np.float64)]
    if not id_blocks:
        return np.empty(0, dtype=np.int64), np.empty(0)
    return np.concatenate(id_blocks), np.concatenate(weight_blocks)


def _field_lengths(reader: Any, skey: tuple, field: str) -> np.ndarray:
    """Return each document's length in a field, as Whoosh's scorers see it (quantised to one byte)."""
    key = (skey, field)
    with _lock:
        found = _lengths.get(key)
        if found is not None:
            return found
    n = reader.doc_count_all()
    perdoc = getattr(reader, "_perdoc", None)
    column = None
    if perdoc is not None:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    if column is not None:
        raw = np.fromiter((int(b) for b in column), dtype=np.int64, count=n)
        lengths = _LENGTHS[raw]
        lengths[raw == 0] = 0
    else:
        lengths = np.array([reader.doc_field_length(d, field, 0) or 0 for d in range(n)], dtype=np.float64)
    with _lock:
        _lengths[key] = lengths
        while len(_lengths) > 512:
            _lengths.popitem(last=False)
    return lengths


def _segment_field_docs(reader: Any, skey: tuple, field: str, scorable: bool, budget: Budget) -> np.ndarray:
    """Return the local docnums of one segment with a value in a field (deleted ones too), cached."""
    key = (skey, field)
    with _lock:
        found = _field_docs.get(key)
        if found is not None:
            return found
    if scorable:  # a document has words in the field exactly where its length there is not 0
        docs = np.flatnonzero(_field_lengths(reader, skey, field) > 0).astype(np.int64)
    else:  # every word's postings (resumed by the next search where this one runs out of time)
        size = reader.doc_count_all()

        def mark(has: np.ndarray, btext: bytes) -> None:
            has[_read_postings(reader, field, btext)[0]] = True

        has = walk_words(("docs", *key), reader, field, budget, lambda: np.zeros(size, dtype=bool), mark)
        docs = np.flatnonzero(has).astype(np.int64)
    with _lock:
        _field_docs[key] = docs
        while len(_field_docs) > 512:
            _field_docs.popitem(last=False)
    return docs


def _union(parts: list[Result], scored: bool) -> Result:
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return np.empty(0, dtype=np.int64), (np.empty(0) if scored else None)
    if len(parts) == 1:
        return parts[0]
    docs = np.concatenate([p[0] for p in parts])
    if not scored:
        return np.unique(docs), None
    unique, inverse = np.unique(docs, return_inverse=True)
    scores = np.zeros(len(unique))
    np.add.at(scores, inverse, np.concatenate([p[1] for p in parts]))
    return unique, scores


def _intersect(parts: list[Result], scored: bool) -> Result:
    docs, scores = parts[0]
    for other_docs, other_scores in parts[1:]:
        common, left, right = np.intersect1d(docs, other_docs, assume_unique=True, return_indices=True)
        if scores is not None and other_scores is not None:
            scores = scores[left] + other_scores[right]
        docs = common
    return docs, scores


def _minus(result: Result, remove: np.ndarray) -> Result:
    docs, scores = result
    keep = ~np.isin(docs, remove, assume_unique=True)
    return docs[keep], (scores[keep] if scores is not None else None)


def clear_cache() -> None:
    with _lock:
        _postings.clear()
        _lengths.clear()
        _field_docs.clear()
        _cached[0] = 0
