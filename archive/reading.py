"""An article read from a search: where the searched words occur in its title, caption and body, and those
parts with the occurrences marked.

The article page of a result carries the search in its URL (`/articles/ID?q=...&source=...`); the words are found
as the snippets and the concordance find them (`occurrences.Finder`: stems and exact forms, a phrase as one
occurrence, prefixes, wildcards, fuzzy words; nothing under NOT). `title:` and `caption:` words mark the title and
the caption only. Every piece of the article stays escaped: only `<mark>` is added. No Flask here.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field, replace
from typing import Callable

from markupsafe import Markup, escape

from . import querytree as T
from .model import Article
from .occurrences import Finder
from .query import QueryError, build_query, query_schema
from .request import RequestError, SearchRequest

Spans = list[tuple[int, int]]


@dataclass
class Reading:
    """The search an article was opened from (None: not from a search) and the occurrences in each part."""

    request: SearchRequest | None = None
    title: Spans = field(default_factory=list)
    caption: Spans = field(default_factory=list)
    body: Spans = field(default_factory=list)

    @property
    def marked(self) -> int:
        return len(self.title) + len(self.caption) + len(self.body)

    def back_url(self) -> str:
        """Return the results page of the search (the same page, filters and order)."""
        return "/?" + self.request.url() if self.request else "/"

    def query_string(self) -> str:
        """Return the search as a query string, for links to other versions of the article."""
        return self.request.url(page=1) if self.request else ""


def request_of(get: Callable[[str], list[str]]) -> SearchRequest | None:
    """Return the search in an article page's URL parameters; None where there is none or it cannot be read."""
    try:
        req = SearchRequest.from_params(get)
    except RequestError:
        return None
    return req if req.params() else None


def reading(article: Article, req: SearchRequest | None) -> Reading:
    """Find the searched words in an article's parts; an unreadable query marks nothing (the page still opens)."""
    if req is None:
        return Reading()
    out = Reading(req)
    if not req.q.strip():
        return out
    try:
        tree = build_query(replace(req, page=1), query_schema()).tree()[0]
    except QueryError:
        return out
    leaves = list(T.positive_leaves(tree))

    def finder(part: str) -> Finder:  # the text's words, and the part's own field read as its exact words
        own = tuple(replace(leaf, field="exact") for leaf in leaves  # type: ignore[call-arg,arg-type]
                    if getattr(leaf, "field", None) == part)
        return Finder(T.Or((tree, *own)))

    if article.title:
        out.title = finder("title").spans(article.title, article.language)
    if article.caption:
        out.caption = finder("caption").spans(article.caption, article.language)
    out.body = Finder(tree).spans(article.body, article.language)
    return out


def marked(text: str, spans: Spans, start: int = 0, end: int | None = None) -> Markup:
    """Escape text[start:end] with the parts the spans cover (clipped to it) in <mark>."""
    end = len(text) if end is None else end
    out: list[Markup] = []
    pos = start
    for s, e in spans[max(0, bisect_right(spans, (start, start)) - 1):]:  # spans are sorted, apart
        if s >= end:
            break
        s, e = max(s, pos), min(e, end)
        if s >= e:
            continue
        out.append(escape(text[pos:s]))
        out.append(Markup("<mark>%s</mark>") % text[s:e])
        pos = e
    out.append(escape(text[pos:end]))
    return Markup("").join(out)
