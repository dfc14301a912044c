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
