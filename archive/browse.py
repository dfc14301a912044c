"""Every value of a facet, not only its top ten: sources, people, organisations, places, other names and languages,
with their article counts, over the whole archive or over a search's matches, ordered by count or by name, filtered
by a few letters, paged. No Flask here.

The counts are the engine's own facet counts with no limit (the numbers the search page shows for its top values), so
a value is counted once per matching article (every version of a reprint), on both engines. The `contains` filter
folds case and accents (`geneve` finds `Genève`).
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass, replace
from typing import Any, Callable

from .analysis import fold
from .backends.base import Backend
from .request import RequestError, SearchRequest, last_value, whole_number

FACETS = {"source": "source", "person": "PER", "org": "ORG", "location": "LOC", "misc": "MISC",
          "language": "language"}  # parameter name -> facet key
ORDERS = ("count", "name")
DEFAULT_SIZE = 50
MAX_SIZE = 500
MAX_CONTAINS = 200
EVERY_VALUE = sys.maxsize  # a facet limit that keeps every value
_OWN = ("sort", "page", "size", "facets", "by", "contains")  # read here, not by the search request


@dataclass(frozen=True)
class ValuesRequest:
    """Which facet, over which search (its words and filters; none for the whole archive), and how to list it."""

    facet: str  # a key of FACETS
    search: SearchRequest = SearchRequest()
    by: str = "count"
    contains: str = ""
    page: int = 1
    size: int = DEFAULT_SIZE

    @classmethod
    def from_params(cls, facet: str, get: Callable[[str], list[str]]) -> "ValuesRequest":
        """Build from named parameter lists; raise RequestError naming the parameter."""
        if facet not in FACETS:
            raise RequestError("facet", f"unknown facet {facet!r}: use one of {', '.join(FACETS)}")
        search = SearchRequest.from_params(lambda name: [] if name in _OWN else get(name))
        by = last_value(get("by")) or "count"
        if by not in ORDERS:
            raise RequestError("by", f"unknown order {by!r}: use count or name")
        contains = " ".join((last_value(get("contains")) or "").split())
        if len(contains) > MAX_CONTAINS:
            raise RequestError("contains", f"keep it under {MAX_CONTAINS} characters")
        return cls(facet, search, by, contains, whole_number("page", get, 1, 1, 1_000_000),
                   whole_number("size", get, DEFAULT_SIZE, 1, MAX_SIZE))

    def params(self, **changes: Any) -> list[tuple[str, str]]:
        """Return the request as URL parameters (the facet is in the path), with `changes` applied."""
        req = replace(self, **changes) if changes else self
        out = req.search.params()
        if req.by != "count":
            out.append(("by", req.by))
        if req.contains:
            out.append(("contains", req.contains))
        if req.page != 1:
            out.append(("page", str(req.page)))
        if req.size != DEFAULT_SIZE:
            out.append(("size", str(req.size)))
        return out

    @property
    def whole_archive(self) -> bool:
        return not self.search.q and not self.search.has_filters()


@dataclass
class ValuesPage:
    """One page of a facet's values with their counts."""

    request: ValuesRequest
    values: list[tuple[str, int]]
    total: int  # values after the `contains` filter
    distinct: int  # values before it
    articles: int | None  # articles matching the search (None for the whole archive)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.request.size))

    @property
    def first(self) -> int:
        return (self.request.page - 1) * self.request.size + 1 if self.values else 0

    def to_dict(self) -> dict[str, Any]:
        req = self.request
        return {
            "facet": req.facet, "query": req.search.q,
            "filters": {k: list(v) for k, v in req.search.filters().items()}
            | {k: b.text for k, b in (("from", req.search.date_from), ("to", req.search.date_to)) if b},
            "by": req.by, "contains": req.contains, "page": req.page, "size": req.size, "pages": self.pages,
            "total": self.total, "distinct": self.distinct, "articles": self.articles,
            "values": [{"value": v, "count": c} for v, c in self.values],
        }


def facet_values(backend: Backend, vreq: ValuesRequest,
                 shown: Callable[[str, list[tuple[str, int]]], list[tuple[str, int]]] | None = None) -> ValuesPage:
    """Return one page of a facet's values over a search (or the whole archive), ordered and filtered as asked;
    `shown(facet key, values)` may change the values first (the web page's type vote and names in its language)."""
    key = FACETS[vreq.facet]
    if vreq.whole_archive:
        counted, articles = backend.facet_counts(None).values.get(key, []), None
    else:
        page = backend.search(replace(vreq.search, facets=True, page=1, page_size=1), facet_limit=EVERY_VALUE)
        counted, articles = (page.facets.values.get(key, []) if page.facets else []), page.total
    if shown is not None:
        counted = shown(key, counted)
    distinct = len(counted)
    if vreq.contains:
        needle = fold(vreq.contains)
        counted = [(v, c) for v, c in counted if needle in fold(v)]
    if vreq.by == "name":
        ordered = sorted(counted, key=lambda item: (fold(item[0]), item[0]))
    else:
        ordered = sorted(counted, key=lambda item: (-item[1], fold(item[0]), item[0]))
    start = (vreq.page - 1) * vreq.size
    return ValuesPage(vreq, ordered[start : start + vreq.size], len(ordered), distinct, articles)
