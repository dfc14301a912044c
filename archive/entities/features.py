"""Turn a sentence of words into CRF attribute lists, caching every word's own attributes.

Most tokens repeat, so each distinct word string is analysed once: its local attributes and the
four prefixed copies its neighbours see (offsets -2..+2) are memoised; a sentence is then just
list concatenation plus a few position and bigram attributes. Document-level attributes (how
each word is written elsewhere in the article) come from `document_attributes`. Attributes are
UTF-8 bytes: python-crfsuite takes bytes as they are and would otherwise encode every string of
every token again, so encoding once per distinct word makes tagging about a quarter faster.
"""
from __future__ import annotations

import re
from pathlib import Path

from . import clusters as clusters_mod
from . import gazetteer as gazetteer_mod

_UPPER = re.compile(r"[^\W\d_]", re.UNICODE)
MEMO_LIMIT = 300_000
QUOTES = {'"', "“", "”", "«", "»", "''", "``"}
BREAKS = QUOTES | {":", "(", "-", "--", ".", "?", "!"}  # a capital after these may open a sentence
DOC_CASE = {(c, lo): ("dc=" + "c" * c + "l" * lo).encode() for c in (False, True) for lo in (False, True)}
# Languages whose words of a capitalised name also see the words around the name's other mentions in the article
# (`document_attributes(contexts=True)`), chosen on testa: English only (Dutch and Spanish keep the attributes
# their models were trained with). With feature.minfreq 1 it took English testa F1 0.9187 -> 0.9232 as shipped.
# Tried on English testa and left out (within +-0.001 or worse): word shape and gazetteer types of the words two
# away, coarser cluster levels at +-1 and +-2, one-letter affixes, a sentence-in-capitals flag, multi-word
# GeoNames/CLDR places from places.txt as name spans.
CONTEXT_LANGUAGES = {"en"}
# The memo entries `Featurizer.sentence` pads a sentence with: two before it (the word before the first one sees
# BOS, the one before that gives the second word -2:BOS) and two after it (EOS, +2:EOS). Views, as in `word`:
# local, what the next word sees, what the previous word sees, what the word two after sees, two before.
_PAD = ((), (), (), (), ())
_AFTER = ((), (), (b"EOS",), (), (b"+2:EOS",))


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
        contexts: bool = False,
    ) -> None:
        self.clusters = clusters
        self.contexts = contexts  # the other mentions' contexts, see CONTEXT_LANGUAGES
        self.caps = caps
        self.gazetteer = gazetteer
        self._memo: dict[str, tuple] = {}  # word -> five attribute lists (bytes) and the lowercase word
        self.known: set[str] | None = None  # attributes the model has weights for; others are dropped
        self._bigrams: dict[str, dict[str, tuple]] = {}  # second word -> first word -> (b=, b+=) if known

    def restrict(self, known: set[str]) -> None:
        """Drop attributes the model does not know (same tags, less work for the tagger)."""
        self.known = known
        self._memo.clear()
        self._bigrams = {}
        for attr in known:
            head, _, pair = attr.partition("=")
            if head in ("b", "b+") and "|" in pair:
                left, _, right = pair.partition("|")
                by_left = self._bigrams.setdefault(right, {})
                slot = by_left.get(left, (None, None))
                by_left[left] = (attr.encode(), slot[1]) if head == "b" else (slot[0], attr.encode())

    @classmethod
    def from_dir(cls, models: Path, lang: str) -> "Featurizer":
        """Load the cluster and gazetteer files of a language from the models folder."""
        clusters, caps = clusters_mod.load(models / f"clusters.{lang}.tsv")
        return cls(clusters, caps, gazetteer_mod.load(models / f"gazetteer.{lang}.tsv"), lang in CONTEXT_LANGUAGES)

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
            local += ["c%d=%s" % (k, x) for k, x in enumerate(c, 1)]
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

    def word(self, w: str) -> tuple:
        """Return the memoised attribute lists of one word (local, the four neighbour views), its lowercase form
        and the attribute it gives the BOS position when it opens a sentence."""
        hit = self._memo.get(w)
        if hit is None:
            if len(self._memo) > MEMO_LIMIT:
                self._memo.clear()
            known = self.known
            # tuples, not lists: once the garbage collector sees they hold only bytes it stops scanning
            # them, and a full memo would otherwise cost every collection (about 10% of tagging time)
            encoded = [tuple([f.encode() for f in part if known is None or f in known]) for part in self._analyse(w)]
            hit = (*encoded, w.lower(), ("BOS&s=" + shape(w)).encode())
            self._memo[w] = hit
        return hit

    def document(self, sents: list[list[str]]) -> list[list[list[bytes]]]:
        """Return the attribute lists of every sentence of a document, with document-level attributes."""
        out = []
        for words, extra in zip(sents, _document_extras(sents, self.contexts)):
            attrs = self.sentence(words)
            for k, x in extra.items():
                attrs[k] += x
            out.append(attrs)
        return out

    def sentence(self, words: list[str], extra: list[list[bytes]] | None = None) -> list[list[bytes]]:
        """Return the attribute list of every position of a sentence (plus `extra` per position)."""
        n = len(words)
        if not n:
            return []
        memo = self._memo
        info = [memo.get(w) or self.word(w) for w in words]
        known = self.known
        # padded with BOS/EOS entries, shifted copies line up each position with its four neighbours
        padded = [_PAD, ((), (b"BOS", info[0][6]), (), (b"-2:BOS",), ()), *info, _AFTER, _PAD]
        out = [[*x[0], *left[1], *left2[3], *right[2], *right2[4]]
               for left2, left, x, right, right2 in zip(padded, padded[1:], padded[2:], padded[3:], padded[4:])]
        if known is None:
            lows = [x[5] for x in info]
            prev = "<s>"
            for i, low in enumerate(lows):
                out[i].append(("b=" + prev + "|" + low).encode())
                if i:
                    out[i - 1].append(("b+=" + prev + "|" + low).encode())
                prev = low
        else:
            bigrams = self._bigrams
            prev = "<s>"
            for i, x in enumerate(info):
                low = x[5]
                by_left = bigrams.get(low)
                if by_left is not None:
                    slot = by_left.get(prev)
                    if slot is not None:
                        if slot[0] is not None:
                            out[i].append(slot[0])
                        if slot[1] is not None and i:
                            out[i - 1].append(slot[1])
                prev = low
        if not QUOTES.isdisjoint(words):
            quoted = False
            for i, w in enumerate(words):
                if w in QUOTES:
                    quoted = not quoted
                if quoted:
                    out[i].append(b"inq")
        if extra is not None:
            for f, more in zip(out, extra):
                if more:
                    f += more
        return out


