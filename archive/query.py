"""Turn a search request into a Whoosh query, and explain it in words.

Only the free text goes through Whoosh's parser, over every language's stemmed field and the exact field.
Words with inner hyphens or ampersands (`N-VA`, `CD&V`) and wildcards (`busin*`) are sent to the exact field
alone, since stemming would split or shorten them. Filters (source, entities, language, dates) are built as
query objects, never pasted into the query string.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from whoosh import query as Q
from whoosh import fields
from whoosh.fields import Schema
from whoosh.qparser import FuzzyTermPlugin, MultifieldParser

from . import fuzzy
from . import querytree as T
from .analysis import OTHER, TEXT_FIELDS, exact_analyzer, fold, key_analyzer, language_analyzer
from .entities import canonical_name
from .model import ENTITY_FIELDS
from .request import SearchRequest

SEARCH_FIELDS = [*TEXT_FIELDS.values(), "exact"]
ENTITY_QUERY_FIELDS = {*ENTITY_FIELDS.values(), "entity"}
FIELD_LABELS = {v: f"text ({k})" for k, v in TEXT_FIELDS.items()} | {"exact": "exact words"}
FIELD_LANGUAGES = {v: ("other" if k == OTHER else k) for k, v in TEXT_FIELDS.items()} | {"exact": "exact"}

_SLOP_SPACE_RE = re.compile(r'"\s+~(\d+)')
_MINUS_RE = re.compile(r'(?:(?<=\s)|(?<=^))-(?=[\w"(])')
_LOWER_OPERATOR_RE = re.compile(r'(?<![\w:"])(and|or|not)(?![\w"])')
_FIELD_RE = re.compile(r'(?<![\w"])([A-Za-z_]\w*):(?=\S)')
_WORD_RE = re.compile(r"\w+(?:[-&'’.]\w+)*")
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}
_SPECIAL_WORD_RE = re.compile(r'(?<![\w:"])(\w+(?:[-&]\w+)+|[\w\u00C0-\u024F]*[*?][\w\u00C0-\u024F*?]*)(?![\w"])')
_QUOTED_RE = re.compile(r'"[^"]*"?')
_FUZZY_RE = re.compile(r'(?<![\w:"~*?])(\w+(?:[-&]\w+)*~\d*(?:/\d+)?)(?![\w"~])')
WORD_FIELDS = ("title", "caption", "author")  # the words of one part of an article, as written (folded)
FIELD_NAMES = "title, caption, author, person, org, location, misc, entity, source, language"


@lru_cache(maxsize=1)
def query_schema() -> Schema:
    """Return the fields the query language knows, analysed as the Whoosh index analyses them (for other engines)."""
    schema = Schema(
        id=fields.ID(), exact=fields.TEXT(analyzer=exact_analyzer(), phrase=True),
        source=fields.ID(analyzer=key_analyzer(False)), language=fields.ID(analyzer=key_analyzer(False)),
        cluster=fields.ID(), entity=fields.KEYWORD(analyzer=key_analyzer(True)), date=fields.DATETIME(),
    )
    for name in WORD_FIELDS:
        schema.add(name, fields.TEXT(analyzer=exact_analyzer(), phrase=True))
    for code, name in TEXT_FIELDS.items():
        schema.add(name, fields.TEXT(analyzer=language_analyzer(code), phrase=False))
    for name in ENTITY_FIELDS.values():
        schema.add(name, fields.KEYWORD(analyzer=key_analyzer(True)))
    return schema


class QueryError(ValueError):
    """A free-text query that cannot be parsed; the message says what to fix."""


class QueryTooBroad(QueryError):
    """A wildcard or range that stands for too many words of the index; the message names it."""


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

    def tree(self) -> tuple[T.Node, list[T.Node]]:
        """Return the text query and the filters as plain nodes (for engines other than Whoosh)."""
        return to_tree(self.text), [to_tree(f) for f in self.filters]

    def filter_query(self) -> Q.Query | None:
        """Return the filters as one query, or None."""
        if not self.filters:
            return None
        return Q.And(self.filters) if len(self.filters) > 1 else self.filters[0]


def route_special_words(text: str) -> str:
    """Send hyphenated, ampersand and wildcard words, outside quotes, to the exact field."""
    return _outside_quotes(text, lambda part: _SPECIAL_WORD_RE.sub(_to_exact, _FUZZY_RE.sub(r"exact:\1", part)))


def _to_exact(match: re.Match) -> str:
    word = match.group(1)
    if word in ("*", "?") or word.upper() in ("AND", "OR", "NOT"):
        return word
    return f"exact:{word}"


def _outside_quotes(text: str, fn) -> str:
    """Apply `fn` to the parts of `text` outside double quotes."""
    out: list[str] = []
    pos = 0
    for quoted in _QUOTED_RE.finditer(text):
        out.append(fn(text[pos : quoted.start()]))
        out.append(quoted.group(0))
        pos = quoted.end()
    out.append(fn(text[pos:]))
    return "".join(out)


def rewrite(q: str, schema: Schema) -> tuple[str, list[str]]:
    """Fix what users commonly mean but Whoosh reads otherwise, and say what was changed or will surprise."""
    notes: list[str] = []
    fixed = _SLOP_SPACE_RE.sub(r'"~\1', q)
    if fixed != q:
        notes.append('changed: "…" ~N with a space is read as a proximity search "…"~N (words within N of each other)')
    minus = _outside_quotes(fixed, lambda part: _MINUS_RE.sub("NOT ", part))
    if minus != fixed:
        notes.append("changed: a leading minus (-word) excludes the word, as NOT word")
    fixed = minus
    lower = sorted({m.group(1) for part in _unquoted_parts(fixed) for m in _LOWER_OPERATOR_RE.finditer(part)})
    for word in lower:
        notes.append(f"warning: lower-case '{word}' is searched as a word; write {word.upper()} for the operator")
    for part in _unquoted_parts(fixed):
        for m in _FIELD_RE.finditer(part):
            name = m.group(1)
            if name not in schema.names() or name in ("record", "facets", "minhash", "lsh", "sort_new", "sort_old"):
                if name in WORD_FIELDS:
                    raise QueryError(f"this index was built before the {name}: field existed: rebuild it with "
                                     f"`archive reindex` to search {', '.join(WORD_FIELDS)}")
                notes.append(f"warning: '{name}:' is not a field, so it is searched as words; fields are "
                             + FIELD_NAMES)
    routed = route_special_words(fixed)
    fuzzy_words = [m.group(1) for part in _unquoted_parts(fixed) for m in _FUZZY_RE.finditer(part)]
    if fuzzy_words:
        notes.append("fuzzy: " + ", ".join(dict.fromkeys(fuzzy_words)) + " matched in the exact field by words "
                     "within that many edits (1 unless ~2), the first letter the same")
    special = [m.group(1) for part in _unquoted_parts(_FUZZY_RE.sub(" ", fixed))
               for m in _SPECIAL_WORD_RE.finditer(part)
               if m.group(1) not in ("*", "?") and m.group(1).upper() not in OPERATORS]
    if special:
        notes.append("exact: " + ", ".join(dict.fromkeys(special))
                     + " matched whole in the exact field (hyphens, '&' and wildcards kept, no stemming)")
    return routed, notes


def _unquoted_parts(text: str) -> list[str]:
    """Return the stretches of `text` outside double quotes."""
    return _QUOTED_RE.split(text)


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
    parser.add_plugin(FuzzyTermPlugin())
    routed, notes = rewrite(q, schema)
    try:
        parsed = parser.parse(routed)
    except Exception as exc:  # Whoosh raises assorted errors on odd syntax
        raise QueryError(f"cannot read the query ({exc}): check quotes, brackets and field names") from None
    canonical = _canonical_entity_terms(_phrases_on_exact(_fuzzy_terms(parsed)))
    if canonical is Q.NullQuery or isinstance(canonical, type(Q.NullQuery)):
        raise QueryError("nothing searchable is left of the query: give words to search for")
    _check_fields(canonical)
    notes += _entity_notes(parsed, canonical) + _dropped_words(routed, canonical)
    return canonical, notes


class FuzzyWords(Q.FuzzyTerm):
    """Whoosh's fuzzy term, matching the words `fuzzy.within` accepts (as PostgreSQL does) in Whoosh's own search."""

    def _btexts(self, ixreader):  # type: ignore[no-untyped-def]
        if self.fieldname not in ixreader.schema:
            return
        field = ixreader.schema[self.fieldname]
        head = self.text[:self.prefixlength]
        for btext in ixreader.expand_prefix(self.fieldname, head) if head else ixreader.lexicon(self.fieldname):
            if fuzzy.within(field.from_bytes(btext), self.text, self.maxdist, self.prefixlength):
                yield btext


def _fuzzy_terms(q: Q.Query) -> Q.Query:
    """Bound fuzzy words (`word~N`, N at most 2), share at least their first letter, score them 1 per match like
    wildcards; refuse them on fields that are not words."""
    if isinstance(q, Q.FuzzyTerm):
        if q.maxdist > fuzzy.MAX_DISTANCE:
            raise QueryError(f"{q.text}~{q.maxdist}: a fuzzy word allows at most {fuzzy.MAX_DISTANCE} edits "
                             f"({q.text}~ or {q.text}~2)")
        if q.fieldname not in SEARCH_FIELDS and q.fieldname not in WORD_FIELDS:
            raise QueryError(f"{q.fieldname}:{q.text}~: fuzzy matching works on words (the text, title:, "
                             "caption:, author:), not on names or keys: use a wildcard such as name*")
        if q.maxdist == 0:
            return Q.Term(q.fieldname, q.text, boost=q.boost)
        return FuzzyWords(q.fieldname, q.text, boost=q.boost, maxdist=q.maxdist,
                           prefixlength=max(1, q.prefixlength), constantscore=True)
    if q.is_leaf():
        return q
    return q.apply(_fuzzy_terms)


def _check_fields(q: Q.Query) -> None:
    """Refuse, with advice, what a field cannot search: a phrase on a stemmed or date field, words in `date:`."""
    for leaf in q.leaves():
        field = getattr(leaf, "fieldname", None)
        if isinstance(leaf, Q.Phrase) and field in TEXT_FIELDS.values():
            raise QueryError(f'{field}:"…": phrases are matched on the words as written; drop "{field}:" '
                             "and keep the quotes")
        if field == "date" and not isinstance(leaf, (Q.DateRange, Q.NumericRange, Q.Every)):
            raise QueryError("date: takes a date or a range, such as date:2016-09 or date:[2016 TO 2017]; "
                             "or use the from and to filters")


def _entity_notes(before: Q.Query, after: Q.Query) -> list[str]:
    """Say which names typed in entity fields were matched under another (canonical) name."""
    notes = []
    old = [leaf for leaf in before.leaves() if getattr(leaf, "fieldname", None) in ENTITY_QUERY_FIELDS
           and isinstance(leaf, (Q.Term, Q.Phrase))]
    new = [leaf for leaf in after.leaves() if getattr(leaf, "fieldname", None) in ENTITY_QUERY_FIELDS
           and isinstance(leaf, (Q.Term, Q.Phrase))]
    for a, b in zip(old, new):
        typed = " ".join(a.words) if isinstance(a, Q.Phrase) else str(a.text)
        if fold(typed) != str(getattr(b, "text", "")):
            notes.append(f"changed: {a.fieldname}:{typed} is matched as the entity '{b.text}'")
    return notes


def _dropped_words(routed: str, parsed: Q.Query) -> list[str]:
    """Name the words of the query that the parser left out."""
    kept: set[str] = set()
    for leaf in parsed.leaves():
        if isinstance(leaf, Q.Phrase):
            kept.update(fold(w) for w in leaf.words)
        elif hasattr(leaf, "text"):
            kept.add(fold(str(leaf.text)).rstrip("*?"))
    words = _WORD_RE.findall(re.sub(r'\b\w+:("[^"]*"|\S+)', " ", routed))
    for op in OPERATORS & set(routed.split()):
        if op.lower() in kept:
            dropped_ops = f"warning: {op} has nothing to join on one side, so it is searched as the word '{op.lower()}'"
            return [dropped_ops] + _dropped(words, kept)
    return _dropped(words, kept)


def _dropped(words: list[str], kept: set[str]) -> list[str]:
    dropped = []
    for word in words:
        if word.upper() in OPERATORS and word.isupper() or word.isdigit():
            continue
        forms = {fold(word)} | {t.text for code in TEXT_FIELDS for t in language_analyzer(code)(word)}
        if not forms & kept and not any(k.startswith(f) or f.startswith(k) for f in forms for k in kept if k):
            dropped.append(word)
    if dropped:
        return ["dropped: " + ", ".join(dict.fromkeys(dropped)) + " (not searched: check the syntax around them)"]
    return []


def _phrases_on_exact(q: Q.Query) -> Q.Query:
    """Keep phrases on the exact field only: the language fields store no positions."""
    if q.is_leaf():
        return q
    if isinstance(q, Q.Or):
        kept = [c for c in q.children() if not (isinstance(c, Q.Phrase) and c.fieldname in TEXT_FIELDS.values())]
        if len(kept) != len(list(q.children())):
            return kept[0] if len(kept) == 1 else Q.Or(kept, boost=q.boost)
    return q.apply(_phrases_on_exact)


def _canonical_entity_terms(q: Q.Query) -> Q.Query:
    """Map names typed in entity fields (`person:Putin`) to the keys the index holds; `field:*` is "any value"."""
    if isinstance(q, Q.Every) and getattr(q, "fieldname", None) not in (None, "", "*", "date"):
        return Q.Prefix(q.fieldname, "")
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
        elif name == "cluster":
            keys = list(values)
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
    """Describe the parsed query in words: terms after analysis, fields, operators, filters and what changed."""
    lines = ["text: " + describe(parsed.text)]
    lines += ["stemming: " + s for s in stemming(parsed.text)]
    for f in parsed.filters:
        lines.append("filter: " + describe(f))
    for n in parsed.notes:
        lines.append(n if n.split(":", 1)[0] in ("changed", "warning", "exact", "dropped", "fuzzy")
                     else f"note: {n}")
    return "\n".join(lines)


def stemming(q: Q.Query) -> list[str]:
    """Describe, for each word searched in the text fields, the form it takes in each language."""
    out: list[str] = []
    seen: set[str] = set()
    for group in _alternative_groups(q):
        forms: dict[str, list[str]] = {}
        for child in group.children():
            text = _leaf_text(child)
            forms.setdefault(text, []).append(FIELD_LANGUAGES.get(child.fieldname, child.fieldname))
        exact = [t for t, where in forms.items() if "exact" in where]
        word = exact[0] if exact else next(iter(forms))
        if word in seen or len(forms) < 2:
            continue
        seen.add(word)
        out.append(f"{word} → " + ", ".join(f"{t} ({', '.join(where)})" for t, where in forms.items()))
    return out


def _word_groups(children: list[Q.Query]) -> list[Q.Query]:
    """Split a flattened Or of several words' field alternatives back into one Or per word."""
    if not all(isinstance(c, (Q.Term, Q.Phrase)) and c.fieldname in SEARCH_FIELDS for c in children):
        return []
    groups: list[list[Q.Query]] = []
    last = len(SEARCH_FIELDS)
    for child in children:
        index = SEARCH_FIELDS.index(child.fieldname)
        if groups and index > last:
            groups[-1].append(child)
        else:
            groups.append([child])
        last = index
    return [Q.Or(g) if len(g) > 1 else g[0] for g in groups]


