"""The founding example, end to end: ingest the seed, find it every way the brief promises."""
import json
import re

import pytest

from .conftest import run


def search_ids(runner, index, *args):
    data = json.loads(run(runner, index, "search", *args, "--format", "json", "--limit", "100").stdout)
    return data, [r["id"] for r in data["results"]]


@pytest.fixture
def seed_id(runner, seed_index):
    data, ids = search_ids(runner, seed_index, "Kerry")
    assert data["total"] == 1
    return ids[0]


def test_kerry_finds_the_seed_with_source_and_date(runner, seed_index, seed_id):
    data, _ = search_ids(runner, seed_index, "Kerry")
    hit = data["results"][0]
    assert hit["source"] == "Belga" and hit["date"] == "2016-09-09T00:34" and hit["language"] == "nl"
    assert "John Kerry" in hit["entities"]["PER"]


@pytest.mark.parametrize(
    "args",
    [
        ["--person", "John Kerry"],
        ["--person", "john kerry"],
        ["--location", "Genève"],
        ["--location", "Geneve"],
        ["--from", "2016-09-09", "--to", "2016-09-09"],
        ["--from", "2016-09"],
        ["ambtsgenoten"],
        ["Geneve"],
        ["Syrie"],
        ["Lavrov", "--source", "belga"],
        ["--org", "Interfax"],
        ['"Staffan de Mistura"'],
    ],
)
def test_seed_is_found(runner, seed_index, seed_id, args):
    _, ids = search_ids(runner, seed_index, *args)
    assert seed_id in ids


@pytest.mark.parametrize("args", [["--from", "2016-09-10"], ["--to", "2016-09-08"], ["Kerry", "--source", "AFP"]])
def test_seed_is_not_found(runner, seed_index, seed_id, args):
    _, ids = search_ids(runner, seed_index, *args)
    assert seed_id not in ids


def test_seed_entities(runner, seed_index, seed_id):
    record = json.loads(run(runner, seed_index, "show", seed_id, "--format", "json").stdout)
    names = {(e["label"], e["name"]) for e in record["entities"]}
    people = {n for label, n in names if label == "PER"}
    for person in ["John Kerry", "Sergej Lavrov", "John Kirby", "Mark Toner", "Staffan de Mistura"]:
        assert person in people
    assert any("Poetin" in p or "Putin" in p for p in people)
    places = {n for label, n in names if label == "LOC"}
    assert {"Genève", "Syrië", "Moskou", "Washington", "Hangzhou"} <= places
    assert ("ORG", "Interfax") in names
    lone_kerry = [e for e in record["entities"] if e["text"] == "Kerry"]
    assert lone_kerry and all(e["name"] == "John Kerry" for e in lone_kerry)
    assert not any(e["text"] in ("Het", "Bron", "Russische") and e["label"] != "MISC" for e in record["entities"])


def test_api_finds_the_seed(seed_index, seed_id):
    from archive.web import create_app

    client = create_app({"TESTING": True, "INDEX_PATH": str(seed_index)}).test_client()
    data = client.get("/api/search?q=Lavrov").get_json()
    assert seed_id in [r["id"] for r in data["results"]]
    article = client.get(f"/api/articles/{seed_id}").get_json()
    assert article["date"] == "2016-09-09T00:34" and article["source"] == "Belga"
    page = client.get(f"/articles/{seed_id}").get_data(as_text=True)
    assert re.search(r"<h3>[^\n]*G20-top[^\n]*</h3>", page) and "© ap." in page
