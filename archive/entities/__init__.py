"""Named-entity recognition for the archive: raw text in, `Entity` records with offsets and names out.

Dutch, English and Spanish text goes through a CRF (python-crfsuite) trained on CoNLL-2002/2003
with word-shape, affix, context, cluster, gazetteer and document-level features (how a word is
written elsewhere in the same article; models in `models/`, retrained by
`python -m archive.entities.train`). Any other language, or none, goes through the rule-based
FALLBACK extractor in `fallback.py`. Mentions that are no entity are dropped (`noise.py`) and names are then
normalised per article (`normalise.py`, with the forms of `names.py`).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

from ..model import Entity
from . import fallback, names, noise
from .normalise import canonical_name, name_key, resolve
from .corrections import repair
from .tokenize import sentences

__all__ = ["extract_entities", "name_key", "canonical_name", "MODEL_LANGUAGES"]

MODELS = Path(__file__).with_name("models")
MODEL_LANGUAGES = ("nl", "en", "es")
NOISE = {"PER", "ORG", "LOC"}  # labels that must not hold a lone function word
_CAP = "A-ZÀ-ÖØ-Þ"
DATELINE = re.compile(  # at a line start: one to four capitalised words, an optional date, (agency), a dash
    rf"^[ \t]*(?P<place>[{_CAP}][\w'’.-]*(?:[ \t]+[{_CAP}][\w'’.-]*){{0,3}})(?:[ \t]*,[^()\n]{{1,30}}?)?"
    rf"[ \t]*\((?P<agency>[{_CAP}][^()\n]{{1,40}})\)[ \t]*[-–—:]",
    re.M,
)
WIRE_DATELINE = re.compile(  # Reuters: `RICHMOND, Va. Feb 26 -`, `HALIFAX, Nova Scotia, March 3 -`, `TOKYO, March 3 -`
    r"^(?P<place>[A-Z][A-Z.'-]*(?: [A-Z][A-Z.'-]*){0,3}),[ \t]*(?:(?P<state>[A-Z][A-Za-z.]*(?: [A-Z][a-z]+)?)\.?,?[ \t]+)?"
    r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?[ \t]+\d{1,2}[ \t]*[-–—]",
    re.M,
)
DATELINE_REACH = 600  # characters: a dateline opens the story, after at most a title
SIGNATURES = {"reuter", "reuters", "ap", "afp", "anp", "belga", "efe", "dpa", "upi", "ansa"}  # wire sign-offs


@lru_cache(maxsize=None)
def has_model(lang: str) -> bool:
    """Return whether a CRF model file ships for `lang` (checked once)."""
    return (MODELS / f"{lang}.crfsuite").exists()


@lru_cache(maxsize=None)
def tagger(lang: str):  # type: ignore[no-untyped-def]
    """Load (once) the CRF tagger and featurizer of a language."""
    from .crf import Tagger
    from .features import Featurizer

    return Tagger(MODELS / f"{lang}.crfsuite", Featurizer.from_dir(MODELS, lang))


def tagged_spans(doc: list[list[str]], lang: str) -> list[list[tuple[str, int, int]]]:
    """Tag a document of tokenised sentences with the language's CRF and return, per sentence, the
    (label, first token, end token) spans the archive keeps: the model's, after its corrections."""
    model = tagger(lang)
    out = []
    for words, tags in zip(doc, model.tag_document(doc)):
        out.append([
            (kind, i, j) for kind, i, j in repair(words, tags, model.featurizer, lang != "es")
            if not (kind in NOISE and j - i == 1 and words[i].lower() in fallback.STOPWORDS)
        ])
    return one_label_per_name(doc, out)


def one_label_per_name(doc: list[list[str]], spans: list[list[tuple[str, int, int]]]) -> list[list[tuple[str, int, int]]]:
    """Give every mention of the same name in a document the label most of its mentions have
    (`Chelsea` tagged ORG twice and PER once is ORG three times); a tie changes nothing."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for words, sent in zip(doc, spans):
        for kind, i, j in sent:
            votes[" ".join(words[i:j]).casefold()][kind] += 1
    winner = {}
    for name, count in votes.items():
        if len(count) > 1:
            (top, n), (_, m) = count.most_common(2)
            if n > m:
                winner[name] = top
    if not winner:
        return spans
    return [[(winner.get(" ".join(words[i:j]).casefold(), kind), i, j) for kind, i, j in sent]
            for words, sent in zip(doc, spans)]


def crf_mentions(text: str, lang: str) -> list[tuple[str, int, int]]:
    """Tag `text` with the language's CRF and return (label, start, end) character spans."""
    sents = sentences(text, split_clitics=lang == "en")
    doc = [[t.text for t in sent] for sent in sents]  # the whole article: document-level features see it all
    return [(kind, sent[i].start, sent[j - 1].end)
            for sent, spans in zip(sents, tagged_spans(doc, lang)) for kind, i, j in spans]


def extract_entities(text: str, language: str | None) -> list[Entity]:
    """Return the named entities of `text` (PER/ORG/LOC/MISC) with offsets and normalised names."""
    lang = (language or "").lower().split("-")[0].split("_")[0]
    if lang in MODEL_LANGUAGES and has_model(lang):
        mentions = crf_mentions(text, lang)
    else:
        mentions = fallback.extract(text, lang or None)
    mentions = noise.clean(text, [m for m in mentions if not is_signature(text, m[1], m[2])])
    mentions = dateline_place(text, mentions)
    tags = names.party_tags(text)
    if tags:  # `Sen. Ann Ruiz (D-N.Y.)`: neither the tag nor the state in it is a place of the story
        mentions = [m for m in mentions if not any(m[1] < e and s < m[2] for s, e in tags)]
    return [e for e in resolve(text, mentions, lang or None) if not noise.not_a_name(e.name)]


def dateline_place(text: str, mentions: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Read a wire dateline (`BRIGHTON (Harbour Wire) -`, `NAMUR (Belga) -`, `RICHMOND, Va. Feb 26 -`) opening the
    story: its place (and state) is a location and its agency, the sender, is no entity; whatever the model made of
    either gives way."""
    m = DATELINE.search(text, 0, DATELINE_REACH) or WIRE_DATELINE.search(text, 0, DATELINE_REACH)
    if not m:
        return mentions
    spans = [m.span(g) for g in m.re.groupindex if m.start(g) >= 0]
    places = [("LOC", *m.span(g)) for g in ("place", "state") if g in m.re.groupindex and m.start(g) >= 0]
    kept = [x for x in mentions if not any(x[1] < e and s < x[2] for s, e in spans)]
    return sorted(kept + places, key=lambda x: x[1])


def is_signature(text: str, start: int, end: int) -> bool:
    """Return whether a mention is the agency's sign-off closing the text, alone on its line or after the last
    sentence (`... the ministry said. REUTER`): it says who sent the story, which the source field holds."""
    if text[start:end].casefold() not in SIGNATURES or text[end:].strip().strip(".…"):  # `REUTER...` too
        return False
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start].rstrip()
    return not before or before.endswith((".", "!", "?", '"', "”", ")"))
