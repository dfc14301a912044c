"""Words in context: occurrences checked against brute-force counts over the bodies of a small invented index (stems,
phrases kept whole, exact forms), orders and pages checked against each other, and the page, the API (JSON, CSV)
and the CLI checked to agree; everything from articles escaped; bad parameters a 400 naming the parameter."""
from __future__ import annotations

import csv
import io
import json
import random
import re
from contextlib import closing
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.analysis import fold
from archive.backends import open_backend
from archive.backends.whoosh.index import create_or_open, write_articles, writer
from archive.kwic import KwicRequest, concordance
from archive.web import create_app

from .conftest import run
from .test_fuzz import DATES, FLAGS, NUMBERS, fuzz_settings, queries

FILLER = ("de het een van in op met voor over naar door bij als maar ook nog dan wel al zo"
          " rapport vergadering stad regering haven school water brug markt").split()
SOURCES = ["Belga", "Reuters", "AFP", "belga", "De <Krant> & Co"]


def make_articles() -> list:
    """About 160 Dutch articles of random filler with `ambtsgenoot`/`ambtsgenoten`/`Ambtsgenoten,`, the phrase
    `witte huis` (and `witte` and `huis` apart), `N-VA`; some undated, some without a source; a few English ones."""
    from archive.model import Article

    rng = random.Random(7)
    out = []
    inserts = ["ambtsgenoot", "ambtsgenoten", "Ambtsgenoten,", "witte huis", "Witte Huis.", "witte", "huis", "N-VA",
               "nva"]
    for i in range(160):
        words = [rng.choice(FILLER) for _ in range(rng.randint(20, 60))]
        for _ in range(rng.randint(0, 4)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(inserts))
        words.insert(rng.randrange(len(words) + 1), f"nummer{i}")
        undated = i % 23 == 0
        out.append(Article(
            id=f"a{i:03d}", title=rng.choice(["", "Ambtsgenoten in de stad", "Over de haven"]),
            body=" ".join(words) + ("\n\nEen tweede alinea met ambtsgenoot." if i % 17 == 0 else ""),
            language="nl", source=None if i % 19 == 0 else rng.choice(SOURCES),
            date=None if undated else datetime(2015 + i % 4, 1 + i % 12, 1 + i % 28, i % 24)))
    out.append(Article(id="x1", title="<script>alert(1)</script>", body='Een "<b>ambtsgenoot</b>" & =HYPERLINK(1)',
                       language="nl", source="<i>Bron</i>", date=datetime(2019, 5, 5, 12)))
    out.append(Article(id="e1", body="Trade ministers met their colleagues; the minister spoke.", language="en",
                       source="Reuters", date=datetime(2018, 2, 2, 8)))
    for n in (1, 2):  # two versions of one reprinted story
        out.append(Article(id=f"r{n}", body="De ambtsgenoot van de minister sprak in de vergadering.", language="nl",
                           source="AFP" if n == 1 else "Belga", date=datetime(2017, 3, n, 9), cluster="story-1"))
    return out


ARTICLES = make_articles()
EVERY = {"versions": "1"}  # brute-force counts count every version


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    path = tmp_path_factory.mktemp("kwic") / "ix"
    with writer(create_or_open(path)) as w:
        write_articles(w, ARTICLES)
    return path


@pytest.fixture
def backend(index):
    with closing(open_backend(str(index))) as b:
        yield b


@pytest.fixture
def client(index):
    return create_app({"TESTING": True, "INDEX_PATH": str(index)}).test_client()


def brute_words(forms: set[str]) -> list[tuple[str, int]]:
    """(article id, count) of the words of each article's title and body whose lower case is in `forms`."""
    out = []
    for a in ARTICLES:
        n = sum(1 for text in (a.title or "", a.body) for w in re.findall(r"\w+", text.lower()) if w in forms)
        if n:
            out.append((a.id, n))
    return out


