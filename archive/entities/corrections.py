"""Small corrections applied to CRF output before names are resolved.

1. A lone PER/ORG/LOC word that the unlabeled news text almost never capitalises mid-sentence
   (`Bron` in a `Bron: Belga` header) is dropped.
2. A person's name does not keep a title or job word before it: `Vakbondsleider Koen Verbiest` and
   `President Bill Clinton` give `Koen Verbiest` and `Bill Clinton` (a word in the titles list, a
   compound ending in one, or a sentence-opening word the news text almost always writes in lower case).
   A "person" holding a word that ends like a body (`Fietsersbond`, `Stadskrant`, `…partij`) is an
   organisation.
3. A one-word "name" that is a job title (`Buitenlandminister`, `VN-gezant`) or the portfolio of one
   (`Defense` in `Defense Secretary James Mattis`) is dropped (the place before a portfolio is kept: `U.S.` in
   `U.S. Trade Representative`), and a nationality adjective before a known place is not part of it: `het
   Zwitserse Genève` names the place `Genève`.
4. Name particles: two persons around lowercase particles are one (`Tamara` + `van` + `Ark`);
   `Staffan` + `de` + `Mistura` tagged as two entities around a lowercase particle become one person,
   split from a place written just before it (`Syrië Staffan`), never an acronym (`Trump de CIA`). Not for
   Spanish, where `de` is mostly the preposition inside organisation names.
5. Span edges: a name does not end in a plain lower-case word after a capitalised one (`Comic Con zijn`) nor in
   a function word after an initial (`Bekir E. Ze`); a dotted place abbreviation does not run on into common
   words (`U.S. Beans` is `U.S.`); a street named after a date keeps its day (`24 Oktoberplein`); a title
   inside a span splits it (`Seattle Mayor Ed Murray` is the place and the person; `Klimaatminister Wiebes`
   the person).
6. Types the words say (`_relabel`): a body's word or ending makes an organisation (`Belastingdienst`,
   `Fox News`, `Leiden University`); a known given name and a surname a person (`Twan Huys`); an event's or a
   law's word an event (`Super Bowl`, `Statenverkiezingen`, `Gambling Bill`); a street, hill or building word
   a place (`Capitol Hill`, `Marco Pololaan`, `Alltel Stadium`); a road number a place (`A35`, `N737`); an
   acronym in a sentence in lower case no person (`de CIA`) and no place unless a known one (`PDVSA`, not
   `USA`).
7. A letter's signature run into the next heading (`Henk Wierenga Assen Techniek`) is the person and the
   known place after the surname; the heading words are dropped.
8. A body's head and what follows `for`/`on`/`of` are one organisation (`Center` + `for Arizona Policy`,
   `Centers for Disease Control and Prevention`, `General Agreement on Tariffs and Trade (GATT)`), as are a place
   and an assembly (`United States Senate`); a span is cut at a parenthesis inside it (`Trade (GATT`).
9. Firms named for partners: an organisation after `and`/`&` and an untagged capitalised word is one firm
   with it (`Standard and Poor's`, where the model tags `Poor's Corp`), and a "person" a comma before a firm
   ending in its legal form is part of that firm (`Smith Barney, Harris Upham and Co`).
"""
from __future__ import annotations

import re

from .fallback import ORG_WORDS, PARTICLES as NAME_PARTICLES, STOPWORDS, TITLES, resources
from .features import BREAKS, Featurizer
from .noise import NOT_NAMES
from .names import COMPANY_FORMS
from .normalise import name_key, tables

PARTICLES = {"de", "di", "da", "du", "dos", "ten", "ter", "bin"}  # not van/von: too often "of"
PERSON_PARTICLES = PARTICLES | {"van", "von", "der", "den", "la", "le", "del"}  # between two tagged persons
STRONG = {"PER", "ORG", "LOC"}
ORG_ENDINGS = ("bond", "krant", "partij", "bank", "vereniging", "federatie", "raad", "instituut", "ministerie", "groep")
COMPOUND_TITLES = ("leider", "minister", "voorzitter", "woordvoerder", "president", "burgemeester", "topman", "gezant",
                   "lid", "directeur", "wethouder", "coach")
