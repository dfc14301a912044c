"""Whoosh's answer to a `SearchRequest`: every match as document numbers, sorted, collapsed, counted.

Every match is found (as an array of document numbers, no top-N pruning), so totals are exact; the query is
evaluated with numpy over cached postings (`fastquery.py`) and scored with Whoosh's BM25F, only for a relevance
sort. Reprints that share a cluster collapse into their earliest version (ties by id). Sorting by date,
collapsing, facets and the timeline use columns decoded once per segment (`columns.py`), never stored
documents: only the articles shown on the page are loaded. Each step looks at the search's `Budget` (time, and
the words wildcards and ranges expand to: `guard.py`), so an expensive query stops with a clear error.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh import query as Q
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.searching import Searcher

from ...model import UNDATED_OLD, Article, date_key
from ...query import ParsedQuery, QueryError, build_query, explain
from ...request import SearchRequest
from ...search import FACET_LIMIT, Facets, Hit, SearchPage, top_values
from ...snippets import QueryTerms, make_snippet
from ...timeline import build_timeline
from .columns import Columns, columns
from .fastquery import Unsupported, evaluate
from .guard import Budget
from .index import stored_article


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
    order = np.lexsort((cols.id_rank[cdocs], cols.sort_old[cdocs], ckeys))  # by cluster, then date, then id
    ckeys, cdocs = ckeys[order], cdocs[order]
    ids, first, sizes = np.unique(ckeys, return_index=True, return_counts=True)
    return ids, sizes, cdocs[first], int((~clustered).sum()) + len(ids)


def _collapse(cols: Columns, ordered: np.ndarray, scores: np.ndarray | None, stats, start: int,
              stop: int) -> list[tuple[float, int, int]]:
    """Return rows start..stop of the ordered matches with reprints folded into their cluster's first place.

    Sorted by relevance a story shows its earliest version; sorted by date, the version that placed it (with
    newest, its newest version), so that the dates shown are in order."""
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
            shown = int(earliest[i]) if scores is not None else int(ordered[pos])
            out.append((score, shown, int(sizes[i]) - 1))
    return out


def all_matches(searcher: Searcher, parsed: ParsedQuery, scored: bool, cols: Columns,
                budget: Budget | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Return every match (docnums ascending) and, where `scored`, their relevance scores.

    The text and filters are evaluated with numpy over cached postings (`fastquery`), date ranges from the
    `sort_old` column; where a scored node is beyond that (a phrase), Whoosh scores every match, within the budget.
    """
    budget = budget or Budget(seconds=0, max_terms=0)
    try:
        docs, scores = evaluate(searcher, parsed.text, scored, budget)
    except Unsupported:
        return _whoosh_scored(searcher, parsed, budget)
    for f in parsed.filters:
        budget.check()
        keep = _date_filter(f, cols, docs)
        if keep is None:
            allowed = np.zeros(cols.size, dtype=bool)
            allowed[evaluate(searcher, f, False, budget)[0]] = True
            keep = allowed[docs]
        docs = docs[keep]
        scores = scores[keep] if scores is not None else None
    return docs, scores


def _whoosh_scored(searcher: Searcher, parsed: ParsedQuery, budget: Budget) -> tuple[np.ndarray, np.ndarray]:
    """Let Whoosh find and score every match (no top-N pruning: the count stays exact), stopped at the deadline."""
    budget.expand_all(parsed.text, searcher.reader())
    collector = searcher.collector(limit=None, scored=True, filter=parsed.filter_query())
    remaining = budget.remaining()
    if remaining is not None:
        collector = TimeLimitCollector(collector, timelimit=remaining, use_alarm=False)
    try:
        searcher.search_with_collector(parsed.text, collector)
    except TimeLimit:
        raise budget.timeout() from None
    finally:
        timer = getattr(collector, "timer", None)
        if timer is not None:
            timer.cancel()
    pairs = sorted((docnum, score or 0.0) for score, docnum in collector.results().top_n)
    return (np.array([d for d, _ in pairs], dtype=np.int64), np.array([s for _, s in pairs], dtype=np.float64))


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


