"""Turn a sentence of words into CRF attribute lists, caching every word's own attributes.

Most tokens repeat, so each distinct word string is analysed once: its local attributes and the
four prefixed copies its neighbours see (offsets -2..+2) are memoised; a sentence is then just
list concatenation plus a few position and bigram attributes.
"""
from __future__ import annotations

import re
from pathlib import Path

from . import clusters as clusters_mod
from . import gazetteer as gazetteer_mod

_UPPER = re.compile(r"[^\W\d_]", re.UNICODE)
MEMO_LIMIT = 300_000
QUOTES = {'"', "“", "”", "«", "»", "''", "``"}


def shape(word: str) -> str:
    """Return the word shape with runs collapsed, e.g. `Kerry` -> `Xx`, `CD&V` -> `X&X`, `1996` -> `d`."""
    out = []
    prev = ""
    for ch in word:
        if ch.isupper():
            c = "X"
        elif ch.isalpha():
            c = "x"
        elif ch.isdigit():
            c = "d"
        else:
            c = ch
        if c != prev:
            out.append(c)
            prev = c
    return "".join(out)


class Featurizer:
    """Compute CRF attributes for one language using its clusters and gazetteer."""

    def __init__(
        self,
        clusters: dict[str, tuple[str, ...]],
        caps: dict[str, str],
        gazetteer: dict[str, tuple[str, ...]],
    ) -> None:
        self.clusters = clusters
        self.caps = caps
        self.gazetteer = gazetteer
        self._memo: dict[str, tuple[list[str], ...]] = {}
        self.known: set[str] | None = None  # attributes the model has weights for; others are dropped

    def restrict(self, known: set[str]) -> None:
        """Drop attributes the model does not know (same tags, less work for the tagger)."""
        self.known = known
        self._memo.clear()

    @classmethod
    def from_dir(cls, models: Path, lang: str) -> "Featurizer":
        """Load the cluster and gazetteer files of a language from the models folder."""
        clusters, caps = clusters_mod.load(models / f"clusters.{lang}.tsv")
        return cls(clusters, caps, gazetteer_mod.load(models / f"gazetteer.{lang}.tsv"))

    def _cluster(self, word: str) -> tuple[str, ...] | None:
        c = self.clusters.get(word)
        if c is None:
            c = self.clusters.get(word.lower()) or self.clusters.get(word.capitalize())
        return c

    def _gaz(self, word: str) -> tuple[str, ...]:
        g = self.gazetteer.get(word)
        if g is None and word.isupper() and len(word) > 3:
            g = self.gazetteer.get(word.capitalize())
        return g or ()

    def _analyse(self, w: str) -> tuple[list[str], ...]:
        """Return the local attributes of `w` and the attributes its neighbours see."""
        lw = w.lower()
        sh = shape(w)
        local = ["w=" + w, "l=" + lw, "s=" + sh]
        if len(lw) > 2:
            local += ["p2=" + lw[:2], "p3=" + lw[:3], "x2=" + lw[-2:], "x3=" + lw[-3:], "x4=" + lw[-4:]]
        if len(lw) > 5:
            local += ["p4=" + lw[:4], "x5=" + lw[-5:]]
        first = w[0]
        if first.isupper():
            local.append("ic")
            if w.isupper() and len(w) > 1:
                local.append("ac")
            elif any(ch.isupper() for ch in w[1:]):
                local.append("mc")
        elif not first.isalnum():
            local.append("pu")
        if any(ch.isdigit() for ch in w):
            local.append("hd")
        if "-" in w[1:]:
            local.append("hh")
            head = w.split("-", 1)[0]
            local.append("hp=" + head.lower())
            local += ["hg=" + g for g in self._gaz(head)]
            if head[:1].isupper():
                local.append("hic")
        if len(w) > 12:
            local.append("long")
        c = self._cluster(w)
        if c:
            local += ["c1=" + c[0], "c2=" + c[1], "c3=" + c[2]]
        else:
            local.append("c=none")
        local.append("k=" + self.caps.get(lw, "u"))
        gaz = self._gaz(w)
        local += ["g=" + g for g in gaz]
        near = ["l=" + lw, "s=" + sh] + (["c1=" + c[0], "c3=" + c[2]] if c else []) + ["g=" + g for g in gaz]
        far = ["l=" + lw] + (["c2=" + c[1]] if c else [])
        return (
            local,
            ["-1:" + f for f in near],
            ["+1:" + f for f in near],
            ["-2:" + f for f in far],
            ["+2:" + f for f in far],
        )

    def word(self, w: str) -> tuple[list[str], ...]:
        """Return the memoised attribute lists of one word."""
        hit = self._memo.get(w)
        if hit is None:
            if len(self._memo) > MEMO_LIMIT:
                self._memo.clear()
            hit = self._analyse(w)
            if self.known is not None:
                known = self.known
                hit = tuple([f for f in part if f in known] for part in hit)
            self._memo[w] = hit
        return hit

    def sentence(self, words: list[str]) -> list[list[str]]:
        """Return the attribute list of every position of a sentence."""
        info = [self.word(w) for w in words]
        lows = [w.lower() for w in words]
        known = self.known
        n = len(words)
        out = []
        quoted = False
        for i in range(n):
            if words[i] in QUOTES:
                quoted = not quoted
            f = info[i][0].copy()
            b = "b=" + (lows[i - 1] if i else "<s>") + "|" + lows[i]
            if known is None or b in known:
                f.append(b)
            if quoted:
                f.append("inq")
            if i:
                f += info[i - 1][1]
                if i > 1:
                    f += info[i - 2][3]
                else:
                    f.append("-2:BOS")
            else:
                f += ["BOS", "BOS&s=" + shape(words[0])]
            if i + 1 < n:
                f += info[i + 1][2]
                b = "b+=" + lows[i] + "|" + lows[i + 1]
                if known is None or b in known:
                    f.append(b)
                if i + 2 < n:
                    f += info[i + 2][4]
                else:
                    f.append("+2:EOS")
            else:
                f.append("EOS")
            out.append(f)
        return out
