"""Bounds on one search, so that no query can take the server down: time, expansion and admission.

A `Budget` is made per search: it holds the deadline (`ARCHIVE_QUERY_SECONDS`, default 5 s) that the evaluator,
Whoosh's collector, facet counting and snippets check as they go, and counts the words that wildcards, prefixes
and ranges expand to (`ARCHIVE_QUERY_TERMS`, default 2,000 for the whole query), refusing with a message that names
the word, before any posting is read. A wildcard with a leading or inner `*` is matched by one regular expression
over the field's words (cached per segment, one string each), written so that it never backtracks: `*a*`, `**` or
`*xyz*` cost milliseconds, not a scan in Python. `Admission` lets only a few expensive searches (wildcards, ranges,
NOT alone, phrases of common words) run at once (`ARCHIVE_EXPENSIVE_QUERIES`, default 2); the others wait within
their own budget, so plain searches never queue behind them.
"""
from __future__ import annotations

import os
import re
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

from whoosh import query as Q
from whoosh.reading import IndexReader

from ... import fuzzy
from ...analysis import TEXT_FIELDS
from ...query import QueryTooBroad
from ..base import BackendError, QueryTimeout
from .columns import _segment_key

DEFAULT_SECONDS = 5.0
DEFAULT_TERMS = 2000
DEFAULT_EXPENSIVE = 2
_CHECK_EVERY = 512  # candidate words (or documents) between two looks at the clock
COMMON_WORD = 0.02  # a phrase whose rarest word is in more than this share of the articles is expensive
_vocabularies: OrderedDict[tuple, str] = OrderedDict()
_vocabulary_lock = threading.Lock()
_walks: OrderedDict[tuple, tuple[Any, bytes | None]] = OrderedDict()  # walks a timed-out search left half done
State = TypeVar("State")


