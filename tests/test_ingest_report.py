"""Honest ingest reports (issue 12, item 7): new against updated in place, each failure once, and library warnings
that name their file."""
from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from archive.backends import open_backend
from archive.ingest import ingest

from .conftest import ROOT, SAMPLE, run

SAMPLE_TEXTS = sorted(p for p in SAMPLE.iterdir() if p.suffix == ".txt")
GERMAN_PAGE = Path(__file__).parent / "fixtures" / "language" / "german_declared_en.html"


def _record(n: int, body: str | None = None) -> str:
    return json.dumps({"url": f"https://krant.example/{n}", "title": f"Bericht {n}",
                       "body": body or f"De gemeenteraad van stad {n} heeft gisteravond de begroting goedgekeurd."})


def test_second_ingest_is_all_updates(tmp_path: Path) -> None:
    index = str(tmp_path / "ix")
    first = ingest([str(SAMPLE)], index, workers=1)
    assert not first.failures and first.articles == len(SAMPLE_TEXTS) > 0
    assert (first.new, first.updated) == (first.articles, 0)
    second = ingest([str(SAMPLE)], index, workers=1)
    assert not second.failures
    assert (second.articles, second.new, second.updated) == (first.articles, 0, first.articles)


def test_mixed_batch_counts_new_updated_and_failed(tmp_path: Path) -> None:
    index = str(tmp_path / "ix")
    (tmp_path / "old.jsonl").write_text("\n".join(_record(n) for n in range(3)) + "\n", encoding="utf-8")
    assert ingest([str(tmp_path / "old.jsonl")], index, workers=1).new == 3
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "a.jsonl").write_text("\n".join([
        _record(1, "De gemeenteraad heeft de begroting van stad 1 toch verworpen na een lang debat."),  # updated
        _record(2),  # updated, unchanged
        _record(7),  # new
        _record(8),  # new...
        _record(8),  # ...and at once replaced by its second copy in the same batch
    ]) + "\n", encoding="utf-8")
    (mixed / "b.gz").write_bytes(b"not gzip at all")  # fails
    report = ingest([str(mixed)], index, workers=2)
    assert [f.reason for f in report.failures if not f.record] == [f"{mixed / 'b.gz'}: named gz but not gzip "
                                                                     "data: rename the file or fetch it again"]
    assert (report.articles, report.new, report.updated) == (5, 2, 3)
    backend = open_backend(index)
    try:
        assert backend.count() == 5
        [updated] = [a for a in backend.articles() if a.url == "https://krant.example/1"]
        assert "verworpen" in updated.body
    finally:
        backend.close()


def _archive(*args: str, code: int = 0) -> str:
    """Run the `archive` command in a process of its own (logging set up as for a user); return its stderr."""
    done = subprocess.run([sys.executable, "-m", "archive", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == code, done.stderr
    return done.stderr


def test_cli_summary_and_each_failure_once(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "one.txt").write_text(SAMPLE_TEXTS[0].read_text(encoding="utf-8"), encoding="utf-8")
    (docs / "broken.gz").write_bytes(b"not gzip")
    index = str(tmp_path / "ix")
    first = _archive("--index", index, "ingest", "-q", "--workers", "1", str(docs), code=1)
    assert "1 articles (1 new, 0 updated in place) from 2 inputs" in first, first
    assert "1 inputs failed" in first
    assert first.count("broken.gz: named gz but not gzip data") == 1, first
    (docs / "two.txt").write_text(SAMPLE_TEXTS[1].read_text(encoding="utf-8"), encoding="utf-8")
    second = _archive("--index", index, "ingest", "-q", "--workers", "2", str(docs), code=1)
    assert "2 articles (1 new, 1 updated in place) from 3 inputs" in second, second
    assert second.count("broken.gz: named gz but not gzip data") == 1, second


@pytest.fixture
def warning_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make trafilatura warn (three times, and once about a deprecation) on every HTML page it reads."""
    import trafilatura

    real = trafilatura.bare_extraction

    def warning_extraction(tree, *args, **kwargs):  # type: ignore[no-untyped-def]
        for _ in range(3):
            warnings.warn("odd markup near the byline", UserWarning)
        warnings.warn("an old parameter", DeprecationWarning)
        return real(tree, *args, **kwargs)

    monkeypatch.setattr(trafilatura, "bare_extraction", warning_extraction)


@pytest.mark.parametrize("workers", [1, 2])
def test_library_warning_names_its_file_once(warning_library: None, tmp_path: Path, workers: int) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "bridge.html").write_bytes(GERMAN_PAGE.read_bytes())
    (pages / "quiet.txt").write_text(SAMPLE_TEXTS[0].read_text(encoding="utf-8"), encoding="utf-8")
    with warnings.catch_warnings(record=True) as leaked:
        warnings.simplefilter("always")
        report = ingest([str(pages)], str(tmp_path / "ix"), workers=workers)
    assert not report.failures and report.articles == 2
    assert report.warnings == [f"{pages / 'bridge.html'}: odd markup near the byline (UserWarning)"]
    assert not [w for w in leaked if "odd markup" in str(w.message)]  # reported, not also printed bare


def test_cli_prints_the_warning_with_its_file(warning_library: None, runner, tmp_path: Path) -> None:
    page = tmp_path / "bridge.html"
    page.write_bytes(GERMAN_PAGE.read_bytes())
    result = run(runner, tmp_path / "ix", "ingest", "-q", "--workers", "1", str(page))
    assert result.output.count("odd markup") == 1, result.output
    assert f"warning: {page}: odd markup near the byline (UserWarning)" in result.output
    assert "old parameter" not in result.output


def test_extract_names_the_file_of_a_warning(warning_library: None, runner, tmp_path: Path) -> None:
    from archive.cli import cli

    page = tmp_path / "bridge.html"
    page.write_bytes(GERMAN_PAGE.read_bytes())
    result = runner.invoke(cli, ["extract", str(page)])
    assert result.exit_code == 0, result.output
    assert result.output.count("odd markup") == 1, result.output
    assert f"warning: {page}: odd markup near the byline (UserWarning)" in result.output
    assert json.loads(result.output.splitlines()[-1])["language"] == "de"
