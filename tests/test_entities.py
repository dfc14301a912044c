"""Tests of the entity recognisers: shipped models, offsets, names, aliases, fallback."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from archive.entities import canonical_name, extract_entities, name_key
from archive.entities.conll import Score, bilou_to_bio, bio_to_bilou, data_file, iob1_to_bio, read_conll, spans
from archive.entities.normalise import clean_name, load_aliases
from archive.entities.tokenize import sentences, tokenize

from .conftest import SHARED, need_shared

SEED = SHARED / "seed" / "000_e1676b1b8fc9d2f4.txt"
DATA = SHARED / "data"


def by_label(entities, label):  # type: ignore[no-untyped-def]
    return {e.name for e in entities if e.label == label}


@pytest.fixture(scope="module")
def seed_entities():  # type: ignore[no-untyped-def]
    need_shared(SEED)
    text = SEED.read_text(encoding="utf-8")
    return text, extract_entities(text, "nl")


def test_tokenizer_keeps_compounds_and_offsets() -> None:
    text = "De N-VA en CD&V: d'Alema sprak over een Russisch-Amerikaans akkoord (9/09/16)."
    toks = tokenize(text)
    words = [t.text for t in toks]
    for word in ("N-VA", "CD&V", "d'Alema", "Russisch-Amerikaans", "9/09/16"):
        assert word in words
    assert all(text[t.start : t.end] == t.text for t in toks)


def test_sentence_split() -> None:
    sents = sentences("Kerry kwam aan. Lavrov niet! Mr. Smith left the U.S. yesterday.\nKop\nTekst.")
    assert [[t.text for t in s][0] for s in sents] == ["Kerry", "Lavrov", "Mr.", "Kop", "Tekst"]


WRAPPED = (  # wire copy cut at a fixed width: paragraphs start indented, a short line ends one
    "Harbour Freight Lines said its chairman Walter P. Grimsby has\n"
    "agreed to sell the company to Northfield Shipping Holdings\n"
    "Inc for an undisclosed sum, subject to approval by the\n"
    "regulators in Rotterdam.\n"
    "    The sale is expected to close in June.\n"
    "RESULTS\n"
    "1 Anna Berg (Norway)\n"
    "2 Carla Ruiz (Spain)\n"
)


def test_hard_wrapped_lines_join_into_sentences() -> None:
    sents = [" ".join(t.text for t in s) for s in sentences(WRAPPED)]
    assert sents[0].startswith("Harbour Freight Lines said its chairman Walter P. Grimsby has agreed")
    assert "Northfield Shipping Holdings Inc for" in sents[0] and sents[0].endswith("Rotterdam .")
    assert sents[1:] == ["The sale is expected to close in June .", "RESULTS", "1 Anna Berg ( Norway )",
                         "2 Carla Ruiz ( Spain )"]


def test_lines_of_paragraphs_stay_apart() -> None:
    text = "Kop van het stuk\n" + "Een lange alinea over de haven van Antwerpen en Rotterdam. " * 3 + "\nTweede Alinea.\n"
    assert [s[0].text for s in sentences(text)] == ["Kop", "Een", "Een", "Een", "Tweede"]


def test_wrapped_company_name_is_one_entity() -> None:
    names = {(e.label, e.name) for e in extract_entities(WRAPPED, "en")}
    assert ("ORG", "Northfield Shipping Holdings") in names  # the legal form is left out of the name
    assert ("PER", "Walter Grimsby") in names  # the middle initial is left out of the name


def test_name_key_folds_case_accents_space() -> None:
    assert name_key("  Genève ") == name_key("geneve")
    assert name_key("Sergej   LAVROV") == "sergej lavrov"


def test_canonical_name_uses_aliases() -> None:
    assert canonical_name("Putin") == canonical_name("Poetin") == canonical_name("poutine") == "Vladimir Poetin"
    assert canonical_name("Etats-Unis") == canonical_name("VS") == "Verenigde Staten"
    assert canonical_name("Unknown Person") == "Unknown Person"


@pytest.mark.parametrize("written, clean", [
    ("U.S.", "U.S."), ("U.S.,", "U.S."), ("Acme Inc.", "Acme Inc."), ("Smith.", "Smith"), ("Kerry's", "Kerry"),
    ("«Lavrov»", "Lavrov"),
])
def test_clean_name_keeps_abbreviation_periods(written: str, clean: str) -> None:
    assert clean_name(written) == clean


def test_abbreviated_place_reaches_its_alias() -> None:
    ents = extract_entities("Exports to the U.S. rose in March, the ministry said.", "en")
    assert "Verenigde Staten" in by_label(ents, "LOC")


def test_alias_file_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "aliases.txt"
    path.write_text("# mine\nKoning Filip | Filip | Philippe\n", encoding="utf-8")
    monkeypatch.setenv("ARCHIVE_ALIASES", str(path))
    assert canonical_name("philippe") == "Koning Filip"
    assert canonical_name("Putin") == "Putin"
    load_aliases.cache_clear()


@pytest.mark.parametrize("line,label", [("Kerry Group | Kerry", "PER"), ("ORG: Kerry Group | Kerry", "ORG")])
def test_alias_line_may_fix_the_label(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str, label: str) -> None:
    path = tmp_path / "aliases.txt"
    path.write_text(line + "\n", encoding="utf-8")
    monkeypatch.setenv("ARCHIVE_ALIASES", str(path))
    ents = extract_entities("Kerry said on Monday that talks would resume.", "en")
    assert [(e.label, e.name) for e in ents] == [(label, "Kerry Group")]


def test_shipped_aliases_give_countries_one_label() -> None:
    text = "The US economy grew, and US officials said the United States would act."
    assert {e.label for e in extract_entities(text, "en") if e.name == "Verenigde Staten"} == {"LOC"}


@pytest.mark.shared
def test_seed_persons_locations_orgs(seed_entities) -> None:  # type: ignore[no-untyped-def]
    _, ents = seed_entities
    per = by_label(ents, "PER")
    for name in ("John Kerry", "Sergej Lavrov", "John Kirby", "Mark Toner", "Staffan de Mistura"):
        assert name in per
    assert canonical_name("Poetin") in per
    loc = by_label(ents, "LOC")
    for name in ("Genève", "Syrië", "Moskou", "Washington", "Hangzhou"):
        assert name in loc
    assert "Interfax" in by_label(ents, "ORG")


@pytest.mark.shared
def test_seed_has_no_job_titles_or_adjective_places(seed_entities) -> None:  # type: ignore[no-untyped-def]
    text, ents = seed_entities
    names = {e.name for e in ents}
    assert not names & {"Buitenlandminister", "VN-gezant", "Zwitserse Genève"}
    geneva = [e for e in ents if e.start == text.index("Zwitserse Genève") + len("Zwitserse ")]
    assert [(e.label, e.text) for e in geneva] == [("LOC", "Genève")]


def test_adjective_before_a_place_and_titles() -> None:
    ents = extract_entities("De Franse minister reisde naar het Duitse Keulen. De KNVB-woordvoerder zweeg.", "nl")
    assert ("LOC", "Keulen") in {(e.label, e.text) for e in ents}
    assert not {e.text for e in ents} & {"Duitse Keulen", "KNVB-woordvoerder"}


@pytest.mark.shared
def test_seed_coreference_and_noise(seed_entities) -> None:  # type: ignore[no-untyped-def]
    text, ents = seed_entities
    for e in ents:
        assert text[e.start : e.end] == e.text
    lone = [e for e in ents if e.text == "Kerry"]
    assert len(lone) >= 3 and all(e.name == "John Kerry" and e.label == "PER" for e in lone)
    assert all(e.name == "Sergej Lavrov" for e in ents if e.text == "Lavrov")
    strong = {e.text for e in ents if e.label in ("PER", "ORG", "LOC")}
    for noise in ("Het", "Bron", "Russische", "Amerikaanse"):
        assert noise not in strong


def test_english_short_text() -> None:
    text = "Prime Minister Tony Blair met German Chancellor Gerhard Schroeder in London on Monday. Blair said Reuters was wrong."
    ents = extract_entities(text, "en")
    assert {"Tony Blair", "Gerhard Schroeder"} <= by_label(ents, "PER")
    assert canonical_name("London") in by_label(ents, "LOC")  # aliased display name
    assert [e.name for e in ents if e.text == "Blair"] == ["Tony Blair"]
    assert all(text[e.start : e.end] == e.text for e in ents)


def test_dutch_short_text() -> None:
    text = "Premier Guy Verhofstadt sprak in Antwerpen met de CVP. Verhofstadt vertrok daarna naar Brussel."
    ents = extract_entities(text, "nl")
    assert "Guy Verhofstadt" in by_label(ents, "PER")
    assert {"Antwerpen", "Brussel"} <= by_label(ents, "LOC")
    assert "CVP" in by_label(ents, "ORG")


@pytest.mark.parametrize("text, lang, name", [
    ("Vakbondsleider Koen Verbiest zei dat de actie doorgaat.", "nl", "Koen Verbiest"),
    ("Woordvoerster Els Peeters bevestigde het nieuws.", "nl", "Els Peeters"),
    ("President Bill Clinton flew to Moscow on Tuesday.", "en", "Bill Clinton"),
    ("Van Gaal zei dat zijn ploeg klaar is.", "nl", "Van Gaal"),
])
def test_person_names_drop_titles_not_particles(text: str, lang: str, name: str) -> None:
    assert name in by_label(extract_entities(text, lang), "PER")


def test_title_rule_keeps_initials() -> None:
    from archive.entities import tagger
    from archive.entities.corrections import repair

    featurizer = tagger("en").featurizer
    assert repair(["M.", "Azharuddin", "batted"], ["B-PER", "I-PER", "O"], featurizer) == [("PER", 0, 2)]
    assert repair(["Senator", "Bob", "Dole", "spoke"], ["B-PER", "I-PER", "I-PER", "O"], featurizer) == [("PER", 1, 3)]


def test_french_fallback() -> None:
    text = (
        "Le président Emmanuel Macron a reçu mardi à Paris le ministre Sergueï Lavrov. "
        "Selon l'agence Belga, les Etats-Unis et la Russie discutent de la Syrie avec Staffan de Mistura."
    )
    ents = extract_entities(text, "fr")
    per = by_label(ents, "PER")
    assert {"Emmanuel Macron", "Sergej Lavrov", "Staffan de Mistura"} <= per
    loc = by_label(ents, "LOC")
    assert {"Parijs", "Rusland", "Syrië"} <= loc
    assert not {"Le", "Selon"} & {e.text for e in ents}
    assert all(text[e.start : e.end] == e.text for e in ents)


def test_unknown_language_uses_fallback() -> None:
    ents = extract_entities("Gestern traf Angela Merkel in Berlin den Präsidenten.", None)
    assert "Angela Merkel" in by_label(ents, "PER")
    assert "Berlin" in by_label(ents, "LOC")


def test_empty_text() -> None:
    assert extract_entities("", "nl") == []
    assert extract_entities("   \n", None) == []


def test_document_attributes_use_other_mentions() -> None:
    from archive.entities.features import document_attributes

    doc = [["Officials", "said", "Bill", "Clinton", "won", "."], ["Clinton", "said", "the", "officials", "left", "."]]
    attrs = document_attributes(doc)
    assert b"dr=last" in attrs[1][0]  # a lone "Clinton" that ends a longer name elsewhere
    assert attrs[1][0][0] == b"dc=c"  # sentence-initial, but capitalised mid-sentence elsewhere
    assert attrs[0][0][0] == b"dc=l"  # "Officials" is written lowercase elsewhere
    assert attrs[0][1] == []


def test_featurizer_attributes_are_bytes_and_match_the_model_names() -> None:
    from archive.entities.features import Featurizer

    fz = Featurizer({"Clinton": ("7", "3", "1", "0")}, {"clinton": "4"}, {"Clinton": ("PER",)})
    plain = fz.sentence(["Bill", "Clinton", "won"])
    assert all(isinstance(a, bytes) for tok in plain for a in tok)
    assert {b"w=Clinton", b"c1=7", b"g=PER", b"-1:l=bill", b"b=bill|clinton"} <= set(plain[1])
    fz.restrict({"w=Clinton", "b=bill|clinton", "b+=clinton|won"})
    kept = set(fz.sentence(["Bill", "Clinton", "won"])[1])
    assert {b"w=Clinton", b"b=bill|clinton", b"b+=clinton|won"} <= kept
    assert b"c1=7" not in kept and b"-1:l=bill" not in kept  # unknown to the model: dropped


def test_spanish_datelines_split_documents(tmp_path: Path) -> None:
    path = tmp_path / "esp.testa"
    rows = ["Madrid B-LOC", ", O", "2 O", "( O", "EFE B-ORG", ") O", "", "Hola O", ""]
    rows += ["Lima B-LOC", "( O", "EFE B-ORG", ") O", ""]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    docs = read_conll(path)
    assert [len(d) for d in docs] == [2, 1]


def test_iob1_conversion_and_spans() -> None:
    assert iob1_to_bio(["I-PER", "I-PER", "B-PER", "O", "I-LOC"]) == ["B-PER", "I-PER", "B-PER", "O", "B-LOC"]
    assert spans(["B-PER", "I-PER", "I-LOC", "O"]) == {(0, 2, "PER"), (2, 3, "LOC")}


def test_bilou_round_trip() -> None:
    bio = ["B-PER", "I-PER", "I-PER", "B-PER", "O", "B-LOC", "B-ORG", "I-ORG"]
    bilou = bio_to_bilou(bio)
    assert bilou == ["B-PER", "I-PER", "L-PER", "U-PER", "O", "U-LOC", "B-ORG", "L-ORG"]
    assert spans(bilou_to_bio(bilou)) == spans(bio)


def test_tagger_reads_the_scheme_from_the_model(tmp_path: Path) -> None:
    """A model trained on BILOU tags still hands BIO to the rest of the archive."""
    from archive.entities import crf
    from archive.entities.features import Featurizer

    doc = [(["Ann", "Smith", "met", "Bob", "in", "Leuven", "."], ["B-PER", "I-PER", "O", "B-PER", "O", "B-LOC", "O"])]
    model = tmp_path / "tiny.crfsuite"
    crf.train(Featurizer({}, {}, {}), [doc] * 5, model, {"max_iterations": 50, "feature.minfreq": 1}, "bilou")
    tagger = crf.Tagger(model, Featurizer({}, {}, {}))
    assert tagger.bilou
    assert tagger.tag(doc[0][0]) == doc[0][1]


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.parametrize("lang,minimum", [("nl", 0.75), ("en", 0.83), ("es", 0.77)])
def test_conll_testb_f1(lang: str, minimum: float) -> None:
    from archive.entities import tagger

    path = data_file(DATA, lang, "testb")
    need_shared(path)
    tag = tagger(lang).tag_document
    score = Score()
    for doc in read_conll(path):
        for (_, gold), guess in zip(doc, tag([words for words, _ in doc])):
            score.add(gold, guess)
    assert score.prf()[2] >= minimum


def test_one_label_per_name_follows_the_majority() -> None:
    from archive.entities import one_label_per_name

    doc = [["Chelsea", "won"], ["chelsea", "and", "Ann"], ["Chelsea", "lost", "to", "Ann"]]
    spans = [[("ORG", 0, 1)], [("PER", 0, 1), ("PER", 2, 3)], [("ORG", 0, 1), ("LOC", 3, 4)]]
    fixed = one_label_per_name(doc, spans)
    assert fixed == [[("ORG", 0, 1)], [("ORG", 0, 1), ("PER", 2, 3)], [("ORG", 0, 1), ("LOC", 3, 4)]]  # Ann: a tie


@pytest.mark.parametrize("lang", ["en", "nl", "fr"])
def test_wire_sign_off_is_not_an_entity(lang: str) -> None:
    text = "Reuters said the Belga office in Brussels would stay open.\n\n  Reuter\n"
    names = [(e.name, e.start) for e in extract_entities(text, lang)]
    assert ("Reuter", text.rindex("Reuter")) not in names
    assert any(name == "Reuters" for name, _ in names) or lang == "nl"  # a mention inside the story stays


@pytest.mark.parametrize("text,lang,written,name", [
    ("Thierry Baudet sprak. De woorden van Baudet en Baudets partij vielen op.", "nl", "Baudets", "Thierry Baudet"),
    ("Chris Evans spoke first. Evans said no, and Evan Hart agreed.", "en", "Evans", "Chris Evans"),
    ("Donald Trump sprak in Washington. Over Trumps plannen bleef het stil.", "nl", "Trumps", "Donald Trump"),
])
def test_genitive_s_reaches_the_person(text: str, lang: str, written: str, name: str) -> None:
    ents = [e for e in extract_entities(text, lang) if e.text == written]
    assert ents and all((e.label, e.name) == ("PER", name) for e in ents)


def test_initial_of_a_surname_keeps_its_period() -> None:
    text = "De verdachte Michael P. werd vrijdag veroordeeld. Volgens de rechter had Michael P. geen spijt."
    assert {e.name for e in extract_entities(text, "nl") if e.label == "PER"} == {"Michael P."}


@pytest.mark.parametrize("text,lang,place", [
    ("Harbour fees rise\n\nBRIGHTON (Harbour Wire) - Runners crowded the seafront on Sunday.", "en", "BRIGHTON"),
    ("NAMUR (Agence Meuse) - Le gouvernement a présenté mardi un budget.", "fr", "NAMUR"),
    ("ANTWERPEN, 3 maart (Belga) - De staking in de haven duurt voort.", "nl", "ANTWERPEN"),
])
def test_dateline_gives_the_place_not_the_agency(text: str, lang: str, place: str) -> None:
    ents = extract_entities(text, lang)
    agency = text[text.index("(") + 1:text.index(")")]
    assert ("LOC", place) in {(e.label, e.text) for e in ents}
    assert not [e for e in ents if agency in e.text or e.text in agency]


def test_french_fallback_knows_belgian_towns() -> None:
    """GeoNames cities reach the fallback's place list (CLDR alone has no Namur or Liège)."""
    text = "Le gouvernement wallon s'est réuni mardi à Namur. Les écoles de Liège et de Charleroi protestent."
    found = {(e.label, e.name) for e in extract_entities(text, "fr")}
    assert {("LOC", "Namur"), ("LOC", "Liège"), ("LOC", "Charleroi")} <= found


