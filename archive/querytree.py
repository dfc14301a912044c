"""The parsed query as plain data, for engines that do not speak Whoosh's query objects (PostgreSQL).

`query.py` parses the free text (and builds the filters) once; `query.to_tree` turns the result into these nodes.
Fields are the archive's: `text_<lang>` (stemmed words of one language), `exact` (whole words), `person`, `org`,
`location`, `misc`, `entity` (folded entity keys), `source`, `language`, `cluster`, `id`; dates are `DateRange`s.
Texts are already analysed (folded, stemmed) as the index holds them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator
from datetime import datetime


@dataclass(frozen=True)
class Term:
    field: str
    text: str


@dataclass(frozen=True)
class Phrase:
    field: str
    words: tuple[str, ...]
    slop: int = 1


@dataclass(frozen=True)
class Prefix:
    field: str
    text: str


@dataclass(frozen=True)
class Wildcard:
    field: str
    pattern: str  # * any run of characters, ? one character


@dataclass(frozen=True)
class Fuzzy:
    """A word within `maxdist` edits (insertions, deletions, substitutions) of `text`, sharing its first `prefix`
    characters (`word~`, `word~2`)."""
    field: str
    text: str
    maxdist: int = 1
    prefix: int = 1


@dataclass(frozen=True)
class TermRange:
    field: str
    start: str | None
    end: str | None
    start_excl: bool = False
    end_excl: bool = False


@dataclass(frozen=True)
class DateRange:
    first: datetime | None
    last: datetime | None


@dataclass(frozen=True)
class And:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Not:
    child: "Node"


@dataclass(frozen=True)
class AndNot:
    positive: "Node"
    negative: "Node"


@dataclass(frozen=True)
class AndMaybe:
    required: "Node"
    optional: "Node"


@dataclass(frozen=True)
class Every:
    pass


@dataclass(frozen=True)
class Nothing:
    pass


Node = Term | Phrase | Prefix | Wildcard | Fuzzy | TermRange | DateRange | And | Or | Not | AndNot | AndMaybe | Every | Nothing


def positive_leaves(q: Node) -> Iterator[Node]:
    """Yield the leaves of a query that are not under a NOT (the words a match shows, and that are marked)."""
    if isinstance(q, Not):
        return
    if isinstance(q, AndNot):
        yield from positive_leaves(q.positive)
    elif isinstance(q, AndMaybe):
        yield from positive_leaves(q.required)
        yield from positive_leaves(q.optional)
    elif isinstance(q, (And, Or)):
        for child in q.children:
            yield from positive_leaves(child)
    else:
        yield q
