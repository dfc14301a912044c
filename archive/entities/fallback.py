"""FALLBACK extractor for languages without a trained model (fr, de, unknown): rules, not learning.

It takes runs of capitalised words (allowing name particles like `de`, `van`, `von` inside),
skips function words and lone unknown words at the start of a sentence, then labels each run:
a title word before it (minister, président, ...) or a known given name -> PER; a CLDR place
name -> LOC; an organisation word or an acronym -> ORG; a gazetteer vote; otherwise MISC.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from . import gazetteer as gazetteer_mod
from .normalise import name_key
from .tokenize import Token, sentences

MODELS = Path(__file__).with_name("models")

STOPWORDS = set(
    """
    le la les l' un une des du de d' au aux et ou mais donc or ni car ce cet cette ces il elle ils elles on nous vous je
    tu son sa ses leur leurs mon ma mes qui que quoi dont où quand comme selon après avant depuis pendant dans sur sous
    par pour avec sans en y ne pas plus très tout tous toute toutes aussi ainsi alors puis enfin cependant lundi mardi
    mercredi jeudi vendredi samedi dimanche janvier février mars avril mai juin juillet août septembre octobre novembre
    décembre
    der die das ein eine einer eines dem den des und oder aber er sie es wir ihr ich im am vom zum zur auf aus bei mit
    nach seit von vor zu für über unter durch gegen ohne um als wie wenn dass nicht auch noch nur schon montag dienstag
    mittwoch donnerstag freitag samstag sonntag
    de het een en of maar hij zij ze wij we jij je ik u dat dit die deze wie wat waar wanneer toen nu ook nog al in op
    aan bij met voor na naar van uit over onder door tegen zonder om als dan maandag dinsdag woensdag donderdag
    vrijdag zaterdag zondag gisteren vandaag morgen volgens
    the a an and or but he she it they we you i his her its their this that these those who what when where which in
    on at by for with from to of as after before since during according monday tuesday wednesday thursday friday
    saturday sunday yesterday today
    el los las una unos unas y o pero él ella ellos nosotros su sus este esta estos estas que quien cuando donde según
    con por para sin sobre entre desde hasta
    """.split()
)
PARTICLES = {"de", "van", "von", "du", "la", "le", "di", "da", "del", "dos", "ten", "ter", "bin", "al", "el"}
SECOND_PARTICLES = {"der", "den", "des", "de", "la"}  # only after van/von/de: "van der", "von der", "de la"
TITLES = set(
    """
    minister ministre ministro premier president président présidente presidente presidenta voorzitter koning koningin
    king queen roi reine rey reina prince prins prinses princesse paus pape pope kanselier chancelier chancellor
    senator sénateur senador burgemeester maire mayor alcalde generaal général general secretaris-generaal
    secrétaire woordvoerder porte-parole spokesman spokeswoman portavoz ambassadeur ambassador embajador
    bondskanselier bundeskanzler kanzlerin staatssecretaris commissaris commissaire commissioner gouverneur governor
    dr dr. prof prof. mr mr. mrs mrs. ms ms. m. mme mme. mgr dhr. mevrouw meneer monsieur madame señor señora herr frau
    juge rechter judge procureur prosecutor fiscal weerman weervrouw
    """.split()
)
ORG_WORDS = set(
    """
    inc corp ltd co sa nv bv ag gmbh plc group groupe groep bank banque banco partij parti partido party union unie
    unión ministerie ministère ministerio ministry department commissie commission comisión council conseil raad
    consejo university université universiteit universidad fc club agency agence agentschap federatie fédération
    federation association vereniging asociación company compagnie senaat sénat senate parlement parliament
    assemblée tribunal rechtbank court cour police politie army armée leger nations naties
    """.split()
)


@lru_cache(maxsize=1)
def resources() -> tuple[set[str], set[str], dict[str, Counter[str]]]:
    """Load places, given names and a merged word gazetteer from the models folder."""
    def lines(name: str) -> set[str]:
        path = MODELS / name
        return set(path.read_text(encoding="utf-8").split("\n")) - {""} if path.exists() else set()

    places = {name_key(p) for p in lines("places.txt")}
    given = lines("given.txt")
    votes: dict[str, Counter[str]] = {}
    for lang in ("nl", "en", "es"):
        for word, kinds in gazetteer_mod.load(MODELS / f"gazetteer.{lang}.tsv").items():
            votes.setdefault(word, Counter()).update(kinds)
    return places, given, votes


_ELIDED = re.compile(r"(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’](?=[A-ZÀ-ÖØ-Þ])", re.I)


def _split_elisions(sent: list[Token]) -> list[Token]:
    """`l'Ukraine`, `d’Arcachon`, `qu'Emmanuel`: the French elided article apart from the name it joins."""
    out = []
    for tok in sent:
        m = _ELIDED.match(tok.text)
        if m and m.end() < len(tok.text):
            out.append(Token(tok.text[: m.end()], tok.start, tok.start + m.end()))
            out.append(Token(tok.text[m.end():], tok.start + m.end(), tok.end))
        else:
            out.append(tok)
    return out


def _compound_place(words: list[str]) -> bool:
    """`Pyrénées-Atlantiques`, `Nouvelle-Aquitaine`, `Lège-Cap-Ferret`: one word of capitalised parts joined by
    hyphens, which French writes for regions, departments and towns (not `Jean-Pierre`, a given name)."""
    parts = words[0].split("-") if len(words) == 1 else []
    return len(parts) > 1 and all(p[:1].isupper() and len(p) > 1 for p in parts) and not words[0].isupper()


def _is_cap(word: str) -> bool:
    return word[:1].isupper() and any(ch.isalpha() for ch in word)


def _runs(sent: list[Token]) -> list[tuple[int, int]]:
    """Return [i, j) token runs of capitalised words, particles allowed between capitals."""
    runs = []
    i, n = 0, len(sent)
    while i < n:
        if not _is_cap(sent[i].text):
            i += 1
            continue
        j = i + 1
        while j < n:
            w = sent[j].text
            if _is_cap(w):
                j += 1
            elif w.lower() in PARTICLES and j + 1 < n and _is_cap(sent[j + 1].text):
                j += 2
            elif (
                w.lower() in SECOND_PARTICLES
                and sent[j - 1].text.lower() in PARTICLES
                and j + 1 < n
                and _is_cap(sent[j + 1].text)
            ):
                j += 2
            else:
                break
        runs.append((i, j))
        i = j
    return runs


def _label(words: list[str], prev: str, places: set[str], given: set[str], votes: dict[str, Counter[str]]) -> str:
    """Choose PER/ORG/LOC/MISC for a run of capitalised words."""
    name = " ".join(words)
    if prev.lower() in TITLES:
        return "PER"
    if name_key(name) in places:
        return "LOC"
    if any(w.lower().strip(".") in ORG_WORDS for w in words):
        return "ORG"
    if len(words) == 1 and words[0].isupper() and 2 <= len(words[0]) <= 6:
        return "ORG"
    if len(words) > 1 and words[0] in given:
        return "PER"
    tally: Counter[str] = Counter()
    for w in words:
        tally.update(votes.get(w, {}))
    if tally:
        return tally.most_common(1)[0][0]
    if _compound_place(words) and words[0] not in given:
        return "LOC"
    return "PER" if len(words) in (2, 3) and all(w[:1].isupper() for w in words) else "MISC"


def extract(text: str, language: str | None = None) -> list[tuple[str, int, int]]:
    """Return (label, start, end) mentions found by rules in `text`.

    German capitalises every noun, so there (and for unknown languages) a lone capitalised word
    counts only when a list knows it or a title precedes it.
    """
    strict = language != "fr"
    places, given, votes = resources()
    out = []
    for sent in sentences(text):
        if not strict:
            sent = _split_elisions(sent)
        for i, j in _runs(sent):
            while i < j and sent[i].text.lower() in STOPWORDS:
                i += 1  # "Le", "Selon", "Het" ... at the start of a run
            while j > i and sent[j - 1].text.lower() in STOPWORDS:
                j -= 1
            if i >= j:
                continue
            words = [t.text for t in sent[i:j]]
            prev = sent[i - 1].text if i else ""
            known = words[0] in given or name_key(" ".join(words)) in places or words[0] in votes
            titled = prev.lower() in TITLES
            if j - i == 1 and not known and not titled and (i == 0 or (strict and not words[0].isupper())):
                continue  # a lone capitalised word opening a sentence (or a German noun) is usually not a name
            out.append((_label(words, prev, places, given, votes), sent[i].start, sent[j - 1].end))
    return out
