"""FALLBACK extractor for languages without a trained model (fr, de, unknown): rules, not learning.

It takes runs of capitalised words (allowing name particles like `de`, `van`, `von` inside, and in the NAME_CASE
languages below two of them, `de la`, and French `d'`), skips function words and lone unknown words at the start of a sentence, then labels each run:
a title word before it (minister, président, ...) or a known given name -> PER; a CLDR place
name -> LOC; an organisation word or an acronym -> ORG; a gazetteer vote; otherwise MISC.

In every fallback language:
- an acronym of up to four capitals is an organisation unless the gazetteer knows it as a place (`USA`): the place
  list holds thousands of airport codes (`EPA`, `RPR`, `AOC`); a few are common nouns, no name (`ONG`, `OGM`, `PDG`);
- a one-word place the gazetteer knows only as a person's name is a person (`Bush`: GeoNames' alternate names are
  noisy);
- given names (`given.txt`: the CoNLL persons' and the `faker` package's first names) also count hyphenated
  (`Jean-Paul`, `Marie-Pierre`: no compound place) and alone (`Zineb` is a person), but a lone German noun the long
  list holds (`Sommer`) stays a noun;
- a word that ends a given name and a surname mid-sentence (`Antonio Valdespino`) is that person wherever it stands
  alone in the text.

Languages that write only names with a capital (`NAME_CASE`: French, Spanish, Italian, Portuguese, Catalan) get more:
- the article is evidence. A lone word opening a sentence (after any quote or dash) counts when the text also
  capitalises it mid-sentence, or when the place list or the gazetteer knows it and the text never writes it in lower
  case (not a given name alone: `Avis aux curieux`; more function words, `Cela`, `Rien`, `Seul`, are none). A lone
  word the text also writes in lower case is a common noun (`Pluie` after a colon), and one opening a sentence is no
  part of the name (`Tempête Ciaran`).
- the word before a name says what it is (`*_CUES`): `l'ONG Greenpeace`, `l'agence Health Canada` -> ORG; `la plage
  du Truquet`, `les départements des Landes`, `l'est de l'Ukraine` -> LOC; `le député X`, `la chanteuse X` -> PER;
  `la tempête Ciaran`, `la loi LPPR`, `la Coupe du monde` -> an event or a law, no entity; and `à`, `au`, `aux`, `en`
  (Spanish `en`, ...) before a one-word name that is no person -> LOC (`en Aquitaine`, `à Saint-Denis`; French
  hyphenates a town's name, so `à Dewayne Johnson` is a person).
- a name opening with a geographic word is a place (`Bassin d'Arcachon`, `Cap Ferret`), one with an organisation
  word an organisation (`Académie`, `Comité`, `Mutualité`, ...); French institutions go on in lower case after that
  word (`Organisation mondiale de la santé`, `Cour des comptes`), and a lower-case geographic or institutional head
  before a name joins it (`banc d'Arguin`, `lac Léman`, `université de Nantes`).
- a capitalised article mid-sentence belongs to the name (`selon Le Monde`, `pour « Les Echos »`): a place if the
  list knows it (`Le Havre`), else an organisation; the site name closing a page's title (`... - Gala`) is one too.
- all mentions of one name in a text get one label, the one its surest mentions have (`Ciaran` after `la tempête
  Ciaran` is no person in the headline either; `Paris-8` after `l'université Paris-8` is an organisation).
- a photo credit line (`Crédit photo : ...`) is boilerplate, no part of the story.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
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


NAME_CASE = {"fr", "es", "it", "pt", "ca"}  # languages that capitalise names only (German capitalises every noun)
ELISION = {"fr", "it", "ca"}
ARTICLES = {"le", "la", "les", "l'", "el", "los", "las", "il", "lo", "gli"}  # capitalised mid-sentence: part of a name
FUNCTION = set(  # more function words a run does not start or end with, in the NAME_CASE languages
    """
    cela ceci ça celui celle ceux celles rien personne aucun aucune chaque chacun chacune plusieurs certains certaines
    ici voilà voici seul seule seuls seules lorsque puisque comment pourquoi combien chez vers contre entre parmi malgré
    dès notre nos votre vos autre autres même tel telle tels telles à qu' jusqu' lorsqu' puisqu' c' j' m' n' s' t'
    durant lors hors outre envers face grâce afin sauf quant
    ese esa eso esos esas aquel aquella también aunque porque todo todos toda todas
    """.split()
)
COMMON_NOUNS = {"état", "etat", "république", "premier", "première", "gouvernement", "gobierno", "constitution"}
NOT_NAMES = {  # acronyms of common nouns, no organisation
    "ong", "ogm", "opa", "pib", "tva", "pdg", "smic", "tgv", "hlm", "ivg", "pma", "qg", "ag", "td", "cdi", "cdd", "sdf",
    "vtc",
}
PER_CUES = set(  # a lower-case word right before a person's name, besides TITLES
    """
    député députée sénatrice élu élue avocat avocate procureure journaliste écrivain écrivaine romancier romancière
    chanteur chanteuse acteur actrice comédien comédienne réalisateur réalisatrice cinéaste directeur directrice
    patron patronne fondateur fondatrice entraîneur sélectionneur joueur joueuse professeur professeure chercheur
    chercheuse sociologue économiste historien historienne philosophe politologue biologiste toxicologue médecin
    candidat candidate militant militante syndicaliste diputado diputada periodista cantante actor actriz escritor
    escritora entrenador jugador
    """.split()
)
ORG_CUES = set(  # a lower-case word (or `ONG`) right before an organisation's name
    """
    ong société entreprise firme multinationale groupe géant constructeur opérateur fabricant laboratoire banque
    assureur compagnie agence institut université école association syndicat fédération parti mouvement club journal
    quotidien hebdomadaire magazine chaîne radio site cabinet fondation organisation institution sondeur enseigne
    empresa compañía grupo banco agencia partido sindicato equipo diario periódico cadena fundación
    """.split()
)
LOC_CUES = set(  # a lower-case word before a place's name, right before it or with `de`, `du`, `des`, `d'` between
    """
    ville villes commune communes village villages région régions département départements province provinces pays
    capitale quartier quartiers banlieue côte côtes plage plages littoral île îles presqu'île
    ciudad pueblo región provincia comunidad país barrio
    """.split()
)
LOC_CUES_OF = {"nord", "sud", "est", "ouest", "maire", "habitants", "préfecture", "norte", "sur", "este", "oeste"}  # + de
ORG_CUES_OF = set(  # a person's role in an organisation, then `de`: `le président d'Elabe` (unless a place follows)
    """
    président présidente directeur directrice patron patronne fondateur fondatrice porte-parole dirigeant dirigeante
    dirigeants membre membres salarié salariés employés actionnaire actionnaires presidente director portavoz
    ministre ministère ministro ministerio
    """.split()
)
EVENT_CUES = set(  # a lower-case word right before an event's or a law's name: no entity
    """
    tempête ouragan cyclone typhon loi opération projet plan festival prix trophée coupe tournoi salon
    tormenta huracán ley operación premio copa torneo
    """.split()
)
EVENT_HEADS = {"coupe", "championnat", "tournoi", "festival", "prix", "jeux", "mondial", "trophée", "copa", "premio"}
PLACE_HEADS = set(  # a name opening with one of these is a place
    """
    bassin baie golfe lac mont monts massif île îles ile iles cap côte pointe plateau col canal détroit vallée pic rue
    avenue boulevard place quai forêt plage dune banc calle avenida plaza río lago monte sierra isla cabo golfo bahía
    """.split()
)
LOWER_PLACE_HEADS = {  # written in lower case before the name they belong to: `banc d'Arguin`, `lac Léman`
    "banc", "bassin", "baie", "golfe", "lac", "mont", "massif", "île", "cap", "canal", "détroit", "col", "pic",
    "plateau", "rue", "avenue", "boulevard", "quai",
}
LOWER_ORG_HEADS = {"université", "ministère"}  # with `de`: `université de Nantes`, `ministère de l'Intérieur`
ORG_HEADS = ORG_WORDS | set(  # organisation words of the NAME_CASE languages; French ones run on in lower case
    """
    organisation académie institut mutualité mutuelle autorité office syndicat fondation observatoire opéra théâtre
    musée école lycée collège hôpital comité ministère mairie caisse chambre société confédération centre banque
    radio télévision
    universidad fundación instituto agencia audiencia ayuntamiento congreso junta generalitat sindicato academia
    """.split()
)
ADJECTIVE = re.compile(  # French adjective endings: `mondiale`, `sociale agricole`, `constitutionnel`, `européenne`
    r"^[a-zà-ÿ]{2,}(?:al|ale|ales|aux|ique|iques|aire|aires|el|elle|els|elles|ien|ienne|iens|ais|aise|ois|oise|if|ive|"
    r"ier|ière|ain|aine|éen|éenne|iste|eur|eure|ole|oles|ile|iles|ible|ibles|able|ables|ies|ées)$"
)
BARE_HEADS = {  # the head words above without accents, as `name_key` writes them: `Ecole` is `École`
    kind: {name_key(w) for w in words}
    for kind, words in (("ORG", ORG_HEADS), ("LOC", PLACE_HEADS), ("MISC", EVENT_HEADS), ("NOUN", COMMON_NOUNS))
}
OF = {"de", "du", "des", "d'"}
VERB_AFTER = {"le", "la", "les", "l'", "un", "une", "des", "que", "qu'", "à", "au", "aux", "son", "sa", "ses", "leur"}
LINKS = {"de", "du", "des", "d'", "en", "et", "la", "le", "les", "l'", "sur", "sous", "lès", "lez", "aux"}  # in places
PLACE_PREPOSITIONS = {"fr": {"à", "au", "aux", "en"}, "es": {"en"}, "it": {"in"}, "pt": {"em"}, "ca": {"a"}}
STRENGTH_WEIGHT = (1, 2, 4, 32)  # how much a mention's label weighs, by how sure its rule is (0: a vote ... 3: a cue)
CREDIT = re.compile(r"(?:crédits?|photos?|source|©)(?:\s+photos?)?\s*:", re.I)  # opens a photo credit line
COPULAS = {"est", "était", "sera", "reste", "devient", "demeure", "es", "era", "será", "è"}
PRONOUN_VERB = re.compile(r"^[CJMNSTcjmnst]['’][a-zà-ÿ]")  # `C'est`, `J'ai`, `S'il`, not `M'Jid`: pronoun + verb
SITE_SUFFIX = re.compile(r"\s[-–|]\s+([A-ZÀ-ÖØ-Þ][\w.’'-]*(?:\s+[\w.’'-]+){0,3})\s*$")  # `... - Gala` ends a title


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


_ELIDED = re.compile(r"(?:[dl]|qu|jusqu|lorsqu|puisqu)['’](?=[A-ZÀ-ÖØ-Þ])", re.I)  # not m', n': `N'Golo`


def _split_elisions(sent: list[Token]) -> list[Token]:
    """`l'Ukraine`, `d’Arcachon`, `qu'Emmanuel`: the French elided article apart from the name it joins (not the
    `M'` of `M'Jid`, `N'Golo`, `N'Djamena`: an elided pronoun comes before a verb)."""
    out = []
    for tok in sent:
        m = _ELIDED.match(tok.text)
        if m and m.end() < len(tok.text):
            out.append(Token(tok.text[: m.end()], tok.start, tok.start + m.end()))
            out.append(Token(tok.text[m.end():], tok.start + m.end(), tok.end))
        else:
            out.append(tok)
    return out


def _low(word: str) -> str:
    """A word in lower case with a straight apostrophe (`L’` is `l'`)."""
    return word.lower().replace("’", "'")


def _compound_place(words: list[str]) -> bool:
    """`Pyrénées-Atlantiques`, `Nouvelle-Aquitaine`, `Lège-Cap-Ferret`, `Teste-de-Buch`, `Seine-et-Marne`: one word
    of capitalised parts joined by hyphens (and by `de`, `en`, `et`, `sur`, ... between two of them), which French
    writes for regions, departments and towns (not `Jean-Pierre`, a given name)."""
    parts = words[0].split("-") if len(words) == 1 else []
    return (
        len(parts) > 1 and not words[0].isupper() and parts[0][:1].isupper() and parts[-1][:1].isupper()
        and all((p[:1].isupper() and len(p) > 1) or _low(p) in LINKS for p in parts)
    )


def _given(word: str, given: set[str]) -> bool:
    """A given name, or given names joined by hyphens (`Jean-Paul`, `Marie-Pierre`, `Gilles-Eric`); no function
    word (the long list has a `Von`)."""
    if _low(word) in STOPWORDS:
        return False
    return word in given or ("-" in word and all(p in given for p in word.split("-")))


def _acronym(word: str) -> bool:
    return word.isupper() and 2 <= len(word) <= 4 and word.isalpha()


def _is_cap(word: str) -> bool:
    return word[:1].isupper() and any(ch.isalpha() for ch in word)


def _runs(
    sent: list[Token], elided_of: bool = False, given: set[str] | None = None, double: bool = False
) -> list[tuple[int, int]]:
    """Return [i, j) token runs of capitalised words, particles allowed between capitals (two with `double`: `de la`,
    `de l'`, not German `von der`, which mostly means `of the`; French `d'` with `elided_of`: `Bassin d'Arcachon`),
    but not before a given name and a surname: `la ministre des Armées d'Emmanuel Macron` is two names."""
    given = given or set()

    def new_name(k: int) -> bool:
        return k + 1 < n and sent[k].text in given and _is_cap(sent[k + 1].text)

    runs = []
    i, n = 0, len(sent)
    while i < n:
        if not _is_cap(sent[i].text):
            i += 1
            continue
        j = i + 1
        while j < n:
            w = sent[j].text
            low = _low(w)
            if _is_cap(w):
                j += 1
            elif (low in PARTICLES or (elided_of and low == "d'")) and j + 1 < n and _is_cap(sent[j + 1].text) and (
                not new_name(j + 1)
            ):
                j += 2
            elif (
                double
                and low in PARTICLES
                and j + 2 < n
                and _low(sent[j + 1].text) in SECOND_PARTICLES | {"l'"}
                and _is_cap(sent[j + 2].text)
                and not new_name(j + 2)
            ):
                j += 3
            else:
                break
        runs.append((i, j))
        i = j
    return runs


@lru_cache(maxsize=1)
def _unsure_places() -> frozenset[str]:
    """Keys of one-word places the gazetteer knows only as a person's name (`Bush`, `Cela`). (Not those it knows
    only as organisations: CoNLL's football clubs make `Lyon`, `Lille`, `Havre` one.)"""
    places, _, votes = resources()
    return frozenset(name_key(w) for w, kinds in votes.items() if " " not in w and set(kinds) == {"PER"}
                     and name_key(w) in places)


