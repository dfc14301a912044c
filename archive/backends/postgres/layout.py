"""Start and stop a local sharded PostgreSQL layout for trials and tests.

A layout is one directory holding a coordinator and N shard servers, each a data
directory of its own (DIR/coordinator, DIR/shard1..N) listening on 127.0.0.1 only,
on PORT and PORT+1..PORT+N, with its unix socket and log file inside the data
directory. The coordinator reaches every shard through a postgres_fdw foreign
server named ``archive_shard_<i>``. DIR/layout.json records ports and shard count,
so ``up`` on an existing layout restarts it. Run as root, the servers run as the
``postgres`` system user, which must be able to traverse the parents of DIR.
"""

from __future__ import annotations

import errno
import glob
import json
import logging
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

log = logging.getLogger(__name__)

DEFAULT_SHARDS = 3
DEFAULT_PORT = 5432
DATABASE = "archive"
SUPERUSER = "postgres"
LAYOUT_FILE = "layout.json"
LOG_FILE = "postgresql.log"
START_TIMEOUT = 60  # seconds
SOCKET_PATH_MAX = 107  # sun_path on Linux, minus the terminating NUL

COMMON_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "work_mem": "64MB",
    "maintenance_work_mem": "512MB",
    "max_wal_size": "4GB",
    "effective_cache_size": "4GB",
    "jit": "off",
    "synchronous_commit": "on",
    "fsync": "on",
}
ROLE_SETTINGS = {
    "coordinator": {"shared_buffers": "256MB"},
    "shard": {"shared_buffers": "512MB", "max_parallel_workers_per_gather": "0"},
}
COORDINATOR_DATABASE_SETTINGS = (
    "enable_partitionwise_aggregate",
    "enable_partitionwise_join",
    "enable_async_append",
)


class LayoutError(Exception):
    """A layout cannot be started, stopped or read."""


@dataclass(frozen=True)
class Server:
    """One server of a layout: its name, port and data directory."""

    name: str
    port: int
    data: Path

    @property
    def role(self) -> str:
        return "coordinator" if self.name == "coordinator" else "shard"


def url(port: int, database: str = DATABASE) -> str:
    """Return the connection URL of the local server on PORT."""
    return f"postgresql://{SUPERUSER}@127.0.0.1:{port}/{database}"


def up(directory: str | os.PathLike[str], shards: int | None = None, port: int | None = None) -> str:
    """Start the layout under DIRECTORY, creating it first if needed; return the coordinator URL.

    A new layout gets ``shards`` (default 3) shards and ``port`` (default 5432); an
    existing one keeps what DIRECTORY/layout.json records.
    """
    root = Path(directory).absolute()
    servers = _existing_or_new(root, shards, port)
    owner = _server_user()
    if owner:
        _make_reachable(root, owner)
    stopped = [s for s in servers if not _running(s)]
    for server in stopped:
        _check_port_free(root, server)
    bindir = _bindir(servers)
    fresh = [s for s in stopped if not (s.data / "PG_VERSION").exists()]
    _make_data_dirs(fresh, owner)
    _run_all([_initdb_command(bindir, s) for s in fresh], "initdb", owner)
    for server in fresh:
        _write_settings(server)
    try:
        _run_all([_start_command(bindir, s) for s in stopped], "pg_ctl start", owner, servers=stopped)
        for server in servers:
            _wait_ready(server)
            _create_database(server)
        _setup_coordinator(servers)
    except (LayoutError, psycopg.Error):
        _stop([s for s in stopped if _running(s)], bindir, owner)  # leave things as they were
        raise
    log.info("layout %s up: %d servers, coordinator on port %d", root, len(servers), servers[0].port)
    return url(servers[0].port)


def down(directory: str | os.PathLike[str]) -> None:
    """Stop every server of the layout under DIRECTORY; servers already stopped are left as they are."""
    root = Path(directory).absolute()
    servers = _load(root)
    running = [s for s in servers if _running(s)]
    if running:
        owner = _server_user()
        if owner:  # pytest, for one, takes o+x off /tmp/pytest-of-root again on every run
            _make_reachable(root, owner)
        _stop(running, _bindir(servers), owner)
    log.info("layout %s down", root)


def _stop(servers: list[Server], bindir: Path, owner: pwd.struct_passwd | None) -> None:
    commands = [[str(bindir / "pg_ctl"), "stop", "-D", str(s.data), "-m", "fast", "-w", "-t", str(START_TIMEOUT)]
                for s in servers]
    _run_all(commands, "pg_ctl stop", owner, servers=servers)


def status(directory: str | os.PathLike[str]) -> list[tuple[str, int, bool]]:
    """Return (name, port, running) for every server of the layout under DIRECTORY."""
    return [(s.name, s.port, _running(s)) for s in _load(Path(directory).absolute())]


# --- the layout file --------------------------------------------------------------