EVENT_WORDS = {"bowl", "cup", "championship", "championships", "olympics", "games", "prix", "festival", "marathon",
               "run", "tournament", "final", "finals", "con", "ministerial", "summit",
               "spelen", "toernooi", "beker", "elections", "election",
               "act", "bill", "treaty", "agreement", "accord", "amendment"}  # and laws
EVENT_ENDINGS = ("verkiezingen", "kampioenschap", "kampioenschappen", "toernooi", "festival", "spelen")
SITE_WORDS = {"street", "avenue", "road", "square", "boulevard", "lane", "hill", "bridge", "stadium", "station",
              "stadion"}  # the last word of a place's name
SITE_ENDINGS = ("straat", "laan", "plein", "gracht", "kade", "singel", "steeg", "dreef")  # Dutch streets: one word
BODY_WORDS = {"university", "universiteit", "college", "school", "hogeschool", "umc"}
BODY_ENDINGS = ("dienst", "beheer", "staat")  # with ORG_ENDINGS, the end of a one-word body: Rijkswaterstaat
BODY_NAMES = ORG_WORDS | {"news", "times", "post", "journal", "radio", "network", "press", "tv", "television"}
DOTTED = re.compile(r"^(?:[A-Z]\.){2,}$")  # U.S., N.Y., U.K.
BODY_HEADS = {"center", "centre", "centers", "centres", "institute", "commission", "committee", "council", "foundation",
              "association", "federation", "society", "league", "organization", "organisation", "bureau", "office",
              "department", "ministry", "agency", "court", "board", "authority", "service", "academy", "fund",
              "agreement", "treaty", "convention",
              "school", "college", "university", "alliance", "coalition", "conference"}
ASSEMBLIES = {"senate", "house", "congress", "assembly", "parliament", "legislature", "parlement", "senaat"}
JOINERS = {"and", "of", "for", "on", "the", "&"}
PORTFOLIO_TITLES = {"Secretary", "Undersecretary", "Minister", "Representative"}  # after a portfolio, not a body
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december", "january", "february", "march", "may", "june", "july", "august", "october")
ROAD = re.compile(r"^(?:A[1-9]\d?|N[1-9]\d{0,2})$")  # motorways A1-A99, national roads N1-N999
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
    if low in TITLES or _compound_title(low):
        return True
    opens_sentence = i == 0 or words[i - 1] in BREAKS
    return opens_sentence and featurizer.caps.get(low) == "0"


def _compound_title(low: str) -> bool:
    """`vakbondsleider`, `klimaatminister`: a lower-cased word ending in a title after a stem of four letters or
    more (the one `endswith` over the tuple first: most words end in none)."""
    return low.endswith(COMPOUND_TITLES) and any(low.endswith(t) and len(low) > len(t) + 3 for t in COMPOUND_TITLES)


def _is_job(word: str) -> bool:
    """`Buitenlandminister`, `VN-gezant`, `Minister`: a title or a compound ending in one, not a name."""
    low = word.lower().rsplit("-", 1)[-1]
    return low in TITLES or low.endswith(COMPOUND_TITLES)


def _adjective_before_place(words: list[str]) -> bool:
    """Whether a span is a nationality adjective and a place it does not belong to (`Zwitserse Genève`,
    not `Nederlandse Antillen`, which is a place as a whole)."""
    places = resources()[0]
    first = words[0]
    return (
        first[:1].isupper() and first.lower().endswith(ADJECTIVE_ENDINGS) and len(first) > 4
        and name_key(" ".join(words[1:])) in places and name_key(" ".join(words)) not in places
    )


def _common(word: str, featurizer: Featurizer) -> bool:
    """Whether a capitalised word is one the news writes in lower case (`Beans`, `Move`, `Growers`)."""
    return not word.isupper() and featurizer.caps.get(word.lower()) == "0"


def _loose_end(before: str, last: str) -> bool:
    """Whether the last word of a span is no part of the name: a plain word in lower case after a capitalised one,
    or a capitalised function word after an initial, where a sentence break was missed (`E. Hij`)."""
    if last.isalpha() and last.islower():
        return before[:1].isupper()  # not `Tribunal de comercio`
    return before.endswith(".") and last.lower() in STOPWORDS


