"""Search engines behind one protocol (`base.Backend`): Whoosh on disk by default, PostgreSQL by URL.

`open_backend("index")` opens a Whoosh folder; `open_backend("postgresql://user@host:5432/db")` a PostgreSQL
archive (one server, or a coordinator with shards). Engines are imported only when chosen.
"""
from __future__ import annotations

from .base import Backend, BackendError, IndexBusy, IndexMissing, QueryTimeout, Stats, Unavailable

__all__ = ["Backend", "BackendError", "IndexBusy", "IndexMissing", "QueryTimeout", "Stats", "Unavailable",
           "open_backend",
           "is_url"]

URL_PREFIXES = ("postgresql://", "postgres://")


def is_url(location: str) -> bool:
    """Say whether a location names a PostgreSQL archive rather than a folder."""
    return str(location).lower().startswith(URL_PREFIXES)


def open_backend(location: str, create: bool = False, **options) -> Backend:
    """Open the archive at a folder or URL; `create` makes it where it does not exist (ingest)."""
    if is_url(location):
        from .postgres import PostgresBackend

        return PostgresBackend(str(location), create=create, **options)
    from .whoosh import WhooshBackend

    return WhooshBackend(str(location), create=create, **options)
