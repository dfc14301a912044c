"""Export a whole result set (every matching article, every version, in the request's order) as CSV or JSON Lines.

Each export records what was exported, so a count can be cited and reproduced: the search parameters, the time
(UTC, ISO 8601), the index version (it changes with every commit) and the total. In JSON Lines it is the first line, an
object with one key, `export`. A CSV export is read by spreadsheets and pandas as it is: its first line is the header,
and the citation is that JSON object in the last column, `cite`, of the first row (the column is empty in every other
row; an export of nothing is the header alone). The API also sends the citation in the `X-Archive-Export` header.
Lines are produced one article at a time as the backend streams the matches, so exports stream.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Iterator

from .backends import Backend
from .model import Article, public_origin
from .request import DEFAULT_PAGE_SIZE, SearchRequest

FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
CSV_COLUMNS = ["id", "date", "date_source", "source", "language", "title", "persons", "organisations", "locations",
               "misc", "cluster", "url", "body", "cite"]


def export_params(req: SearchRequest) -> list[tuple[str, str]]:
    """Return the parameters that define an export (paging and collapsing do not apply)."""
    return replace(req, page=1, page_size=DEFAULT_PAGE_SIZE, collapse=True, facets=False).params()


def metadata(req: SearchRequest, total: int, index_version: int, fmt: str) -> dict[str, Any]:
    """Describe an export: its parameters, time, index version and total."""
    params: dict[str, list[str]] = {}
    for name, value in export_params(req):
        params.setdefault(name, []).append(value)
    return {
        "params": params,
        "format": fmt,
        "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "index_version": index_version,
        "total": total,
        "order": req.sort,
    }


def csv_row(article: Article) -> list[str]:
    """The cells of an article (every column but `cite`)."""
    a = article
    return [a.id, a.date_iso or "", a.date_source, a.source or "", a.language or "", a.display_title,
            "; ".join(a.names("PER")), "; ".join(a.names("ORG")), "; ".join(a.names("LOC")),
            "; ".join(a.names("MISC")), a.cluster or "", a.url or "", a.body]


def safe_cell(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula: text opening with = + - @ (or a tab or CR) gets a '."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_line(row: list[str]) -> str:
    row = [safe_cell(v) for v in row]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(row)
    return buffer.getvalue()


def iter_export(backend: Backend, req: SearchRequest, fmt: str, full_origins: bool = False) -> Iterator[str]:
    """Return the export of every match of `req` line by line; raise QueryError before the first line if needed.

    Records name the file they were read from without the server's folders, unless `full_origins`.
    """
    return start_export(backend, req, fmt, full_origins)[1]


def start_export(backend: Backend, req: SearchRequest, fmt: str,
                 full_origins: bool = False) -> tuple[dict[str, Any], Iterator[str]]:
    """Return the citation of an export (`metadata`) and its lines (see `iter_export`)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: use csv or jsonl")
    version = backend.version()
    total, articles = backend.matches(req)
    meta = metadata(req, total, version, fmt)
    return meta, _lines(meta, articles, fmt, full_origins)


def _lines(meta: dict[str, Any], articles: Iterator[Article], fmt: str, full_origins: bool) -> Iterator[str]:
    if fmt == "jsonl":
        yield json.dumps({"export": meta}, ensure_ascii=False) + "\n"
        for article in articles:
            record = article.to_dict()
            if not full_origins:
                record["origin"] = public_origin(article.origin)
            yield json.dumps(record, ensure_ascii=False) + "\n"
    else:
        yield _csv_line(CSV_COLUMNS)
        cite = json.dumps(meta, ensure_ascii=False)
        for article in articles:
            yield _csv_line(csv_row(article) + [cite])
            cite = ""


def filename(req: SearchRequest, fmt: str) -> str:
    """Return a download file name for an export."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"archive-export-{stamp}.{fmt}"
