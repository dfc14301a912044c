"""Mentions that are no entity of the story, found as repeat offenders on Reuters, BBC and DPG articles.

- results-table codes of wire copy (`Qtly div`, `Oper shr`, `Qtr Net`, `Avg shrs`), the words opening a row of
  such a table (`Net 807,000 vs 2,858,000`), ticker symbols (`<BP>`) and credit ratings in a story that speaks of
  ratings (`A-1`, `Baa-2`, `AAA`);
- words of a headline (a line in capitals or title case, or a short first line over a blank one) that the body
  does not support: `Obama Mocks` is `Obama` where the body names him, nothing where it does not;
- a US state abbreviation without its period (`Mo` in `Ferguson, Mo.`): the period is part of it;
- an organisation or place the article names on its own, run into the end of a person's name (`Tim Matavz
  Vitesse`): the two apart;
- a name written elsewhere in the article as a longer whole (`Forum` `voor` `Democratie` tagged in two pieces);
- names that are dates or common nouns once resolved: months, weekdays, holidays, `TV`, `GMT`, technologies and
  substances (`RFID`, `GPS`, `CO2`), benefit programmes (`Social Security`, `Medicare`), `God` (`thank God`: no
  person of the story);
- a lone "person" that is a known place, written nowhere as a person's surname, is the place where the article
  also writes it as one: after `in`/`near`/`uit`/`te`, after `port of`/`gemeente`, or before a US state
  (`in Ferguson`, `the port of Ningbo`, `FERGUSON, Mo.`).
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from functools import lru_cache

from . import names
from .normalise import aliases, clean_name, name_key, tables

TABLE_CODES = {"qtr", "qtrs", "qtly", "qtrly", "shr", "shrs", "revs", "avg", "oper", "mths", "dlrs", "mln", "bln"}
NOT_NAMES = {name_key(w) for w in set(
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
    rfid gps dna id usb lcd gsm wifi wi-fi co2 hiv aids ivf pdf
    medicare medicaid obamacare
    god
    """.split()
) | {"new year", "new year's day", "new year's eve", "christmas day", "christmas eve", "boxing day", "good friday",
     "easter sunday", "easter monday", "eerste kerstdag", "tweede kerstdag", "goede vrijdag", "semana santa",
     "año nuevo", "valentine's day", "mother's day", "father's day", "social security"}}
RATING = re.compile(r"(?:AAA|AA|A|BBB|BB|B|CCC|Aaa|Aa|Baa|Ba|Caa|P|F)(?:-?[1-3]|[+-])?")  # `A-1`, `Baa-2`, `AA+`
_WORD = re.compile(r"\S+")
_CODE_FORMS = sorted({c.title() for c in TABLE_CODES} | {c.upper() for c in TABLE_CODES})
_LETTERS = re.compile(r"[^\W\d_]{4,}")


def table_code(text: str, start: int, end: int) -> bool:
    """Return whether a mention holds a results-table code of wire copy (`Qtly`, `Oper shr`, `N.Z. Dlrs`)."""
    return any(w.lower().strip(".,") in TABLE_CODES for w in text[start:end].split())


_ROW_VALUE = re.compile(r"[ \t]+(?:(?:loss|profit)[ \t]+)?[-+(]?\d[\d.,]*\)?(?:[ \t]+(?:[a-z]+|[-+(]?\d[\d.,]*\)?|NA))*[ \t]*$",
                        re.M)


def table_row(text: str, start: int, end: int) -> bool:
    """Return whether a mention opens a row of a results table: at the start of a line or after a dateline's dash,
    nothing but figures and words in lower case after it, with `vs`, a unit or a figure in thousands
    (`Net 807,000 vs 2,858,000`, `Net 55.3 mln dlrs vs 51.7 mln dlrs`, `Net 412,737`); a sports table row
    (`Ajax 3 1 0 7`) has none of them."""
    if not (start == 0 or text[start - 1] == "\n" or text[max(0, start - 2):start] == "- "):
        return False
    m = _ROW_VALUE.match(text, end)
    if m is None:
        return False
    rest = m.group(0)
    return " vs" in rest or "," in rest or any(ch.islower() for ch in rest)


