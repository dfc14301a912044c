"""Writing a batch into a PostgreSQL archive: clusters, rows and facet names in one transaction.

A batch is one transaction: reprint clusters are assigned against the signatures already stored (the band keys
live in `reprint_bands`, so concurrent ingests on any machine agree), the articles are sent with COPY into a
staging table and moved into `articles` (replacing rows with the same id: the same input twice changes
nothing), and the counts behind facet display names are updated. `kill -9` loses at most the batch in flight.
Concurrent writers take turns per batch on one advisory lock, held only while a batch is written; reading and
enrichment, the slow part, run in parallel.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
import psycopg

from ...cluster import ReprintTable, Signature, assign_clusters, band_keys
from ...model import Article
from ..base import Prepared
from .rows import facet_forms, finish_line, prepare
from .schema import COLUMN_NAMES

WRITE_LOCK = 7202017
STAGING = """CREATE TEMP TABLE IF NOT EXISTS archive_staging (
    id text COLLATE "C", record text, language text, source_key text, date_key bigint, cluster text COLLATE "C",
    grp text COLLATE "C", per text[], org text[], loc text[], misc text[], entities text[], terms tsvector) ON COMMIT DELETE ROWS"""


def write_batch(conn: psycopg.Connection, batch: Prepared) -> int:
    """Upsert one batch by id in one transaction; return how many of its articles replaced one with the same id
    (a stored row, or an earlier copy in the batch)."""
    latest = {a.id: (a, terms) for a, terms in batch}  # the last version of an id in the batch wins
    articles = [a for a, _ in latest.values()]
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        _cluster(conn, articles)
        ids = list(latest)
        old = [Article.from_dict(_json(r[0])) for r in  # their names, to take off the facet-name counts
               conn.execute("DELETE FROM articles WHERE id = ANY(%s) RETURNING record", (ids,)).fetchall()]
        conn.execute(STAGING)
        with conn.cursor().copy(f"COPY archive_staging ({', '.join(COLUMN_NAMES)}) FROM STDIN") as copy:
            for article, line in latest.values():
                copy.write(finish_line(line or prepare(article), article.cluster, article.cluster or article.id))
        conn.execute(f"INSERT INTO articles ({', '.join(COLUMN_NAMES)}) "
                     f"SELECT {', '.join(COLUMN_NAMES)} FROM archive_staging")
        _count_forms(conn, articles, old)
        conn.execute("SELECT nextval('archive_version')")
    return len(batch) - len(latest) + len(old)


def _json(text: str) -> dict:
    import json

    return json.loads(text)


def _count_forms(conn: psycopg.Connection, new: list[Article], old: list[Article]) -> None:
    """Add the new versions' facet forms to the display-name counts and take the replaced ones' off."""
    delta: Counter[tuple[str, str, str]] = Counter()
    for article in new:
        delta.update(facet_forms(article))
    for article in old:
        delta.subtract(facet_forms(article))
    rows = [(f, k, form, n) for (f, k, form), n in delta.items() if n]
    if not rows:
        return
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS archive_forms (facet text, key text, form text, articles bigint) "
                 "ON COMMIT DELETE ROWS")
    with conn.cursor().copy("COPY archive_forms FROM STDIN") as copy:
        for r in rows:
            copy.write_row(r)
    conn.execute("INSERT INTO facet_forms AS f SELECT * FROM archive_forms ORDER BY 1, 2, 3 "
                 "ON CONFLICT (facet, key, form) DO UPDATE SET articles = f.articles + excluded.articles")
    if any(n < 0 for *_, n in rows):
        conn.execute("DELETE FROM facet_forms WHERE articles <= 0")


def _cluster(conn: psycopg.Connection, articles: list[Article]) -> None:
    """Give each article the cluster of its most similar earlier article (as the Whoosh engine does)."""
    signed = [(a, Signature.from_bytes(a.fingerprint)) for a in articles if a.fingerprint]
    keys = sorted({int(k) for _, sig in signed for k in _signed(band_keys(sig))})
    table = ReprintTable()
    if keys:
        rows = conn.execute(
            "SELECT r.id, r.cluster, r.sig FROM reprints r WHERE r.id IN (SELECT b.id FROM "
            "unnest(%s::bigint[]) AS k(key) JOIN reprint_bands b ON b.key = k.key) ORDER BY r.seq", (keys,)).fetchall()
        for doc_id, cluster, sig in rows:
            table.add(doc_id, cluster, Signature.from_bytes(bytes(sig)), merge=False)
    assign_clusters(table, articles)
    if not signed:
        return
    ids = [a.id for a, _ in signed]
    conn.execute("DELETE FROM reprint_bands WHERE id = ANY(%s)", (ids,))  # an article updated in place
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS archive_reprints (id text COLLATE \"C\", cluster text "
                 "COLLATE \"C\", sig bytea) ON COMMIT DELETE ROWS")
    with conn.cursor().copy("COPY archive_reprints FROM STDIN") as copy:
        for article, _ in signed:
            copy.write_row((article.id, article.cluster, article.fingerprint))
    conn.execute("INSERT INTO reprints (id, cluster, sig) SELECT id, cluster, sig FROM archive_reprints ORDER BY id "
                 "ON CONFLICT (id) DO UPDATE SET cluster = excluded.cluster, sig = excluded.sig")
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS archive_bands (key bigint, cluster text COLLATE \"C\", "
                 "id text COLLATE \"C\") ON COMMIT DELETE ROWS")
    with conn.cursor().copy("COPY archive_bands (key, cluster, id) FROM STDIN") as copy:
        for article, sig in signed:
            for key in _signed(band_keys(sig)):
                copy.write_row((int(key), article.cluster, article.id))
    conn.execute("INSERT INTO reprint_bands (key, cluster, id) SELECT DISTINCT ON (key, cluster) key, cluster, id "
                 "FROM archive_bands ORDER BY key, cluster, id ON CONFLICT (key, cluster) DO NOTHING")


def _signed(keys: np.ndarray) -> np.ndarray:
    """Reinterpret unsigned 64-bit band keys as signed (PostgreSQL's bigint)."""
    return keys.astype(np.uint64).view(np.int64)
