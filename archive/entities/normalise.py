"""Give each mention a normalised name: cut titles off, fold case and accents for matching, drop a person's
middle initials and suffix, spell out US states, resolve short person mentions to the full name used in the
same article, keep the best written form (not one in capitals), apply aliases.

The alias file has one entity per line, `Key name | alias | alias ...`, optionally opened by
its type (`PER: Mark Rutte | Rutte`), which then overrides the model's label; `#` starts a comment.
A name may say which language it is the entity's name in (`LOC: Londen | en=London | fr=Londres`):
the archive stores the key and shows each reader that name (see `languages.py`).
The shipped default is `aliases.txt` beside this module; the environment variable ARCHIVE_ALIASES
points to another file. The CLDR lines of `aliases.cldr.txt` (countries, continents, EU, UN, major cities in
en/nl/fr/de/es, written by `cldr.py`) are always read after it: a CLDR line sharing a name with a line of the
alias file joins that line (its key and type); the others rename places and organisations, never a person.
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
from . import names
from .tokenize import ABBREVIATIONS

log = logging.getLogger(__name__)

DEFAULT_ALIASES = Path(__file__).with_name("aliases.txt")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_EDGE = "\"'“”‘’«»()[]{},.;:!?"
_PARTNERS = re.compile(r"[ ](?:and|&)[ ]\S+'s$")  # `Standard and Poor's`: the firm's name, no possessive


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Return the matching key of a name: casefolded, accents stripped, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.replace("’", "'").casefold().split())


def clean_name(text: str) -> str:
    """Return a mention's written form without edge punctuation, possessive `'s` (not that of a firm named for
    partners: `Standard and Poor's`) or line breaks, with a straight apostrophe (`Bassin d’Arcachon` and
    `Bassin d'Arcachon` are one name).

    The period of an abbreviation stays: `U.S.`, `E.U.`, `Inc.`, `Jr.`.
    """
    text = text.replace("’", "'")
    name = " ".join(text.split()).strip(_EDGE)
    if len(name) > 3 and not _PARTNERS.search(name):
        name = _POSSESSIVE.sub("", name)
    name = name.strip(_EDGE)
    if name and text.rstrip().rstrip(_EDGE.replace(".", "")).endswith(name + "."):
        last = name.rsplit(" ", 1)[-1]
        if "." in last or last in ABBREVIATIONS:
            name += "."
    return name or " ".join(text.split())


LABELS = ("PER", "ORG", "LOC", "MISC")
LANGUAGES = ("en", "nl", "fr", "de", "es")  # the languages an alias line may name (`en=London`)
CLDR_ALIASES = Path(__file__).with_name("aliases.cldr.txt")
_LANG_TAG = re.compile(r"^([a-z]{2})=\s*(.+)$")

AliasLine = tuple[str | None, list[str], dict[str, str]]  # label or None, names (the key first), language -> name


def _alias_lines(path: str) -> list[AliasLine]:
    """Read an alias file into (label or None, names, names by language) per entity line; a line may open with
    `PER:` etc., a name with its language (`fr=Londres`)."""
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
        names: list[str] = []
        by_lang: dict[str, str] = {}
        for n in (n.strip() for n in line.split("|")):
            tagged = _LANG_TAG.match(n)
            if tagged:
                n = tagged.group(2).strip()
                by_lang.setdefault(tagged.group(1), n)
            if n:
                names.append(n)
        if names:
            out.append((label, names, by_lang))
    return out


class AliasTables:
    """The alias file joined with the CLDR lines: key -> key name for the alias file's entities (CLDR names of
    the same entities included), the same for the CLDR-only places and organisations, each entity's names by
    language (under its key's matching key) and the labels the alias file gives."""

    def __init__(self, path: str, cldr: str) -> None:
        self.aliases: dict[str, str] = {}
        self.places: dict[str, str] = {}
        self.languages: dict[str, dict[str, str]] = {}
        self.labels: dict[str, str] = {}
        for label, names, by_lang in _alias_lines(path):
            for n in names:
                self.aliases.setdefault(name_key(n), names[0])
            if label:
                self.labels[name_key(names[0])] = label
            self.languages.setdefault(name_key(names[0]), {}).update(
                {lang: n for lang, n in by_lang.items() if lang not in self.languages.get(name_key(names[0]), {})})
        for label, names, by_lang in _alias_lines(cldr) if cldr else []:
            joined = next((self.aliases[name_key(n)] for n in names if name_key(n) in self.aliases), None)
            table, key = (self.aliases, joined) if joined else (self.places, names[0])
            for n in names:
                if name_key(n) not in self.aliases:
                    table.setdefault(name_key(n), key)
            own = self.languages.setdefault(name_key(key), {})
            for lang, n in by_lang.items():
                own.setdefault(lang, n)
            if label and not joined:
                self.labels[name_key(key)] = label

    def key_name(self, name: str) -> str | None:
        """Return the key name of the entity a name is one of the names of, or None."""
        k = name_key(name)
        return self.aliases.get(k) or self.places.get(k)


@lru_cache(maxsize=8)
def alias_tables(path: str, cldr: str = str(CLDR_ALIASES)) -> AliasTables:
    return AliasTables(path, cldr)


@lru_cache(maxsize=8)
def load_aliases(path: str) -> dict[str, str]:
    """Read an alias file into key -> key name (the first name on each line), CLDR names of its entities included."""
    return alias_tables(path).aliases


@lru_cache(maxsize=8)
def load_alias_labels(path: str) -> dict[str, str]:
    """Read an alias file into key-name key -> label, for the lines that give one."""
    return alias_tables(path).labels


def _alias_path() -> str:
    return os.environ.get("ARCHIVE_ALIASES") or str(DEFAULT_ALIASES)


def aliases() -> dict[str, str]:
    """Return the alias table in force (ARCHIVE_ALIASES or the shipped default, joined with the CLDR lines)."""
    return load_aliases(_alias_path())


def tables() -> AliasTables:
    """Return every alias table in force."""
    return alias_tables(_alias_path())


def canonical_name(name: str) -> str:
    """Return the key name for a user-typed or written name, after aliases (in any of the entity's languages)."""
    clean = clean_name(name)
    return tables().key_name(clean) or clean


def _best_form(forms: Counter[str]) -> str:
    """Pick the display form: not all capitals (a dateline, a headline), then most frequent, then longest,
    then first written."""
    return max(forms, key=lambda f: (not f.isupper(), forms[f], len(f)))


def _display_case(name: str, label: str, at_line_start: bool) -> str:
    """Return a place written only in capitals in title case where it is a known place or opens a line (a dateline)."""
    if label != "LOC" or not name.isupper() or (len(name) < 5 and " " not in name):
        return name
    from .fallback import resources  # the fallback's place list, loaded once

    titled = names.title_case(name)
    return titled if at_line_start or name_key(titled) in resources()[0] else name


def _full_names(items: list[tuple[str, int, int, str, str, str]]) -> dict[str, dict[str, list[int]]]:
    """Index the article's multi-word person names by their last word(s) (surname, `de Mistura`):
    tail -> full name key -> start offsets of that key's mentions; full names in order of first mention."""
    starts: dict[str, list[int]] = defaultdict(list)
    for it in items:
        starts[it[5]].append(it[1])
    full: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for label, _, _, _, _, key in items:  # in text order: no set order decides anything
        if label != "PER":
            continue
        words = key.split()
        for i in range(1, len(words)):
            full[" ".join(words[i:])].setdefault(key, starts[key])
    return full


def _full_name(names: dict[str, list[int]], at: int) -> str:
    """Return the full name a short mention at offset `at` stands for: the most mentioned; among equals the
    one named last before it (after `Hillary Clinton ... Bill Clinton`, `Clinton` is Bill), else the first named."""
    most = max(len(s) for s in names.values())
    tied = [k for k, s in names.items() if len(s) == most]
    before = [(max(p for p in names[k] if p < at), k) for k in tied if names[k][0] < at]
    return max(before)[1] if before else min(tied, key=lambda k: names[k][0])


def _items(text: str, mentions: list[tuple[str, int, int]], lang: str | None) -> list[tuple[str, int, int, str, str, str]]:
    """Return (label, start, end, written, clean form, key) per mention: titles cut off (a titled mention is a
    person), a person's middle initials and suffix dropped from the form, US state abbreviations spelled out."""
    table = aliases()
    titles = names.titles_in(text, lang)
    items = []
    for label, start, end in sorted(mentions, key=lambda m: (m[1], m[2], m[0])):
        start, titled = names.strip_title(text, start, end, lang, titles)
        if titled:
            label = "PER"
        if label in ("ORG", "MISC") and text[start:start + 4] in ("The ", "the ") and _article_before(
                name_key(text[start + 4:end]), table):
            start += 4  # `The Treasury said`, `The Group of Seven`: the sentence's article is no part of the name
        written = text[start:end]
        clean = clean_name(written)
        if clean[-2:-1] == " " and clean[-1:].isupper() and text[end:end + 1] == ".":
            clean += "."  # `Michael P.` whether the sentence ends there or not
        if not clean or not any(ch.isalnum() for ch in clean):
            continue
        if label == "PER" and name_key(clean) not in table:  # the alias file may keep `George W. Bush`
            clean = names.person_form(clean)
        elif label == "ORG" and name_key(clean) not in table:
            clean = names.company_form(clean)
        elif label == "LOC" and lang in ("en", None):
            clean = names.state_name(clean) or clean
        items.append((label, start, end, written, clean, name_key(clean)))
    return items


def _article_before(rest: str, table: dict[str, str]) -> bool:
    """Whether `The` before a body's name is the sentence's and not the name's (`The Hague`, `The Huffington Post`
    keep it): before a body's common or short name, or a name the alias file knows without `The` only."""
    return rest in BODY_NOUNS or (rest in table and "the " + rest not in table)


def _acronyms(items: list[tuple[str, int, int, str, str, str]]) -> dict[str, str]:
    """Map acronyms to the one multi-word organisation name of the article they abbreviate (`IMF` ->
    `international monetary fund`, `FvD` -> `forum voor democratie`); an acronym of two names maps to none."""
    found: dict[str, set[str]] = defaultdict(set)
    for label, _, _, _, clean, key in items:
        if label == "ORG" and " " in key:
            for acronym in names.initials(clean):
                found[acronym].add(key)
    return {a: next(iter(keys)) for a, keys in found.items() if len(keys) == 1}


def _heads(items: list[tuple[str, int, int, str, str, str]]) -> dict[str, str]:
    """Map the first word of the article's multi-word person and organisation names to the one name it opens
    (`Thierry` -> `thierry baudet`, `Forum` -> `forum voor democratie`); a word opening two names maps to none."""
    found: dict[str, set[str]] = defaultdict(set)
    for label, _, _, _, _, key in items:
        if label in ("PER", "ORG") and " " in key:
            found[key.split(" ", 1)[0]].add(key)
    return {head: next(iter(keys)) for head, keys in found.items() if len(keys) == 1}


GENERIC_BODIES = {  # a body's common noun alone: the name the article gives it in full, or no name at all
    "bank", "central bank", "commission", "committee", "council", "ministry", "department", "agency", "board",
    "authority", "company", "corporation", "group", "fund", "institute", "association", "federation",
    "commissie", "ministerie", "centrale bank",
}
SHORT_BODIES = {"treasury", "senate", "house", "kamer"}  # a body's short name: the full one where the article has it
BODY_NOUNS = GENERIC_BODIES | SHORT_BODIES


def _bodies(items: list[tuple[str, int, int, str, str, str]]) -> dict[str, dict[str, list[int]]]:
    """Index the article's multi-word organisation names by the generic or short body name inside them (`Bank`
    in `Bank of England`, `Treasury` in `U.S. Treasury`): word -> full name key -> its mentions' starts."""
    found: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for label, start, _, _, _, key in items:
        if label != "ORG" or " " not in key or key in GENERIC_BODIES:
            continue
        padded = f" {key} "
        for word in BODY_NOUNS:
            if f" {word} " in padded:
                found[word].setdefault(key, []).append(start)
    return found


def resolve(text: str, mentions: list[tuple[str, int, int]], lang: str | None = None) -> list[Entity]:
    """Turn (label, start, end) mentions of one article into entities with normalised names, in text order."""
    every = tables()
    table, places, labels = every.aliases, every.places, every.labels
    items = _items(text, mentions, lang)
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for it in items:
        forms[it[5]][it[4]] += 1
    full = _full_names(items)
    per_keys = {it[5] for it in items if it[0] == "PER"}
    heads = _heads(items)
    acronyms = _acronyms(items)
    label_of = {it[5]: it[0] for it in items}
    bodies = _bodies(items)
    out = []
    for label, start, end, written, clean, key in items:
        target = key
        if label == "ORG" and key in bodies and key not in table:
            target = _full_name(bodies[key], start)  # `the Bank` after `Bank of England`
        elif label == "ORG" and key in GENERIC_BODIES and key not in table:
            continue  # `the Commission`, `Central Bank` and nothing to say which
        if key.endswith("s") and key not in per_keys and key not in full and key not in table and (
            key[:-1] in full or key[:-1] in per_keys
        ):
            key, label = key[:-1], "PER"  # Dutch genitive: `Baudets partij` is Baudet's
            target = _full_name(full[key], start) if key in full else key
        elif key in full and (key not in table or name_key(table[key]) not in full[key]):
            target = _full_name(full[key], start)  # the article's own `James Brown` before the alias file's
            label = "PER"  # `Brown | Gordon Brown`
        elif key in acronyms and key not in table and sum(ch.isupper() for ch in clean) >= 2:
            target, label = acronyms[key], "ORG"  # `IMF` after `International Monetary Fund`
        elif label == "PER" and key in heads and key not in table:  # a first name alone, or `Forum` taken for one
            target = heads[key]
            label = label_of[target]
        name = _best_form(forms[target])
        if label == "LOC" and name.isupper():
            name = _display_case(name, label, start == 0 or text[start - 1] == "\n")
        name = table.get(name_key(name)) or (label != "PER" and places.get(name_key(name))) or name
        label = labels.get(name_key(name), label)  # the alias file knows what this entity is
        out.append(Entity(label=label, start=start, end=end, text=text[start:end], name=name))
    return out
