"""Attention over time: how many articles match each of up to five searches per day, week, month or year, and what
share of all articles in that period they are.

Each series is its own `SearchRequest` (words and filters). Its counts are the per-day counts every engine already
returns with a search's facets (the timeline's `days`), summed per period; every version of a reprinted story counts,
as in a search's total. The share's denominator is the same search without its words (its filters kept; that is every
article where it has no filters), or with `share_of="all"` every article (within the series' dates). One series can be
split by source: its top sources, each divided by that source's own articles, and the rest. Periods without articles
are kept (a count of 0); a share is None where the denominator is 0. Undated articles are counted apart. No Flask here.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Callable, Iterable, Iterator

from .backends.base import Backend
from .request import FILTERS, RequestError, SearchRequest
from .timeline import _day, granularity

UNITS = ("day", "week", "month", "year")
SCALES = ("auto", "linear", "log")
SHARE_OF = ("filters", "all")
MAX_SERIES = 5
SPLIT_SOURCES = 5  # a split shows this many top sources, and the rest as one more series
MAX_PERIODS = 3700  # about ten years of days
SERIES_PARAMS = (*FILTERS, "from", "to")  # what each series may set for itself, as `source.2=...`
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


@dataclass(frozen=True)
class AttentionRequest:
    """Up to five searches to compare, the period unit, and how to draw them."""

    series: tuple[SearchRequest, ...]
    by: str = "auto"  # auto picks year, month or day from the span, as the timeline does
    normalise: bool = False  # draw shares instead of counts
    share_of: str = "filters"  # denominator: the series' filters without its words, or all articles
    split: str | None = None  # "source": split the one series by source
    scale: str = "auto"

    @classmethod
    def from_params(cls, get: Callable[[str], list[str]], names: Iterable[str] = ()) -> "AttentionRequest":
        """Build from parameters: `q` once per series (in order), shared filters, and `NAME.N` filters of series N.

        `names` lists every parameter name given (to find the `NAME.N` ones); raise RequestError naming the parameter.
        """
        queries = [v if v is not None else "" for v in get("q")]
        own: dict[int, set[str]] = {}
        for name in names:
            base, _, number = name.rpartition(".")
            if base in SERIES_PARAMS and number.isdigit():
                if not 1 <= int(number) <= MAX_SERIES:
                    raise RequestError(name, f"series are numbered 1 to {MAX_SERIES}")
                own.setdefault(int(number), set()).add(base)
        if len([q for q in queries if q.strip()]) > MAX_SERIES:
            raise RequestError("q", f"{len(queries)} queries given: compare at most {MAX_SERIES}")
        series = []
        for i in range(1, max([len(queries), *own]) + 1):
            q = queries[i - 1] if i <= len(queries) else ""
            if not q.strip() and not any(v.strip() for name in own.get(i, ()) for v in get(f"{name}.{i}")):
                continue  # an empty row of the form
            series.append(_series_request(get, i, q, own.get(i, set())))
        if len(series) > MAX_SERIES:
            raise RequestError("q", f"{len(series)} queries given: compare at most {MAX_SERIES}")
        by = _choice(get, "by", ("auto", *UNITS), "auto")
        split = _choice(get, "split", ("", "source"), "") or None
        if split and len(series) > 1:
            raise RequestError("split", "a split by source takes one query: remove the others, or the split")
        return cls(tuple(series), by, _bool(get, "normalise"), _choice(get, "share_of", SHARE_OF, "filters"), split,
                   _choice(get, "scale", SCALES, "auto"))

    @classmethod
    def from_dict(cls, params: dict[str, Any]) -> "AttentionRequest":
        """Build from a dict of values or lists of values."""

        def get(name: str) -> list[str]:
            value = params.get(name)
            if value is None:
                return []
            return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]

        return cls.from_params(get, list(params))

    def params(self, **changes: Any) -> list[tuple[str, str]]:
        """Return the request as URL parameters (each series' filters as `NAME.N`), with `changes` applied."""
        req = replace(self, **changes) if changes else self
        out: list[tuple[str, str]] = []
        for i, s in enumerate(req.series, 1):
            out.append(("q", s.q))
            out += [(f"{name}.{i}", value) for name, value in s.params() if name in SERIES_PARAMS]
        if req.by != "auto":
            out.append(("by", req.by))
        if req.normalise:
            out.append(("normalise", "1"))
        if req.share_of != "filters":
            out.append(("share_of", req.share_of))
        if req.split:
            out.append(("split", req.split))
        if req.scale != "auto":
            out.append(("scale", req.scale))
        return out


def series_params(req: SearchRequest) -> list[tuple[str, str]]:
    """Return the attention page's parameters for one search (its words and filters, not its sort or paging)."""
    return AttentionRequest((req,)).params()


def _series_request(get: Callable[[str], list[str]], i: int, q: str, own: set[str]) -> SearchRequest:
    def series_get(name: str) -> list[str]:
        if name == "q":
            return [q]
        if name in SERIES_PARAMS:
            return [*get(name), *get(f"{name}.{i}")]  # own dates win (the last is read); filter values add up
        return []

    try:
        req = SearchRequest.from_params(series_get)
    except RequestError as exc:
        name = f"{exc.param}.{i}" if exc.param in own else ("q" if exc.param == "q" else exc.param)
        raise RequestError(name, str(exc).split(": ", 1)[1]) from None
    return replace(req, sort="oldest", page_size=1, collapse=False, facets=True)  # nothing to score or fold


def _choice(get: Callable[[str], list[str]], name: str, allowed: tuple[str, ...], default: str) -> str:
    values = [v.strip() for v in get(name) if v is not None]
    if not values or values[-1] == "" and "" not in allowed:
        return default
    value = values[-1].lower()
    if value not in allowed:
        raise RequestError(name, f"unknown value {values[-1]!r}: use one of {', '.join(a for a in allowed if a)}")
    return value


def _bool(get: Callable[[str], list[str]], name: str) -> bool:
    values = [v.strip().lower() for v in get(name) if v is not None]
    if not values:
        return False
    if values[-1] in _TRUE:
        return True
    if values[-1] in _FALSE:
        return False
    raise RequestError(name, f"{values[-1]!r} is not a yes or no: give 1 or 0")


@dataclass
class Series:
    """One line of the chart: a search's articles per period, and the articles its share is taken of."""

    label: str
    request: SearchRequest
    counts: list[int]
    base: list[int]  # the denominator per period
    total: int  # every match, dated or not
    undated: int
    source: str | None = None  # set on the series of a split by source
    rest: bool = False  # the series of a split that holds every other source

    @property
    def shares(self) -> list[float | None]:
        return [c / b if b else None for c, b in zip(self.counts, self.base)]

    @property
    def dated(self) -> int:
        return sum(self.counts)

    def to_dict(self, periods: list[str]) -> dict[str, Any]:
        r = self.request
        return {
            "label": self.label, "query": r.q,
            "filters": {k: list(v) for k, v in r.filters().items()}
            | {k: b.text for k, b in (("from", r.date_from), ("to", r.date_to)) if b},
            "source": self.source, "other_sources": self.rest, "total": self.total, "undated": self.undated,
            "points": [{"period": p, "count": c, "base": b, "share": s}
                       for p, c, b, s in zip(periods, self.counts, self.base, self.shares)],
        }


@dataclass
class Attention:
    """Counts and shares of every series over one list of periods."""

    request: AttentionRequest
    unit: str
    periods: list[str]
    series: list[Series] = field(default_factory=list)
    index_version: int = 0

    @property
    def base_name(self) -> str:
        """Say what each share is a share of."""
        if self.request.share_of == "all":
            return "all articles in the archive"
        if self.request.split:
            return "all articles of the same source"
        if all(not (s.request.has_filters()) for s in self.series):
            return "all articles in the archive"
        return "all articles with the same filters (the search without its words)"

    def to_dict(self) -> dict[str, Any]:
        return {"by": self.unit, "normalised": self.request.normalise, "share_of": self.request.share_of,
                "share_of_text": self.base_name, "split": self.request.split, "periods": self.periods,
                "index_version": self.index_version, "series": [s.to_dict(self.periods) for s in self.series]}

    def rows(self) -> Iterator[list[Any]]:
        """Yield the table in long form: one row per series and period, after a header."""
        yield ["series", "query", "period", "count", "base", "share"]
        for s in self.series:
            for p, c, b, share in zip(self.periods, s.counts, s.base, s.shares):
                yield [s.label, s.request.q, p, c, b, "" if share is None else repr(share)]

    def csv(self) -> str:
        """Return the rows as CSV (cells opening with = + - @ neutralised)."""
        from .export import safe_cell

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in self.rows():
            writer.writerow([safe_cell(v) if isinstance(v, str) else v for v in row])
        return out.getvalue()


def label(req: SearchRequest) -> str:
    """Name a series by its words and filters."""
    parts = [req.q or "all articles"]
    parts += [f"{name}: {v}" for name, values in req.filters().items() for v in values]
    if req.date_from or req.date_to:
        parts.append(f"{req.date_from.text if req.date_from else '…'} to {req.date_to.text if req.date_to else '…'}")
    return " · ".join(parts)


def attention(backend: Backend, areq: AttentionRequest) -> Attention:
    """Count every series per period, with its denominators; raise RequestError for too many periods."""
    pages: dict[SearchRequest, Any] = {}

    def days_of(req: SearchRequest, facet_limit: int = 1) -> Any:
        if req not in pages or facet_limit > 1:
            pages[req] = backend.search(req, facet_limit)
        return pages[req]

    lines: list[tuple[str, SearchRequest, SearchRequest, str | None]] = []  # label, request, denominator, source
    for req in areq.series:
        base = _base(req, areq.share_of)
        if areq.split == "source":
            page = days_of(req, SPLIT_SOURCES)
            lines.append((label(req), req, base, None))
            for source, _n in page.facets.values.get("source", [])[:SPLIT_SOURCES]:
                own = req.with_filter("source", source)
                lines.append((source, own, _base(own, areq.share_of), source))
        else:
            lines.append((label(req), req, base, None))
    found = [(name, req, days_of(req), days_of(base), source) for name, req, base, source in lines]
    version = found[0][2].index_version if found else backend.version()
    first, last = _span(areq, [page.facets.timeline.days for _, _, page, _, _ in found])
    if first is None or last is None:  # no dated match: no periods, the series still say what they found
        unit, periods = (areq.by if areq.by != "auto" else "month"), []
    else:
        unit = areq.by if areq.by != "auto" else granularity(first, last)
        if ((last - first).days + 1) // {"day": 1, "week": 7, "month": 28, "year": 365}[unit] > MAX_PERIODS:
            raise RequestError("by", f"{first} to {last} holds over {MAX_PERIODS} {unit}s, too many to draw: count "
                                     "per a longer period, or narrow the dates (from, to)")
        periods = period_keys(unit, first, last)
    index = {p: i for i, p in enumerate(periods)}
    seen: dict[int, int | None] = {}
    series = []
    for name, req, page, base_page, source in found:
        series.append(Series(name, req, _per_period(page.facets.timeline.days, unit, index, seen),
                             _per_period(base_page.facets.timeline.days, unit, index, seen), page.total,
                             page.facets.timeline.undated, source))
    if areq.split == "source" and series:
        series = _with_rest(series, areq.share_of)
    return Attention(areq, unit, periods, series, version)


def _base(req: SearchRequest, share_of: str) -> SearchRequest:
    if share_of == "all":
        return SearchRequest(date_from=req.date_from, date_to=req.date_to, sort="oldest", page_size=1,
                             collapse=False, facets=True)
    return replace(req, q="")


def _with_rest(series: list[Series], share_of: str) -> list[Series]:
    """Replace the split's whole series by its sources and one series of every other source (where it has any).

    An article has one source, so what the top sources leave of the whole (and of its denominator) is the rest.
    """
    whole, parts = series[0], series[1:]
    if not parts:
        return series
    counts = [c - sum(p.counts[i] for p in parts) for i, c in enumerate(whole.counts)]
    base = whole.base if share_of == "all" else [b - sum(p.base[i] for p in parts) for i, b in enumerate(whole.base)]
    rest_total = whole.total - sum(p.total for p in parts)
    out = list(parts)
    if rest_total:
        out.append(Series("other sources", whole.request, counts, base, rest_total,
                          whole.undated - sum(p.undated for p in parts), None, True))
    return out


def _span(areq: AttentionRequest, days: list[dict[int, int]]) -> tuple[date | None, date | None]:
    """Return the first and last day to show: every series' dated matches, and its date range where it gives both."""
    found = [d for per_day in days for d in per_day]
    first = _day(min(found) * 10**4) if found else None
    last = _day(max(found) * 10**4) if found else None
    for req in areq.series:
        if req.date_from and req.date_to:
            low, high = req.date_from.first.date(), req.date_to.last.date()
            first = min(first, low) if first else low
            last = max(last, high) if last else high
    return first, last


def period_of(unit: str, day: date) -> str:
    """Return the label of the period a day falls in: `2016`, `2016-09`, `2016-W36` (ISO week) or `2016-09-09`."""
    if unit == "year":
        return f"{day.year:04d}"
    if unit == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if unit == "week":
        year, week, _ = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return day.isoformat()


def period_keys(unit: str, first: date, last: date) -> list[str]:
    """Return every period from the one holding `first` to the one holding `last`, empty ones included."""
    if unit == "year":
        return [f"{y:04d}" for y in range(first.year, last.year + 1)]
    if unit == "month":
        out = []
        y, m = first.year, first.month
        while (y, m) <= (last.year, last.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out
    step = 7 if unit == "week" else 1
    start = first - timedelta(days=first.weekday()) if unit == "week" else first
    return [period_of(unit, start + timedelta(days=n)) for n in range(0, (last - start).days + 1, step)]


def _per_period(days: dict[int, int], unit: str, index: dict[str, int], seen: dict[int, int | None]) -> list[int]:
    """Sum per-day counts (YYYYMMDD keys) into the periods of `index`; `seen` remembers each day's period."""
    out = [0] * len(index)
    for day, n in days.items():
        if day not in seen:
            seen[day] = index.get(period_of(unit, _day(day * 10**4)))
        i = seen[day]
        if i is not None:  # a day outside the span (another series' dates) is not drawn
            out[i] += n
    return out