def brute_phrase(first: str, second: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for a in ARTICLES:
        for text in (a.title or "", a.body):
            words = re.findall(r"\w+", text.lower())
            n = sum(1 for x, y in zip(words, words[1:]) if (x, y) == (first, second))
            if n:
                out[a.id] = out.get(a.id, 0) + n
    return out


def every_line(backend, **params):
    c = concordance(backend, KwicRequest.from_dict({"size": "1000", **EVERY, **params}))
    assert not c.has_next
    return c


def test_stems_found_and_counted_like_brute_force(backend):
    c = every_line(backend, q="ambtsgenoten")
    expected = brute_words({"ambtsgenoot", "ambtsgenoten"})
    per_article: dict[str, int] = {}
    for line in c.lines:
        per_article[line.article_id] = per_article.get(line.article_id, 0) + 1
    assert sorted(per_article.items()) == sorted(expected)
    assert c.occurrences == sum(n for _, n in expected) == len(c.lines)
    assert {fold(line.keyword) for line in c.lines} == {"ambtsgenoot", "ambtsgenoten"}
    assert c.articles == len(expected)


def test_phrase_is_one_occurrence(backend):
    c = every_line(backend, q='"witte huis"')
    expected = brute_phrase("witte", "huis")
    assert sum(expected.values()) > 5
    assert all(fold(line.keyword) == "witte huis" for line in c.lines)
    counted: dict[str, int] = {}
    for line in c.lines:
        counted[line.article_id] = counted.get(line.article_id, 0) + 1
    assert counted == expected


def test_exact_form_and_english_stem(backend):
    lines = every_line(backend, q="N-VA").lines
    assert {line.keyword for line in lines} == {"N-VA"}
    assert len(lines) == sum(a.body.count("N-VA") for a in ARTICLES)
    english = every_line(backend, q="minister", language="en").lines
    assert [line.keyword for line in english] == ["ministers", "minister"]


def test_context_is_the_text_around_the_occurrence(backend):
    for line in every_line(backend, q="ambtsgenoot", width="25").lines:
        article = next(a for a in ARTICLES if a.id == line.article_id)
        text = " ".join((getattr(article, line.part) or "").split())
        assert any(f"{line.left}{gap}{line.keyword}{gap2}{line.right}" in text for gap in ("", " ") for gap2 in ("", " "))
        assert len(line.left) <= 25 and len(line.right) <= 25


def test_words_under_not_give_no_line(backend):
    lines = every_line(backend, q="ambtsgenoot NOT witte").lines
    assert lines and all(fold(line.keyword) in ("ambtsgenoot", "ambtsgenoten") for line in lines)


def dated_key(date: str | None):
    return (date is None, date or "")


def test_orders(backend):
    base = every_line(backend, q="ambtsgenoot")
    ident = sorted((line.article_id, line.part, line.offset) for line in base.lines)
    for sort in ("newest", "source", "left", "right"):
        other = every_line(backend, q="ambtsgenoot", sort=sort)
        assert sorted((line.article_id, line.part, line.offset) for line in other.lines) == ident, sort
    assert [dated_key(line.date) for line in base.lines] == sorted(dated_key(line.date) for line in base.lines)
    newest = [line.date for line in every_line(backend, q="ambtsgenoot", sort="newest").lines]
    dated = [d for d in newest if d]
    assert dated == sorted(dated, reverse=True) and newest[len(dated):] == [None] * (len(newest) - len(dated))
    sources = [line.source for line in every_line(backend, q="ambtsgenoot", sort="source").lines]
    named = [fold(s) for s in sources if s]
    assert named == sorted(named) and sources[len(named):] == [None] * (len(sources) - len(named))
    left = [tuple(reversed(re.findall(r"\w+", fold(line.left)))) for line in
            every_line(backend, q="ambtsgenoot", sort="left").lines]
    assert left == sorted(left)
    right = [tuple(re.findall(r"\w+", fold(line.right))) for line in
             every_line(backend, q="ambtsgenoot", sort="right").lines]
    assert right == sorted(right)


@pytest.mark.parametrize("sort", ["date", "newest", "source", "left", "right"])
def test_pages_join_into_the_whole(backend, sort):
    whole = every_line(backend, q="ambtsgenoot OR huis", sort=sort).lines
    joined, page = [], 1
    while True:
        c = concordance(backend, KwicRequest.from_dict({"q": "ambtsgenoot OR huis", "sort": sort, "size": "7",
                                                        "page": str(page), **EVERY}))
        joined += c.lines
        assert c.first == (7 * (page - 1) + 1 if c.lines else 0)
        if not c.has_next:
            assert c.occurrences == len(whole) and c.pages == page
            break
        assert len(c.lines) == 7 and c.occurrences is None
        page += 1
    assert joined == whole


def test_left_sort_is_bounded_and_says_so(backend):
    first_five = every_line(backend, q="ambtsgenoot").lines[:5]
    c = concordance(backend, KwicRequest.from_dict({"q": "ambtsgenoot", "sort": "left", **EVERY}), sort_limit=5)
    assert c.window_full and c.sorted_window == 5 and c.occurrences is None
    assert sorted(c.lines, key=lambda line: line.offset) != [] and set(c.lines) == set(first_five)
    whole = concordance(backend, KwicRequest.from_dict({"q": "ambtsgenoot", "sort": "left", "size": "1000", **EVERY}))
    assert not whole.window_full and whole.sorted_window == len(whole.lines)


def test_reprints_read_once_unless_every_version(backend):
    once = concordance(backend, KwicRequest.from_dict({"q": "ambtsgenoot", "size": "1000"})).lines
    every = every_line(backend, q="ambtsgenoot").lines
    assert {line.article_id for line in every} >= {"r1", "r2"}
    assert "r1" in {line.article_id for line in once} and "r2" not in {line.article_id for line in once}
    assert len(every) - len(once) == 1


def test_api_csv_cli_and_page_agree(client, index, runner):
    params = {"q": "ambtsgenoot", "sort": "right", "size": "9", "page": "2", "width": "30"}
    data = client.get("/api/kwic", query_string=params).get_json()
    assert data["page"] == 2 and len(data["lines"]) == 9 and data["first"] == 10
    rows = list(csv.DictReader(io.StringIO(client.get("/api/kwic", query_string={**params, "format": "csv"})
                                           .get_data(as_text=True))))

    def unsafe(cell: str) -> str:
        return cell[1:] if cell[:2] in ("'=", "'+", "'-", "'@") else cell

    assert [[unsafe(r[k]) for k in ("article_id", "left", "keyword", "right")] for r in rows] == \
        [[line[k] for k in ("article_id", "left", "keyword", "right")] for line in data["lines"]]
    result = run(runner, index, "kwic", "ambtsgenoot", "--sort", "right", "--size", "9", "--page", "2", "--width",
                 "30", "--format", "json")
    assert json.loads(result.stdout)["lines"] == data["lines"]
    table = run(runner, index, "kwic", "ambtsgenoot", "--sort", "right", "--size", "9", "--page", "2", "--width", "30")
    assert [line.split()[-1] for line in table.stdout.splitlines() if line.strip()] == \
        [line["article_id"] for line in data["lines"]]
    page = client.get("/kwic", query_string=params).get_data(as_text=True)
    assert re.findall(r'<a href="/articles/([^"]+)"', page) == [line["article_id"] for line in data["lines"]]
    everything = client.get("/api/kwic", query_string={"q": "ambtsgenoot", "format": "csv", "all": "1"})
    assert len(list(csv.DictReader(io.StringIO(everything.get_data(as_text=True))))) == \
        len(concordance_lines(client, "ambtsgenoot"))


def concordance_lines(client, q):
    return client.get("/api/kwic", query_string={"q": q, "size": "1000"}).get_json()["lines"]


def test_everything_from_articles_is_escaped(client):
    page = client.get("/kwic", query_string={"q": "ambtsgenoot", "source": "<i>Bron</i>"}).get_data(as_text=True)
    assert "&lt;b&gt;" in page and "<b>" not in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<i>Bron" not in page
    assert client.get("/?q=ambtsgenoot").status_code == 200
    assert "/kwic?q=ambtsgenoot" in client.get("/?q=ambtsgenoot").get_data(as_text=True)


@pytest.mark.parametrize("params, name", [
    ({"q": "ambtsgenoot", "width": "abc"}, "width"),
    ({"q": "ambtsgenoot", "width": "5"}, "width"),
    ({"q": "ambtsgenoot", "sort": "relevance"}, "sort"),
    ({"q": "ambtsgenoot", "size": "0"}, "size"),
    ({"q": "ambtsgenoot", "size": "5000"}, "size"),
    ({"q": "ambtsgenoot", "page": "-1"}, "page"),
    ({"q": "ambtsgenoot", "page": "²"}, "page"),
    ({"q": "ambtsgenoot", "from": "gisteren"}, "from"),
    ({"q": "person:Kerry"}, "q"),
    ({}, "q"),
])
def test_bad_parameters_are_a_400_naming_them(client, params, name):
    response = client.get("/api/kwic", query_string=params)
    assert response.status_code == 400
    assert response.get_json()["error"].startswith(f"{name}:")
    if params:
        page = client.get("/kwic", query_string=params)
        assert page.status_code == 400 and f"{name}:" in page.get_data(as_text=True)


def test_cli_usage_errors(index, runner):
    assert "--width" in run(runner, index, "kwic", "ambtsgenoot", "--width", "3", code=2).output
    assert "QUERY" in run(runner, index, "kwic", "person:Kerry", code=2).output


def test_whole_words_are_found_where_the_tokenizers_find_them():
    """Occurrences are placed by a search for the written words; it must agree with the index's tokenizers."""
    from archive.occurrences import _EXACT_RE, _WORD_RE, _whole_spans

    rng = random.Random(5)
    pieces = ["a", "b", "ab", "aa", ".", "-", "&", "'", "’", " ", "é", "1", "_", ",", "..", "a.b", "\n"]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        for exact, pattern in ((False, _WORD_RE), (True, _EXACT_RE)):
            tokens = [(m.group(), m.span()) for m in pattern.finditer(text)]
            if not tokens:
                continue
            words = set(rng.sample(sorted({t for t, _ in tokens}), min(2, len({t for t, _ in tokens}))))
            assert _whole_spans(text, words, exact) == [span for t, span in tokens if t in words], (text, words)


def test_a_kept_sorted_window_is_not_served_after_the_archive_changes(tmp_path):
    from archive.model import Article

    path = tmp_path / "ix"
    archive = create_or_open(path)
    with writer(archive) as w:
        write_articles(w, [Article(id=f"k{i}", body=f"woord {i} ambtsgenoot", language="nl") for i in range(3)])
    kreq = KwicRequest.from_dict({"q": "ambtsgenoot", "sort": "left"})
    with closing(open_backend(str(path))) as b:
        assert len(concordance(b, kreq).lines) == 3
        assert len(concordance(b, kreq).lines) == 3
    with writer(create_or_open(path)) as w:
        write_articles(w, [Article(id="k9", body="nog een ambtsgenoot", language="nl")])
    with closing(open_backend(str(path))) as b:
        assert len(concordance(b, kreq).lines) == 4


@fuzz_settings(150)
@given(args=st.fixed_dictionaries({"q": queries}, optional={
    "width": NUMBERS, "size": NUMBERS, "page": NUMBERS, "from": DATES, "versions": FLAGS, "all": FLAGS,
    "sort": st.one_of(st.sampled_from(["date", "newest", "source", "left", "right", "relevance"]), st.text(max_size=6)),
    "format": st.sampled_from(["json", "csv", "xml"])}), where=st.sampled_from(["/kwic", "/api/kwic"]))
def test_no_concordance_request_is_a_server_error(client, args, where):
    response = client.get(where, query_string=args)
    assert response.status_code in (200, 400), (where, args, response.status_code)
    response.get_data()  # a streamed CSV fails while it is read, not before
