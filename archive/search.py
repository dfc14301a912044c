"""Run a `SearchRequest` against the index and return a `SearchPage`: the same for CLI, web page and JSON API.

Every match is found (as an array of document numbers, no top-N pruning), so totals are exact; the query is
evaluated with numpy over cached postings (`fastquery.py`) and scored with Whoosh's BM25F, only for a relevance
sort. Reprints that share a cluster collapse into their
earliest version. Sorting by date, collapsing, facets and the timeline use columns decoded once per segment
(`columns.py`), never stored documents: only the articles shown on the page are loaded.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh import query as Q
from whoosh.searching import Searcher

from .columns import Columns, columns
from .fastquery import Unsupported, evaluate
from .index import UNDATED_OLD, date_key, stored_article
from .model import LABELS, Article
from .query import ParsedQuery, build_query, explain
from .request import SearchRequest
from .snippets import QueryTerms, Segments, make_snippet, to_html, to_text
from .timeline import Timeline, build_timeline

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
    """Counts of the values of each facet over all matching articles, and their timeline."""

    values: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    timeline: Timeline = field(default_factory=Timeline)

    @property
    def undated(self) -> int:
        return self.timeline.undated

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            FACET_FIELDS[k]: [{"value": v, "count": c} for v, c in vals] for k, vals in self.values.items()
        }
        out["timeline"] = [{"period": b.period, "count": b.count} for b in self.timeline.bars]
        out["timeline_granularity"] = self.timeline.granularity
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


@dataclass
class Matches:
    """Every document matching a request (exact), and the rows of the requested page in order."""

    docs: np.ndarray  # docnums, ascending
    rows: list[tuple[float, int, int]]  # (score, docnum shown, other versions) for the page
    results_total: int  # result rows after collapsing


def _cluster_stats(cols: Columns, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """For the clusters among the matches: their ids (sorted), sizes and earliest version; and the row count."""
    keys = cols.cluster[docs]
    clustered = keys >= 0
    cdocs, ckeys = docs[clustered], keys[clustered]
    order = np.lexsort((cdocs, cols.sort_old[cdocs], ckeys))  # by cluster, then date, then docnum
    ckeys, cdocs = ckeys[order], cdocs[order]
    ids, first, sizes = np.unique(ckeys, return_index=True, return_counts=True)
    return ids, sizes, cdocs[first], int((~clustered).sum()) + len(ids)


def _collapse(cols: Columns, ordered: np.ndarray, scores: np.ndarray | None, stats, start: int,
              stop: int) -> list[tuple[float, int, int]]:
    """Return rows start..stop of the ordered matches with reprints folded into their cluster's first place."""
    ids, sizes, earliest, _ = stats
    keys = cols.cluster[ordered]
    positions = np.arange(len(ordered))
    if len(ids):
        clustered = keys >= 0
        _, first = np.unique(keys[clustered], return_index=True)
        keep = np.sort(np.concatenate([positions[~clustered], positions[clustered][first]]))
    else:
        keep = positions
    out = []
    for pos in keep[start:stop]:
        pos = int(pos)
        score = float(scores[pos]) if scores is not None else 0.0
        key = keys[pos]
        if key < 0:
            out.append((score, int(ordered[pos]), 0))
        else:
            i = int(np.searchsorted(ids, key))
            out.append((score, int(earliest[i]), int(sizes[i]) - 1))
    return out


def all_matches(searcher: Searcher, parsed: ParsedQuery, scored: bool,
                cols: Columns) -> tuple[np.ndarray, np.ndarray | None]:
    """Return every match (docnums ascending) and, where `scored`, their relevance scores.

    The text and filters are evaluated with numpy over cached postings (`fastquery`), date ranges from the
    `sort_old` column; where a scored node is beyond that (a phrase, a wildcard), Whoosh scores every match.
    """
    try:
        docs, scores = evaluate(searcher, parsed.text, scored)
    except Unsupported:
        results = searcher.search(parsed.text, filter=parsed.filter_query(), limit=None, scored=True)
        pairs = sorted((docnum, score or 0.0) for score, docnum in results.top_n)
        return (np.array([d for d, _ in pairs], dtype=np.int64), np.array([s for _, s in pairs], dtype=np.float64))
    for f in parsed.filters:
        keep = _date_filter(f, cols, docs)
        if keep is None:
            allowed = np.zeros(cols.size, dtype=bool)
            allowed[evaluate(searcher, f, False)[0]] = True
            keep = allowed[docs]
        docs = docs[keep]
        scores = scores[keep] if scores is not None else None
    return docs, scores


def _date_filter(f: Q.Query, cols: Columns, docs: np.ndarray) -> np.ndarray | None:
    """Apply a whole-minute date range from the `sort_old` column; None where it is not one."""
    if not isinstance(f, Q.DateRange) or f.fieldname != "date":
        return None
    first, last = f.startdate, f.enddate
    if (first and (first.second or first.microsecond)) or (last and last.second != 59):
        return None
    stamps = cols.sort_old[docs]
    keep = stamps != UNDATED_OLD
    if first:
        keep &= stamps >= date_key(first)
    if last:
        keep &= stamps <= date_key(last)
    return keep


