"""Translate the parsed query (`querytree` nodes) into a SQL condition with bound parameters only.

Words, phrases and prefixes become one `tsquery` where a subtree holds nothing else, matched against the
`terms` tsvector (exact words as written, folded; stemmed words as `#<lang>:<stem>`); field terms become
conditions on their columns; a wildcard with `?` or an inner `*` is checked with a regular expression over the
article's lexemes. No user text is ever pasted into SQL: every value is a parameter.
"""
from __future__ import annotations

import itertools
import re

from ... import fuzzy
from ... import querytree as T
from ...analysis import STEMMED_LANGUAGES, TEXT_FIELDS
from ...model import UNDATED_OLD, date_key
from ...query import QueryError

ENTITY_COLUMNS = {"person": "per", "org": "org", "location": "loc", "misc": "misc", "entity": "entities"}
SCALAR_COLUMNS = {"source": "source_key", "language": "language", "cluster": "cluster", "id": "id"}
LANGUAGE_OF_FIELD = {name: code for code, name in TEXT_FIELDS.items()}
MAX_PHRASE_VARIANTS = 256
WEIGHTED_FIELDS = {"title": "A"}  # title:, as the weight of the title's words (exact and stemmed) in `terms`
UNKEPT_FIELDS = ("caption", "author")  # not told apart in `terms`: words of the caption, authors not at all


def lexeme(field: str, text: str) -> str:
    """Return the tsvector lexeme of a term in a text field: the word itself in `exact`, `#<lang>:<stem>` else."""
    if field == "exact":
        return text
    return f"#{LANGUAGE_OF_FIELD[field]}:{text}"


def quote(lex: str) -> str:
    """Quote a lexeme for tsvector/tsquery input: quotes and backslashes doubled."""
    return "'" + lex.replace("\\", "\\\\").replace("'", "''") + "'"


def is_text_field(field: str) -> bool:
    return field == "exact" or field in LANGUAGE_OF_FIELD


