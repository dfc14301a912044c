"""The one search request shared by the CLI, the web page and the JSON API.

It is built from plain parameters (`from_params`), validates and clamps them, and raises `RequestError` naming
the parameter and what to do. Filters stay structured here; `query.py` turns them into query objects.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable
from urllib.parse import urlencode

from .dates import parse_date

SORTS = ("relevance", "newest", "oldest")
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 10
MAX_PAGE = 10_000
MAX_QUERY_LENGTH = 1000
FILTERS = ("source", "person", "org", "location", "misc", "entity", "language", "cluster")


class RequestError(ValueError):
    """A search parameter that cannot be used; the message names it and says what to give instead."""

    def __init__(self, param: str, message: str):
        super().__init__(f"{param}: {message}")
        self.param = param


@dataclass(frozen=True)
class DateBound:
    """A day, month or year given as a date filter, and the first and last minute it covers."""

    text: str
    first: datetime
    last: datetime


@dataclass(frozen=True)
class SearchRequest:
    """A validated search: free text, filters, sort and paging."""

    q: str = ""
    source: tuple[str, ...] = ()
    person: tuple[str, ...] = ()
    org: tuple[str, ...] = ()
    location: tuple[str, ...] = ()
    misc: tuple[str, ...] = ()
    entity: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    cluster: tuple[str, ...] = ()  # a reprint cluster: the versions of one story
    date_from: DateBound | None = None
    date_to: DateBound | None = None
    sort: str = "relevance"
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    facets: bool = False
    collapse: bool = True

    @classmethod
    def from_params(cls, get: Callable[[str], list[str]]) -> "SearchRequest":
        """Build a request from named parameter lists (web query args or CLI options); raise RequestError."""
        q = " ".join(v.strip() for v in get("q") if v and v.strip())
        if len(q) > MAX_QUERY_LENGTH:
            raise RequestError("q", f"the query is {len(q)} characters long; keep it under {MAX_QUERY_LENGTH}")
        filters = {name: _values(get(name)) for name in FILTERS}
        sort = _last(get("sort")) or "relevance"
        if sort not in SORTS:
            raise RequestError("sort", f"unknown sort {sort!r}: use one of {', '.join(SORTS)}")
        date_from = parse_bound("from", _last(get("from")), end=False)
        date_to = parse_bound("to", _last(get("to")), end=True)
        if date_from and date_to and date_from.first > date_to.last:
            raise RequestError("from", f"{date_from.text} is after {date_to.text}: swap the two dates")
        return cls(
            q=q,
            **{name: tuple(v) for name, v in filters.items()},
            date_from=date_from,
            date_to=date_to,
            sort=sort,
            page=_int("page", _last(get("page")), 1, 1, MAX_PAGE),
            page_size=_int("size", _last(get("size")), DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
            facets=_flag(_last(get("facets"))),
            collapse=not _flag(_last(get("versions"))),
        )

    @classmethod
    def from_dict(cls, params: dict) -> "SearchRequest":
        """Build a request from a dict of values or lists of values."""

        def get(name: str) -> list[str]:
            value = params.get(name)
            if value is None:
                return []
            if isinstance(value, (list, tuple)):
                return [str(v) for v in value]
            return [str(value)]

        return cls.from_params(get)

    def filters(self) -> dict[str, tuple[str, ...]]:
        """Return the active value filters by name."""
        return {name: getattr(self, name) for name in FILTERS if getattr(self, name)}

    def params(self, **changes) -> list[tuple[str, str]]:
        """Return the request as URL parameters, with `changes` applied (the permalink of a search state)."""
        req = replace(self, **changes) if changes else self
        out: list[tuple[str, str]] = []
        if req.q:
            out.append(("q", req.q))
        for name, values in req.filters().items():
            out += [(name, v) for v in values]
        if req.date_from:
            out.append(("from", req.date_from.text))
        if req.date_to:
            out.append(("to", req.date_to.text))
        if req.sort != "relevance":
            out.append(("sort", req.sort))
        if req.page != 1:
            out.append(("page", str(req.page)))
        if req.page_size != DEFAULT_PAGE_SIZE:
            out.append(("size", str(req.page_size)))
        if not req.collapse:
            out.append(("versions", "1"))
        return out

    def url(self, **changes) -> str:
        """Return the query string of `params`."""
        return urlencode(self.params(**changes))

    def with_filter(self, name: str, value: str) -> "SearchRequest":
        """Return this request with one more filter value, back on page 1."""
        values = getattr(self, name)
        if value in values:
            return replace(self, page=1)
        changes: dict[str, Any] = {name: (*values, value), "page": 1}
        return replace(self, **changes)

    def without_filter(self, name: str, value: str) -> "SearchRequest":
        """Return this request without one filter value, back on page 1."""
        changes: dict[str, Any] = {name: tuple(v for v in getattr(self, name) if v != value), "page": 1}
        return replace(self, **changes)

    def with_period(self, first: str | None, last: str | None) -> "SearchRequest":
        """Return this request limited to a period (`2016`, `2016-09`, `2016-09-09`), back on page 1."""
        return replace(self, date_from=parse_bound("from", first, end=False), date_to=parse_bound("to", last, end=True),
                       page=1)

    def cleared(self) -> "SearchRequest":
        """Return this request without any filter or date range (the query, sort and page size kept)."""
        changes: dict[str, Any] = {name: () for name in FILTERS}
        return replace(self, **changes, date_from=None, date_to=None, page=1)

    def has_filters(self) -> bool:
        return bool(self.filters() or self.date_from or self.date_to)


def _values(raw: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in raw:
        value = " ".join((value or "").split())
        if value and value not in out:
            out.append(value)
    return out


def last_value(values: list[str]) -> str | None:
    """Return the last non-blank value of a parameter, stripped (None where there is none)."""
    values = [v for v in values if v is not None and str(v).strip()]
    return values[-1].strip() if values else None


_last = last_value


def whole_number(param: str, get: Callable[[str], list[str]], default: int, low: int, high: int) -> int:
    """Read the last value of a parameter as a whole number in [low, high]; raise RequestError naming it."""
    raw = _last(get(param))
    if raw is None:
        return default
    if not raw.isdecimal() or not raw.isascii() or not low <= int(raw) <= high:
        raise RequestError(param, f"{raw!r}: give a whole number from {low:,} to {high:,}")
    return int(raw)


def _flag(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "yes", "on")


def _int(param: str, raw: str | None, default: int, low: int, high: int) -> int:
    """Read a whole number and clamp it to [low, high]."""
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise RequestError(param, f"{raw!r} is not a whole number") from None
    return max(low, min(high, value))


_YEAR_RE = re.compile(r"^\d{4}$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_bound(param: str, raw: str | None, end: bool) -> DateBound | None:
    """Read a date filter: `2016`, `2016-09`, `2016-09-09` or a written day (`9/09/2016`, `9 september 2016`)."""
    if not raw:
        return None
    try:
        if _YEAR_RE.match(raw):
            first = datetime(int(raw), 1, 1)
            last = datetime(int(raw), 12, 31, 23, 59, 59)
        elif match := _MONTH_RE.match(raw):
            year, month = int(match.group(1)), int(match.group(2))
            first = datetime(year, month, 1)
            last = datetime(year, month, calendar.monthrange(year, month)[1], 23, 59, 59)
        else:
            parsed = parse_date(raw)
            if parsed is None:
                raise ValueError(raw)
            first = parsed.value if parsed.has_time else datetime.combine(parsed.value.date(), datetime.min.time())
            last = parsed.value if parsed.has_time else first + timedelta(days=1, seconds=-1)
    except ValueError:
        raise RequestError(
            param, f"cannot read the date {raw!r}: give YYYY, YYYY-MM or YYYY-MM-DD (for example 2016-09-09)"
        ) from None
    return DateBound(raw, first, last)

