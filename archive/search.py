"""What a search answers, whatever the engine: a `SearchPage` of `Hit`s with exact counts, and `Facets`.

Every engine (see `backends/`) answers a `SearchRequest` with these objects, so the CLI, the web page and the
JSON API print the same thing from Whoosh or PostgreSQL. `search(backend, req)` is the one call they make.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .backends.base import FACET_LIMIT, Backend
from .model import LABELS, Article
from .request import SearchRequest
from .snippets import Segments, to_html, to_text
from .timeline import Timeline

FACET_FIELDS = {"source": "source", "language": "language", "PER": "person", "ORG": "org", "LOC": "location",
                "MISC": "misc"}


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


def top_values(counted, limit: int | None) -> list[tuple[str, int]]:
    """Order facet values by count, then name (folded), and keep the first `limit`: the same on every engine."""
    ranked = sorted(counted, key=lambda item: (-item[1], item[0].casefold(), item[0]))
    return ranked if limit is None else ranked[:limit]


def search(backend: Backend, req: SearchRequest, facet_limit: int = FACET_LIMIT) -> SearchPage:
    """Run one search request; raise QueryError for a query that cannot be parsed."""
    return backend.search(req, facet_limit)