class Compiler:
    """Collects parameters while turning nodes into SQL."""

    def __init__(self) -> None:
        self.params: list = []

    def param(self, value) -> str:  # type: ignore[no-untyped-def]
        self.params.append(value)
        return "%s"

    def condition(self, node: T.Node) -> str:
        """Return a SQL boolean expression for a node."""
        ts = tsquery(node)
        if ts is not None:
            return f"terms @@ {self.param(ts)}::tsquery"
        if isinstance(node, T.Every):
            return "TRUE"
        if isinstance(node, T.Nothing):
            return "FALSE"
        if isinstance(node, T.And):
            return "(" + " AND ".join(self.condition(c) for c in node.children) + ")" if node.children else "TRUE"
        if isinstance(node, T.Or):
            return "(" + " OR ".join(self.condition(c) for c in node.children) + ")" if node.children else "FALSE"
        if isinstance(node, T.Not):
            return f"NOT {self.condition(node.child)}"
        if isinstance(node, T.AndNot):
            return f"({self.condition(node.positive)} AND NOT {self.condition(node.negative)})"
        if isinstance(node, T.AndMaybe):
            return self.condition(node.required)
        if isinstance(node, T.DateRange):
            return self.date_range(node)
        if isinstance(node, (T.Term, T.Prefix, T.Wildcard, T.TermRange, T.Phrase, T.Fuzzy)):
            return self.field_condition(node)
        raise QueryError(f"cannot search {node!r} here")

    def date_range(self, node: T.DateRange) -> str:
        parts = [f"date_key <> {UNDATED_OLD}"]
        if node.first is not None:
            first = date_key(node.first) + (1 if node.first.second or node.first.microsecond else 0)
            parts.append(f"date_key >= {self.param(first)}")
        if node.last is not None:
            parts.append(f"date_key <= {self.param(date_key(node.last))}")
        return "(" + " AND ".join(parts) + ")"

    def field_condition(self, node: T.Term | T.Prefix | T.Wildcard | T.TermRange | T.Phrase | T.Fuzzy) -> str:
        field = node.field
        if field in UNKEPT_FIELDS:
            raise QueryError(f"{field}: cannot be searched on PostgreSQL yet (its index does not keep the "
                             f"{'captions' if field == 'caption' else 'authors'} apart): search the text, or title:")
        if field in WEIGHTED_FIELDS:
            return self.weighted(node)
        if isinstance(node, T.Fuzzy) and is_text_field(field):
            return self.fuzzy(node)
        if isinstance(node, T.Prefix) and not node.text and is_text_field(field):  # field:* (any word)
            if field == "exact":
                return "length(terms) > 0"
            code = LANGUAGE_OF_FIELD[field]
            if code in STEMMED_LANGUAGES:
                return f"(language = {self.param(code)} AND length(terms) > 0)"
            return f"(language <> ALL({self.param(list(STEMMED_LANGUAGES))}) AND length(terms) > 0)"
        if isinstance(node, T.Wildcard) and is_text_field(field):
            return self.wildcard(node)
        if isinstance(node, T.Phrase):
            raise QueryError(f'{field}:"…" cannot be searched as a phrase: phrases are matched on the words as '
                             'written; drop the field name')
        if field in ENTITY_COLUMNS:
            column = ENTITY_COLUMNS[field]
            if isinstance(node, T.Term):
                return f"{column} @> ARRAY[{self.param(node.text)}]::text[]"
            return f"EXISTS (SELECT 1 FROM unnest({column}) AS k WHERE {self.scalar('k', node)})"
        if field in SCALAR_COLUMNS:
            return self.scalar(SCALAR_COLUMNS[field], node)
        if is_text_field(field) and isinstance(node, T.TermRange):
            raise QueryError(f"a range of words ({field}:[… TO …]) cannot be searched: give the words, or "
                             "a prefix such as word*")
        raise QueryError(f"'{field}:' is not a field that can be searched this way")

    def scalar(self, column: str, node: T.Term | T.Prefix | T.Wildcard | T.TermRange | T.Phrase | T.Fuzzy) -> str:
        if isinstance(node, T.Term):
            return f"{column} = {self.param(node.text)}"
        if isinstance(node, T.Prefix):
            return f"starts_with({column}, {self.param(node.text)})"
        if isinstance(node, T.Wildcard):
            return f"{column} ~ {self.param('^' + _regex(node.pattern) + '$')}"
        if isinstance(node, T.TermRange):
            parts = []
            if node.start is not None:
                parts.append(f"{column} {'>' if node.start_excl else '>='} {self.param(node.start)}")
            if node.end is not None:
                parts.append(f"{column} {'<' if node.end_excl else '<='} {self.param(node.end)}")
            return "(" + " AND ".join(parts or ["TRUE"]) + ")"
        raise QueryError(f"cannot search {node!r} here")

    def wildcard(self, node: T.Wildcard) -> str:
        """A wildcard over whole words: a prefix narrows it through the index, a regular expression decides."""
        head = re.split(r"[*?]", node.pattern, maxsplit=1)[0]
        prefix = lexeme(node.field, head)
        pattern = "^" + re.escape(prefix).replace("\\#", "#") + _regex(node.pattern[len(head):]) + "$"
        if node.field == "exact" and not head:
            pattern = "^(?!#)" + pattern[1:]
        narrow = ""
        if prefix and not prefix.endswith(":"):  # parameters are numbered in the order they appear
            narrow = f"terms @@ {self.param(quote(prefix) + ':*')}::tsquery AND "
        return (f"({narrow}EXISTS (SELECT 1 FROM unnest(tsvector_to_array(terms)) AS w "
                f"WHERE w ~ {self.param(pattern)}))")


    def weighted(self, node: T.Node) -> str:
        """title: words, wildcards, fuzzy words, `title:*`, among the lexemes of the title's weight (exact words)."""
        weight = WEIGHTED_FIELDS[node.field]  # type: ignore[union-attr]
        only = "ts_filter(terms, %s::\"char\"[])"  # parameters are numbered in the order they appear
        if isinstance(node, T.Prefix) and not node.text:
            self.param("{" + weight.lower() + "}")
            return f"length({only}) > 0"
        if isinstance(node, T.Wildcard):
            head = re.split(r"[*?]", node.pattern, maxsplit=1)[0]
            regex = "^(?!#)" + re.escape(head) + _regex(node.pattern[len(head):]) + "$"
        elif isinstance(node, T.Fuzzy):
            head = node.text[:node.prefix]
            regex = "^(?:" + fuzzy.pattern(node.text, node.maxdist, node.prefix) + ")$"
        else:
            raise QueryError(f"'{node.field}:' cannot be searched this way")  # type: ignore[union-attr]
        narrow = f"terms @@ {self.param(quote(head) + ':*' + weight)}::tsquery AND " if head else ""
        self.param("{" + weight.lower() + "}")
        return f"({narrow}EXISTS (SELECT 1 FROM unnest(tsvector_to_array({only})) AS w WHERE w ~ {self.param(regex)}))"

    def fuzzy(self, node: T.Fuzzy) -> str:
        """A fuzzy word (`fuzzy.py`): the lexemes sharing its prefix narrow it through the index, a regular
        expression of every way of making at most N edits decides (exactly the Whoosh engine's words)."""
        head = lexeme(node.field, node.text[:node.prefix])
        body = fuzzy.pattern(node.text, node.maxdist, node.prefix)[len(re.escape(node.text[:node.prefix])):]
        regex = "^" + re.escape(head).replace("\\#", "#") + body + "$"
        narrow = f"terms @@ {self.param(quote(head) + ':*')}::tsquery AND " if head and not head.endswith(":") else ""
        return (f"({narrow}EXISTS (SELECT 1 FROM unnest(tsvector_to_array(terms)) AS w "
                f"WHERE w ~ {self.param(regex)}))")