def _alternative_groups(q: Q.Query):
    if isinstance(q, Q.Or) and _is_word_alternatives(q):
        yield q
    elif isinstance(q, Q.Or) and len(groups := _word_groups(list(q.children()))) > 1:
        for g in groups:
            yield from _alternative_groups(g)
    elif not q.is_leaf():
        for child in q.children():
            yield from _alternative_groups(child)


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
    if isinstance(q, Q.FuzzyTerm):
        return f"{FIELD_LABELS.get(q.fieldname, q.fieldname)}:{q.text}~{q.maxdist} (first {q.prefixlength} same)"
    if isinstance(q, (Q.Prefix, Q.Wildcard)):
        star = "*" if isinstance(q, Q.Prefix) else ""
        return f"{FIELD_LABELS.get(q.fieldname, q.fieldname)}:{q.text}{star}"
    if isinstance(q, Q.Or) and _is_word_alternatives(q):
        forms = sorted({_leaf_text(c) for c in q.children()})
        return "(" + " | ".join(forms) + ")"
    if isinstance(q, Q.Or) and len(groups := _word_groups(list(q.children()))) > 1:
        return "(" + " OR ".join(describe(g) for g in groups) + ")"
    if isinstance(q, Q.CompoundQuery):
        op = " AND " if isinstance(q, Q.And) else " OR "
        return "(" + op.join(describe(c) for c in q.children()) + ")"
    return repr(q)


