"""Readers for JSON, JSON Lines, CSV, HTML, feeds and WARC, exercised through the registry."""
from __future__ import annotations

import collections
import gzip
import io
import json
import logging
import socket
from datetime import datetime
from pathlib import Path

import pytest

from .conftest import SHARED as SHARED_ROOT
from .conftest import need_shared

from archive.model import Article
from archive.readers import ReadError, jsonfile, read_bytes
from archive.readers.fields import parse_field_map

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
ROOT = Path(__file__).resolve().parent.parent
SHARED = SHARED_ROOT / "data"


def read(name: str, data: bytes | None = None) -> list[Article]:
    """Read a fixture (or given bytes) through the registry."""
    if data is None:
        data = (FIXTURES / name).read_bytes()
    return list(read_bytes(name, data))


@pytest.fixture(autouse=True)
def no_field_map_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARCHIVE_FIELD_MAP", raising=False)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any attempt to open a network connection fail the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a reader tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


# JSON and JSON Lines


def test_news_please_record_maps_every_field() -> None:
    [art] = read("newsplease.json")
    assert art.title == "Haven van Antwerpen breekt record"
    assert art.body.startswith("De haven van Antwerpen heeft vorig jaar")
    assert "\n\nVooral de containertrafiek" in art.body
    assert (art.date, art.date_has_time, art.date_source) == (datetime(2016, 9, 9, 0, 34), True, "metadata")
    assert art.source == "voorbeeldkrant.example"
    assert art.authors == ["Pieter Claes", "An De Smet"]
    assert art.language == "nl"
    assert art.url == "https://voorbeeldkrant.example/economie/haven-record"
    assert art.origin == "newsplease.json"


