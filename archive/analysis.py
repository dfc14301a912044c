"""Text analysis for the index: one stemmed field per language, and an exact form.

Articles are indexed into the field of their language (`text_nl`, `text_en`, ...), each with its own stemmer, so
`ambtsgenoten` finds `ambtsgenoot` and `ministers` finds `minister`. All fields fold case and accents, so `Geneve`
finds `Genève`. The `exact` field keeps words whole, hyphens and ampersands included (`N-VA`, `CD&V`), unstemmed:
it is where wildcards and punctuated terms are matched.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

from whoosh.analysis import (
    Analyzer, CharsetFilter, CommaSeparatedTokenizer, IDTokenizer, LowercaseFilter, RegexTokenizer, StemFilter,
)
from whoosh.support.charset import accent_map

STEMMED_LANGUAGES = {"nl": "dutch", "en": "english", "fr": "french", "de": "german", "es": "spanish"}
OTHER = "xx"
TEXT_FIELDS = {code: f"text_{code}" for code in [*STEMMED_LANGUAGES, OTHER]}
WORD_PATTERN = r"\w+(?:\.?\w+)*"
EXACT_PATTERN = r"\w+(?:[-&'’.]\w+)*"


def fold(text: str) -> str:
    """Lower-case and strip accents: the form names and keys are compared in."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def text_field(language: str | None) -> str:
    """Return the full-text field an article in `language` is indexed in."""
    return TEXT_FIELDS.get(language or OTHER, TEXT_FIELDS[OTHER])


@lru_cache(maxsize=None)
def language_analyzer(language: str) -> Analyzer:
    """Return the analyzer of one language's text field: words, lower case, accents folded, stemmed."""
    chain = RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)
    if language in STEMMED_LANGUAGES:
        chain = chain | StemFilter(lang=language, cachesize=50000)
    return chain


@lru_cache(maxsize=None)
def exact_analyzer() -> Analyzer:
    """Return the analyzer of the exact field: whole words with inner punctuation, folded, unstemmed."""
    return RegexTokenizer(EXACT_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)


@lru_cache(maxsize=None)
def key_analyzer(multiple: bool) -> Analyzer:
    """Return the analyzer of a name-key field (source, entities): whole values, comma-separated where `multiple`."""
    tokenizer = CommaSeparatedTokenizer() if multiple else IDTokenizer()
    return tokenizer | LowercaseFilter() | CharsetFilter(accent_map)
