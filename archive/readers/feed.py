"""RSS and Atom feeds, read with feedparser: one article per entry.

The body is the entry's full text where the feed carries it (`content:encoded`, Atom `content`), else its
summary, with HTML turned into paragraphs. The date is the entry's published (else updated) date as written,
read with `parse_date` so Dutch and French dates (`vr, 09 sep 2016 00:34:00 +0200`) and the local wall-clock
time survive; feedparser's own (UTC) reading is the fallback. The feed's title is the source.
"""
from __future__ import annotations

import io
import logging
from datetime import datetime
from typing import Any, Iterator

import feedparser

from ..dates import ParsedDate, date_fields, parse_date
from ..model import Article
from . import ReadError
from .decode import declared_encoding, decode_text, looks_binary, unicode_codec
from .fields import as_authors, as_language, as_source, as_text, as_url, record_key
from .html import html_to_text
from .sniff import sniff_markup

log = logging.getLogger(__name__)

SUFFIXES = (".rss", ".atom", ".rdf", ".cdf")


def matches(name: str, head: bytes) -> bool:
    """Take XML whose root is <rss>, <feed>, <rdf:RDF> or CDF's <CHANNEL>; by name, .rss, .atom, .rdf and .cdf."""
    markup = sniff_markup(head)
    if markup is not None:
        return markup.is_feed
    return name.lower().endswith(SUFFIXES)


def read(name: str, data: bytes) -> Iterator[Article]:
    """Yield an article for each feed entry that has text."""
    if looks_binary(data):
        raise ReadError("binary data, not a feed: give the RSS or Atom XML file")
    parsed = feedparser.parse(io.BytesIO(_as_feedparser_reads(name, data)), resolve_relative_uris=False,
                              sanitize_html=False)
    entries = parsed.get("entries") or []
    if not entries:
        problem = parsed.get("bozo_exception")
        reason = f" ({problem})" if problem else ""
        raise ReadError(f"no entry in this feed{reason}: the file is truncated or not an RSS/Atom feed")
    if parsed.get("bozo"):
        log.warning("%s: feed is not well-formed (%s); read what could be read", name, parsed.get("bozo_exception"))
    channel = parsed.get("feed") or {}
    feed_title = as_source(channel.get("title"))
    feed_language = as_language(channel.get("language"))
    skipped = 0
    for number, entry in enumerate(entries, 1):
        article = _article(entry, feed_title, feed_language, f"{name}#{number}", name)
        if article is None:
            skipped += 1
            continue
        yield article
    if skipped:
        log.warning("%s: skipped %d entr%s with no text", name, skipped, "y" if skipped == 1 else "ies")
    if skipped == len(entries):
        raise ReadError("no feed entry has text (titles and links only): ingest the linked pages instead")


def _as_feedparser_reads(name: str, data: bytes) -> bytes:
    """Return bytes feedparser decodes right: an undeclared, non-UTF-8 feed is detected and re-encoded as UTF-8.

    feedparser reads byte-order marks, UTF-16/32 and declared encodings itself, but takes an undeclared feed
    in EUC-JP or KOI8-R for Windows-1252; such a feed is decoded here (or refused) instead.
    """
    if unicode_codec(data) or declared_encoding(data):
        return data
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    try:
        text = decode_text(data, name)
    except ValueError as exc:
        raise ReadError(str(exc)) from None
    return text.encode("utf-8")


def _article(entry: Any, feed_title: str | None, feed_language: str | None, origin: str, name: str) -> Article | None:
    """Build the article of one entry, or None where it has no text."""
    body = _entry_text(entry)
    if not body:
        return None
    title_detail = entry.get("title_detail") or {}
    title = entry.get("title")
    if title and "html" in (title_detail.get("type") or ""):
        title = html_to_text(title)
    source = as_source((entry.get("source") or {}).get("title")) or feed_title
    article = Article(
        body=body,
        title=as_text(title),
        source=source,
        authors=as_authors(entry.get("authors") or entry.get("author")),
        language=as_language((entry.get("content") or [{}])[0].get("language")) or feed_language,
        url=as_url(entry.get("link")),
        origin=origin,
        **date_fields(entry_date(entry), "metadata"),
    )
    guid = as_text(entry.get("id"))
    if not article.url and guid:
        article.id = record_key(source or name, guid)
    return article


def _entry_text(entry: Any) -> str:
    """Return the entry's longest full text, else its summary, as plain paragraphs."""
    contents = [c.get("value") or "" for c in entry.get("content") or []]
    best = max(contents, key=len, default="")
    if not best.strip():
        best = entry.get("summary") or entry.get("description") or ""
    return html_to_text(best).strip()


def entry_date(entry: Any) -> ParsedDate | None:
    """Return the entry's published (else updated) date as written, else feedparser's UTC reading of it."""
    for key in ("published", "updated", "created"):
        raw = dict.get(entry, key)  # plain dict access: feedparser's own maps `updated` to `published`
        if not raw:
            continue
        parsed = parse_date(raw)
        if parsed:
            return parsed
        struct = dict.get(entry, f"{key}_parsed")
        if struct:
            return ParsedDate(datetime(*struct[:6]), True, "+00:00")
        log.debug("unreadable feed date %r: entry left undated", raw)
    return None
