"""Bounded articles: huge bodies are cut and marked, gzip bombs and oversized files are refused, pages stay small."""
import gzip
import json
import os
import resource
import subprocess
import sys

from archive.backends.whoosh.index import open_index
from archive.ingest import ingest
from archive.model import Article, Entity
from archive.readers import read_bytes
from archive.readers.limits import MAX_BODY_CHARS, MAX_INPUT_BYTES, MAX_LINE_BYTES, MAX_TITLE_CHARS, bound_article
from archive.snippets import SCAN_CHARS, QueryTerms, make_snippet
from archive.web import PAGE_CHARS, annotate

from .conftest import ROOT

GOOD = {"id": "g1", "title": "Goed bericht", "text": "De haven van Antwerpen kreeg een nieuwe sluis, zei de minister."}


def ingest_in_child(tmp_path, *paths):
    """Run an ingest in a child process; return it and the peak memory (MB) of the largest child so far."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "archive", "--index", str(tmp_path / "ix"), "ingest", "-q",
                           "--workers", "1", *map(str, paths)], env=env, capture_output=True, text=True, timeout=600)
    return done, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def stored(index):
    with open_index(index).searcher() as s:
        return {f["id"]: f for f in s.all_stored_fields()}


def test_a_5mb_single_line_article_is_cut_at_the_limit_and_marked(tmp_path):
    words = ("haven", "Antwerpen", "minister", "sluis", "schip", "kade", "water", "stad")
    line = " ".join(words[i % 8] + str(i % 97) for i in range(700_000))[: 5 * 2**20]
    assert len(line) == 5 * 2**20 and "\n" not in line
    big = tmp_path / "groot.txt"
    big.write_text(line + " slotwoord\n", encoding="utf-8")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(GOOD), encoding="utf-8")
    done, peak_mb = ingest_in_child(tmp_path, big, good)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert peak_mb < 1024, peak_mb  # the same article uncut needed 2 GB
    assert len(stored(tmp_path / "ix")) == 2
    [body] = [a.body for a in read_bytes("groot.txt", big.read_bytes())]
    assert len(body) <= MAX_BODY_CHARS
    assert body.endswith(f"[Article cut: it has {len(line) + len(' slotwoord'):,} characters; "
                         f"the archive keeps the first {len(body.rsplit(chr(10) * 2, 1)[0]):,}.]")
    assert "slotwoord" not in body


def test_cut_is_stable_keeps_entities_inside_and_bounds_titles():
    body = "woord " * 200_000
    article = Article(body=body, title="T" * 5000, entities=[
        Entity("LOC", 0, 5, "woord", "Woord"), Entity("LOC", 1_000_000, 1_000_005, "woord", "Woord")])
    assert bound_article(article)
    assert len(article.body) <= MAX_BODY_CHARS and len(article.title) == MAX_TITLE_CHARS
    assert [e.start for e in article.entities] == [0]
    again = Article.from_dict(article.to_dict())  # an export read back is not cut again
    assert not bound_article(again) and again.body == article.body


def test_a_gzip_bomb_is_refused_naming_the_file_and_the_batch_lands(tmp_path):
    bomb = tmp_path / "bom.json.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as fh:
        fh.write(b'{"text": "')
        zeros = b"0" * 2**20
        for _ in range(1024):  # 1 GB of text, about 1 MB on disk
            fh.write(zeros)
        fh.write(b'"}')
    assert bomb.stat().st_size < 2 * 2**20
    good = tmp_path / "good.json"
    good.write_text(json.dumps(GOOD), encoding="utf-8")
    done, peak_mb = ingest_in_child(tmp_path, bomb, good)
    assert done.returncode == 1
    assert f"failed: {bomb}: gzip data expands over 100 times" in done.stderr and "gzip bomb" in done.stderr
    assert "Traceback" not in done.stderr
    assert peak_mb < 1024, peak_mb  # 2.1 GB before
    assert len(stored(tmp_path / "ix")) == 1


def test_a_streamed_jsonl_gz_bomb_keeps_the_lines_before_it(tmp_path):
    bomb = tmp_path / "lines.jsonl.gz"
    with gzip.open(bomb, "wb") as fh:
        for i in range(20):  # incompressible records first, so that the file is streamed in chunks
            fh.write(json.dumps({"id": f"r{i}", "text": f"Bericht {i} over de haven.", "pad": os.urandom(60_000).hex()})
                     .encode() + b"\n")
        for _ in range(400):
            fh.write(b" " * 2**20)
    report = ingest([str(bomb)], str(tmp_path / "ix"), workers=1)
    (failure,) = report.failures
    assert failure.reason.startswith(f"{bomb}: gzip data expands over 100 times"), failure.reason
    assert report.articles >= 1  # the chunks read before the expansion passed the limit


def test_a_file_over_the_input_limit_is_refused_without_reading_it(tmp_path):
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as fh:  # sparse: takes no disk
        fh.truncate(MAX_INPUT_BYTES + 1)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(GOOD), encoding="utf-8")
    report = ingest([str(huge), str(good)], str(tmp_path / "ix"), workers=1)
    (failure,) = report.failures
    assert failure.reason.startswith(f"{huge}: file is 256 MB, over the 256 MB limit"), failure.reason
    assert report.articles == 1


def test_overlong_jsonl_line_is_skipped_with_its_number(tmp_path):
    data = tmp_path / "big.jsonl"
    with open(data, "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "a", "text": "Eerste bericht over de haven."}) + "\n")
        fh.write(json.dumps({"id": "b", "text": "x" * (MAX_LINE_BYTES + 2**20)}) + "\n")
        fh.write(json.dumps({"id": "c", "text": "Derde bericht over de sluis."}) + "\n")
    report = ingest([str(data)], str(tmp_path / "ix"), workers=1)
    assert [f.reason for f in report.failures] == [f"{data}:2: a line over 64 MB, not an article record: skipped"]
    assert report.articles == 2


def test_snippets_and_pages_read_a_bounded_window():
    qt = QueryTerms(frozenset({("exact", "sluis")}), frozenset())
    far = "woord " * (SCAN_CHARS // 3) + "sluis"
    assert not any(hit for _, hit in make_snippet(far, "nl", qt))  # beyond the window: the opening words
    near = "woord " * 100 + "sluis " + "woord " * 200_000
    assert [s for s, hit in make_snippet(near, "nl", qt) if hit] == ["sluis"]
    body = ("Een alinea over de haven van Antwerpen. " * 50 + "\n\n") * 300
    ents = [Entity("LOC", i + 27, i + 36, "Antwerpen", "Antwerpen") for i in range(0, len(body), 2002)]
    html = annotate(body, ents)
    assert len(body) > 2 * PAGE_CHARS and len(html) < 2 * PAGE_CHARS
    assert "the article goes on for" in html and html.count('class="ent ent-loc"') > 40
    small = annotate("Antwerpen ligt aan de Schelde.\n\nTweede alinea.", [Entity("LOC", 0, 9, "Antwerpen", "Antwerpen")])
    assert small.count("<p>") == 2 and "goes on" not in small and 'class="ent ent-loc"' in small