def find(searcher: Searcher, parsed: ParsedQuery, req: SearchRequest, cols: Columns | None = None,
         budget: Budget | None = None) -> Matches:
    """Find every match of a request and the rows of its page, sorted and (unless asked not to) collapsed."""
    cols = cols or columns(searcher.reader())
    scored = req.sort == "relevance" and not isinstance(parsed.text, Q.Every)
    docs, scores = all_matches(searcher, parsed, scored, cols, budget)
    start = (req.page - 1) * req.page_size
    stop = start + req.page_size
    stats = _cluster_stats(cols, docs) if req.collapse else None
    results_total = stats[3] if stats else len(docs)
    if start >= results_total:
        return Matches(docs, [], results_total)
    if scores is not None:
        order = np.lexsort((cols.id_rank[docs], -scores))  # best first, ties by id
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
    """Order matches by date, undated last either way, ties by id ('relevance' without words to score: newest)."""
    if sort == "oldest":
        return docs[np.lexsort((cols.id_rank[docs], cols.sort_old[docs]))]
    stamps = cols.sort_old[docs]
    return docs[np.lexsort((cols.id_rank[docs], -np.where(stamps == UNDATED_OLD, 0, stamps)))]


def count_facets(searcher: Searcher, docnums, limit: int | None = FACET_LIMIT, req: SearchRequest | None = None,
                 cols: Columns | None = None, budget: Budget | None = None) -> Facets:
    """Count facet values and the timeline over the matching documents, from cached columns only."""
    budget = budget or Budget(seconds=0, max_terms=0)
    cols = cols or columns(searcher.reader())
    docs = np.asarray(docnums, dtype=np.int64)
    mask = np.zeros(cols.size, dtype=bool)
    mask[docs] = True
    facets = Facets(timeline=build_timeline(cols.sort_old[docs], req))
    for key, column in cols.facets.items():
        budget.check()
        counts = np.bincount(column.ids[mask[column.docs]], minlength=len(column.keys))
        nonzero = np.flatnonzero(counts)
        if limit is not None and len(nonzero) > limit:  # every value tied with the last place, then by name
            floor = -np.partition(-counts[nonzero], limit - 1)[limit - 1]
            nonzero = nonzero[counts[nonzero] >= floor]
        facets.values[key] = top_values(((column.names[i], int(counts[i])) for i in nonzero), limit)
    return facets


def run_search(searcher: Searcher, req: SearchRequest, index_version: int = 0, facet_limit: int = FACET_LIMIT,
               parsed: ParsedQuery | None = None, budget: Budget | None = None) -> SearchPage:
    """Run one search request; raise QueryError for a query that cannot be parsed (or expands too far), and
    QueryTimeout for one that runs past its budget."""
    budget = budget or Budget(seconds=0, max_terms=0)
    parsed = parsed or build_query(req, searcher.schema)
    if searcher.doc_count_all() == 0:  # an empty index: nothing to score (Whoosh's idf fails on it)
        page = SearchPage(req, 0, 0, [], explain(parsed), index_version)
        page.facets = Facets(timeline=build_timeline(np.empty(0, dtype=np.int64), req)) if req.facets else None
        return page
    cols = columns(searcher.reader())
    matches = find(searcher, parsed, req, cols, budget)
    try:
        qt = QueryTerms.of(parsed.tree()[0])
    except QueryError:  # a query kind only Whoosh searches: no words to mark
        qt = QueryTerms(frozenset(), frozenset())
    hits = []
    for score, docnum, versions in matches.rows:
        budget.check()
        article = stored_article(searcher.stored_fields(docnum))
        hits.append(Hit(article, make_snippet(article.body, article.language, qt), score, versions))
    page = SearchPage(req, len(matches.docs), matches.results_total, hits, explain(parsed), index_version)
    if req.facets:
        page.facets = count_facets(searcher, matches.docs, facet_limit, req, cols, budget)
    return page


def iter_matches(searcher: Searcher, req: SearchRequest, parsed: ParsedQuery | None = None,
                 budget: Budget | None = None):
    """Yield the docnum of every match of a request in its sort order, every version included (for exports);
    finding the matches is bounded by the budget, streaming them is not."""
    parsed = parsed or build_query(req, searcher.schema)
    if searcher.doc_count_all() == 0:
        return 0, iter(())
    cols = columns(searcher.reader())
    scored = req.sort == "relevance" and not isinstance(parsed.text, Q.Every)
    docs, scores = all_matches(searcher, parsed, scored, cols, budget)
    if scores is not None:
        ordered = docs[np.lexsort((cols.id_rank[docs], -scores))]
    else:
        ordered = order_by_date(cols, docs, req.sort)
    return len(docs), (int(d) for d in ordered)


def versions(searcher: Searcher, article: Article) -> list[Article]:
    """Return every version of an article's reprint cluster, earliest first (the article alone if none)."""
    if not article.cluster:
        return [article]
    docnums = searcher.docs_for_query(Q.Term("cluster", article.cluster))
    found = [stored_article(searcher.stored_fields(d)) for d in docnums]
    found.sort(key=lambda a: (a.date is None, a.date or 0, a.id))
    return found or [article]
