"""Written forms of a name that point to one entity: a title before a person's name (`Mr.`, `Lord`, `mevrouw`,
`Mme`, `Herr`, `Sra.`), middle initials and generational suffixes inside it (`Robert S. Mueller III` is
`Robert Mueller`), US state abbreviations (`Calif.` is California), party-and-state tags (`D-N.Y.`, no
place) and places written in capitals in a dateline or headline (`WASHINGTON` is Washington).
"""
from __future__ import annotations

import re
from functools import lru_cache

HONORIFICS = {  # titles that stand before a person's name and are no part of it; M. and Don only where they are titles
    "": "mr mrs ms dr prof sen senator rep gov pres president sir lord baroness dame rev gen col lt sgt capt adm "
        "supt insp",
    "en": "",
    "nl": "meneer mevrouw mevr dhr mw mr drs ir ing",
    "fr": "m mme mlle monsieur madame mademoiselle me mgr",
    "de": "herr frau",
    "es": "sr sra srta señor señora señorita don doña dña",
}
SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "junior"}
_INITIAL = re.compile(r"^(?:[A-Z]\.?|(?:[A-Z]\.){2,3})$")  # S, S., H.W.
PARTY_TAG = re.compile(r"(?<![\w-])[DRI]-(?:[A-Z][a-z]*\.?){1,3}(?![\w-])")  # D-N.Y., R-Calif., I-Vt., D-Texas
US_STATES = {  # AP abbreviations (and the common Reuters forms without the period)
    "ala": "Alabama", "ariz": "Arizona", "ark": "Arkansas", "calif": "California", "cal": "California",
    "colo": "Colorado", "conn": "Connecticut", "del": "Delaware", "fla": "Florida", "ga": "Georgia",
    "ill": "Illinois", "ind": "Indiana", "kan": "Kansas", "kans": "Kansas", "ky": "Kentucky", "la": "Louisiana",
    "md": "Maryland", "mass": "Massachusetts", "mich": "Michigan", "minn": "Minnesota", "miss": "Mississippi",
    "mo": "Missouri", "mont": "Montana", "neb": "Nebraska", "nebr": "Nebraska", "nev": "Nevada",
    "n.h": "New Hampshire", "n.j": "New Jersey", "n.m": "New Mexico", "n.y": "New York", "n.c": "North Carolina",
    "n.d": "North Dakota", "okla": "Oklahoma", "ore": "Oregon", "pa": "Pennsylvania", "penn": "Pennsylvania",
    "r.i": "Rhode Island", "s.c": "South Carolina", "s.d": "South Dakota", "tenn": "Tennessee", "tex": "Texas",
    "vt": "Vermont", "va": "Virginia", "wash": "Washington State", "w.va": "West Virginia", "wis": "Wisconsin",
    "wisc": "Wisconsin", "wyo": "Wyoming", "d.c": "Washington",
}
COMPANY_FORMS = {"inc", "corp", "co", "cos", "ltd", "plc", "llc", "nv", "n.v", "bv", "ag", "sa", "s.a", "gmbh", "pty", "lp", "l.p"}
LOWER_PARTICLES = {"de", "la", "du", "des", "del", "van", "von", "der", "den", "da", "di", "of", "and", "upon", "on"}


@lru_cache(maxsize=None)
def honorifics(lang: str | None) -> frozenset[str]:
    """Return the lowercase title words (no period) of a language, plus those every language shares."""
    return frozenset((HONORIFICS[""] + " " + HONORIFICS.get(lang or "", "")).split())


@lru_cache(maxsize=None)
def _title_pattern(lang: str | None) -> re.Pattern[str]:
    """Return the pattern of a language's titles: capitalised, and in lower case too where they are whole words
    of that language (`mevrouw`, `madame`); case-sensitive, as that is three times faster."""
    forms = {w.capitalize() for w in honorifics(lang)}
    forms |= {w for w in HONORIFICS.get(lang or "", "").split() if len(w) > 4}
    return re.compile(r"(?<![\w.])(%s)(\.?)[ \t]+(?=\w)" % "|".join(map(re.escape, sorted(forms, key=len, reverse=True))))


