"""PostgreSQL for tests: a local sharded layout (started here, or the one CI started) and fresh archives in it.

`ARCHIVE_TEST_POSTGRES` names the coordinator of a running layout (`.ci/run` starts one with `archive cluster
up`); otherwise a layout is started in a temporary folder and stopped at the end. Where PostgreSQL is missing
the tests skip, unless `ARCHIVE_REQUIRE_POSTGRES=1` (CI), where they fail.
"""
from __future__ import annotations

import glob
import importlib.util
import os
import random
import shutil
import socket
import tempfile
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import pytest

REQUIRE_POSTGRES = os.environ.get("ARCHIVE_REQUIRE_POSTGRES") == "1"
SINGLE_DATABASE = "archive_single"


@dataclass
class Servers:
    """URLs of an archive on one server and of one sharded over the layout's shards."""

    sharded: str
    single: str
    directory: str | None = None  # the layout started by the tests, if any


def missing() -> str | None:
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb") and not shutil.which("initdb"):
        return "PostgreSQL is not installed (apt-get install postgresql-15)"
    if importlib.util.find_spec("psycopg") is None:
        return "psycopg is not installed (pip install -e '.[test]')"
    return None


def free_base(count: int) -> int:
    for _ in range(200):
        base = random.randrange(20000, 32000)
        try:
            for port in range(base, base + count):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free ports")


def start() -> Servers:
    """Return the servers to test against, starting a layout where CI has not."""
    given = os.environ.get("ARCHIVE_TEST_POSTGRES")
    directory = None
    if given:
        sharded = given
    else:
        reason = missing()
        if reason:
            if REQUIRE_POSTGRES:
                pytest.fail(f"{reason} but ARCHIVE_REQUIRE_POSTGRES=1")
            pytest.skip(reason)
        from archive.backends.postgres.layout import up

        directory = tempfile.mkdtemp(prefix="archive-pg-")
        sharded = up(os.path.join(directory, "layout"), shards=3, port=free_base(4))
    single = _with_database(sharded, SINGLE_DATABASE)
    import psycopg

    with psycopg.connect(sharded, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (SINGLE_DATABASE,)).fetchone():
            conn.execute(f"CREATE DATABASE {SINGLE_DATABASE}")
    return Servers(sharded, single, directory)


def stop(servers: Servers) -> None:
    if servers.directory:
        from archive.backends.postgres.layout import down

        down(os.path.join(servers.directory, "layout"))
        shutil.rmtree(servers.directory, ignore_errors=True)


def fresh(url: str) -> str:
    """Empty the archive at `url` (tables on the coordinator and its shards) and return the URL."""
    import psycopg

    from archive.backends.postgres.schema import drop

    with psycopg.connect(url, autocommit=True) as conn:
        drop(conn)
    return url


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))
