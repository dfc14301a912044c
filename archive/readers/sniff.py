"""Recognise a markup document from its first bytes: the DOCTYPE and the root element, whatever the encoding.

The prolog is skipped as XML and SGML write it: a byte-order mark, `<?xml ...?>` and other processing
instructions, comments, and a DOCTYPE with or without an internal subset (`<!DOCTYPE rdf:RDF [ ... ]>`).
UTF-16 and UTF-32 heads are decoded first, so a feed in UTF-16 is recognised like one in UTF-8.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from .decode import unicode_codec

_XML_DECL_RE = re.compile(r"<\?xml\b", re.I)
_PI_RE = re.compile(r"<\?.*?\?>", re.S)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_DOCTYPE_RE = re.compile(r"<!DOCTYPE\s+([\w:.-]+)(?:[^\[>]*)(?:\[.*?\]\s*)?>", re.S | re.I)
_DECLARATION_RE = re.compile(r"<!(?:ELEMENT|ENTITY|ATTLIST|NOTATION)\b", re.I)
_ROOT_RE = re.compile(r"<([A-Za-z_][\w:.-]*)(?=[\s/>])")

FEED_ROOTS = {"rss", "feed", "rdf", "channel"}  # RSS, Atom, RSS 1.0 (rdf:RDF), CDF (<CHANNEL>)
HTML_ROOTS = set(
    "html head body article main section div p h1 h2 h3 h4 h5 h6 title meta link header footer nav aside table"
    " tr td ul ol li dl span script style base br hr b i u em strong font center a img form input iframe noscript"
    " figure blockquote pre small big tt".split()
)
_HTML_TAG_RE = re.compile(r"<(?:html|head|body)\b", re.I)


@dataclass(frozen=True)
class Markup:
    """What the start of a markup document says: whether it is XML, its DOCTYPE name and root element."""

    xml: bool
    doctype: str | None
    root: str | None
    declarations: bool = False  # a DTD: element and entity declarations, no document
    html_inside: bool = False  # an <html>, <head> or <body> tag further on (after PHP warnings, say)

    @property
    def local_root(self) -> str | None:
        """Return the root's name without its namespace prefix, lower-cased (`rdf:RDF` -> `rdf`)."""
        return self.root.rsplit(":", 1)[-1].lower() if self.root else None

    @property
    def is_feed(self) -> bool:
        return self.local_root in FEED_ROOTS or (self.doctype or "").lower() in ("rss", "rdf:rdf")

    @property
    def is_html(self) -> bool:
        if self.is_feed or (self.doctype and self.doctype.lower() != "html"):
            return False
        return self.doctype is not None or self.local_root in HTML_ROOTS or self.html_inside


def head_text(head: bytes) -> str:
    """Decode the first bytes for sniffing: as UTF-16/32 where they are, else byte for byte."""
    codec = unicode_codec(head)
    if codec:
        return codecs.getincrementaldecoder(codec)(errors="replace").decode(head).lstrip("\ufeff")
    return head.decode("latin-1")


def sniff_markup(head: bytes) -> Markup | None:
    """Return what a markup document's start says, or None where the bytes do not start as markup."""
    text = head_text(head).lstrip()
    if not text.startswith("<"):
        return None
    xml = bool(_XML_DECL_RE.match(text))
    doctype = None
    pos = 0
    while pos < len(text):
        while pos < len(text) and text[pos].isspace():
            pos += 1
        for pattern in (_PI_RE, _COMMENT_RE):
            match = pattern.match(text, pos)
            if match:
                pos = match.end()
                break
        else:
            match = _DOCTYPE_RE.match(text, pos)
            if match:
                doctype = match.group(1)
                pos = match.end()
                continue
            if _DECLARATION_RE.match(text, pos):
                return Markup(xml, doctype, None, declarations=True)
            root = _ROOT_RE.match(text, pos)
            if root is None:
                return Markup(xml, doctype, None) if xml or doctype else None
            name = root.group(1)
            if not (xml or doctype) and "</" not in text:
                return None  # `<Sandoz AG> said ...`: an angle-bracketed name in text, not markup
            return Markup(xml, doctype, name, html_inside=bool(_HTML_TAG_RE.search(text, root.end())))
    return Markup(xml, doctype, None) if xml or doctype else None
