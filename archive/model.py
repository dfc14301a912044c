"""The one record that flows through the archive: readers yield it, enrichment fills it, the index stores it."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

LABELS = ("PER", "ORG", "LOC", "MISC")
_SPACE_RE = re.compile(r"\s+")
DATE_SOURCES = ("header", "dateline", "byline", "metadata", "none")  # byline: a date labelled published


@dataclass
class Entity:
    """A named-entity mention: `text` is article.<field>[start:end], `name` the normalised entity it refers to."""

    label: str
    start: int
    end: int
    text: str
    name: str
    field: str = "body"  # body, title or caption

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "start": self.start, "end": self.end, "text": self.text, "name": self.name,
                "field": self.field}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Entity":
        return cls(
            label=d["label"], start=int(d["start"]), end=int(d["end"]), text=d["text"], name=d["name"],
            field=d.get("field") or "body",
        )


@dataclass
class Article:
    """A news article as read from one input and enriched for the index."""

    body: str
    id: str = ""
    title: str | None = None
    caption: str | None = None
    subheadings: list[str] = field(default_factory=list)
    date: datetime | None = None  # local wall-clock time as written, naive
    date_has_time: bool = False
    date_tz: str | None = None  # the zone as written (e.g. "BST", "+02:00"), kept apart from `date`
    date_source: str = "none"  # header, dateline, byline, metadata or none
    source: str | None = None
    language: str | None = None
    url: str | None = None
    authors: list[str] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    cluster: str | None = None
    origin: str | None = None  # the file (and record) it was read from
    crawled_at: datetime | None = None  # when a web archive captured the page (never the publication date)
    fingerprint: bytes | None = field(default=None, repr=False, compare=False)  # MinHash, not exported

    def __post_init__(self) -> None:
        if not self.id:
            self.id = make_id(self)

    @property
    def display_title(self) -> str:
        """Return the title, or a fallback made from the source, date and first words of the body."""
        if self.title:
            return self.title
        words = " ".join(self.body.split()[:10])
        lead = words + ("…" if len(self.body.split()) > 10 else "")
        return lead or "(untitled article)"

    @property
    def date_iso(self) -> str | None:
        """Return the date as ISO 8601: day only when no time was written."""
        return format_date(self.date, self.date_has_time)

    def names(self, label: str) -> list[str]:
        """Return the distinct normalised names of one entity type, in order of first mention."""
        seen: dict[str, None] = {}
        for ent in self.entities:
            if ent.label == label:
                seen.setdefault(ent.name, None)
        return list(seen)

    def to_dict(self) -> dict[str, Any]:
        """Return the full record as JSON-ready data."""
        return {
            "id": self.id,
            "title": self.title,
            "display_title": self.display_title,
            "date": self.date_iso,
            "date_tz": self.date_tz,
            "date_source": self.date_source,
            "source": self.source,
            "language": self.language,
            "url": self.url,
            "authors": list(self.authors),
            "caption": self.caption,
            "subheadings": list(self.subheadings),
            "body": self.body,
            "cluster": self.cluster,
            "origin": self.origin,
            "crawled_at": format_date(self.crawled_at, True),
            "entities": [e.to_dict() for e in self.entities],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Article":
        """Rebuild an article from `to_dict` output (as stored in the index or exported)."""
        date, has_time = parse_iso(d.get("date"))
        return cls(
            id=d.get("id") or "",
            body=d.get("body") or "",
            title=d.get("title"),
            caption=d.get("caption"),
            subheadings=list(d.get("subheadings") or []),
            date=date,
            date_has_time=has_time,
            date_tz=d.get("date_tz"),
            date_source=d.get("date_source") or ("none" if date is None else "metadata"),
            source=d.get("source"),
            language=d.get("language"),
            url=d.get("url"),
            authors=list(d.get("authors") or []),
            entities=[Entity.from_dict(e) for e in d.get("entities") or []],
            cluster=d.get("cluster"),
            origin=d.get("origin"),
            crawled_at=parse_iso(d.get("crawled_at"))[0],
        )


_TEXT_KEYS = ("id", "title", "display_title", "date_tz", "source", "language", "url", "caption", "cluster", "origin")
ENTITY_FIELD_NAMES = ("body", "title", "caption")


def check_record(d: dict[str, Any]) -> str | None:
    """Say what is wrong with a record in `to_dict` form (wrong types, missing body), or None where it is sound."""
    body = d.get("body")
    if not isinstance(body, str) or not body.strip():
        return "no body text" if body in (None, "") else f"body is {_kind(body)}, not text"
    for key in _TEXT_KEYS:
        if d.get(key) is not None and not isinstance(d[key], str):
            return f"{key} is {_kind(d[key])}, not text"
    for key in ("date", "crawled_at"):
        value = d.get(key)
        if value in (None, ""):
            continue
        if not isinstance(value, str):
            return f"{key} is {_kind(value)}, not an ISO 8601 date"
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return f"{key} {value[:40]!r} is not an ISO 8601 date"
    if d.get("date_source") is not None and d["date_source"] not in DATE_SOURCES:
        return f"date_source {str(d['date_source'])[:40]!r} is not one of {', '.join(DATE_SOURCES)}"
    for key in ("subheadings", "authors"):
        value = d.get(key)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            return f"{key} is {_kind(value)}, not a list of text"
    entities = d.get("entities")
    if entities is None:
        return None
    if not isinstance(entities, list):
        return f"entities is {_kind(entities)}, not a list"
    for number, ent in enumerate(entities, 1):
        problem = _check_entity(ent, d)
        if problem:
            return f"entity {number}: {problem}"
    return None


def _check_entity(ent: Any, d: dict[str, Any]) -> str | None:
    if not isinstance(ent, dict):
        return f"{_kind(ent)}, not an object"
    if ent.get("label") not in LABELS:
        return f"label {str(ent.get('label'))[:20]!r} is not one of {', '.join(LABELS)}"
    for key in ("text", "name"):
        if not isinstance(ent.get(key), str):
            return f"{key} is {_kind(ent.get(key))}, not text"
    where = ent.get("field") or "body"
    if where not in ENTITY_FIELD_NAMES:
        return f"field {str(where)[:20]!r} is not one of {', '.join(ENTITY_FIELD_NAMES)}"
    start, end = ent.get("start"), ent.get("end")
    if type(start) is not int or type(end) is not int:
        return "start and end are not whole numbers"
    if not 0 <= start <= end <= len(d.get(where) or ""):
        return f"offsets {start}-{end} are outside the {where}"
    return None


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "text", int: "a number", float: "a number", bool: "a boolean"}
    return names.get(type(value), "null" if value is None else type(value).__name__)


def public_origin(origin: str | None) -> str | None:
    """Return where an article was read from without the server's folders: the file name and record number."""
    if not origin:
        return origin
    return origin.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def format_date(date: datetime | None, has_time: bool) -> str | None:
    """Format a wall-clock date as ISO 8601 (minutes, or seconds where written; day only without a time)."""
    if date is None:
        return None
    if not has_time:
        return date.strftime("%Y-%m-%d")
    if date.second:
        return date.strftime("%Y-%m-%dT%H:%M:%S")
    return date.strftime("%Y-%m-%dT%H:%M")


def parse_iso(value: str | None) -> tuple[datetime | None, bool]:
    """Read back a date written by `format_date`."""
    if not value:
        return None, False
    return datetime.fromisoformat(value), "T" in value


def make_id(article: Article) -> str:
    """Return a stable id: the URL where there is one, else source, date and body, hashed."""
    if article.url:
        key = "url:" + article.url.strip()
    else:
        key = "|".join(
            [
                (article.source or "").strip().lower(),
                format_date(article.date, article.date_has_time) or "",
                _SPACE_RE.sub(" ", article.title or "").strip(),
                _SPACE_RE.sub(" ", article.body).strip(),
            ]
        )
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


ENTITY_FIELDS = {"PER": "person", "ORG": "org", "LOC": "location", "MISC": "misc"}  # label -> filter and field
UNDATED_OLD = 999_999_999_999  # the date key of an undated article: sorts last when sorting oldest first


def date_key(value: datetime) -> int:
    """Return a sortable integer for a wall-clock date: YYYYMMDDHHMM."""
    return int(value.strftime("%Y%m%d%H%M"))


def article_date_key(article: Article) -> int:
    """Return an article's date key, `UNDATED_OLD` where it has no date."""
    return date_key(article.date) if article.date is not None else UNDATED_OLD
