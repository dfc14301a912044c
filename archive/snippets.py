"""Snippets: the passage of an article that best matches the query, with the matched words marked.

Matching runs the article's own analyzers over its text, so a stemmed query word (`ambtsgenoten`) marks the
written form (`ambtsgenoot`). A snippet is a list of (text, matched) segments; `to_html` escapes every segment.
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape
from whoosh import query as Q

from .analysis import exact_analyzer, language_analyzer, text_field

WINDOW = 220


@dataclass(frozen=True)
class QueryTerms:
    """The words a query looks for, per field, and its prefixes (wildcards)."""

    terms: frozenset[tuple[str, str]]
    prefixes: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, q: Q.Query) -> "QueryTerms":
        terms: set[tuple[str, str]] = set()
        prefixes: set[tuple[str, str]] = set()
        for leaf in q.leaves():
            if isinstance(leaf, Q.Not) or _negated(q, leaf):
                continue
            if isinstance(leaf, Q.Term):
                terms.add((leaf.fieldname, str(leaf.text)))
            elif isinstance(leaf, Q.Phrase):
                terms.update((leaf.fieldname, w) for w in leaf.words)
            elif isinstance(leaf, (Q.Prefix, Q.Wildcard)):
                prefixes.add((leaf.fieldname, str(leaf.text).rstrip("*?")))
        return cls(frozenset(terms), frozenset(prefixes))


def _negated(root: Q.Query, leaf: Q.Query) -> bool:
    """Say whether a leaf sits under a NOT (its words must not be marked)."""
    for node in _walk(root):
        if isinstance(node, Q.Not) and any(x is leaf for x in node.leaves()):
            return True
    return False


def _walk(q: Q.Query):
    yield q
    if not q.is_leaf():
        for child in q.children():
            yield from _walk(child)


Segments = list[tuple[str, bool]]


def matched_spans(text: str, language: str | None, qt: QueryTerms) -> list[tuple[int, int]]:
    """Return the character spans of `text` that the query's words match."""
    spans: set[tuple[int, int]] = set()
    field = text_field(language)
    code = field.split("_", 1)[1]
    for fname, analyzer in ((field, language_analyzer(code)), ("exact", exact_analyzer())):
        wanted = {t for f, t in qt.terms if f == fname}
        prefixes = tuple(p for f, p in qt.prefixes if f == fname and p)
        if not wanted and not prefixes:
            continue
        for tok in analyzer(text, chars=True, mode="index"):
            if tok.text in wanted or (prefixes and tok.text.startswith(prefixes)):
                spans.add((tok.startchar, tok.endchar))
    return sorted(spans)


def make_snippet(text: str, language: str | None, qt: QueryTerms, width: int = WINDOW) -> Segments:
    """Return the window of `text` with the most matches, as segments; the opening words where nothing matches."""
    spans = matched_spans(text, language, qt)
    if not spans:
        cut = _cut(text, 0, width)
        return [(cut[0], False)] if cut[0] else []
    best_start, best_count = spans[0][0], 0
    for i, (start, _) in enumerate(spans):
        count = sum(1 for s, e in spans[i:] if e <= start + width)
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
