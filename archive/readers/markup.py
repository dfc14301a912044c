"""Markup this archive does not read: XML that is not a feed or page, SGML of an unknown DTD, DTDs themselves.

Such a file is refused with what it is, rather than indexed as text full of tags. It is tried after every
reader that recognises its own markup (feeds, web pages, Reuters-21578 SGML) and before plain text.
"""
from __future__ import annotations

from typing import Iterator

from ..model import Article
from . import ReadError
from .sniff import Markup, sniff_markup


def matches(name: str, head: bytes) -> bool:
    """Take any document that starts as markup (a declaration, DOCTYPE or root element)."""
    return sniff_markup(head) is not None


def read(name: str, data: bytes) -> Iterator[Article]:
    """Refuse the document, saying what kind of markup it is."""
    raise ReadError(describe(sniff_markup(data[:4096])))
    yield  # pragma: no cover - a generator like the other readers


def describe(markup: Markup | None) -> str:
    """Say what a markup document is and what to give instead."""
    if markup is None:
        return "not markup"
    if markup.declarations:
        return "a DTD (element and entity declarations), not a document: nothing to read"
    kind = "XML" if markup.xml else "SGML" if markup.doctype else "markup"
    what = []
    if markup.doctype:
        what.append(f"DOCTYPE {markup.doctype}")
    if markup.root:
        what.append(f"root <{markup.root}>")
    shown = f" ({', '.join(what)})" if what else ""
    return (f"{kind} document{shown} that is not an RSS, Atom, RDF or CDF feed, a web page or Reuters-21578 SGML:"
            " convert it to JSON, CSV or a feed to ingest it")
