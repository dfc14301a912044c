"""Reprint clustering: the same wire story in several outlets gets one cluster id.

Each article's body (without header and caption, which readers already split off) is cut into overlapping
two-word shingles of folded words; a MinHash signature of 60 values estimates the Jaccard similarity of two
articles' shingle sets, and with the set sizes, how much of the shorter one the longer holds (a cut reprint is
contained in its original). Locality-sensitive hashing (30 bands of 2 values) turns a signature into band keys; the
`ReprintTable` holds the keys of every indexed article (loaded from the index's signature column when an ingest
starts), so candidates are found with a lookup; a candidate joins when the estimated containment reaches
`THRESHOLD`. Nothing is deleted: search collapses a cluster to its earliest version.
"""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np

from .analysis import fold

NUM_PERM = 60
BANDS, ROWS = 30, 2
THRESHOLD = 0.55  # on the estimated containment of the shorter text in the longer
MIN_JACCARD = 0.2
MIN_SHINGLES = 20
SHINGLE = 2
_PRIME = np.uint64((1 << 61) - 1)
_MASK = np.uint64((1 << 32) - 1)
_rng = np.random.RandomState(20160909)
_A = _rng.randint(1, 1 << 31, size=NUM_PERM).astype(np.uint64)
_B = _rng.randint(0, 1 << 31, size=NUM_PERM).astype(np.uint64)
_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class Signature:
    """A MinHash signature, the number of shingles it was made from, and its LSH band keys."""

    values: np.ndarray
    size: int

    def jaccard(self, other: "Signature") -> float:
        """Estimate the Jaccard similarity of the two shingle sets."""
        return float(np.mean(self.values == other.values))

    def similarity(self, other: "Signature") -> float:
        """Estimate how much of the shorter text's shingles the longer one holds (0 below MIN_JACCARD)."""
        j = self.jaccard(other)
        if j < MIN_JACCARD:
            return 0.0
        shared = j * (self.size + other.size) / (1 + j)
        return min(1.0, shared / max(1, min(self.size, other.size)))

    def to_bytes(self) -> bytes:
        return np.concatenate([[self.size], self.values]).astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, raw: bytes) -> "Signature":
        data = np.frombuffer(raw, dtype="<u4").astype(np.uint64)
        return cls(data[1:], int(data[0]))


def shingles(text: str) -> set[bytes]:
    """Return the set of two-word shingles of a text, words folded."""
    words = _WORD_RE.findall(fold(text))
    return {" ".join(words[i : i + SHINGLE]).encode("utf-8") for i in range(len(words) - SHINGLE + 1)}


def signature(text: str) -> Signature | None:
    """Return the MinHash signature of a text, or None where it is too short to compare."""
    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return None
    hashes = np.fromiter((zlib.crc32(g) for g in grams), dtype=np.uint64, count=len(grams))
    permuted = (hashes[:, None] * _A[None, :] + _B[None, :]) % _PRIME & _MASK
    return Signature(permuted.min(axis=0), len(grams))