@pytest.mark.parametrize("text,label,name", [
    ("De Fietsersbond Gent wil een nieuwe brug over de Leie.", "ORG", "Fietsersbond Gent"),
    ("Weerman Jonas Peeters verwacht zware regen aan de kust.", "PER", "Jonas Peeters"),
])
def test_dutch_bodies_and_titles(text: str, label: str, name: str) -> None:
    assert (label, name) in {(e.label, e.name) for e in extract_entities(text, "nl")}


@pytest.fixture(scope="module")
def featurizers():  # type: ignore[no-untyped-def]
    from archive.entities import tagger

    return {lang: tagger(lang).featurizer for lang in ("nl", "en")}


def _bio(n: int, spans: list[tuple[str, int, int]]) -> list[str]:
    tags = ["O"] * n
    for kind, i, j in spans:
        tags[i:j] = ["B-" + kind] + ["I-" + kind] * (j - i - 1)
    return tags


@pytest.mark.parametrize("sentence,tagged,expected", [
    ("Gisteren zei de CIA niets .", [("PER", 3, 4)], [("ORG", 3, 4)]),  # an acronym in a sentence in lower case
    ("Het verkeer op de A12 stond stil .", [("ORG", 4, 5)], [("LOC", 4, 5)]),  # a road
    ("De Belastingdienst stuurt brieven .", [("MISC", 1, 2)], [("ORG", 1, 2)]),  # a body's ending
    ("Senators met on Capitol Hill today .", [("PER", 3, 5)], [("LOC", 3, 5)]),  # a hill, no given name
    ("She watched Damon Hill race .", [("PER", 2, 4)], [("PER", 2, 4)]),  # a given name: a person
    ("Gisteren sprak Ruud Klaverstein met ons .", [("ORG", 2, 4)], [("PER", 2, 4)]),  # given name and surname
    ("The Super Bowl starts at six .", [("ORG", 1, 3)], [("MISC", 1, 3)]),  # an event
    ("He spoke to Harbour News yesterday .", [("PER", 3, 5)], [("ORG", 3, 5)]),  # a news outlet
    ("Yesterday Springfield Mayor Anna Berg said no .", [("ORG", 1, 5)], [("LOC", 1, 2), ("PER", 3, 5)]),
    ("Henk Jansen Zwolle Goed plan", [("PER", 0, 4)], [("PER", 0, 2), ("LOC", 2, 3)]),  # a letter's signature
    ("We liepen langs Blauwe Haven gisteren .", [("LOC", 3, 6)], [("LOC", 3, 5)]),  # no lower-case end
    ("the Center for Coastal Studies said", [("LOC", 1, 2), ("ORG", 3, 5)], [("ORG", 1, 5)]),
    ("the United States Senate voted", [("LOC", 1, 3), ("ORG", 3, 4)], [("ORG", 1, 4)]),
    ("tonnes of U.S. Beans for May", [("ORG", 2, 4)], [("ORG", 2, 3)]),  # a place's abbreviation, a common word
    ("In 2017 gaf Trump de CIA meer macht .", [("ORG", 3, 4), ("ORG", 5, 6)], [("ORG", 3, 4), ("ORG", 5, 6)]),
])
def test_corrections_by_the_words(  # type: ignore[no-untyped-def]
    featurizers, sentence: str, tagged: list, expected: list
) -> None:
    from archive.entities.corrections import repair

    words = sentence.split()
    featurizer = featurizers["en" if "U.S." in words else "nl"]  # the English news writes `beans` in lower case
    assert repair(words, _bio(len(words), tagged), featurizer) == expected


