"""Plain-text wire stories: the founding format (`9/09/16 - 00u34 Bron: Belga`, then caption and body)."""
from __future__ import annotations

from typing import Iterator

from ..dates import date_fields
from ..model import Article
from . import ReadError
from .decode import read_text
from .wire import WireHeader, parse_wire_text


def matches(name: str, head: bytes) -> bool:
    """Read anything no other reader took: plain text is the fallback format."""
    return True


MIN_LIST_LINES = 5  # this many lines of one or two words each, and nothing else, make a list, not a story


def read(name: str, data: bytes) -> Iterator[Article]:
    """Yield the one article of a plain-text file."""
    text = read_text(data, name)
    lines = [line.split() for line in text.splitlines() if line.strip()]
    if len(lines) >= MIN_LIST_LINES and all(len(words) <= 2 for words in lines):
        raise ReadError(f"a list of {len(lines)} words or codes, one a line, not an article: nothing to index")
    yield article_from_text(text)


def article_from_text(text: str) -> Article:
    """Build an article from the text of a wire story, with its date and source where written."""
    wire = parse_wire_text(text)
    if not wire.body.strip():
        raise ReadError("no body text after the header: nothing to index")
    header = wire.header or WireHeader()
    parsed, how = (header.date, "header") if header.date else (wire.dateline_date, "dateline")
    if parsed is None and header.updated:
        parsed, how = header.updated, "header"  # an update time is the only date written
    return Article(
        body=wire.body,
        title=wire.title,
        caption=wire.caption,
        subheadings=wire.subheadings,
        authors=wire.authors,
        source=header.source or wire.dateline_source,
        **date_fields(parsed, how),
    )
