"""Mentions that are no entity of the story, found as repeat offenders on Reuters, BBC and DPG articles.

- results-table codes of wire copy (`Qtly div`, `Oper shr`, `Qtr Net`, `Avg shrs`) and ticker symbols (`<BP>`);
- words of a headline (a line in capitals or title case, or a short first line over a blank one) that the body
  does not support: `Obama Mocks` is `Obama` where the body names him, nothing where it does not;
- a name written elsewhere in the article as a longer whole (`Forum` `voor` `Democratie` tagged in two pieces);
- names that are dates or common nouns once resolved: months, weekdays, holidays, `TV`, `GMT`.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from .normalise import aliases, clean_name, name_key

TABLE_CODES = {"qtr", "qtrs", "qtly", "shr", "shrs", "revs", "avg", "oper", "mths", "dlrs", "mln", "bln"}
NOT_NAMES = set(
    """
    january february march april june july august september october november december jan feb apr jun jul aug sep
    sept oct nov dec januari februari maart mei juli augustus janvier février avril juin juillet août septembre
    octobre novembre décembre januar februar märz dezember enero febrero marzo abril junio julio agosto septiembre
    octubre noviembre diciembre
    monday tuesday wednesday thursday friday saturday sunday maandag dinsdag woensdag donderdag vrijdag zaterdag
    zondag lundi mardi mercredi jeudi vendredi samedi dimanche montag dienstag mittwoch donnerstag freitag samstag
    sonntag lunes martes miércoles jueves viernes sábado domingo
    christmas xmas easter whitsun thanksgiving halloween kerstmis kerst pasen pinksteren hemelvaart nieuwjaar
    oudejaarsavond oudjaar koningsdag sinterklaas noël pâques pentecôte toussaint weihnachten ostern pfingsten
    silvester navidad nochebuena nochevieja pascua
    tv pc pcs mp mps mep meps ceo ceos gmt dvd dvds cd cds sms gdp bnp btw
    """.split()
) | {"new year", "new year's day", "new year's eve", "christmas day", "christmas eve", "boxing day", "good friday",
     "easter sunday", "easter monday", "eerste kerstdag", "tweede kerstdag", "goede vrijdag", "semana santa",
     "año nuevo", "valentine's day", "mother's day", "father's day"}
_WORD = re.compile(r"\S+")
_LETTERS = re.compile(r"[^\W\d_]{4,}")


def table_code(text: str, start: int, end: int) -> bool:
    """Return whether a mention holds a results-table code of wire copy (`Qtly`, `Oper shr`, `N.Z. Dlrs`)."""
    return any(w.lower().strip(".,") in TABLE_CODES for w in text[start:end].split())


def cut_ticker(text: str, start: int, end: int) -> int:
    """Return the end of a mention before a ticker symbol it swallowed (`FORD <F` is `FORD`)."""
    cut = text.find("<", start, end)
    return len(text[start:cut].rstrip()) + start if cut > start else end


def headline_lines(text: str) -> list[tuple[int, int]]:
    """Return the spans of headline lines, none ending like a sentence: in capitals or title case (four in five
    words of four letters and more capitalised, at least three), or a short first line above a blank one;
    none where they would be half the text."""
    out = []
    pos = 0
    for i, line in enumerate(text.split("\n")):
        words = _LETTERS.findall(line)
        caps = sum(w[0].isupper() for w in words)
        bare = line.strip()
        ends = bare.endswith((".", "!", "?", ":"))
        first = i == 0 and 0 < len(bare) < 150 and text[pos + len(line):pos + len(line) + 2] == "\n\n"
        if not ends and (first or (len(words) >= 3 and caps >= 0.8 * len(words)) or (len(bare) > 8 and bare.isupper())):
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out if 2 * sum(e - s for s, e in out) < len(text.strip()) else []  # a headline needs a body


@lru_cache(maxsize=65536)
def _plain_key(written: str) -> str:
    return name_key(clean_name(written))


def _key(written: str, table: dict[str, str]) -> str:
    """Return the matching key of a written name after aliases (`US` and `U.S.` meet)."""
    key = _plain_key(written)
    alias = table.get(key)
    return name_key(alias) if alias else key


def supported_headlines(text: str, mentions: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Keep a headline mention only as far as the body supports it: its longest run of words that the body names
    too (a person's surname counts), or nothing."""
    lines = headline_lines(text)
    if not lines:
        return mentions
    inside = [any(s <= m[1] and m[2] <= e for s, e in lines) for m in mentions]
    if not any(inside):
        return mentions
    table = aliases()
    support: set[str] = set()
    for m, head in zip(mentions, inside):
        if not head:
            key = _key(text[m[1]:m[2]], table)
            support.add(key)
            words = key.split()
            if m[0] == "PER":
                support.update(" ".join(words[i:]) for i in range(1, len(words)))
    out = []
    for m, head in zip(mentions, inside):
        if not head:
            out.append(m)
            continue
        words = [(w.start(), w.end()) for w in _WORD.finditer(text[m[1]:m[2]])]
        best = None
        for size in range(len(words), 0, -1):
            for i in range(len(words) - size + 1):
                s, e = m[1] + words[i][0], m[1] + words[i + size - 1][1]
                if _key(text[s:e], table) in support:
                    best = (m[0], s, e)
                    break
            if best:
                break
        if best:
            out.append(best)
    return out


def whole_names(text: str, mentions: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Make a name the article writes elsewhere as one multi-word mention one mention wherever it is written:
    the pieces tagged inside it give way, and it takes the label most of its whole mentions have."""
    wholes: dict[str, Counter[str]] = {}
    for label, s, e in mentions:
        written = text[s:e]
        if " " in written.strip():
            wholes.setdefault(written, Counter())[label] += 1
    if not wholes:
        return mentions
    kept = list(mentions)
    for written in sorted(wholes, key=len, reverse=True):
        label = max(sorted(wholes[written]), key=lambda k: wholes[written][k])
        at = text.find(written)
        while at >= 0:
            end = at + len(written)
            near = [m for m in kept if m[1] < end and at < m[2]]
            if near and all(at <= m[1] and m[2] <= end for m in near) and not any(m[1:] == (at, end) for m in near):
                kept = [m for m in kept if m not in near] + [(label, at, end)]
            at = text.find(written, end)
    return sorted(kept, key=lambda m: (m[1], m[2]))


def clean(text: str, mentions: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Return the mentions without table codes and tickers, with headlines supported and names written whole."""
    out = []
    for label, s, e in mentions:
        if table_code(text, s, e):
            continue
        e = cut_ticker(text, s, e)
        if e > s:
            out.append((label, s, e))
    return whole_names(text, supported_headlines(text, out))


def not_a_name(name: str) -> bool:
    """Return whether a resolved name is a month, weekday, holiday or common noun, not an entity."""
    return name_key(name) in NOT_NAMES
