"""Small corrections applied to CRF output before names are resolved.

1. A lone PER/ORG/LOC word that the unlabeled news text almost never capitalises mid-sentence
   (`Bron` in a `Bron: Belga` header) is dropped.
2. A person's name does not keep a title or job word before it: `Vakbondsleider Koen Verbiest` and
   `President Bill Clinton` give `Koen Verbiest` and `Bill Clinton` (a word in the titles list, a
   compound ending in one, or a sentence-opening word the news text almost always writes in lower case).
   A "person" holding a word that ends like a body (`Fietsersbond`, `Stadskrant`, `…partij`) is an
   organisation.
3. A one-word "name" that is a job title (`Buitenlandminister`, `VN-gezant`) is dropped, and a nationality
   adjective before a known place is not part of it: `het Zwitserse Genève` names the place `Genève`.
4. Name particles: two persons around lowercase particles are one (`Tamara` + `van` + `Ark`);
   `Staffan` + `de` + `Mistura` tagged as two entities around a lowercase particle become one person,
   split from a place written just before it (`Syrië Staffan`). Not for Spanish, where `de` is mostly
   the preposition inside organisation names.
"""
from __future__ import annotations

from .fallback import PARTICLES as NAME_PARTICLES, TITLES, resources
from .features import BREAKS, Featurizer
from .normalise import name_key

PARTICLES = {"de", "di", "da", "du", "dos", "ten", "ter", "bin"}  # not van/von: too often "of"
PERSON_PARTICLES = PARTICLES | {"van", "von", "der", "den", "la", "le", "del"}  # between two tagged persons
STRONG = {"PER", "ORG", "LOC"}
ORG_ENDINGS = ("bond", "krant", "partij", "bank", "vereniging", "federatie", "raad", "instituut", "ministerie", "groep")
COMPOUND_TITLES = ("leider", "minister", "voorzitter", "woordvoerder", "president", "burgemeester", "topman", "gezant")
ADJECTIVE_ENDINGS = ("se", "sche")  # Dutch and German nationality adjectives: Zwitserse, Franse, Belgische


def bio_spans(tags: list[str]) -> list[tuple[str, int, int]]:
    """Return (type, first token, end token) spans of a BIO sequence; a stray I- starts a span."""
    out = []
    kind, start = "", -1
    for i, tag in enumerate(list(tags) + ["O"]):
        if tag == "O" or tag.startswith("B-") or tag[2:] != kind:
            if kind:
                out.append((kind, start, i))
            kind, start = (tag[2:], i) if tag != "O" else ("", -1)
    return out


def _is_title(words: list[str], i: int, featurizer: Featurizer) -> bool:
    """Return whether the word at `i`, opening a person's name, is a title or job rather than a name."""
    low = words[i].lower()
    if low in NAME_PARTICLES or len(low.rstrip(".")) < 2:  # `Van Gaal`, `De Wever`, the initial in `M. Azharuddin`
        return False
    if low in TITLES or any(low.endswith(t) and len(low) > len(t) + 3 for t in COMPOUND_TITLES):
        return True
    opens_sentence = i == 0 or words[i - 1] in BREAKS
    return opens_sentence and featurizer.caps.get(low) == "0"


def _is_job(word: str) -> bool:
    """`Buitenlandminister`, `VN-gezant`, `Minister`: a title or a compound ending in one, not a name."""
    low = word.lower().rsplit("-", 1)[-1]
    return low in TITLES or any(low.endswith(t) for t in COMPOUND_TITLES)


def _adjective_before_place(words: list[str]) -> bool:
    """Whether a span is a nationality adjective and a place it does not belong to (`Zwitserse Genève`,
    not `Nederlandse Antillen`, which is a place as a whole)."""
    places = resources()[0]
    first = words[0]
    return (
        first[:1].isupper() and first.lower().endswith(ADJECTIVE_ENDINGS) and len(first) > 4
        and name_key(" ".join(words[1:])) in places and name_key(" ".join(words)) not in places
    )


def _is_place(featurizer: Featurizer, word: str) -> bool:
    return "LOC" in featurizer.gazetteer.get(word, ())


def repair(
    words: list[str], tags: list[str], featurizer: Featurizer, particles: bool = True
) -> list[tuple[str, int, int]]:
    """Return the corrected entity spans of one tagged sentence (particle merging optional)."""
    spans = []
    for kind, i, j in bio_spans(tags):
        if kind in STRONG and j - i == 1 and featurizer.caps.get(words[i].lower()) == "0" and not words[i].isupper():
            continue
        while kind == "PER" and j - i > 1 and _is_title(words, i, featurizer):
            i += 1
        if kind == "PER" and any(w.lower().endswith(ORG_ENDINGS) and len(w) > 6 for w in words[i:j]):
            kind = "ORG"  # `Fietsersbond Gent`, `Stadskrant Schelde`: a body, not a person
        if kind == "MISC" and j - i == 1 and _is_job(words[i]):
            continue  # a one-word person may be a surname that is a title (King, Koning)
        if kind in ("MISC", "LOC") and j - i > 1 and _adjective_before_place(words[i:j]):
            kind, i = "LOC", i + 1
        spans.append((kind, i, j))
    out: list[tuple[str, int, int]] = []
    for kind, i, j in spans:
        if out and particles:
            pk, pi, pj = out[-1]
            between = [w.lower() for w in words[pj:i]]
            if pk == kind == "PER" and 1 <= len(between) <= 2 and between[0] in PERSON_PARTICLES and all(
                w in PERSON_PARTICLES for w in between
            ) and words[pj][:1].islower():
                out[-1] = ("PER", pi, j)  # `Tamara` + `van` + `Ark`, both tagged persons: one name
                continue
            if (
                i == pj + 1
                and words[pj] in PARTICLES
                and words[pj - 1][:1].isupper()
                and all(w[:1].isupper() for w in words[i:j])
                and not _is_place(featurizer, words[pj - 1])
                and not _is_place(featurizer, words[i])
            ):
                start = pj - 1
                while start > pi and words[start - 1][:1].isupper() and not _is_place(featurizer, words[start - 1]):
                    start -= 1
                out.pop()
                if start > pi:
                    out.append((pk, pi, start))
                out.append(("PER", start, j))
                continue
        out.extend(_split_place(words, kind, i, j, featurizer) if particles else [(kind, i, j)])
    return out


def _split_place(words: list[str], kind: str, i: int, j: int, featurizer: Featurizer) -> list[tuple[str, int, int]]:
    """Split `Syrië Staffan de Mistura` (one span) into the place and the person with a particle."""
    for k in range(i + 2, j - 1):
        if words[k] in PARTICLES and words[k - 1][:1].isupper() and not _is_place(featurizer, words[k - 1]):
            start = k - 1
            while start > i and not _is_place(featurizer, words[start - 1]):
                start -= 1
            if start > i:
                return [(kind, i, start), ("PER", start, j)]
    return [(kind, i, j)]
