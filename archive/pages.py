"""Profiles of an entity or a source, and articles like a given one: built from ordinary search requests.

An entity page is the search `person=NAME` (or org, location, misc) sorted newest first with facets: its
timeline, the sources that mention it most, the entities it co-occurs with most and its latest articles all come
from that one `SearchPage`. A source page is the search `source=NAME`. Nothing is stored for them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from whoosh import query as Q
from whoosh.searching import Searcher

from .analysis import fold, text_field
from .entities import canonical_name
from .fastquery import evaluate
from .index import stored_article
from .model import LABELS, Article
from .request import SearchRequest
from .search import SearchPage, search

ENTITY_TYPES = {"person": "PER", "org": "ORG", "location": "LOC", "misc": "MISC"}
TYPE_NAMES = {"person": "Person", "org": "Organisation", "location": "Place", "misc": "Other entity"}
PROFILE_FACETS = 12
MORE_LIKE_TERMS = 12


@dataclass
class Profile:
    """What the archive knows about one entity or source."""

    kind: str  # person, org, location, misc or source
    name: str
    request: SearchRequest  # the search behind the profile (a filter on the name)
    page: SearchPage  # latest articles, facets and timeline
    related: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # label -> co-occurring names
    elsewhere: list[tuple[str, int]] = field(default_factory=list)  # other kinds the same name was tagged as

    @property
    def total(self) -> int:
        return self.page.total

    @property
    def sources(self) -> list[tuple[str, int]]:
        return self.page.facets.values.get("source", []) if self.page.facets else []


def profile(searcher: Searcher, kind: str, name: str, index_version: int = 0) -> Profile:
    """Build the profile of an entity (kind person|org|location|misc) or a source (kind source)."""
    req = SearchRequest.from_dict({kind: name, "sort": "newest", "facets": "1", "size": "10"})
    page = search(searcher, req, index_version, facet_limit=PROFILE_FACETS + 1)
    own_label = ENTITY_TYPES.get(kind, "source")
    own_key = _key(kind, name)
    values = page.facets.values if page.facets else {}
    display = next((v for v, _ in values.get(own_label, []) if _key(kind, v) == own_key), name)
    related = {
        label: [(v, n) for v, n in values.get(label, []) if label != own_label or _key(kind, v) != own_key]
        [:PROFILE_FACETS]
        for label in LABELS
    }
    return Profile(kind, display, req, page, related, other_kinds(searcher, kind, name, index_version))


def other_kinds(searcher: Searcher, kind: str, name: str, index_version: int = 0) -> list[tuple[str, int]]:
    """Return the other entity kinds the same name was tagged as, with their article counts: a recogniser
    can call a club a person in one story and an organisation in the next, and the reader should see both."""
    if kind not in ENTITY_TYPES:
        return []
    out = []
    for other in ENTITY_TYPES:
        if other != kind:
            total = search(searcher, SearchRequest.from_dict({other: name, "size": "1"}), index_version).total
            if total:
                out.append((other, total))
    return out


@lru_cache(maxsize=None)
def _stopwords(language: str | None) -> frozenset[str]:
    """Return the stop words of a language (folded), to keep them out of "more like this"."""
    from whoosh.lang.stopwords import stoplists

    names = {"nl": "nl", "en": "en", "fr": "fr", "de": "de", "es": "es"}
    words = stoplists.get(names.get(language or "", ""), frozenset()) | stoplists.get("en", frozenset())
    return frozenset(fold(w) for w in words)


def _key(kind: str, name: str) -> str:
    return fold(canonical_name(name)) if kind in ENTITY_TYPES else fold(name)


def more_like(searcher: Searcher, article: Article, limit: int = 5) -> tuple[list[str], list[Article]]:
    """Return the article's most distinctive words and the articles that share them most.

    The article itself and every version of its reprint cluster are left out.
    """
    fieldname = text_field(article.language)
    text = "\n\n".join(p for p in (article.title or "", article.body) if p)
    if fieldname not in searcher.schema.names() or not text.strip():
        return [], []
    stop = _stopwords(article.language)
    candidates = searcher.key_terms_from_text(fieldname, text, numterms=MORE_LIKE_TERMS * 3)
    terms = [(word, weight) for word, weight in candidates
             if len(word) > 2 and not word.isdigit() and word not in stop][:MORE_LIKE_TERMS]
    if not terms:
        return [], []
    query = Q.Or([Q.Term(fieldname, word, boost=weight) for word, weight in terms])
    own_query = Q.Or([Q.Term("cluster", article.cluster), Q.Term("id", article.id)]) if article.cluster \
        else Q.Term("id", article.id)
    docs, scores = evaluate(searcher, query, scored=True)
    keep = ~np.isin(docs, evaluate(searcher, own_query, scored=False)[0])
    docs, scores = docs[keep], scores[keep] if scores is not None else np.zeros(int(keep.sum()))
    best = docs[np.lexsort((docs, -scores))[:limit]]
    found = [stored_article(searcher.stored_fields(int(d))) for d in best]
    return [word for word, _ in terms], found
