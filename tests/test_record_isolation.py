"""One bad record costs that record only: it is reported with its file and line and the rest of the batch lands."""
import json

import pytest

from archive import ingest as ingest_module
from archive.backends.whoosh.index import open_index
from archive.ingest import ingest
from archive.model import Article

from .conftest import run


def exported(n: int) -> dict:
    """A sound record in `archive export` form."""
    body = f"Bericht {n}: de minister bezocht de haven van Antwerpen."
    record = Article(body=body, id=f"rec{n}", title=f"Bericht {n}", source="Testbureau", language="nl").to_dict()
    record["entities"] = [{"label": "LOC", "start": body.index("Antwerpen"), "end": body.index("Antwerpen") + 9,
                           "text": "Antwerpen", "name": "Antwerpen", "field": "body"}]
    record["date"], record["date_source"] = "2020-01-02", "metadata"
    return record


BAD_VALUES = [
    ("title", 5, "title is a number"),
    ("entities", "x", "entities is text, not a list"),
    ("date", 12, "date is a number"),
    ("date", "gisteren", "not an ISO 8601 date"),
    ("body", None, "no body text"),
    ("body", ["a", 1], "body is a list"),
    ("authors", "Jan", "authors is text, not a list"),
    ("subheadings", [1, 2], "subheadings is a list, not a list of text"),
    ("source", {"name": "x"}, "source is an object"),
    ("id", 7, "id is a number"),
    ("date_source", "guess", "date_source 'guess'"),
    ("entities", [5], "entity 1: a number"),
    ("entities", [{"label": "PER", "start": 0, "end": 4, "text": "Jan", "name": "Jan", "field": "body"},
                  {"label": "PER", "start": 0, "end": 99999, "text": "x", "name": "x"}], "entity 2: offsets"),
    ("entities", [{"label": "XYZ", "start": 0, "end": 1, "text": "B", "name": "B"}], "entity 1: label"),
    ("entities", [{"label": "PER", "start": "0", "end": 1, "text": "B", "name": "B"}], "whole numbers"),
]


def stored_ids(index):
    with open_index(index).searcher() as s:
        return sorted(fields["id"] for fields in s.all_stored_fields())


@pytest.mark.parametrize("workers", [1, 2])
def test_bad_exported_records_are_reported_by_line_and_the_rest_lands(tmp_path, workers):
    lines = []
    for i, (key, value, _) in enumerate(BAD_VALUES):
        record = exported(100 + i)
        if value is None:
            del record[key]
        else:
            record[key] = value
        lines.append(record)
    good = [exported(i) for i in range(3)]
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join(json.dumps(r) for r in [good[0], *lines, good[1]]) + "\n{broken\n", encoding="utf-8")
    listed = tmp_path / "listed.json"
    listed.write_text(json.dumps([exported(50), {**exported(51), "title": 5}]), encoding="utf-8")
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps(good[2]) + "\n", encoding="utf-8")
    index = tmp_path / "ix"
    report = ingest([str(mixed), str(listed), str(other)], str(index), workers=workers)
    assert stored_ids(index) == ["rec0", "rec1", "rec2", "rec50"]
    reasons = [f.reason for f in report.failures]
    assert all(f.record for f in report.failures), reasons
    assert len(reasons) == len(BAD_VALUES) + 2
    for line, (_, _, expected) in enumerate(BAD_VALUES, start=2):
        assert any(r.startswith(f"{mixed}:{line}: ") and expected in r for r in reasons), (line, expected, reasons)
    assert any(r.startswith(f"{mixed}:{len(BAD_VALUES) + 3}: ") and "JSON" in r for r in reasons), reasons
    assert any(r.startswith(f"{listed}#2: title is a number") for r in reasons), reasons


def test_cli_lists_bad_records_exits_1_without_a_traceback(runner, tmp_path):
    data = tmp_path / "dump.jsonl"
    data.write_text(json.dumps({**exported(1), "title": 5}) + "\n" + json.dumps(exported(2)) + "\n", encoding="utf-8")
    index = tmp_path / "ix"
    result = run(runner, index, "ingest", "-q", "--workers", "1", str(data), code=1)
    assert f"failed: {data}:1: title is a number, not text: record skipped" in result.output
    assert "1 articles (1 new, 0 updated in place) from 1 inputs" in result.output
    assert "1 records skipped" in result.output
    assert "Traceback" not in result.output
    assert stored_ids(index) == ["rec2"]


def test_a_record_that_fails_in_enrichment_costs_only_itself(tmp_path, monkeypatch):
    real = ingest_module.enrich

    def fragile(article, **kw):
        if "nummer 2" in article.body:
            raise ValueError("boom")
        return real(article, **kw)

    monkeypatch.setattr(ingest_module, "enrich", fragile)
    data = tmp_path / "news.jsonl"
    data.write_text("".join(json.dumps({"id": f"n{i}", "text": f"Bericht nummer {i} over de haven van Gent."}) + "\n"
                            for i in range(4)), encoding="utf-8")
    report = ingest([str(data)], str(tmp_path / "ix"), workers=1)
    assert report.articles == 3
    (failure,) = report.failures
    assert failure.record and failure.reason.startswith(f"{data}:3: could not be processed (ValueError: boom)")
