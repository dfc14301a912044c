"""Web archives (WARC and the older ARC), read with warcio: each HTML page captured with status 200 becomes an article.

Each page goes through the HTML reader, with the WARC-Target-URI (the ARC record's URL) as its URL. The crawl date (WARC-Date) says
when the page was fetched, not when it was published, so it is never used as the article's date.
"""
from __future__ import annotations

import io
import logging
from datetime import datetime, timezone
from typing import Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from ..model import Article
from . import ReadError
from .html import article_from_html

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")


MAGIC = (b"WARC/", b"filedesc://")  # a WARC record header; an ARC file's first (file description) record


def matches(name: str, head: bytes) -> bool:
    """Take anything that starts with a WARC record or an ARC file header; by name, .warc and .arc files."""
    if name:
        return name.lower().endswith((".warc", ".arc"))
    return head.lstrip(b"\r\n").startswith(MAGIC)


def read(name: str, data: bytes) -> Iterator[Article]:
    """Yield an article for each HTML page with article text in the archive."""
    if not data.lstrip(b"\r\n").startswith(MAGIC):
        raise ReadError("not a readable WARC or ARC file (no WARC/ or filedesc:// header at the start):"
                        " give a .warc, .warc.gz, .arc or .arc.gz file")
    pages = skipped = 0
    for offset, uri, crawled, html in _html_pages(name, data):
        pages += 1
        try:
            article = article_from_html(html, url=uri)
        except ReadError as exc:
            skipped += 1
            log.debug("%s: %s skipped: %s", name, uri, exc)
            continue
        article.origin = f"{name}@{offset}"
        article.crawled_at = _crawl_date(crawled)  # kept apart: when it was fetched, not published
        yield article
    if skipped:
        log.warning("%s: %d of %d HTML page(s) had no article text, skipped", name, skipped, pages)
    if not pages:
        raise ReadError("no HTML page (status 200) in this web archive: it holds no article to read")
    if skipped == pages:
        raise ReadError(f"none of the {pages} HTML page(s) in this web archive has article text: nothing to index")


def _crawl_date(value: str | None) -> datetime | None:
    """Read a WARC-Date (`2020-01-02T03:04:05Z`) as a naive UTC time, None where it is missing or unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def _html_pages(name: str, data: bytes) -> Iterator[tuple[int, str, str | None, bytes]]:
    """Yield (offset, target URI, crawl date, HTML) per HTML page; stop with a warning where the file breaks."""
    records = ArchiveIterator(io.BytesIO(data), arc2warc=True)
    count = 0
    while True:
        try:
            record = next(records, None)
            if record is None:
                return
            page = _page(record)
        except (ArchiveLoadFailed, AttributeError, ValueError, EOFError, OSError) as exc:
            # warcio reports a broken or truncated record in several ways
            if not count:
                raise ReadError(f"not a readable WARC or ARC file ({exc}): the file is truncated or not a web archive") from None
            log.warning("%s: WARC broken after %d record(s) (%s); read what came before", name, count, exc)
            return
        count += 1
        if page is not None:
            yield (records.get_record_offset(), *page)


def _page(record: ArcWarcRecord) -> tuple[str, str | None, bytes] | None:
    """Return (target URI, crawl date, HTML bytes) for a 200 HTML response (or HTML resource) record, else None."""
    rec_type = record.rec_type
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    if rec_type == "response":
        http = record.http_headers
        if http is None or http.get_statuscode() != "200":
            return None
        content_type = http.get_header("Content-Type") or ""
    elif rec_type == "resource":
        content_type = record.rec_headers.get_header("Content-Type") or ""
    else:
        return None
    if content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        return None
    return uri, record.rec_headers.get_header("WARC-Date"), record.content_stream().read()
