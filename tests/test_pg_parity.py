"""One corpus in Whoosh, in PostgreSQL on one server and sharded over three: the same answers from all three.

For every request set: the same totals, result rows, facet values and counts, timeline, the same ids (as sets
where the order is relevance, in the same order for date sorts), reprint versions, export, entity and source
pages. Then the CLI, the JSON API and the web pages on PostgreSQL, and its errors.
"""
from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from archive.backends import open_backend
from archive.cli import cli
from archive.ingest import ingest
from archive.pages import profile
from archive.request import SearchRequest
from archive.web import create_app

from . import pg
from .conftest import SAMPLE

pytestmark = pytest.mark.postgres

PEOPLE = ["Anna Peeters", "Jan De Smet", "Marc Dubois", "Sofie Janssens", "Claire Masson", "Pieter Willems"]
PLACES = ["Gent", "Antwerpen", "Genève", "Luik", "Brugge", "Namen"]
ORGS = ["Vlaamse Havenraad", "Europese Commissie", "Stadsbestuur"]
SOURCES = ["Harbour Wire", "Persbureau Noordzee", "Agence Meuse", "Stadskrant Schelde"]
WORDS = ["haven", "brug", "staking", "budget", "trein", "school", "storm", "verkiezing", "akkoord", "ministers"]


NL_FILLER = ("gemeente bewoners plan jaar week kosten werken straat rapport dossier overleg voorstel raad school "
             "leerlingen ouders fiets station trein spoor haven schip kade loon bonus akkoord staking storm regen "
             "dijk rivier brug tunnel museum kunst festival publiek prijs markt winkel bedrijf banen fabriek").split()
EN_FILLER = ("council residents plan year week costs works street report file meeting proposal board school pupils "
             "parents bike station train track port ship quay wage bonus deal strike storm rain dike river bridge "
             "tunnel museum art festival crowd price market shop company jobs factory").split()


def _sentence(rng: random.Random, filler: list[str], subject: str) -> str:
    words = rng.sample(filler, rng.randrange(6, 11))
    return subject + " " + " ".join(words) + "."


def invented_corpus(n: int = 160) -> list[dict]:
    """Invented Dutch and English stories with people, places and organisations; some reprinted, some undated."""
    rng = random.Random(20161909)
    start = datetime(2015, 1, 1, 8, 0)
    out = []
    for i in range(n):
        person, place, org = rng.choice(PEOPLE), rng.choice(PLACES), rng.choice(ORGS)
        words = " ".join(rng.sample(WORDS, 3))
        english = i % 5 == 0
        filler = EN_FILLER if english else NL_FILLER
        if english:
            lead = (f"Minister {person} visited {place} on Tuesday to talk with the {org} about {words}. "
                    f"{person.split()[-1]} said the talks on the port and the bridge went well.")
            tail = "N-VA and CD&V members said so." if i % 2 else "The unions want more money for schools."
        else:
            lead = (f"Minister {person} bezocht dinsdag {place} voor overleg met de {org} over {words}. "
                    f"Volgens {person.split()[-1]} verliep het gesprek goed.")
            tail = "Dat zeiden leden van N-VA en CD&V." if i % 2 else "De vakbonden vragen meer geld."
        middle = " ".join(_sentence(rng, filler, rng.choice(["Ook", "Daarna", "Toen", "Nu"] if not english
                                                             else ["Also", "Then", "Now", "Later"]))
                          for _ in range(rng.randrange(3, 7)))
        body = f"{lead} {middle} {tail}"
        date = start + timedelta(days=rng.randrange(0, 5 * 365), minutes=rng.randrange(0, 600))
        record = {"id": f"inv{i:04d}", "title": f"{words.split()[0].capitalize()} in {place} ({i})", "body": body,
                  "source": rng.choice(SOURCES), "language": "en" if english else "nl",
                  "date": date.strftime("%Y-%m-%d") if i % 3 else date.strftime("%Y-%m-%dT%H:%M")}
        if i % 17 == 0:
            del record["date"]  # undated
        out.append(record)
        if i % 11 == 0:  # a reprint: the same story elsewhere, later, with a new last line
            reprint = dict(record, id=f"inv{i:04d}r", source=rng.choice(SOURCES),
                           body=record["body"] + " Meer nieuws volgt later vandaag.")
            if "date" in record:
                reprint["date"] = (datetime.fromisoformat(record["date"]) + timedelta(hours=5)).strftime(
                    "%Y-%m-%dT%H:%M")
            out.append(reprint)
    return out