def _regex(pattern: str) -> str:
    """Turn a wildcard pattern (* and ?) into a regular expression body."""
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)


def tsquery(node: T.Node) -> str | None:
    """Return the tsquery text of a subtree made only of words, phrases and prefixes (None otherwise)."""
    if isinstance(node, T.Prefix) and not node.text:
        return None
    weight = WEIGHTED_FIELDS.get(getattr(node, "field", ""), "")
    if weight and isinstance(node, T.Term):
        return quote(node.text) + ":" + weight
    if weight and isinstance(node, T.Prefix):
        return quote(node.text) + ":*" + weight
    if weight and isinstance(node, T.Phrase):
        return phrase(node.words, node.slop, weight)
    if isinstance(node, T.Term) and is_text_field(node.field):
        return quote(lexeme(node.field, node.text))
    if isinstance(node, T.Prefix) and is_text_field(node.field):
        return quote(lexeme(node.field, node.text)) + ":*"
    if isinstance(node, T.Phrase) and node.field == "exact":
        return phrase(node.words, node.slop)
    if isinstance(node, (T.And, T.Or)) and node.children:
        parts = [tsquery(c) for c in node.children]
        if any(p is None for p in parts):
            return None
        op = " & " if isinstance(node, T.And) else " | "
        return "(" + op.join(p for p in parts if p is not None) + ")"
    if isinstance(node, T.Not):
        inner = tsquery(node.child)
        return None if inner is None else f"!{inner}"
    if isinstance(node, T.AndNot):
        a, b = tsquery(node.positive), tsquery(node.negative)
        return None if a is None or b is None else f"({a} & !{b})"
    if isinstance(node, T.AndMaybe):
        return tsquery(node.required)
    return None


def phrase(words: tuple[str, ...], slop: int, weight: str = "") -> str:
    """Return a phrase as tsquery: each word 1 to `slop` positions after the one before, in order (each of `weight`,
    where given)."""
    quoted = [quote(w) + (":" + weight if weight else "") for w in words]
    if len(quoted) == 1:
        return quoted[0]
    slop = max(1, slop)
    gaps = list(itertools.product(range(1, slop + 1), repeat=len(quoted) - 1))
    if len(gaps) > MAX_PHRASE_VARIANTS:
        raise QueryError(f'the phrase "{" ".join(words)}"~{slop} allows too many word distances: '
                         "use a smaller ~N or fewer words")
    variants = []
    for gap in gaps:
        text = quoted[0]
        for distance, word in zip(gap, quoted[1:]):
            text += f" <{distance}> {word}"
        variants.append(f"({text})")
    return "(" + " | ".join(variants) + ")" if len(variants) > 1 else variants[0]


def rank_query(node: T.Node) -> str | None:
    """Return a tsquery of every word the query looks for (not under NOT), for ranking; None where none."""
    lexemes: list[str] = []

    def walk(n: T.Node) -> None:
        if isinstance(n, (T.Not,)):
            return
        if isinstance(n, T.AndNot):
            walk(n.positive)
            return
        if isinstance(n, T.AndMaybe):
            walk(n.required)
            walk(n.optional)
            return
        if isinstance(n, (T.And, T.Or)):
            for c in n.children:
                walk(c)
            return
        ts = tsquery(n)
        if ts is not None:
            lexemes.append(ts)

    walk(node)
    return " | ".join(lexemes) if lexemes else None
