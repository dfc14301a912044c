"""Formats are recognised from content (the name is a hint); unknown markup and undecodable text are refused."""
from __future__ import annotations

import gzip
import io
import logging
from datetime import datetime
from pathlib import Path

import pytest

from archive.readers import ReadError, pick_reader, read_bytes
from archive.readers.decode import decode_text, unicode_codec

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
STORY = ("De nieuwe fietsbrug over de Schelde is vrijdag geopend. Duizenden fietsers reden er het eerste weekend"
         " over, zei de stad.")


def read(name: str, data: bytes) -> list:
    return list(read_bytes(name, data))


def reader_of(name: str, data: bytes) -> str:
    return pick_reader(name, data[:4096]).__name__.rsplit(".", 1)[-1]


# Content first, name as a hint


def test_feed_named_html_is_read_as_a_feed() -> None:
    assert reader_of("news.html", (FIXTURES / "nieuws.rss").read_bytes()) == "feed"


def test_page_named_rss_is_read_as_a_page() -> None:
    assert reader_of("news.rss", (FIXTURES / "wire_page.html").read_bytes()) == "html"


def test_names_decide_where_content_says_nothing() -> None:
    assert reader_of("a.csv", b"title,text\nT,Body\n") == "csvfile"
    assert reader_of("a.txt", STORY.encode()) == "text"


def test_xml_that_is_not_a_feed_is_refused_with_its_root() -> None:
    data = b'<?xml version="1.0"?>\n<invoice><line>Bikes</line><total>12</total></invoice>\n'
    with pytest.raises(ReadError, match=r"XML document \(root <invoice>\) that is not an RSS"):
        read("orders.xml", data)
    with pytest.raises(ReadError, match="root <invoice>"):
        read("orders.txt", data)  # whatever the name


def test_unknown_sgml_is_refused() -> None:
    data = b'<!DOCTYPE memo SYSTEM "memo.dtd">\n<MEMO><TO>Desk</TO><BODY>Text of the memo here.</BODY></MEMO>\n'
    with pytest.raises(ReadError, match=r"SGML document \(DOCTYPE memo, root <MEMO>\)"):
        read("memo.sgm", data)


def test_a_dtd_is_refused() -> None:
    data = b"<!-- a DTD -->\n<!ELEMENT MEMO - - (TO, BODY)>\n<!ELEMENT TO - - (#PCDATA)>\n"
    with pytest.raises(ReadError, match="a DTD"):
        read("memo.txt", data)


def test_angle_bracketed_name_in_text_is_not_markup() -> None:
    [art] = read("story.txt", b"<Sandoz AG> said it planned a joint venture to produce herbicides in the region.\n")
    assert art.body.startswith("<Sandoz AG> said")


def test_html_fragment_is_read_as_html() -> None:
    data = f"<div><p>{STORY}</p><p>{STORY}</p></div>".encode()
    [art] = read("fragment.txt", data)
    assert "<p>" not in art.body and art.body.startswith("De nieuwe fietsbrug")


def test_gz_that_is_not_gzip_is_refused() -> None:
    with pytest.raises(ReadError, match="named gz but not gzip data"):
        read("story.txt.gz", STORY.encode())


def test_list_of_codes_is_not_an_article() -> None:
    with pytest.raises(ReadError, match="a list of 6 words or codes"):
        read("places.txt", b"afghanistan\nalbania \nalgeria\namerican-samoa\nandorra\nangola\n")


# Feeds with a DOCTYPE: RDF (RSS 1.0) with an internal subset, CDF


RDF = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
  <!ENTITY % HTMLlat1 PUBLIC "-//W3C//ENTITIES Latin 1 for XHTML//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml-lat1.ent">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example/"><title>RDF Example Daily</title><link>https://rdf.example/</link>
    <description>d</description></channel>
  <item rdf:about="https://rdf.example/brug">
    <title>Fietsbrug open</title><link>https://rdf.example/brug</link>
    <description>{story}</description><dc:date>2016-09-09T00:34:00+02:00</dc:date>
  </item>
</rdf:RDF>
"""

CDF = """<?xml version="1.0"?>
<!DOCTYPE CHANNEL SYSTEM "http://www.w3.org/TR/NOTE-CDFsubmit.html">
<CHANNEL HREF="https://cdf.example/" BASE="https://cdf.example/" LASTMOD="2016-09-09T00:34">
  <TITLE>CDF Example Channel</TITLE>
  <ABSTRACT>News in a channel</ABSTRACT>
  <ITEM HREF="https://cdf.example/brug" LASTMOD="2016-09-09T00:34">
    <TITLE>Fietsbrug open</TITLE>
    <ABSTRACT>{story}</ABSTRACT>
  </ITEM>
