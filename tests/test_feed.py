"""The Atom feed of a search: valid Atom that feedparser reads, the newest dated matches first, filters kept, escaped."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import feedparser
import pytest

from archive.backends.whoosh.index import create_or_open, write_articles, writer
from archive.model import Article
from archive.web import create_app

ATOM = "{http://www.w3.org/2005/Atom}"
START = datetime(2016, 9, 1, 8, 0)


def make_articles() -> list[Article]:
    out = []
    for i in range(40):
        out.append(Article(id=f"a{i:02d}", title=f"Storm report {i}" if i % 2 else None,
                           body=f"{'storm' if i % 3 else 'calm'} over the coast, report {i}", language="en",
                           source="Belga" if i % 4 else "AFP", date=START + timedelta(hours=7 * i),
                           date_has_time=True))
    out.append(Article(id="tz", title="Storm with a zone", body="storm in Brussels", language="en", source="Belga",
                       date=datetime(2016, 8, 1, 10, 30), date_has_time=True, date_tz="+02:00"))
    out.append(Article(id="undated", title="Storm without a date", body="storm, date unknown", language="en",
                       source="Belga"))
    out.append(Article(id="evil", title="<script>alert(1)</script> & storm \x0c", language="en", source="AFP",
                       body="storm <img src=x onerror=alert(1)> \x0c form feed", date=datetime(2015, 1, 1, 9),
                       date_has_time=True, url="javascript:alert(1)"))
    return out


ARTICLES = make_articles()


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    path = tmp_path_factory.mktemp("feed") / "ix"
    with writer(create_or_open(path)) as w:
        write_articles(w, ARTICLES)
    return create_app({"TESTING": True, "INDEX_PATH": str(path)}).test_client()


def expected(word: str, source: str | None = None) -> list[str]:
    """The ids of the dated articles with the word in title or body (and the source), newest first, by hand."""
    found = [a for a in ARTICLES if a.date and word in re.findall(r"\w+", f"{a.title or ''} {a.body}".lower())
             and (source is None or a.source == source)]
    return [a.id for a in sorted(found, key=lambda a: a.date, reverse=True)]


def test_feed_is_valid_atom_of_the_newest_dated_matches(client):
    response = client.get("/feed?q=storm")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{tag}") is not None, tag
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    want = expected("storm")
    assert [e.id.rsplit("/", 1)[1] for e in feed.entries] == want[:20]
    assert len(want) > 20 and "undated" not in [e.id for e in feed.entries]
    assert feed.feed.links[0].rel == "self" and feed.feed.links[0].href == "http://localhost/feed?q=storm"
    assert feed.feed.updated == feed.entries[0].updated
    first = feed.entries[0]
    article = next(a for a in ARTICLES if a.id == want[0])
    assert first.link == f"http://localhost/articles/{article.id}"
    assert first.updated == article.date.isoformat() + "Z" and first.author == article.source
    for entry in feed.entries:  # every entry opens its article page
        assert client.get(entry.link.removeprefix("http://localhost")).status_code == 200


def test_feed_keeps_filters_and_size(client):
    feed = feedparser.parse(client.get("/feed?q=storm&source=AFP&size=3").data)
    assert not feed.bozo
    assert [e.id.rsplit("/", 1)[1] for e in feed.entries] == expected("storm", "AFP")[:3]
    assert feed.feed.links[0].href == "http://localhost/feed?q=storm&source=AFP&size=3"
    assert "AFP" in feed.feed.title
    everything = feedparser.parse(client.get("/feed?size=100").data)
    assert len(everything.entries) == len([a for a in ARTICLES if a.date])


def test_feed_dates_carry_the_written_zone(client):
    feed = feedparser.parse(client.get("/feed?q=zone&size=100").data)
    assert [e.updated for e in feed.entries] == ["2016-08-01T10:30:00+02:00"]


def test_feed_escapes_what_articles_say_and_drops_control_characters(client):
    response = client.get("/feed?q=storm&size=100")
    text = response.get_data(as_text=True)
    assert "<script>" not in text and "<img" not in text and "\x0c" not in text
    assert "javascript:" not in text  # no link to anything but a web page
    feed = feedparser.parse(response.data)
    assert not feed.bozo
    evil = next(e for e in feed.entries if e.id.endswith("/evil"))
    assert evil.title.startswith("<script>alert(1)</script> & storm")  # read back as the text it was


def test_bad_parameters_are_a_400(client):
    assert client.get("/feed?from=later").status_code == 400
    assert client.get('/feed?q="unclosed').status_code == 400


def test_search_page_offers_the_feed(client):
    html = client.get("/?q=storm&source=Belga").get_data(as_text=True)
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="/feed?q=storm&amp;source=Belga"' in html
