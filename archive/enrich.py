"""Enrichment fills in what readers cannot: the language (detected, and trusted over a declaration it confidently
contradicts), the named entities, and the MinHash fingerprint that reprint clustering compares.

Entities are found in one pass over title, caption and body together, so that a `Kerry` in the body can resolve
to the `John Kerry` of the caption; each mention is then given back to its field with offsets into that field.
"""
from __future__ import annotations

from .cluster import signature
from .entities import extract_entities
from .language import choose_language
from .model import Article, Entity

_GAP = "\n\n"


def enrich(article: Article, keep_entities: bool = False) -> Article:
    """Decide the language (detected where none is declared, or where the text confidently overrules the
    declaration: `choose_language`) and find the entities of an article, in place.

    With `keep_entities` an article that already has entities (a record of `archive export`) keeps them.
    """
    text = " ".join(filter(None, [article.title, article.body[:2000]]))
    article.language, _ = choose_language(article.language, text)
    if not (keep_entities and article.entities):
        article.entities = find_entities(article)
    sig = signature(article.body)
    article.fingerprint = sig.to_bytes() if sig is not None else None
    return article


def find_entities(article: Article) -> list[Entity]:
    """Find entities in title, caption and body, with offsets into the field each one stands in."""
    parts = [("title", article.title or ""), ("caption", article.caption or ""), ("body", article.body)]
    spans: list[tuple[str, int, int]] = []
    pieces: list[str] = []
    pos = 0
    for field, text in parts:
        if not text:
            continue
        spans.append((field, pos, pos + len(text)))
        pieces.append(text)
        pos += len(text) + len(_GAP)
    combined = _GAP.join(pieces)
    found: list[Entity] = []
    for ent in extract_entities(combined, article.language):
        for field, start, end in spans:
            if start <= ent.start and ent.end <= end:
                found.append(
                    Entity(ent.label, ent.start - start, ent.end - start, ent.text, ent.name, field=field)
                )
                break
    order = {"body": 0, "title": 1, "caption": 2}
    found.sort(key=lambda e: (order[e.field], e.start))
    return found