def _servers(root: Path, shards: int, port: int) -> list[Server]:
    names = ["coordinator"] + [f"shard{i}" for i in range(1, shards + 1)]
    return [Server(name, port + i, root / name) for i, name in enumerate(names)]


def _load(root: Path) -> list[Server]:
    path = root / LAYOUT_FILE
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
        return _servers(root, int(recorded["shards"]), int(recorded["port"]))
    except FileNotFoundError:
        raise LayoutError(f"no PostgreSQL layout in {root}: run `up` on it first") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise LayoutError(f"{path} is unreadable ({exc}): remove {root} and run `up` again") from None


def _existing_or_new(root: Path, shards: int | None, port: int | None) -> list[Server]:
    if (root / LAYOUT_FILE).exists():
        servers = _load(root)
        have_shards, have_port = len(servers) - 1, servers[0].port
        if (shards is not None and shards != have_shards) or (port is not None and port != have_port):
            raise LayoutError(
                f"{root} already holds a layout with {have_shards} shards on port {have_port}: "
                f"run `down` and remove {root} to change it")
        return servers
    shards = DEFAULT_SHARDS if shards is None else shards
    port = DEFAULT_PORT if port is None else port
    if shards < 1:
        raise LayoutError(f"a layout needs at least one shard, not {shards}")
    if not 1024 <= port <= 65535 - shards:
        raise LayoutError(f"port {port} is out of range: choose --port between 1024 and {65535 - shards}")
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise LayoutError(f"{root} is not empty and holds no layout: choose a new or empty directory")
    servers = _servers(root, shards, port)
    for server in servers:  # check before anything is written
        _check_port_free(root, server)
    _bindir(servers)
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    (root / LAYOUT_FILE).write_text(json.dumps({"shards": shards, "port": port}, indent=2) + "\n", encoding="utf-8")
    return servers


# --- processes and permissions ----------------------------------------------------


def _server_user() -> pwd.struct_passwd | None:
    """Return the system user the servers run as when we are root, else None."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SUPERUSER)
    except KeyError:
        raise LayoutError("running as root but there is no `postgres` system user: "
                          "install postgresql-15 (apt-get install postgresql-15) or run as a normal user") from None


def _as_server_user(command: list[str], owner: pwd.struct_passwd | None) -> list[str]:
    return ["runuser", "-u", owner.pw_name, "--", *command] if owner else command


def _make_reachable(root: Path, owner: pwd.struct_passwd) -> None:
    """Let the postgres user traverse to ROOT, opening root-owned directories under /tmp if needed."""
    if _can_traverse(root, owner):
        return
    for parent in reversed(root.parents):
        info = parent.stat()
        if info.st_mode & 0o001 or not parent.is_relative_to("/tmp") or info.st_uid != 0:
            continue
        log.info("adding o+x to %s so the postgres user can reach %s", parent, root)
        parent.chmod(info.st_mode | 0o001)
    if not _can_traverse(root, owner):
        raise LayoutError(f"the postgres user cannot reach {root}: make its parent directories "
                          f"traversable (chmod o+x) or choose a directory under /tmp")


def _can_traverse(root: Path, owner: pwd.struct_passwd) -> bool:
    check = subprocess.run(_as_server_user(["test", "-x", str(root)], owner), capture_output=True)
    return check.returncode == 0


def _make_data_dirs(servers: list[Server], owner: pwd.struct_passwd | None) -> None:
    """Create empty data directories owned by the server user."""
    for server in servers:
        server.data.mkdir(mode=0o700, exist_ok=True)
        if owner:
            os.chown(server.data, owner.pw_uid, owner.pw_gid)


def _run_all(commands: list[list[str]], what: str, owner: pwd.struct_passwd | None,
             servers: list[Server] | None = None) -> None:
    """Run COMMANDS side by side; raise LayoutError naming the first that failed."""
    procs = [subprocess.Popen(_as_server_user(c, owner), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for c in commands]
    outputs = [p.communicate()[0] for p in procs]
    for i, (proc, output) in enumerate(zip(procs, outputs)):
        if proc.returncode == 0:
            continue
        if servers:
            logfile = servers[i].data / LOG_FILE
            where = f"server {servers[i].name} (port {servers[i].port}): see {logfile}"
            logged = logfile.read_text(errors="replace") if logfile.exists() else ""
            reason = _error_line(logged, latest=True) or _error_line(output)
        else:
            where = f"`{' '.join(commands[i])}`"
            reason = _error_line(output)
        raise LayoutError(f"{what} failed for {where} ({reason or 'no output'})")


def _error_line(text: str, latest: bool = False) -> str | None:
    """Pick the first (or latest) line of TEXT that says what went wrong, else its last line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    marked = [line for line in lines if any(word in line for word in ("FATAL", "PANIC", "ERROR", "error:"))]
    if marked:
        return marked[-1] if latest else marked[0]
    return lines[-1] if lines and not latest else None


