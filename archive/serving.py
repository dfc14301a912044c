"""`archive serve`: the web app under waitress, in several worker processes that share one listening socket.

A pre-fork server. The parent binds the address, then forks the workers and supervises them: each worker builds its
own app, so its own backend (Whoosh searchers, PostgreSQL connections: opened after the fork, never shared), and
serves it with waitress on the inherited socket; the kernel hands each new connection to one of them, so throughput
grows with cores (one process is held to one core by the GIL). The parent restarts a worker that dies, and on
SIGTERM, SIGINT or SIGHUP stops them all (SIGTERM, then SIGKILL after a grace period); the workers die with it
whatever kills it (Linux: the kernel; elsewhere they notice within a second).

Idle and slow connections cannot lock the server out: waitress stops accepting new connections once it holds
`connection_limit` of them (100 by default, which 110 half-open sockets reached), so each worker takes up to
1,000, polls them without select()'s 1,024-descriptor cap, and closes one that has sent and received nothing for
`channel_timeout` seconds (checked every `cleanup_interval`); a request being answered is never cut.
"""
from __future__ import annotations

import os
import signal
import socket
import sys
import time
import traceback
from typing import Any, Callable


# waitress settings per worker process (https://docs.pylonsproject.org/projects/waitress/en/stable/arguments.html)
CONNECTION_LIMIT = 1000  # open connections a worker holds before it stops accepting (waitress: 100)
CHANNEL_TIMEOUT = 30  # seconds a connection may stay silent, no request in progress, before it is closed (waitress: 120)
CLEANUP_INTERVAL = 5  # how often silent connections are looked for, in seconds (waitress: 30)
BACKLOG = 2048  # connections the kernel queues before a worker accepts them (capped by net.core.somaxconn)
STOP_GRACE = 10.0  # seconds the workers get to finish their requests after SIGTERM, before SIGKILL
FAST_FAILURES = 5  # workers dying this many times in a row within FAST_SECONDS of their start: give up
FAST_SECONDS = 5.0
STOP_SIGNALS = {getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name)}


def default_workers() -> int:
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on this platform
        return max(1, os.cpu_count() or 1)


