"""JSON Feed items, WARC crawl dates kept apart, and sources written as URLs."""
from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

from archive.model import Article
from archive.readers import read_bytes
from archive.readers.fields import as_source

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
STORY = "De nieuwe fietsbrug over de Schelde is vrijdag geopend. Duizenden fietsers reden er het eerste weekend over."

FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Voorbeeldblad Fietsen",
    "language": "nl",
    "items": [
        {"id": "1", "url": "https://voorbeeldblad.example/brug", "title": "Fietsbrug open",
         "content_text": STORY, "content_html": "<p>ignored when text is given</p>",
         "date_published": "2016-09-09T00:34:00+02:00", "date_modified": "2016-09-10T08:00:00+02:00",
         "authors": [{"name": "Pieter Claes"}]},
        {"id": "2", "url": "https://voorbeeldblad.example/tunnel", "title": "Tunnel dicht",
         "content_html": f"<p>{STORY}</p><p>Tweede alinea van het verhaal hier.</p>",
         "date_modified": "2016-09-10T08:00:00+02:00", "author": {"name": "An De Smet"}},
        {"id": "3", "url": "https://voorbeeldblad.example/leeg", "title": "Alleen een titel"},
    ],
}


def test_json_feed_items_become_articles() -> None:
    brug, tunnel = read_bytes("feed.json", json.dumps(FEED).encode())
    assert (brug.title, brug.body, brug.source) == ("Fietsbrug open", STORY, "Voorbeeldblad Fietsen")
    assert (brug.date, brug.date_tz, brug.date_source) == (datetime(2016, 9, 9, 0, 34), "+02:00", "metadata")
    assert brug.authors == ["Pieter Claes"] and brug.language == "nl"
    assert brug.url == "https://voorbeeldblad.example/brug" and brug.origin == "feed.json#1"
    assert tunnel.body == f"{STORY}\n\nTweede alinea van het verhaal hier."
    assert tunnel.date is None  # a modified date is not the publication date
    assert tunnel.authors == ["An De Smet"]


def test_json_feed_recognised_without_a_suffix() -> None:
    assert len(list(read_bytes("feed", json.dumps(FEED).encode()))) == 2


def test_source_written_as_url_loses_its_query() -> None:
    assert as_source("https://www.voorbeeldblad.example/?utm_source=rss&utm_medium=feed") == \
        "https://www.voorbeeldblad.example"
    assert as_source("voorbeeldblad.example/nieuws?page=2#top") == "voorbeeldblad.example/nieuws"
    assert as_source("The Example Times") == "The Example Times"
    record = {"title": "T", "text": STORY, "source": "nieuws.example/?ref=home"}
    [art] = read_bytes("r.json", json.dumps(record).encode())
    assert art.source == "nieuws.example"


def test_warc_keeps_the_crawl_date_apart() -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    body = (FIXTURES / "wire_page.html").read_bytes()
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(
        "https://voorbeeldblad.example/brug", "response", payload=io.BytesIO(body), length=len(body),
        http_headers=headers, warc_headers_dict={"WARC-Date": "2020-01-02T03:04:05Z"}))
    [art] = read_bytes("crawl.warc", out.getvalue())
    assert art.crawled_at == datetime(2020, 1, 2, 3, 4, 5)
    assert art.date == datetime(2016, 9, 9, 0, 34)
    again = Article.from_dict(art.to_dict())
    assert again.crawled_at == art.crawled_at and again.to_dict() == art.to_dict()
