"""Word clusters and capitalisation ratios learnt from unlabeled text.

Each word gets nested cluster ids, finest first (like Brown-cluster bit-string prefixes):
spherical k-means over PPMI-weighted left/right neighbour vectors reduced by SVD, then k-means over
the centroids for each coarser level. numpy is needed only to build the files, never to load them.
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

LEVELS = (1024, 256, 64)


def _kmeans(np, x, k: int, iters: int, rng, weights=None):  # type: ignore[no-untyped-def]
    """Cluster unit rows of `x` into k groups by cosine (spherical k-means); return labels and centroids."""
    k = min(k, len(x))
    cent = x[rng.choice(len(x), size=k, replace=False)].copy()
    labels = np.zeros(len(x), dtype=np.int64)
    w = np.ones(len(x), dtype=np.float32) if weights is None else weights.astype(np.float32)
    for _ in range(iters):
        for s in range(0, len(x), 8192):
            labels[s : s + 8192] = np.argmax(x[s : s + 8192] @ cent.T, axis=1)
        new = np.zeros_like(cent)
        np.add.at(new, labels, x * w[:, None])
        norms = np.linalg.norm(new, axis=1, keepdims=True)
        empty = norms[:, 0] == 0
        new[empty] = x[rng.choice(len(x), size=int(empty.sum()), replace=False)]
        norms[empty] = 1.0
        cent = new / norms
    return labels, cent


def build(
    sentences: Iterable[list[str]],
    max_vocab: int = 50000,
    min_count: int = 3,
    n_context: int = 500,
    seed: int = 13,
    levels: tuple[int, ...] = LEVELS,
    dims: int = 100,
) -> tuple[dict[str, tuple[int, ...]], dict[str, int]]:
    """Return word -> nested cluster ids and lowercase word -> capitalisation bucket (0-4)."""
    import numpy as np

    sents = [s for s in sentences if s]
    freq: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    caps: Counter[str] = Counter()
    for s in sents:
        freq.update(s)
        for w in s[1:]:
            if w[:1].isalpha():
                lw = w.lower()
                lower[lw] += 1
                if w[:1].isupper():
                    caps[lw] += 1
    vocab = [w for w, c in freq.most_common(max_vocab) if c >= min_count]
    index = {w: i for i, w in enumerate(vocab)}
    ctx_words = [w for w, _ in Counter(w.lower() for s in sents for w in s).most_common(n_context)]
    cindex = {w: i for i, w in enumerate(ctx_words)}
    other, bos = n_context, n_context + 1  # rare neighbour, sentence boundary
    width = n_context + 2
    rows, cols = [], []
    for s in sents:
        ids = [index.get(w, -1) for w in s]
        cs = [cindex.get(w.lower(), other) for w in s]
        for i, wid in enumerate(ids):
            if wid < 0:
                continue
            rows.append(wid)
            cols.append(cs[i - 1] if i else bos)
            rows.append(wid)
            cols.append(width + (cs[i + 1] if i + 1 < len(s) else bos))
    log.info("clusters: %d sentences, vocab %d, %d context pairs", len(sents), len(vocab), len(rows))
    counts = np.bincount(
        np.asarray(rows, dtype=np.int64) * (2 * width) + np.asarray(cols, dtype=np.int64),
        minlength=len(vocab) * 2 * width,
    ).astype(np.float32).reshape(len(vocab), 2 * width)
    total = counts.sum()
    pw = counts.sum(axis=1, keepdims=True) / total
    pc = (counts.sum(axis=0, keepdims=True) / total) ** 0.75
    pc /= pc.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        ppmi = np.maximum(np.log(counts / total / pw / pc), 0).astype(np.float32)
    ppmi[~np.isfinite(ppmi)] = 0
    cov = ppmi.T @ ppmi
    vals, vecs = np.linalg.eigh(cov)
    proj = ppmi @ vecs[:, -dims:]
    proj /= np.maximum(np.linalg.norm(proj, axis=1, keepdims=True), 1e-6)
    rng = np.random.default_rng(seed)
    labels, cent = _kmeans(np, proj.astype(np.float32), levels[0], 12, rng)
    found = [labels]
    for k in levels[1:]:
        sub, cent = _kmeans(np, cent, k, 20, rng)
        found.append(sub[found[-1]])
    clusters = {w: tuple(int(lv[i]) for lv in found) for i, w in enumerate(vocab)}
    buckets = {}
    for lw, n in lower.items():
        if n >= min_count:
            buckets[lw] = min(4, int(5 * caps[lw] / n))
    return clusters, buckets


def save(path: Path, clusters: dict[str, tuple[int, ...]], buckets: dict[str, int]) -> None:
    """Write clusters (`C word ids...`) and capitalisation buckets (`K word bucket`) to one TSV file."""
    with open(path, "w", encoding="utf-8") as fh:
        for w, ids in clusters.items():
            fh.write("C\t%s\t%s\n" % (w, "\t".join(map(str, ids))))
        for w, b in buckets.items():
            fh.write("K\t%s\t%d\n" % (w, b))


def load(path: Path) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Read a clusters file written by `save`; ids stay strings, ready for features."""
    clusters: dict[str, tuple[str, ...]] = {}
    buckets: dict[str, str] = {}
    if not Path(path).exists():
        log.warning("no cluster file at %s", path)
        return clusters, buckets
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "C":
                clusters[parts[1]] = tuple(parts[2:])
            elif parts[0] == "K":
                buckets[parts[1]] = parts[2]
    return clusters, buckets
