"""Turn one JSON or CSV record into an `Article`, finding its fields by their common names.

The names of news-please (`maintext`, `date_publish`, `source_domain`, ...) and of most news exports are
known: for each article field the first record key found in `FIELD_NAMES` (compared without case, `-` or
`_`) is used. A field map (`body=story,date=pubtime`, from `--map` or `ARCHIVE_FIELD_MAP`) names the key
for a field outright; `-` as the key leaves that field unread. A record id (`id`, `uuid`, ...) gives a
stable article id, so ingesting the same record again updates it rather than adding a copy. A record written
by `archive export` (it has `display_title`, `date_source` and `entities`) is rebuilt exactly as it was.
"""
from __future__ import annotations

import ast
import hashlib
import json
import logging
import os
import re
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Mapping

from ..dates import ParsedDate, date_fields, parse_date
from ..model import Article, check_record
from . import ReadError

log = logging.getLogger(__name__)

ENV_FIELD_MAP = "ARCHIVE_FIELD_MAP"

FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "body": (
        "maintext", "text", "body", "content", "article", "body-paragraphs", "paragraphs", "story",
        "full_text", "article_text", "articleBody", "description", "summary", "abstract",
    ),
    "title": ("title", "headline", "heading"),
    "date": (
        "date_publish", "published", "published_at", "publish_date", "publication_date", "date_published",
        "datePublished", "pubDate", "date", "datetime", "created_at", "time",
    ),
    "source": ("source_domain", "source", "outlet", "publisher", "site_name", "sitename", "newspaper", "publication"),
    "authors": ("authors", "author", "byline", "creator", "creators", "writer"),
    "language": ("language", "lang", "locale"),
    "url": ("url", "link", "href", "canonical_url", "uri"),
    "id": ("id", "_id", "uuid", "guid", "article_id", "doc_id", "record_id"),
}
TARGETS = tuple(FIELD_NAMES)
_AUTHOR_SPLIT_RE = re.compile(r"\s*(?:;|\||,|&|\band\b|\ben\b|\bet\b)\s*", re.I)
_BYLINE_RE = re.compile(r"^(?:by|door|par|van)\s+", re.I)
EXPORT_KEYS = {"id", "body", "date_source", "display_title", "entities"}  # a record from `archive export`
EXPORT_MARKS = {"date_source", "display_title"}  # keys only `archive export` writes: such a record is checked strictly
MAX_PROBLEMS = 1000  # bad records reported one by one per file; the rest are counted
PLACEHOLDER_IDS = {"", "empty", "none", "null", "nil", "nan", "n/a", "na", "-", "0", "undefined", "unknown"}
_HTML_RE = re.compile(r"<(?:p|br|div|span|a|em|strong|b|i|h[1-6])\b[^>]*>", re.I)


def norm_key(key: str) -> str:
    """Fold a record key for comparison: no case, no `-`, `_` or spaces."""
    return re.sub(r"[\s_\-]", "", key).lower()


def parse_field_map(spec: str) -> dict[str, str]:
    """Read `body=story,date=pubtime` into {"body": "story", "date": "pubtime"}; raise ValueError if malformed."""
    mapping: dict[str, str] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        target, sep, key = part.partition("=")
        target, key = target.strip().lower(), key.strip()
        if not sep or not key:
            raise ValueError(f"field map entry {part.strip()!r} is not FIELD=KEY: write it as body=story,date=pubtime")
        if target not in FIELD_NAMES:
            raise ValueError(f"field map names unknown field {target!r}: use one of {', '.join(TARGETS)}")
        mapping[target] = key
    return mapping


def resolve_field_map(field_map: Mapping[str, str] | None) -> dict[str, str]:
    """Return the field map given, else the one in ARCHIVE_FIELD_MAP, else none; raise ReadError if unreadable."""
    if field_map is not None:
        bad = sorted(set(field_map) - set(FIELD_NAMES))
        if bad:
            raise ReadError(f"field map names unknown field {bad[0]!r}: use one of {', '.join(TARGETS)}")
        return dict(field_map)
    spec = os.environ.get(ENV_FIELD_MAP, "")
    try:
        return parse_field_map(spec)
    except ValueError as exc:
        raise ReadError(f"{ENV_FIELD_MAP}: {exc}") from None


