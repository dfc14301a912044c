"""An Atom feed of a search's newest matches, so that any feed reader is an alert for it. No Flask here.

The feed lists the dated matching articles newest first, every version of a reprinted story (each is news to
someone following a search by source); undated articles have no place in it. Entry ids are the articles' pages,
which are stable (an article keeps its id when re-ingested), so a reader shows each article once. Atom wants a zone on
every date; an article's date is its wall-clock time as written, given with its zone where that was written as an
offset (`+02:00`) and as UTC otherwise. The XML is built with ElementTree (everything escaped), without the control
characters XML 1.0 forbids (wire copy has form feeds).
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime
from urllib.parse import quote

from .model import Article
from .request import SearchRequest
from .search import SearchPage

ATOM = "http://www.w3.org/2005/Atom"
DEFAULT_SIZE = 20
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_OFFSET = re.compile(r"^([+-])(\d\d):?(\d\d)$")


def feed_request(req: SearchRequest, size_given: bool) -> SearchRequest:
    """Return the request a feed runs: newest first, every version, one page (20 entries unless a size is given)."""
    return replace(req, sort="newest", collapse=False, facets=False, page=1,
                   page_size=req.page_size if size_given else DEFAULT_SIZE)


def feed_params(req: SearchRequest) -> str:
    """Return the query string that names a search's feed (its words and filters only)."""
    return replace(req, sort="relevance", page=1, collapse=True, page_size=10).url()


def describe(req: SearchRequest) -> str:
    """Name a search in words: its query and filters."""
    parts = [f"“{req.q}”" if req.q else "every article"]
    parts += [f"{name} {v}" for name, values in req.filters().items() for v in values]
    if req.date_from:
        parts.append(f"from {req.date_from.text}")
    if req.date_to:
        parts.append(f"to {req.date_to.text}")
    return ", ".join(parts)


def atom_feed(page: SearchPage, base_url: str, self_url: str, search_url: str) -> bytes:
    """Write one page of a feed request's results as an Atom document (UTF-8 bytes)."""
    base_url = base_url.rstrip("/")
    entries = [hit for hit in page.hits if hit.article.date is not None]
    feed = ET.Element("feed", xmlns=ATOM)
    _text(feed, "id", self_url)
    _text(feed, "title", f"News archive: {describe(page.request)}")
    _text(feed, "subtitle", f"The {len(entries)} newest of {page.total} matching articles (every version of a "
                            "reprinted story; undated articles left out)")
    _text(feed, "updated", max((_stamp(h.article) for h in entries), default="1970-01-01T00:00:00Z"))
    ET.SubElement(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    ET.SubElement(feed, "link", rel="alternate", type="text/html", href=search_url)
    _text(ET.SubElement(feed, "author"), "name", "News archive")
    _text(feed, "generator", "news-archive")
    for hit in entries:
        a = hit.article
        entry = ET.SubElement(feed, "entry")
        link = f"{base_url}/articles/{quote(a.id)}"
        _text(entry, "id", link)
        _text(entry, "title", a.display_title)
        ET.SubElement(entry, "link", rel="alternate", type="text/html", href=link)
        if a.url and a.url.lower().startswith(("http://", "https://")):
            ET.SubElement(entry, "link", rel="related", type="text/html", href=_clean(a.url))
        _text(entry, "updated", _stamp(a))
        _text(entry, "published", _stamp(a))
        author = ET.SubElement(entry, "author")
        _text(author, "name", ", ".join(a.authors) or a.source or "unknown")
        if a.source:
            ET.SubElement(entry, "category", term=_clean(a.source), label=_clean(a.source))
        summary = _text(entry, "summary", str(hit.snippet_html) or a.body[:300])
        summary.set("type", "html")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8", xml_declaration=False)


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = _clean(text)
    return element


def _clean(text: str) -> str:
    return _BAD_XML.sub("", text)


def _stamp(article: Article) -> str:
    """Return an article's date as RFC 3339: its written offset where there is one, else read as UTC."""
    when: datetime = article.date  # type: ignore[assignment]
    text = when.replace(microsecond=0).isoformat()
    match = _OFFSET.match((article.date_tz or "").strip())
    if match:
        return f"{text}{match.group(1)}{match.group(2)}:{match.group(3)}"
    return f"{text}Z"
