import json

from archive.cli import cli
from archive.backends.whoosh.index import create_or_open, writer

from .conftest import SAMPLE, run


def test_ingest_reports_and_skips_bad_files(runner, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text("9/09/16 - 00u34 Bron: Belga\n\nDe minister van Buitenlandse Zaken reist naar Genève.")
    (docs / "empty.txt").write_bytes(b"")
    (docs / "image.txt").write_bytes(b"\x89PNG\x00\x00\x00\rIHDR\x00\x00")
    index = tmp_path / "ix"
    result = run(runner, index, "ingest", "-q", str(docs), code=1)
    assert "empty.txt: empty file" in result.output
    assert "image.txt: binary data" in result.output
    assert "1 articles (1 new, 0 updated in place) from 3 inputs" in result.output
    out = run(runner, index, "search", "Genève", "--format", "json")
    assert json.loads(out.stdout)["total"] == 1


def test_reingest_updates_instead_of_doubling(runner, tmp_path):
    index = tmp_path / "ix"
    run(runner, index, "ingest", "-q", str(SAMPLE))
    first = json.loads(run(runner, index, "search", "--format", "json").stdout)["total"]
    run(runner, index, "ingest", "-q", str(SAMPLE))
    second = json.loads(run(runner, index, "search", "--format", "json").stdout)["total"]
    assert first == second == len([p for p in SAMPLE.iterdir() if p.suffix == ".txt"])


def test_ingest_from_stdin(runner, tmp_path):
    index = tmp_path / "ix"
    story = "Publié le 3/05/2018 à 17h20 Source: Agence Meuse\n\nLe budget wallon est présenté à Namur par la ministre."
    result = runner.invoke(cli, ["--index", str(index), "ingest", "-q", "-"], input=story)
    assert result.exit_code == 0, result.output
    hit = json.loads(run(runner, index, "search", "budget", "--format", "json").stdout)["results"][0]
    assert hit["date"] == "2018-05-03T17:20" and hit["source"] == "Agence Meuse"


def test_missing_path_is_reported(runner, tmp_path):
    result = run(runner, tmp_path / "ix", "ingest", "-q", str(tmp_path / "nowhere"), code=1)
    assert "no such file or folder" in result.output


def test_search_without_index_says_what_to_do(runner, tmp_path):
    result = run(runner, tmp_path / "none", "search", "x", code=1)
    assert "no index at" in result.output and "archive ingest PATH" in result.output


def test_usage_errors_exit_2(runner, sample_index):
    result = run(runner, sample_index, "search", "x", "--from", "soon", code=2)
    assert "--from" in result.output and "YYYY-MM-DD" in result.output
    run(runner, sample_index, "search", "--sort", "random", code=2)


def test_malformed_query_is_a_clean_error(runner, sample_index):
    result = run(runner, sample_index, "search", '"unclosed', code=1)
    assert "unclosed quote" in result.output and "Traceback" not in result.output


def test_busy_index_says_another_ingest_is_writing(runner, tmp_path):
    index = tmp_path / "ix"
    run(runner, index, "ingest", "-q", str(SAMPLE))
    archive = create_or_open(index)
    with writer(archive):
        result = run(runner, index, "ingest", "-q", str(SAMPLE), code=1)
    assert "another ingest is writing" in result.output


def test_search_formats_and_show(runner, sample_index):
    data = json.loads(run(runner, sample_index, "search", "haven", "--format", "json").stdout)
    assert data["total"] >= 1
    first = data["results"][0]
    assert {"id", "title", "date", "source", "language", "snippet", "entities"} <= set(first)
    csv_out = run(runner, sample_index, "search", "haven", "--format", "csv").stdout
    assert csv_out.splitlines()[0].startswith("id,date,source")
    text_out = run(runner, sample_index, "search", "haven").stdout
    assert "articles match" in text_out
    shown = json.loads(run(runner, sample_index, "show", first["id"], "--format", "json").stdout)
    assert shown["id"] == first["id"] and "body" in shown and "entities" in shown
    run(runner, sample_index, "show", "doesnotexist", code=1)


def test_explain_prints_the_parsed_query(runner, sample_index):
    out = run(runner, sample_index, "search", "N-VA OR CD&V", "--explain").output
    assert "exact words:n-va" in out and "exact words:cd&v" in out


def test_lists_and_stats(runner, sample_index):
    assert "Persbureau Noordzee" in run(runner, sample_index, "sources").stdout
    assert "PER" in run(runner, sample_index, "entities").stdout
    stats = run(runner, sample_index, "stats").stdout
    assert "articles: " in stats and "undated: 1" in stats


def test_extract_prints_records_with_entity_offsets(runner, tmp_path):
    out = run(runner, tmp_path, "extract", str(SAMPLE / "en_flood.txt")).stdout
    record = json.loads(out.splitlines()[0])
    assert record["date"] == "2016-09-09T10:34" and record["date_tz"] == "BST"
    fields = {"body": record["body"], "title": record["title"] or "", "caption": record["caption"] or ""}
    assert record["entities"]
    for ent in record["entities"]:
        assert fields[ent["field"]][ent["start"]:ent["end"]] == ent["text"]
        assert ent["label"] in ("PER", "ORG", "LOC", "MISC") and ent["name"]


def test_export_then_ingest_round_trips(runner, sample_index, tmp_path):
    dump = tmp_path / "dump.jsonl"
    dump.write_text(run(runner, sample_index, "export").stdout)
    rebuilt = tmp_path / "rebuilt"
    run(runner, rebuilt, "ingest", "-q", str(dump))
    again = run(runner, rebuilt, "export").stdout
    assert sorted(again.splitlines()) == sorted(dump.read_text().splitlines())


def test_debug_is_refused_off_this_machine(runner, sample_index):
    result = runner.invoke(cli, ["--index", str(sample_index), "serve", "--host", "0.0.0.0", "--debug"])
    assert result.exit_code == 2 and "only with --host 127.0.0.1" in result.output
