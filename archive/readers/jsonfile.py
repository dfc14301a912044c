"""JSON and JSON Lines exports: one article per record, fields found by name (see `fields`).

A `.json` file holds one record, a list of records, or a wrapper such as {"articles": [...]}; a `.jsonl` or
`.ndjson` file holds one record per line. A JSON Feed is read item by item, with the feed's title as source. A broken JSON file is an error naming the position; in JSON Lines a
broken line is skipped with a warning and the good lines are read.
"""
from __future__ import annotations

import json
import logging
import os
from typing import Any, Iterator, Mapping

from ..model import Article
from . import ReadError
from .decode import read_text
from .fields import RecordReader, norm_key
from .html import html_to_text

log = logging.getLogger(__name__)

USES_FIELD_MAP = True  # the registry may pass `field_map=` to `read`
JSON_SUFFIXES = (".json",)
LINES_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")
WRAPPER_KEYS = ("articles", "items", "data", "results", "records", "docs", "documents", "entries", "posts", "hits")
MAX_BAD_LINES_LOGGED = 5


def matches(name: str, head: bytes) -> bool:
    """Take .json, .jsonl and .ndjson files, and JSON on stdin or in a file without a suffix."""
    lower = name.lower()
    if lower.endswith(JSON_SUFFIXES + LINES_SUFFIXES):
        return True
    if lower == "-" or not os.path.splitext(os.path.basename(lower))[1]:
        return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")
    return False


def read(
    name: str, data: bytes, field_map: Mapping[str, str] | None = None, meta: str | None = None,
    problems: list[str] | None = None, first_line: int = 1,
) -> Iterator[Article]:
    """Yield an article for each record with body text; `field_map` names keys (else ARCHIVE_FIELD_MAP).

    Unreadable records and lines are skipped and described in `problems` where given (else logged).
    """
    records = RecordReader(name, field_map, meta, problems)
    text = read_text(data, name)
    if name.lower().endswith(LINES_SUFFIXES):
        items = _lines(name, text, records, first_line)
    else:
        items = _document(name, text, records)
    for origin, record in items:
        article = records.article(record, origin)
        if article is not None:
            yield article
    records.finish()


def _document(name: str, text: str, records: RecordReader) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Parse a whole JSON document and yield its records; JSON Lines under a .json name is read as lines."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and text.lstrip().startswith("{"):
            log.info("%s: several JSON values, read as JSON Lines", name)
            yield from _lines(name, text, records)
            return
        raise ReadError(_describe(exc) + ": the file is truncated or not JSON") from None
    except RecursionError:
        raise ReadError("JSON nested too deeply: the file is not an article export") from None
    if is_json_feed(value):
        yield from json_feed_records(name, value)
        return
    found = list(_records(value, records.body_keys()))
    if not found:
        raise ReadError(f"no article record in this JSON ({_shape(value)}): give an object or a list of objects")
    single = len(found) == 1 and not isinstance(value, list)
    for i, record in enumerate(found, 1):
        yield (name if single else f"{name}#{i}"), record


def is_json_feed(value: Any) -> bool:
    """Say whether a JSON value is a JSON Feed (https://jsonfeed.org): a `version` URL and `items`."""
    return (isinstance(value, dict) and isinstance(value.get("items"), list)
            and str(value.get("version", "")).startswith(("https://jsonfeed.org/version/", "http://jsonfeed.org/")))


def json_feed_records(name: str, feed: dict[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Yield each JSON Feed item as a record: its text, title, published date, and the feed's title as source."""
    for number, item in enumerate(feed["items"], 1):
        if not isinstance(item, dict):
            continue
        text = item.get("content_text")
        if not isinstance(text, str) or not text.strip():
            html = item.get("content_html") or item.get("summary") or ""
            text = html_to_text(html) if isinstance(html, str) else ""
        yield f"{name}#{number}", {
            "body": text,
            "title": item.get("title"),
            "date": item.get("date_published"),  # never date_modified
            "source": feed.get("title"),
            "authors": [a.get("name") for a in item.get("authors") or [item.get("author") or {}]
                        if isinstance(a, dict) and a.get("name")],
            "language": item.get("language") or feed.get("language"),
            "url": item.get("url") or item.get("external_url"),
            "id": item.get("id"),
        }


def _lines(name: str, text: str, records: RecordReader | None, first_line: int = 1
           ) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Yield the object on each line, skipping (and reporting) lines that are not a JSON object."""
    good = bad = 0
    first_error = ""
    start = 0
    lineno = first_line - 1
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = text[start:end].strip()
        start = end + 1
        lineno += 1
        if not line:
            continue
        try:
            value = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            reason = _describe(exc) if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            value, problem = None, reason
        else:
            problem = "" if isinstance(value, dict) else f"a JSON {_shape(value)}, not an object"
        if problem:
            bad += 1
            first_error = first_error or f"line {lineno}: {problem}"
            if records is not None and records.problems is not None:
                records.report_bad(f"{name}:{lineno}", problem)
            elif bad <= MAX_BAD_LINES_LOGGED:
                log.warning("%s: line %d skipped (%s)", name, lineno, problem)
            continue
        good += 1
        yield f"{name}:{lineno}", value
    if bad > MAX_BAD_LINES_LOGGED and (records is None or records.problems is None):
        log.warning("%s: %d bad lines skipped in all", name, bad)
    if bad and not good:
        raise ReadError(f"no line is a JSON object ({first_error}): the file is truncated or not JSON Lines")


def _records(value: Any, body_keys: set[str], depth: int = 0) -> Iterator[Mapping[str, Any]]:
    """Find the article records in a JSON value: a list of objects, one article object, or a wrapper."""
    if isinstance(value, list):
        skipped = 0
        for item in value:
            if isinstance(item, dict):
                yield item
            else:
                skipped += 1
        if skipped:
            log.warning("%d list item(s) are not objects, skipped", skipped)
        return
    if not isinstance(value, dict):
        return
    is_record = any(norm_key(str(k)) in body_keys for k in value)
    inner = _wrapper(value, named_only=is_record) if depth < 3 else None
    if inner is None:
        yield value
    else:
        yield from _records(inner, body_keys, depth + 1)


def _wrapper(value: dict[str, Any], named_only: bool) -> Any:
    """Return the list (or object) a wrapper object holds its records in, if any."""
    folded = {norm_key(str(k)): k for k in value}
    for key in WRAPPER_KEYS:
        inner = value.get(folded.get(key, ""))
        if isinstance(inner, list) and any(isinstance(i, dict) for i in inner):
            return inner
        if isinstance(inner, dict) and key in ("data", "hits", "results") and not named_only:
            return inner
    if named_only:
        return None
    for inner in value.values():
        if isinstance(inner, list) and inner and all(isinstance(i, dict) for i in inner[:10]):
            return inner
    return None


def _describe(exc: json.JSONDecodeError) -> str:
    return f"JSON error at line {exc.lineno}, column {exc.colno} (character {exc.pos}): {exc.msg}"


def _shape(value: Any) -> str:
    names = {dict: "object", list: "list", str: "string", int: "number", float: "number", bool: "boolean"}
    return names.get(type(value), "null")
