"""Snippets: the passage of an article that best matches the query, with the matched words marked.

Matching runs the article's own analyzers over its text, so a stemmed query word (`ambtsgenoten`) marks the
written form (`ambtsgenoot`). A snippet is a list of (text, matched) segments; `to_html` escapes every segment.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from markupsafe import Markup, escape

from . import fuzzy
from . import querytree as T
from .analysis import exact_analyzer, language_analyzer, text_field

WINDOW = 220
SCAN_CHARS = 50_000  # a snippet is looked for in the opening of the body only, so a huge article stays cheap


@dataclass(frozen=True)
class QueryTerms:
    """The words a query looks for, per field, its prefixes and its wildcard patterns (not those under NOT)."""

    terms: frozenset[tuple[str, str]]
    prefixes: frozenset[tuple[str, str]]
    patterns: frozenset[tuple[str, str]] = frozenset()  # (field, regular expression of a whole word)

    @classmethod
    def of(cls, q: T.Node) -> "QueryTerms":
        terms: set[tuple[str, str]] = set()
        prefixes: set[tuple[str, str]] = set()
        patterns: set[tuple[str, str]] = set()
        for leaf in T.positive_leaves(q):
            if isinstance(leaf, T.Term):
                terms.add((leaf.field, leaf.text))
            elif isinstance(leaf, T.Phrase):
                terms.update((leaf.field, w) for w in leaf.words)
            elif isinstance(leaf, T.Prefix):
                prefixes.add((leaf.field, leaf.text))
            elif isinstance(leaf, T.Wildcard):
                regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in leaf.pattern)
                patterns.add((leaf.field, regex))
            elif isinstance(leaf, T.Fuzzy):
                patterns.add((leaf.field, fuzzy.pattern(leaf.text, leaf.maxdist, leaf.prefix)))
        return cls(frozenset(terms), frozenset(prefixes), frozenset(patterns))


Segments = list[tuple[str, bool]]


def matched_spans(text: str, language: str | None, qt: QueryTerms) -> list[tuple[int, int]]:
    """Return the character spans of `text` that the query's words match."""
    spans: set[tuple[int, int]] = set()
    field = text_field(language)
    code = field.split("_", 1)[1]
    for fname, analyzer in ((field, language_analyzer(code)), ("exact", exact_analyzer())):
        wanted = {t for f, t in qt.terms if f == fname}
        prefixes = tuple(p for f, p in qt.prefixes if f == fname and p)
        pattern = re.compile("|".join(f"(?:{p})" for f, p in qt.patterns if f == fname)) \
            if any(f == fname for f, _ in qt.patterns) else None
        if not wanted and not prefixes and pattern is None:
            continue
        for tok in analyzer(text, chars=True, mode="index"):
            if tok.text in wanted or (prefixes and tok.text.startswith(prefixes)) \
                    or (pattern is not None and pattern.fullmatch(tok.text)):
                spans.add((tok.startchar, tok.endchar))
    return sorted(spans)


def make_snippet(text: str, language: str | None, qt: QueryTerms, width: int = WINDOW) -> Segments:
    """Return the window of `text` with the most matches, as segments; the opening words where nothing matches.

    Only the first SCAN_CHARS characters are read (cut at a space), whatever the length of the article.
    """
    if len(text) > SCAN_CHARS:
        space = text.rfind(" ", 0, SCAN_CHARS)
        text = text[: space if space > SCAN_CHARS // 2 else SCAN_CHARS]
    spans = matched_spans(text, language, qt)
    if not spans:
        cut = _cut(text, 0, width)
        return [(cut[0], False)] if cut[0] else []
    best_start, best_count = spans[0][0], 0
    ends = sorted(e for _, e in spans)
    for start, _ in spans:  # the matches that end within a window opening at each match
        count = bisect_right(ends, start + width) - bisect_left(ends, start + 1)
        if count > best_count:
            best_start, best_count = start, count
    window_start = max(0, best_start - width // 4)
    piece, offset = _cut(text, window_start, width)
    segments: Segments = []
    pos = 0
    for start, end in spans:
        s, e = start - offset, end - offset
        if s < pos or e > len(piece.rstrip("…")) or s < 0:
            continue
        if s > pos:
            segments.append((piece[pos:s], False))
        segments.append((piece[s:e], True))
        pos = e
    if pos < len(piece):
        segments.append((piece[pos:], False))
    return segments


def _cut(text: str, start: int, width: int) -> tuple[str, int]:
    """Cut about `width` characters from `start`, on word boundaries, with ellipses where text was cut."""
    if start > 0:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + text[start:end].replace("\n", " ") + suffix, start - len(prefix)


def to_html(segments: Segments) -> Markup:
    """Render segments as escaped HTML with matches in <mark>."""
    return Markup("").join(Markup("<mark>%s</mark>") % s if hit else escape(s) for s, hit in segments)


def to_text(segments: Segments, mark: tuple[str, str] = ("[", "]")) -> str:
    """Render segments as plain text with matches between markers."""
    return "".join(f"{mark[0]}{s}{mark[1]}" if hit else s for s, hit in segments)
