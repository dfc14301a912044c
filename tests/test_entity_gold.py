"""The entity gold set and its scorer (bench/entity_gold.py), and the rules the gold set decided."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from archive.entities import extract_entities
from archive.model import Article

from .conftest import SHARED, need_shared

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import entity_gold  # noqa: E402


def test_gold_mentions_take_the_longest_form_and_never_overlap() -> None:
    article = Article(id="x", body="John Kerry met Kerry Group. Kerry left; Kerrygold stayed.", title="Kerry talks")
    gold = entity_gold.gold_mentions(article, [
        {"type": "PER", "name": "John Kerry", "forms": ["John Kerry", "Kerry"]},
        {"type": "ORG", "name": "Kerry Group", "forms": ["Kerry Group"]},
    ])
    body = article.body
    found = sorted((f, body[s:e] if f == "body" else article.title[s:e], kind) for (f, s, e), (kind, _) in gold.items())
    assert found == [("body", "John Kerry", "PER"), ("body", "Kerry", "PER"), ("body", "Kerry Group", "ORG"),
                     ("title", "Kerry", "PER")]


def test_gold_file_is_well_formed() -> None:
    rows = [json.loads(line) for line in (ROOT / "bench" / "gold" / "entities.jsonl").read_text("utf-8").splitlines()]
    assert len(rows) >= 100 and len({r["ref"] for r in rows}) == len(rows)
    assert {r["language"] for r in rows} >= {"en", "nl", "fr"}
    for row in rows:
        assert row["ref"].split(":")[0] in {"reuters", "bbc", "dpg", "basil", "page"}
        for e in row["entities"]:
            assert e["type"] in ("PER", "ORG", "LOC") and e["name"] and e["forms"]


@pytest.mark.shared
def test_every_gold_form_occurs_in_its_article() -> None:
    data = need_shared(SHARED / "data")
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "entity_gold.py"), "check", "--data", str(data)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:]


def test_french_names_after_an_elided_article() -> None:
    ents = {(e.label, e.text) for e in extract_entities(
        "Le président a parlé de l'Ukraine et du Proche-Orient, puis il a visité la Nouvelle-Aquitaine.", "fr")}
    assert ("LOC", "Ukraine") in ents and ("LOC", "Nouvelle-Aquitaine") in ents
    assert not any(text.startswith(("l'", "d'")) for _, text in ents)


def test_two_persons_around_van_are_one() -> None:
    ents = extract_entities("Staatssecretaris Tamara van Ark wil meer tijd. \"Het is complex\", zegt Van Ark.", "nl")
    assert {e.name for e in ents if e.label == "PER"} == {"Tamara van Ark"}
