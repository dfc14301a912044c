"""Shared fixtures: each test builds its own index under tmp_path, the flaskr way."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.ingest import ingest
from archive.web import create_app

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ARCHIVE_SHARED", ROOT.parent / "shared"))
SEED = SHARED / "seed" / "000_e1676b1b8fc9d2f4.txt"
SAMPLE = ROOT / "archive" / "sample"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REQUIRE_SHARED = os.environ.get("ARCHIVE_REQUIRE_SHARED") == "1"


def need_shared(path: Path) -> Path:
    """Return a path under ../shared, skipping the test where it is absent (failing in CI, where it is required)."""
    if not path.exists():
        if REQUIRE_SHARED:
            pytest.fail(f"{path} is missing but ARCHIVE_REQUIRE_SHARED=1")
        pytest.skip(f"{path} not present")
    return path


@pytest.fixture
def seed_path() -> Path:
    return need_shared(SEED)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def sample_index(tmp_path: Path) -> Path:
    """An index of the bundled sample corpus."""
    path = tmp_path / "index"
    report = ingest([str(SAMPLE)], str(path), workers=1)
    assert not report.failures, report.failures
    return path


@pytest.fixture
def seed_index(tmp_path: Path, seed_path: Path) -> Path:
    """An index of the seed and the sample corpus."""
    path = tmp_path / "index"
    report = ingest([str(seed_path), str(SAMPLE)], str(path), workers=1)
    assert not report.failures, report.failures
    return path


@pytest.fixture
def app(sample_index: Path):
    return create_app({"TESTING": True, "INDEX_PATH": str(sample_index)})


@pytest.fixture
def client(app):
    return app.test_client()


def run(runner: CliRunner, index: Path, *args: str, code: int = 0):
    """Run the CLI against an index and check its exit code."""
    result = runner.invoke(cli, ["--index", str(index), *args])
    assert result.exit_code == code, result.output
    return result


@pytest.fixture(scope="session")
def pg_servers():
    """A coordinator with three shards, and one plain server database, for the PostgreSQL tests."""
    from . import pg

    servers = pg.start()
    yield servers
    pg.stop(servers)
