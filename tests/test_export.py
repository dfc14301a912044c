"""Exports of a whole result set: every matching article, in order, after a line that records how to reproduce it."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from contextlib import closing

import pytest

from archive.backends import open_backend
from archive.request import SearchRequest
from archive.search import search

from .conftest import run


def every_id(index, params: dict) -> list[str]:
    """The ids of every matching article, all versions, in order, page by page through search."""
    archive = open_backend(str(index))
    ids: list[str] = []
    with closing(archive) as s:
        page = 1
        while True:
            result = search(s, SearchRequest.from_dict(params | {"size": 2, "page": page, "versions": "1"}))
            ids += [h.article.id for h in result.hits]
            if page >= result.pages:
                return ids
            page += 1


def jsonl(text: str) -> tuple[dict, list[dict]]:
    lines = [json.loads(line) for line in text.splitlines()]
    return lines[0]["export"], lines[1:]


def test_api_export_jsonl_has_every_match_and_metadata(client, app):
    response = client.get("/api/export?format=jsonl&q=minister+OR+haven&sort=newest&size=1")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "application/x-ndjson"
    assert "attachment" in response.headers["Content-Disposition"]
    meta, records = jsonl(response.get_data(as_text=True))
    assert meta["params"] == {"q": ["minister OR haven"], "sort": ["newest"]}
    assert meta["total"] == len(records) > 1
    assert meta["index_version"] == open_backend(str(app.config["INDEX_PATH"])).version()
    assert datetime.fromisoformat(meta["exported_at"]).utcoffset().total_seconds() == 0
    expected = every_id(app.config["INDEX_PATH"], {"q": "minister OR haven", "sort": "newest"})
    assert [r["id"] for r in records] == expected
    assert all("body" in r and "entities" in r for r in records)


def read_csv_export(text: str) -> tuple[dict | None, list[str], list[dict]]:
    """Read a CSV export as spreadsheets do: the first line is the header; every row has its columns."""
    assert not text.startswith("#"), text[:80]
    raw = list(csv.reader(io.StringIO(text)))
    header = raw[0]
    assert header[0] == "id" and header[-1] == "cite"
    assert all(len(row) == len(header) for row in raw[1:]), [len(row) for row in raw]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert all(None not in row and len(row) == len(header) for row in rows)
    cite = json.loads(rows[0]["cite"]) if rows else None
    assert all(row["cite"] == "" for row in rows[1:])
    return cite, header, rows


def test_api_export_csv(client, app):
    response = client.get("/api/export?format=csv&language=nl")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    meta, header, rows = read_csv_export(text)
    assert text.split("\r\n", 1)[0] == ",".join(header)
    assert meta == json.loads(response.headers["X-Archive-Export"])
    assert meta["params"] == {"language": ["nl"]} and meta["format"] == "csv"
    assert meta["total"] == len(rows) == client.get("/api/search?language=nl").get_json()["total"]
    assert {r["language"] for r in rows} == {"nl"}
    assert rows[0].keys() >= {"id", "date", "source", "title", "persons", "body", "cluster", "cite"}
    empty = client.get("/api/export?format=csv&q=nothingmatchesthis")
    assert read_csv_export(empty.get_data(as_text=True))[0] is None
    assert json.loads(empty.headers["X-Archive-Export"])["total"] == 0


def test_relevance_export_follows_the_search_order(client, app):
    _, records = jsonl(client.get("/api/export?format=jsonl&q=minister+OR+haven").get_data(as_text=True))
    assert [r["id"] for r in records] == every_id(app.config["INDEX_PATH"], {"q": "minister OR haven"})


def test_export_of_nothing_and_bad_requests(client):
    meta, records = jsonl(client.get("/api/export?format=jsonl&q=nothingmatchesthis").get_data(as_text=True))
    assert meta["total"] == 0 and records == []
    assert client.get("/api/export?format=xml").status_code == 400
    bad = client.get('/api/export?format=csv&q="unclosed')
    assert bad.status_code == 400 and "quote" in bad.get_json()["error"]


def test_cli_export_matches_api_export(runner, app, client):
    index = app.config["INDEX_PATH"]
    out = run(runner, index, "search", "haven", "--source", "Persbureau Noordzee", "--export", "jsonl").stdout
    meta, records = jsonl(out)
    api_meta, api_records = jsonl(
        client.get("/api/export?format=jsonl&q=haven&source=Persbureau+Noordzee").get_data(as_text=True))
    assert meta["params"] == api_meta["params"] and meta["total"] == api_meta["total"]
    assert records == api_records
    csv_out = run(runner, index, "search", "--export", "csv").stdout
    cite, _, rows = read_csv_export(csv_out)
    assert cite["total"] == len(rows) > 1
    api_cite, _, api_rows = read_csv_export(client.get("/api/export?format=csv").get_data(as_text=True))
    assert cite["params"] == api_cite["params"] and [r["id"] for r in rows] == [r["id"] for r in api_rows]


def test_page_links_to_exports(client):
    html = client.get("/?q=haven").get_data(as_text=True)
    assert 'href="/api/export?format=csv&amp;q=haven"' in html
    assert 'href="/api/export?format=jsonl&amp;q=haven"' in html


def test_an_export_is_ingested_as_it_is(runner, sample_index, tmp_path):
    """A record of `archive export` keeps its entities: a restore does not run the recogniser again."""
    dump = run(runner, sample_index, "export").stdout.splitlines()
    records = [json.loads(line) for line in dump]
    first = records[0]
    first["entities"] = [{"label": "PER", "start": 0, "end": 1, "text": first["body"][:1], "name": "Given By Hand",
                          "field": "body"}]
    path = tmp_path / "dump.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    run(runner, tmp_path / "copy", "ingest", "-q", str(path))
    restored = json.loads(run(runner, tmp_path / "copy", "show", first["id"], "--format", "json").stdout)
    assert [e["name"] for e in restored["entities"]] == ["Given By Hand"]
    other = json.loads(run(runner, tmp_path / "copy", "show", records[1]["id"], "--format", "json").stdout)
    assert other["entities"] == records[1]["entities"]


def test_csv_cells_never_run_as_formulas(runner, tmp_path):
    """A title or body opening with = + - @ is exported with a leading ' so that spreadsheets show it as text."""
    story = tmp_path / "formula.json"
    story.write_text(json.dumps({"title": "=HYPERLINK(1)", "body": "@SUM(A1) and more text.",
                                 "source": "Test Wire", "date": "2020-01-02"}), encoding="utf-8")
    run(runner, tmp_path / "ix", "ingest", "-q", str(story))
    rows = list(csv.reader(io.StringIO(run(runner, tmp_path / "ix", "search", "--export", "csv").stdout)))
    header, row = rows[0], rows[1]
    assert row[header.index("title")].startswith("'=") and row[header.index("body")].startswith("'@")
    page = list(csv.reader(io.StringIO(run(runner, tmp_path / "ix", "search", "--format", "csv").stdout)))
    assert page[1][page[0].index("title")].startswith("'=")
