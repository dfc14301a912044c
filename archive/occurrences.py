"""Where a search's words occur in a text: each article's title, caption or body is cut into words with the index's own
patterns and each word folded (and stemmed in the article's language) with the index's filter, so the words found are
the ones the index matched: `ambtsgenoten` finds `ambtsgenoot`, `N-VA` stays whole, prefixes and wildcards match whole
words, and a phrase is one occurrence from its first word to its last (its slop allowed). Words under NOT, and fields
that are not text (person:, source:), are not looked for. Where occurrences overlap (a word searched alone and inside
a phrase) the one that starts first, and then the longest, is kept. Used by the concordance (`kwic.py`). No Flask here.
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator

from . import querytree as T
from .analysis import EXACT_PATTERN, STEMMED_LANGUAGES, WORD_PATTERN, FoldStemFilter, text_field
from .query import build_query, query_schema
from .request import RequestError, SearchRequest
from .snippets import QueryTerms

_WORD_RE, _EXACT_RE = re.compile(WORD_PATTERN), re.compile(EXACT_PATTERN)


def _is_text(field: str | None) -> bool:
    return field == "exact" or (field or "").startswith("text_")


_FILTERS: dict[str | None, FoldStemFilter] = {}


def _form_filter(code: str | None) -> FoldStemFilter:
    if code not in _FILTERS:
        _FILTERS[code] = FoldStemFilter(code)
    return _FILTERS[code]


class Finder:
    """The words, prefixes, wildcards and phrases of a query, and where they occur in a text."""

    def __init__(self, tree: T.Node):
        leaves = [leaf for leaf in T.positive_leaves(tree) if _is_text(getattr(leaf, "field", None))]
        self.phrases: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for leaf in leaves:
            if isinstance(leaf, T.Phrase):
                self.phrases.setdefault(leaf.field, []).append((leaf.words, max(1, leaf.slop)))
        qt = QueryTerms.of(T.Or(tuple(leaf for leaf in leaves if not isinstance(leaf, T.Phrase))))
        self.terms: dict[str, set[str]] = {}
        for field, text in qt.terms:
            self.terms.setdefault(field, set()).add(text)
        self.prefixes: dict[str, tuple[str, ...]] = {}
        for field, text in qt.prefixes:
            if text:
                self.prefixes[field] = (*self.prefixes.get(field, ()), text)
        self.patterns: dict[str, re.Pattern] = {}
        for field in {f for f, _ in qt.patterns}:
            self.patterns[field] = re.compile("|".join(f"(?:{p})" for f, p in qt.patterns if f == field))
        self.fields = set(self.phrases) | set(self.terms) | set(self.prefixes) | set(self.patterns)

    @classmethod
    def of(cls, req: SearchRequest) -> "Finder":
        """Return the finder of a search's words; raise RequestError where it has none (QueryError if unreadable)."""
        if not req.q.strip():
            raise RequestError("q", "give the words to show in context")
        finder = cls(build_query(req, query_schema()).tree()[0])
        if not finder.fields:
            raise RequestError("q", f"{req.q!r} has no words to find in the text (fields such as person: or source: "
                                    "only filter): add a word or a phrase")
        return finder

    def _matches(self, field: str, form: str) -> bool:
        prefixes = self.prefixes.get(field)
        pattern = self.patterns.get(field)
        return form in self.terms.get(field, ()) or bool(prefixes and form.startswith(prefixes)) \
            or (pattern is not None and pattern.fullmatch(form) is not None)

    def spans(self, text: str, language: str | None) -> list[tuple[int, int]]:
        """Return the character spans of the occurrences in `text`, in order, none overlapping.

        Each distinct word is folded and tested once; only the positions of words that match are looked at.
        """
        field = text_field(language)
        code = field.split("_", 1)[1]
        found: list[tuple[int, int]] = []
        for fname, regex, code_ in ((field, _WORD_RE, code if code in STEMMED_LANGUAGES else None),
                                    ("exact", _EXACT_RE, None)):
            if fname not in self.fields:
                continue
            tokens = regex.findall(text)
            distinct = list(set(tokens))
            form = dict(zip(distinct, _form_filter(code_).forms(distinct)))
            if fname in self.prefixes or fname in self.patterns:
                hits = frozenset(t for t, f in form.items() if self._matches(fname, f))
            else:
                wanted = self.terms.get(fname, set())
                hits = frozenset(t for t, f in form.items() if f in wanted)
            phrases = self.phrases.get(fname, ())
            firsts = {t for t, f in form.items() for words, _ in phrases if f == words[0]}
            if not hits and not firsts:
                continue
            if hits:
                found += _whole_spans(text, hits, fname == "exact")
            if not firsts:
                continue
            where = list(regex.finditer(text))  # the same tokens, with their places
            for i in [i for i, token in enumerate(tokens) if token in firsts]:
                for words, slop in phrases:
                    last = _phrase_end(tokens, form, i, words, slop)
                    if last is not None:
                        found.append((where[i].start(), where[last].end()))
        found.sort(key=lambda s: (s[0], -s[1]))
        kept: list[tuple[int, int]] = []
        for start, end in found:
            if not kept or start >= kept[-1][1]:
                kept.append((start, end))
        return kept


_JOINERS = {False: ".", True: "-&'’."}  # what joins word characters into one token of each field's pattern
_WORD_CHAR = re.compile(r"\w")


def _whole_spans(text: str, words: Iterable[str], exact: bool) -> list[tuple[int, int]]:
    """Return where these written words stand in `text` as whole tokens of the field's tokenizer, in order.

    A token of WORD_PATTERN (EXACT_PATTERN) runs on over a joiner between word characters (`.`; or `-&'’.`), so a
    word is whole where neither a word character, nor a joiner after a word character, comes before it, and neither a
    word character, nor a joiner before a word character, comes after it.
    """
    joiners, is_word, n = _JOINERS[exact], _WORD_CHAR.match, len(text)
    out = []
    for word in words:
        pos = text.find(word)
        while pos >= 0:
            end = pos + len(word)
            if not (pos and (is_word(text, pos - 1) or (pos > 1 and text[pos - 1] in joiners
                                                         and is_word(text, pos - 2)))) \
                    and not (end < n and (is_word(text, end) or (end + 1 < n and text[end] in joiners
                                                                 and is_word(text, end + 1)))):
                out.append((pos, end))
            pos = text.find(word, pos + 1)
    return sorted(out)


def _phrase_end(tokens: list[str], form: dict[str, str], i: int, words: tuple[str, ...], slop: int) -> int | None:
    """Return the position of the last word of a phrase that starts at token i (each next word 1 to `slop` positions
    after the last one found; the nearest end), or None."""
    if form[tokens[i]] != words[0]:
        return None
    n = len(tokens)
    ends = {i}
    for word in words[1:]:
        ends = {q for e in ends for q in range(e + 1, min(e + slop, n - 1) + 1) if form[tokens[q]] == word}
        if not ends:
            return None
    return min(ends)
