"""Reuters-21578 SGML files (`reut2-000.sgm` ...): one article per `<REUTERS>` document.

The files follow `lewis.dtd`, which is SGML, not XML, so each document is cut out with patterns. An article
has a `<DATE>` stamp (` 3-MAR-1987 09:18:21.26`, sometimes followed by control-character junk), a `<TITLE>`,
a `<DATELINE>` (`BASLE, March 3 - `) and a `<BODY>`; the dateline opens the body as the wire printed it.
Briefs (title only) and unprocessed documents (no title or body) are not articles and are counted as skipped.
"""
from __future__ import annotations

import html
import logging
import re
from datetime import datetime
from typing import Iterator

from ..dates import ParsedDate, date_fields
from ..model import Article
from . import ReadError
from .fields import record_key

log = logging.getLogger(__name__)

SOURCE = "Reuters"
_START_RE = re.compile(rb"^\s*(?:<!DOCTYPE\s+lewis\b[^>]*>\s*)?<REUTERS[\s>]", re.I)
_DOC_RE = re.compile(r"<REUTERS\b(?P<attrs>[^>]*)>(?P<inner>.*?)</REUTERS>", re.S)
_ATTR_RE = re.compile(r'(\w+)="([^"]*)"')
_STAMP_RE = re.compile(r"(\d{1,2})-([A-Z]{3})-(\d{4})\s+(?:(\d{1,2}):(\d{2}):(\d{2})(?!\d))?")
_MONTHS = {m: i for i, m in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)}
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PARAGRAPH_RE = re.compile(r"\n[ \t]{2,}(?=\S)")
_SIGNOFF_RE = re.compile(r"\s*\bReuter\s*$")


def matches(name: str, head: bytes) -> bool:
    """Take files that start with the `lewis` DOCTYPE or a `<REUTERS>` element."""
    return bool(_START_RE.match(head))


def read(name: str, data: bytes) -> Iterator[Article]:
    """Yield an article for each `<REUTERS>` document with a body; log how many briefs were skipped."""
    text = data.decode("latin-1")  # ASCII but for one 0xFC byte in reut2-017
    documents = skipped = 0
    for match in _DOC_RE.finditer(text):
        documents += 1
        article = article_from_document(match.group("attrs"), match.group("inner"), name)
        if article is None:
            skipped += 1
            continue
        yield article
    if not documents:
        raise ReadError("no complete <REUTERS> document in this SGML file: the file is truncated")
    if skipped:
        log.info("%s: %d of %d Reuters documents have no body (briefs, unprocessed), skipped",
                 name, skipped, documents)


def article_from_document(attrs: str, inner: str, name: str = "") -> Article | None:
    """Build the article of one `<REUTERS>` document, or None where it has no body text."""
    body = _field(inner, "BODY")
    if not body:
        return None  # a brief (title only) or an unprocessed document (raw text, no title or body)
    paragraphs = _paragraphs(_SIGNOFF_RE.sub("", body))
    if not paragraphs:
        return None
    dateline = " ".join((_field(inner, "DATELINE") or "").split())
    if dateline:
        paragraphs[0] = f"{dateline} {paragraphs[0]}"
    title = " ".join((_field(inner, "TITLE") or "").split()) or None
    ids = dict(_ATTR_RE.findall(attrs))
    newid = ids.get("NEWID")
    article = Article(
        body="\n\n".join(paragraphs),
        title=title,
        source=SOURCE,
        language="en",
        origin=f"{name}#{newid}" if newid else None,
        **date_fields(parse_stamp(_field(inner, "DATE") or ""), "metadata"),
    )
    if newid:
        article.id = record_key("reuters-21578", newid)
    return article


def parse_stamp(raw: str) -> ParsedDate | None:
    """Read a `<DATE>` stamp such as ` 3-MAR-1987 09:18:21.26`; a broken time leaves the day only."""
    match = _STAMP_RE.search(raw)
    if not match or match.group(2) not in _MONTHS:
        return None
    day, month, year = int(match.group(1)), _MONTHS[match.group(2)], int(match.group(3))
    try:
        if match.group(4) is not None:
            hour, minute, second = (int(match.group(i)) for i in (4, 5, 6))
            if hour < 24 and minute < 60 and second < 60:
                return ParsedDate(datetime(year, month, day, hour, minute, second), True)
        return ParsedDate(datetime(year, month, day), False)
    except ValueError:
        return None


def _field(inner: str, tag: str) -> str | None:
    """Return the text of one element (entities read, control characters dropped), None where absent."""
    match = re.search(rf"<{tag}\b[^>]*>(.*?)</{tag}>", inner, re.S | re.I)
    if match is None:
        return None
    return _CONTROL_RE.sub("", html.unescape(match.group(1)))


def _paragraphs(body: str) -> list[str]:
    """Split a body on its indented lines (the wire's paragraph starts), folding the lines inside each."""
    parts = _PARAGRAPH_RE.split(body.replace("\r\n", "\n"))
    return [p for p in (" ".join(part.split()) for part in parts) if p]