def _layout(words: list[str], capmid: set[str], low: set[str]) -> tuple[bool, list[tuple[int, int]]]:
    """Note how the words of one sentence are written (capitalised mid-sentence into `capmid`, lowercased;
    words written in lower case into `low`, as written); return (headline in capitals?, capitalised runs)."""
    runs = []
    start = -1
    n_upper = 0
    prev = ""
    mid = []
    for i, w in enumerate(words):
        c = w[:1]
        if c.isupper():
            if start < 0:
                start = i
            if i and prev not in BREAKS:
                mid.append(w)
        else:
            if start >= 0:
                runs.append((start, i))
                start = -1
            if c.islower():
                low.add(w)  # lowercased once per distinct word by the caller
        if len(w) > 1 and w.isupper():
            n_upper += 1
        prev = w
    if start >= 0:
        runs.append((start, len(words)))
    upper = n_upper > len(words) // 2
    if not upper:
        capmid.update(w.lower() for w in mid)
    return upper, runs


def document_attributes(sents: list[list[str]], contexts: bool = False) -> list[list[list[bytes]]]:
    """Return label-free, document-level attributes for every position of every sentence.

    A capitalised word at the start of a sentence or in an all-capitals headline says little by
    itself; the same word written capitalised (`dc=c`) or lowercase (`dc=l`) mid-sentence elsewhere
    in the article says more, as does a lone word that is the first or last word of a longer
    capitalised name elsewhere (`dr=first`, `dr=last`: "Clinton" after "Bill Clinton").
    With `contexts`, a word of a capitalised run also gets the words next to its other mentions
    (`an=`, `ap=`) and around the runs holding them (`ab=`, `aa=`), from sentences not in capitals:
    "Mr Clinton" once makes every "Clinton" of the article a bit more of a person, "at Reading" a place.
    """
    extras = _document_extras(sents, contexts)
    return [[extra.get(k, []) for k in range(len(words))] for words, extra in zip(sents, extras)]


