"""Reading (issue 11, item 5): the searched words marked on the article page opened from results, with a link back;
`title:`, `caption:` and `author:` fields; fuzzy `word~` and `word~2`; folded reprints shown by the date that placed
them; a colour legend for entity chips; `archive search --facets` in the text and CSV outputs. On a small invented
index built under tmp_path."""
from __future__ import annotations

import csv
import io
import random
import re
from contextlib import closing
from datetime import datetime

import pytest
from whoosh import fields, index as whoosh_index

from archive import fuzzy
from archive.backends import open_backend
from archive.backends.whoosh.index import build_schema, create_or_open, write_articles, writer
from archive.model import Article, Entity
from archive.query import QueryError, WORD_FIELDS
from archive.request import SearchRequest
from archive.web import create_app

from .conftest import run


def make_articles() -> list[Article]:
    body1 = "The minister met Kerry in Geneva. Later Kerry spoke about the <b>budget</b> & taxes."
    return [
        Article(id="a1", title="Kerry meets Lavrov", caption="Photo: talks in Geneva", body=body1, language="en",
                authors=["Jane Doe"], source="Wire", date=datetime(2016, 9, 1, 10),
                entities=[Entity("PER", body1.index("Kerry"), body1.index("Kerry") + 5, "Kerry", "John Kerry")]),
        Article(id="a2", title="Budget news", body="Kery said the budget is fine. Karry was away. Kerrry too.",
                language="en", authors=["John Smith"], source="Wire", date=datetime(2016, 9, 2, 10)),
        Article(id="a3", title="Haven", caption="Kerry op de foto", body="Niets over hem. De ministers vergaderden.",
                language="nl", source="Krant", date=datetime(2016, 9, 3, 10)),
        Article(id="a4", title="<script>x</script> Kerry", body='Kerry said "<i>no</i>" & left.', language="en",
                source="<b>Bron</b>", date=datetime(2016, 9, 4, 10)),
        # one story in three versions; the newest is the middle id
        Article(id="r1", title="Storm hits coast", body="A storm hit the coast on Monday, flooding streets.",
                language="en", source="A", date=datetime(2015, 1, 1, 8), cluster="story"),
        Article(id="r2", title="Storm hits coast", body="A storm hit the coast on Monday, flooding streets.",
                language="en", source="B", date=datetime(2015, 1, 3, 8), cluster="story"),
        Article(id="r3", title="Storm hits coast", body="A storm hit the coast on Monday, flooding streets.",
                language="en", source="C", date=datetime(2015, 1, 2, 8), cluster="story"),
        Article(id="s1", title="Storm elsewhere", body="Another storm, far away.", language="en", source="A",
                date=datetime(2015, 1, 2, 20)),
    ]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    path = tmp_path_factory.mktemp("reading") / "ix"
    with writer(create_or_open(path)) as w:
        write_articles(w, make_articles())
    return path


@pytest.fixture
def backend(index):
    with closing(open_backend(str(index))) as b:
        yield b


@pytest.fixture
def client(index):
    return create_app({"TESTING": True, "INDEX_PATH": str(index)}).test_client()


def ids(backend, q: str, **params) -> list[str]:
    page = backend.search(SearchRequest.from_dict({"q": q, "sort": "oldest", "size": "100", "versions": "1",
                                                   **params}))
    return [h.article.id for h in page.hits]


# fields

@pytest.mark.parametrize("q, expected", [
    ("title:kerry", ["a1", "a4"]),
    ("title:budget", ["a2"]),
    ('title:"meets lavrov"', ["a1"]),
    ("title:lav*", ["a1"]),
    ("title:*", ["r1", "r3", "s1", "r2", "a1", "a2", "a3", "a4"]),
    ("caption:kerry", ["a3"]),
    ("caption:geneva", ["a1"]),
    ("author:smith", ["a2"]),
    ('author:"jane doe"', ["a1"]),
    ("author:doe AND title:kerry", ["a1"]),
    ("budget AND NOT title:budget", ["a1"]),
])
def test_fields_search_their_part_only(backend, q, expected):
    assert ids(backend, q) == expected


def test_the_plain_text_still_finds_every_part(backend):
    assert set(ids(backend, "kerry")) == {"a1", "a3", "a4"}  # a3: in its caption only