class ReprintTable:
    """The LSH band keys and signatures of every article indexed so far, for finding reprint candidates.

    It is loaded from the index's `minhash`, `cluster` and `id` columns when an ingest starts and grows with every
    batch; band keys sit in a sorted array (new ones in a small dict until `MERGE_EVERY` articles have come).
    """

    MERGE_EVERY = 4_000

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.clusters: list[str] = []
        self.sigs: list[np.ndarray] = []
        self.sizes: list[int] = []
        self._keys = np.empty(0, dtype=np.uint64)
        self._rows = np.empty(0, dtype=np.int64)
        self._pending: dict[int, list[int]] = {}
        self._pending_count = 0

    @classmethod
    def from_index(cls, searcher) -> "ReprintTable":  # type: ignore[no-untyped-def]
        """Load the table from an index's columns."""
        table = cls()
        reader = searcher.reader()
        if not all(reader.has_column(c) for c in ("minhash", "cluster", "id")):
            return table
        minhashes, clusters, ids = (reader.column_reader(c) for c in ("minhash", "cluster", "id"))
        for docnum in reader.all_doc_ids():
            try:
                raw = minhashes[docnum]
            except IndexError:  # a segment whose articles were all too short to sign stores no column values
                raw = None
            if raw:
                table.add(_text(ids[docnum]), _text(clusters[docnum]) or _text(ids[docnum]),
                          Signature.from_bytes(raw), merge=False)
        table._merge()
        return table

    def add(self, doc_id: str, cluster: str, sig: Signature, merge: bool = True) -> None:
        """Remember one article's signature and band keys."""
        row = len(self.ids)
        self.ids.append(doc_id)
        self.clusters.append(cluster)
        self.sigs.append(sig.values.astype(np.uint32))
        self.sizes.append(sig.size)
        for key in band_keys(sig).tolist():
            self._pending.setdefault(key, []).append(row)
        self._pending_count += 1
        if merge and self._pending_count >= self.MERGE_EVERY:
            self._merge()

    def _merge(self) -> None:
        if not self._pending:
            return
        keys = np.fromiter((k for k, rows in self._pending.items() for _ in rows), dtype=np.uint64)
        rows = np.fromiter((r for rows in self._pending.values() for r in rows), dtype=np.int64)
        keys, rows = np.concatenate([self._keys, keys]), np.concatenate([self._rows, rows])
        order = np.argsort(keys, kind="stable")
        self._keys, self._rows = keys[order], rows[order]
        self._pending, self._pending_count = {}, 0

    def candidates(self, sig: Signature) -> set[int]:
        """Return the rows that share at least one band key with a signature."""
        keys = band_keys(sig)
        left = np.searchsorted(self._keys, keys, side="left")
        right = np.searchsorted(self._keys, keys, side="right")
        found: set[int] = set()
        for lo, hi in zip(left.tolist(), right.tolist()):
            found.update(self._rows[lo:hi].tolist())
        for key in keys.tolist():
            found.update(self._pending.get(key, ()))
        return found

    def best_match(self, doc_id: str, sig: Signature) -> str | None:
        """Return the cluster of the most similar earlier article, if it is similar enough (earliest on ties)."""
        rows = sorted(r for r in self.candidates(sig) if self.ids[r] != doc_id)
        if not rows:
            return None
        j = (np.stack([self.sigs[r] for r in rows]) == sig.values.astype(np.uint32)).mean(axis=1)
        sizes = np.array([self.sizes[r] for r in rows], dtype=np.float64)
        shared = j * (sig.size + sizes) / (1 + j)  # as Signature.similarity, for all candidates at once
        sim = np.where(j < MIN_JACCARD, 0.0, np.minimum(1.0, shared / np.maximum(1, np.minimum(sig.size, sizes))))
        best = int(np.argmax(sim))
        return self.clusters[rows[best]] if sim[best] >= THRESHOLD else None


def band_keys(sig: Signature) -> np.ndarray:
    """Return one 64-bit key per LSH band: the band number and its rows, hashed."""
    rows = sig.values.reshape(BANDS, ROWS).astype(np.uint64)
    key = np.arange(BANDS, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    for col in range(ROWS):
        key = (key ^ rows[:, col]) * np.uint64(0xBF58476D1CE4E5B9)
    return key


def _text(value) -> str:  # type: ignore[no-untyped-def]
    return value.decode("utf-8") if isinstance(value, bytes) else (value or "")


def assign_clusters(table: ReprintTable, batch: list) -> None:
    """Give each article of a batch its cluster: that of its most similar earlier article, else its own id."""
    for article in batch:
        if not article.fingerprint:
            article.cluster = None
            continue
        sig = Signature.from_bytes(article.fingerprint)
        article.cluster = table.best_match(article.id, sig) or article.id
        table.add(article.id, article.cluster, sig)
