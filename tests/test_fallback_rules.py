"""The rules of the fallback extractor (French and the other languages without a model), each on invented
sentences: names of people, places and bodies below are made up unless a rule needs a real list entry."""
from __future__ import annotations

import sys
from collections import Counter

import pytest

from archive.entities import extract_entities, fallback, gazetteer


def mentions(text: str, lang: str | None = "fr") -> set[tuple[str, str]]:
    """(label, text) of the fallback's raw mentions."""
    return {(label, text[s:e]) for label, s, e in fallback.extract(text, lang)}


def texts(text: str, lang: str | None = "fr") -> set[str]:
    return {t for _, t in mentions(text, lang)}


def test_curly_elided_article_is_no_part_of_a_name() -> None:
    found = texts("L’Agence Vermandoise a publié un avis. Selon l’Agence Vermandoise, le risque est faible.")
    assert "Agence Vermandoise" in found
    assert not [t for t in found if t.startswith(("L’", "l’", "C’", "J’"))]


def test_function_words_and_common_nouns_opening_a_sentence_are_no_names() -> None:
    text = "Cela change tout. Rien ne va plus. Orages : Pluie et vent. La pluie tombera toute la nuit."
    assert not texts(text)


def test_sentence_initial_word_counts_when_written_capitalised_mid_sentence() -> None:
    text = "Valbrune recrute. Le directeur de Valbrune confirme. Avis aux candidats."
    found = texts(text)
    assert "Valbrune" in found and "Avis" not in found
    starts = {s for _, s, e in fallback.extract(text, "fr") if text[s:e] == "Valbrune"}
    assert 0 in starts  # the first one too


def test_cues_before_a_name() -> None:
    text = (
        "Selon l'ONG Terravia, l'agence Santé Vermeil doute. La tempête Bérénice arrive. "
        "Les habitants de Trouvilloc s'inquiètent, explique le député Jules Carvanne."
    )
    found = mentions(text)
    assert {("ORG", "Terravia"), ("ORG", "Santé Vermeil"), ("LOC", "Trouvilloc"), ("PER", "Jules Carvanne")} <= found
    assert ("MISC", "Bérénice") in found


def test_one_label_per_name_follows_the_surest_mention() -> None:
    text = "Bérénice menace la côte\n\nLa tempête Bérénice touchera la côte jeudi, puis la tempête Bérénice faiblira."
    assert {label for label, t in mentions(text) if t == "Bérénice"} == {"MISC"}


def test_place_preposition_but_not_before_a_person() -> None:
    found = mentions("Elle vit à Montcalvet depuis mai. Le dossier a été confié à Jean-Paul Ferrandier.")
    assert ("LOC", "Montcalvet") in found
    assert ("PER", "Jean-Paul Ferrandier") in found


def test_french_institutions_run_on_in_lower_case() -> None:
    found = mentions(
        "Un rapport de l'Organisation mondiale de la météorologie, publié lundi. La Cour des comptes critique "
        "le plan. L'Académie d'horticulture répond."
    )
    assert {("ORG", "Organisation mondiale de la météorologie"), ("ORG", "Cour des comptes"),
            ("ORG", "Académie d'horticulture")} <= found


def test_lower_case_heads_join_the_name() -> None:
    found = mentions("Les huîtres du banc d'Orvelle souffrent. Elle enseigne à l'université de Montcalvet.")
    assert ("LOC", "banc d'Orvelle") in found
    assert ("ORG", "université de Montcalvet") in found


def test_two_particles_join_a_name_in_french() -> None:
    found = mentions("Il préside le Syndicat Régional de la Pêche Côtière depuis 2019.")
    assert ("ORG", "Syndicat Régional de la Pêche Côtière") in found


def test_a_given_name_after_a_particle_starts_another_name() -> None:
    found = texts("La ministre des Armées d'Emmanuel Macron a démissionné.")
    assert "Emmanuel Macron" in found and not [t for t in found if "Armées" in t and "Macron" in t]