def _signed(words: list[str], i: int, j: int) -> list[tuple[str, int, int]]:
    """Split a letter's signature run into the next heading (`Henk Wierenga Assen Techniek`): opening a sentence,
    a known given name (or two) and a surname, then a known place, are the person and the place; what follows
    is dropped, as it is after a given name and a surname followed by two more capitalised words."""
    places, given, votes = resources()
    k = i
    while k < j - 1 and words[k] in given:
        k += 1
    while k < j - 1 and words[k].lower() in PERSON_PARTICLES:
        k += 1
    k += 1  # the surname
    if (i and words[i - 1] not in BREAKS) or k == i + 1 or k >= j or words[i] not in given:
        return [("PER", i, j)]
    if (
        words[k][:1].isupper() and name_key(words[k]) in places and words[k] not in given
        and "PER" not in votes.get(words[k], ())  # `Vitor Manuel Melo Pereira`
    ):
        return [("PER", i, k), ("LOC", k, k + 1)]
    if k == i + 2 and j - k >= 2 and all(w[:1].isupper() and w not in given for w in words[k:j]):
        return [("PER", i, k)]  # `Wim Sanderse Grijpskerke Bartje`
    return [("PER", i, j)]


def _given_and_surname(first: str, second: str) -> bool:
    """Whether two words are a known given name the gazetteer takes for no place (not `Florence`) and a surname:
    capitalised in every part (not `Jackson-style`), no place, no body word (not `Arizona Legislature`), and no
    gazetteer vote for anything but a person."""
    places, given, votes = resources()
    return (
        first in given and "LOC" not in votes.get(first, ()) and not second.isupper()
        and all(part[:1].isupper() for part in second.split("-")) and name_key(second) not in places
        and name_key(f"{first} {second}") not in places and second.lower() not in BODY_NAMES | ASSEMBLIES
        and not set(votes.get(second, ())) - {"PER"}
    )


def _is_site(words: list[str]) -> bool:
    """`Capitol Hill`, `Alltel Stadium`, `Marco Pololaan`: a name ending in a word for a street, hill or building
    (or a Dutch street compound) that no known given name opens (`Damon Hill` is a person)."""
    last = words[-1].lower()
    if words[-1].isupper() or (words[0] in resources()[1] and len(words) > 1 and last in SITE_WORDS):
        return False
    return (len(words) > 1 and last in SITE_WORDS) or (last.endswith(SITE_ENDINGS) and len(last) > 7)


def _title_inside(words: list[str], i: int, j: int) -> int:
    """Return where the person starts in a span holding a job title before a name (`Seattle Mayor Ed Murray`,
    `House Speaker-to-be Nancy Pelosi`: a known given name after it; `Klimaatminister Wiebes`: a compound title
    opening it), or 0."""
    given = resources()[1]
    for k in range(i, j - 1):
        low = words[k].lower()
        if not words[k + 1][:1].isupper():
            return 0
        if k == i and _compound_title(low) and "-" not in low:
            return k + 1
        titled = low in TITLES or low.split("-")[0] in TITLES  # `Mayor`, `Speaker-to-be`
        if k > i and words[k][:1].isupper() and titled and words[k + 1] in given:
            return k + 1
    return 0


def _acronym(word: str) -> bool:
    """`CIA`, `NAVO`, `SNCF`: two to six capitals, no period, no digit, not a surname the gazetteer knows
    written in capitals (`ALOMAR`)."""
    return (
        2 <= len(word) <= 6 and word.isalpha() and word.isupper()
        and "PER" not in resources()[2].get(word.title(), ())
    )


