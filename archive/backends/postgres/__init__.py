"""The PostgreSQL engine: one server, or a coordinator whose `articles` are hash-partitioned over shard servers.

Chosen by a URL wherever a folder is accepted (`--index postgresql://user@host:port/db`). The first ingest
creates the schema (`schema.py`), versioned; ingest workers compute each article's tsvector (`rows.py`), the
writer upserts batches (`write.py`), searches are SQL that the shards run in parallel (`search.py`, `sql.py`).
"""
from __future__ import annotations

import dataclasses
import json
import os
import weakref
from typing import Iterator

import numpy as np

from ...analysis import fold, stopwords, text_field
from ...enrich import enrich as enrich_article
from ...cluster import signature
from ...model import LABELS, UNDATED_OLD, Article
from ...query import build_query, explain, query_schema
from ...request import SearchRequest
from ...search import FACET_LIMIT, Facets, Hit, SearchPage, top_values
from ...snippets import QueryTerms, make_snippet
from ...timeline import build_timeline
from .. import IndexMissing
from ..base import BackendError, Prepare, Prepared, Stats
from . import schema, search as sql_search
from .connect import ConnectionPool, safe_url
from .rows import prepare
from .write import write_batch

MORE_LIKE_TERMS = 12
# An ingest that writes at least 1/8 of what the archive held drops the RUM index and builds it at the end:
# keeping it up to date costs several times what building it once does (bench/pg_load.py). 0: never defer.
DEFER_RUM_RATIO = 8


