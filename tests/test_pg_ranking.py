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