def _join_bodies(words: list[str], spans: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """`Center` + `for` + `Arizona Policy`, `Centers for Disease Control` + `and Prevention`: a body's head word
    (`Center`, `Commission`, `Court`) and the capitalised words after `for`, `on` or `of` (`the`) are one
    organisation, as is the untagged `and ...` after a body named so; a tagged name after `and` stays apart. A
    place and an assembly right after it are one body: `United States Senate`."""
    spans = _split_parentheses(words, spans)
    starts = {i for _, i, _ in spans}
    n = len(words)

    def run(k: int) -> int:  # the end of the capitalised words from k, `and`/`of` between them
        while k < n and (words[k][:1].isupper() or (
            words[k] in JOINERS and k + 1 < n and words[k + 1][:1].isupper()
            and (k + 1 not in starts or words[k] not in ("and", "&") or words[k + 2:k + 3] == ["("])
        )):
            k += 1
        return k

    out: list[tuple[str, int, int]] = []
    for kind, i, j in spans:
        if out and out[-1][0] == "ORG" and i < out[-1][2]:
            continue  # inside the body just joined
        if out and out[-1][0] == "LOC" and out[-1][2] == i and kind == "ORG" and j - i == 1 \
                and words[i].lower() in ASSEMBLIES:
            out[-1] = ("ORG", out[-1][1], j)  # `United States Senate`, `Texas House`
            continue
        if kind != "PER" and words[j - 1].lower() in BODY_HEADS and j + 1 < n and words[j] in ("for", "on", "of"):
            k = j + 2 if words[j + 1] == "the" else j + 1
            if k < n and words[k][:1].isupper() and name_key(words[k]) not in NOT_NAMES:  # not `on Friday`
                end = run(k)
                if end > k:
                    out.append(("ORG", i, end))
                    continue
        if kind == "ORG" and any(w in ("for", "on", "of") for w in words[i:j]) and j + 1 < n and words[j] == "and" \
                and words[j + 1][:1].isupper() and j + 1 not in starts:
            j = run(j + 1)
        out.append((kind, i, j))
    return out


def _split_parentheses(words: list[str], spans: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Cut a span at an opening parenthesis inside it (`Trade ( GATT`): the name before it, and an acronym in
    the parentheses as an organisation of its own."""
    out = []
    for kind, i, j in spans:
        if "(" in words[i + 1:j]:
            p = words.index("(", i + 1, j)
            out.append((kind, i, p))
            if p + 2 == j and _acronym(words[p + 1]):
                out.append(("ORG", p + 1, j))
        else:
            out.append((kind, i, j))
    return out


def _join_firms(words: list[str], spans: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Join the partners of a firm's name (rule 9): `Standard` + `and` + `Poor's Corp`, `Smith Barney` + `,` +
    `Harris Upham and Co`."""
    out: list[tuple[str, int, int]] = []
    ends = {j for _, _, j in spans}
    for kind, i, j in spans:
        possessive = j < len(words) and words[j] == "'s"
        if kind in ("ORG", "PER") and i >= 2 and words[i - 1] in ("and", "&") and words[i - 2][:1].isupper() \
                and not words[i - 2].isupper() and i - 1 not in ends and (kind == "ORG" or possessive):
            i, kind = i - 2, "ORG"  # `Standard and Poor's`: not `Britain and France`, both tagged
        elif kind == "ORG" and out and out[-1][0] == "PER" and out[-1][2] + 1 == i and words[i - 1] == "," \
                and words[j - 1].lower().rstrip(".") in COMPANY_FORMS:
            i = out.pop()[1]  # `Smith Barney, Harris Upham and Co`
        if kind == "ORG" and j - i > 2 and words[j - 2] in ("and", "&") and possessive:
            j += 1  # the firm's `'s`, a word of its own after the tokeniser
        out.append((kind, i, j))
    return out


def _is_place(featurizer: Featurizer, word: str) -> bool:
    return "LOC" in featurizer.gazetteer.get(word, ())


def _relabel(words: list[str], kind: str, i: int, j: int) -> str:
    """Return the type the words of a span say it has, whatever the model said (see the module's rules)."""
    name, last = words[i:j], words[j - 1].lower()
    if kind in ("LOC", "MISC") and last.endswith(ORG_ENDINGS + BODY_ENDINGS) and len(last) > 8:
        return "ORG"  # `Belastingdienst`, `Staatsbosbeheer`, `Brabantse Milieufederatie`
    if kind == "PER" and (
        any(w.lower().endswith(ORG_ENDINGS) and len(w) > 6 for w in name)
        or any(w.lower() in BODY_NAMES for w in name[1:])
    ):
        return "ORG"  # `Fietsersbond Gent`, `Stadskrant Schelde`, `Fox News`: a body, not a person
    if kind in ("ORG", "LOC", "MISC") and j - i == 2 and _given_and_surname(*name):
        return "PER"  # `Twan Huys`, `Riaz Alidjan`, `Lex Oomkes`: a known given name and a surname
    if kind in STRONG and ((last in EVENT_WORDS and j - i > 1) or last.endswith(EVENT_ENDINGS)):
        return "MISC"  # `Super Bowl`, `Statenverkiezingen`, `Gambling Bill`: an event or a law
    if kind in ("PER", "ORG") and _is_site(name):
        return "LOC"  # `Capitol Hill`, `Marco Pololaan`, `Alltel Stadium`: a street, a hill, a building
    if kind in ("LOC", "PER") and j - i > 1 and any(w.lower() in BODY_WORDS for w in name):
        return "ORG"  # `Leiden University`, `Universiteit Leiden`, `Clare College`
    if kind in ("PER", "LOC") and j - i == 1 and _acronym(name[0]) and any(w[:1].islower() for w in words) and (
        kind == "PER" or (name_key(name[0]) not in resources()[0] and not tables().key_name(name[0]))
    ):
        return "ORG"  # `de CIA`, `PDVSA` in a sentence in lower case: an acronym names a body, not a person or
        # a place (unless a known one: `USA`)
    if kind in STRONG | {"MISC"} and j - i == 1 and ROAD.match(name[0]):
        return "LOC"  # `de A35`, `the A1`, `N737`: a road
    return kind


def repair(
    words: list[str], tags: list[str], featurizer: Featurizer, particles: bool = True
) -> list[tuple[str, int, int]]:
    """Return the corrected entity spans of one tagged sentence (particle merging optional)."""
    spans = []
    for kind, i, j in bio_spans(tags):
        if kind in STRONG and j - i == 1 and featurizer.caps.get(words[i].lower()) == "0" and not words[i].isupper():
            continue
        if kind in ("LOC", "ORG") and j - i > 1 and DOTTED.match(words[i]) and all(
            _common(w, featurizer) for w in words[i + 1:j] if w[:1].isupper()
        ):
            j = i + 1  # `U.S. Beans`, `U.S. Move` in wire copy: the place, not a common word after it
        while j - i > 1 and _loose_end(words[j - 2], words[j - 1]):
            j -= 1  # `Comic Con zijn`, `Bekir E. Ze`: a name does not end in a word of the sentence after it
        held = _title_inside(words, i, j) if kind in STRONG else 0
        if held:  # `Seattle Mayor Ed Murray`: the place (or body) and the person
            if held > i:
                spans.append(("LOC" if name_key(" ".join(words[i:held - 1])) in resources()[0] else
                              "ORG" if kind == "PER" else kind, i, held - 1))
            kind, i = "PER", held
        while kind == "PER" and j - i > 1 and _is_title(words, i, featurizer):
            i += 1
        kind = _relabel(words, kind, i, j)
        if kind == "LOC" and i and words[i - 1].isdigit() and words[i].lower().startswith(MONTHS):
            i -= 1  # `24 Oktoberplein`, `18 Septemberplein`: a street named after a date
        if kind == "MISC" and j - i == 1 and _is_job(words[i]):
            continue  # a one-word person may be a surname that is a title (King, Koning)
        if kind in ("ORG", "MISC") and j < len(words) and words[j] in PORTFOLIO_TITLES:
            if j - i == 1:
                continue  # `Defense Secretary James Mattis`: the portfolio of a job, no body
            if DOTTED.match(words[i]) or _is_place(featurizer, words[i]):
                kind, j = "LOC", i + 1  # `U.S. Trade Representative Clayton Yeutter`: the place, no body
        if kind in ("MISC", "LOC") and j - i > 1 and _adjective_before_place(words[i:j]):
            kind, i = "LOC", i + 1
        if kind == "PER" and j - i > 2:
            spans.extend(_signed(words, i, j))
            continue
        spans.append((kind, i, j))
    spans = _join_firms(words, _join_bodies(words, spans))
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
                and all(w[:1].isupper() and not w.isupper() for w in words[i:j])  # `de Mistura`, not `de CIA`
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
