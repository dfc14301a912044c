"""Every facet value: /sources, /entities/<type> and a search's /facets/<facet> list every value with its count
(checked against counts made here from the articles), ordered by count or name, filtered by folded letters and paged
so that every value is reachable; the search page links to them; JSON agrees; bad parameters are a 400."""
from __future__ import annotations

import random
import re
from collections import Counter
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.analysis import fold
from archive.backends.whoosh.index import create_or_open, write_articles, writer
from archive.model import Article, Entity
from archive.web import create_app

from .test_fuzz import DATES, NUMBERS, fuzz_settings, queries

SOURCES = [f"Bron {chr(65 + i)}" for i in range(23)] + ["Genève Presse", "<b>Krant</b>"]
PEOPLE = [f"Persoon {i:02d}" for i in range(40)] + ["Émile Zola"]


def make_articles() -> list[Article]:
    rng = random.Random(3)
    out = []
    for i in range(300):
        people = rng.sample(PEOPLE, rng.randint(0, 3))
        body = " en ".join(people) + (" kraan" if i % 3 == 0 else " brug")
        entities, pos = [], 0
        for name in people:
            entities.append(Entity("PER", pos, pos + len(name), name, name))
            pos += len(name) + 4
        out.append(Article(id=f"b{i}", body=body, language="nl", source=SOURCES[rng.randrange(len(SOURCES))],
                           date=datetime(2016, 1 + i % 12, 1 + i % 28), entities=entities))
    return out


ARTICLES = make_articles()


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    path = tmp_path_factory.mktemp("browse") / "ix"
    with writer(create_or_open(path)) as w:
        write_articles(w, ARTICLES)
    return create_app({"TESTING": True, "INDEX_PATH": str(path)}).test_client()


def counted(articles, key) -> Counter:
    out: Counter = Counter()
    for a in articles:
        for value in key(a):
            out[value] += 1
    return out


def every_value(client, path, **params) -> list[tuple[str, int]]:
    """Walk every page of a JSON listing, following `pages`."""
    seen, page = [], 1
    while True:
        data = client.get(path, query_string={**params, "size": "7", "page": str(page)}).get_json()
        seen += [(v["value"], v["count"]) for v in data["values"]]
        if page >= data["pages"]:
            return seen
        page += 1


def test_every_source_with_its_count(client):
    expected = counted(ARTICLES, lambda a: [a.source])
    values = every_value(client, "/api/sources")
    assert dict(values) == dict(expected) and len(values) == len(expected) > 10
    assert [c for _, c in values] == sorted((c for _, c in values), reverse=True)
    by_name = every_value(client, "/api/sources", by="name")
    assert [fold(v) for v, _ in by_name] == sorted(fold(v) for v, _ in by_name)


def test_entities_of_a_search_and_the_filter(client):
    matching = [a for a in ARTICLES if "kraan" in a.body]
    expected = counted(matching, lambda a: {e.name for e in a.entities})
    assert dict(every_value(client, "/api/facets/person", q="kraan")) == dict(expected)
    assert dict(every_value(client, "/api/entities", type="person", contains="emile")) == \
        {"Émile Zola": counted(ARTICLES, lambda a: {e.name for e in a.entities})["Émile Zola"]}
    data = client.get("/api/entities/person", query_string={"contains": "persoon 1"}).get_json()
    assert data["total"] == 10 and data["distinct"] == len(PEOPLE)


def test_pages_link_every_value(client):
    page = client.get("/sources", query_string={"size": "10"}).get_data(as_text=True)
    assert 'rel="next"' in page and "Page 1 of 3" in page
    linked = set()
    for n in (1, 2, 3):
        html = client.get("/sources", query_string={"size": "10", "page": str(n)}).get_data(as_text=True)
        linked |= set(re.findall(r'<tr data-value="([^"]*)"', html))
    assert len(linked) == len(SOURCES)
    assert "<b>Krant" not in page and "&lt;b&gt;Krant" in "".join(
        client.get("/sources", query_string={"page": str(n), "size": "10"}).get_data(as_text=True) for n in (1, 2, 3))
    people = client.get("/entities/person", query_string={"contains": "zola"}).get_data(as_text=True)
    assert 'href="/entities/person/%C3%89mile%20Zola"' in people
    assert client.get("/entities").status_code == 200


def test_search_page_has_a_more_link_per_facet(client):
    html = client.get("/", query_string={"q": "kraan", "size": "20"}).get_data(as_text=True)
    more = re.findall(r'href="(/facets/[^"]+)"', html)
    assert "/facets/source?q=kraan" in more and "/facets/person?q=kraan" in more
    facet = client.get("/facets/source?q=kraan").get_data(as_text=True)
    assert 'href="/?q=kraan&amp;source=' in facet


@pytest.mark.parametrize("path, params, name", [
    ("/api/sources", {"by": "size"}, "by"),
    ("/api/sources", {"page": "0"}, "page"),
    ("/api/sources", {"size": "x"}, "size"),
    ("/api/sources", {"page": "²"}, "page"),
    ("/api/entities", {}, "type"),
    ("/api/facets/person", {"from": "nooit"}, "from"),
])
def test_bad_parameters(client, path, params, name):
    response = client.get(path, query_string=params)
    assert response.status_code == 400 and response.get_json()["error"].startswith(f"{name}:")
    assert client.get("/facets/planet").status_code == 404


@fuzz_settings(150)
@given(args=st.fixed_dictionaries({}, optional={
    "q": queries, "page": NUMBERS, "size": NUMBERS, "from": DATES, "contains": st.text(max_size=12),
    "by": st.one_of(st.sampled_from(["count", "name"]), st.text(max_size=5)),
    "type": st.sampled_from(["person", "org", "location", "misc", "planet", ""])}),
    where=st.sampled_from(["/sources", "/entities/person", "/facets/location", "/api/sources", "/api/entities",
                           "/api/facets/language"]))
def test_no_listing_request_is_a_server_error(client, args, where):
    response = client.get(where, query_string=args)
    assert response.status_code in (200, 400), (where, args, response.status_code)
