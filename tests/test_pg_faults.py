"""A shard that is down: every search says so (exit 1, HTTP 503) instead of counting what the others hold."""
from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

import pytest

from archive.cli import cli
from archive.ingest import ingest
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