def setting(name: str, default: float, kind: type = float, given: object = None) -> float:
    """Return a bound given (or else read from the environment): a positive number, 0 for none; else a clear error."""
    raw = os.environ.get(name) if given is None else given
    if raw is None or not str(raw).strip():
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise BackendError(f"{name}={raw!r} is not a number: give e.g. {name}={kind(default)}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise BackendError(f"{name}={raw!r} is not a number of seconds: give e.g. {name}={kind(default)}")
    if value < 0:
        raise BackendError(f"{name}={raw!r} is negative: give a positive number, or 0 for no limit")
    return value


class Budget:
    """The time left to one search and the words its wildcards and ranges may still expand to."""

    def __init__(self, seconds: float | None = None, max_terms: int | None = None):
        self.seconds = setting("ARCHIVE_QUERY_SECONDS", DEFAULT_SECONDS, float, seconds)
        self.max_terms = int(setting("ARCHIVE_QUERY_TERMS", DEFAULT_TERMS, int, max_terms))
        self.deadline = time.monotonic() + self.seconds if self.seconds else None
        self.expanded = 0
        self._ticks = 0
        self._expansions: dict[Q.Query, list[bytes]] = {}

    def remaining(self) -> float | None:
        """Return the seconds left (None where there is no limit)."""
        return None if self.deadline is None else max(0.0, self.deadline - time.monotonic())

    def check(self) -> None:
        """Raise QueryTimeout where the time is up."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise self.timeout()

    def tick(self) -> None:
        """Check the clock every few hundred calls (for loops over words or documents)."""
        self._ticks += 1
        if self._ticks % _CHECK_EVERY == 0:
            self.check()

    def timeout(self) -> QueryTimeout:
        return QueryTimeout(f"this query is too expensive: it needed more than {self.seconds:g} s "
                            "(ARCHIVE_QUERY_SECONDS); make it more specific: more words, fewer or longer wildcards, "
                            "a narrower range")

    def expand(self, q: Q.MultiTerm, reader: IndexReader) -> list[bytes]:
        """Return the words of the index a wildcard, prefix or range stands for; refuse where there are too many."""
        if q in self._expansions:
            return self._expansions[q]
        if q.field() not in reader.schema:
            return []
        left = self.max_terms - self.expanded if self.max_terms else None
        found: list[bytes] = []
        for btext in _candidates(q, reader, self):
            if not btext:
                continue
            found.append(btext)
            if left is not None and len(found) > left:
                raise self.too_broad(q)
        self.expanded += len(found)
        self._expansions[q] = found
        return found

    def too_broad(self, q: Q.Query) -> QueryTooBroad:
        word = typed(q)
        advice = "narrow the range" if isinstance(q, Q.TermRange) else "make it longer or more specific"
        if self.expanded:
            return QueryTooBroad(f"the wildcards and ranges of this query expand to more than {self.max_terms} "
                                 f"words together (at `{word}`): use fewer of them, or {advice}")
        return QueryTooBroad(f"`{word}` expands to more than {self.max_terms} words: {advice}")

    def expand_all(self, q: Q.Query, reader: IndexReader, any_value: bool = True) -> None:
        """Expand (and so bound) every wildcard and range of a query: before Whoosh's own search runs it, or
        (`any_value=False`, leaving out `field:*`, which the evaluator answers without its words) before admission."""
        for leaf in q.leaves() if not q.is_leaf() else [q]:
            if isinstance(leaf, Q.MultiTerm) and (any_value or not (isinstance(leaf, Q.Prefix) and not leaf.text)):
                self.expand(leaf, reader)


def _candidates(q: Q.MultiTerm, reader: IndexReader, budget: Budget) -> Iterator[bytes]:
    """Yield the words a multi-word query matches, looking at the clock while scanning the vocabulary."""
    if isinstance(q, Q.Wildcard) and "[" not in q.text:
        field = reader.schema[q.fieldname]
        pattern = glob_pattern(q.text)
        seen: set[str] = set()
        for r, _ in reader.leaf_readers():
            budget.check()
            for match in pattern.finditer(_vocabulary(r, q.fieldname, budget)):
                word = match.group()
                if word not in seen:
                    seen.add(word)
                    budget.tick()
                    yield field.to_bytes(word)
        return
    if isinstance(q, Q.PatternQuery) and not isinstance(q, Q.Prefix):
        # Whoosh's own loop cannot be interrupted while no word matches (`*xyz*` reads the whole vocabulary)
        field = reader.schema[q.fieldname]
        pattern = re.compile(q._get_pattern())
        prefix = q._find_prefix(q.text)
        candidates = reader.expand_prefix(q.fieldname, prefix) if prefix else reader.lexicon(q.fieldname)
        for btext in candidates:
            budget.tick()
            if pattern.match(field.from_bytes(btext)):
                yield btext
        return
    if isinstance(q, Q.FuzzyTerm):  # the same words as PostgreSQL's (`fuzzy.py`), not Whoosh's automaton
        field = reader.schema[q.fieldname]
        head = q.text[:q.prefixlength]
        for btext in reader.expand_prefix(q.fieldname, head) if head else reader.lexicon(q.fieldname):
            budget.tick()
            if fuzzy.within(field.from_bytes(btext), q.text, q.maxdist, q.prefixlength):
                yield btext
        return
    for btext in q._btexts(reader):
        budget.tick()
        yield btext


def glob_pattern(text: str) -> re.Pattern:
    """Compile a wildcard (`*` any run, `?` one character) to match whole lines, without backtracking.

    Between the first and the last `*`, each literal run is matched at its leftmost place inside an atomic group,
    which is never revisited: `*a*a*a*a*b` is linear in the word's length, where a plain translation is not.
    """
    def literal(run: str) -> str:
        return "".join("[^\n]" if ch == "?" else re.escape(ch) for ch in run)

    runs = re.sub(r"\*+", "*", text).split("*")
    if len(runs) == 1:
        return re.compile("^" + literal(runs[0]) + "$", re.M)
    middle = "".join(f"(?>[^\n]*?{literal(run)})" for run in runs[1:-1] if run)
    return re.compile("^" + literal(runs[0]) + middle + "[^\n]*" + literal(runs[-1]) + "$", re.M)


def _vocabulary(reader: Any, field: str, budget: Budget) -> str:
    """Return one segment's words in a field, one a line (cached: segments never change)."""
    key = (_segment_key(reader), field)
    with _vocabulary_lock:
        found = _vocabularies.get(key)
        if found is not None:
            _vocabularies.move_to_end(key)
            return found
    fieldobj = reader.schema[field]
    words: list[str] = walk_words(("words", *key), reader, field, budget, list,
                       lambda found, btext: found.append(fieldobj.from_bytes(btext)))
    text = "\n".join(w for w in words if "\n" not in w)
    with _vocabulary_lock:
        _vocabularies[key] = text
        while len(_vocabularies) > 256:
            _vocabularies.popitem(last=False)
    return text


def walk_words(key: tuple, reader: Any, field: str, budget: Budget, start: Callable[[], State],
               step: Callable[[State, bytes], None]) -> State:
    """Visit one segment's words in a field in order with `step`, and return the state built.

    Where the budget runs out, what was built is kept and the next search resumes after the last word visited:
    a big field's first walk spreads over several searches, each within its budget, instead of never finishing.
    """
    with _vocabulary_lock:
        state, last = _walks.pop(key, (None, None))
    if state is None:
        state = start()
    try:
        for name, btext in reader.terms_from(field, last or b""):
            if name != field:
                break
            if last is not None and btext <= last:
                continue
            step(state, btext)
            last = btext
            budget.tick()
    except QueryTimeout:
        with _vocabulary_lock:
            _walks[key] = (state, last)
            while len(_walks) > 64:
                _walks.popitem(last=False)
        raise
    return state


def typed(q: Q.Query) -> str:
    """Return a wildcard, prefix or range as the user would have typed it."""
    field = getattr(q, "fieldname", "")
    where = "" if field in (*TEXT_FIELDS.values(), "exact") else f"{field}:"
    if isinstance(q, Q.Prefix):
        return f"{where}{q.text}*"
    if isinstance(q, Q.TermRange):
        start = "" if q.start is None else q.start
        end = "" if q.end is None else q.end
        return f"{where}[{start} TO {end}]"
    if isinstance(q, Q.FuzzyTerm):
        return f"{where}{q.text}~{q.maxdist}"
    return f"{where}{getattr(q, 'text', q)}"


def is_expensive(q: Q.Query, reader: IndexReader) -> bool:
    """Say whether a query needs admission: it expands words (wildcards, ranges, fuzzy), is only a NOT, or holds a
    phrase of common words (whose positions Whoosh reads one document at a time)."""
    if isinstance(q, Q.Not) or (isinstance(q, Q.And) and all(isinstance(c, Q.Not) for c in q.children())):
        return True
    common = max(1, int(reader.doc_count_all() * COMMON_WORD))
    for leaf in [q] if q.is_leaf() else q.leaves():
        if isinstance(leaf, Q.MultiTerm):
            return True
        if isinstance(leaf, Q.Phrase) and leaf.fieldname in reader.schema and leaf.words:
            field = reader.schema[leaf.fieldname]
            try:
                rarest = min(reader.doc_frequency(leaf.fieldname, field.to_bytes(w)) for w in leaf.words)
            except ValueError:
                continue
            if rarest > common:
                return True
    return False


class Admission:
    """A few expensive searches at a time; the rest wait, within their budget, for a slot."""

    def __init__(self, slots: int | None = None):
        self.slots = int(setting("ARCHIVE_EXPENSIVE_QUERIES", DEFAULT_EXPENSIVE, int, slots))
        self._slots = threading.BoundedSemaphore(self.slots) if self.slots else None

    @contextmanager
    def admit(self, expensive: bool, budget: Budget) -> Iterator[None]:
        if not expensive or self._slots is None:
            yield
            return
        remaining = budget.remaining()
        if not self._slots.acquire(timeout=remaining):
            raise QueryTimeout(f"this query is too expensive to run now: {self.slots} searches with wildcards, "
                               "ranges or NOT alone are already running (ARCHIVE_EXPENSIVE_QUERIES); try again in "
                               "a moment, or make it more specific")
        try:
            yield
        finally:
            self._slots.release()
