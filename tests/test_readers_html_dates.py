"""Web-page dates: the page's publication metadata outranks visible dates; UTC gives way to the local day."""
from __future__ import annotations

from datetime import datetime

from archive.model import check_record
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


GERMAN = "<p>" + "Die neue Brücke über den Fluss wurde am Freitag für den Verkehr freigegeben, teilte die Stadt mit. " * 3 + "</p>"


def de_page(head: str = "", before: str = "", header: str = "", after: str = "", lang: str = "de",
            tag: str = "article") -> bytes:
    return (f"<html lang='{lang}'><head><title>Brücke</title>{head}</head><body>{before}<{tag}><h1>Brücke</h1>"
            f"<div class='meta'>{header}</div>{GERMAN}{GERMAN}</{tag}>{after}</body></html>").encode()


SIDEBAR = ("<aside><ul><li>4. November 2021</li><li>3. November 2021</li></ul></aside>"
           "<div class='teaser-list'><div>2. November 2021</div></div>")


def test_visible_date_beside_the_title_not_a_sidebar_or_teaser_date() -> None:
    for tag in ("article", "div"):  # with or without an <article> around the text
        assert date_of(de_page(before=SIDEBAR, header="5. November 2021, 10:39 Uhr", tag=tag)) == (
            datetime(2021, 11, 5, 10, 39), "header")


def test_comment_embedded_post_and_current_time_dates_are_no_publication_date() -> None:
    after = ("<section class='comments'><p>Kommentar vom 3. Februar 2022, 10:00 Uhr</p></section>"
             "<blockquote class='twitter-tweet'><p>5. Februar 2022</p></blockquote>"
             "<div>Aktuelles Datum und Uhrzeit: 11/02/20, 07:22 pm</div>")
    assert date_of(de_page(after=after)) == (None, "none")


def test_metadata_that_disagree_are_settled_by_the_date_the_page_shows() -> None:
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2023-11-03T10:25:56Z"}'
            '</script><meta property="article:published_time" content="2023-11-06T14:25:00+00:00">')
    assert date_of(de_page(head, header="6. November 2023, 15:25 Uhr"))[0].date() == datetime(2023, 11, 6).date()


def test_ambiguous_numeric_metadata_is_read_as_the_page_writes_it() -> None:
    head = '<meta name="date" content="11/01/2023 12:43:42">'
    assert date_of(de_page(head, after="<p>Erstellt am: 01.11.2023</p>")) == (
        datetime(2023, 11, 1, 12, 43, 42), "metadata")
    assert date_of(de_page(head))[0] == datetime(2023, 1, 11, 12, 43, 42)  # nothing shown: day first (German)


def test_a_date_labelled_published_anywhere_in_the_article_outranks_its_modified_date() -> None:
    footer = "<p class='small'>Letzte Änderung: 31.10.2023 - 14:49:39<br>Erschienen am: 01.11.2023<br>Lesungen: 61</p>"
    assert date_of(de_page(after=footer)) == (datetime(2023, 11, 1), "byline")
    [art] = read_bytes("page.html", de_page(after=footer))
    assert check_record(art.to_dict()) is None  # an export of it reads back


def test_published_date_written_before_an_updated_one_in_one_line() -> None:
    line = ("Posted on <time class='published'>Freitag, 15. April 2016</time>"
            "<time class='updated'>Samstag, 4. März 2017</time> by LD")
    assert date_of(de_page(header=line)) == (datetime(2016, 4, 15), "byline")


def test_press_release_dateline_opening_the_text() -> None:
    lead = "Hamburg, 2. November 2021 – " + "Die Jury hat die Preisträgerinnen des Wettbewerbs bekanntgegeben. " * 2
    assert date_of(de_page(header=f"<p>{lead}</p>")) == (datetime(2021, 11, 2), "header")


def test_spans_of_days_telephone_numbers_and_dates_in_sentences_are_not_the_date() -> None:
    header = ("<p>09.-11. September 2022</p><p>Telefon 089 12 22 20</p>"
              "<p>Der Tunnel wird vom 24. April bis 2. Oktober 2017 gesperrt, wie die Betreiber am Freitag mitteilten.</p>")
    assert date_of(de_page(header=header)) == (None, "none")


def test_numeric_dates_of_an_american_page_are_month_first() -> None:
    assert date_of(de_page(header="05/08/2019", lang="en-US"))[0] == datetime(2019, 5, 8)
    assert date_of(de_page(header="05/08/2019", lang="en-GB"))[0] == datetime(2019, 8, 5)


def test_json_ld_that_is_not_valid_json_still_gives_its_published_date() -> None:
    head = '<script type="application/ld+json">{"headline": "Brücke", "datePublished": "2022-02-02T11:14:00+01:00",}</script>'
    assert date_of(de_page(head)) == (datetime(2022, 2, 2, 11, 14), "metadata")


def test_a_japanese_article_is_text_and_its_year_first_date_is_read() -> None:
    text = "<p>" + "子どもへの虐待をなくすための法律ができて、親が体罰を禁止することになりました。" * 3 + "</p>"
    data = (f"<html lang='ja'><head><title>法律</title></head><body><article><h1>法律</h1>"
            f"<div>2023/11/02 22:27</div>{text}{text}</article></body></html>").encode()
    assert date_of(data) == (datetime(2023, 11, 2, 22, 27), "header")


def test_the_title_is_the_heading_the_page_title_names() -> None:
    data = ("<html lang='fr'><head><title>Le pont est ouvert | Journal</title></head><body>"
            "<div class='box'><h1>Nos partenaires</h1><p>12 mars 2018</p></div>"
            "<div><p>Accueil | Par Jeanne Dupont | 30 septembre 2018</p><h2>Le pont est ouvert</h2>"
            f"{TEXT}{TEXT}</div></body></html>").encode()
    assert date_of(data) == (datetime(2018, 9, 30), "header")
