"""CSV and TSV exports: a header row names the columns, each further row is one article (see `fields`).

The delimiter of a .csv file is the one of `,;|<tab>` found most often in its header line; .tsv is tab-separated.
"""
from __future__ import annotations

import csv
import io
import logging
from typing import Iterator, Mapping

from ..model import Article
from . import ReadError
from .decode import read_text
from .fields import RecordReader

log = logging.getLogger(__name__)

USES_FIELD_MAP = True  # the registry may pass `field_map=` to `read`
SUFFIXES = (".csv", ".tsv", ".tab")
DELIMITERS = (",", ";", "\t", "|")
MAX_FIELD_CHARS = 64 * 1024 * 1024


def matches(name: str, head: bytes) -> bool:
    """Take .csv, .tsv and .tab files."""
    return name.lower().endswith(SUFFIXES)


def read(
    name: str, data: bytes, field_map: Mapping[str, str] | None = None, meta: str | None = None,
    problems: list[str] | None = None, first_line: int = 1,
) -> Iterator[Article]:
    """Yield an article for each row with body text; `field_map` names columns (else ARCHIVE_FIELD_MAP)."""
    records = RecordReader(name, field_map, meta, problems)
    text = read_text(data, name)
    delimiter = "\t" if name.lower().endswith((".tsv", ".tab")) else sniff_delimiter(text)
    # The csv module's field limit is process-wide; raise it so long article bodies fit.
    if csv.field_size_limit() < MAX_FIELD_CHARS:
        csv.field_size_limit(MAX_FIELD_CHARS)
    # strict: a quote opened and never closed (or closed mid-field) is an error, not rows silently merged into one
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    end = 0
    try:
        header = next(rows, None)
        if not header or not any(h.strip() for h in header):
            raise ReadError("no header row: the first line must name the columns (title, text, date, ...)")
        columns = [h.strip() or f"column{i + 1}" for i, h in enumerate(header)]
        end = rows.line_num
        for row in rows:
            start, end = end + 1, rows.line_num
            if not any(cell.strip() for cell in row):
                continue
            record = {col: cell for col, cell in zip(columns, row)}
            article = records.article(record, f"{name}:{start + first_line - 1}")
            if article is not None:
                yield article
    except csv.Error as exc:
        if "expected after" in str(exc) or "unexpected end of data" in str(exc):
            raise ReadError(f"unbalanced quote: the row starting at line {end + 1} opens a quoted field that is not "
                            f"closed where it should be (CSV error at line {rows.line_num}: {exc}): fix the quotes "
                            "of that row") from None
        raise ReadError(f"CSV error at line {rows.line_num}: {exc}: the file is truncated or not CSV") from None
    records.finish()


def sniff_delimiter(text: str) -> str:
    """Return the delimiter used most in the header line (comma when there is none)."""
    end = text.find("\n")
    header = text[: end if end >= 0 else 4096][:4096]
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","