def cut_ticker(text: str, start: int, end: int) -> int:
    """Return the end of a mention before a ticker symbol it swallowed (`FORD <F` is `FORD`)."""
    cut = text.find("<", start, end)
    return len(text[start:cut].rstrip()) + start if cut > start else end


def is_headline(text: str, start: int, end: int, total: int) -> bool:
    """Return whether the line text[start:end] is a headline: a short first line above a blank one, or one with
    no digit (a dateline, a table row) in capitals or title case (four in five words of four letters and more
    capitalised, at least three); never a line ending like a sentence, nor one without a body as long
    (`total` characters of text in all)."""
    line = text[start:end].strip()
    if not line or line.endswith((".", "!", "?", ":")) or 2 * len(line) > total:
        return False
    if start == 0 and len(line) < 150 and text.startswith("\n\n", end):
        return True
    if any(ch.isdigit() for ch in line):
        return False  # a dateline, a table row
    if len(line) > 8 and line.isupper():
        return True
    words = _LETTERS.findall(line)
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def headline_lines(text: str) -> list[tuple[int, int]]:
    """Return the spans of the headline lines of a text (see `is_headline`)."""
    out = []
    pos = 0
    total = len(text.strip())
    for line in text.split("\n"):
        if is_headline(text, pos, pos + len(line), total):
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


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
    starts = [s for s, _ in lines]
    inside = []
    for _, s, e in mentions:
        i = bisect_right(starts, s) - 1
        inside.append(i >= 0 and e <= lines[i][1])
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
        spans = [(w.start(), w.end()) for w in _WORD.finditer(text[m[1]:m[2]])]
        best = None
        for size in range(len(spans), 0, -1):
            for i in range(len(spans) - size + 1):
                s, e = m[1] + spans[i][0], m[1] + spans[i + size - 1][1]
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
    wholes: dict[str, dict[str, int]] = {}
    pieces = set()
    for label, s, e in mentions:
        written = text[s:e]
        if " " in written:
            votes = wholes.setdefault(written, {})
            votes[label] = votes.get(label, 0) + 1
        else:
            pieces.add(written)
    if not wholes or not pieces:
        return mentions  # a piece of more than one word is rare enough to leave
    wanted = [w for w in wholes if any(p in pieces for p in w.split())]
    if not wanted:
        return mentions
    # Mentions kept sorted by start, so the ones near a place are found by bisection (a long text has many).
    kept = sorted(mentions, key=lambda m: (m[1], m[2]))
    starts = [m[1] for m in kept]
    longest = max(e - s for _, s, e in mentions)
    spans = {m[1:] for m in mentions}
    changed = False
    for written in sorted(wanted, key=len, reverse=True):
        label = max(sorted(wholes[written]), key=wholes[written].__getitem__)
        longest = max(longest, len(written))
        at = text.find(written)
        while at >= 0:
            end = at + len(written)
            if (at, end) not in spans:  # not already one mention
                lo, hi = bisect_left(starts, at - longest), bisect_left(starts, end)
                near = [i for i in range(lo, hi) if at < kept[i][2]]
                if near and all(at <= kept[i][1] and kept[i][2] <= end for i in near):
                    del kept[near[0]:near[-1] + 1], starts[near[0]:near[-1] + 1]
                    place = bisect_left(starts, at)
                    kept.insert(place, (label, at, end))
                    starts.insert(place, at)
                    spans.add((at, end))
                    changed = True
            at = text.find(written, end)
    return kept if changed else mentions


PLACE_BEFORE = (  # words written before a place: `in Ferguson`, `the port of Ningbo`, `de gemeente Gemert-Bakel`
    r"(?:[Ii]n|[Nn]ear|[Aa]t|[Uu]it|[Tt]e|[Nn]aar|[Nn]abij|"
    r"(?:[Pp]ort|[Cc]ity|[Tt]own|[Vv]illage|[Pp]rovince|[Cc]ounty|[Ss]uburb)[ \t]+of|"
    r"[Gg]emeente|[Ss]tad|[Dd]orp|[Pp]rovincie|[Hh]aven)"
)
_STATE = re.compile(r",[ \t]+([A-Z][A-Za-z.]{1,5}\.?)")