class RecordReader:
    """Build articles from the records of one file, counting those skipped for want of body text.

    A record that cannot be read (an exported record with wrong types, a broken JSON line) is skipped and
    described in `problems` ("file:line: reason"), where the caller gives that list, else logged.
    """

    def __init__(self, name: str, field_map: Mapping[str, str] | None = None, meta: str | None = None,
                 problems: list[str] | None = None) -> None:
        self.name = name
        self.problems = problems
        self.bad = 0
        self.field_map = resolve_field_map(field_map)
        self.meta = load_meta(meta) if meta else None
        self.scope = os.path.basename(name) or name
        self.skipped = 0
        self.read = 0
        self.keys_seen: dict[str, None] = {}
        self.bodies_by_id: dict[str, int] = {}

    def body_keys(self) -> set[str]:
        """Return the folded keys that hold body text in this file's records."""
        explicit = self.field_map.get("body")
        if explicit and explicit != "-":
            return {norm_key(explicit), norm_key(explicit.split(".")[0])}
        return {norm_key(k) for k in FIELD_NAMES["body"]}

    def article(self, record: Mapping[str, Any], origin: str) -> Article | None:
        """Return the article of one record, or None (counted) where it has no body text."""
        if EXPORT_MARKS <= record.keys() or EXPORT_KEYS <= record.keys():
            return self._exported(record, origin)
        if isinstance(record.get("_source"), dict):  # an Elasticsearch hit
            record = {**record["_source"], **{k: v for k, v in record.items() if k in ("_id",)}}
        for key in list(record)[:50]:
            self.keys_seen.setdefault(str(key), None)
        found = self._lookup(record)
        if self.meta is not None:
            extra = self.meta.get(as_text(found.get("id")) or "")
            if extra:  # the sidecar fills what the record lacks (an outlet kept in a labels file, say)
                found = {**self._lookup(extra), **{k: v for k, v in found.items() if not _empty(v)}}
        body = join_body(found.get("body"))
        if not body:
            self.skipped += 1
            log.debug("%s: no body text, skipped", origin)
            return None
        source = as_source(found.get("source"))
        record_id = as_text(found.get("id"))
        article_id = ""
        if record_id and record_id.lower() not in PLACEHOLDER_IDS and self._consistent(record_id, body):
            article_id = record_key(source or self.scope, record_id)
        article = Article(
            body=body,
            id=article_id,
            title=as_text(found.get("title")),
            source=source,
            authors=as_authors(found.get("authors")),
            language=as_language(found.get("language")),
            url=as_url(found.get("url")),
            origin=origin,
            **date_fields(as_date(found.get("date")), "metadata"),
        )
        self.read += 1
        return article

    def _exported(self, record: Mapping[str, Any], origin: str) -> Article | None:
        """Rebuild a record written by `archive export` as it was, id and all; report one with wrong types."""
        problem = check_record(dict(record))
        if problem is None:
            try:
                article = Article.from_dict(dict(record))
            except (KeyError, TypeError, ValueError) as exc:
                problem = str(exc)
        if problem is not None:
            self.report_bad(origin, problem)
            return None
        article.origin = article.origin or origin
        self.read += 1
        return article

    def _consistent(self, record_id: str, body: str) -> bool:
        """Say whether a record id names one text in this file (a reused id is not trusted to be the same record)."""
        fingerprint = hash(body)
        first = self.bodies_by_id.setdefault(record_id, fingerprint)
        if first != fingerprint:
            log.warning("%s: record id %r is reused for another text: that record gets its own id", self.name, record_id)
            return False
        return True

    def report_bad(self, origin: str, reason: str) -> None:
        """Record (or log) one unreadable record, naming its file and line or number."""
        self.bad += 1
        message = f"{origin}: {reason}: record skipped"
        if self.problems is None:
            if self.bad <= MAX_PROBLEMS:
                log.warning("%s", message)
        elif self.bad <= MAX_PROBLEMS:
            self.problems.append(message)

    def finish(self) -> None:
        """Log what was skipped; raise ReadError when records were found but none had body text."""
        if self.bad > MAX_PROBLEMS:
            message = f"{self.name}: {self.bad - MAX_PROBLEMS} more unreadable record(s) skipped"
            if self.problems is None:
                log.warning("%s", message)
            else:
                self.problems.append(message)
        if self.skipped:
            log.warning("%s: skipped %d record(s) with no body text", self.name, self.skipped)
        if self.skipped and not self.read:
            keys = ", ".join(list(self.keys_seen)[:12])
            raise ReadError(
                f"no record has body text (keys seen: {keys}): name the body field with --map body=KEY"
                f" (or {ENV_FIELD_MAP}=body=KEY)"
            )

    def _lookup(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Pick each article field's value from the record, explicit map first, then the common names."""
        folded = {norm_key(str(k)): k for k in record}
        found: dict[str, Any] = {}
        for target, names in FIELD_NAMES.items():
            explicit = self.field_map.get(target)
            if explicit == "-":
                continue
            if explicit:
                found[target] = _get_path(record, folded, explicit)
                continue
            for candidate in names:
                key = folded.get(norm_key(candidate))
                if key is not None and not _empty(record[key]):
                    found[target] = record[key]
                    break
        return found


@lru_cache(maxsize=4)
def load_meta(path: str) -> dict[str, Mapping[str, Any]]:
    """Read a sidecar metadata file (JSON Lines, JSON list or CSV) into records by their id."""
    import csv
    import io

    try:
        text = open(path, encoding="utf-8-sig").read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ReadError(f"cannot read the metadata file {path}: {exc}") from None
    if path.lower().endswith((".csv", ".tsv")):
        records: list[Any] = list(csv.DictReader(io.StringIO(text), delimiter="\t" if path.endswith(".tsv") else ","))
    else:
        try:
            value = json.loads(text)
            records = value if isinstance(value, list) else [value]
        except json.JSONDecodeError:
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
    ids = {norm_key(k) for k in FIELD_NAMES["id"]}
    out: dict[str, Mapping[str, Any]] = {}
    for record in records:
        if isinstance(record, dict):
            key = next((as_text(v) for k, v in record.items() if norm_key(str(k)) in ids and not _empty(v)), None)
            if key:
                out[key] = record
    if not out:
        raise ReadError(f"the metadata file {path} has no record with an id (`id`, `uuid`, ...): nothing to join")
    return out


def _get_path(record: Mapping[str, Any], folded: dict[str, Any], path: str) -> Any:
    """Get a key (exact, or folded), or a dotted path into nested objects."""
    if path in record:
        return record[path]
    if norm_key(path) in folded:
        return record[folded[norm_key(path)]]
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        inner = {norm_key(str(k)): k for k in value}
        key = part if part in value else inner.get(norm_key(part))
        if key is None:
            return None
        value = value[key]
    return value


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def record_key(scope: str, record_id: str) -> str:
    """Return the article id of a record id within a scope (its source, else its file name)."""
    key = f"record:{scope.strip().lower()}|{record_id.strip()}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def join_body(value: Any) -> str:
    """Join a body given as text, a list of paragraphs or a list of lists of sentences into paragraphs."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        if _HTML_RE.search(text[:2000]):
            from .html import html_to_text

            text = html_to_text(text)
        return text
    if isinstance(value, Mapping):
        for key in ("text", "value", "body", "content"):
            if isinstance(value.get(key), (str, list)):
                return join_body(value[key])
        return ""
    if isinstance(value, (list, tuple)):
        paragraphs = []
        for item in value:
            if isinstance(item, (list, tuple)):
                para = " ".join(" ".join(str(s).split()) for s in item if s is not None and str(s).strip())
            else:
                para = join_body(item)
            if para.strip():
                paragraphs.append(para.strip())
        return "\n\n".join(paragraphs)
    if isinstance(value, (int, float)):
        return ""
    return str(value).strip()


def as_text(value: Any) -> str | None:
    """Return a value as one line of text, taking `name` from an object ({"name": "Reuters"})."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Mapping):
        for key in ("name", "title", "value", "id"):
            if value.get(key) is not None:
                return as_text(value[key])
        return None
    if isinstance(value, (list, tuple)):
        return as_text(value[0]) if value else None
    text = " ".join(str(value).split())
    return text or None


def as_authors(value: Any) -> list[str]:
    """Return a list of author names from a list, an object, a byline or a list written as a string."""
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("[") and text.endswith("]"):
            try:
                parsed = json.loads(text)
            except ValueError:
                try:
                    parsed = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    parsed = None
            if isinstance(parsed, list):
                return as_authors(parsed)
        text = _BYLINE_RE.sub("", text)
        return [a for a in (" ".join(p.split()) for p in _AUTHOR_SPLIT_RE.split(text)) if a]
    if isinstance(value, (list, tuple)):
        names: list[str] = []
        for item in value:
            name = as_text(item)
            if name and name not in names:
                names.append(name)
        return names
    name = as_text(value)
    return [name] if name else []


def as_language(value: Any) -> str | None:
    """Return an ISO 639-1 code from `nl`, `nl-BE` or `fr_FR`; None for anything else."""
    text = as_text(value)
    if not text:
        return None
    code = re.split(r"[-_]", text.strip().lower())[0]
    return code if re.fullmatch(r"[a-z]{2}", code) else None


def as_source(value: Any) -> str | None:
    """Return a source name; one written as a URL loses its query string and fragment (`site.example/?utm=x`)."""
    text = as_text(value)
    if text and re.match(r"^(?:[a-z][a-z0-9+.-]*://)?[\w.-]+\.[a-z]{2,}(?:[/?#]\S*)?$", text, re.I):
        text = re.split(r"[?#]", text, maxsplit=1)[0].rstrip("/") or None
    return text


def as_url(value: Any) -> str | None:
    """Return a URL as written, or None where the value is not one."""
    text = as_text(value)
    if text and re.match(r"^[a-z][a-z0-9+.-]*://\S+$", text, re.I):
        return text
    return None


def as_date(value: Any) -> ParsedDate | None:
    """Parse a metadata date: a date string in any language `parse_date` reads, or Unix seconds/milliseconds (UTC)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        seconds = float(value) / 1000 if value > 1e11 else float(value)
        if not 1e8 < seconds < 4.2e9:
            return None
        moment = datetime.fromtimestamp(seconds, tz=timezone.utc).replace(tzinfo=None)
        return ParsedDate(moment, True, "+00:00")
    if isinstance(value, Mapping):
        for key in ("$date", "value", "date", "iso"):
            if key in value:
                return as_date(value[key])
        return None
    text = as_text(value)
    if text and re.fullmatch(r"\d{9,13}(\.\d+)?", text):
        return as_date(float(text))
    parsed = parse_date(text)
    if parsed is None and text:
        log.debug("unreadable date %r: article left undated", text[:80])
    return parsed
