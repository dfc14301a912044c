"""Text analysis for the index: one stemmed field per language, and an exact form.

Articles are indexed into the field of their language (`text_nl`, `text_en`, ...), each with its own stemmer, so
`ambtsgenoten` finds `ambtsgenoot` and `ministers` finds `minister`. All fields fold case and accents, so `Geneve`
finds `Genève`. The `exact` field keeps words whole, hyphens and ampersands included (`N-VA`, `CD&V`), unstemmed:
it is where wildcards and punctuated terms are matched.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from whoosh.analysis import (
    Analyzer, CommaSeparatedTokenizer, Filter, IDTokenizer, RegexTokenizer,
)
from whoosh.lang import stemmer_for_language
from whoosh.support.charset import accent_map

STEMMED_LANGUAGES = {"nl": "dutch", "en": "english", "fr": "french", "de": "german", "es": "spanish"}
OTHER = "xx"
TEXT_FIELDS = {code: f"text_{code}" for code in [*STEMMED_LANGUAGES, OTHER]}
WORD_PATTERN = r"\w+(?:\.?\w+)*"
EXACT_PATTERN = r"\w+(?:[-&'’.]\w+)*"


class _Combining(dict):
    """A `str.translate` table that drops combining marks, filled in as characters are first seen."""

    def __missing__(self, char: int) -> int | None:
        self[char] = None if unicodedata.combining(chr(char)) else char
        return self[char]


_DROP_MARKS = _Combining()


def fold(text: str) -> str:
    """Lower-case and strip accents: the form names and keys are compared in."""
    if text.isascii():
        return " ".join(text.lower().split())
    return " ".join(unicodedata.normalize("NFKD", text.casefold()).translate(_DROP_MARKS).split())


def text_field(language: str | None) -> str:
    """Return the full-text field an article in `language` is indexed in."""
    return TEXT_FIELDS.get(language or OTHER, TEXT_FIELDS[OTHER])


_FORM_CACHES: dict[str | None, dict[str, str]] = {}


class FoldStemFilter(Filter):
    """Lower-case, fold accents and (for a stemmed language) stem each token, remembering each word's form.

    One filter with one cache instead of Whoosh's three chained filters: the same terms, at about half the cost,
    which matters because every word of every article passes through it twice.
    """

    MAX_CACHE = 200_000

    def __init__(self, language: str | None = None):
        self.language = language
        self._cache = _FORM_CACHES.setdefault(language, {})  # shared: Whoosh unpickles a schema per writer

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FoldStemFilter) and other.language == self.language

    def __getstate__(self) -> dict:
        return {"language": self.language}  # the cache is not pickled into the index's schema

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["language"])  # type: ignore[misc]

    def _form(self, text: str) -> str:
        form = text.lower().translate(accent_map)
        if self.language in STEMMED_LANGUAGES:
            form = _stemmer(self.language)(form)
        if len(self._cache) >= self.MAX_CACHE:
            self._cache.clear()
        self._cache[text] = form
        return form

    def forms(self, words: list[str]) -> list[str]:
        """Return the indexed form of each word (what `__call__` makes of a token stream, without the tokens)."""
        cache, form = self._cache, self._form
        return [cache.get(w) or form(w) for w in words]

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        cache = self._cache
        for t in tokens:
            text = t.text
            form = cache.get(text)
            t.text = form if form is not None else self._form(text)
            yield t


def analyse_words(text: str, language: str | None) -> tuple[list[str], list[str]]:
    """Return the indexed forms of a text's words for the `exact` field and for its language's field.

    The same terms as the two fields' analyzers, at a fraction of the cost (no Token objects): ingest workers
    use it to hand the writer ready terms.
    """
    exact = _EXACT_RE.findall(text)
    words = _WORD_RE.findall(text)
    code = language if language in STEMMED_LANGUAGES else None
    return _filter(None).forms(exact), _filter(code).forms(words)


_EXACT_RE, _WORD_RE = re.compile(EXACT_PATTERN, re.UNICODE), re.compile(WORD_PATTERN, re.UNICODE)


@lru_cache(maxsize=None)
def _filter(language: str | None) -> FoldStemFilter:
    return FoldStemFilter(language)


@lru_cache(maxsize=None)
def _stemmer(language: str):  # type: ignore[no-untyped-def]
    return stemmer_for_language(language)


@lru_cache(maxsize=None)
def language_analyzer(language: str) -> Analyzer:
    """Return the analyzer of one language's text field: words, lower case, accents folded, stemmed."""
    return RegexTokenizer(WORD_PATTERN) | FoldStemFilter(language if language in STEMMED_LANGUAGES else None)


@lru_cache(maxsize=None)
def exact_analyzer() -> Analyzer:
    """Return the analyzer of the exact field: whole words with inner punctuation, folded, unstemmed."""
    return RegexTokenizer(EXACT_PATTERN) | FoldStemFilter(None)


@lru_cache(maxsize=None)
def key_analyzer(multiple: bool) -> Analyzer:
    """Return the analyzer of a name-key field (source, entities): whole values, comma-separated where `multiple`."""
    tokenizer = CommaSeparatedTokenizer() if multiple else IDTokenizer()
    return tokenizer | FoldStemFilter(None)


@lru_cache(maxsize=None)
def stopwords(language: str | None) -> frozenset[str]:
    """Return the stop words of a language and English (folded), to keep them out of "more like this"."""
    from whoosh.lang.stopwords import stoplists

    names = {"nl": "nl", "en": "en", "fr": "fr", "de": "de", "es": "es"}
    words = stoplists.get(names.get(language or "", ""), frozenset()) | stoplists.get("en", frozenset())
    return frozenset(fold(w) for w in words)