def _place_evidence(text: str, word: str) -> bool:
    """Whether the article writes `word` as a place: after a locative word, or before a state (`Ferguson, Mo.`)."""
    flags = re.I if word.isupper() else 0  # `FERGUSON` in a dateline: `in Ferguson` in the story
    pattern = re.compile(rf"(?<![\w-]){PLACE_BEFORE}[ \t\n]+{re.escape(word)}(?![\w'’-])", flags)
    if pattern.search(text):
        return True
    for m in re.finditer(rf"(?<![\w-]){re.escape(word)}(?=,)", text, re.I):
        state = _STATE.match(text, m.end())
        if state and names.state_name(state.group(1)):
            return True
    return False


def places_not_persons(text: str, mentions: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Make a one-word person that is a known place and that the article writes as a place (see `_place_evidence`)
    a place, unless the article names a person with it as surname (`Alex Ferguson`) or the alias file a person."""
    from .fallback import resources  # the fallback's place and given-name lists, loaded once

    places, given = resources()[:2]
    surnames = {name_key(text[s:e].split()[-1]) for label, s, e in mentions if label == "PER" and " " in text[s:e]}
    labels = tables().labels
    found: dict[str, bool] = {}
    out = []
    for label, s, e in mentions:
        word = text[s:e]
        if label == "PER" and word.isalpha() and word[:1].isupper():
            key = name_key(word)
            if key not in found:
                found[key] = (
                    key in places and word.title() not in given and key not in surnames
                    and labels.get(key) != "PER" and _place_evidence(text, word)
                )
            if found[key]:
                label = "LOC"
        out.append((label, s, e))
    return out


def split_tails(text: str, mentions: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Cut a name the article writes on its own as an organisation or place off the end of a person of three
    words and more: `invaller Tim Matavz Vitesse op een voorsprong` is Tim Matavz and the club Vitesse."""
    alone: dict[str, Counter[str]] = {}
    for label, s, e in mentions:
        if label in ("ORG", "LOC") and " " not in text[s:e]:
            alone.setdefault(text[s:e], Counter())[label] += 1
    if not alone:
        return mentions
    out = []
    for label, s, e in mentions:
        words = text[s:e].split()
        if label == "PER" and len(words) >= 3 and words[-1] in alone:
            cut = s + text[s:e].rindex(words[-1])
            out.append((label, s, s + len(text[s:cut].rstrip())))
            label, s = alone[words[-1]].most_common(1)[0][0], cut
        out.append((label, s, e))
    return out


def clean(text: str, mentions: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Return the mentions without table codes and tickers, with headlines supported and names written whole, a
    state abbreviation with its period and places voted (see `places_not_persons`)."""
    codes = any(code in text for code in _CODE_FORMS)  # a mention's words are capitalised
    tickers = "<" in text
    rated = "rat" in text  # `rated`, `rating`: credit ratings are written like names
    out = []
    for label, s, e in mentions:
        if codes and (table_code(text, s, e) or table_row(text, s, e)):
            continue
        if rated and RATING.fullmatch(text, s, e):
            continue
        if tickers:
            e = cut_ticker(text, s, e)
        if label == "LOC" and text[e:e + 1] == "." and text[e - 1:e].isalpha() and names.state_name(text[s:e]):
            e += 1  # `Ferguson, Mo.`: the abbreviation's period is part of the name
        if e > s:
            out.append((label, s, e))
    return places_not_persons(text, whole_names(text, supported_headlines(text, split_tails(text, out))))


def not_a_name(name: str) -> bool:
    """Return whether a resolved name is a month, weekday, holiday or common noun, not an entity."""
    return name_key(name) in NOT_NAMES