def _running(server: Server) -> bool:
    """Return whether the postmaster recorded in SERVER's pid file is alive."""
    try:
        pid = int((server.data / "postmaster.pid").read_text().split("\n", 1)[0])
    except (FileNotFoundError, PermissionError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _check_port_free(root: Path, server: Server) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", server.port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            raise LayoutError(f"port {server.port} (for {server.name} of {root}) is taken by another program: "
                              f"choose other ports with --port") from None


# --- binaries and configuration ---------------------------------------------------


def _bindir(servers: list[Server]) -> Path:
    """Find the PostgreSQL binaries, matching the version of existing data directories."""
    versions = {(s.data / "PG_VERSION").read_text().strip() for s in servers if (s.data / "PG_VERSION").exists()}
    if versions:
        version = max(versions, key=_version)
        bindir = Path(f"/usr/lib/postgresql/{version}/bin")
        if (bindir / "pg_ctl").exists():
            return bindir
    else:
        found = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
        if found:
            return max(found, key=lambda bindir: _version(bindir.parent.name))
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    wanted = f"postgresql-{max(versions, key=_version)}" if versions else "postgresql-15"
    raise LayoutError(f"initdb not found: install {wanted} (apt-get install {wanted})")


def _version(name: str) -> tuple[int, ...]:
    """Turn a version directory name such as "15" or "9.6" into a sortable tuple."""
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def _locale() -> str:
    try:
        names = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower().split()
    except FileNotFoundError:
        return "C"
    return "C.UTF-8" if {"c.utf8", "c.utf-8"} & set(names) else "C"


def _initdb_command(bindir: Path, server: Server) -> list[str]:
    return [str(bindir / "initdb"), "-D", str(server.data), "--auth=trust", "-U", SUPERUSER,
            "--encoding=UTF8", f"--locale={_locale()}"]


def _start_command(bindir: Path, server: Server) -> list[str]:
    return [str(bindir / "pg_ctl"), "start", "-D", str(server.data), "-l", str(server.data / LOG_FILE),
            "-w", "-t", str(START_TIMEOUT)]


def _write_settings(server: Server) -> None:
    """Append the layout's settings to SERVER's postgresql.conf (later lines win)."""
    socket_dir = str(server.data)
    if len(f"{socket_dir}/.s.PGSQL.{server.port}") > SOCKET_PATH_MAX:
        log.info("%s is too long for a unix socket path: %s listens on TCP only", socket_dir, server.name)
        socket_dir = ""
    settings = {**COMMON_SETTINGS, **ROLE_SETTINGS[server.role],
                "port": str(server.port), "unix_socket_directories": f"'{socket_dir}'"}
    lines = [f"{name} = {value}" for name, value in settings.items()]
    with open(server.data / "postgresql.conf", "a", encoding="utf-8") as conf:
        conf.write("\n# --- archive layout (" + server.name + ") ---\n" + "\n".join(lines) + "\n")


# --- databases --------------------------------------------------------------------


def _connect(server: Server, database: str = DATABASE) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=server.port, user=SUPERUSER, dbname=database,
                           autocommit=True, connect_timeout=5)


def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            _connect(server, "postgres").close()
            return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                raise LayoutError(f"server {server.name} on port {server.port} does not accept connections "
                                  f"({str(exc).strip().splitlines()[-1]}): see {server.data / LOG_FILE}") from None
            time.sleep(0.1)


def _create_database(server: Server) -> None:
    """Create the archive database on SERVER, with rum where the extension is installed."""
    with _connect(server, "postgres") as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
            conn.execute(f"CREATE DATABASE {DATABASE}")
    with _connect(server) as conn:
        if conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'").fetchone():
            conn.execute("CREATE EXTENSION IF NOT EXISTS rum")


def _setup_coordinator(servers: list[Server]) -> None:
    """Give the coordinator a postgres_fdw foreign server and user mapping per shard."""
    coordinator, shards = servers[0], servers[1:]
    with _connect(coordinator) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgres_fdw")
        for i, shard in enumerate(shards, start=1):
            name = f"archive_shard_{i}"
            conn.execute(
                f"CREATE SERVER IF NOT EXISTS {name} FOREIGN DATA WRAPPER postgres_fdw OPTIONS "
                f"(host '127.0.0.1', port '{shard.port}', dbname '{DATABASE}', "
                f"async_capable 'true', fetch_size '1000')")
            conn.execute(f"CREATE USER MAPPING IF NOT EXISTS FOR {SUPERUSER} SERVER {name} "
                         f"OPTIONS (user '{SUPERUSER}')")
        for setting in COORDINATOR_DATABASE_SETTINGS:
            conn.execute(f"ALTER DATABASE {DATABASE} SET {setting} = on")
