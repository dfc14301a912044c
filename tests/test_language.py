"""Offline language detection: invented sentences, edge cases, speed, and accuracy on real news text."""
from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from .conftest import SHARED as SHARED_ROOT
from .conftest import need_shared

from archive import language
from archive.language import detect_language

ROOT = Path(__file__).resolve().parent.parent
SHARED = SHARED_ROOT / "data"

SAMPLES = {
    "nl": "De gemeenteraad heeft gisteravond beslist dat de nieuwe fietsbrug over de Schelde volgend jaar wordt "
    "gebouwd. De werken zullen ongeveer twee jaar duren, zegt de burgemeester.",
    "fr": "Le conseil communal a décidé hier soir que le nouveau pont cyclable sur la Meuse serait construit l'an "
    "prochain. Les travaux devraient durer environ deux ans, selon le bourgmestre.",
    "en": "The town council decided last night that the new cycle bridge over the river will be built next year. "
    "The works are expected to take about two years, the mayor said.",
    "de": "Der Gemeinderat hat gestern Abend beschlossen, dass die neue Fahrradbrücke über den Fluss im nächsten "
    "Jahr gebaut wird. Die Arbeiten sollen etwa zwei Jahre dauern, sagte der Bürgermeister.",
    "es": "El ayuntamiento decidió anoche que el nuevo puente para bicicletas sobre el río se construirá el año "
    "que viene. Las obras durarán unos dos años, según el alcalde.",
}


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_detects_news_languages(code: str) -> None:
    assert detect_language(SAMPLES[code]) == code


@pytest.mark.parametrize("text", [None, "", "   ", "Brexit", "12/09/2016 07:45 - 3-1", "!!! ??? ...", "ok ok"])
def test_too_short_or_not_text_is_unknown(text: str | None) -> None:
    assert detect_language(text) is None


def test_newlines_and_long_text_are_fine() -> None:
    text = ("\n\n".join([SAMPLES["nl"]] * 50)) + "\n" + SAMPLES["en"] * 100
    assert detect_language(text) == "nl"  # only the opening characters count


def test_model_loads_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("language detection tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    language._model.cache_clear()
    assert detect_language(SAMPLES["fr"]) == "fr"


def shared(folder: str) -> Path:
    """Return a folder of ../shared/data (skipped, or failed when required, where it is missing)."""
    return need_shared(SHARED / folder)


def _conll_chunks(path: Path, size: int = 1000) -> list[str]:
    """Rebuild running text from a CoNLL token-per-line file, in chunks of about `size` characters."""
    chunks, current, sentence = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            continue
        if line.strip():
            sentence.append(line.split(" ")[0])
            continue
        if sentence:
            current.append(" ".join(sentence))
            sentence = []
        if sum(len(s) for s in current) >= size:
            chunks.append(" ".join(current))
            current = []
    return chunks


def _rate(texts: list[str], code: str) -> float:
    return sum(detect_language(t) == code for t in texts) / len(texts)


@pytest.mark.shared
def test_real_dutch_dpgmedia2019() -> None:
    path = shared("dpgmedia2019") / "dpgMedia2019-articles-byarticle.jsonl"
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]
    texts = [t for t in texts if len(t) >= 200]
    assert len(texts) > 700 and _rate(texts, "nl") >= 0.99


@pytest.mark.shared
def test_real_english_bbc() -> None:
    texts = [p.read_bytes().decode("utf-8", "replace") for p in sorted(shared("bbc").glob("*/*.txt"))[::5]]
    assert len(texts) == 445 and _rate(texts, "en") >= 0.99


@pytest.mark.shared
def test_real_conll2002_spanish_and_dutch() -> None:
    folder = shared("conll2002")
    assert _rate(_conll_chunks(folder / "esp.testa"), "es") >= 0.97
    assert _rate(_conll_chunks(folder / "ned.testa"), "nl") >= 0.95


# A declared language against the text's (issue 12, item 4)

LANGUAGE_FIXTURES = ROOT / "tests" / "fixtures" / "language"


def _read_enriched(name: str) -> list:
    from archive.enrich import enrich
    from archive.readers import read_bytes

    return [enrich(a) for a in read_bytes(name, (LANGUAGE_FIXTURES / name).read_bytes())]


def test_text_overrules_a_wrong_page_declaration() -> None:
    [art] = _read_enriched("german_declared_en.html")  # <html lang="en-US"> and og:locale en_US, German text
    assert art.language == "de"


def test_short_text_keeps_the_declaration() -> None:
    [art] = _read_enriched("english_short_declared_nl.html")  # 18 English words, declared nl
    assert language.detect(f"{art.title} {art.body}")[0] == "en"  # the model says English...
    assert art.language == "nl"  # ...but on too little text to overrule the page


def test_unsure_detection_keeps_the_declaration() -> None:
    [art] = _read_enriched("afrikaans_declared_af.html")  # the model hesitates between Afrikaans and Dutch
    assert art.language == "af"


def test_feed_language_is_overruled_per_entry() -> None:
    dutch, english = _read_enriched("feed_declared_en.xml")  # <language>en</language>, one Dutch entry
    assert (dutch.language, english.language) == ("nl", "en")


@pytest.mark.parametrize("declared, text, expected, won", [
    ("en", SAMPLES["de"] + " " + SAMPLES["de"], "de", "detected"),
    ("en", SAMPLES["fr"] + " " + SAMPLES["fr"], "fr", "detected"),
    ("nl", SAMPLES["nl"], "nl", "declared"),  # agreeing
    ("nl", "Port traffic rose last year.", "nl", "declared"),  # short
    ("de", "Angela Merkel Emmanuel Macron Joe Biden Brussels Summit 2021", "de", "declared"),  # names only
    (None, SAMPLES["es"], "es", "detected"),
    (None, "ok ok", None, "none"),
])
def test_choose_language(declared: str | None, text: str, expected: str | None, won: str) -> None:
    assert language.choose_language(declared, text) == (expected, won)


def test_close_languages_never_overrule_each_other() -> None:
    norwegian = ("Bystyret vedtok i går kveld at den nye sykkelbroen over elven skal bygges neste år. Arbeidet vil "
                 "ta omtrent to år, sier ordføreren. Broen skal gi syklister og fotgjengere en trygg vei mellom "
                 "sentrum og de nye boligområdene på den andre siden av elven.")
    code, confidence, words = language.detect(norwegian)
    assert code == "no" and words >= language.OVERRULE_WORDS
    assert language.choose_language("nb", norwegian) == ("nb", "declared")  # Bokmål is Norwegian
    assert language.choose_language("de", norwegian)[0] == ("no" if confidence >= language.OVERRULE_CONFIDENCE
                                                            else "de")