def test_an_index_from_before_the_fields_says_to_reindex(tmp_path, runner):
    old = build_schema()
    for name in WORD_FIELDS:
        old.remove(name)
    path = tmp_path / "old"
    path.mkdir()
    whoosh_index.create_in(str(path), old)
    with writer(create_or_open(path)) as w:  # ingesting into it still works: the new fields are left out
        write_articles(w, make_articles())
    with closing(open_backend(str(path))) as b:
        assert "a1" in ids(b, "kerry")
        with pytest.raises(QueryError, match="archive reindex"):
            b.search(SearchRequest(q="title:kerry"))
    result = run(runner, path, "search", "caption:kerry", code=1)
    assert "archive reindex" in result.output and "Traceback" not in result.output
    run(runner, path, "reindex")
    assert "reindex" not in run(runner, path, "search", "caption:kerry").output
    with closing(open_backend(str(path))) as b:
        assert ids(b, "caption:kerry") == ["a3"]


# fuzzy

def test_fuzzy_distance_and_pattern_agree():
    rng = random.Random(5)
    for _ in range(3000):
        text = "".join(rng.choice("abé") for _ in range(rng.randint(1, 6)))
        word = "".join(rng.choice("abé") for _ in range(rng.randint(0, 8)))
        for k in (1, 2):
            for prefix in (1, 2):
                head = text[:prefix]
                brute = word.startswith(head) and _lev(word[len(head):], text[len(head):]) <= k
                assert fuzzy.within(word, text, k, prefix) == brute
                assert bool(re.fullmatch(fuzzy.pattern(text, k, prefix), word)) == brute


