"""Give each mention a normalised name: fold case and accents for matching, resolve short person
mentions to the full name used in the same article, keep the best written form, apply aliases.

The alias file has one entity per line, `Display name | alias | alias ...`, optionally opened by
its type (`PER: Mark Rutte | Rutte`), which then overrides the model's label; `#` starts a comment.
The shipped default is `aliases.txt` beside this module; the environment variable ARCHIVE_ALIASES
points to another file.
"""
from __future__ import annotations

import logging
import os
import re
import unicodedata
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

from ..model import Entity
from .tokenize import ABBREVIATIONS

log = logging.getLogger(__name__)

DEFAULT_ALIASES = Path(__file__).with_name("aliases.txt")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_EDGE = "\"'“”‘’«»()[]{},.;:!?"


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Return the matching key of a name: casefolded, accents stripped, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.replace("’", "'").casefold().split())


def clean_name(text: str) -> str:
    """Return a mention's written form without edge punctuation, possessive `'s` or line breaks.

    The period of an abbreviation stays: `U.S.`, `E.U.`, `Inc.`, `Jr.`.
    """
    name = " ".join(text.split()).strip(_EDGE)
    if len(name) > 3:
        name = _POSSESSIVE.sub("", name)
    name = name.strip(_EDGE)
    if name and text.rstrip().rstrip(_EDGE.replace(".", "")).endswith(name + "."):
        last = name.rsplit(" ", 1)[-1]
        if "." in last or last in ABBREVIATIONS:
            name += "."
    return name or " ".join(text.split())


LABELS = ("PER", "ORG", "LOC", "MISC")


def _alias_lines(path: str) -> list[tuple[str | None, list[str]]]:
    """Read an alias file into (label or None, names) per entity line; a line may open with `PER:` etc."""
    p = Path(path)
    if not p.exists():
        log.warning("alias file %s does not exist", path)
        return []
    out = []
    for line in p.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0]
        label = None
        head, colon, rest = line.partition(":")
        if colon and head.strip() in LABELS:
            label, line = head.strip(), rest
        names = [n.strip() for n in line.split("|") if n.strip()]
        if names:
            out.append((label, names))
    return out


@lru_cache(maxsize=8)
def load_aliases(path: str) -> dict[str, str]:
    """Read an alias file into key -> display name (the first name on each line)."""
    table: dict[str, str] = {}
    for _, names in _alias_lines(path):
        for n in names:
            table.setdefault(name_key(n), names[0])
    return table


@lru_cache(maxsize=8)
def load_alias_labels(path: str) -> dict[str, str]:
    """Read an alias file into display-name key -> label, for the lines that give one."""
    return {name_key(names[0]): label for label, names in _alias_lines(path) if label}


def _alias_path() -> str:
    return os.environ.get("ARCHIVE_ALIASES") or str(DEFAULT_ALIASES)


def aliases() -> dict[str, str]:
    """Return the alias table in force (ARCHIVE_ALIASES or the shipped default)."""
    return load_aliases(_alias_path())


def canonical_name(name: str) -> str:
    """Return the display name for a user-typed or written name, after aliases."""
    clean = clean_name(name)
    return aliases().get(name_key(clean), clean)


def _best_form(forms: Counter[str]) -> str:
    """Pick the display form: most frequent, then not all capitals, then longest."""
    return max(forms, key=lambda f: (forms[f], not f.isupper(), len(f)))


def resolve(text: str, mentions: list[tuple[str, int, int]]) -> list[Entity]:
    """Turn (label, start, end) mentions of one article into entities with normalised names."""
    table = aliases()
    labels = load_alias_labels(_alias_path())
    items: list[tuple[str, int, int, str, str, str]] = []
    for label, start, end in mentions:
        written = text[start:end]
        clean = clean_name(written)
        if clean[-2:-1] == " " and clean[-1:].isupper() and text[end:end + 1] == ".":
            clean += "."  # `Michael P.` whether the sentence ends there or not
        if not clean or not any(ch.isalnum() for ch in clean):
            continue
        items.append((label, start, end, written, clean, name_key(clean)))
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for it in items:
        forms[it[5]][it[4]] += 1
    # A person's full names, indexed by their last word and by their last words (surname, "de Mistura").
    full: dict[str, Counter[str]] = defaultdict(Counter)
    per_keys = {it[5] for it in items if it[0] == "PER"}
    for key in per_keys:
        words = key.split()
        for i in range(1, len(words)):
            full[" ".join(words[i:])][key] += sum(forms[key].values())
    out = []
    for label, start, end, written, clean, key in items:
        target = key
        if key.endswith("s") and key not in per_keys and key not in full and key not in table and (
            key[:-1] in full or key[:-1] in per_keys
        ):
            key, label = key[:-1], "PER"  # Dutch genitive: `Baudets partij` is Baudet's
            target = full[key].most_common(1)[0][0] if key in full else key
        elif key in full and key not in table:
            target = full[key].most_common(1)[0][0]
            label = "PER"
        name = _best_form(forms[target])
        name = table.get(name_key(name), name)
        label = labels.get(name_key(name), label)  # the alias file knows what this entity is
        out.append(Entity(label=label, start=start, end=end, text=written, name=name))
    return out
