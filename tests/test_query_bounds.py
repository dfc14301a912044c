"""No query can take the server down: wildcards and ranges expand within a bound, searches stop at their time
budget, expensive ones wait their turn, and each is refused in one clear line (400 or 503), never a 500."""
from __future__ import annotations

import fnmatch
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.backends import BackendError, QueryTimeout
from archive.backends.whoosh import WhooshBackend
from archive.backends.whoosh.guard import glob_pattern, is_expensive, walk_words
from archive.cli import cli
from archive.query import QueryError, QueryTooBroad, build_query
from archive.request import SearchRequest
from archive.web import create_app

from .conftest import run

HOSTILE = ["**", "*a*", "[a TO z]", "NOT *", " OR ".join(f"*{c}*" for c in "aeiounrstl")]


def search(backend: WhooshBackend, q: str):
    return backend.search(SearchRequest.from_dict({"q": q, "facets": "1"}))


def test_a_wildcard_that_expands_too_far_is_refused_naming_it(sample_index):
    backend = WhooshBackend(str(sample_index), query_terms=5)
    with pytest.raises(QueryTooBroad, match=r"^`\*a\*` expands to more than 5 words: make it longer or more"):
        search(backend, "*a*")
    with pytest.raises(QueryTooBroad, match=r"^`\[a TO z\]` expands to more than 5 words: narrow the range"):
        search(backend, "[a TO z]")
    with pytest.raises(QueryTooBroad, match=r"`person:\[a TO z\]`"):
        search(backend, "person:[a TO z]")
    with pytest.raises(QueryTooBroad, match="together"):  # each one fits, all of them do not
        search(backend, "haven* OR storm* OR minister* OR brug* OR akkoord* OR regering* OR trein*")
    assert search(backend, "haven*").total == search(WhooshBackend(str(sample_index)), "haven*").total > 0


def test_hostile_queries_are_answered_or_refused_cleanly(sample_index):
    backend = WhooshBackend(str(sample_index), query_terms=20)
    for q in HOSTILE:
        try:
            page = search(backend, q)
        except QueryError as exc:
            assert "expands to more than 20 words" in str(exc), q
        else:
            assert page.total >= 0
    assert search(backend, "NOT *").total == 0  # NOT every word: nothing, found without expanding a word
    assert search(backend, "person:*").total > 0  # any value: never counted against the bound


def test_a_search_past_its_time_budget_stops_with_a_clear_error(sample_index):
    backend = WhooshBackend(str(sample_index), query_seconds=1e-9)
    for q in ["haven", "*a*", '"de haven"', "NOT haven"]:
        with pytest.raises(QueryTimeout, match="^this query is too expensive: it needed more than"):
            search(backend, q)
    with pytest.raises(QueryTimeout):
        backend.matches(SearchRequest.from_dict({"q": "ha*"}))
    assert search(WhooshBackend(str(sample_index), query_seconds=0), "haven").total > 0  # 0: no limit


def test_expensive_searches_wait_their_turn_and_plain_ones_do_not(sample_index):
    backend = WhooshBackend(str(sample_index), query_seconds=0.05, expensive_queries=1)
    assert backend.admission._slots is not None
    backend.admission._slots.acquire()  # an expensive search is running
    try:
        with pytest.raises(QueryTimeout, match="1 searches with wildcards, ranges or NOT alone are already running"):
            search(backend, "ha*")
        with pytest.raises(QueryTimeout):
            search(backend, "NOT haven")
        assert search(backend, "haven").total > 0
    finally:
        backend.admission._slots.release()
    assert search(backend, "ha*").total > 0


def test_bad_bounds_are_named(sample_index, monkeypatch):
    monkeypatch.setenv("ARCHIVE_QUERY_SECONDS", "soon")
    with pytest.raises(BackendError, match="ARCHIVE_QUERY_SECONDS='soon' is not a number"):
        WhooshBackend(str(sample_index))


def test_web_and_api_answer_400_and_503_with_the_reason(sample_index, monkeypatch):
    monkeypatch.setenv("ARCHIVE_QUERY_TERMS", "5")
    client = create_app({"TESTING": True, "INDEX_PATH": str(sample_index)}).test_client()
    api = client.get("/api/search", query_string={"q": "*a*"})
    assert api.status_code == 400 and "`*a*` expands to more than 5 words" in api.get_json()["error"]
    page = client.get("/", query_string={"q": "*a*"})
    assert page.status_code == 400 and b"expands to more than 5 words" in page.data
    slow = create_app({"TESTING": True, "INDEX_PATH": str(sample_index), "QUERY_SECONDS": 1e-9}).test_client()
    api = slow.get("/api/search", query_string={"q": "haven"})
    assert api.status_code == 503 and api.get_json()["error"].startswith("this query is too expensive")
    page = slow.get("/", query_string={"q": "haven"})
    assert page.status_code == 503 and b"this query is too expensive" in page.data
    export = slow.get("/api/export", query_string={"q": "haven"})
    assert export.status_code == 503 and export.get_json()["status"] == 503


def test_cli_says_it_in_one_line_and_exits_1(sample_index, runner):
    result = runner.invoke(cli, ["--index", str(sample_index), "search", "*a*"],
                           env={"ARCHIVE_QUERY_TERMS": "5"})
    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines() == ["Error: `*a*` expands to more than 5 words: make it longer or "
                                                  "more specific"]
    result = runner.invoke(cli, ["--index", str(sample_index), "search", "haven"],
                           env={"ARCHIVE_QUERY_SECONDS": "1e-9"})
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1 and "too expensive" in result.output
    run(runner, sample_index, "search", "haven*")


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(pattern=st.text(st.sampled_from("ab*?.\\+"), min_size=1, max_size=7),
       words=st.lists(st.text(st.sampled_from("ab.\\+ "), min_size=1, max_size=8), max_size=30))
def test_wildcards_match_as_globs_without_backtracking(pattern, words):
    """The one expression over a segment's words finds what fnmatch finds, word by word (no word is empty)."""
    expected = [w for w in words if re.match(fnmatch.translate(pattern), w)]
    found = [m.group() for m in glob_pattern(pattern).finditer("\n".join(words))]
    assert [w for w in found if w] == expected


def test_phrases_of_common_words_wait_their_turn(sample_index):
    backend = WhooshBackend(str(sample_index))
    with backend.pool.searcher() as s:
        common = build_query(SearchRequest.from_dict({"q": '"de minister"'}), s.schema).text
        plain = build_query(SearchRequest.from_dict({"q": "haven minister"}), s.schema).text
        assert is_expensive(common, s.reader()) and not is_expensive(plain, s.reader())


class _Stopwatch:
    """A budget that runs out every `every` words (so that a walk needs several searches)."""

    def __init__(self, every: int):
        self.every, self.ticks = every, 0

    def tick(self) -> None:
        self.ticks += 1
        if self.ticks % self.every == 0:
            raise QueryTimeout("out of time")


def test_a_walk_over_a_field_s_words_resumes_where_a_timed_out_search_left_it(sample_index):
    backend = WhooshBackend(str(sample_index))
    with backend.pool.searcher() as s:
        segment = s.reader().leaf_readers()[0][0]
        expected = list(segment.lexicon("exact"))
        assert len(expected) > 100
        stopwatch, attempts, found = _Stopwatch(40), 0, None
        while found is None:
            attempts += 1
            try:
                found = walk_words(("test",), segment, "exact", stopwatch, list,  # type: ignore[arg-type]
                                   lambda words, btext: words.append(btext))
            except QueryTimeout:
                continue
        assert found == expected and attempts > len(expected) // 40
