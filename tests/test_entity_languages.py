"""Names in the reader's language (one key, names per language, from CLDR and the alias file) and the
archive-level type vote of the facets."""
from __future__ import annotations

from pathlib import Path

import pytest

from archive.entities import canonical_name, extract_entities
from archive.entities.languages import display_name, other_names
from archive.entities.normalise import CLDR_ALIASES, resolve
from archive.facetview import type_votes, voted


def span(text: str, written: str, label: str) -> tuple[str, int, int]:
    start = text.index(written)
    return (label, start, start + len(written))


@pytest.mark.parametrize("names", [("London", "Londen", "Londres"), ("Japan", "Japon", "Japón"),
                                   ("Vienna", "Wenen", "Vienne", "Wien", "Viena"),
                                   ("UN", "Nations unies", "Vereinte Nationen", "United Nations")])
def test_every_language_name_reaches_one_key(names: tuple[str, ...]) -> None:
    assert len({canonical_name(n) for n in names}) == 1


def test_articles_in_three_languages_store_one_key() -> None:
    found = [
        {e.name for e in extract_entities(text, lang) if e.label == "LOC"}
        for text, lang in (("The minister flew to London on Monday.", "en"),
                           ("De minister vloog maandag naar Londen.", "nl"),
                           ("Le ministre s'est rendu à Londres lundi.", "fr"))
    ]
    assert found[0] == found[1] == found[2] and len(found[0]) == 1


@pytest.mark.parametrize("lang,shown", [("en", "London"), ("nl", "Londen"), ("fr", "Londres"), ("es", "Londres"),
                                        ("de", "London"), ("it", "London"), (None, "London")])
def test_display_name_in_each_language(lang: str | None, shown: str) -> None:
    key = canonical_name("London")
    assert display_name(key, lang) == shown


def test_other_names_list_each_name_once_with_its_languages() -> None:
    assert other_names(canonical_name("London"), "en") == [("Londen", "nl"), ("Londres", "fr, es")]
    assert display_name("Nobody Known", "fr") == "Nobody Known" and other_names("Nobody Known", "fr") == []


def test_cldr_names_never_rename_a_person() -> None:
    text = "Chad Hurley spoke. Chad thanked Tchad."
    found = resolve(text, [span(text, "Chad Hurley", "PER"), ("PER", 19, 23), span(text, "Tchad", "LOC")], "en")
    assert [(e.label, e.name) for e in found] == [("PER", "Chad Hurley"), ("PER", "Chad Hurley"), ("LOC", "Chad")]


def test_a_user_line_joins_the_cldr_line_that_shares_a_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "aliases.txt"
    path.write_text("LOC: Londinium | London\nLOC: Gent | en=Ghent | fr=Gand\n", encoding="utf-8")
    monkeypatch.setenv("ARCHIVE_ALIASES", str(path))
    assert canonical_name("Londres") == canonical_name("Londen") == "Londinium"
    assert display_name("Londinium", "nl") == "Londen"
    assert canonical_name("Gand") == "Gent" and display_name("Gent", "en") == "Ghent"
    assert display_name("Gent", "nl") == "Ghent"  # no Dutch name given: the English one


def test_the_cldr_file_is_what_babel_writes() -> None:
    import babel  # pinned in the test extra: the shipped file was written with Babel 2.19.0

    assert babel.__version__ == "2.19.0", "install the test extra (pip install -e '.[test]')"
    from archive.entities import cldr

    written = CLDR_ALIASES.read_text(encoding="utf-8").splitlines()
    assert [line for line in written if not line.startswith("#")] == cldr.lines()


def test_type_vote_keeps_a_name_under_the_type_it_has_most() -> None:
    counts = {"PER": {"google": 1, "kerry": 3}, "ORG": {"google": 5}, "LOC": {"tie": 2}, "MISC": {"tie": 2}}
    votes = type_votes(counts)
    assert votes == {"google": "ORG"}
    values = {"PER": [("Kerry", 3), ("Google", 1)], "ORG": [("Google", 5)], "LOC": [("Tie", 2)],
              "MISC": [("Tie", 2)], "source": [("Google", 9)]}
    assert voted(values, votes) == values | {"PER": [("Kerry", 3)]}