def test_capitalised_article_mid_sentence_belongs_to_the_name() -> None:
    assert ("ORG", "Les Nouvelles Vermeilles") in mentions("L'entretien a paru dans Les Nouvelles Vermeilles mardi.")
    assert not texts("Il défend le rôle de L’État social.")


def test_acronyms_are_organisations_not_airport_codes_nor_common_nouns() -> None:
    found = mentions("Le RPR a soutenu la réforme. Une ONG dénonce les OGM et le PIB recule.")
    assert ("ORG", "RPR") in found
    assert not {"ONG", "OGM", "PIB"} & {t for _, t in found}


def test_given_names_alone_and_hyphenated() -> None:
    found = mentions("Il a rencontré Zineb mardi. Selon Marie-Pierre, la réforme est injuste.")
    assert {("PER", "Zineb"), ("PER", "Marie-Pierre")} <= found


def test_predicate_says_what_a_name_is() -> None:
    text = "Dupontex est une entreprise familiale. Les salariés de Dupontex sont inquiets."
    assert {label for label, t in mentions(text) if t == "Dupontex"} == {"ORG"}


def test_apposition_says_what_a_name_is() -> None:
    assert ("ORG", "Valméa") in mentions("Il a travaillé pour Valméa, la société de son père.")


def test_photo_credit_line_is_boilerplate() -> None:
    text = "Le maire a inauguré le pont.\n\nCrédit photo : Paul Durandeau / Studio Vermeil"
    assert not texts(text) & {"Paul Durandeau", "Studio Vermeil"}


def test_hyphenated_place_with_linking_words() -> None:
    assert ("LOC", "Bois-de-Vaulnay") in mentions("Les écoles de Bois-de-Vaulnay ferment, dit-on.")


def test_surname_alone_after_the_full_name() -> None:
    text = "Gestern sprach Antonio Valdespino lange. Dann schwieg Valdespino."
    assert ("PER", "Valdespino") in mentions(text, "de")


def test_german_nouns_in_the_long_given_name_list_stay_nouns() -> None:
    assert not texts("Im Sommer fuhr sie weg. Die Tage wurden kurz.", "de")


def test_spanish_uses_the_same_rules_without_a_model() -> None:
    found = mentions("Vive en Puertoleja desde 2010. Según la empresa Tornavia, la obra sigue.", "es")
    assert {("LOC", "Puertoleja"), ("ORG", "Tornavia")} <= found


def test_rules_reach_the_archive_names() -> None:
    text = "Orages : Pluie et vent sur Montcalvet. La pluie tombera sur l'université de Montcalvet."
    ents = extract_entities(text, "fr")
    assert ("ORG", "université de Montcalvet") in {(e.label, e.text) for e in ents}
    assert "Pluie" not in {e.text for e in ents}


def test_given_names_from_the_package_skip_places_openers_and_common_words(tmp_path, monkeypatch) -> None:
    person = tmp_path / "faker" / "providers" / "person"
    (person / "xx_XX").mkdir(parents=True)
    for pkg in (tmp_path / "faker", tmp_path / "faker" / "providers", person):
        (pkg / "__init__.py").write_text("", encoding="utf-8")
    (person / "xx_XX" / "__init__.py").write_text(
        "class Provider:\n"
        "    first_names_male = ('Zineb', 'France', 'Saint', 'Winter', 'Al', 'Jean-Luc', 'Дмитрий')\n"
        "    first_names_female = {'Maëlle': 0.1}\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "faker" or m.startswith("faker.")]:
        monkeypatch.delitem(sys.modules, name)
    places = {"France", "Saint-Denis"} | {f"Saint Lieu{i}" for i in range(25)}
    uses = {"winter": Counter(other=9), "zineb": Counter(PER=1)}
    names = gazetteer.package_given_names({"France"}, places, uses)
    assert names == {"Zineb", "Jean-Luc", "Maëlle"}


@pytest.mark.parametrize("word,given", [("Jean-Paul", True), ("Saint-Denis", False), ("Von", False)])
def test_hyphenated_given_names(word: str, given: bool) -> None:
    assert fallback._given(word, {"Jean", "Paul", "Von", "Denis"}) is given
