"""Read CoNLL-2002/2003 NER files (as BIO) and score tag sequences by exact entity spans."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

FILES = {
    "nl": ("conll2002", "ned"),
    "es": ("conll2002", "esp"),
    "en": ("conll2003", "eng"),
}

Sentence = tuple[list[str], list[str]]


def data_file(data: Path, lang: str, part: str) -> Path:
    """Return the path of one CoNLL split (`train`, `testa` or `testb`) for a language."""
    folder, stem = FILES[lang]
    return Path(data) / folder / f"{stem}.{part}"


def iob1_to_bio(tags: list[str]) -> list[str]:
    """Convert IOB1 tags (B- only between adjacent same-type entities) to BIO."""
    out = []
    prev = "O"
    for tag in tags:
        if tag.startswith("I-") and (prev == "O" or prev[2:] != tag[2:]):
            tag = "B-" + tag[2:]
        out.append(tag)
        prev = tag
    return out


def bio_to_bilou(tags: list[str]) -> list[str]:
    """Convert BIO tags to BILOU: the last word of a name is L-, a one-word name U- (trains sharper ends)."""
    out = []
    for i, tag in enumerate(tags):
        if tag == "O":
            out.append(tag)
            continue
        nxt = tags[i + 1] if i + 1 < len(tags) else "O"
        goes_on = nxt.startswith("I-") and nxt[2:] == tag[2:]
        if tag.startswith("B-"):
            out.append(("B-" if goes_on else "U-") + tag[2:])
        else:
            out.append(("I-" if goes_on else "L-") + tag[2:])
    return out


def bilou_to_bio(tags: list[str]) -> list[str]:
    """Convert BILOU tags back to BIO (U- opens a name, L- continues one)."""
    return ["B-" + t[2:] if t[:2] == "U-" else "I-" + t[2:] if t[:2] == "L-" else t for t in tags]


def read_conll(path: Path, iob1: bool | None = None) -> list[list[Sentence]]:
    """Read a CoNLL file into documents of (words, BIO tags) sentences."""
    if iob1 is None:
        iob1 = Path(path).name.startswith("eng.")
    docs: list[list[Sentence]] = [[]]
    words: list[str] = []
    tags: list[str] = []

    def flush() -> None:
        if words:
            docs[-1].append((list(words), iob1_to_bio(tags) if iob1 else list(tags)))
            words.clear()
            tags.clear()

    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            parts = line.split()
            if not parts:
                flush()
            elif parts[0] == "-DOCSTART-":
                flush()
                if docs[-1]:
                    docs.append([])
            else:
                words.append(parts[0])
                tags.append(parts[-1])
    flush()
    if len(docs) == 1 and Path(path).name.startswith("esp."):
        docs = split_datelines(docs[0])
    return [d for d in docs if d]


def split_datelines(sents: list[Sentence]) -> list[list[Sentence]]:
    """Split CoNLL-2002 Spanish (no -DOCSTART- lines) into articles at `( EFE )` dateline sentences."""
    docs: list[list[Sentence]] = [[]]
    for words, tags in sents:
        head = words[:14]
        if docs[-1] and "EFE" in head and "(" in head:
            docs.append([])
        docs[-1].append((words, tags))
    return docs


def spans(tags: list[str]) -> set[tuple[int, int, str]]:
    """Return the entity spans (start, end, type) of a BIO sequence; a stray I- starts an entity."""
    out = set()
    start, kind = -1, ""
    for i, tag in enumerate(list(tags) + ["O"]):
        if tag == "O" or tag.startswith("B-") or tag[2:] != kind:
            if kind:
                out.add((start, i, kind))
            start, kind = (i, tag[2:]) if tag != "O" else (-1, "")
    return out


@dataclass
class Score:
    """Exact-span true positives, guesses and gold counts per entity type."""

    tp: Counter = field(default_factory=Counter)
    guessed: Counter = field(default_factory=Counter)
    gold: Counter = field(default_factory=Counter)

    def add(self, gold_tags: list[str], guess_tags: list[str]) -> None:
        """Count one sentence."""
        g, p = spans(gold_tags), spans(guess_tags)
        for s in g:
            self.gold[s[2]] += 1
        for s in p:
            self.guessed[s[2]] += 1
        for s in g & p:
            self.tp[s[2]] += 1

    def prf(self, kind: str | None = None) -> tuple[float, float, float]:
        """Return precision, recall and F1 for one type, or overall when `kind` is None."""
        if kind is None:
            tp, gs, gd = sum(self.tp.values()), sum(self.guessed.values()), sum(self.gold.values())
        else:
            tp, gs, gd = self.tp[kind], self.guessed[kind], self.gold[kind]
        p = tp / gs if gs else 0.0
        r = tp / gd if gd else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)
