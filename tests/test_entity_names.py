"""Tests of name resolution: one entity, one name (titles, initials, suffixes, states, party tags, datelines)."""
from __future__ import annotations

from pathlib import Path

import pytest

from archive.entities import extract_entities
from archive.entities.names import person_form, state_name, strip_title, title_case
from archive.entities.normalise import resolve


def names(text: str, lang: str) -> set[tuple[str, str]]:
    return {(e.label, e.name) for e in extract_entities(text, lang)}


def span(text: str, written: str, label: str) -> tuple[str, int, int]:
    start = text.index(written)
    return (label, start, start + len(written))


@pytest.mark.parametrize("text,lang,written", [
    ("Yesterday Mr. Halvorsen said the plant would close.", "en", "Mr. Halvorsen"),
    ("Later Sen. Halvorsen voted against the bill.", "en", "Sen. Halvorsen"),
    ("Volgens mevrouw Halvorsen is het plan klaar.", "nl", "mevrouw Halvorsen"),
    ("Selon M. Halvorsen, le plan est prêt.", "fr", "M. Halvorsen"),
    ("Selon Mme Halvorsen, le plan est prêt.", "fr", "Mme Halvorsen"),
    ("Laut Frau Halvorsen ist der Plan fertig.", "de", "Frau Halvorsen"),
    ("Según la Sra. Halvorsen, el plan está listo.", "es", "Sra. Halvorsen"),
])
def test_a_title_is_cut_off_and_makes_a_person(text: str, lang: str, written: str) -> None:
    found = resolve(text, [span(text, written, "LOC")], lang)  # the model took it for a place
    assert [(e.label, e.name, e.text) for e in found] == [("PER", "Halvorsen", "Halvorsen")]


def test_a_title_before_the_mention_makes_a_person() -> None:
    text = "The visit of Mr. Ostrander ended early."
    assert [(e.label, e.name) for e in resolve(text, [span(text, "Ostrander", "LOC")], "en")] == [("PER", "Ostrander")]


def test_an_initial_is_no_title_outside_french() -> None:
    assert strip_title("M. Azharuddin batted", 0, 13, "en") == (0, False)
    assert strip_title("M. Azharuddin a dit", 0, 13, "fr") == (3, True)


@pytest.mark.parametrize("written,form", [
    ("Donald J. Trump", "Donald Trump"), ("Robert S. Mueller III", "Robert Mueller"),
    ("Walter P. Grimsby Jr.", "Walter Grimsby"), ("George H.W. Pellegrin", "George Pellegrin"),
    ("J. Pellegrin", "J. Pellegrin"), ("Michael P.", "Michael P."), ("Anna Maria Berg", "Anna Maria Berg"),
])
def test_person_form_drops_middle_initials_and_suffixes(written: str, form: str) -> None:
    assert person_form(written) == form


def test_initials_and_suffixes_give_one_person() -> None:
    text = ("Robert S. Mueller III met Robert Mueller's staff. Mueller said Donald J. Trump and Donald Trump "
            "were the same man, as Mr. Trump agreed.")
    people = {e.name for e in extract_entities(text, "en") if e.label == "PER"}
    assert people == {"Robert Mueller", "Donald Trump"}


def test_the_alias_file_keeps_a_name_whose_initial_tells_people_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "aliases.txt"
    path.write_text("PER: Harold T. Quist | Harold T Quist\n", encoding="utf-8")
    monkeypatch.setenv("ARCHIVE_ALIASES", str(path))
    text = "Harold T Quist spoke, and so did Maria T. Quist."
    found = resolve(text, [span(text, "Harold T Quist", "PER"), span(text, "Maria T. Quist", "PER")], "en")
    assert [e.name for e in found] == ["Harold T. Quist", "Maria Quist"]


def test_party_tags_are_no_places() -> None:
    text = "Senator Ann Kowalczyk (D-N.Y.) and Rep. Tom Berrigan, R-Calif., backed the bill in Albany."
    found = names(text, "en")
    assert ("LOC", "Albany") in found
    assert not {n for label, n in found if label == "LOC"} - {"Albany"}
    assert {("PER", "Ann Kowalczyk"), ("PER", "Tom Berrigan")} <= found


@pytest.mark.parametrize("abbr,state", [("Calif.", "California"), ("Calif", "California"), ("N.Y.", "New York"),
                                        ("Conn", "Connecticut"), ("W.Va.", "West Virginia"), ("Paris", None)])
def test_state_abbreviations(abbr: str, state: str | None) -> None:
    assert state_name(abbr) == state


def test_state_abbreviation_resolves_to_the_state() -> None:
    text = "The plant in Fresno, Calif., will close, and a plant in Calif. opens."
    found = [e.name for e in resolve(text, [span(text, "Calif", "LOC")], "en")]
    assert found == ["California"]


@pytest.mark.parametrize("text,place,state", [
    ("MAPLE RIDGE, Calif., March 2 - Orchard Valley Foods Inc said it sold a plant.", "Maple Ridge", "California"),
    ("HOLLOWAY, Del, Feb 26 - The Brandt Co said it would redeem its notes.", "Holloway", "Delaware"),
    ("TOKYO, March 3 - Tokyo stocks fell sharply, dealers said.", "Tokyo", None),
])
def test_wire_dateline_place_and_state(text: str, place: str, state: str | None) -> None:
    ents = extract_entities(text, "en")
    found = {(e.label, e.name) for e in ents}
    assert ("LOC", place) in found
    assert state is None or ("LOC", state) in found
    assert all(text[e.start:e.end] == e.text for e in ents)