def find(searcher: Searcher, parsed: ParsedQuery, req: SearchRequest, cols: Columns | None = None) -> Matches:
    """Find every match of a request and the rows of its page, sorted and (unless asked not to) collapsed."""
    cols = cols or columns(searcher.reader())
    scored = req.sort == "relevance" and not isinstance(parsed.text, Q.Every)
    docs, scores = all_matches(searcher, parsed, scored, cols)
    start = (req.page - 1) * req.page_size
    stop = start + req.page_size
    stats = _cluster_stats(cols, docs) if req.collapse else None
    results_total = stats[3] if stats else len(docs)
    if start >= results_total:
        return Matches(docs, [], results_total)
    if scores is not None:
        order = np.lexsort((docs, -scores))  # best first, ties by docnum
        ordered, scores = docs[order], scores[order]
    else:
        ordered = order_by_date(cols, docs, req.sort)
    if not req.collapse:
        rows = [(float(scores[i]) if scores is not None else 0.0, int(ordered[i]), 0)
                for i in range(start, min(stop, len(ordered)))]
    else:
        rows = _collapse(cols, ordered, scores, stats, start, stop)
    return Matches(docs, rows, results_total)


def order_by_date(cols: Columns, docs: np.ndarray, sort: str) -> np.ndarray:
    """Order matches by date (undated last either way; ties by docnum), or by docnum for 'relevance'."""
    if sort == "oldest":
        return docs[np.lexsort((docs, cols.sort_old[docs]))]
    if sort == "newest":
        stamps = cols.sort_old[docs]
        return docs[np.lexsort((docs, -np.where(stamps == UNDATED_OLD, 0, stamps)))]
    return docs


def count_facets(searcher: Searcher, docnums, limit: int | None = FACET_LIMIT, req: SearchRequest | None = None,
                 cols: Columns | None = None) -> Facets:
    """Count facet values and the timeline over the matching documents, from cached columns only."""
    cols = cols or columns(searcher.reader())
    docs = np.asarray(docnums, dtype=np.int64)
    mask = np.zeros(cols.size, dtype=bool)
    mask[docs] = True
    facets = Facets(timeline=build_timeline(cols.sort_old[docs], req))
    for key, column in cols.facets.items():
        counts = np.bincount(column.ids[mask[column.docs]], minlength=len(column.keys))
        nonzero = np.flatnonzero(counts)
        if limit is not None and len(nonzero) > limit:
            nonzero = nonzero[np.argpartition(-counts[nonzero], limit - 1)[:limit]]
        top = sorted(nonzero, key=lambda i: (-counts[i], column.names[i].casefold()))
        facets.values[key] = [(column.names[i], int(counts[i])) for i in top]
    return facets


def search(searcher: Searcher, req: SearchRequest, index_version: int = 0, facet_limit: int = FACET_LIMIT,
           parsed: ParsedQuery | None = None) -> SearchPage:
    """Run one search request; raise QueryError for a query that cannot be parsed."""
    parsed = parsed or build_query(req, searcher.schema)
    cols = columns(searcher.reader())
    matches = find(searcher, parsed, req, cols)
    qt = QueryTerms.of(parsed.text)
    hits = []
    for score, docnum, versions in matches.rows:
        article = stored_article(searcher.stored_fields(docnum))
        hits.append(Hit(article, make_snippet(article.body, article.language, qt), score, versions))
    page = SearchPage(req, len(matches.docs), matches.results_total, hits, explain(parsed), index_version)
    if req.facets:
        page.facets = count_facets(searcher, matches.docs, facet_limit, req, cols)
    return page


def iter_matches(searcher: Searcher, req: SearchRequest, parsed: ParsedQuery | None = None):
    """Yield the docnum of every match of a request in its sort order, every version included (for exports)."""
    parsed = parsed or build_query(req, searcher.schema)
    cols = columns(searcher.reader())
    scored = req.sort == "relevance" and not isinstance(parsed.text, Q.Every)
    docs, scores = all_matches(searcher, parsed, scored, cols)
    ordered = docs[np.lexsort((docs, -scores))] if scores is not None else order_by_date(cols, docs, req.sort)
    return len(docs), (int(d) for d in ordered)


def versions(searcher: Searcher, article: Article) -> list[Article]:
    """Return every version of an article's reprint cluster, earliest first (the article alone if none)."""
    if not article.cluster:
        return [article]
    docnums = searcher.docs_for_query(Q.Term("cluster", article.cluster))
    found = [stored_article(searcher.stored_fields(d)) for d in docnums]
    found.sort(key=lambda a: (a.date is None, a.date or 0, a.id))
    return found or [article]
