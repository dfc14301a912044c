"""Words in context (a KWIC concordance): every occurrence of a search's words in its matching articles, one line each,
with the text before and after it lined up, sortable, paged and exported. No Flask here.

Occurrences are found in each article's title, caption and body as the index finds them (`occurrences.py`: stems and
exact forms, prefixes and wildcards, a phrase as one occurrence); each line holds `width` characters of text on each side.

Paging never loads every match: matches stream from the backend in the order asked (`date`: oldest first, undated last;
`newest`; `source`: one stream per source, in name order, each oldest first) and the scan stops one line after the page.
Sorting by the words before (`left`) or after (`right`) sorts a bounded window: the first SORT_LIMIT occurrences in date
order (the result says when the window was full). No order pages past SCAN_LIMIT occurrences. Reprints are read once
(the first version met in the order), unless the request asks for every version (`versions=1`).
"""
from __future__ import annotations

import csv
import inspect
import io
import re
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable, Iterator

from .analysis import WORD_PATTERN, fold
from .backends.base import Backend
from .export import safe_cell
from .model import Article
from .occurrences import Finder
from .request import DEFAULT_PAGE_SIZE, RequestError, SearchRequest, last_value, whole_number

SORTS = ("date", "newest", "source", "left", "right")
DEFAULT_WIDTH = 60
MIN_WIDTH, MAX_WIDTH = 10, 300
DEFAULT_SIZE = 50
MAX_SIZE = 1000
SORT_LIMIT = 5_000  # left/right sorts sort this many occurrences (the first in date order)
SCAN_LIMIT = 50_000  # no page starts past this many occurrences
EVERY_VALUE = sys.maxsize  # a facet limit that keeps every value
PARTS = ("title", "caption", "body")
CSV_COLUMNS = ["article_id", "date", "source", "language", "title", "part", "offset", "left", "keyword", "right"]
_WORD_RE, _SPACE_RE = re.compile(WORD_PATTERN), re.compile(r"\s+")
_OWN_PARAMS = ("sort", "page", "size", "facets")  # read here, not by the search request


@dataclass(frozen=True)
class KwicRequest:
    """A search (its words and filters) and how to show its occurrences: context width, order and page."""

    search: SearchRequest
    width: int = DEFAULT_WIDTH  # characters of context on each side
    sort: str = "date"
    page: int = 1
    size: int = DEFAULT_SIZE

    @classmethod
    def from_params(cls, get: Callable[[str], list[str]]) -> "KwicRequest":
        """Build from named parameter lists (web args or CLI options); raise RequestError naming the parameter."""
        search = SearchRequest.from_params(lambda name: [] if name in _OWN_PARAMS else get(name))
        sort = last_value(get("sort")) or "date"
        if sort not in SORTS:
            raise RequestError("sort", f"unknown order {sort!r}: use one of {', '.join(SORTS)}")
        return cls(search, whole_number("width", get, DEFAULT_WIDTH, MIN_WIDTH, MAX_WIDTH), sort,
                   whole_number("page", get, 1, 1, SCAN_LIMIT), whole_number("size", get, DEFAULT_SIZE, 1, MAX_SIZE))

    @classmethod
    def of_search(cls, req: SearchRequest) -> "KwicRequest":
        """Return the concordance of a search's words and filters (its sort and paging left behind)."""
        return cls(replace(req, sort="relevance", page=1, page_size=DEFAULT_PAGE_SIZE, facets=False))

    @classmethod
    def from_dict(cls, params: dict[str, Any]) -> "KwicRequest":
        """Build from a dict of values or lists of values."""

        def get(name: str) -> list[str]:
            value = params.get(name)
            if value is None:
                return []
            return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]

        return cls.from_params(get)

    def params(self, **changes: Any) -> list[tuple[str, str]]:
        """Return the request as URL parameters, with `changes` applied."""
        req = replace(self, **changes) if changes else self
        out = req.search.params()
        if req.width != DEFAULT_WIDTH:
            out.append(("width", str(req.width)))
        if req.sort != "date":
            out.append(("sort", req.sort))
        if req.page != 1:
            out.append(("page", str(req.page)))
        if req.size != DEFAULT_SIZE:
            out.append(("size", str(req.size)))
        return out


@dataclass(frozen=True)
class Line:
    """One occurrence: its article, where it is, and the text before, of and after it (whitespace made single spaces)."""

    article_id: str
    title: str
    date: str | None  # ISO 8601, as the search results give it
    source: str | None
    language: str | None
    part: str  # title, caption or body
    offset: int  # character offset of the keyword in that part
    left: str
    keyword: str
    right: str

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in CSV_COLUMNS[1:]} | {"article_id": self.article_id}

    def row(self) -> list[str]:
        return [str(getattr(self, name) if getattr(self, name) is not None else "") for name in CSV_COLUMNS]


