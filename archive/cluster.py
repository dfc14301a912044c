"""Reprint clustering: the same wire story in several outlets gets one cluster id.

Each article's body (without header and caption, which readers already split off) is cut into overlapping
two-word shingles of folded words; a MinHash signature of 60 values estimates the Jaccard similarity of two
articles' shingle sets, and with the set sizes, how much of the shorter one the longer holds (a cut reprint is
contained in its original). Locality-sensitive hashing (30 bands of 2 values) turns a signature into band keys that
the index stores, so candidates already in the index are found with one term query; a candidate joins when the
estimated containment reaches `THRESHOLD`. Nothing is deleted: search collapses a cluster to its earliest version.
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

    def bands(self) -> list[str]:
        """Return one key per band: the band number and a hash of its rows."""
        rows = self.values.reshape(BANDS, ROWS)
        return [f"{i:02d}{zlib.crc32(row.tobytes()):08x}" for i, row in enumerate(rows)]

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


@dataclass
class _Member:
    id: str
    cluster: str
    sig: Signature


def assign_clusters(searcher, batch: list) -> None:
    """Give each article of a batch its cluster: that of its most similar earlier article, else its own id."""
    from whoosh import query as Q

    reader = searcher.reader()
    has_columns = reader.has_column("minhash") and reader.has_column("cluster")
    minhashes = reader.column_reader("minhash") if has_columns else None
    clusters = reader.column_reader("cluster") if has_columns else None
    local: dict[str, list[_Member]] = {}
    for article in batch:
        if not article.fingerprint:
            article.cluster = None
            continue
        sig = Signature.from_bytes(article.fingerprint)
        bands = sig.bands()
        best: tuple[float, str] | None = None
        candidates: list[tuple[str, str, Signature]] = []
        if minhashes is not None:
            for docnum in searcher.docs_for_query(Q.Or([Q.Term("lsh", b) for b in bands])):
                doc_id = searcher.stored_fields(docnum)["id"]
                raw_cluster = clusters[docnum]
                cluster = raw_cluster.decode() if isinstance(raw_cluster, bytes) else raw_cluster
                candidates.append((doc_id, cluster or doc_id, Signature.from_bytes(minhashes[docnum])))
        for band in bands:
            candidates += [(m.id, m.cluster, m.sig) for m in local.get(band, [])]
        for doc_id, cluster, other in candidates:
            if doc_id == article.id:
                continue
            sim = sig.similarity(other)
            if sim >= THRESHOLD and (best is None or sim > best[0]):
                best = (sim, cluster)
        article.cluster = best[1] if best else article.id
        member = _Member(article.id, article.cluster, sig)
        for band in bands:
            local.setdefault(band, []).append(member)
