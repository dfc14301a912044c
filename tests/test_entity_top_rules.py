"""Rules found on the most frequent facet entries of the real corpus: nationalities one key across languages,
firms named for partners, a body's common noun alone, a famous surname after the article's own full names."""
from __future__ import annotations

import pytest
from babel import Locale

from archive.entities import canonical_name, cldr, extract_entities


def found(text: str, lang: str = "en") -> list[tuple[str, str]]:
    return [(e.label, e.name) for e in extract_entities(text, lang)]


@pytest.mark.parametrize("forms", [("American", "Amerikaanse", "Americans", "Amerikanen"),
                                   ("European", "Europese", "Europeans"), ("Kuwaiti", "Koeweitse", "Kuwaitis"),
                                   ("Dutch", "Nederlandse", "Nederlanders"), ("South African", "Zuid-Afrikaanse")])
def test_a_nationality_is_one_key_in_english_and_dutch(forms: tuple[str, ...]) -> None:
    assert {canonical_name(f) for f in forms} == {forms[0]}


def test_nationality_adjectives_come_from_cldr_names_of_one_thing_in_both_languages() -> None:
    pairs = dict(cldr.adjectives(Locale("en"), Locale("nl")))
    assert pairs["Swiss"] == "Zwitserse" and pairs["European"] == "Europese" and pairs["American"] == "Amerikaans"
    assert "Hong Kong" not in pairs and "Western Canadian" not in pairs  # a place's name, two adjectives
    assert cldr._opening_adjectives("Latin America", "Latijns-Amerika") is None  # no nationality ending


def test_a_nationality_tagged_as_a_person_is_an_other_name() -> None:
    text = "Oil prices rose after Kuwaiti said output would fall. A Kuwaiti official agreed."
    assert {name for label, name in found(text) if label == "PER"} == set()
    assert ("MISC", "Kuwaiti") in found(text)


@pytest.mark.parametrize("text,name", [
    ("The notes are rated AAA by Standard and Poor's and by Moody's.", "Standard & Poor's"),
    ("Standard and Poor's Corp said it cut the rating of the notes.", "Standard & Poor's"),
    ("Ratings were lowered by Standard & Poor's on Tuesday.", "Standard & Poor's"),
    ("Leah Fenwick, an analyst at Smith Barney, Harris Upham and Co, said prices would fall.",
     "Smith Barney, Harris Upham"),
])
def test_a_firm_named_for_partners_is_one_organisation(text: str, name: str) -> None:
    assert ("ORG", name) in found(text)
    assert not any(n in ("Poor", "Poor's", "Smith Barney") for _, n in found(text))


def test_two_places_around_and_stay_two() -> None:
    assert {n for _, n in found("Talks between Britain and France's ministers ended.")} == {
        canonical_name("Britain"), canonical_name("France")}


def test_a_body_named_by_its_common_noun_is_the_article_s_full_name_or_none() -> None:
    assert found("The Bank of Japan held rates. The Bank said prices were stable.") == [
        ("ORG", "Bank of Japan"), ("ORG", "Bank of Japan")]
    assert found("The Commission said the Central Bank would act.") == []
    assert found("The U.S. Treasury sold bills. The Treasury said demand was strong.") == [
        ("ORG", "U.S. Treasury"), ("ORG", "U.S. Treasury")]
    assert found("The Treasury said demand was strong.") == [("ORG", "Treasury")]  # a name of its own


def test_a_famous_surname_gives_way_to_the_article_s_own_full_name() -> None:
    assert found("Brown said the budget would balance.") == [("PER", "Gordon Brown")]
    assert found("Nora Brown, a farmer, spoke first. Brown said the rain came late.") == [
        ("PER", "Nora Brown"), ("PER", "Nora Brown")]


def test_god_is_no_person_of_the_story() -> None:
    assert found("Thank God nobody was hurt, said Mara Jensen.") == [("PER", "Mara Jensen")]


def test_a_portfolio_before_a_job_keeps_only_its_place() -> None:
    text = "U.S. Trade Representative Clayton Yeutter said talks would resume."
    assert found(text) == [("LOC", canonical_name("U.S.")), ("PER", "Clayton Yeutter")]


def test_a_long_name_runs_on_to_its_acronym_in_parentheses() -> None:
    text = "Members of the General Agreement on Tariffs and Trade (GATT) met in Geneva. GATT said talks went well."
    assert [n for label, n in found(text) if label == "ORG"] == ["GATT"] * 3


def test_the_sentence_s_article_is_no_part_of_a_known_body() -> None:
    assert found("The Group of Seven (G-7) agreed on rates.") == [("ORG", "Group of Seven")] * 2


def test_credit_ratings_are_no_names_where_the_story_speaks_of_ratings() -> None:
    text = "The notes are rated A-1 by Standard and Poor's and P-1 by Moody's; the AAA rating stands."
    assert [name for _, name in found(text)] == ["Standard & Poor's", "Moody's Investors Service"]
    assert found("A B-1 bomber flew over the base.") == [("MISC", "B-1")]  # no rating spoken of


def test_the_carmaker_alone_and_the_actor_of_the_article() -> None:
    assert found("Ford said car sales rose in March.") == [("ORG", "Ford Motor")]
    assert found("Harrison Ford starred. Ford said filming was fun.") == [("PER", "Harrison Ford")] * 2