class PostgresBackend:
    """An archive in a PostgreSQL database (sharded where the coordinator has shard servers)."""

    engine = "postgresql"

    def __init__(self, location: str, create: bool = False, connections: int = 8, read_only: bool = False,
                 query_seconds: float | None = None):
        """`read_only` (the web app): PostgreSQL refuses writes, and each statement gets the time budget of a
        search (`query_seconds`, else ARCHIVE_QUERY_SECONDS, else 5 s; 0: ARCHIVE_PG_TIMEOUT alone)."""
        self.url = location
        self.location = safe_url(location)
        timeout = _setting("ARCHIVE_PG_TIMEOUT", None, 60_000)
        if read_only and not create:
            seconds = _setting("ARCHIVE_QUERY_SECONDS", query_seconds, 5.0)
            if seconds > 0:
                budget = max(1, int(seconds * 1000))
                timeout = budget if timeout == 0 else min(timeout, budget)
        self.pool = ConnectionPool(location, connections, int(timeout), read_only=read_only and not create)
        self._written = 0
        self._before: int | None = None  # articles in the archive when this ingest first wrote
        weakref.finalize(self, self.pool.close)
        with self.pool.connection() as conn:
            version = schema.installed_version(conn)
            if version is None and create:
                self.layout = schema.create(conn)
            elif version is None:
                raise IndexMissing(f"no archive in {self.location}: run `archive --index URL ingest PATH` first")
            elif version != schema.SCHEMA_VERSION:
                raise BackendError(
                    f"the archive in {self.location} has schema version {version}, this program reads version "
                    f"{schema.SCHEMA_VERSION}: run `archive --index URL migrate`" if version < schema.SCHEMA_VERSION
                    else f"the archive in {self.location} was made by a newer version of this program (schema "
                    f"{version}): upgrade it (pip install -U news-archive)")
            else:
                self.layout = schema.read_layout(conn)

    @property
    def prepare(self) -> Prepare:
        return prepare

    # writing

    def write(self, batch: Prepared, wait_seconds: float = 0.0) -> int:
        with self.pool.connection() as conn:
            if self._before is None:
                self._before = sql_search.total(conn, self.layout, sql_search.Where("TRUE", [], None))
            bulk = DEFER_RUM_RATIO and (self._written + len(batch)) * DEFER_RUM_RATIO >= self._before
            if self.layout.rum and bulk:
                schema.defer_rum(conn, list(self.layout.shards))  # a bulk load: build the index once, at the end
                self.layout = dataclasses.replace(self.layout, rum=False)
            replaced = write_batch(conn, batch)
        self._written += len(batch)
        return replaced

    def finish(self) -> None:
        """After an ingest: build the RUM index if it was deferred; refresh the planner's statistics where a
        tenth or more of the archive is new."""
        with self.pool.connection() as conn:
            if schema.rum_deferred(conn):  # this ingest's, or one killed before it could build it
                schema.build_rum(conn, list(self.layout.shards))
                self.layout = dataclasses.replace(self.layout, rum=True)
            if self._written and self._written * 10 >= sql_search.total(
                    conn, self.layout, sql_search.Where("TRUE", [], None)):
                schema.analyze(conn)
        self._written = 0
        self._before = None

    def reindex(self, enrich: bool = False) -> int:
        """Recompute every row from the stored records (after an analyzer change, or with `enrich` a model one)."""
        count = 0
        batch: Prepared = []
        for article in list(self.articles()):
            if enrich:
                enrich_article(article)
            else:
                sig = signature(article.body)
                article.fingerprint = sig.to_bytes() if sig is not None else None
            batch.append((article, prepare(article)))
            if len(batch) >= 2000:
                self.write(batch)
                count += len(batch)
                batch = []
        if batch:
            self.write(batch)
            count += len(batch)
        self.finish()
        return count

    # reading

    def version(self) -> int:
        with self.pool.connection() as conn:
            row = conn.execute("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM archive_version").fetchone()
        return int(row[0]) if row else 0

    def count(self) -> int:
        with self.pool.connection() as conn:
            return sql_search.total(conn, self.layout, sql_search.Where("TRUE", [], None))

    def get(self, article_id: str) -> Article | None:
        found = self._records([article_id])
        return found.get(article_id)

    def _records(self, ids: list[str], conn=None) -> dict[str, Article]:  # type: ignore[no-untyped-def]
        if not ids:
            return {}
        if conn is None:
            with self.pool.connection() as own:
                return self._records(ids, own)
        rows = conn.execute("SELECT id, record, cluster FROM articles WHERE id = ANY(%s)", (ids,)).fetchall()
        return {i: _article(r, c) for i, r, c in rows}

    def versions(self, article: Article) -> list[Article]:
        if not article.cluster:
            return [article]
        with self.pool.connection() as conn:
            rows = conn.execute("SELECT record, cluster FROM articles WHERE cluster = %s", (article.cluster,)).fetchall()
        found = [_article(r, c) for r, c in rows]
        found.sort(key=lambda a: (a.date is None, a.date or 0, a.id))
        return found or [article]

    def search(self, req: SearchRequest, facet_limit: int = FACET_LIMIT) -> SearchPage:
        parsed = build_query(req, query_schema())
        where = sql_search.where(parsed, req)
        start = (req.page - 1) * req.page_size
        with self.pool.connection() as conn, conn.transaction():  # one snapshot on every shard for all counts
            if not self.layout.sharded:
                conn.execute("SET LOCAL enable_seqscan = off")  # see schema.NO_SEQSCAN
            ranked, groups, counted = None, None, None
            if where.rank is not None and self.layout.rum:  # the shards start on the page; count meanwhile
                ranked = sql_search.Ranked(conn, self.layout, where, req.collapse, start, req.page_size)
            if req.facets:
                counted = sql_search.facet_counts(conn, self.layout, where, req.collapse)
            facets = self._facets(conn, counted, req, facet_limit) if counted is not None else None
            if ranked is not None:
                total, results_total = ((counted.total, counted.results_total) if counted
                                        else sql_search.counts(conn, self.layout, where, req.collapse))
                groups = ranked.groups()
            if groups is None:
                total, results_total, groups = sql_search.page_groups(
                    conn, self.layout, where, req, req.collapse, start, req.page_size)
            version = self._version(conn)
            records = self._records([g.first_id for g in groups], conn)
        qt = QueryTerms.of(parsed.tree()[0])
        hits = []
        for group in groups:
            article = records.get(group.first_id)
            if article is None:
                continue
            hits.append(Hit(article, make_snippet(article.body, article.language, qt),
                            _score(group.best, self.layout.rum) if where.rank else 0.0,
                            group.size - 1 if req.collapse else 0))
        page = SearchPage(req, total, results_total, hits, explain(parsed), version)
        page.facets = facets
        return page

    def _version(self, conn) -> int:  # type: ignore[no-untyped-def]
        row = conn.execute("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM archive_version").fetchone()
        return int(row[0]) if row else 0

    def _facets(self, conn, matches: sql_search.Counted, req: SearchRequest | None,  # type: ignore[no-untyped-def]
                limit: int | None) -> Facets:
        """Every facet and the timeline of the matches counted (names as most often written archive-wide)."""
        combos, entities = matches.combos, matches.entities
        by: dict[str, dict[str, int]] = {"source": {}, "language": {}}
        days: dict[int, int] = {}
        for source, language, day, n in combos:
            if source is not None:
                by["source"][source] = by["source"].get(source, 0) + n
            if language:
                key = fold(language)
                by["language"][key] = by["language"].get(key, 0) + n
            days[day] = days.get(day, 0) + n
        for label in LABELS:
            by[label] = {}
        for label, key, n in entities:
            by[label][key] = n
        kept: dict[str, dict[str, int]] = {}
        for facet in ("source", "language", *LABELS):
            counted = by[facet]
            if limit is not None and len(counted) > limit:
                floor = sorted(counted.values(), reverse=True)[limit - 1]
                counted = {k: n for k, n in counted.items() if n >= floor}
            kept[facet] = counted
        names = self._display_names(conn, kept)
        values = {facet: top_values(((names.get((facet, k), k), n) for k, n in counted.items()), limit)
                  for facet, counted in kept.items()}
        stamps = np.array([day * 10000 if day >= 0 else UNDATED_OLD for day in days], dtype=np.int64)
        weights = np.array(list(days.values()), dtype=np.int64)
        return Facets(values, build_timeline(np.repeat(stamps, weights), req))

    def _display_names(self, conn, kept: dict[str, dict[str, int]]) -> dict[tuple[str, str], str]:  # type: ignore[no-untyped-def]
        """Return each facet value's most frequent written form over the whole archive, in one statement."""
        facets = [f for f, keys in kept.items() for _ in keys]
        keys = [k for keys in kept.values() for k in keys]
        if not keys:
            return {}
        rows = conn.execute(
            "SELECT DISTINCT ON (f.facet, f.key) f.facet, f.key, f.form FROM facet_forms f "
            "JOIN unnest(%s::text[], %s::text[]) AS w(facet, key) ON f.facet = w.facet AND f.key = w.key "
            "ORDER BY f.facet, f.key, f.articles DESC, f.form COLLATE \"C\" DESC", (facets, keys)).fetchall()
        return {(f, k): form for f, k, form in rows}

    def matches(self, req: SearchRequest) -> tuple[int, Iterator[Article]]:
        parsed = build_query(req, query_schema())
        where = sql_search.where(parsed, req)
        with self.pool.connection() as conn:
            total = sql_search.total(conn, self.layout, where)

        def articles() -> Iterator[Article]:
            with self.pool.connection() as conn:
                ids = sql_search.ordered_ids(conn, self.layout, where, req)
                chunk: list[str] = []
                for article_id in ids:
                    chunk.append(article_id)
                    if len(chunk) >= 500:
                        yield from self._in_order(chunk)
                        chunk = []
                yield from self._in_order(chunk)

        return total, articles()

    def _in_order(self, ids: list[str]) -> Iterator[Article]:
        found = self._records(ids)
        return (found[i] for i in ids if i in found)

    def articles(self) -> Iterator[Article]:
        with self.pool.connection() as conn:
            with conn.transaction():
                with conn.cursor(name="archive_records") as cur:
                    cur.itersize = 2000
                    cur.execute("SELECT record, cluster FROM articles ORDER BY id")
                    for record, cluster in cur:
                        yield _article(record, cluster)

    def facet_counts(self, limit: int | None) -> Facets:
        with self.pool.connection() as conn:
            counted = sql_search.facet_counts(conn, self.layout, sql_search.Where("TRUE", [], None))
            return self._facets(conn, counted, None, limit)

    def stats(self) -> Stats:
        facets = self.facet_counts(None)
        with self.pool.connection() as conn:
            sql, params = sql_search.union(
                self.layout.articles,
                f"SELECT min(date_key) AS a, max(date_key) AS b FROM {{rel}} WHERE date_key <> {UNDATED_OLD}", [])
            row = conn.execute(f"SELECT min(a), max(b) FROM ({sql}) u", params).fetchone()
            version = self._version(conn)
        first, last = (row or (None, None))
        day = (lambda k: f"{str(k)[:4]}-{str(k)[4:6]}-{str(k)[6:8]}")
        return Stats(self.location, version, self.count(), day(first) if first else None,
                     day(last) if last else None, facets.undated, len(facets.values["source"]),
                     facets.values["language"], self.engine + (f", {len(self.layout.shards)} shards"
                                                               if self.layout.sharded else ""))

    def more_like(self, article: Article, limit: int = 5) -> tuple[list[str], list[Article]]:
        """Search the article's most frequent content words; leave out the article and its reprints."""
        from ...analysis import analyse_words

        text = "\n\n".join(p for p in (article.title or "", article.body) if p)
        stems = analyse_words(text, article.language)[1]
        stop = stopwords(article.language)
        counted = [(w, n) for w, n in sorted(_counts(stems),
                                             key=lambda x: (-x[1], x[0]))
                   if len(w) > 2 and not w.isdigit() and w not in stop][:MORE_LIKE_TERMS]
        if not counted:
            return [], []
        field = text_field(article.language)
        from .sql import lexeme, quote

        query = " | ".join(quote(lexeme(field, w)) for w, _ in counted)
        own = [article.cluster or article.id, article.id]
        branch = ("SELECT id, ts_rank(terms, %s::tsquery) AS r FROM {rel} WHERE terms @@ %s::tsquery "
                  "AND grp <> %s AND id <> %s ORDER BY r DESC, id LIMIT %s")
        sql, params = sql_search.union(self.layout.articles, branch, [query, query, *own, limit])
        with self.pool.connection() as conn:
            ids = [r[0] for r in conn.execute(f"SELECT id FROM ({sql}) u ORDER BY r DESC, id LIMIT %s",
                                              params + [limit]).fetchall()]
        found = self._records(ids)
        return [w for w, _ in counted], [found[i] for i in ids if i in found]

    def check(self):  # type: ignore[no-untyped-def]
        """Verify every B-tree index with amcheck's `bt_index_check`, on this server and on each shard (dblink)."""
        import psycopg

        from ..base import Checked

        verify = ("SELECT count(bt_index_check(c.oid)::text)::bigint FROM pg_index i "
                  "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
                  "WHERE am.amname = 'btree' AND i.indisvalid AND i.indisready "
                  "AND c.relnamespace = current_schema()::regnamespace")
        problems: list[str] = []
        checked = 0
        with self.pool.connection() as conn:
            for server in (None, *self.layout.shards):
                try:
                    with conn.transaction():
                        if server is None:
                            conn.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
                            row = conn.execute(verify).fetchone()
                        else:
                            conn.execute("SELECT dblink_exec(%s, 'CREATE EXTENSION IF NOT EXISTS amcheck')", (server,))
                            row = conn.execute("SELECT n FROM dblink(%s, %s) AS t(n bigint)",
                                               (server, verify)).fetchone()
                    checked += int(row[0]) if row else 0
                except psycopg.Error as exc:
                    where = f"shard {server} of {self.location}" if server else self.location
                    detail = " ".join(str(exc).split())
                    problems.append(f"{where}: {detail}: rebuild the index it names there (REINDEX INDEX name), "
                                    "or restore the server from a backup")
        servers = len(self.layout.shards) + 1
        return Checked(problems, f"{self.count():,} articles; {checked} B-tree indexes verified with amcheck on "
                                 f"{servers} server{'s' if servers > 1 else ''}")

    def close(self) -> None:
        self.pool.close()