def test_wrapper_object_with_articles_list(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        fr, en = read("wrapped.json")
    assert fr.title == "Un nouveau pont cyclable sur la Meuse"
    assert fr.source == "Le Quotidien Exemple"  # {"name": ...} object
    assert fr.authors == ["Marie Dupont", "Luc Martin"]  # "Par X et Y"
    assert fr.body == (
        "Le nouveau pont cyclable sur la Meuse a été inauguré vendredi à Namur.\n\n"
        "Il relie les deux rives sur 250 mètres et a coûté 12 millions d'euros."
    )
    assert (fr.date, fr.date_has_time) == (datetime(2016, 9, 9, 14, 5), True)
    assert fr.language == "fr" and fr.url == "https://quotidien.example/regions/pont-meuse"
    assert en.source == "The Example Times" and en.authors == ["John Smith"]
    assert (en.date, en.date_tz) == (datetime(2016, 9, 9, 9, 15), "BST")
    assert "skipped 1 record(s) with no body text" in caplog.text


def test_json_lines_skips_a_broken_line_and_reads_the_rest(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        arts = read("records.jsonl")
    assert [a.title for a in arts] == ["Regen zorgt voor files", "Nouvelle ligne de tram à Liège", "Harbour seals return"]
    assert [a.origin for a in arts] == ["records.jsonl:1", "records.jsonl:2", "records.jsonl:4"]
    assert "line 3 skipped" in caplog.text
    assert arts[1].date == datetime(2016, 9, 9) and not arts[1].date_has_time


def test_unparseable_date_leaves_the_article_undated() -> None:
    seals = read("records.jsonl")[2]
    assert (seals.date, seals.date_source, seals.date_has_time) == (None, "none", False)


def test_json_lines_with_no_good_line_is_an_error() -> None:
    with pytest.raises(ReadError, match="no line is a JSON object.*line 1"):
        read("bad.jsonl", b'{"title": "x", "text": \n[1, 2]\n')


def test_record_id_gives_a_stable_article_id() -> None:
    first = read("a/records.jsonl", (FIXTURES / "records.jsonl").read_bytes())
    again = read("b/records.jsonl", (FIXTURES / "records.jsonl").read_bytes())
    assert [a.id for a in first] == [a.id for a in again]
    edited = (FIXTURES / "records.jsonl").read_text().replace("300 kilometer", "400 kilometer").encode()
    assert read("records.jsonl", edited)[0].id == first[0].id  # same record, new text: an update
    assert len({a.id for a in first}) == 3


def test_placeholder_and_reused_record_ids_are_not_trusted() -> None:
    lines = [
        {"uuid": "empty", "source": "hpo", "text": "First story about the harbour."},
        {"uuid": "empty", "source": "hpo", "text": "Second story about the library."},
        {"uuid": "7", "source": "hpo", "text": "Third story about the ferry."},
        {"uuid": "7", "source": "hpo", "text": "Fourth story about the museum."},
    ]
    data = "\n".join(json.dumps(line) for line in lines).encode()
    assert len({a.id for a in read("ids.jsonl", data)}) == 4


def test_basil_style_nested_body_is_joined_into_paragraphs() -> None:
    [art] = read("nested_body.json")
    assert art.body == (
        "The town council approved six kilometres of new bike lanes on Monday. Work starts in June.\n\n"
        "Shop owners on Main Street had asked for fewer parking spaces to be removed."
    )
    assert art.source == "EXA" and art.date == datetime(2012, 5, 14)


def test_body_as_list_of_paragraphs() -> None:
    data = json.dumps([{"title": "T", "paragraphs": ["One paragraph here.", "", "Another one."]}]).encode()
    assert read("list.json", data)[0].body == "One paragraph here.\n\nAnother one."


def test_explicit_field_map_argument() -> None:
    data = (FIXTURES / "custom.jsonl").read_bytes()
    mapping = {"title": "kop", "body": "story", "date": "pubtime", "source": "krant.naam", "id": "nr"}
    first, second = jsonfile.read("custom.jsonl", data, field_map=mapping)
    assert first.title == "Nieuwe burgemeester in Temse"
    assert first.source == "De Voorbeeldkrant"
    assert (first.date, first.date_has_time) == (datetime(2016, 9, 9, 10, 30), True)
    assert second.title == "Markt verhuist naar het plein"


def test_field_map_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_FIELD_MAP", "title=kop, date=pubtime")
    first = read("custom.jsonl")[0]
    assert first.title == "Nieuwe burgemeester in Temse" and first.date == datetime(2016, 9, 9, 10, 30)


def test_field_map_dash_leaves_a_field_unread() -> None:
    [art] = jsonfile.read("newsplease.json", (FIXTURES / "newsplease.json").read_bytes(), field_map={"date": "-"})
    assert art.date is None and art.date_source == "none"


def test_bad_field_maps_are_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_field_map("body=story,date=pubtime") == {"body": "story", "date": "pubtime"}
    with pytest.raises(ValueError, match="not FIELD=KEY"):
        parse_field_map("body")
    with pytest.raises(ValueError, match="unknown field 'bdy'"):
        parse_field_map("bdy=story")
    monkeypatch.setenv("ARCHIVE_FIELD_MAP", "story")
    with pytest.raises(ReadError, match="ARCHIVE_FIELD_MAP"):
        read("custom.jsonl")


def test_records_without_body_name_the_keys_and_the_map_option() -> None:
    data = b'{"id": "1", "partisan": "true", "publisher": "vk"}\n{"id": "2", "partisan": "false", "publisher": "ad"}\n'
    with pytest.raises(ReadError, match=r"keys seen: id, partisan, publisher.*--map body="):
        read("labels.jsonl", data)


def test_json_lines_under_a_json_name_and_on_stdin() -> None:
    data = (FIXTURES / "newsplease.json").read_bytes().replace(b"\n", b"") * 2
    assert len(read("two.json", data.replace(b"}{", b"}\n{"))) == 2
    assert read("-", (FIXTURES / "wrapped.json").read_bytes())[0].title.startswith("Un nouveau pont")


def test_unix_timestamps_are_read_as_utc() -> None:
    data = json.dumps({"text": "A story with a timestamp.", "timestamp_ms": 0, "published": 1473374040}).encode()
    art = read("ts.json", data)[0]
    assert (art.date, art.date_tz, art.date_has_time) == (datetime(2016, 9, 8, 22, 34), "+00:00", True)


def test_archive_export_records_are_rebuilt_as_they_were() -> None:
    article = Article(body="Een kort bericht over de haven.", title="Haven", source="Belga", origin="old.txt")
    data = (json.dumps(article.to_dict()) + "\n").encode()
    [again] = read("dump.jsonl", data)
    assert again.to_dict() == article.to_dict()


# CSV


def test_csv_with_semicolons_and_a_multiline_body(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        school, pool = read("articles.csv")
    assert school.title == "Schoolstraat wordt autovrij"
    assert school.body == (
        "Vanaf maandag is de Schoolstraat tijdens de schooluren autovrij.\n\n"
        "Ouders reageren tevreden; de buurt iets minder."
    )
    assert (school.date, school.date_has_time) == (datetime(2016, 9, 12, 7, 45), True)
    assert school.authors == ["Els Voorbeeld", "Jan Peeters"]
    assert school.origin == "articles.csv:2"
    assert pool.date == datetime(2016, 9, 13) and pool.authors == []
    assert "skipped 1 record(s)" in caplog.text


def test_tsv() -> None:
    ferry, museum = read("articles.tsv")
    assert ferry.title == "Ferry service restored" and ferry.source == "The Example Times"
    assert (ferry.date, ferry.date_tz) == (datetime(2016, 9, 13, 16, 20), "+01:00")
    assert museum.url == "https://times.example/museum"


def test_csv_with_a_header_only_has_no_article() -> None:
    with pytest.raises(ReadError, match="no article found"):
        read("header.csv", b"title,text,date\n")


# HTML


def test_html_page_with_wire_header_line(no_network: None) -> None:
    [art] = read("wire_page.html")
    assert art.title == "Nieuwe fietsbrug over de Schelde geopend"
    assert (art.date, art.date_has_time, art.date_source) == (datetime(2016, 9, 9, 0, 34), True, "header")
    assert art.source == "Belga"
    assert art.url == "https://voorbeeldblad.example/binnenland/fietsbrug-schelde"
    assert art.language == "nl" and art.authors == ["Els Voorbeeld"]
    assert art.body.startswith("De nieuwe fietsbrug over de Schelde in Temse")
    assert "Bron:" not in art.body and "Binnenland" not in art.body and "rechten" not in art.body
    assert art.subheadings == ["Minder omrijden"]


def test_html_page_date_from_json_ld_not_from_the_menu(no_network: None) -> None:
    [art] = read("jsonld_page.html")
    assert (art.date, art.date_tz, art.date_source) == (datetime(2016, 9, 9, 14, 5), "+02:00", "metadata")
    assert art.source == "Le Quotidien Exemple" and art.language == "fr"
    assert art.authors == ["Marie Dupont"]
    assert art.body.count("\n\n") == 2


def test_html_page_without_article_text() -> None:
    with pytest.raises(ReadError, match="no article text found in this HTML page"):
        read("empty_page.html")


def test_html_in_windows_1252_with_a_meta_charset() -> None:
    page = (FIXTURES / "jsonld_page.html").read_text(encoding="utf-8").replace('charset="utf-8"', 'charset="windows-1252"')
    [art] = read("page.htm", page.encode("cp1252"))
    assert "inauguré ce vendredi" in art.body


def test_html_is_sniffed_without_a_suffix() -> None:
    [art] = read("download", (FIXTURES / "wire_page.html").read_bytes())
    assert art.source == "Belga"


# Feeds


def test_rss_feed_with_dutch_dates_and_full_text(no_network: None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        brug, staking = read("nieuws.rss")
    assert brug.title == "Nieuwe fietsbrug over de Schelde geopend"
    assert brug.body == (
        "De nieuwe fietsbrug over de Schelde in Temse is vrijdag geopend.\n\n"
        "De brug is 320 meter lang & verbindt beide oevers."
    )
    assert (brug.date, brug.date_tz, brug.date_source) == (datetime(2016, 9, 9, 0, 34), "+02:00", "metadata")
    assert brug.source == "De Voorbeeldkrant - Binnenland" and brug.language == "nl"
    assert brug.url == "https://voorbeeldkrant.example/binnenland/fietsbrug"
    assert brug.authors == ["Els Voorbeeld"]
    assert staking.body.startswith("Door een staking rijden er zaterdag nauwelijks treinen.")
    assert "<br" not in staking.body and staking.date == datetime(2016, 9, 10, 7, 0)
    assert "skipped 1 entry with no text" in caplog.text


@pytest.mark.parametrize(
    ("written", "expected", "tz"),
    [
        ("ven., 09 sept. 2016 14:05:00 +0200", datetime(2016, 9, 9, 14, 5), "+02:00"),
        ("Fri, 09 Sep 2016 00:34:00 GMT", datetime(2016, 9, 9, 0, 34), "GMT"),
        ("vrijdag 9 september 2016", datetime(2016, 9, 9), None),
        ("binnenkort", None, None),
    ],
)
def test_feed_dates_as_written(written: str, expected: datetime | None, tz: str | None) -> None:
    item = f"<item><title>T</title><description>Een kort bericht.</description><pubDate>{written}</pubDate></item>"
    data = f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{item}</channel></rss>'.encode()
    [art] = read("dates.xml", data)
    assert (art.date, art.date_tz, art.date_source) == (expected, tz, "metadata" if expected else "none")


def test_atom_feed() -> None:
    ferry, museum = read("news.atom")
    assert ferry.title == "Ferry service restored"  # type="html" title stripped
    assert ferry.body.endswith("Extra crossings are planned for the weekend.")
    assert (ferry.date, ferry.date_tz) == (datetime(2016, 9, 13, 16, 20), "+01:00")  # published, not updated
    assert museum.url is None and museum.date == datetime(2016, 9, 14, 8, 0)
    assert read("news.atom")[1].id == museum.id  # the entry id keeps it stable


def test_feed_with_titles_only_is_an_error() -> None:
    data = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>Only a title</title></item></channel></rss>'
    with pytest.raises(ReadError, match="no feed entry has text"):
        read("headlines.xml", data)


def test_truncated_feed_reads_entries_before_the_break() -> None:
    data = (FIXTURES / "nieuws.rss").read_bytes()
    cut = data[: data.index(b"<item>", data.index(b"<item>") + 1) + 30]
    arts = read("cut.rss", cut)
    assert arts[0].title == "Nieuwe fietsbrug over de Schelde geopend"


# WARC


def _warc(pages: list[tuple[str, int, str, bytes]], compress: bool = False) -> bytes:
    """Build a WARC of HTTP responses (uri, status, content type, body) with a request record in between."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=compress)
    for uri, status, content_type, body in pages:
        get = b"GET / HTTP/1.1\r\n\r\n"
        request = writer.create_warc_record(uri, "request", payload=io.BytesIO(get), length=len(get))
        writer.write_record(request)
        headers = StatusAndHeaders(f"{status} X", [("Content-Type", content_type)], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            uri, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers,
            warc_headers_dict={"WARC-Date": "2020-01-02T03:04:05Z"},
        )
        writer.write_record(record)
    return out.getvalue()


def _warc_pages() -> list[tuple[str, int, str, bytes]]:
    return [
        ("https://voorbeeldblad.example/brug", 200, "text/html; charset=utf-8", (FIXTURES / "wire_page.html").read_bytes()),
        ("https://voorbeeldblad.example/oud", 404, "text/html", (FIXTURES / "jsonld_page.html").read_bytes()),
        ("https://voorbeeldblad.example/logo.png", 200, "image/png", b"\x89PNG\r\n\x1a\n" + bytes(200)),
        ("https://voorbeeldblad.example/login", 200, "text/html", (FIXTURES / "empty_page.html").read_bytes()),
        ("https://quotidien.example/namur", 200, "text/html", (FIXTURES / "jsonld_page.html").read_bytes()),
    ]


def test_warc_reads_html_responses_with_their_target_uri(no_network: None) -> None:
    brug, namur = read("crawl.warc", _warc(_warc_pages()))
    assert brug.url == "https://voorbeeldblad.example/brug"
    assert brug.date == datetime(2016, 9, 9, 0, 34) and brug.source == "Belga"
    assert namur.url == "https://quotidien.example/namur"
    assert brug.origin and brug.origin.startswith("crawl.warc@")


def test_warc_crawl_date_is_never_the_article_date() -> None:
    page = b"<html><body><article>" + b"<p>" + b"A story without any date written in the page itself at all. " * 5 + b"</p></article></body></html>"
    [art] = read("crawl.warc", _warc([("https://x.example/a", 200, "text/html", page)]))
    assert (art.date, art.date_source) == (None, "none")


def test_gzipped_warc_is_sniffed_by_its_first_bytes() -> None:
    assert len(read("crawl.warc.gz", _warc(_warc_pages(), compress=True))) == 2
    assert len(read("crawl.bin", _warc(_warc_pages()))) == 2


def test_warc_without_html_pages() -> None:
    with pytest.raises(ReadError, match="no HTML page"):
        read("crawl.warc", _warc([("https://x.example/a.png", 200, "image/png", b"\x89PNG" + bytes(100))]))


def test_truncated_warc() -> None:
    data = _warc(_warc_pages())
    with pytest.raises(ReadError, match="not a readable WARC"):
        read("crawl.warc", b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 5000\r\n\r\nHTTP/1.1 200 OK\r\n")
    with pytest.raises(ReadError, match="not a readable WARC"):
        read("notes.warc", b"hello world, these are notes and not a web archive")
    arts = read("crawl.warc", data[: len(data) - 500])
    assert arts[0].url == "https://voorbeeldblad.example/brug"


# Corrupt and awkward input


def test_truncated_json_names_the_position() -> None:
    data = (FIXTURES / "wrapped.json").read_bytes()[:700]
    with pytest.raises(ReadError, match=r"line \d+, column \d+.*the file is truncated or not JSON"):
        read("wrapped.json", data)


def test_truncated_gzip_of_json() -> None:
    data = gzip.compress((FIXTURES / "wrapped.json").read_bytes())
    with pytest.raises(ReadError, match="truncated or corrupt"):
        read("wrapped.json.gz", data[: len(data) // 2])


def test_gzip_of_json_is_read() -> None:
    data = gzip.compress((FIXTURES / "newsplease.json").read_bytes())
    assert read("newsplease.json.gz", data)[0].title == "Haven van Antwerpen breekt record"


def test_binary_file_named_json() -> None:
    with pytest.raises(ReadError, match="binary data"):
        read("photo.json", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 4)


def test_json_in_windows_1252_is_read_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    data = '{"title": "Ontslag in België", "text": "De minister nam ontslag na één dag."}'.encode("cp1252")
    with caplog.at_level(logging.WARNING):
        [art] = read("latin.json", data)
    assert art.title == "Ontslag in België" and "één" in art.body
    assert "not UTF-8" in caplog.text


@pytest.mark.parametrize("name", ["e.json", "e.jsonl", "e.csv", "e.html", "e.rss", "e.warc"])
@pytest.mark.parametrize("data", [b"", b"  \n\n "])
def test_empty_files(name: str, data: bytes) -> None:
    with pytest.raises(ReadError, match="empty file"):
        read(name, data)


@pytest.mark.parametrize("data", [b"[]", b"{}", b'"just a string"', b"null"])
def test_json_without_records(data: bytes) -> None:
    with pytest.raises(ReadError):
        read("nothing.json", data)


@pytest.mark.slow
def test_fifty_megabyte_single_line_files(tmp_path: Path) -> None:
    body = "Een zin over de haven van Antwerpen. " * (50 * 2**20 // 37)
    good = tmp_path / "big.jsonl"
    good.write_text(json.dumps({"id": 1, "title": "Groot", "text": body}), encoding="utf-8")
    broken = tmp_path / "big.json"
    broken.write_bytes(good.read_bytes()[:-10])
    from archive.readers.limits import MAX_BODY_CHARS

    [art] = read(good.name, good.read_bytes())  # read whole, then cut at the body limit and marked
    [plain] = read("big.txt", body.encode("utf-8"))
    for article in (art, plain):
        assert MAX_BODY_CHARS - 1000 < len(article.body) <= MAX_BODY_CHARS
        assert article.body.startswith("Een zin over de haven")
        assert f"it has {len(body.strip()):,} characters" in article.body[-200:]
    with pytest.raises(ReadError, match="truncated or not JSON"):
        read(broken.name, broken.read_bytes())
    with pytest.raises(ReadError, match="no line is a JSON object"):
        read("big.jsonl", broken.read_bytes())


# Real data (../shared/data): skipped when absent unless ARCHIVE_REQUIRE_SHARED=1


def shared(folder: str) -> Path:
    """Return a folder of ../shared/data (skipped, or failed when required, where it is missing)."""
    return need_shared(SHARED / folder)


@pytest.mark.shared
def test_real_dpgmedia2019_jsonl() -> None:
    folder = shared("dpgmedia2019")
    name = folder / "dpgMedia2019-articles-byarticle.jsonl"
    arts = read(str(name), name.read_bytes())
    assert len(arts) == 766
    assert len({a.id for a in arts}) == 751  # 15 ids appear twice: the same record, one article
    assert all(a.date_source == "metadata" and not a.date_has_time for a in arts)
    dates = [a.date for a in arts if a.date]
    assert len(dates) == 766 and min(dates) == datetime(2019, 2, 12) and max(dates) == datetime(2019, 4, 11)
    assert all(a.title and len(a.body) > 100 for a in arts[:50])
    labels = folder / "dpgMedia2019-labels-byarticle.jsonl"
    with pytest.raises(ReadError, match="no record has body text"):
        read(str(labels), labels.read_bytes())
    publishers = collections.Counter(json.loads(line)["publisher"] for line in labels.read_text().splitlines())
    assert publishers["vk"] == 166 and len(publishers) == 11  # outlets come only from the labels file
    everything = folder / "dpgMedia2019-articles-byarticle-all.jsonl"
    assert len(read(str(everything), everything.read_bytes())) == 1398  # 40 of 1,438 have no text


@pytest.mark.shared
def test_real_basil_json() -> None:
    folder = shared("basil")
    arts = [a for path in sorted(folder.glob("articles/*/*.json")) for a in read(str(path), path.read_bytes())]
    assert len(arts) == 300 and len({a.id for a in arts}) == 300
    assert collections.Counter((a.source or "").lower() for a in arts) == {"fox": 100, "nyt": 100, "hpo": 100}
    dates = sorted(a.date for a in arts if a.date)
    assert len(dates) == 300 and dates[0] == datetime(2010, 2, 20) and dates[-1] == datetime(2019, 3, 28)
    assert sum(1 for a in arts if a.title) == 299
    assert all("\n\n" in a.body for a in arts if len(a.body) > 2000)


@pytest.mark.shared
def test_real_bbc_text_files_get_their_first_line_as_title() -> None:
    folder = shared("bbc")
    paths = sorted(folder.glob("*/*.txt"))
    assert len(paths) == 2225
    wrong = set()
    for path in paths:
        [art] = read(str(path), path.read_bytes())
        first = " ".join(path.read_bytes().decode("utf-8", "replace").split("\n", 1)[0].split())
        if art.title != first:
            wrong.add(f"{path.parent.name}/{path.name}")
        assert art.date is None and art.body
    assert not wrong


@pytest.mark.shared
def test_real_bbc_title_ending_in_an_ellipsis() -> None:
    path = shared("bbc") / "tech" / "301.txt"
    assert read(str(path), path.read_bytes())[0].title == "Rivals of the £400 Apple..."