def _leaf_text(q: Q.Query) -> str:
    if isinstance(q, Q.Phrase):
        return '"' + " ".join(q.words) + '"' + (f"~{q.slop}" if q.slop > 1 else "")
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


def to_tree(q: Q.Query) -> T.Node:
    """Turn a Whoosh query object into plain nodes; raise QueryError for a kind the archive does not search."""
    if isinstance(q, Q.Every):  # field:* is "has any value in that field"
        field = getattr(q, "fieldname", None)
        return T.Prefix(field, "") if field and field != "date" else T.Every()
    if q is Q.NullQuery or isinstance(q, type(Q.NullQuery)):
        return T.Nothing()
    if isinstance(q, Q.DateRange):
        return T.DateRange(q.startdate, q.enddate)
    if isinstance(q, Q.NumericRange) and q.fieldname == "date":  # date:[2016 TO 2017] in the query text
        from whoosh.util.times import long_to_datetime

        return T.DateRange(long_to_datetime(q.start) if q.start is not None else None,
                           long_to_datetime(q.end) if q.end is not None else None)
    if isinstance(q, Q.FuzzyTerm):
        return T.Fuzzy(q.fieldname, str(q.text), int(q.maxdist), int(q.prefixlength))
    if isinstance(q, Q.Term):
        return T.Term(q.fieldname, str(q.text))
    if isinstance(q, Q.Phrase):
        return T.Phrase(q.fieldname, tuple(str(w) for w in q.words), int(q.slop))
    if isinstance(q, Q.Prefix):
        return T.Prefix(q.fieldname, str(q.text))
    if isinstance(q, Q.Wildcard):
        return T.Wildcard(q.fieldname, str(q.text))
    if isinstance(q, Q.TermRange):
        return T.TermRange(q.fieldname, _text_or_none(q.start), _text_or_none(q.end), q.startexcl, q.endexcl)
    if isinstance(q, Q.Not):
        return T.Not(to_tree(q.query))
    if isinstance(q, Q.AndNot):
        return T.AndNot(to_tree(q.a), to_tree(q.b))
    if isinstance(q, Q.AndMaybe):
        return T.AndMaybe(to_tree(q.a), to_tree(q.b))
    if isinstance(q, Q.And):
        return T.And(tuple(to_tree(c) for c in q.children()))
    if isinstance(q, Q.Or):
        return T.Or(tuple(to_tree(c) for c in q.children()))
    raise QueryError(f"this engine cannot search {describe(q)}: rewrite it with words, phrases, wildcards and fields")


def _text_or_none(value) -> str | None:  # type: ignore[no-untyped-def]
    return None if value is None else str(value)