def _lev(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


@pytest.mark.parametrize("q, expected", [
    ("kerry~", {"a1", "a2", "a3", "a4"}),  # kery, kerrry, karry are one edit away
    ("karry~", {"a1", "a2", "a3", "a4"}),
    ("kery~", {"a1", "a2", "a3", "a4"}),
    ("kerrry~", {"a1", "a2", "a3", "a4"}),
    ("kary~", {"a2"}),  # karry (one edit); kerry, kery are two
    ("kary~2", {"a1", "a2", "a3", "a4"}),
    ("lavrof~", {"a1"}),
    ("title:lavrof~", {"a1"}),
    ("caption:kery~", {"a3"}),
    ("xerry~", set()),  # the first letter must be the same
    ("mnister~ AND NOT kerry", set()),
])
def test_fuzzy_words(backend, q, expected):
    assert set(ids(backend, q)) == expected
    assert set(ids(backend, q, sort="relevance")) == expected  # scored (1 per match) the same


def test_fuzzy_is_not_a_word_and_a_number(backend):
    explained = backend.search(SearchRequest(q="kerry~2")).explanation
    assert "~2" in explained and "dropped" not in explained
    with pytest.raises(QueryError, match="at most 2"):
        backend.search(SearchRequest(q="kerry~3"))
    with pytest.raises(QueryError, match="fuzzy"):
        backend.search(SearchRequest(q="source:wire~"))


# the article page

def marks(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html)


def test_results_link_to_the_article_with_the_search(client):
    html = client.get("/?q=kerry&sort=newest").get_data(as_text=True)
    assert 'href="/articles/a1?q=kerry&amp;sort=newest"' in html


def test_article_marks_the_searched_words_and_links_back(client):
    html = client.get("/articles/a1?q=kerry+OR+geneva&sort=newest&page=1").get_data(as_text=True)
    assert marks(html) == ["Kerry", "Geneva", "Kerry", "Geneva", "Kerry"]  # title, caption, body
    assert '<a href="/?q=kerry+OR+geneva&amp;sort=newest">← Back to the results</a>' in html
    # the mention of John Kerry stays a link, its word marked inside it
    assert re.search(r'<a class="ent ent-per" [^>]*><mark>Kerry</mark></a>', html)


def test_stems_phrases_fuzzy_and_fields_are_marked_as_searched(client):
    assert marks(client.get("/articles/a3?q=minister").get_data(as_text=True)) == ["ministers"]  # a Dutch stem
    assert marks(client.get('/articles/a1?q="later+kerry"').get_data(as_text=True)) == ["Later Kerry"]
    assert marks(client.get("/articles/a2?q=kerry~").get_data(as_text=True)) == ["Kery", "Karry", "Kerrry"]
    assert marks(client.get("/articles/a2?q=kery~").get_data(as_text=True)) == ["Kery"]  # the others: 2 edits
    html = client.get("/articles/a1?q=title:kerry").get_data(as_text=True)
    assert marks(html) == ["Kerry"] and "<h1><mark>Kerry</mark> meets Lavrov</h1>" in html
    assert marks(client.get("/articles/a1?q=kerry+AND+NOT+geneva").get_data(as_text=True)).count("Geneva") == 0


def test_everything_from_the_article_stays_escaped(client):
    html = client.get("/articles/a4?q=kerry+OR+no+OR+script").get_data(as_text=True)
    assert "<script>" not in html and "<i>" not in html
    assert "&lt;<mark>script</mark>&gt;x&lt;/<mark>script</mark>&gt; <mark>Kerry</mark>" in html
    assert "&#34;&lt;i&gt;<mark>no</mark>&lt;/i&gt;&#34;" in html or "&quot;&lt;i&gt;<mark>no</mark>" in html
    html = client.get('/articles/a4?q="><script>alert(1)</script>').get_data(as_text=True)
    assert "<script>alert" not in html
    assert "script-src" not in client.get("/articles/a4?q=x").headers["Content-Security-Policy"]


def test_without_a_search_nothing_is_marked_and_a_bad_one_does_no_harm(client):
    html = client.get("/articles/a1").get_data(as_text=True)
    assert not marks(html) and "Back to the results" not in html
    for bad in ("q=%22unclosed", "q=kerry&sort=sideways", "q=(((", "q=kerry~9", "page=x"):
        response = client.get(f"/articles/a1?{bad}")
        assert response.status_code == 200 and not marks(response.get_data(as_text=True))


def test_other_versions_keep_the_search(client):
    html = client.get("/articles/r1?q=storm").get_data(as_text=True)
    assert 'href="/articles/r2?q=storm"' in html and marks(html)


def test_chip_colour_legend(client):
    html = client.get("/?q=kerry").get_data(as_text=True)
    legend = re.search(r'<p class="meta legend">(.*?)</p>', html).group(1)
    assert re.findall(r'class="chip (\w+)">([^<]+)<', legend) == [
        ("per", "People"), ("org", "Organisations"), ("loc", "Places")]
    html = client.get("/articles/a1").get_data(as_text=True)
    assert 'class="meta legend"' in html


# folded reprints

@pytest.mark.parametrize("sort, shown, dates", [
    ("newest", ["r2", "s1"], [datetime(2015, 1, 3, 8), datetime(2015, 1, 2, 20)]),
    ("oldest", ["r1", "s1"], [datetime(2015, 1, 1, 8), datetime(2015, 1, 2, 20)]),
])
def test_folded_reprints_show_the_version_that_placed_them(backend, sort, shown, dates):
    page = backend.search(SearchRequest.from_dict({"q": "storm", "sort": sort}))
    assert [h.article.id for h in page.hits] == shown
    assert [h.article.date.date() for h in page.hits] == [d.date() for d in dates]
    assert page.hits[0].versions == 2


def test_relevance_still_shows_the_earliest_version(backend):
    page = backend.search(SearchRequest.from_dict({"q": "coast"}))
    assert [(h.article.id, h.versions) for h in page.hits] == [("r1", 2)]


# --facets in the CLI

def test_search_facets_in_text(index, runner):
    out = run(runner, index, "search", "kerry", "--facets").output
    facets = out.split("\nFacets\n", 1)[1]
    assert "  source: <b>Bron</b> (1), Krant (1), Wire (1)\n" in facets
    assert "  language: en (2), nl (1)\n" in facets and "  person: John Kerry (1)\n" in facets
    assert "timeline: 2016-09-01 (1)" in facets
    assert "Facets" not in run(runner, index, "search", "kerry").output


def test_search_facets_in_csv(index, runner):
    rows = list(csv.reader(io.StringIO(run(runner, index, "search", "kerry", "--facets", "--format", "csv").output)))
    assert rows[0] == ["facet", "value", "count"]
    assert ["language", "en", "2"] in rows and ["language", "nl", "1"] in rows
    assert ["source", "Wire", "1"] in rows and ["person", "John Kerry", "1"] in rows
    assert ["timeline", "2016-09-04", "1"] in rows
    assert rows[0] != run(runner, index, "search", "kerry", "--format", "csv").output.splitlines()[0].split(",")
