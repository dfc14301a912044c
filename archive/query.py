"""Turn a search request into a Whoosh query, and explain it in words.

Only the free text goes through Whoosh's parser, over every language's stemmed field and the exact field.
Words with inner hyphens or ampersands (`N-VA`, `CD&V`) and wildcards (`busin*`) are sent to the exact field
alone, since stemming would split or shorten them. Filters (source, entities, language, dates) are built as
query objects, never pasted into the query string.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import query as Q
from whoosh.fields import Schema
from whoosh.qparser import MultifieldParser

from .analysis import TEXT_FIELDS, fold
from .entities import canonical_name
from .index import ENTITY_FIELDS
from .request import SearchRequest

SEARCH_FIELDS = [*TEXT_FIELDS.values(), "exact"]
ENTITY_QUERY_FIELDS = {*ENTITY_FIELDS.values(), "entity"}
FIELD_LABELS = {v: f"text ({k})" for k, v in TEXT_FIELDS.items()} | {"exact": "exact words"}

_SPECIAL_WORD_RE = re.compile(r'(?<![\w:"])(\w+(?:[-&]\w+)+|[\w\u00C0-\u024F]*[*?][\w\u00C0-\u024F*?]*)(?![\w"])')
_QUOTED_RE = re.compile(r'"[^"]*"?')


class QueryError(ValueError):
    """A free-text query that cannot be parsed; the message says what to fix."""


@dataclass
class ParsedQuery:
    """The query objects of a request: what the text matches, and the filters applied on top."""

    text: Q.Query
    filters: list[Q.Query] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def combined(self) -> Q.Query:
        """Return text and filters as one query (for counting and export)."""
        parts = [self.text, *self.filters]
        return Q.And(parts) if len(parts) > 1 else parts[0]

    def filter_query(self) -> Q.Query | None:
        """Return the filters as one query, or None."""
        if not self.filters:
            return None
        return Q.And(self.filters) if len(self.filters) > 1 else self.filters[0]


def route_special_words(text: str) -> str:
    """Send hyphenated, ampersand and wildcard words, outside quotes, to the exact field."""
    out: list[str] = []
    pos = 0
    for quoted in _QUOTED_RE.finditer(text):
        out.append(_SPECIAL_WORD_RE.sub(_to_exact, text[pos : quoted.start()]))
        out.append(quoted.group(0))
        pos = quoted.end()
    out.append(_SPECIAL_WORD_RE.sub(_to_exact, text[pos:]))
    return "".join(out)


def _to_exact(match: re.Match) -> str:
    word = match.group(1)
    if word in ("*", "?") or word.upper() in ("AND", "OR", "NOT"):
        return word
    return f"exact:{word}"


def parse_text(q: str, schema: Schema) -> tuple[Q.Query, list[str]]:
    """Parse the free text; raise QueryError where nothing usable is left of it."""
    notes: list[str] = []
    if not q.strip() or q.strip() == "*":
        return Q.Every(), notes
    if q.count('"') % 2:
        raise QueryError('the query has an unclosed quote ("): close it or remove it')
    if q.count("(") != q.count(")"):
        raise QueryError("the brackets in the query do not match: check each ( has its )")
    parser = MultifieldParser(SEARCH_FIELDS, schema)
    routed = route_special_words(q)
    if routed != q:
        notes.append("hyphenated, '&' and wildcard words are matched whole, without stemming")
    try:
        parsed = parser.parse(routed)
    except Exception as exc:  # Whoosh raises assorted errors on odd syntax
        raise QueryError(f"cannot read the query ({exc}): check quotes, brackets and field names") from None
    parsed = _canonical_entity_terms(parsed)
    if parsed is Q.NullQuery or isinstance(parsed, type(Q.NullQuery)):
        raise QueryError("nothing searchable is left of the query: give words to search for")
    return parsed, notes


def _canonical_entity_terms(q: Q.Query) -> Q.Query:
    """Map names typed in entity fields (`person:Putin`) to the keys the index holds."""
    if isinstance(q, Q.Term) and q.fieldname in ENTITY_QUERY_FIELDS:
        return Q.Term(q.fieldname, fold(canonical_name(q.text)), boost=q.boost)
    if isinstance(q, Q.Phrase) and q.fieldname in ENTITY_QUERY_FIELDS:
        return Q.Term(q.fieldname, fold(canonical_name(" ".join(q.words))), boost=q.boost)
    if q.is_leaf():
        return q
    return q.apply(_canonical_entity_terms)


def build_query(req: SearchRequest, schema: Schema) -> ParsedQuery:
    """Build the text query and the filter queries of a request."""
    text, notes = parse_text(req.q, schema)
    filters: list[Q.Query] = []
    for name, values in req.filters().items():
        # Filter names are the index's field names; several values of one filter must all match.
        if name in ENTITY_QUERY_FIELDS:
            keys = [fold(canonical_name(v)) for v in values]
        else:
            keys = [fold(v) for v in values]
        terms = [Q.Term(name, k) for k in keys]
        filters.append(Q.And(terms) if len(terms) > 1 else terms[0])
    if req.date_from or req.date_to:
        first = req.date_from.first if req.date_from else None
        last = req.date_to.last if req.date_to else None
        filters.append(Q.DateRange("date", first, last))
    return ParsedQuery(text, filters, notes)


def explain(parsed: ParsedQuery) -> str:
    """Describe the parsed query in words: terms after analysis, fields, operators and filters."""
    lines = ["text: " + describe(parsed.text)]
    for f in parsed.filters:
        lines.append("filter: " + describe(f))
    lines += [f"note: {n}" for n in parsed.notes]
    return "\n".join(lines)


def describe(q: Q.Query) -> str:
    """Render one query object readably, grouping a word's alternatives across language fields."""
    if isinstance(q, Q.Every):
        return "every article"
    if isinstance(q, Q.DateRange):
        start = q.startdate.isoformat(timespec="minutes") if q.startdate else "…"
        end = q.enddate.isoformat(timespec="minutes") if q.enddate else "…"
        return f"date from {start} to {end}"
    if isinstance(q, Q.Not):
        return f"NOT {describe(q.query)}"
    if isinstance(q, Q.Term):
        return f"{FIELD_LABELS.get(q.fieldname, q.fieldname)}:{q.text}"
    if isinstance(q, Q.Phrase):
        slop = f"~{q.slop}" if q.slop > 1 else ""
        return f'{FIELD_LABELS.get(q.fieldname, q.fieldname)}:"{" ".join(q.words)}"{slop}'
    if isinstance(q, (Q.Prefix, Q.Wildcard)):
        star = "*" if isinstance(q, Q.Prefix) else ""
        return f"{FIELD_LABELS.get(q.fieldname, q.fieldname)}:{q.text}{star}"
    if isinstance(q, Q.Or) and _is_word_alternatives(q):
        forms = sorted({_leaf_text(c) for c in q.children()})
        return "(" + " | ".join(forms) + ")"
    if isinstance(q, Q.CompoundQuery):
        op = " AND " if isinstance(q, Q.And) else " OR "
        return "(" + op.join(describe(c) for c in q.children()) + ")"
    return repr(q)


def _leaf_text(q: Q.Query) -> str:
    if isinstance(q, Q.Phrase):
        return '"' + " ".join(q.words) + '"'
    if isinstance(q, Q.Term):
        return q.text
    return describe(q)


def _is_word_alternatives(q: Q.Or) -> bool:
    """Say whether an Or only holds one word's forms in the text fields (as MultifieldParser writes it)."""
    children = list(q.children())
    fields = [getattr(c, "fieldname", None) for c in children]
    return (
        len(children) > 1
        and all(isinstance(c, (Q.Term, Q.Phrase)) and c.fieldname in SEARCH_FIELDS for c in children)
        and len(set(fields)) == len(fields)
    )
