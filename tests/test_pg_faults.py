"""PostgreSQL when things go wrong: a shard or server down, a missing archive, kill -9, two writers at once.

These tests empty the shared test archives, so they live apart from the parity tests that keep one corpus loaded.
"""
from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

import pytest

from archive.backends import open_backend
from archive.cli import cli
from archive.ingest import ingest
from archive.request import SearchRequest
from archive.web import create_app

from . import pg
from .conftest import SAMPLE

pytestmark = pytest.mark.postgres


@pytest.fixture
def two_shards():
    reason = pg.missing()
    if reason:
        if pg.REQUIRE_POSTGRES:
            pytest.fail(f"{reason} but ARCHIVE_REQUIRE_POSTGRES=1")
        pytest.skip(reason)
    from archive.backends.postgres.layout import down, up

    folder = Path(tempfile.mkdtemp(prefix="archive-pg-faults-"))
    os.chmod(folder, 0o755)
    try:
        yield folder / "layout", up(folder / "layout", shards=2, port=pg.free_base(3))
    finally:
        down(folder / "layout")
        shutil.rmtree(folder, ignore_errors=True)


def test_a_shard_that_is_down_is_named(two_shards, runner):
    directory, url = two_shards
    report = ingest([str(SAMPLE)], url, workers=1)
    assert not report.failures and report.articles == 13
    result = runner.invoke(cli, ["--index", url, "search", "haven"])
    assert result.exit_code == 0, result.output
    pid = int((directory / "shard2" / "postmaster.pid").read_text().split()[0])
    os.kill(pid, signal.SIGINT)  # a fast shutdown of one shard
    for _ in range(100):
        if not (directory / "shard2" / "postmaster.pid").exists():
            break
        time.sleep(0.1)
    result = runner.invoke(cli, ["--index", url, "search", "haven"])
    assert result.exit_code == 1, result.output
    assert "shard archive_shard_2" in result.output and "Traceback" not in result.output, result.output
    client = create_app({"TESTING": True, "INDEX_PATH": url}).test_client()
    response = client.get("/api/search?q=haven&facets=1")
    assert response.status_code == 503 and "archive_shard_2" in response.get_json()["error"]
    page = client.get("/?q=haven")
    assert page.status_code == 503 and "archive_shard_2" in page.get_data(as_text=True)


def test_kill_9_loses_at_most_the_batch_in_flight(pg_servers, tmp_path):
    """An ingest into PostgreSQL killed mid-way keeps every committed batch; running it again completes it,
    and no article is ever there twice."""
    import subprocess
    import sys

    import psycopg

    from .conftest import ROOT

    url = pg.fresh(pg_servers.sharded)
    cmd = [sys.executable, "-m", "archive", "--index", url, "ingest", "-q", "--batch-size", "1", "--workers", "1",
           str(SAMPLE)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.Popen(cmd, env=env, stderr=subprocess.DEVNULL)
    with psycopg.connect(url, autocommit=True) as conn:
        for _ in range(600):  # kill it once some batches are in
            ready = conn.execute("SELECT to_regclass('archive_meta') IS NOT NULL").fetchone()[0]
            if ready and conn.execute("SELECT count(*) FROM articles").fetchone()[0] >= 3 or run.poll() is not None:
                break
            time.sleep(0.05)
        run.send_signal(signal.SIGKILL)
        run.wait()
        partial = conn.execute("SELECT count(*), count(DISTINCT id) FROM articles").fetchone()
        assert partial[0] == partial[1] and 1 <= partial[0] < 13  # killed mid-way, nothing twice
        assert subprocess.run(cmd, env=env).returncode == 0
        assert conn.execute("SELECT count(*), count(DISTINCT id) FROM articles").fetchone() == (13, 13)


def test_a_missing_archive_and_a_server_that_is_down(pg_servers, runner, tmp_path):
    """Clear one-line errors with exit code 1, never a traceback, and a 503 page from the web app."""
    import psycopg

    empty = pg.fresh(pg_servers.single)
    result = runner.invoke(cli, ["--index", empty, "search", "haven"])
    assert result.exit_code == 1 and "no archive in" in result.output and "Traceback" not in result.output
    with psycopg.connect(pg_servers.sharded, autocommit=True) as conn:
        port = conn.execute("SHOW port").fetchone()[0]
    down = pg_servers.sharded.replace(f":{port}/", f":{_closed_port()}/")
    result = runner.invoke(cli, ["--index", down, "stats"])
    assert result.exit_code == 1 and "cannot connect to" in result.output and "archive cluster up" in result.output
    client = create_app({"TESTING": True, "INDEX_PATH": down}).test_client()
    response = client.get("/api/search?q=haven")
    assert response.status_code == 503 and "cannot connect" in response.get_json()["error"]
    bad = runner.invoke(cli, ["--index", "postgresql://postgres@127.0.0.1:notaport/x", "stats"])
    assert bad.exit_code == 1 and "Traceback" not in bad.output, bad.output


def test_two_ingests_at_once_agree(pg_servers, tmp_path):
    """Two `archive ingest` processes write into one sharded archive at the same time: every article once, and a
    story and its reprint, ingested by different processes, share a cluster."""
    import shutil
    import subprocess
    import sys

    from .conftest import ROOT

    url = pg.fresh(pg_servers.sharded)
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    for path in sorted(SAMPLE.glob("*.txt")):
        shutil.copy(path, (second if "herdruk" in path.name or path.name < "fr" else first) / path.name)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    runs = [subprocess.Popen([sys.executable, "-m", "archive", "--index", url, "ingest", "-q", "--batch-size", "1",
                              "--workers", "1", str(folder)], env=env, stderr=subprocess.PIPE, text=True)
            for folder in (first, second)]
    for run_ in runs:
        _, err = run_.communicate(timeout=300)
        assert run_.returncode == 0, err
    backend = open_backend(url)
    try:
        page = backend.search(SearchRequest.from_dict({"size": "100", "versions": "1"}))
        ids = [h.article.id for h in page.hits]
        assert page.total == len(ids) == len(set(ids)) == 13
        haven = backend.search(SearchRequest.from_dict({"q": "havenarbeiders"}))
        assert haven.total == 2 and haven.results_total == 1 and haven.hits[0].versions == 1
    finally:
        backend.close()


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_web_app_gives_each_statement_the_search_budget(pg_servers, monkeypatch):
    """The web app's statements stop at the time budget of a search (a 503 that says so), the CLI's do not."""
    url = pg.fresh(pg_servers.single)
    ingest([str(SAMPLE)], url, workers=1)
    for backend, expected in ((open_backend(url, read_only=True, query_seconds=0.5), "500ms"),
                              (open_backend(url), "1min")):  # the CLI's: ARCHIVE_PG_TIMEOUT
        with backend.pool.connection() as conn:
            assert conn.execute("SHOW statement_timeout").fetchone()[0] == expected
        backend.close()
    monkeypatch.setenv("ARCHIVE_QUERY_SECONDS", "0.001")
    client = create_app({"TESTING": True, "INDEX_PATH": url}).test_client()
    response = client.get("/?q=haven&facets=1")
    assert response.status_code == 503 and "time limit" in response.get_data(as_text=True)
    monkeypatch.setenv("ARCHIVE_QUERY_SECONDS", "soon")
    bad = create_app({"TESTING": True, "INDEX_PATH": url}).test_client().get("/?q=haven")
    assert bad.status_code == 503 and "ARCHIVE_QUERY_SECONDS" in bad.get_data(as_text=True)