@pytest.fixture(scope="module")
def engines(pg_servers, tmp_path_factory):
    """The same inputs ingested into Whoosh, PostgreSQL on one server, and PostgreSQL on three shards."""
    folder = tmp_path_factory.mktemp("parity")
    corpus = folder / "invented.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in invented_corpus()) + "\n",
                      encoding="utf-8")
    inputs = [str(SAMPLE), str(corpus)]
    locations = {"whoosh": str(folder / "ix"), "single": pg.fresh(pg_servers.single),
                 "sharded": pg.fresh(pg_servers.sharded)}
    for name, location in locations.items():
        report = ingest(inputs, location, workers=1, batch_size=50)
        assert not report.failures and report.articles == 13 + len(invented_corpus()), (name, report)
    backends = {name: open_backend(location) for name, location in locations.items()}
    yield backends
    for backend in backends.values():
        backend.close()


REQUESTS = [
    {"q": "haven"},
    {"q": "minister", "sort": "newest"},
    {"q": "minister", "sort": "oldest", "size": "7", "page": "3"},
    {"q": '"de minister"'},
    {"q": '"minister bezocht"~3'},
    {"q": '"talks on the port"'},
    {"q": "hav*", "sort": "oldest"},
    {"q": "b?ug OR sch*len"},
    {"q": "*taking"},
    {"q": "N-VA OR CD&V", "sort": "newest"},
    {"q": "haven AND NOT staking"},
    {"q": "haven ANDNOT brug"},
    {"q": "haven OR brug", "sort": "newest", "versions": "1", "size": "25", "page": "2"},
    {"language": "en", "sort": "oldest"},
    {"source": "Harbour Wire", "sort": "oldest", "size": "50"},
    {"person": "Anna Peeters", "sort": "newest"},
    {"location": "Genève", "org": "Europese Commissie"},
    {"entity": "Vlaamse Havenraad", "sort": "oldest", "size": "40"},
    {"from": "2016", "to": "2017", "sort": "newest", "size": "60"},
    {"q": "minister", "from": "2016-03", "to": "2016-09-15", "sort": "oldest"},
    {"q": 'person:"Jan De Smet" OR location:Luik', "sort": "newest"},
    {"q": 'source:"Harbour Wire" AND haven', "sort": "oldest"},
    {"q": "language:nl AND brug", "sort": "newest", "size": "100"},
    {"sort": "newest", "size": "100"},
    {"sort": "oldest", "size": "100", "versions": "1", "page": "2"},
    {"q": "ministers"},
    {"q": "Geneve"},
    {"q": "nothingmatchesthis"},
    {"q": "date:2018 AND haven", "sort": "newest"},
    {"q": "text_nl:brug", "sort": "oldest"},
    {"q": "haven ANDMAYBE brug"},
    {"q": "vakbonden", "person": ["Anna Peeters"], "source": "Agence Meuse"},
    {"q": "person:* AND NOT org:*", "sort": "oldest"},
    {"q": "text_en:* OR location:Gen*", "sort": "newest"},
    {"q": "title:haven", "sort": "oldest"},  # title: is the title's words (weighted A on PostgreSQL)
    {"q": 'title:"in gent" OR title:brug*', "sort": "newest"},
    {"q": "title:gen~2 OR title:h?ven", "sort": "oldest", "size": "100"},
    {"q": "stakng~ OR brg~2", "sort": "newest"},  # fuzzy words: the same words within N edits on every engine
    {"q": "minster~ AND NOT title:haven", "sort": "oldest", "versions": "1"},
]


def answer(backend, params: dict) -> dict:
    """What a search answers, in a form to compare: order where it is a date order, sets where relevance."""
    page = backend.search(SearchRequest.from_dict(params | {"facets": "1"}))
    rows = [(h.article.id, h.versions) for h in page.hits]
    if params.get("sort", "relevance") == "relevance":  # scores differ: compare the rows where all are shown
        rows = sorted(rows) if page.results_total <= page.request.page_size else []
    return {"total": page.total, "results_total": page.results_total, "pages": page.pages, "rows": rows,
            "facets": page.facets.to_dict()}


@pytest.mark.parametrize("params", REQUESTS, ids=[json.dumps(p, ensure_ascii=False) for p in REQUESTS])
def test_same_answers_on_every_engine(engines, params):
    whoosh = answer(engines["whoosh"], params | ({"size": "100"} if "sort" not in params else {}))
    for name in ("single", "sharded"):
        other = answer(engines[name], params | ({"size": "100"} if "sort" not in params else {}))
        assert other == whoosh, name


