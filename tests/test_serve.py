"""`archive serve` as a user runs it: a subprocess on a free port over a small index, its worker processes, idle
connections that must not lock anyone out, and signals that stop every process.

The checks on processes read /proc (Linux). No timing is asserted beyond generous "answered at all within N seconds"
liveness checks: the machine running the tests may be loaded.
"""
from __future__ import annotations

import http.client
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from archive.ingest import ingest

from . import pg
from .conftest import SAMPLE

LINUX = sys.platform.startswith("linux")
needs_proc = pytest.mark.skipif(not LINUX, reason="reads processes from /proc")
START_SECONDS = 60  # a loaded machine may take long to import everything
ANSWER_SECONDS = 15  # "answered at all", not a latency bound


class Served:
    """`archive serve --port 0` in a child process; the port is read from the line it prints."""

    def __init__(self, index: Path | str, *args: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "archive", "--index", str(index), "serve", "--port", "0", *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            env=os.environ | {"PYTHONUNBUFFERED": "1"})
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.port = self._port()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)
            self.lines.put(line)

    def _port(self) -> int:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            if line.startswith("Serving "):
                return int(line.split("http://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
        self.stop()
        pytest.fail("archive serve did not start: " + "".join(self.stderr))

    def get(self, path: str, timeout: float = ANSWER_SECONDS) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def wait_ready(self) -> None:
        """Wait until a request is answered (a worker may still be importing when the port is bound)."""
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                self.get("/api/search?q=haven", timeout=5)
                return
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise

    def workers(self) -> list[int]:
        return children(self.proc.pid)

    def stop(self) -> int:
        """SIGTERM the server and wait for it; kill what is left (and fail the test later) if it hangs."""
        left = self.workers() if LINUX else []
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            for pid in [self.proc.pid, *left]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.proc.wait()
            raise
        finally:
            self.close()

    def close(self) -> None:
        """Close the pipe once the server and its workers (which share it) are gone."""
        if self.proc.poll() is not None and self.proc.stderr is not None:
            self.reader.join(timeout=15)
            if not self.reader.is_alive():
                self.proc.stderr.close()


def children(pid: int) -> list[int]:
    """The live (not zombie) processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def served(sample_index):
    servers: list[Served] = []

    def start(*args: str, index: Path | str = sample_index) -> Served:
        server = Served(index, *args)
        servers.append(server)
        server.wait_ready()
        return server

    yield start
    for server in servers:
        if server.proc.poll() is None:
            server.stop()
        server.close()


def test_serves_pages_and_api_with_security_headers(served, client):
    server = served("--workers", "2")
    status, headers, body = server.get("/?q=haven")
    assert status == 200
    assert "script-src" not in headers["Content-Security-Policy"]
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Server"] == "archive"
    assert b"<mark>" in body
    status, _, body = server.get("/api/search?q=minister&facets=1")
    assert status == 200
    api = json.loads(body)
    assert api == client.get("/api/search?q=minister&facets=1").get_json()  # as the app answers in-process
    first = api["results"][0]["id"]
    assert server.get(f"/articles/{first}")[0] == 200
    assert json.loads(server.get(f"/api/articles/{first}")[2])["id"] == first
    assert server.get("/articles/no-such-article")[0] == 404


@needs_proc
@pytest.mark.parametrize("workers", [1, 3])
def test_runs_the_worker_processes_asked_for(served, workers):
    server = served("--workers", str(workers))
    expected = [] if workers == 1 else [f"with {workers} worker processes"]
    assert all(any(text in line for line in server.stderr) for text in expected), server.stderr
    assert wait_until(lambda: len(server.workers()) == (0 if workers == 1 else workers), 10), server.workers()
    for pid in server.workers():
        assert "serve" in Path(f"/proc/{pid}/cmdline").read_text()


@needs_proc
def test_the_parent_holds_no_backend_of_its_own(served, sample_index):
    """Each worker opens the index after the fork: nothing of it is open in the supervising parent."""
    server = served("--workers", "2")
    for _ in range(6):
        assert server.get("/?q=minister")[0] == 200
    index = str(sample_index.resolve())
    fds = Path(f"/proc/{server.proc.pid}/fd")
    opened = [os.readlink(fd) for fd in fds.iterdir() if os.path.exists(fd)]
    mapped = Path(f"/proc/{server.proc.pid}/maps").read_text()
    assert not [path for path in opened if path.startswith(index)] and index not in mapped
    in_workers = []
    for pid in server.workers():
        in_workers += [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir() if os.path.exists(fd)]
        in_workers += Path(f"/proc/{pid}/maps").read_text().split()
    assert any(path.startswith(index) for path in in_workers)  # what the parent lacks, the workers have


@pytest.mark.parametrize("workers", [1, 2])
def test_idle_and_half_sent_connections_do_not_lock_out_a_request(served, workers):
    """150 sockets that send nothing or half a request: waitress's default (100 connections) stopped accepting."""
    server = served("--workers", str(workers))
    idle = []
    try:
        for i in range(150):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            if i % 2:
                sock.sendall(b"GET /?q=haven HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # headers never finished
            idle.append(sock)
        time.sleep(1.0)  # let the workers accept them all
        status, _, body = server.get("/api/search?q=haven", timeout=ANSWER_SECONDS)
        assert status == 200 and json.loads(body)["total"] > 0
        with ThreadPoolExecutor(8) as pool:  # and a few more at once
            assert set(pool.map(lambda _: server.get("/?q=minister")[0], range(16))) == {200}
    finally:
        for sock in idle:
            sock.close()


@needs_proc
def test_sigterm_stops_every_process(served):
    server = served("--workers", "2")
    workers = server.workers()
    assert len(workers) == 2
    idle = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(20)]
    try:
        assert server.stop() == 0
    finally:
        for sock in idle:
            sock.close()
    assert wait_until(lambda: not any(alive(pid) for pid in workers), 10), [p for p in workers if alive(p)]
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=5).close()


@needs_proc
def test_sigint_stops_every_process(served):
    server = served("--workers", "2")
    workers = server.workers()
    server.proc.send_signal(signal.SIGINT)
    assert server.proc.wait(timeout=60) == 0
    server.close()
    assert wait_until(lambda: not any(alive(pid) for pid in workers), 10)


@needs_proc
def test_a_dead_worker_is_replaced(served):
    server = served("--workers", "2")
    first, second = sorted(server.workers())
    os.kill(first, signal.SIGKILL)
    assert wait_until(lambda: len(server.workers()) == 2 and first not in server.workers(), 30), server.workers()
    assert second in server.workers()
    for _ in range(6):
        assert server.get("/?q=haven")[0] == 200
    assert any(f"worker {first} exited (signal 9)" in line for line in server.stderr), server.stderr


@needs_proc
def test_workers_die_with_a_killed_parent(served):
    server = served("--workers", "2")
    workers = server.workers()
    server.proc.kill()
    server.proc.wait(timeout=30)
    assert wait_until(lambda: not any(alive(pid) for pid in workers), 15), [p for p in workers if alive(p)]


def test_a_port_in_use_is_one_clear_line(sample_index):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "archive", "--index", str(sample_index), "serve", "--port", str(port)],
            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr


def test_a_missing_index_is_refused_before_listening(tmp_path):
    result = subprocess.run([sys.executable, "-m", "archive", "--index", str(tmp_path / "none"), "serve", "--port", "0"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Serving" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.postgres
def test_postgres_workers_each_have_their_own_connections(served, pg_servers, tmp_path):
    """Concurrent requests over two workers on PostgreSQL: a pool shared across the fork would mix up replies."""
    reason = pg.missing()
    if reason:
        pytest.skip(reason)
    url = pg.fresh(pg_servers.single)
    report = ingest([str(SAMPLE)], url, workers=1)
    assert not report.failures
    server = served("--workers", "2", index=url)
    queries = ["haven", "minister", "Kerry", "regering"] * 10
    expected = {q: json.loads(server.get(f"/api/search?q={q}")[2])["total"] for q in set(queries)}
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda q: (q, server.get(f"/api/search?q={q}")), queries))
    for q, (status, _, body) in answers:
        assert status == 200 and json.loads(body)["total"] == expected[q]
