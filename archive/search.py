"""Run a `SearchRequest` against the index and return a `SearchPage`: the same for CLI, web page and JSON API.

Every match is collected (no top-N pruning), so totals are exact; reprints that share a cluster collapse into
their earliest version; facets and the timeline are counted from index columns, not from stored documents.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from whoosh.searching import Searcher

from .analysis import fold
from .index import UNDATED_OLD, stored_article, unpack_facets
from .model import LABELS, Article
from .query import ParsedQuery, build_query, explain
from .request import SearchRequest
from .snippets import QueryTerms, Segments, make_snippet, to_html, to_text

FACET_FIELDS = {"source": "source", "language": "language", "PER": "person", "ORG": "org", "LOC": "location",
                "MISC": "misc"}
FACET_LIMIT = 10


@dataclass
class Hit:
    """One result row: an article, its snippet, and how many other versions of it were collapsed."""

    article: Article
    snippet: Segments
    score: float
    versions: int = 0

    @property
    def snippet_html(self):
        return to_html(self.snippet)

    @property
    def snippet_text(self) -> str:
        return to_text(self.snippet)

    def to_dict(self) -> dict[str, Any]:
        a = self.article
        return {
            "id": a.id,
            "title": a.title,
            "display_title": a.display_title,
            "date": a.date_iso,
            "date_source": a.date_source,
            "source": a.source,
            "language": a.language,
            "url": a.url,
            "snippet": str(self.snippet_html),
            "snippet_text": self.snippet_text,
            "entities": {label: a.names(label) for label in LABELS},
            "cluster": a.cluster,
            "versions": self.versions,
            "score": round(self.score, 4),
        }


@dataclass
class Facets:
    """Counts of the values of each facet over all matching articles, and a yearly timeline."""

    values: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    timeline: list[tuple[str, int]] = field(default_factory=list)
    undated: int = 0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            FACET_FIELDS[k]: [{"value": v, "count": c} for v, c in vals] for k, vals in self.values.items()
        }
        out["timeline"] = [{"period": p, "count": c} for p, c in self.timeline]
        out["undated"] = self.undated
        return out


@dataclass
class SearchPage:
    """One page of results for a request, with exact counts."""

    request: SearchRequest
    total: int  # matching articles, every version counted
    results_total: int  # result rows after reprints are collapsed
    hits: list[Hit]
    explanation: str
    index_version: int
    facets: Facets | None = None

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.results_total / self.request.page_size))

    @property
    def page(self) -> int:
        return self.request.page

    @property
    def first_rank(self) -> int:
        return (self.page - 1) * self.request.page_size + 1 if self.hits else 0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "total": self.total,
            "results_total": self.results_total,
            "page": self.page,
            "page_size": self.request.page_size,
            "pages": self.pages,
            "sort": self.request.sort,
            "query": self.request.q,
            "filters": {k: list(v) for k, v in self.request.filters().items()}
            | {k: b.text for k, b in (("from", self.request.date_from), ("to", self.request.date_to)) if b},
            "explain": self.explanation,
            "index_version": self.index_version,
            "results": [h.to_dict() for h in self.hits],
        }
        if self.facets is not None:
            out["facets"] = self.facets.to_dict()
        return out


def matching_docs(searcher: Searcher, parsed: ParsedQuery, scored: bool) -> list[tuple[float, int]]:
    """Return (score, docnum) for every matching document: no pruning, so the count is exact."""
    results = searcher.search(parsed.text, filter=parsed.filter_query(), limit=None, scored=scored)
    return [(score or 0.0, docnum) for score, docnum in results.top_n]


def order_docs(searcher: Searcher, items: list[tuple[float, int]], sort: str) -> list[tuple[float, int]]:
    """Order matches by relevance, or by date with undated articles last either way."""
    if sort == "relevance":
        return sorted(items, key=lambda x: (-x[0], x[1]))
    column = searcher.reader().column_reader("sort_new" if sort == "newest" else "sort_old")
    if sort == "newest":
        return sorted(items, key=lambda x: (-column[x[1]], x[1]))
    return sorted(items, key=lambda x: (column[x[1]], x[1]))


def collapse(searcher: Searcher, ordered: list[tuple[float, int]]) -> list[tuple[float, int, int]]:
    """Fold reprints into one row per cluster: placed at its best-ranked match, shown as its earliest version."""
    reader = searcher.reader()
    if not reader.has_column("cluster"):
        return [(s, d, 0) for s, d in ordered]
    clusters = reader.column_reader("cluster")
    dates = reader.column_reader("sort_old")
    rows: list[list] = []
    seen: dict[Any, int] = {}
    for score, docnum in ordered:
        key = clusters[docnum]
        if not key:
            rows.append([score, docnum, 0])
            continue
        if key not in seen:
            seen[key] = len(rows)
            rows.append([score, docnum, 0])
            continue
        row = rows[seen[key]]
        row[2] += 1
        if (dates[docnum], docnum) < (dates[row[1]], row[1]):
            row[1] = docnum  # the earliest version stands for the cluster
    return [(s, d, n) for s, d, n in rows]


def count_facets(searcher: Searcher, docnums: list[int], limit: int | None = FACET_LIMIT) -> Facets:
    """Count facet values and years over the matching documents, from columns only."""
    reader = searcher.reader()
    packed = reader.column_reader("facets")
    dates = reader.column_reader("sort_old")
    counters: dict[str, Counter] = {key: Counter() for key in FACET_FIELDS}
    shown: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    years: Counter = Counter()
    undated = 0
    for docnum in docnums:
        values = unpack_facets(packed[docnum])
        for key in FACET_FIELDS:
            for value in values[key]:
                k = fold(value)
                counters[key][k] += 1
                shown[key][k][value] += 1
        stamp = dates[docnum]
        if stamp == UNDATED_OLD:
            undated += 1
        else:
            years[str(stamp)[:4]] += 1
    facets = Facets(undated=undated, timeline=sorted(years.items()))
    for key, counter in counters.items():
        top = counter.most_common(limit)
        facets.values[key] = [(shown[key][k].most_common(1)[0][0], n) for k, n in top]
    return facets


def search(searcher: Searcher, req: SearchRequest, index_version: int = 0) -> SearchPage:
    """Run one search request; raise QueryError for a query that cannot be parsed."""
    parsed = build_query(req, searcher.schema)
    items = matching_docs(searcher, parsed, scored=req.sort == "relevance")
    ordered = order_docs(searcher, items, req.sort)
    rows = collapse(searcher, ordered) if req.collapse else [(s, d, 0) for s, d in ordered]
    start = (req.page - 1) * req.page_size
    qt = QueryTerms.of(parsed.text)
    hits = []
    for score, docnum, versions in rows[start : start + req.page_size]:
        article = stored_article(searcher.stored_fields(docnum))
        hits.append(Hit(article, make_snippet(article.body, article.language, qt), score, versions))
    page = SearchPage(req, len(items), len(rows), hits, explain(parsed), index_version)
    if req.facets:
        page.facets = count_facets(searcher, [d for _, d in items])
    return page


def versions(searcher: Searcher, article: Article) -> list[Article]:
    """Return every version of an article's reprint cluster, earliest first (the article alone if none)."""
    if not article.cluster:
        return [article]
    from whoosh import query as Q

    docnums = searcher.docs_for_query(Q.Term("cluster", article.cluster))
    found = [stored_article(searcher.stored_fields(d)) for d in docnums]
    found.sort(key=lambda a: (a.date is None, a.date or 0, a.id))
    return found or [article]
