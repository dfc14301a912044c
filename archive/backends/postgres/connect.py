"""Connections to a PostgreSQL archive, kept open between requests, and its errors told as one line with a fix.

A wrong URL, a server that is down or refuses the password, a shard that is down and a statement that ran past
its time limit each become an `Unavailable` (or `IndexMissing`) naming the server and what to do; the CLI
prints that line and exits 1, the web app answers 503 with it. Passwords never appear in messages.
"""
from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg

from ..base import BackendError, QueryTimeout, Unavailable

DEFAULT_TIMEOUT_MS = 60_000


def safe_url(url: str) -> str:
    """Return the URL without its password."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "the given PostgreSQL URL"
    if parts.password:
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        user = f"{parts.username}:***@" if parts.username else ""
        return urlunsplit(parts._replace(netloc=f"{user}{host}{port}"))
    return url


def explain_error(exc: BaseException, url: str) -> BackendError:
    """Turn a psycopg error into one line naming the server and the next step."""
    where = safe_url(url)
    text = " ".join(str(exc).split())
    shard = re.search(r'server "(archive_shard_\d+)"', text)
    if isinstance(exc, psycopg.errors.QueryCanceled):
        return QueryTimeout(f"the search ran past the time limit on {where}: narrow it (fewer wildcards, a date "
                           "range, a filter) or raise ARCHIVE_PG_TIMEOUT (milliseconds)")
    if shard:
        return Unavailable(f"shard {shard.group(1)} of {where} cannot be reached ({_reason(text)}): start it "
                           "(archive cluster up DIR) or fix its address; nothing was counted without it")
    if "password authentication failed" in text or "no password supplied" in text:
        return Unavailable(f"{where} refused the user name or password: check them in the URL")
    if "does not exist" in text and "database" in text:
        return Unavailable(f"{where}: the database does not exist: create it (createdb) or fix the URL")
    if isinstance(exc, psycopg.OperationalError):
        return Unavailable(f"cannot connect to {where} ({_reason(text)}): check that the server is running "
                           "(archive cluster up DIR starts a local one) and the host and port in the URL")
    if isinstance(exc, psycopg.ProgrammingError) and "invalid" in text.lower() and "dsn" in text.lower():
        return BackendError(f"{where} is not a valid PostgreSQL URL: write postgresql://user@host:port/database")
    return Unavailable(f"{where} answered with an error ({_reason(text)})")


def _reason(text: str) -> str:
    line = text.split("DETAIL:")[0].strip()
    return line[:200]


class ConnectionPool:
    """Open connections to one database, lent out one at a time (psycopg connections are not shared)."""

    def __init__(self, url: str, size: int = 8, timeout_ms: int = DEFAULT_TIMEOUT_MS, read_only: bool = False):
        self.url = url
        self.read_only = read_only
        self.size = size
        self.timeout_ms = timeout_ms
        self._idle: list[psycopg.Connection] = []
        self._lock = threading.Lock()

    def connect(self) -> psycopg.Connection:
        """Open a new connection (autocommit: each statement stands alone unless a transaction is opened)."""
        try:
            options = f"-c statement_timeout={int(self.timeout_ms)}"
            if self.read_only:  # the web app: PostgreSQL itself refuses any write
                options += " -c default_transaction_read_only=on"
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10, options=options)
        except psycopg.Error as exc:
            raise explain_error(exc, self.url) from None
        except ValueError:  # a malformed URL
            raise BackendError(f"{safe_url(self.url)} is not a valid PostgreSQL URL: write "
                               "postgresql://user@host:port/database") from None
        return conn

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """Lend a connection for one piece of work; errors come out as clean `BackendError`s."""
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None or conn.closed:
            conn = self.connect()
        healthy = True
        try:
            yield conn
        except psycopg.Error as exc:
            healthy = False
            raise explain_error(exc, self.url) from None
        except BaseException:
            healthy = False
            raise
        finally:
            if healthy and not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
                with self._lock:
                    if len(self._idle) < self.size:
                        self._idle.append(conn)
                        conn = None  # type: ignore[assignment]
            if conn is not None:
                conn.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