def test_a_place_in_a_persons_place_is_a_place() -> None:
    from archive.entities.noise import places_not_persons

    text = "The mayor of Zwolle spoke. Zwolle is quiet, she said, and in Zwolle the shops stayed open."
    mentions = [("PER", m.start(), m.end()) for m in re.finditer("Zwolle", text)]
    assert {label for label, _, _ in places_not_persons(text, mentions)} == {"LOC"}
    text = "Coach Lars Zwolle left. Zwolle said the team in Zwolle was ready."
    mentions = [("PER", 6, 17)] + [("PER", m.start(), m.end()) for m in re.finditer("Zwolle", text)][1:]
    assert {label for label, _, _ in places_not_persons(text, mentions)} == {"PER"}  # a person's surname


def test_state_abbreviation_keeps_its_period_and_common_nouns_are_no_names() -> None:
    from archive.entities.noise import clean, not_a_name

    text = "Protests in Springfield, Mo. went on."
    start = text.index("Mo")
    assert ("LOC", start, start + 3) in clean(text, [("LOC", start, start + 2)])
    assert not_a_name("RFID") and not_a_name("Social Security") and not_a_name("CO2")
    assert not not_a_name("Social Security Administration")


def test_lord_is_a_title_and_outlets_are_organisations() -> None:
    from archive.entities.names import strip_title
    from archive.entities.normalise import load_alias_labels, tables

    text = "Lord Ashworth gave money."
    assert strip_title(text, 0, 13, "en") == (5, True)
    labels = load_alias_labels(str(Path(__file__).resolve().parent.parent / "archive" / "entities" / "aliases.txt"))
    assert labels.get(name_key("Trouw")) == labels.get(name_key("Fox News")) == "ORG"
    assert tables().key_name("Europees Parlement") == tables().key_name("European Parliament")
