import random
from datetime import datetime, timedelta

import pytest

from archive.backends import open_backend
from archive.backends.whoosh.index import create_or_open, write_articles, writer
from archive.model import Article, Entity
from archive.query import QueryError, route_special_words
from archive.request import RequestError, SearchRequest
from archive.search import search

WORDS = ["haven", "staking", "minister", "budget", "trein", "school", "storm", "brug", "verkiezing", "akkoord"]
SOURCES = ["Persbureau Noordzee", "Agence Meuse", "Harbour Wire"]


def make_corpus(n: int, seed: int = 7) -> list[Article]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = rng.sample(WORDS, 3)
        body = f"Bericht {i} over " + " en ".join(words) + "."
        dated = rng.random() > 0.2
        out.append(Article(
            body=body, title=f"Artikel {i}", language="nl", source=rng.choice(SOURCES),
            date=datetime(2016, 1, 1) + timedelta(days=rng.randrange(900), minutes=rng.randrange(1440))
            if dated else None,
            date_has_time=dated, date_source="header" if dated else "none",
            entities=[Entity("PER", 0, 7, "Bericht", "Jan Janssens")] if i % 3 == 0 else [],
        ))
    return out


@pytest.fixture(scope="module")
def corpus():
    return make_corpus(240)


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory, corpus):
    tmp_path = tmp_path_factory.mktemp("corpus")
    archive = create_or_open(tmp_path / "ix")
    for start in range(0, len(corpus), 50):  # several segments, as a real ingest makes
        with writer(archive) as w:
            write_articles(w, corpus[start:start + 50])
    return open_backend(str(tmp_path / "ix"))


def run(archive, **params):
    return search(archive, SearchRequest.from_dict(params))


def brute(corpus, word=None, source=None, first=None, last=None, person=None):
    """Count matching articles without the index."""
    n = 0
    for a in corpus:
        if word and word not in a.body:
            continue
        if source and a.source != source:
            continue
        if (first or last) and (a.date is None or (first and a.date < first) or (last and a.date > last)):
            continue
        if person and person not in a.names("PER"):
            continue
        n += 1
    return n


@pytest.mark.parametrize("word", ["haven", "storm", "akkoord"])
@pytest.mark.parametrize("source", [None, "Agence Meuse"])
@pytest.mark.parametrize("dates", [None, ("2016-03-01", "2017-02-28")])
def test_totals_are_exact(corpus, corpus_index, word, source, dates):
    params = {"q": word, "size": 5}
    first = last = None
    if source:
        params["source"] = source
    if dates:
        params["from"], params["to"] = dates
        first, last = datetime(2016, 3, 1), datetime(2017, 2, 28, 23, 59, 59)
    page = run(corpus_index, **params)
    assert page.total == brute(corpus, word, source, first, last)
    assert len(page.hits) == min(5, page.total)


def test_person_filter_total(corpus, corpus_index):
    page = run(corpus_index, person="jan janssens")
    assert page.total == brute(corpus, person="Jan Janssens") > 0


def test_pages_cover_every_result_once(corpus, corpus_index):
    seen = []
    first = run(corpus_index, q="haven", size=7)
    for p in range(1, first.pages + 1):
        seen += [h.article.id for h in run(corpus_index, q="haven", size=7, page=p).hits]
    assert len(seen) == len(set(seen)) == first.total


def test_page_past_the_end_is_empty_not_an_error(corpus_index):
    page = run(corpus_index, q="haven", page=9999)
    assert page.hits == [] and page.total > 0 and page.pages < 9999


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_sorts_put_undated_last(corpus_index, sort):
    page = run(corpus_index, sort=sort, size=100)
    dates = [h.article.date for h in page.hits]
    total = run(corpus_index, size=100).total
    everything = []
    for p in range(1, (total + 99) // 100 + 1):
        everything += [h.article.date for h in run(corpus_index, sort=sort, size=100, page=p).hits]
    dated = [d for d in everything if d is not None]
    assert everything[: len(dated)] == sorted(dated, reverse=sort == "newest")
    assert all(d is None for d in everything[len(dated):])
    assert dates == everything[:100]


def test_facets_count_all_matches(corpus, corpus_index):
    page = run(corpus_index, q="trein", facets="1")
    counts = dict(page.facets.values["source"])
    for src in SOURCES:
        assert counts.get(src, 0) == brute(corpus, "trein", src)
    assert sum(c for _, c in page.facets.timeline) + page.facets.undated == page.total


@pytest.fixture(scope="module")
def text_index(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("text")
    archive = create_or_open(tmp_path / "ix")
    articles = [
        Article(id="nl1", body="De Russische ambtsgenoot van de minister reist naar Genève en Syrië.", language="nl"),
        Article(id="en1", body="Two ministers discussed business plans with N-VA and CD&V leaders.", language="en"),
        Article(id="en2", body="A minister spoke about the va and cd collections.", language="en"),
        Article(id="fr1", body="Le président Bart De Wever a parlé avec les syndicats.", language="fr"),
    ]
    with writer(archive) as w:
        write_articles(w, articles)
    return open_backend(str(tmp_path / "ix"))


def ids(archive, q):
    return sorted(h.article.id for h in run(archive, q=q, size=50).hits)


@pytest.mark.parametrize(
    "q, expected",
    [
        ("ambtsgenoten", ["nl1"]),
        ("Geneve", ["nl1"]),
        ("Syrie", ["nl1"]),
        ("ministers", ["en1", "en2", "nl1"]),
        ("busin*", ["en1"]),
        ("N-VA", ["en1"]),
        ("N-VA OR CD&V", ["en1"]),
        ('"De Wever"', ["fr1"]),
        ("minister NOT business", ["en2", "nl1"]),
        ("Genè*", ["nl1"]),
    ],
)
def test_language_analysis(text_index, q, expected):
    assert ids(text_index, q) == expected


def test_special_words_go_to_exact_field():
    assert route_special_words('N-VA OR CD&V "N-VA lijst" busin*') == 'exact:N-VA OR exact:CD&V "N-VA lijst" exact:busin*'


@pytest.mark.parametrize("q", ['"unclosed', "((minister", "minister)"])
def test_malformed_query_is_a_query_error(text_index, q):
    with pytest.raises(QueryError):
        run(text_index, q=q)


@pytest.mark.parametrize(
    "params, param",
    [({"page": "two"}, "page"), ({"sort": "random"}, "sort"), ({"from": "yesterday"}, "from"),
     ({"from": "2017-01-01", "to": "2016-01-01"}, "from"), ({"q": "x" * 2000}, "q")],
)
def test_bad_parameters_name_the_parameter(params, param):
    with pytest.raises(RequestError) as info:
        SearchRequest.from_dict(params)
    assert info.value.param == param


def test_paging_is_clamped():
    req = SearchRequest.from_dict({"page": "-3", "size": "100000"})
    assert (req.page, req.page_size) == (1, 100)


def test_date_bounds_cover_whole_periods():
    req = SearchRequest.from_dict({"from": "2016-09", "to": "2016"})
    assert req.date_from.first == datetime(2016, 9, 1)
    assert req.date_to.last == datetime(2016, 12, 31, 23, 59, 59)


def test_request_round_trips_through_url():
    req = SearchRequest.from_dict({"q": "haven", "person": ["A", "B"], "from": "2016-01-01", "sort": "newest",
                                   "page": "2"})
    from urllib.parse import parse_qs

    parsed = parse_qs(req.url())
    assert SearchRequest.from_dict(parsed) == req