def test_the_corpus_is_a_fair_test(engines):
    """The requests above are not all empty: words, filters, reprints and undated articles all take part."""
    page = engines["whoosh"].search(SearchRequest.from_dict({"facets": "1"}))
    assert page.total == 13 + len(invented_corpus()) and page.total > page.results_total  # reprints fold
    assert page.facets.undated > 5 and len(page.facets.values["PER"]) == 10
    nonempty = [p for p in REQUESTS if engines["whoosh"].search(SearchRequest.from_dict(p)).total]
    assert len(nonempty) >= len(REQUESTS) - 1


@pytest.mark.parametrize("params", [{"q": "haven", "sort": "newest"}, {"q": "minister OR brug"},
                                    {"person": "Marc Dubois", "sort": "oldest"}, {"q": "sch*"}])
def test_exports_match(engines, params):
    req = SearchRequest.from_dict(params)
    results = {}
    for name, backend in engines.items():
        total, articles = backend.matches(req)
        ids = [a.id for a in articles]
        assert total == len(ids)
        results[name] = ids if req.sort != "relevance" else sorted(ids)
    assert results["single"] == results["whoosh"] == results["sharded"]


@pytest.mark.parametrize("kind,name", [("person", "Anna Peeters"), ("location", "Gent"), ("org", "Stadsbestuur"),
                                       ("source", "Harbour Wire"), ("person", "Nobody Atall")])
def test_entity_and_source_pages_match(engines, kind, name):
    found = {}
    for engine, backend in engines.items():
        prof = profile(backend, kind, name)
        found[engine] = (prof.name, prof.total, prof.related, prof.sources, prof.elsewhere,
                         [h.article.id for h in prof.page.hits])
    assert found["single"] == found["whoosh"] == found["sharded"]


def test_versions_articles_and_more_like_this(engines):
    whoosh = engines["whoosh"]
    every = whoosh.search(SearchRequest.from_dict({"q": "minister", "size": "100", "sort": "oldest"}))
    story = next(h.article for h in every.hits if h.versions == 1)
    assert story.cluster
    expected = [a.id for a in whoosh.versions(story)]
    assert len(expected) == 2
    for name in ("single", "sharded"):
        backend = engines[name]
        article = backend.get(story.id)
        assert article is not None and article.to_dict() == story.to_dict()
        assert [a.id for a in backend.versions(article)] == expected
        terms, similar = backend.more_like(article)
        assert terms and similar and all(a.cluster != story.cluster for a in similar)
        assert backend.get("no-such-id") is None
        assert backend.count() == whoosh.count()
        stats, expected_stats = backend.stats(), whoosh.stats()
        assert (stats.articles, stats.first_date, stats.last_date, stats.undated, stats.sources, stats.languages) \
            == (expected_stats.articles, expected_stats.first_date, expected_stats.last_date,
                expected_stats.undated, expected_stats.sources, expected_stats.languages)


def test_reingesting_changes_nothing(engines, tmp_path):
    """The same input twice: every article updated in place, the counts and facets unchanged."""
    backend = engines["sharded"]
    before = answer(backend, {"q": "haven", "sort": "newest"})
    version = backend.version()
    report = ingest([str(SAMPLE)], backend.url, workers=1)
    assert not report.failures
    assert report.articles > 0 and (report.new, report.updated) == (0, report.articles)  # DELETE ... RETURNING
    assert backend.version() > version
    assert answer(backend, {"q": "haven", "sort": "newest"}) == before


def test_web_api_and_cli_run_on_postgresql(engines, runner):
    url = engines["sharded"].url
    client = create_app({"TESTING": True, "INDEX_PATH": url}).test_client()
    api = client.get("/api/search?q=haven&facets=1&sort=newest").get_json()
    assert api["total"] == engines["whoosh"].search(SearchRequest.from_dict({"q": "haven"})).total > 0
    page = client.get("/?q=haven")
    assert page.status_code == 200 and f"{api['total']} articles" in page.get_data(as_text=True)
    first = api["results"][0]["id"]
    assert client.get(f"/articles/{first}").status_code == 200
    assert client.get(f"/api/articles/{first}").get_json()["id"] == first
    assert client.get("/entities/person/Anna%20Peeters").status_code == 200
    assert client.get("/sources/Harbour%20Wire").status_code == 200
    export = client.get("/api/export?format=jsonl&q=haven&sort=newest").get_data(as_text=True).splitlines()
    assert json.loads(export[0])["export"]["total"] == api["total"] == len(export) - 1
    assert client.get("/api/search?q=%22unclosed").status_code == 400
    result = runner.invoke(cli, ["--index", url, "search", "haven", "--format", "json", "--sort", "newest"])
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.output)["results"]] == [r["id"] for r in api["results"]]
    stats = runner.invoke(cli, ["--index", url, "stats"])
    assert stats.exit_code == 0 and "postgresql, 3 shards" in stats.output, stats.output
    web_backend = create_app({"TESTING": True, "INDEX_PATH": url}).extensions["archive_backend"].get()
    with pytest.raises(Exception, match="read-only"):  # the web app's connections cannot write
        web_backend.write([(web_backend.get(first), "")])