def bind(host: str, port: int) -> list[socket.socket]:
    """Bind and listen on every address HOST resolves to (`localhost`: 127.0.0.1 and ::1); port 0 picks a free one."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    sockets: list[socket.socket] = []
    seen = set()
    try:
        for family, kind, proto, _, address in infos:
            if (family, address[:2]) in seen:
                continue
            seen.add((family, address[:2]))
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            if os.name == "posix":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            if port == 0 and len(sockets) > 1:  # the same free port on every address
                address = (address[0], sockets[0].getsockname()[1], *address[2:])
            sock.bind(address)
            sock.listen(BACKLOG)
            sock.setblocking(False)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def settings(threads: int) -> dict[str, Any]:
    """The waitress adjustments of one worker."""
    return {"threads": threads, "connection_limit": CONNECTION_LIMIT, "channel_timeout": CHANNEL_TIMEOUT,
            "cleanup_interval": CLEANUP_INTERVAL, "backlog": BACKLOG, "asyncore_use_poll": True, "ident": "archive"}


def _raise_open_files(wanted: int) -> None:
    """Lift the soft limit on open files towards `wanted` (a laptop's default may be 256), within the hard limit."""
    try:
        import resource
    except ImportError:  # not on this platform
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            pass


def serve(make_app: Callable[[], Any], sockets: list[socket.socket], workers: int, threads: int = 8) -> int:
    """Serve the app that `make_app` builds on the bound sockets, in `workers` processes; return the exit status."""
    _raise_open_files(CONNECTION_LIMIT + 200)
    if workers <= 1 or not hasattr(os, "fork"):
        return _serve_here(make_app, sockets, threads)
    return Supervisor(make_app, sockets, workers, threads).run()


def _serve_here(make_app: Callable[[], Any], sockets: list[socket.socket], threads: int) -> int:
    """One process: waitress in this one, stopped cleanly by SIGTERM as by Ctrl-C."""
    from waitress import create_server

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        server = create_server(make_app(), sockets=sockets, **settings(threads))
        server.run()  # returns after SystemExit or KeyboardInterrupt, once the requests in progress are answered
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


def _worker(make_app: Callable[[], Any], sockets: list[socket.socket], threads: int, parent: int,
            mask: set[int | signal.Signals]) -> None:
    """A forked worker: serve until told to stop, then leave without running the parent's exit handlers.

    It starts with the stop signals blocked (`mask` is the set to restore), so that none is lost to the parent's
    handlers before its own are in place.
    """
    code = 1
    try:
        from .ingest import _die_with_parent

        signal.signal(signal.SIGTERM, signal.default_int_handler)  # waitress stops cleanly on KeyboardInterrupt
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        _die_with_parent(parent)
        from waitress import create_server

        server = create_server(make_app(), sockets=sockets, **settings(threads))
        server.run()  # waitress catches KeyboardInterrupt (our SIGTERM), waits for running requests, returns
        code = 0
    except KeyboardInterrupt:  # stopped before waitress ran
        code = 0
    except BaseException:  # noqa: BLE001 - report anything, then leave
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


class Supervisor:
    """The parent of a pre-fork server: forks the workers, restarts one that dies, stops them all on a signal."""

    def __init__(self, make_app: Callable[[], Any], sockets: list[socket.socket], workers: int, threads: int):
        self.make_app = make_app
        self.sockets = sockets
        self.workers = workers
        self.threads = threads
        self.children: dict[int, float] = {}  # pid: when it started
        self.stopping = False
        self.fast_failures = 0

    def _stop(self, signum: int, frame: Any) -> None:
        self.stopping = True

    def _fork(self) -> None:
        parent = os.getpid()
        sys.stdout.flush()
        sys.stderr.flush()
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            pid = os.fork()
            if pid == 0:
                _worker(self.make_app, self.sockets, self.threads, parent, mask)  # never returns
            self.children[pid] = time.monotonic()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    def run(self) -> int:
        previous = {signum: signal.signal(signum, self._stop) for signum in STOP_SIGNALS}
        status = 0
        try:
            for _ in range(self.workers):
                self._fork()
            while not self.stopping:
                if not self._reap():
                    time.sleep(0.2)
                    continue
                if self.fast_failures >= FAST_FAILURES:
                    print("archive serve: the worker processes keep dying as they start; stopping",
                          file=sys.stderr)
                    status = 1
                    break
                time.sleep(0.5)  # a Ctrl-C reaches the workers and this process at once: let its handler run
                while not self.stopping and len(self.children) < self.workers:
                    self._fork()
        finally:
            self._stop_children()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        return status

    def _reap(self) -> bool:
        """Collect workers that have exited; return whether any had."""
        reaped = False
        while self.children:
            try:
                pid, wait_status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            started = self.children.pop(pid, None)
            if started is None:
                continue
            reaped = True
            if self.stopping:
                continue
            how = (f"signal {-os.waitstatus_to_exitcode(wait_status)}" if os.WIFSIGNALED(wait_status)
                   else f"status {os.waitstatus_to_exitcode(wait_status)}")
            print(f"archive serve: worker {pid} exited ({how}); starting another", file=sys.stderr)
            if time.monotonic() - started < FAST_SECONDS:
                self.fast_failures += 1
            else:
                self.fast_failures = 0
        return reaped

    def _stop_children(self) -> None:
        """SIGTERM every worker, SIGKILL those still running after the grace period, and wait for all."""
        for pid in self.children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + STOP_GRACE
        while self.children and time.monotonic() < deadline:
            for pid in list(self.children):
                try:
                    done, _ = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    done = pid
                if done:
                    del self.children[pid]
            if self.children:
                time.sleep(0.05)
        for pid in list(self.children):
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            del self.children[pid]