def _place(name: str, places: set[str], votes: dict[str, Counter[str]]) -> bool:
    """Whether the place list knows `name`, less airport codes and words the gazetteer knows as no place."""
    if _acronym(name):
        return "LOC" in votes.get(name, {}) or "LOC" in votes.get(name.title(), {})
    key = name_key(name)
    return key in places and key not in _unsure_places()


def _label_strength(
    words: list[str], prev: str, places: set[str], given: set[str], votes: dict[str, Counter[str]],
    cue: str = "", name_case: bool = False,
) -> tuple[str, int]:
    """Choose PER/ORG/LOC/MISC for a run of capitalised words and say how sure the rule is (0-3). `cue` is what the
    words before the run make it (`ORG`, `LOC`, `PER`, `MISC`, or `AT` after a place preposition)."""
    name = " ".join(words)
    lows = [_low(w).strip(".") for w in words]
    bare = [name_key(w).strip(".") for w in words]
    if _low(prev) in TITLES:
        return "PER", 3
    if cue in ("PER", "MISC") or (name_case and bare[0] in BARE_HEADS["MISC"]):
        return cue or "MISC", 3
    if cue == "ORG" and not (len(words) > 1 and _given(words[0], given)):
        return "ORG", 3
    if cue == "LOC":
        return "LOC", 3
    if cue == "ORG_OF" and not _place(name, places, votes) and not (len(words) > 1 and _given(words[0], given)):
        return "ORG", 2
    if name_case and bare[0] in BARE_HEADS["LOC"] and len(words) > 1:
        return "LOC", 2
    if _place(name, places, votes) or (cue == "AT" and name_key(name) in places and not _acronym(name)):
        return "LOC", 1  # `à Orlando`: a place even if the gazetteer knows the word as a person's name
    if any(w in ORG_WORDS for w in lows) or (name_case and any(w in BARE_HEADS["ORG"] for w in bare)):
        return "ORG", 2
    if len(words) == 1 and words[0].isupper() and 2 <= len(words[0]) <= 6:
        return "ORG", 1
    if _given(words[0], given) and (len(words) > 1 or name not in votes):
        return "PER", 2
    if cue == "AT" and len(words) == 1:  # French writes a town of several words with hyphens: `à X Y` is a person
        return "LOC", 2
    tally: Counter[str] = Counter()
    for w in words:
        tally.update(votes.get(w, {}))
    if tally:
        return tally.most_common(1)[0][0], 0
    if _compound_place(words):
        return "LOC", 1
    return ("PER" if len(words) in (2, 3) and all(w[:1].isupper() for w in words) else "MISC"), 0