def test_statement_timeout_is_explained():
    import psycopg

    from archive.backends.postgres.connect import explain_error

    error = explain_error(psycopg.errors.QueryCanceled("canceling statement due to statement timeout"),
                          "postgresql://reader:secret@db.example:5432/news")
    assert "time limit" in str(error) and "secret" not in str(error) and "db.example" in str(error)
    shard = explain_error(psycopg.OperationalError('could not connect to server "archive_shard_2"'),
                          "postgresql://postgres@127.0.0.1:5432/archive")
    assert "shard archive_shard_2" in str(shard)


def test_citus_ddl_keeps_in_step_with_the_schema():
    """The documented Citus file declares the same columns and indexes as the schema the archive creates."""
    from archive.backends.postgres import schema

    citus = (Path(schema.__file__).parent / "citus.sql").read_text(encoding="utf-8")
    for line in schema.COLUMNS.strip().splitlines():
        assert line.strip().rstrip(",") in citus, line
    for statement in schema.TABLE_INDEXES:
        name, rest = statement.format(t="articles").replace("IF NOT EXISTS ", "").split(" ON ", 1)
        assert f"{name} ON {rest};" in citus, statement
    assert f"('schema_version', '{schema.SCHEMA_VERSION}')" in citus
    assert schema.RUM_INDEX.format(t="articles").replace("IF NOT EXISTS ", "") + ";" in citus
    assert "('ranking', 'rum')" in citus


@pytest.mark.parametrize("params", [{"size": "30", "versions": "1"}, {"person": "Anna Peeters", "size": "30", "versions": "1"}])
def test_no_words_means_newest_first_on_every_engine(engines, params):
    """With nothing to score (no query, or filters alone) the results come newest first, undated last."""
    rows = {}
    for name, backend in engines.items():
        page = backend.search(SearchRequest.from_dict(params))
        keys = [h.article.date or datetime.min for h in page.hits]
        assert keys == sorted(keys, reverse=True) and page.hits
        rows[name] = [h.article.id for h in page.hits]
    assert rows["single"] == rows["whoosh"] == rows["sharded"]


@pytest.mark.parametrize("params", [{"q": ["haven", "brug"], "by": "month"},
                                    {"q": ["minister"], "by": "year", "normalise": "1", "source": "Harbour Wire"},
                                    {"q": ["staking OR storm"], "split": "source", "by": "week"}])
def test_attention_over_time_matches(engines, params):
    from archive.attention import AttentionRequest, attention

    found = {}
    for name, backend in engines.items():
        answer = attention(backend, AttentionRequest.from_dict(params)).to_dict()
        answer.pop("index_version", None)
        found[name] = answer
    assert found["whoosh"]["series"] and any(p["count"] for s in found["whoosh"]["series"] for p in s["points"])
    assert found["single"] == found["whoosh"] == found["sharded"]


@pytest.mark.parametrize("params", [{"q": "haven"}, {"q": '"de minister"', "sort": "newest"},
                                    {"q": "brug*", "sort": "source", "size": "30"}, {"q": "minister", "sort": "left"}])
def test_words_in_context_match(engines, params):
    from archive.kwic import KwicRequest, concordance

    def get(name: str) -> list[str]:
        return [params[name]] if name in params else []

    found = {}
    for name, backend in engines.items():
        answer = concordance(backend, KwicRequest.from_params(get)).to_dict()
        answer.pop("index_version", None)
        found[name] = answer
    assert found["whoosh"]["lines"]
    assert found["single"] == found["whoosh"] == found["sharded"]


@pytest.mark.parametrize("facet,params", [("source", {}), ("person", {"q": "haven"}),
                                          ("location", {"by": "name", "contains": "an"})])
def test_facet_value_lists_match(engines, facet, params):
    from archive.browse import ValuesRequest, facet_values

    def get(name: str) -> list[str]:
        return [params[name]] if name in params else []

    found = {name: facet_values(backend, ValuesRequest.from_params(facet, get)).to_dict()
             for name, backend in engines.items()}
    assert found["whoosh"]["values"]
    assert found["single"] == found["whoosh"] == found["sharded"]
