"""Limits that keep one input from taking the machine: what is read whole, what gzip may expand to, article sizes.

- A file read whole (every format but JSON Lines, which is streamed in chunks) may be `MAX_INPUT_BYTES`, also
  after gunzip; stdin too.
- gzip data may not expand beyond `MAX_INPUT_BYTES` when read whole, nor more than `MAX_GZIP_RATIO` times its
  compressed size once past `RATIO_FLOOR_BYTES` (a gzip bomb is refused, naming the file, before it is expanded).
- A body longer than `MAX_BODY_CHARS` is cut at a word boundary and marked with a closing line saying how long
  it was (`cut_note`); titles and captions are cut with an ellipsis. Entity offsets past a cut are dropped.
"""
from __future__ import annotations

import gzip
import logging
import zlib
from typing import IO, Iterator

from ..model import Article

log = logging.getLogger(__name__)

MAX_INPUT_BYTES = 256 * 1024 * 1024
MAX_GZIP_RATIO = 100
RATIO_FLOOR_BYTES = 16 * 1024 * 1024
MAX_BODY_CHARS = 500_000
MAX_TITLE_CHARS = 1_000
MAX_CAPTION_CHARS = 10_000
MAX_LINE_BYTES = 64 * 1024 * 1024  # a JSON Lines record longer than this is skipped
BLOCK = 1024 * 1024


class LimitError(Exception):
    """An input over a limit: the message says which and what to do."""


def check_expansion(expanded: int, compressed: int, whole: bool = True) -> None:
    """Raise LimitError where gzip data expanded past the size limit (when read whole) or the ratio limit."""
    if whole and expanded > MAX_INPUT_BYTES:
        raise LimitError(f"gzip data expands to over {MAX_INPUT_BYTES // 2**20} MB, the limit for a file read "
                         "whole: split it (or give JSON Lines, which is streamed)")
    if expanded > RATIO_FLOOR_BYTES and expanded > MAX_GZIP_RATIO * max(compressed, 1):
        raise LimitError(f"gzip data expands over {MAX_GZIP_RATIO} times ({compressed:,} bytes to over "
                         f"{expanded // 2**20} MB): refused as a gzip bomb")


def gunzip(data: bytes) -> bytes:
    """Expand gzip data (every member) a block at a time, refusing it as soon as it passes a limit."""
    out: list[bytes] = []
    for block in gunzip_blocks(data):
        out.append(block)
    return b"".join(out)


def gunzip_blocks(data: bytes, whole: bool = True) -> Iterator[bytes]:
    """Yield the expanded blocks of gzip data; raise LimitError past a limit, zlib.error or EOFError if broken."""
    total = 0
    rest = data
    while rest:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        buf = rest
        while True:
            block = inflater.decompress(buf, BLOCK)
            total += len(block)
            check_expansion(total, len(data), whole)
            if block:
                yield block
            buf = inflater.unconsumed_tail
            if inflater.eof or (not buf and not block):
                break
        if not inflater.eof:
            raise EOFError("compressed file ended before the end-of-stream marker was reached")
        rest = inflater.unused_data.lstrip(b"\x00")  # another member follows, or padding


def gunzip_file(fh: IO[bytes], compressed: int) -> Iterator[bytes]:
    """Yield the expanded blocks of a gzip file as it is read; raise LimitError as soon as it expands too much."""
    total = 0
    with gzip.GzipFile(fileobj=fh, mode="rb") as inner:
        while True:
            block = inner.read(BLOCK)
            if not block:
                return
            total += len(block)
            check_expansion(total, compressed, whole=False)
            yield block


def cut_note(length: int, kept: int) -> str:
    """Return the line that closes a cut body."""
    return f"[Article cut: it has {length:,} characters; the archive keeps the first {kept:,}.]"


def bound_article(article: Article) -> bool:
    """Cut an over-long body, title or caption in place (marking the body); return whether the body was cut."""
    if article.title and len(article.title) > MAX_TITLE_CHARS:
        article.title = _cut(article.title, MAX_TITLE_CHARS - 1) + "…"
        _drop_entities(article, "title", len(article.title) - 1)
    if article.caption and len(article.caption) > MAX_CAPTION_CHARS:
        article.caption = _cut(article.caption, MAX_CAPTION_CHARS - 1) + "…"
        _drop_entities(article, "caption", len(article.caption) - 1)
    length = len(article.body)
    if length <= MAX_BODY_CHARS:
        return False
    note = cut_note(length, MAX_BODY_CHARS)
    kept = _cut(article.body, MAX_BODY_CHARS - len(note) - 2)
    article.body = kept + "\n\n" + cut_note(length, len(kept))
    _drop_entities(article, "body", len(kept))
    article.subheadings = [s for s in article.subheadings if s in kept]
    log.warning("%s: body of %d characters cut to %d", article.origin or article.id, length, len(kept))
    return True


def _cut(text: str, limit: int) -> str:
    """Cut text to at most `limit` characters, at the last whitespace where there is one in the last tenth."""
    if len(text) <= limit:
        return text
    space = max(text.rfind(" ", 0, limit + 1), text.rfind("\n", 0, limit + 1))
    return text[: space if space > limit * 0.9 else limit].rstrip()


def _drop_entities(article: Article, field: str, end: int) -> None:
    article.entities = [e for e in article.entities if (e.field or "body") != field or e.end <= end]
