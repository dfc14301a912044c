"""`archive check` (Lucene's CheckIndex for the Whoosh folder), and damaged files met by a search or an ingest:
one clear line naming the file and what to do, exit 1, never a traceback."""
import shutil

import pytest

from archive.backends.whoosh.columns import clear_cache
from archive.cli import cli
from archive.ingest import ingest

from .conftest import SAMPLE, run


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """An index of the sample in three segments (copied for each test, which damages its copy)."""
    path = tmp_path_factory.mktemp("check") / "index"
    report = ingest([str(SAMPLE)], str(path), workers=1, batch_size=5)
    assert not report.failures
    return path


@pytest.fixture
def index(built, tmp_path):
    path = tmp_path / "index"
    shutil.copytree(built, path)
    clear_cache()  # the copies share segment ids: decode each one's columns afresh
    yield path
    clear_cache()


def segment_file(index, suffix):
    found = sorted(index.glob(f"MAIN_*{suffix}"))
    assert found, suffix
    return found[0]


def damage(path, how):
    data = path.read_bytes()
    if how == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif how == "zero":
        path.write_bytes(b"\0" * len(data))
    elif how == "flip":  # one byte changed in the middle: same size, still decodable
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:])
    else:
        path.unlink()


def no_traceback(result):
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def test_a_fresh_index_checks_ok(runner, index):
    result = run(runner, index, "check")
    assert result.output.strip() == "ok: 13 articles in 3 segments"
    assert len(list(index.glob("MAIN_*.sums"))) == 3  # a checksum file per segment, written by each commit


@pytest.mark.parametrize("suffix,how,fix", [
    (".pst", "truncate", "archive reindex"),
    (".trm", "zero", "archive reindex"),
    (".pst", "zero", "archive reindex"),
    (".trm", "delete", "archive reindex"),
    ("._stored.col", "truncate", "restore the index folder from a backup"),
    ("._stored.col", "flip", "restore the index folder from a backup"),
    (".facets.col", "flip", "archive reindex"),
    (".sort_old.col", "zero", "archive reindex"),
    (".id.col", "delete", "archive reindex"),
])
def test_a_damaged_file_is_named_with_what_to_do(runner, index, suffix, how, fix):
    target = segment_file(index, suffix)
    damage(target, how)
    result = runner.invoke(cli, ["--index", str(index), "check"])
    assert result.exit_code == 1, result.output
    no_traceback(result)
    lines = [line for line in result.output.splitlines() if line.startswith(str(index))]
    assert lines and lines[0].startswith(f"{target}: "), result.output
    assert fix in lines[0]
    assert "ok:" not in result.output


def test_a_damaged_table_of_contents_is_named(runner, index):
    toc = next(index.glob("_MAIN_*.toc"))
    damage(toc, "truncate")
    result = runner.invoke(cli, ["--index", str(index), "check"])
    assert result.exit_code == 1
    no_traceback(result)
    assert result.output.startswith(f"{toc}: the table of contents cannot be read")
    assert "restore the index folder from a backup" in result.output


def test_columns_that_disagree_with_the_stored_records_are_found(index):
    """The consistency half: a column rewritten with valid but wrong values (and sums to match) is still found."""
    from archive.backends.whoosh import integrity
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC

    storage = FileStorage(str(index))
    toc = TOC.read(storage, "MAIN", TOC._latest_generation(storage, "MAIN"))
    segment = toc.segments[0]
    sort_old = index / f"{segment.segment_id()}.sort_old.col"
    other = index / f"{toc.segments[1].segment_id()}.sort_old.col"
    shutil.copyfile(other, sort_old)  # another segment's dates: a valid column of the wrong articles
    if segment.doc_count_all() != toc.segments[1].doc_count_all():
        pytest.skip("segments of different sizes")
    integrity.write_sums(index, "MAIN", segment)
    problems, articles, segments = integrity.check_index(index)
    assert any(p.startswith(f"{sort_old}: ") and "differ from the stored records" in p for p in problems), problems


# Whoosh retries opening a searcher on IOError ten times, dropping the readers it had opened for the other segments
# unclosed each time: a ResourceWarning of Whoosh's, on a damaged index only.
whoosh_leaks = pytest.mark.filterwarnings("ignore::ResourceWarning",
                                          "ignore::pytest.PytestUnraisableExceptionWarning")


@whoosh_leaks
def test_a_deleted_file_is_met_by_a_search_with_one_clear_line(runner, index):
    target = segment_file(index, ".trm")
    damage(target, "delete")
    result = runner.invoke(cli, ["--index", str(index), "search", "--facets", "the"])
    assert result.exit_code == 1
    no_traceback(result)
    assert result.output.strip() == (f"Error: the index file {target} is damaged: run `archive check` for what to "
                                     "do")


@whoosh_leaks
@pytest.mark.parametrize("suffix,how", [(".facets.col", "flip"), ("._stored.col", "zero"),
                                        (".trm", "truncate")])
def test_damage_met_by_a_search_names_the_file(runner, index, suffix, how):
    target = segment_file(index, suffix)
    damage(target, how)
    result = runner.invoke(cli, ["--index", str(index), "search", "--facets"])
    assert result.exit_code == 1, result.output
    no_traceback(result)
    assert str(target) in result.output and "run `archive check`" in result.output


@pytest.mark.parametrize("how", ["zero", "truncate", "flip"])
def test_ingest_refuses_a_damaged_index(runner, index, how):
    target = segment_file(index, ".pst")
    damage(target, how)
    result = runner.invoke(cli, ["--index", str(index), "ingest", "-q", "--workers", "1",
                                 str(SAMPLE / "en_flood.txt")])
    assert result.exit_code == 1, result.output
    no_traceback(result)
    assert str(target) in result.output and "run `archive check`" in result.output


def test_reindex_repairs_what_check_says_it_repairs(runner, index):
    damage(segment_file(index, ".trm"), "truncate")
    assert "archive reindex" in runner.invoke(cli, ["--index", str(index), "check"]).output
    run(runner, index, "reindex")
    assert run(runner, index, "check").output.strip() == "ok: 13 articles in 1 segment"
    assert run(runner, index, "stats").output.count("articles: 13") == 1


def test_segments_without_checksums_are_decoded_and_said_so(runner, index):
    """An index written before checksums were recorded still checks (every file decoded), and says what it skipped."""
    for sums in index.glob("MAIN_*.sums"):
        sums.unlink()
    assert run(runner, index, "check").output.strip() == (
        "ok: 13 articles in 3 segments (3 written before checksums were recorded: decoded but not compared; "
        "`archive reindex` records them)")
    damage(segment_file(index, "._stored.col"), "zero")
    result = runner.invoke(cli, ["--index", str(index), "check"])
    assert result.exit_code == 1
    no_traceback(result)
    assert f"{segment_file(index, '._stored.col')}: " in result.output and "cannot be decoded" in result.output