def test_web_facets_and_pages_show_names_in_the_interface_language(tmp_path: Path) -> None:
    from archive.backends.whoosh.index import create_or_open, write_articles, writer
    from archive.model import Article, Entity
    from archive.web import create_app

    def story(i: int, lang: str, place: str, body: str, others: list[Entity]) -> Article:
        at = body.index(place)
        key = canonical_name(place)
        return Article(id=f"a{i}", body=body, language=lang, source="Wire",
                       entities=[Entity("LOC", at, at + len(place), place, key)] + others)

    chelsea = lambda label: [Entity(label, 0, 7, "Chelsea", "Chelsea")]  # noqa: E731
    path = tmp_path / "ix"
    with writer(create_or_open(path)) as w:
        write_articles(w, [story(1, "en", "London", "Chelsea played in London.", chelsea("ORG")),
                           story(2, "nl", "Londen", "Chelsea speelde in Londen.", chelsea("ORG")),
                           story(3, "fr", "Londres", "Chelsea a joué à Londres.", chelsea("PER"))])
    for language, shown in (("en", "London"), ("nl", "Londen"), ("fr", "Londres")):
        client = create_app({"TESTING": True, "INDEX_PATH": str(path), "LANGUAGE": language}).test_client()
        html = client.get("/").get_data(as_text=True)
        assert f'<li data-value="{shown}" data-count="3">' in html
        orgs = html.split('data-facet="org"')[1].split("</ul>")[0]
        assert 'data-value="Chelsea" data-count="2"' in orgs  # the type vote: a person once, no person facet
        assert 'data-facet="person"' not in html and 'data-value="Chelsea" data-count="1"' not in html
        entity = client.get(f"/entities/location/{shown}").get_data(as_text=True)
        assert f"<h1>{shown}</h1>" in entity and "Also named" in entity
    client = create_app({"TESTING": True, "INDEX_PATH": str(path)}).test_client()
    assert ">Londen</a>" in client.get("/articles/a2").get_data(as_text=True)  # the article's own language
    assert ">Londres</a>" in client.get("/articles/a3").get_data(as_text=True)
    assert ">London</a>" in client.get("/articles/a1").get_data(as_text=True)
    for name in ("London", "Londen", "Londres"):
        assert client.get("/api/search", query_string={"location": name}).get_json()["total"] == 3
    person = client.get("/entities/person/Chelsea").get_data(as_text=True)
    assert 'href="/entities/org/Chelsea">organisation</a> (2 articles)' in person


def test_the_word_opening_a_results_table_row_is_no_name() -> None:
    text = ("Brown-Forman Inc 4th Qtr Net\n\nLOUISVILLE, Ky., Feb 26 - Shr one dlr vs 73 cts\n\n"
            "Net 12.6 mln vs 15.8 mln\n\nRevs 337.3 mln vs 300.1 mln\n\nChairman Owsley Brown said sales grew.")
    found = {e.name for e in extract_entities(text, "en")}
    assert "Net" not in found and "Owsley Brown" in found
    assert "Net" in {e.name for e in resolve("Net 12", [("PER", 0, 3)], "en")}  # resolve keeps it: noise drops it


@pytest.mark.parametrize("text", ["Shr 24 cts\n\nNet 412,737\n\nRevs 605,321\n",
                                  "DALLAS, March 5 - Net 5,521,000 vs NA\n\nRevs 358.1 mln vs 359.2 mln\n",
                                  "Qtr ended Jan 31\n\nNet 55.3 mln dlrs vs 51.7 mln dlrs\n"])
def test_results_rows_in_their_forms(text: str) -> None:
    from archive.entities import noise

    assert noise.clean(text, [span(text, "Net", "PER")]) == []


def test_a_sports_table_row_keeps_its_name() -> None:
    from archive.entities import noise

    text = "Revs 3.1 mln vs 2.2 mln\n\nNet 12.6 mln vs 15.8 mln\n\nAjax 3 1 0 7\n"
    kept = noise.clean(text, [span(text, "Net", "PER"), span(text, "Ajax", "ORG")])
    assert [text[s:e] for _, s, e in kept] == ["Ajax"]


def test_a_sign_off_with_dots_is_no_name_and_the_agency_is_an_organisation() -> None:
    text = "Traders polled by Reuter correspondents expect a cut.\n\nA statement would follow.\n REUTER..."
    found = [(e.label, e.name, e.text) for e in extract_entities(text, "en")]
    assert ("ORG", "Reuters", "Reuter") in found and not [f for f in found if f[2] == "REUTER"]


def test_a_nationality_adjective_has_one_key_across_languages() -> None:
    dutch = [e for e in extract_entities("De Nederlandse regering sprak met de Duitse minister.", "nl")]
    english = [e for e in extract_entities("The Dutch government spoke with the German minister.", "en")]
    assert [(e.label, e.name) for e in dutch] == [(e.label, e.name) for e in english] == [("MISC", "Dutch"), ("MISC", "German")]
    assert display_name("Dutch", "nl") == "Nederlandse" and display_name("Dutch", "en") == "Dutch"
