"""Nothing lost, nothing doubled: re-ingest, kills at random moments, a second writer, reindex, field maps."""
import json
import os
import random
import signal
import subprocess
import sys
import time

from archive.backends.whoosh.index import create_or_open, open_index, writer
from archive.backends.whoosh.reindex import reindex

from .conftest import ROOT, SAMPLE, run

N_ARTICLES = 1200


def write_corpus(folder, n=N_ARTICLES):
    """Write n small invented articles as JSON Lines files of 100 records each."""
    folder.mkdir()
    for f in range(n // 100):
        with open(folder / f"part-{f:02d}.jsonl", "w", encoding="utf-8") as fh:
            for i in range(100):
                k = f * 100 + i
                fh.write(json.dumps({"id": f"a{k}", "source": "Testbureau", "date": f"2020-01-{1 + k % 28:02d}",
                                     "language": "nl", "title": f"Bericht {k}",
                                     "text": f"Bericht nummer {k} over de haven van Antwerpen en de trein naar "
                                             f"Gent, met minister Jan Peeters {k}."}) + "\n")


def stored_ids(index):
    with open_index(index).searcher() as s:
        return [fields["id"] for fields in s.all_stored_fields()]


def test_killed_ingest_never_leaves_a_broken_index_or_duplicates(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus)
    index = tmp_path / "ix"
    rng = random.Random(42)
    cmd = [sys.executable, "-m", "archive", "--index", str(index), "ingest", "-q", "--workers", "2",
           "--batch-size", "50", str(corpus)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for _ in range(10):
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(rng.uniform(0.3, 2.5))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        if index.exists() and (index / "_MAIN_0.toc").exists() or any(index.glob("*.toc")):
            ids = stored_ids(index)  # readable
            assert len(ids) == len(set(ids))  # no duplicate
    finished = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    ids = stored_ids(index)
    assert len(ids) == len(set(ids)) == N_ARTICLES


def test_second_writer_waits_then_proceeds(runner, tmp_path):
    index = tmp_path / "ix"
    run(runner, index, "ingest", "-q", str(SAMPLE))
    archive = create_or_open(index)
    with writer(archive):
        result = run(runner, index, "ingest", "-q", "--wait", "0.5", str(SAMPLE), code=1)
        assert "another ingest is writing" in result.output
    run(runner, index, "ingest", "-q", "--wait", "5", str(SAMPLE))


def test_reindex_keeps_every_article_and_search_results(runner, sample_index):
    before = json.loads(run(runner, sample_index, "search", "haven OR minister", "--format", "json").stdout)
    export_before = sorted(run(runner, sample_index, "export").stdout.splitlines())
    assert reindex(str(sample_index)) == len(export_before)
    after = json.loads(run(runner, sample_index, "search", "haven OR minister", "--format", "json").stdout)
    assert [r["id"] for r in after["results"]] == [r["id"] for r in before["results"]]
    assert sorted(run(runner, sample_index, "export").stdout.splitlines()) == export_before
    assert not sample_index.with_name(sample_index.name + ".old").exists()


def test_reindex_refuses_while_an_ingest_writes(runner, sample_index):
    with writer(create_or_open(sample_index)):
        result = run(runner, sample_index, "reindex", code=1)
    assert "another ingest is writing" in result.output


def test_interrupted_reindex_says_how_to_recover(runner, sample_index):
    sample_index.rename(sample_index.with_name(sample_index.name + ".old"))
    result = run(runner, sample_index, "search", "x", code=1)
    assert "interrupted reindex" in result.output


def test_map_option_and_failure_report(runner, tmp_path):
    data = tmp_path / "export.jsonl"
    data.write_text(json.dumps({"story": "De haven van Antwerpen wacht op de minister van Mobiliteit.",
                                "krant": "Testkrant", "wanneer": "3/06/18"}) + "\n", encoding="utf-8")
    bad = tmp_path / "kapot.json"
    bad.write_text('{"title": "half', encoding="utf-8")
    report = tmp_path / "failed.jsonl"
    index = tmp_path / "ix"
    run(runner, index, "ingest", "-q", "--map", "body=story,source=krant,date=wanneer", "--report", str(report),
        str(data), str(bad), code=1)
    hit = json.loads(run(runner, index, "search", "haven", "--format", "json").stdout)["results"][0]
    assert hit["source"] == "Testkrant" and hit["date"] == "2018-06-03"
    (failure,) = [json.loads(line) for line in report.read_text().splitlines()]
    assert failure["input"].endswith("kapot.json") and "truncated" in failure["reason"]
    result = run(runner, index, "ingest", "-q", "--map", "bodystory", str(data), code=2)
    assert "FIELD=KEY" in result.output