Titles = tuple[dict[int, int], set[int]]


def titles_in(text: str, lang: str | None) -> Titles:
    """Return the titles written in a text: their start -> where the name after them starts, and the starts of
    names after a capitalised title."""
    opening: dict[int, int] = {}
    after: set[int] = set()
    for m in _title_pattern(lang).finditer(text):
        if len(m.group(1)) > 1 or m.group(2):  # `M.` is a title, `M` is not
            opening[m.start()] = m.end()
            if m.group(1)[0].isupper():
                after.add(m.end())
    return opening, after


def strip_title(text: str, start: int, end: int, lang: str | None, titles: Titles | None = None) -> tuple[int, bool]:
    """Return the mention's new start past any title opening it, and whether a title opened or preceded it
    (`titles` as `titles_in` finds them in the whole text; found here when not given)."""
    opening, after = titles if titles is not None else titles_in(text, lang)
    titled = start in after
    while start in opening and opening[start] < end:
        start, titled = opening[start], True
    return start, titled


def person_form(name: str) -> str:
    """Return a person's name without middle initials and generational suffix, as it is matched and shown."""
    if name.count(" ") < 2:
        return name
    words = name.split()
    if len(words) > 2 and words[-1].lower().rstrip(",") in SUFFIXES:
        words = words[:-1]
        words[-1] = words[-1].rstrip(",")
    if len(words) > 2 and not _INITIAL.match(words[0]):
        words = [words[0]] + [w for w in words[1:-1] if not _INITIAL.match(w)] + [words[-1]]
    return " ".join(words)


def company_form(name: str) -> str:
    """Return a company's name without its legal form (`General Motors Corp` -> `General Motors`)."""
    if name.rpartition(" ")[2].lower().rstrip(".,") not in COMPANY_FORMS:
        return name
    words = name.split()
    while len(words) > 1 and words[-1].lower().rstrip(".,") in COMPANY_FORMS:
        words.pop()
        while len(words) > 1 and words[-1] in ("and", "&"):  # `Harris Upham and Co`
            words.pop()
    words[-1] = words[-1].rstrip(",")
    return " ".join(words)


def initials(name: str) -> set[str]:
    """Return the acronyms a multi-word name may be written as: its capitals, with and without the small words
    (`Securities and Exchange Commission` -> SEC and SAEC, `U.S. Department of Agriculture` -> USDA)."""
    words = name.replace("-", " ").split()
    if len(words) < 2:
        return set()
    big = "".join(w.replace(".", "") if w.isupper() else w[0] for w in words if w[:1].isupper())
    every = "".join(w.replace(".", "") if w.isupper() else w[0] for w in words)
    return {big.casefold(), every.casefold()} - {""}


def state_name(name: str) -> str | None:
    """Return the US state an abbreviation (`Calif.`, `N.Y.`, `Conn`) stands for, or None."""
    return US_STATES.get(name.lower().rstrip("."))


def party_tags(text: str) -> list[tuple[int, int]]:
    """Return the spans of party-and-state tags (`D-N.Y.`, `R-Calif.`) after a politician's name."""
    if "D-" not in text and "R-" not in text and "I-" not in text:
        return []
    return [m.span() for m in PARTY_TAG.finditer(text)]


def title_case(name: str) -> str:
    """Return a name written in capitals in title case: `NEW YORK` -> `New York`, `RIO DE JANEIRO` -> `Rio de Janeiro`."""
    words = []
    for i, word in enumerate(name.split(" ")):
        low = word.lower()
        if i and low in LOWER_PARTICLES:
            words.append(low)
        else:
            words.append("-".join(part[:1].upper() + part[1:] for part in low.split("-")))
    return " ".join(words)