def _cue(sent: list[Token], i: int, lang: str) -> str:
    """What the lower-case words before token i say a name there is: PER, ORG, LOC, MISC, AT or nothing."""
    if i == 0:
        return ""
    prev = _low(sent[i - 1].text)
    if prev in PER_CUES:
        return "PER"
    if prev in EVENT_CUES:
        return "MISC"
    if prev in ORG_CUES:
        return "ORG"
    if prev in LOC_CUES:
        return "LOC"
    k = i - 1
    if k > 0 and prev in {"l'", "la", "le", "les"}:
        k -= 1
    if k > 0 and _low(sent[k].text) in OF and _low(sent[k - 1].text) in LOC_CUES | LOC_CUES_OF:
        return "LOC"
    if k > 0 and _low(sent[k].text) in OF and _low(sent[k - 1].text) in ORG_CUES_OF:
        return "ORG_OF"
    if prev in PLACE_PREPOSITIONS.get(lang, ()) or (k < i - 1 and _low(sent[k].text) in PLACE_PREPOSITIONS.get(lang, ())):
        return "AT"  # `à Gaza`, `à la Teste-de-Buch`
    return ""


def _right_cue(sent: list[Token], j: int) -> str:
    """An apposition or a predicate after the name says what it is: `L'Anses, l'agence française` (ORG), `Lacanau,
    la commune` (LOC), `Monsanto n'est pas une entreprise` (ORG)."""
    k, n = j, len(sent)
    if k < n and sent[k].text == ",":
        k += 1
    elif k < n and (_low(sent[k].text) in COPULAS or _low(sent[k].text) == "n'est"):
        k += 1
        if k < n and _low(sent[k].text) in {"pas", "plus", "aussi", "donc", "alors", "no"}:
            k += 1
    else:
        return ""
    if k + 1 < n and _low(sent[k].text) in {"le", "la", "l'", "un", "une", "el", "una"} and not (
        k + 2 < n and _is_cap(sent[k + 2].text)  # `à Rennes, la société Ubisoft ...`: another name
    ):
        noun = _low(sent[k + 1].text)
        for cues, label in ((ORG_CUES, "ORG"), (LOC_CUES, "LOC"), (PER_CUES | TITLES, "PER")):
            if noun in cues:
                return label
    return ""


