from datetime import datetime

import pytest

from archive.readers import ReadError, iter_inputs, read_bytes, read_input
from archive.readers.text import article_from_text
from archive.readers.wire import parse_dateline, parse_header

WIRE = """3/06/18 - 21u12 Bron: Persbureau Noordzee

De onderhandelaars in de Wetstraat. © pn.

BRUSSEL (Persbureau Noordzee) - Onderhandelaar Marieke Claes sprak na afloop van een constructief gesprek met N-VA en CD&V in Brussel.

Volgende stappen

Zaterdag praten de ambtsgenoten van Claes verder met de vakbonden.
"""


def read_one(text: str | bytes, name: str = "story.txt"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    articles = list(read_bytes(name, data))
    assert len(articles) == 1
    return articles[0]


def test_wire_story_parts():
    a = read_one(WIRE)
    assert a.date == datetime(2018, 6, 3, 21, 12) and a.date_has_time
    assert a.date_source == "header"
    assert a.source == "Persbureau Noordzee"
    assert a.caption == "De onderhandelaars in de Wetstraat. © pn."
    assert "©" not in a.body and a.body.startswith("BRUSSEL (Persbureau Noordzee) -")
    assert a.subheadings == ["Volgende stappen"]
    assert a.title is None and a.display_title.startswith("BRUSSEL")


@pytest.mark.parametrize(
    "line, date, source",
    [
        ("9/09/16 - 00u34 Bron: Belga", datetime(2016, 9, 9, 0, 34), "Belga"),
        ("9/09/16 - 00u34 Bron : Belga", datetime(2016, 9, 9, 0, 34), "Belga"),
        ("Publié le 9/09/2016 à 00:34 Source: Belga", datetime(2016, 9, 9, 0, 34), "Belga"),
        ("Bron: ANP", None, "ANP"),
        ("Friday 9 September 2016 00.34 BST", datetime(2016, 9, 9, 0, 34), None),
    ],
)
def test_header_lines(line, date, source):
    header = parse_header(line)
    assert header is not None
    assert (header.date.value if header.date else None) == date
    assert header.source == source


def test_sentence_is_not_a_header():
    assert parse_header("De minister zei dat de bron van het lek onbekend is, aldus de krant.") is None
    assert parse_header("Het is een mooie dag in Gent vandaag en iedereen is blij") is None


def test_dateline_gives_source_and_date():
    assert parse_dateline("GENEVA (Reuters) - Talks resumed.") == ("Reuters", None)
    agency, date = parse_dateline("PARIS, 9 septembre 2016 (AFP) - Les discussions reprennent.")
    assert agency == "AFP" and date.value == datetime(2016, 9, 9)


def test_dateline_date_used_when_no_header():
    a = read_one("PARIS, 9 septembre 2016 (AFP) - Les ministres se sont réunis à Paris pour discuter du budget.")
    assert a.source == "AFP" and a.date_source == "dateline" and a.date == datetime(2016, 9, 9)


def test_title_and_byline():
    a = read_one("Storm op komst\nDoor Jan Peeters\n\nHet KMI waarschuwt voor zware windstoten aan de kust vanavond.")
    assert a.title == "Storm op komst"
    assert a.authors == ["Jan Peeters"]
    assert a.date is None and a.date_source == "none"


def test_undated_story_stays_undated():
    a = read_one("Geen datum hier, alleen een verhaal over de haven van Antwerpen en de schepen die er wachten.")
    assert a.date is None and a.date_source == "none" and a.date_iso is None


def test_unparseable_header_date_is_not_invented():
    a = read_one("99/99/99 - 25u99 Bron: Belga\n\nDe tekst van het bericht gaat over de haven van Antwerpen.")
    assert a.source == "Belga"
    assert a.date is None and a.date_source == "none"


def test_same_story_same_id_and_different_story_different_id():
    assert read_one(WIRE).id == read_one(WIRE).id
    assert read_one(WIRE).id != read_one(WIRE.replace("Zaterdag", "Zondag")).id


def test_windows_1252_is_read():
    a = read_one("Le ministre a parlé à Liège de la réforme des écoles.".encode("cp1252"))
    assert "Liège" in a.body


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty file"),
        (b"   \n\n  ", "empty file"),
        (b"\x00\x01\x02PNG\x00\x00binary", "binary data"),
        (b"\x81\x8d\x8f\x90\x9d text", "not UTF-8"),
        (b"9/09/16 - 00u34 Bron: Belga\n\n", "no body text"),
    ],
)
def test_bad_input_is_a_clear_error(data, message):
    with pytest.raises(ReadError, match=message):
        list(read_bytes("bad.txt", data))


def test_read_input_names_the_file(tmp_path):
    bad = tmp_path / "leeg.txt"
    bad.write_bytes(b"")
    inp = next(iter_inputs([str(bad)]))
    with pytest.raises(ReadError, match="leeg.txt: empty file"):
        read_input(inp)


def test_iter_inputs_folders_globs_and_missing(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text("x")
    (tmp_path / "a" / "README.md").write_text("notes")
    (tmp_path / "two.txt").write_text("y")
    found = list(iter_inputs([str(tmp_path / "a"), str(tmp_path / "*.txt"), str(tmp_path / "nope")]))
    names = [getattr(f, "name", None) for f in found[:2]]
    assert names == [str(tmp_path / "a" / "one.txt"), str(tmp_path / "two.txt")]
    assert isinstance(found[2], ReadError) and "no such file" in str(found[2])


def test_seed_reads_perfectly(seed_path):
    a = read_one(seed_path.read_bytes(), seed_path.name)
    assert a.date == datetime(2016, 9, 9, 0, 34) and a.date_has_time and a.date_iso == "2016-09-09T00:34"
    assert a.date_source == "header" and a.source == "Belga"
    assert a.caption and a.caption.endswith("© ap.") and "Poetin" in a.caption
    assert a.subheadings == ["G20-top", "Oplossing"]
    assert "Bron:" not in a.body and "© ap." not in a.body
    assert a.body.startswith("De Amerikaanse minister")
    assert a.title is None and a.display_title


STORY = "De nieuwe fietsbrug over de Schelde is vrijdag geopend. Duizenden fietsers reden er het eerste weekend over."


def test_laatste_update_header_gives_date_and_source():
    art = article_from_text("Laatste update: 3/11/15 - 09u15 Bron: Belga\n\n" + STORY)
    assert (art.date, art.source, art.date_source, art.title) == (datetime(2015, 11, 3, 9, 15), "Belga", "header", None)
    assert art.body == STORY


def test_updated_line_before_a_wire_header_is_not_the_date():
    art = article_from_text("Updated: 10/09/16 - 08u00\n9/09/16 - 00u34 Bron: Belga\n\n" + STORY)
    assert (art.date, art.source) == (datetime(2016, 9, 9, 0, 34), "Belga")
    assert art.body == STORY


def test_unreadable_date_line_is_not_the_title():
    for line in ("Updated: 12 minutes ago", "9/09/16 - 25u99"):
        art = article_from_text(f"{line}\n\n{STORY}")
        assert art.title is None and art.date is None and art.body == STORY, line


def test_historical_date_header():
    art = article_from_text("4 augustus 1678\n\n" + STORY)
    assert (art.date, art.date_has_time) == (datetime(1678, 8, 4), False)