def _setting(name: str, given: float | None, default: float) -> float:
    """Return a time setting: given, else the environment's, else the default; a bad value is one clear error."""
    raw = str(given).strip() if given is not None else os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        value = -1.0
    if value < 0:
        raise BackendError(f"{name}={raw!r} is not a time: give a number (0 for no limit)")
    return value


def _score(best: float, rum: bool) -> float:
    """Return a result's relevance score: `ts_rank`, or the inverse of RUM's distance (higher is better)."""
    if not rum:
        return best
    return 0.0 if best <= 0 or best == float("inf") else 1.0 / best


def _article(record: str, cluster: str | None) -> Article:
    """Rebuild an article from its stored record and its cluster column."""
    article = Article.from_dict(json.loads(record))
    article.cluster = cluster
    return article


def _counts(words: list[str]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    return list(counts.items())


def migrate(url: str) -> str:
    """Bring the archive at `url` to this program's schema version; return what was done."""
    pool = ConnectionPool(url, 1)
    try:
        with pool.connection() as conn:
            version = schema.installed_version(conn)
    finally:
        pool.close()
    if version is None:
        raise IndexMissing(f"no archive in {safe_url(url)}: run `archive --index URL ingest PATH` first")
    if version == schema.SCHEMA_VERSION:
        pool = ConnectionPool(url, 1)
        try:
            with pool.connection() as conn:
                if schema.rum_deferred(conn):  # an ingest killed before it built the RUM index again
                    schema.build_rum(conn, schema.shard_servers(conn))
                    return f"{safe_url(url)}: built the RUM index that a stopped ingest had left to build"
        finally:
            pool.close()
        return f"{safe_url(url)} is at schema version {version}: nothing to do"
    if version > schema.SCHEMA_VERSION:
        raise BackendError(f"{safe_url(url)} has schema version {version}, newer than this program's "
                           f"{schema.SCHEMA_VERSION}: upgrade the program")
    pool = ConnectionPool(url, 1)
    try:
        with pool.connection() as conn:
            done = schema.upgrade(conn, version)
    finally:
        pool.close()
    return f"{safe_url(url)}: schema version {version} -> {schema.SCHEMA_VERSION}: " + "; ".join(done)