def _extend_left(sent: list[Token], i: int) -> tuple[int, str]:
    """A lower-case head before the name that belongs to it: `banc d'Arguin`, `lac Léman` (LOC), `université de
    Nantes`, `ministère de l'Intérieur` (ORG). Return the new start and the label, or (i, "")."""
    k = i - 1
    if k >= 0 and _low(sent[k].text) in {"l'", "la"}:
        k -= 1
    of = k >= 0 and _low(sent[k].text) in OF
    h = k - 1 if of else i - 1
    if h < 0 or (not of and k != i - 1):
        return i, ""
    head = _low(sent[h].text)
    if head in LOWER_PLACE_HEADS:
        return h, "LOC"
    if of and head in LOWER_ORG_HEADS:
        return h, "ORG"
    return i, ""


def _extend_right(sent: list[Token], j: int) -> int:
    """French institutions go on in lower case after their organisation word: adjectives and `de` + a noun
    (`Organisation` `mondiale de la santé`, `Mutualité` `sociale agricole`, `Académie` `d'agriculture`)."""
    n, end = len(sent), j
    while j < n:
        w = _low(sent[j].text)
        nxt = _low(sent[j + 1].text) if j + 1 < n else ""
        if ADJECTIVE.match(w) and w not in STOPWORDS and nxt not in VERB_AFTER:  # `critique le plan`: a verb
            j += 1
            end = j
            continue
        if w.startswith("d'") and len(w) > 4 and w[2:].isalpha() and w[2].islower():
            j += 1  # `d'agriculture`: one token
            end = j
            continue
        k = j
        if w in OF:
            k += 1
            if k < n and _low(sent[k].text) in {"la", "l'"}:
                k += 1
            if k < n and sent[k].text.isalpha() and sent[k].text.islower() and len(sent[k].text) > 2 and (
                _low(sent[k].text) not in STOPWORDS | FUNCTION
            ):
                j = end = k + 1
                continue
        break
    return end


