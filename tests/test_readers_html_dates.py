"""Web-page dates: the page's publication metadata outranks visible dates; UTC gives way to the local day."""
from __future__ import annotations

from datetime import datetime

from archive.readers import read_bytes

TEXT = "<p>" + "De nieuwe fietsbrug over de Schelde is vrijdag geopend, zei de stad in een korte mededeling. " * 3 + "</p>"


def page(head: str, header: str = "") -> bytes:
    return (f"<html lang='nl'><head><title>Brug</title>{head}</head><body><article><h1>Brug</h1>"
            f"<p>{header}</p>{TEXT}{TEXT}</article></body></html>").encode()


def date_of(data: bytes) -> tuple[datetime | None, str]:
    [art] = read_bytes("page.html", data)
    return art.date, art.date_source


def test_json_ld_published_outranks_other_meta_and_visible_dates() -> None:
    head = ('<meta name="date" content="2019-01-01"><script type="application/ld+json">'
            '{"@type": "NewsArticle", "datePublished": "2016-09-09T00:34:00+02:00",'
            ' "dateModified": "2016-09-12T10:00:00+02:00",'
            ' "comment": [{"@type": "Comment", "dateCreated": "2016-09-11T08:00:00+02:00"}]}</script>')
    assert date_of(page(head, "12/09/16 - 10u00")) == (datetime(2016, 9, 9, 0, 34), "metadata")


def test_modified_meta_is_never_the_publication_date() -> None:
    assert date_of(page('<meta property="article:modified_time" content="2016-09-12T10:00:00+02:00">')) == (None, "none")


def test_utc_metadata_gives_way_to_the_same_moment_in_local_time() -> None:
    head = ('<meta property="article:published_time" content="2023-11-09T01:09:55+00:00">'
            '<script type="application/ld+json">{"datePublished": "2023-11-08 18:09:55"}</script>')
    assert date_of(page(head))[0] == datetime(2023, 11, 8, 18, 9, 55)


def test_visible_local_date_confirmed_by_utc_metadata() -> None:
    head = '<meta property="article:published_time" content="2016-09-08T22:34:00Z">'
    assert date_of(page(head, "9/09/16 - 00u34 Bron: Belga")) == (datetime(2016, 9, 9, 0, 34), "header")