def _document_extras(sents: list[list[str]], contexts: bool = False) -> list[dict[int, list[bytes]]]:
    """`document_attributes` as one dict per sentence, position -> attributes, holding only positions that have
    some (most have none: no empty list to make for each of them)."""
    capmid: set[str] = set()
    low: set[str] = set()
    first: set[str] = set()
    last: set[str] = set()
    layouts = []
    around: dict[str, list[tuple[int, int, bytes, bytes, bytes, bytes]]] = {}
    for si, words in enumerate(sents):
        upper, runs = _layout(words, capmid, low)
        layouts.append((upper, runs))
        if not upper:
            for i, j in runs:
                if j - i > 1 and i > 0:
                    first.add(words[i])
                    last.add(words[j - 1])
            if contexts:
                _note_contexts(si, words, runs, around)
    low = {w.lower() for w in low}
    out: list[dict[int, list[bytes]]] = []
    for words, (upper, runs) in zip(sents, layouts):
        attrs: dict[int, list[bytes]] = {}
        for i, j in runs:
            for k in range(i, j):
                w = words[k]
                if not w[:1].isalpha():
                    continue
                lw = w.lower()
                f = []
                if k == 0 or upper or w.isupper() or words[k - 1] in BREAKS:
                    f.append(DOC_CASE[lw in capmid, lw in low])
                elif lw in low:
                    f.append(b"dl")
                if j - i == 1:
                    key = w.capitalize() if upper else w
                    if key in last:
                        f.append(b"dr=last")
                    if key in first:
                        f.append(b"dr=first")
                if f:
                    attrs[k] = f
        if contexts:
            _add_contexts(len(out), words, runs, around, attrs)
        out.append(attrs)
    return out


def _note_contexts(si: int, words: list[str], runs: list[tuple[int, int]],
                   around: dict[str, list[tuple[int, int, bytes, bytes, bytes, bytes]]]) -> None:
    """Record, per lowercase word of each capitalised run, where it stands and the words around it and its run."""
    n = len(words)
    for i, j in runs:
        ab = ("ab=" + (words[i - 1].lower() if i else "<s>")).encode()
        aa = ("aa=" + (words[j].lower() if j < n else "</s>")).encode()
        for k in range(i, j):
            w = words[k]
            if w[:1].isalpha():
                an = ("an=" + (words[k - 1].lower() if k else "<s>")).encode()
                ap = ("ap=" + (words[k + 1].lower() if k + 1 < n else "</s>")).encode()
                around.setdefault(w.lower(), []).append((si, k, ab, aa, an, ap))


def _add_contexts(si: int, words: list[str], runs: list[tuple[int, int]],
                  around: dict[str, list[tuple[int, int, bytes, bytes, bytes, bytes]]],
                  attrs: dict[int, list[bytes]]) -> None:
    """Give each word of a capitalised run the contexts of its other mentions (not its own), sorted."""
    for i, j in runs:
        for k in range(i, j):
            mentions = around.get(words[k].lower())
            if not mentions or (len(mentions) == 1 and mentions[0][0] == si and mentions[0][1] == k):
                continue
            seen: set[bytes] = set()
            for s2, k2, ab, aa, an, ap in mentions:
                if s2 != si or k2 != k:
                    seen.update((ab, aa, an, ap))
            f = attrs.get(k)
            if f is None:
                attrs[k] = sorted(seen)
            else:
                f += sorted(seen)
