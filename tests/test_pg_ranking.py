"""Relevance read from the RUM index: the same pages as ranking every match, and the migration that adds it."""
from __future__ import annotations

import json

import psycopg
import pytest

from archive.backends import BackendError, open_backend
from archive.backends.postgres import schema
from archive.backends.postgres import search as sql_search
from archive.ingest import ingest
from archive.query import build_query, query_schema
from archive.request import SearchRequest

from . import pg
from .conftest import SAMPLE, run
from .test_pg_parity import invented_corpus

pytestmark = pytest.mark.postgres

QUERIES = ["haven", "minister", "haven OR brug", '"de minister"', "hav*", "N-VA OR CD&V",
           "minister AND NOT staking", "storm AND trein", "Genève"]
PAGES = [(1, 10), (2, 7), (6, 5), (1, 100)]


@pytest.fixture(scope="module")
def sharded(pg_servers, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ranking")
    corpus = folder / "invented.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in invented_corpus()) + "\n",
                      encoding="utf-8")
    url = pg.fresh(pg_servers.sharded)
    report = ingest([str(SAMPLE), str(corpus)], url, workers=1, batch_size=50)
    assert not report.failures
    backend = open_backend(url)
    with backend.pool.connection() as conn:
        if not schema.rum_available(conn, list(backend.layout.shards)):
            pytest.fail("the rum extension is not installed on every server (apt-get install postgresql-15-rum)")
    yield backend
    backend.close()


def _where(text: str) -> sql_search.Where:
    req = SearchRequest.from_dict({"q": text})
    return sql_search.where(build_query(req, query_schema()), req)


@pytest.mark.parametrize("tight", [False, True], ids=["default", "escalating"])
def test_pages_from_the_index_equal_ranking_every_match(sharded, monkeypatch, tight):
    """Same groups, order, earliest members, sizes and counts as the full pass, whatever the ties."""
    assert sharded.layout.rum
    if tight:  # read as few matches per shard as the page needs, so that ties force more reads
        monkeypatch.setattr(sql_search, "RANKED_FIRST", 1)
        monkeypatch.setattr(sql_search, "RANKED_PER_RESULT", 1)
    answered = 0
    with sharded.pool.connection() as conn:
        for text in QUERIES:
            w = _where(text)
            assert w.rank is not None
            for collapse in (True, False):
                for page, size in PAGES:
                    req = SearchRequest.from_dict({"q": text, "page": str(page), "size": str(size)})
                    offset = (page - 1) * size
                    matched, rows, full = sql_search.page_groups(conn, sharded.layout, w, req, collapse, offset, size)
                    ranked = sql_search.ranked_groups(conn, sharded.layout, w, collapse, offset, size)
                    assert sql_search.counts(conn, sharded.layout, w, collapse) == (matched, rows), text
                    if ranked is None:
                        continue
                    answered += 1
                    assert [(g.grp, g.first_id, g.size) for g in ranked] == \
                        [(g.grp, g.first_id, g.size) for g in full], (text, collapse, page, size)
                    assert [g.best for g in ranked] == pytest.approx([g.best for g in full]), text
    assert answered >= len(QUERIES) * len(PAGES)  # the index answered at least half of the pages


def test_search_orders_by_the_index_distance(sharded):
    page = sharded.search(SearchRequest.from_dict({"q": "haven OR brug", "size": "20"}))
    scores = [h.score for h in page.hits]
    assert len(scores) == 20 and all(s > 0 for s in scores)
    assert scores == sorted(scores, reverse=True)


def test_an_archive_of_schema_version_1_is_migrated(pg_servers, runner):
    url = pg.fresh(pg_servers.single)
    ingest([str(SAMPLE)], url, workers=1)
    with psycopg.connect(url, autocommit=True) as conn:  # what version 1 had: no RUM index, no ranking row
        conn.execute("DROP INDEX articles_terms_rum")
        conn.execute("DELETE FROM archive_meta WHERE key = 'ranking'")
        conn.execute("UPDATE archive_meta SET value = '1' WHERE key = 'schema_version'")
    with pytest.raises(BackendError, match="archive --index URL migrate"):
        open_backend(url)
    result = run(runner, url, "search", "haven", code=1)
    assert "migrate" in result.output and "Traceback" not in result.output
    result = run(runner, url, "migrate")
    assert "1 -> 2" in result.output and "RUM" in result.output
    backend = open_backend(url)
    assert backend.layout.rum and backend.search(SearchRequest.from_dict({"q": "haven"})).total > 0
    backend.close()
    assert "nothing to do" in run(runner, url, "migrate").output


def _rum_indexes(backend) -> int:
    """Count the RUM indexes on the servers holding articles."""
    with backend.pool.connection() as conn:
        if not backend.layout.shards:
            return conn.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'articles_terms_rum'").fetchone()[0]
        return sum(conn.execute("SELECT n FROM dblink(%s, 'SELECT count(*) FROM pg_indexes WHERE indexname = "
                                "''articles_shard_terms_rum''') AS t(n bigint)", (s,)).fetchone()[0]
                   for s in backend.layout.shards)


def test_a_bulk_load_builds_the_index_at_the_end(sharded, tmp_path, monkeypatch):
    """The fixture's first ingest dropped the RUM index and built it again; a small ingest keeps it as it is."""
    assert _rum_indexes(sharded) == len(sharded.layout.shards)
    dropped = []
    monkeypatch.setattr(schema, "defer_rum", lambda conn, shards: dropped.append(shards))
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps({"id": "late1", "title": "Haven", "body": "De haven van Gent groeit."}) + "\n",
                   encoding="utf-8")
    ingest([str(one)], sharded.url, workers=1)
    assert dropped == []
    assert sharded.search(SearchRequest.from_dict({"q": "haven"})).total > 0


def test_an_ingest_killed_with_the_index_dropped_is_recovered(pg_servers, runner, tmp_path):
    url = pg.fresh(pg_servers.single)
    ingest([str(SAMPLE)], url, workers=1)
    with psycopg.connect(url, autocommit=True) as conn:  # what a kill between dropping and building leaves
        schema.defer_rum(conn, [])
    backend = open_backend(url)
    assert not backend.layout.rum and _rum_indexes(backend) == 0
    slow = backend.search(SearchRequest.from_dict({"q": "haven", "size": "50"}))  # ranks every match meanwhile
    assert slow.total > 0
    assert "built the RUM index" in run(runner, url, "migrate").output
    backend.close()
    backend = open_backend(url)
    assert backend.layout.rum and _rum_indexes(backend) == 1
    fast = backend.search(SearchRequest.from_dict({"q": "haven", "size": "50"}))
    assert {h.article.id for h in fast.hits} == {h.article.id for h in slow.hits}
    with psycopg.connect(url, autocommit=True) as conn:  # and the next ingest builds it as well
        schema.defer_rum(conn, [])
    ingest([str(SAMPLE)], url, workers=1)
    assert open_backend(url).layout.rum and _rum_indexes(backend) == 1
    backend.close()