def _evidence(sents: list[list[Token]]) -> tuple[set[str], set[str]]:
    """Words the text capitalises mid-sentence, and words it writes in lower case."""
    mid: set[str] = set()
    lower: set[str] = set()
    for sent in sents:
        first = _first_word(sent)
        for k, tok in enumerate(sent):
            w = tok.text
            if w[:1].islower():
                lower.add(w)
            elif k > first and _is_cap(w) and sent[k - 1].text not in (":", "«", '"', "“", "-", "—", "–"):
                mid.add(w)
    return mid, lower


def _first_word(sent: list[Token]) -> int:
    """Index of the first word of a sentence, after any opening quote, dash or bullet."""
    for k, tok in enumerate(sent):
        if any(ch.isalnum() for ch in tok.text):
            return k
    return len(sent)


def _site_suffix(text: str) -> tuple[int, int] | None:
    """The span of the site's name closing a page's title, its first line (`... - Gala`, `... | Le Monde`)."""
    line_end = text.find("\n")
    line = text if line_end < 0 else text[:line_end]
    m = SITE_SUFFIX.search(line)
    return m.span(1) if m and len(line) - len(m.group(0)) > 20 else None


def extract(text: str, language: str | None = None) -> list[tuple[str, int, int]]:
    """Return (label, start, end) mentions found by rules in `text`.

    German capitalises every noun, so there (and for unknown languages) a lone capitalised word
    counts only when a list knows it or a title precedes it.
    """
    lang = language or ""
    name_case = lang in NAME_CASE
    strict = not name_case
    places, given, votes = resources()
    sents = sentences(text)
    if lang in ELISION:
        sents = [_split_elisions(sent) for sent in sents]
    mid, lower = _evidence(sents) if name_case else (set(), set())
    site = _site_suffix(text) if name_case else None
    surnames = {  # `Gutierrez` alone, after `Antonio Gutierrez` mid-sentence: a person's surname wherever it stands
        sent[j - 1].text for sent in sents for i, j in _runs(sent, lang in ELISION, given, name_case)
        if 2 <= j - i <= (3 if name_case else 2) and i > _first_word(sent) and _given(sent[i].text, given)
        and all(_is_cap(t.text) for t in sent[i:j])
    }
    found: list[tuple[str, int, int, int]] = []  # label, start, end, strength
    for sent in sents:
        first = _first_word(sent)
        if name_case and first < len(sent) and CREDIT.match(text, sent[first].start):
            continue  # `Crédit photo : KB / Bondy Blog`: a page's credit line, no part of the story
        for i, j in _runs(sent, lang in ELISION, given, name_case):
            article = name_case and i > first and _low(sent[i].text) in ARTICLES and j - i > 1
            stop = STOPWORDS | FUNCTION if name_case else STOPWORDS
            while i < j and not article and (_low(sent[i].text) in stop or PRONOUN_VERB.match(sent[i].text)):
                i += 1  # "Le", "Selon", "Het", "C'est" ... at the start of a run
            while j > i and _low(sent[j - 1].text) in stop:
                j -= 1
            cue = ""
            if i < j - 1 and _low(sent[i].text) in NOT_NAMES | ORG_CUES and sent[i].text.isupper():
                cue = "ORG" if _low(sent[i].text) in ORG_CUES else ""  # `ONG Greenpeace`, `OPA de Monsanto`
                i += 1
            if name_case and i == first and j - i > 1 and sent[i].text.lower() in lower and not (
                _given(sent[i].text, given) or _place(sent[i].text, places, votes)
            ):
                i += 1  # `Tempête Ciaran`: a common noun opening a sentence (not `Pierre` of `Pierre Dupont`)
            while i < j and not _is_cap(sent[i].text):
                i += 1  # a particle left at the start: `d'` of `Proche d'Emmanuel Macron`
            if i >= j or (article and j - i == 2 and name_key(sent[i + 1].text) in BARE_HEADS["NOUN"]):
                continue  # nothing left, or `L'État`
            words = [t.text for t in sent[i:j]]
            prev = sent[i - 1].text if i else ""
            titled = _low(prev) in TITLES
            if j - i == 1 and _low(words[0]) in NOT_NAMES and not titled:
                continue
            if j - i == 1 and words[0] in surnames and not words[0].isupper():
                found.append(("PER", sent[i].start, sent[i].end, 2))
                continue
            known = _given(words[0], given) or _place(" ".join(words), places, votes)
            if strict:  # German nouns: a lone given name of the long list (`Sommer`, `Tage`) is no evidence there
                known = _place(" ".join(words), places, votes) or words[0] in votes
                if j - i == 1 and not known and not titled and (i <= first or not words[0].isupper()):
                    continue  # a lone capitalised word opening a sentence (or a German noun) is usually not a name
            elif j - i == 1 and not titled:
                w = words[0]
                listed = _place(w, places, votes) or w in votes
                if i <= first and w not in mid and not (listed and w.lower() not in lower) and not _acronym(w):
                    continue  # a lone word opening a sentence: no evidence it is a name
                if w.lower() in lower and not known or name_key(w) in BARE_HEADS["NOUN"] or len(w) < 2:
                    continue  # a common noun (`Pluie`, `État`), a letter (`classée en B`)
            start = i
            extended = ""
            if name_case:
                cue = cue or _cue(sent, i, lang) or _right_cue(sent, j)
                start, extended = _extend_left(sent, i)
                if not extended and lang == "fr" and name_key(words[-1]) in BARE_HEADS["ORG"]:
                    end = _extend_right(sent, j)
                    if end > j:
                        j, extended = end, "ORG"
            if extended:
                label, strength = extended, 3
            else:
                label, strength = _label_strength(words, prev, places, given, votes, cue, name_case)
                if article and label != "LOC" and strength < 2 and not _place(" ".join(words[1:]), places, votes):
                    label, strength = "ORG", max(strength, 1)
            span_start, span_end = sent[start].start, sent[j - 1].end
            if site and site[0] <= span_start and span_end <= site[1]:
                label, strength = "ORG", 3
            found.append((label, span_start, span_end, strength))
    return _one_label_per_name(text, found) if name_case else [(lb, s, e) for lb, s, e, _ in found]


def _one_label_per_name(text: str, found: list[tuple[str, int, int, int]]) -> list[tuple[str, int, int]]:
    """Give every mention of a name the label its mentions weigh most for (a cue outweighs a vote)."""
    weight: dict[str, Counter[str]] = defaultdict(Counter)
    for label, s, e, strength in found:
        weight[name_key(text[s:e])][label] += STRENGTH_WEIGHT[strength]
    out = []
    for label, s, e, _ in found:
        top = weight[name_key(text[s:e])].most_common(2)
        if len(top) > 1 and top[0][1] > top[1][1]:
            label = top[0][0]
        out.append((label, s, e))
    return out