@dataclass
class Concordance:
    """One page of lines, and what is known of the rest."""

    request: KwicRequest
    lines: list[Line]
    articles: int  # articles matching the search, every version
    has_next: bool
    occurrences: int | None  # every occurrence, where the scan reached the end; else None
    sorted_window: int | None = None  # left/right: how many occurrences were sorted
    window_full: bool = False  # left/right: the window reached SORT_LIMIT, so later occurrences are left out

    @property
    def first(self) -> int:
        """The rank of the page's first line (0 on an empty page)."""
        return (self.request.page - 1) * self.request.size + 1 if self.lines else 0

    @property
    def last(self) -> int:
        return self.first + len(self.lines) - 1 if self.lines else 0

    @property
    def pages(self) -> int | None:
        """The number of pages, where it is known."""
        if self.occurrences is None:
            return None
        return max(1, -(-self.occurrences // self.request.size))

    def to_dict(self) -> dict[str, Any]:
        req = self.request
        return {
            "query": req.search.q,
            "filters": {k: list(v) for k, v in req.search.filters().items()}
            | {k: b.text for k, b in (("from", req.search.date_from), ("to", req.search.date_to)) if b},
            "sort": req.sort, "width": req.width, "page": req.page, "size": req.size,
            "articles": self.articles, "occurrences": self.occurrences, "pages": self.pages,
            "first": self.first, "has_next": self.has_next,
            "sorted_window": self.sorted_window, "window_full": self.window_full, "sort_limit": SORT_LIMIT,
            "lines": [line.to_dict() for line in self.lines],
        }

    def csv(self) -> str:
        return "".join(csv_lines(self.lines))


def csv_lines(lines: Iterable[Line]) -> Iterator[str]:
    """Yield CSV text: a header, then one row per line (cells a spreadsheet would run as formulas neutralised)."""
    for row in ([CSV_COLUMNS], ([safe_cell(c) for c in line.row()] for line in lines)):
        for cells in row:
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\r\n").writerow(cells)
            yield buffer.getvalue()


def _squash(text: str) -> str:
    return _SPACE_RE.sub(" ", text)


def _context(text: str, start: int, end: int, width: int) -> tuple[str, str, str]:
    """Return about `width` characters before and after a span (whole words only), and the span."""
    left = _squash(text[max(0, start - 2 * width - 1) : start])
    if len(left) > width:
        cut = left[-width:]
        left = cut[cut.find(" ") + 1 :] if " " in cut and left[-width - 1] != " " else cut
    right = _squash(text[end : end + 2 * width + 1])
    if len(right) > width:
        cut = right[:width]
        right = cut[: cut.rfind(" ")] if " " in cut and right[width] != " " else cut
    return left.rstrip(), _squash(text[start:end]), right.lstrip()


def article_lines(article: Article, finder: Finder, width: int) -> Iterator[Line]:
    """Yield the lines of one article's occurrences: title, caption, then body, in text order."""
    title = date = None
    for part in PARTS:
        text = getattr(article, part) or ""
        if not text:
            continue
        for start, end in finder.spans(text, article.language):
            if title is None:
                title, date = article.display_title, article.date_iso
            left, keyword, right = _context(text, start, end, width)
            yield Line(article.id, title, date, article.source, article.language, part, start, left, keyword, right)


# Streaming and paging


def _close(stream: Iterator) -> None:
    """Close a stream, starting it first where it never was (so that its cleanup, such as a searcher given back, runs)."""
    if inspect.isgenerator(stream) and inspect.getgeneratorstate(stream) == inspect.GEN_CREATED:
        next(stream, None)
    close = getattr(stream, "close", None)
    if close:
        close()


def _matches(backend: Backend, req: SearchRequest, sort: str) -> tuple[int, Iterator[Article]]:
    """Return the number of matches and a stream of them oldest first (or `newest`), every version."""
    total, articles = backend.matches(replace(req, sort="newest" if sort == "newest" else "oldest", page=1))

    def stream() -> Iterator[Article]:
        try:
            yield from articles
        finally:
            _close(articles)

    return total, stream()


def _stream_articles(backend: Backend, req: SearchRequest, sort: str) -> tuple[int, Iterator[Article]]:
    """Return the number of matching articles and a stream of them in an order (date, newest or source)."""
    if sort != "source":
        return _matches(backend, req, sort)
    page = backend.search(replace(req, facets=True, page=1, page_size=1), facet_limit=EVERY_VALUE)
    counted = page.facets.values.get("source", []) if page.facets else []
    return page.total, _by_source(backend, req, counted, page.total)


def _by_source(backend: Backend, req: SearchRequest, counted: list[tuple[str, int]], total: int) -> Iterator[Article]:
    """Yield the matches source by source (folded names in order, each oldest first), then those without a source."""
    seen: set[str] = set()
    for name, _ in sorted(counted, key=lambda item: (fold(item[0]), item[0])):
        if fold(name) in seen:
            continue
        seen.add(fold(name))
        _, articles = _matches(backend, req.with_filter("source", name), "date")
        try:
            yield from articles
        finally:
            _close(articles)
    if total > sum(count for _, count in counted):
        _, articles = _matches(backend, req, "date")
        try:
            yield from (a for a in articles if not a.source)
        finally:
            _close(articles)


def _once(articles: Iterator[Article], collapse: bool) -> Iterator[Article]:
    """Drop versions of a reprinted story already yielded, where the request collapses reprints."""
    if not collapse:
        yield from articles
        return
    clusters: set[str] = set()
    for article in articles:
        if article.cluster:
            if article.cluster in clusters:
                continue
            clusters.add(article.cluster)
        yield article


def stream_lines(backend: Backend, kreq: KwicRequest, finder: Finder | None = None) -> tuple[int, Iterator[Line]]:
    """Return the number of matching articles and every line in the request's streaming order (`left` and `right`
    stream in date order)."""
    finder = finder or Finder.of(kreq.search)
    sort = kreq.sort if kreq.sort in ("date", "newest", "source") else "date"
    total, articles = _stream_articles(backend, kreq.search, sort)

    def lines() -> Iterator[Line]:
        try:
            for article in _once(articles, kreq.search.collapse):
                yield from article_lines(article, finder, kreq.width)
        finally:
            _close(articles)

    return total, lines()


def left_key(line: Line) -> tuple:
    """Sort key of the words before the keyword, nearest first (folded), then the keyword."""
    return tuple(reversed(_WORD_RE.findall(fold(line.left)))), fold(line.keyword)


def right_key(line: Line) -> tuple:
    """Sort key of the words after the keyword (folded), then the keyword."""
    return tuple(_WORD_RE.findall(fold(line.right))), fold(line.keyword)


_WINDOWS: "OrderedDict[tuple, tuple[int, list[Line], bool]]" = OrderedDict()
_WINDOWS_LOCK = threading.Lock()
WINDOWS_KEPT = 8  # sorted windows kept (a few MB each), so that paging through a left/right sort sorts once


def ordered_lines(backend: Backend, kreq: KwicRequest,
                  sort_limit: int = SORT_LIMIT) -> tuple[int, Iterator[Line], int | None, bool]:
    """Return the number of matching articles, the lines in the request's order, the size of the sorted window
    (left/right; else None) and whether it was full.

    A sorted window is kept for the next pages of the same request, as long as the archive is not changed.
    """
    finder = Finder.of(kreq.search)
    if kreq.sort not in ("left", "right"):
        total, stream = stream_lines(backend, kreq, finder)
        return total, stream, None, False
    key = (backend.location, backend.version(), replace(kreq, page=1, size=DEFAULT_SIZE), sort_limit)
    with _WINDOWS_LOCK:
        kept = _WINDOWS.get(key)
        if kept:
            _WINDOWS.move_to_end(key)
    if kept is None:
        total, stream = stream_lines(backend, kreq, finder)
        window: list[Line] = []
        try:
            for line in stream:
                window.append(line)
                if len(window) >= sort_limit:
                    break
            full = len(window) >= sort_limit and next(stream, None) is not None
        finally:
            _close(stream)
        window.sort(key=left_key if kreq.sort == "left" else right_key)  # stable: date order within equal keys
        kept = (total, window, full)
        with _WINDOWS_LOCK:
            _WINDOWS[key] = kept
            while len(_WINDOWS) > WINDOWS_KEPT:
                _WINDOWS.popitem(last=False)
    total, window, full = kept
    return total, iter(window), len(window), full


def concordance(backend: Backend, kreq: KwicRequest, sort_limit: int = SORT_LIMIT) -> Concordance:
    """Return one page of the concordance of a search; raise RequestError or QueryError for a bad request."""
    offset = (kreq.page - 1) * kreq.size
    if offset >= SCAN_LIMIT:
        raise RequestError("page", f"pages stop at occurrence {SCAN_LIMIT:,}: narrow the search (dates, sources) "
                                   "to read further")
    articles, lines, window, full = ordered_lines(backend, kreq, sort_limit)
    page: list[Line] = []
    seen = 0
    has_next = False
    try:
        for line in lines:
            if seen >= offset + kreq.size:
                has_next = True
                break
            if seen >= offset:
                page.append(line)
            seen += 1
    finally:
        _close(lines)
    return Concordance(kreq, page, articles, has_next, None if has_next or full else seen, window, full)


def all_lines(backend: Backend, kreq: KwicRequest) -> Iterator[Line]:
    """Return every line in the request's order, up to SCAN_LIMIT (the CSV export of a whole concordance); a bad
    request raises here, before any line is read."""
    _, lines, _, _ = ordered_lines(backend, kreq)

    def bounded() -> Iterator[Line]:
        try:
            for i, line in enumerate(lines):
                if i >= SCAN_LIMIT:
                    break
                yield line
        finally:
            _close(lines)

    return bounded()
