"""Property-based fuzzing of the query language and the request parameters: whatever is typed into any field, the
parser answers a query or a QueryError, and the web app and API answer a page or a clear 400, never a 500 and never
a traceback.

CI runs 1,500 generated queries through the parser and 600 generated requests through the app (deterministically:
`derandomize`); ARCHIVE_FUZZ_EXAMPLES=N runs N per test with fresh random draws, for a longer local run.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.backends.whoosh.index import build_schema
from archive.ingest import ingest
from archive.query import QueryError, build_query, query_schema
from archive.request import RequestError, SearchRequest
from archive.web import create_app

from .conftest import SAMPLE

LONG_RUN = os.environ.get("ARCHIVE_FUZZ_EXAMPLES")


def fuzz_settings(examples: int):
    return settings(max_examples=int(LONG_RUN or examples), derandomize=not LONG_RUN, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


# Every field the parser can be pointed at: the query language's, the index's own (stored, columns) and some that
# are none, in odd cases.
FIELDS = sorted(set(query_schema().names()) | set(build_schema().names())) + ["title", "Person", "nosuch", "_x"]
WORDS = ["haven", "minister", "Kerry", "John Kerry", "N-VA", "CD&V", "Genève", "geneve", "Belga", "nl", "fr",
         "2016", "2016-09", "2016-09-09", "9/09/16", "a", "é", "ß", "ǅ", "0", "-1", "1e9", "\u200b", "ﬁ", "İ"]
OPERATORS = ["AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO", "and", "or", "not", "-", "+", "(", ")", "()", '"', "'",
             "*", "**", "?", "~", "^", ":", "[", "]", "{", "}", "\\", "/", "&", "|", "!", "%", "<", ">", "=", ","]

plain_word = st.one_of(st.sampled_from(WORDS), st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]),
                                                         min_size=1, max_size=8))


@st.composite
def terms(draw) -> str:
    word = draw(plain_word)
    other = draw(plain_word)
    forms = [word, f"{word}*", f"*{word}", f"*{word}*", f"{word}?", f"{word[:1]}?{word[1:]}", f"{word}~",
             f"{word}~2", f"{word}^2", f"{word}^0", f'"{word} {other}"', f'"{word} {other}"~3', f'"{word}"',
             f"[{word} TO {other}]", f"{{{word} TO}}", f"[TO {other}]", f"[{word} TO]", "*", "**", "?", "*?*",
             f"{word}-{other}", f"{word}&{other}", f"({word} OR {other})", f"-{word}", f"+{word}"]
    term = draw(st.sampled_from(forms))
    if draw(st.booleans()):
        term = f"{draw(st.sampled_from(FIELDS))}:{term}"
    return term


queries = st.one_of(
    st.lists(st.one_of(terms(), st.sampled_from(OPERATORS)), min_size=1, max_size=8).map(" ".join),
    st.lists(st.one_of(terms(), st.sampled_from(OPERATORS)), min_size=1, max_size=5).map("".join),
    st.text(max_size=40),
)

# Mostly valid values (so that most requests get as far as a search), some of every kind of wrong one.
DATES = st.one_of(st.sampled_from(["2016", "2016-09", "2016-09-09", "2016-09-09T10:00", "2010", "2030-01"]),
                  st.sampled_from(["9/9/16", "0000", "9999-99", "2016-02-30", "yesterday", "", " "]),
                  st.text(max_size=12))
NUMBERS = st.one_of(st.integers(1, 3).map(str), st.integers(1, 3).map(str), st.integers(-5, 10**12).map(str),
                    st.sampled_from(["", "x", "1.5", "٣", "1e3"]))
FLAGS = st.sampled_from(["1", "0", "", "yes", "true", "on", "x"])
params = st.fixed_dictionaries({"q": queries}, optional={
    "source": st.one_of(st.sampled_from(["Belga", "belga", "De Standaard", ""]), st.text(max_size=10)),
    "person": st.one_of(st.sampled_from(["John Kerry", "Kerry", "Poetin"]), st.text(max_size=10)),
    "org": st.text(max_size=10), "location": st.one_of(st.just("Genève"), st.text(max_size=10)),
    "misc": st.text(max_size=10), "entity": st.text(max_size=10), "cluster": st.text(max_size=10),
    "language": st.one_of(st.sampled_from(["nl", "fr", "en", "xx"]), st.text(max_size=4)),
    "from": DATES, "to": DATES,
    "sort": st.one_of(st.sampled_from(["relevance", "newest", "oldest"]), st.sampled_from(["", "best", "NEWEST"])),
    "page": NUMBERS, "size": NUMBERS, "facets": FLAGS, "versions": FLAGS,
    "format": st.sampled_from(["csv", "jsonl", "csv", "jsonl", "xml", ""]),
})


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    path: Path = tmp_path_factory.mktemp("fuzz") / "index"
    report = ingest([str(SAMPLE)], str(path), workers=1)
    assert not report.failures, report.failures
    return create_app({"TESTING": True, "INDEX_PATH": str(path)}).test_client()


@fuzz_settings(1500)
@given(q=queries)
def test_the_parser_answers_a_query_or_a_clear_error(q):
    try:
        req = SearchRequest.from_dict({"q": q})
    except RequestError:
        return
    try:
        parsed = build_query(req, query_schema())
        parsed.tree()  # what other engines get: plain nodes, or a QueryError for what they cannot search
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc), q


@fuzz_settings(600)
@given(args=params, where=st.sampled_from(["/api/search", "/", "/api/export"]))
def test_no_request_is_a_server_error(client, args, where):
    response = client.get(where, query_string=args)
    body = response.get_data(as_text=True)
    assert response.status_code in (200, 400), (where, args, response.status_code, body[:300])
    assert "Traceback" not in body and "something went wrong" not in body, (where, args)
    if response.status_code == 400 and where.startswith("/api/"):
        error = response.get_json()["error"]
        assert error and "\n" not in error, (where, args, error)