def test_capital_dateline_takes_the_case_of_the_article() -> None:
    text = "PORT MERIDIAN (Coast Wire) - Ferries left Port Meridian on time, the harbour said."
    assert {e.name for e in extract_entities(text, "en") if e.label == "LOC"} == {"Port Meridian"}


def test_title_case_keeps_particles_low() -> None:
    assert title_case("RIO DE JANEIRO") == "Rio de Janeiro"
    assert title_case("WINSTON-SALEM") == "Winston-Salem"


# Fewer false entities (noise.py): invented wire copy, headlines and articles.
from archive.entities import noise  # noqa: E402

RESULTS = ("NEW HARBOR, Conn., March 4 - Qtly div 12 cts vs 10 cts prior\n\nOper shr 40 cts vs 31 cts\n\n"
           "Qtr Net 4,100,000 vs 3,200,000\n\nAvg shrs 9,800,000\n\nHollister Foods Inc <HLF> said the payout is "
           "due April 1. REUTER\n")


def test_results_table_codes_tickers_and_sign_off_are_no_entities() -> None:
    ents = extract_entities(RESULTS, "en")
    assert not [e for e in ents if {"Qtly", "Oper", "Qtr", "Avg", "REUTER"} & set(e.text.split())]
    assert not [e for e in ents if "<" in e.text]
    assert {("LOC", "New Harbor"), ("LOC", "Connecticut")} <= {(e.label, e.name) for e in ents}


def test_a_headline_fragment_needs_the_body() -> None:
    text = "Okafor Mocks Harbour Plan\n\nCouncillor Linda Okafor laughed at the plan on Tuesday.\n"
    mentions = [span(text, "Okafor Mocks", "PER"), span(text, "Harbour Plan", "ORG"), span(text, "Linda Okafor", "PER")]
    kept = noise.supported_headlines(text, mentions)
    assert [text[s:e] for _, s, e in kept] == ["Okafor", "Linda Okafor"]


def test_headline_lines() -> None:
    text = "PORT AUTHORITY SETS NEW FEES\n\nThe Port Authority Of Nowhere Said So On Monday\nIt did."
    assert [text[s:e] for s, e in noise.headline_lines(text + "\n" + "Long body text goes on here. " * 9)] == [
        "PORT AUTHORITY SETS NEW FEES", "The Port Authority Of Nowhere Said So On Monday"]
    assert noise.headline_lines("Gestern traf Angela Merkel in Berlin den Präsidenten Frankreichs") == []


def test_a_name_written_whole_elsewhere_is_one_mention() -> None:
    text = "Forum voor Democratie won. Leider Thierry Baudet (Forum voor Democratie) sprak."
    second = text.rindex("Forum")
    mentions = [span(text, "Forum voor Democratie", "ORG"), ("ORG", second, second + 5),
                ("PER", second + 11, second + 21)]
    assert noise.whole_names(text, mentions) == [mentions[0], ("ORG", second, second + 21)]


def test_a_first_name_alone_is_the_person_of_the_article() -> None:
    text = "Thierry Baudet sprak in Assen. Later riep Thierry dat hij bleef."
    found = resolve(text, [span(text, "Thierry Baudet", "PER"), ("PER", text.rindex("Thierry"), text.rindex("Thierry") + 7)], "nl")
    assert [e.name for e in found] == ["Thierry Baudet", "Thierry Baudet"]


@pytest.mark.parametrize("name,noun", [("Christmas", True), ("Kerstmis", True), ("March", True), ("New Year", True),
                                       ("TV", True), ("Christmas Island", False), ("Theresa May", False)])
def test_dates_holidays_and_common_nouns_are_no_names(name: str, noun: bool) -> None:
    assert noise.not_a_name(name) is noun


def test_a_month_stays_a_surname() -> None:
    text = "Theresa May flew to Brussels before Christmas. May said talks went well, and in May they resume."
    ents = extract_entities(text, "en")
    assert "Christmas" not in {e.name for e in ents}
    assert {e.name for e in ents if e.text == "May" and e.label == "PER"} <= {"Theresa May"}


def test_acronyms_and_legal_forms_give_one_organisation() -> None:
    text = ("The Maritime Safety Bureau (MSB) fined Lindqvist Tanker Lines Inc on Monday. The MSB said "
            "Lindqvist Tanker Lines would appeal.")
    mentions = [span(text, "Maritime Safety Bureau", "ORG"), span(text, "MSB", "ORG"),
                span(text, "Lindqvist Tanker Lines Inc", "ORG"), ("ORG", text.rindex("MSB"), text.rindex("MSB") + 3),
                ("ORG", text.rindex("Lindqvist"), text.rindex("Lindqvist") + 22)]
    found = {e.name for e in resolve(text, mentions, "en")}
    assert found == {"Maritime Safety Bureau", "Lindqvist Tanker Lines"}
