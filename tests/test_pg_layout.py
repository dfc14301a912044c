"""The local sharded PostgreSQL layout: up, queries through the coordinator, down."""
from __future__ import annotations

import glob
import importlib.util
import os
import shutil
import socket
import tempfile
from pathlib import Path

import pytest

from .pg import free_base

pytestmark = pytest.mark.postgres

REQUIRE_POSTGRES = os.environ.get("ARCHIVE_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="module", autouse=True)
def need_postgres() -> None:
    """Skip where PostgreSQL is missing, failing instead when ARCHIVE_REQUIRE_POSTGRES=1."""
    missing = None
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        missing = "no /usr/lib/postgresql/*/bin/initdb"
    elif importlib.util.find_spec("psycopg") is None:
        missing = "psycopg is not installed"
    if missing and REQUIRE_POSTGRES:
        pytest.fail(f"{missing} but ARCHIVE_REQUIRE_POSTGRES=1")
    if missing:
        pytest.skip(missing)


def free_ports(count: int) -> int:
    """Return a base port such that it and the COUNT - 1 ports after it are free."""
    return free_base(count)


def connect(port: int):
    import psycopg

    return psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/archive", autocommit=True)


@pytest.fixture(scope="module")
def two_shards(request: pytest.FixtureRequest) -> Path:
    """A layout of a coordinator and two shards, stopped and removed when the module is done, also on failure.

    It lives in its own temporary directory rather than under tmp_path: as root, every pytest run chmods
    /tmp/pytest-of-root back to 0700, which would lock the postgres user out of a concurrent run's layout.
    """
    from archive.backends.postgres import layout

    directory = Path(tempfile.mkdtemp(prefix="archive-pg-")) / "layout"

    def stop() -> None:
        try:
            if (directory / "layout.json").exists():
                layout.down(directory)
        finally:
            shutil.rmtree(directory.parent, ignore_errors=True)

    request.addfinalizer(stop)
    layout.up(directory, shards=2, port=free_ports(3))
    return directory


def test_every_server_answers(two_shards: Path) -> None:
    from archive.backends.postgres import layout

    servers = layout.status(two_shards)
    assert [(name, running) for name, _, running in servers] == [
        ("coordinator", True), ("shard1", True), ("shard2", True)]
    for _, port, _ in servers:
        with connect(port) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == ("archive",)
    with connect(servers[0][1]) as conn:
        foreign = conn.execute("SELECT srvname, srvoptions FROM pg_foreign_server ORDER BY srvname").fetchall()
        assert [name for name, _ in foreign] == ["archive_shard_1", "archive_shard_2"]
        assert f"port={servers[1][1]}" in foreign[0][1] and "async_capable=true" in foreign[0][1]
        assert conn.execute("SHOW enable_async_append").fetchone() == ("on",)
        assert conn.execute("SHOW enable_partitionwise_aggregate").fetchone() == ("on",)


def test_hash_partitions_on_shards_through_the_coordinator(two_shards: Path) -> None:
    from archive.backends.postgres import layout

    (_, coordinator, _), *shards = layout.status(two_shards)
    for i, (_, port, _) in enumerate(shards):
        with connect(port) as conn:
            conn.execute(f"CREATE TABLE articles_p{i} (id bigint PRIMARY KEY, source text NOT NULL)")
    with connect(coordinator) as conn:
        conn.execute("CREATE TABLE articles (id bigint NOT NULL, source text NOT NULL) PARTITION BY HASH (id)")
        for i in range(len(shards)):
            conn.execute(f"CREATE FOREIGN TABLE articles_p{i} PARTITION OF articles "
                         f"FOR VALUES WITH (MODULUS {len(shards)}, REMAINDER {i}) "
                         f"SERVER archive_shard_{i + 1} OPTIONS (table_name 'articles_p{i}')")
        conn.execute("INSERT INTO articles SELECT g, 'src' || (g % 3) FROM generate_series(1, 1000) g")

        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (1000,)
        assert conn.execute("SELECT source, count(*) FROM articles GROUP BY source ORDER BY source").fetchall() == [
            ("src0", 333), ("src1", 334), ("src2", 333)]
        plan = "\n".join(row[0] for row in conn.execute("EXPLAIN SELECT * FROM articles WHERE source = 'src1'"))
        assert plan.count("Async Foreign Scan") == len(shards), plan
    held = []
    for i, (_, port, _) in enumerate(shards):
        with connect(port) as conn:
            held.append(conn.execute(f"SELECT count(*) FROM articles_p{i}").fetchone()[0])
    assert sum(held) == 1000 and min(held) > 0


def test_up_is_idempotent_and_down_stops_everything(two_shards: Path) -> None:
    import psycopg

    from archive.backends.postgres import layout

    url = layout.url(layout.status(two_shards)[0][1])
    assert layout.up(two_shards) == url
    try:
        layout.down(two_shards)
        assert [running for _, _, running in layout.status(two_shards)] == [False, False, False]
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(url).close()
        layout.down(two_shards)  # already stopped: nothing to do
    finally:
        assert layout.up(two_shards) == url  # restarts what is stopped, for the other tests too
    assert [running for _, _, running in layout.status(two_shards)] == [True, True, True]
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_foreign_server").fetchone() == (2,)


def test_errors_name_the_directory_or_port(tmp_path: Path) -> None:
    from archive.backends.postgres import layout

    with pytest.raises(layout.LayoutError, match="no PostgreSQL layout in .*run `up`"):
        layout.down(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(layout.LayoutError, match=f"port {port} .*--port"):
            layout.up(tmp_path / "new", shards=1, port=port)
    assert not (tmp_path / "new").exists()