</CHANNEL>
"""


def test_rdf_feed_with_a_doctype_subset_reads_as_a_feed() -> None:
    [art] = read("daily.xml", RDF.format(story=STORY).encode())
    assert (art.title, art.source, art.url) == ("Fietsbrug open", "RDF Example Daily", "https://rdf.example/brug")
    assert art.date == datetime(2016, 9, 9, 0, 34) and art.body == STORY


def test_cdf_channel_reads_as_a_feed() -> None:
    assert reader_of("channel.cdf", CDF.format(story=STORY).encode()) == "feed"
    [art] = read("channel.cdf", CDF.format(story=STORY).encode())
    assert art.title == "Fietsbrug open" and art.body == STORY and not art.body.startswith("<?xml")


# Encodings


RSS = """<?xml version="1.0"{decl}?>
<rss version="2.0"><channel><title>{source}</title>
<item><title>{title}</title><link>https://enc.example/1</link><description>{body}</description>
<pubDate>Fri, 09 Sep 2016 00:34:00 +0200</pubDate></item></channel></rss>
"""


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_feeds_with_and_without_bom(codec: str) -> None:
    decl = f' encoding="{codec.upper()}"' if codec in ("utf-16", "utf-32") else ""
    text = RSS.format(decl=decl, source="Krant", title="Brug geopend in België", body=STORY + " Één dag.")
    [art] = read("feed.xml", text.encode(codec))
    assert art.title == "Brug geopend in België" and art.body.endswith("Één dag.")


@pytest.mark.parametrize("codec, title, body", [
    ("koi8_r", "Новый мост открыт", "Новый велосипедный мост через реку открыли в пятницу, сообщили власти города."),
    ("euc_jp", "新しい橋が開通", "金曜日に川に架かる新しい自転車橋が開通したと市当局が発表しました。週末には数千人が渡りました。"),
    ("shift_jis", "新しい橋が開通", "金曜日に川に架かる新しい自転車橋が開通したと市当局が発表しました。週末には数千人が渡りました。"),
])
def test_undeclared_feed_encodings_are_detected(codec: str, title: str, body: str,
                                                caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        [art] = read("feed.rss", RSS.format(decl="", source="Krant", title=title, body=body).encode(codec))
    assert (art.title, art.body) == (title, body)
    assert "(detected)" in caplog.text


def test_utf16_text_and_page() -> None:
    [art] = read("story.txt", ("9/09/16 - 00u34 Bron: Belga\n\n" + STORY).encode("utf-16"))
    assert art.body == STORY and art.source == "Belga"
    page = (FIXTURES / "wire_page.html").read_text(encoding="utf-8").replace('charset="utf-8"', "")
    [html] = read("page.html", page.encode("utf-16-le"))
    assert html.source == "Belga" and html.date == datetime(2016, 9, 9, 0, 34)


def test_undecodable_text_is_refused_not_mojibake() -> None:
    with pytest.raises(ReadError, match="no encoding can be told with confidence"):
        read("story.txt", bytes(range(128, 256)) * 2 + b" text")


def test_western_text_still_reads_as_windows_1252() -> None:
    text = "Le président a déclaré que l’économie française était forte — très forte."
    assert decode_text(text.encode("cp1252")) == text


def test_a_stray_byte_in_utf8_is_replaced_not_mojibake() -> None:
    text = "Le président a déclaré que l’économie était forte."
    assert decode_text(text.encode("utf-8") + b"\xff") == text + "\ufffd"


def test_nul_pattern_tells_utf16_from_binary() -> None:
    assert unicode_codec("Брюссель, 9 сентября".encode("utf-16-le")) == "utf-16-le"
    assert unicode_codec(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4) is None


# ARC web archives (warcio reads them; it writes only WARC, so the ARC bytes are laid out here)


def _arc(pages: list[tuple[str, int, str, bytes]], compress: bool = False) -> bytes:
    """Build an ARC (version 1) file: a filedesc record, then one record per HTTP response."""
    version = b"1 0 Example Crawl\nURL IP-address Archive-date Content-type Archive-length\n"
    records = [b"filedesc://crawl.arc 0.0.0.0 20200102030405 text/plain %d\n" % len(version) + version + b"\n"]
    for uri, status, content_type, body in pages:
        http = (f"HTTP/1.0 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
                .encode() + body)
        records.append(f"{uri} 192.0.2.1 20200102030405 {content_type} {len(http)}\n".encode() + http + b"\n")
    return b"".join(gzip.compress(r) for r in records) if compress else b"".join(records)


@pytest.mark.parametrize("name, compress", [("crawl.arc", False), ("crawl.arc.gz", True), ("crawl.bin", False)])
def test_arc_reads_like_warc(name: str, compress: bool) -> None:
    page = (FIXTURES / "wire_page.html").read_bytes()
    data = _arc([("https://voorbeeldblad.example/brug?utm_source=x", 200, "text/html", page),
                 ("https://voorbeeldblad.example/logo.png", 200, "image/png", b"\x89PNG" + bytes(50)),
                 ("https://voorbeeldblad.example/oud", 404, "text/html", page)], compress)
    [art] = read(name, data)
    assert art.url == "https://voorbeeldblad.example/brug?utm_source=x"
    assert art.date == datetime(2016, 9, 9, 0, 34) and art.source == "Belga"
    assert "filedesc" not in art.body and "HTTP/1.0" not in art.body


def test_arc_with_no_page_is_refused() -> None:
    with pytest.raises(ReadError, match="no HTML page"):
        read("crawl.arc", _arc([("https://x.example/a.png", 200, "image/png", b"\x89PNG" + bytes(50))]))


def test_warcio_arc_reader_is_used_by_content() -> None:
    data = _arc([("https://x.example/a", 200, "text/html", (FIXTURES / "wire_page.html").read_bytes())])
    assert reader_of("noname", data) == "warc"
    assert io.BytesIO(data).read(11) == b"filedesc://"


def test_page_after_php_warnings_is_still_html() -> None:
    data = (b"<br />\n<b>Warning</b>:  Use of undefined constant X in <b>/www/x.php</b> on line <b>9</b><br />\n"
            + (FIXTURES / "wire_page.html").read_bytes())
    assert reader_of("page", data) == "html"
