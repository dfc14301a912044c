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
