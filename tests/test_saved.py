"""Saved searches: a small JSON file beside the index written by the CLI alone (atomically, under a lock), listed on
/saved, and `archive watch NAME` printing the matches new since its last run."""
from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest

from archive import saved as store
from archive.request import SearchRequest
from archive.web import create_app

from .conftest import run


def saved_file(index: Path) -> Path:
    return index.parent / f"{index.name}.saved.json"


def files(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


FILLER = (" The crew stepped out to wave at the crowd that had gathered near the old harbour, witnesses said, before "
          "the ship rose again and turned north over the river.")


def add_story(runner, index: Path, tmp_path: Path, name: str, **record) -> None:
    """Ingest one story (bodies long enough for a reprint signature: see the report on short bodies)."""
    path = tmp_path / f"{name}.json"
    record["body"] = record["body"] + FILLER + f" ({name})"
    path.write_text(json.dumps({"source": "Test Wire", "language": "en"} | record), encoding="utf-8")
    run(runner, index, "ingest", "-q", str(path))


def test_where_the_file_is():
    assert store.saved_path("/data/index") == Path("/data/index.saved.json")
    assert store.saved_path("/data/index/") == Path("/data/index.saved.json")
    assert store.saved_path("postgresql://me@host/db") == Path("archive-saved.json")
    assert store.saved_path("/data/index", "/elsewhere/mine.json") == Path("/elsewhere/mine.json")


def test_add_list_and_remove_beside_the_index(runner, sample_index):
    before = files(sample_index)
    out = run(runner, sample_index, "saved").output
    assert "No saved searches" in out
    run(runner, sample_index, "saved", "add", "port strike", "haven", "OR", "staking", "--source",
        "Persbureau Noordzee", "--from", "2019", "--sort", "newest")
    run(runner, sample_index, "saved", "add", "everything")
    data = json.loads(saved_file(sample_index).read_text(encoding="utf-8"))
    params = data["searches"]["port strike"]["params"]
    assert params == {"q": ["haven OR staking"], "source": ["Persbureau Noordzee"], "from": ["2019"],
                      "sort": ["newest"]}
    assert SearchRequest.from_dict(params).params() == SearchRequest.from_dict(
        {"q": "haven OR staking", "source": "Persbureau Noordzee", "from": "2019", "sort": "newest"}).params()
    listing = run(runner, sample_index, "saved").stdout.splitlines()
    assert listing == ["everything: every article",
                       "port strike: “haven OR staking”, source Persbureau Noordzee, from 2019, newest first"]
    assert "already" in run(runner, sample_index, "saved", "add", "everything", "x", code=1).output
    run(runner, sample_index, "saved", "add", "everything", "minister", "--replace")
    assert store.load(saved_file(sample_index)).searches["everything"].params == {"q": ["minister"]}
    assert "cannot name" in run(runner, sample_index, "saved", "add", "../evil", "x", code=1).output
    assert "--from" in run(runner, sample_index, "saved", "add", "bad", "x", "--from", "someday", code=2).output
    run(runner, sample_index, "saved", "remove", "everything")
    assert "no saved search" in run(runner, sample_index, "saved", "remove", "everything", code=1).output
    as_json = json.loads(run(runner, sample_index, "saved", "--format", "json").stdout)
    assert list(as_json["searches"]) == ["port strike"]
    assert files(sample_index) == before  # never in the index
    assert [p.name for p in sample_index.parent.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_saved_option_and_environment(runner, sample_index, tmp_path, monkeypatch):
    mine = tmp_path / "elsewhere" / "mine.json"
    run(runner, sample_index, "saved", "--saved", str(mine), "add", "one", "haven")
    run(runner, sample_index, "saved", "add", "two", "haven", "--saved", str(mine))
    assert set(store.load(mine).searches) == {"one", "two"} and not saved_file(sample_index).exists()
    monkeypatch.setenv("ARCHIVE_SAVED", str(mine))
    assert run(runner, sample_index, "saved").stdout.splitlines() == ["one: “haven”", "two: “haven”"]


def _add_many(path: str, worker: int) -> None:
    for k in range(6):
        store.add(Path(path), f"w{worker}-{k}", SearchRequest.from_dict({"q": f"word{k}"}))


def test_concurrent_writers_lose_nothing(tmp_path):
    """Six processes adding six searches each at once: all 36 are kept (a read-modify-write under one lock)."""
    path = tmp_path / "index.saved.json"
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_add_many, args=(str(path), w)) for w in range(6)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(60)
        assert p.exitcode == 0
    assert len(store.load(path).searches) == 36
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.saved.json", "index.saved.json.lock"]


def test_a_broken_file_is_named_not_overwritten(runner, sample_index):
    path = saved_file(sample_index)
    path.write_text("{not json", encoding="utf-8")
    out = run(runner, sample_index, "saved", "add", "x", "haven", code=1).output
    assert str(path) in out and "fix or remove it" in out
    assert path.read_text(encoding="utf-8") == "{not json"


def test_watch_prints_what_is_new_since_its_last_run(runner, sample_index, tmp_path):
    index = sample_index
    run(runner, index, "saved", "add", "zeppelins", "zeppelin")
    add_story(runner, index, tmp_path, "a", title="Zeppelin one", body="A zeppelin landed.", date="2020-01-02T10:00")
    first = run(runner, index, "watch", "zeppelins")
    assert first.stdout == "" and "first watch" in first.stderr and "1 matching articles recorded" in first.stderr
    state = store.load(saved_file(index)).state["zeppelins"]
    assert state["newest"] == "2020-01-02T10:00:00" and len(state["ids"]) == 1
    again = run(runner, index, "watch", "zeppelins")
    assert again.stdout == "" and "0 new matches" in again.stderr

    add_story(runner, index, tmp_path, "b", title="Zeppelin two", body="Another zeppelin flew.",
              date="2020-01-03T09:00")
    add_story(runner, index, tmp_path, "c", title="Zeppelin same time", body="A third zeppelin, same minute.",
              date="2020-01-02T10:00")
    add_story(runner, index, tmp_path, "d", title="Zeppelin undated", body="An undated zeppelin.")
    add_story(runner, index, tmp_path, "e", title="Other news", body="Nothing about airships.",
              date="2021-05-05")
    new = run(runner, index, "watch", "zeppelins")
    lines = new.stdout.splitlines()
    assert len(lines) == 2 and "2 new matches" in new.stderr
    assert lines[0].startswith("2020-01-02T10:00") and "Zeppelin same time" in lines[0]
    assert lines[1].startswith("2020-01-03T09:00") and "Zeppelin two" in lines[1]
    assert run(runner, index, "watch", "zeppelins").stdout == ""

    add_story(runner, index, tmp_path, "f", title="Zeppelin four", body="A fourth zeppelin.", date="2020-02-01")
    records = [json.loads(line) for line in run(runner, index, "watch", "zeppelins", "--format", "jsonl").stdout
               .splitlines()]
    assert [r["title"] for r in records] == ["Zeppelin four"] and "body" in records[0]
    assert "/" not in (records[0]["origin"] or "")  # no server folders
    assert "no saved search" in run(runner, index, "watch", "nope", code=1).output


def test_watch_of_a_replaced_search_starts_again(runner, sample_index, tmp_path):
    run(runner, sample_index, "saved", "add", "w", "haven")
    run(runner, sample_index, "watch", "w")
    assert "w" in store.load(saved_file(sample_index)).state
    run(runner, sample_index, "saved", "add", "w", "minister", "--replace")
    assert "w" not in store.load(saved_file(sample_index)).state
    assert "first watch" in run(runner, sample_index, "watch", "w").stderr


def test_saved_page_lists_links_and_never_writes(runner, sample_index):
    client = create_app({"TESTING": True, "INDEX_PATH": str(sample_index)}).test_client()
    assert "No saved searches yet" in client.get("/saved").get_data(as_text=True)
    assert client.get("/api/saved").get_json() == {"searches": []}
    assert not saved_file(sample_index).exists()  # reading made no file
    run(runner, sample_index, "saved", "add", "port", "haven", "--source", "Persbureau Noordzee")
    data = json.loads(saved_file(sample_index).read_text(encoding="utf-8"))  # a name edited by hand, escaped
    data["searches"]["Amsterdam <b>"] = {"params": {"q": ["minister"]}}
    saved_file(sample_index).write_text(json.dumps(data), encoding="utf-8")
    stamp = saved_file(sample_index).stat().st_mtime_ns
    html = client.get("/saved").get_data(as_text=True)
    assert 'href="/?q=haven&amp;source=Persbureau+Noordzee"' in html
    assert 'href="/feed?q=haven&amp;source=Persbureau+Noordzee"' in html
    assert "Amsterdam &lt;b&gt;" in html and "Amsterdam <b>" not in html
    assert html.index("Amsterdam") < html.index(">port<")
    api = client.get("/api/saved").get_json()["searches"]
    assert [s["name"] for s in api] == ["Amsterdam <b>", "port"]
    for item in api:
        assert client.get(item["search_url"]).status_code == 200
        assert client.get(item["feed_url"]).mimetype == "application/atom+xml"
    assert client.get(api[1]["search_url"].replace("/?", "/api/search?")).get_json()["total"] > 0
    assert saved_file(sample_index).stat().st_mtime_ns == stamp
    saved_file(sample_index).write_text("[1, 2", encoding="utf-8")
    assert "cannot be read" in client.get("/saved").get_data(as_text=True)
    assert client.get("/api/saved").status_code == 503


def test_app_reads_the_file_named_in_its_config(runner, sample_index, tmp_path):
    mine = tmp_path / "mine.json"
    run(runner, sample_index, "saved", "add", "only-here", "haven", "--saved", str(mine))
    client = create_app({"TESTING": True, "INDEX_PATH": str(sample_index), "SAVED": str(mine)}).test_client()
    assert [s["name"] for s in client.get("/api/saved").get_json()["searches"]] == ["only-here"]
    plain = create_app({"TESTING": True, "INDEX_PATH": str(sample_index)}).test_client()
    assert plain.get("/api/saved").get_json()["searches"] == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_file_is_replaced_whole(tmp_path):
    """The file is written beside itself and renamed: its inode changes with every write, never half-written."""
    path = tmp_path / "x.saved.json"
    store.add(path, "a", SearchRequest())
    inode = path.stat().st_ino
    store.add(path, "b", SearchRequest())
    assert path.stat().st_ino != inode and set(store.load(path).searches) == {"a", "b"}
