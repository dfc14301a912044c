"""PostgreSQL's answer to a `SearchRequest`: SQL that each shard runs on its own, combined on the coordinator.

Every statement is a UNION ALL of one branch per shard (one branch on a single server), each branch a whole
aggregate over that shard's matches, so postgres_fdw sends it to the shard and the shards work at the same time
(async foreign scans): counts, and for the page one row per result group (a reprint cluster, or an article)
with its sort key. The coordinator only merges those. Facets, the timeline and the counts of a faceted search
come from one scan of each shard's matches (`facet_counts`), sent to the shards through dblink.
Relevance, where the archive has the RUM index, is RUM's distance `terms <=> query` (cover density: how often
and how close together the query's words occur, title words weighted up), read from the index for the best
matches only (`ranked_groups`); elsewhere `ts_rank` over every match. Neither is Whoosh's BM25F: the same
articles match, but their order differs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from ...model import UNDATED_OLD
from ..base import Unavailable
from ...query import ParsedQuery
from ...request import SearchRequest
from ... import querytree as T
from .schema import Layout
from .sql import Compiler, rank_query

RANKED_FIRST = 200  # matches read per shard from the RUM index at least; more where ties demand it
RANKED_PER_RESULT = 16  # matches read per shard for each result row the page needs (reprints share a rank)
RANKED_MAX = 13_000  # beyond this, rank every match instead
GROUP_COLLAPSED = "grp"  # the cluster, or the article's own id
WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'"  # D (body) to A (title)


@dataclass
class Where:
    """The condition of a request, with its parameters and the ranking query."""

    sql: str
    params: list[Any]
    rank: str | None  # tsquery text for ts_rank_cd, None where nothing is scored


def where(parsed: ParsedQuery, req: SearchRequest) -> Where:
    """Compile the text and the filters of a request into one condition."""
    text, filters = parsed.tree()
    compiler = Compiler()
    parts = [compiler.condition(text)] + [compiler.condition(f) for f in filters]
    scored = req.sort == "relevance" and not isinstance(text, T.Every)
    return Where(" AND ".join(parts), compiler.params, rank_query(text) if scored else None)


def union(relations: tuple[str, ...], branch: str, params: list[Any]) -> tuple[str, list[Any]]:
    """Return one branch per relation joined by UNION ALL, and the parameters repeated for each."""
    sql = " UNION ALL ".join("(" + branch.replace("{rel}", rel) + ")" for rel in relations)
    return sql, params * len(relations)


def total(conn: psycopg.Connection, layout: Layout, w: Where) -> int:
    sql, params = union(layout.articles, f"SELECT count(*) AS n FROM {{rel}} WHERE {w.sql}", w.params)
    row = conn.execute(f"SELECT coalesce(sum(n), 0)::bigint FROM ({sql}) u", params).fetchone()
    return int(row[0]) if row else 0


FACET_BRANCH = (
    "WITH m AS MATERIALIZED (SELECT source_key, language, date_key / 10000 AS day, grp, per, org, loc, misc "
    "FROM {rel} WHERE {where}) "
    "SELECT 'a'::text AS kind, source_key AS x, language AS y, day, count(*) AS n FROM m GROUP BY 2, 3, 4 "
    "UNION ALL SELECT 'e', k.facet, k.key, 0::bigint, count(*) FROM m CROSS JOIN LATERAL ("
    "SELECT 'PER'::text AS facet, x AS key FROM unnest(m.per) x UNION ALL SELECT 'ORG', x FROM unnest(m.org) x "
    "UNION ALL SELECT 'LOC', x FROM unnest(m.loc) x UNION ALL SELECT 'MISC', x FROM unnest(m.misc) x) k "
    "GROUP BY 2, 3"
)
FACET_GROUPS = " UNION ALL SELECT 'g', grp, NULL, 0::bigint, count(*) FROM m GROUP BY 2"
FACET_COLUMNS = "AS t(kind text, x text, y text, day bigint, n bigint)"


@dataclass
class Counted:
    """What one pass over the matches gives: the exact totals, the facets and the timeline."""

    total: int
    results_total: int  # groups when collapsing, else the total
    combos: list[tuple[str | None, str, int, int]]  # (source key, language, day or -1, articles)
    entities: list[tuple[str, str, int]]  # (label, key, articles)


def facet_counts(conn: psycopg.Connection, layout: Layout, w: Where, collapse: bool = False) -> Counted:
    """Count the matches, their facets and their timeline in one scan per shard, all shards at once.

    Each shard reads its matches once (a materialised CTE) and aggregates them three ways: by source, language
    and day; by entity; and, when collapsing, by reprint group, whose keys the coordinator counts distinct
    (a story's reprints may lie on different shards). On a coordinator the statement goes through dblink,
    as the ranking does: postgres_fdw cannot send a CTE to a shard.
    """
    branch = FACET_BRANCH.replace("{where}", w.sql) + (FACET_GROUPS if collapse else "")
    combine = ("SELECT kind, x, y, day, sum(n)::bigint FROM u WHERE kind <> 'g' GROUP BY 1, 2, 3, 4 "
               "UNION ALL SELECT 'g', NULL, NULL, (SELECT count(*) FROM (SELECT x FROM u WHERE kind = 'g' "
               "GROUP BY x) g), 0::bigint")
    rows = _merged(conn, layout, "facets", branch, w.params, FACET_COLUMNS, combine)
    undated_day = UNDATED_OLD // 10000
    combos = [(x, y, -1 if day == undated_day else int(day), int(n)) for kind, x, y, day, n in rows if kind == "a"]
    entities = [(x, y, int(n)) for kind, x, y, _, n in rows if kind == "e"]
    total = sum(n for *_, n in combos)
    groups = [int(day) for kind, _, _, day, _ in rows if kind == "g"]
    return Counted(total, groups[0] if collapse and groups else total, combos, entities)


def send(conn: psycopg.Connection, names: list[str], branch: str, params: list[Any]) -> None:
    """Start `branch` (with `{rel}` for the shard's table) on every shard connection, without waiting.

    The values become SQL literals made by PostgreSQL's `format('%L')` from bound parameters: no user text is
    pasted into SQL by the archive."""
    template = branch.replace("{rel}", "articles_shard").replace("%", "%%").replace("%%s", "%L")
    args = ", ".join("%s::text[]::text" if isinstance(v, list) else "%s::bigint::text" if isinstance(v, int)
                     else "%s::text" for v in params)
    sends = ", ".join(f"dblink_send_query('{name}', q.sql)" for name in names)
    conn.execute(f"SELECT {sends} FROM (SELECT format(%s, VARIADIC ARRAY[{args}]::text[]) AS sql) q",
                 [template] + params)


def counts(conn: psycopg.Connection, layout: Layout, w: Where, collapse: bool) -> tuple[int, int]:
    """Return the exact number of matches and of result rows (groups when collapsing), ranking nothing.

    Collapsing, each shard counts its matches per reprint group and the coordinator counts the distinct groups
    (a story's reprints may lie on different shards). On shards the statement goes through dblink, all shards
    at once: it ships each shard's group rows in one piece, where postgres_fdw fetches them 1,000 at a time
    (about half the time for a word in 16% of a million articles).
    """
    if not collapse:
        n = total(conn, layout, w)
        return n, n
    branch = f"SELECT grp, count(*) AS n FROM {{rel}} WHERE {w.sql} GROUP BY grp"
    combine = ("SELECT (SELECT coalesce(sum(n), 0) FROM u)::bigint, "
               "(SELECT count(*) FROM (SELECT grp FROM u GROUP BY grp) g)::bigint")
    rows = _merged(conn, layout, "count", branch, w.params, "AS t(grp text, n bigint)", combine)
    return (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)


def _merged(conn: psycopg.Connection, layout: Layout, purpose: str, branch: str, params: list[Any],
            columns: str, combine: str) -> list[tuple[Any, ...]]:
    """Run `branch` on every shard at once (through dblink) or on the one server, and `combine` over the union
    of its rows, named `u`."""
    if not layout.sharded:
        return conn.execute(f"WITH u AS MATERIALIZED ({branch.replace('{rel}', layout.articles[0])}) {combine}",
                            params).fetchall()
    names = shard_connections(conn, layout, purpose)
    send(conn, names, branch, params)
    results = " UNION ALL ".join(f"SELECT * FROM dblink_get_result('{name}') {columns}" for name in names)
    rows = conn.execute(f"WITH u AS MATERIALIZED ({results}) {combine}").fetchall()
    conn.execute(results)  # each connection's closing empty result
    return rows


class Ranked:
    """The page's groups by relevance from the RUM index; the shards start at once, the caller counts meanwhile.

    Each shard gives its `n` best matches in distance order straight from the index. A group's place is that
    of its best member, so the first groups among the merged matches are the page's, provided that no match
    left unread could come before the last of them: every shard that filled its `n` must have read past that
    distance (ties included). Otherwise `n` grows, up to RANKED_MAX; beyond it `groups()` returns None and the
    caller ranks every match.

    On a coordinator the statement goes to every shard through dblink, all at once, rather than through the
    foreign tables: postgres_fdw would send the order and limit only where its row estimates favour it, and it
    computes the distance on the coordinator, fetching every candidate's tsvector. The statement's values are
    turned into SQL literals by PostgreSQL's `format('%L')`, as postgres_fdw does with constants.
    """

    def __init__(self, conn: psycopg.Connection, layout: Layout, w: Where, collapse: bool, offset: int,
                 limit: int):
        self.conn, self.layout, self.w, self.collapse = conn, layout, w, collapse
        self.offset, self.need = offset, offset + limit
        self.n = max(RANKED_FIRST, self.need * RANKED_PER_RESULT)
        self.names = shard_connections(conn, layout, "rank") if layout.sharded else []
        self._send()

    def _statement(self) -> tuple[str, list[Any]]:
        branch = (f"SELECT id, grp, terms <=> %s::tsquery AS d FROM {{rel}} "
                  f"WHERE {self.w.sql} ORDER BY terms <=> %s::tsquery LIMIT %s")
        return branch, [self.w.rank] + self.w.params + [self.w.rank, self.n]

    def _send(self) -> None:
        if not self.layout.sharded:
            return
        send(self.conn, self.names, *self._statement())

    def _receive(self) -> list[tuple[str, str, str, float]]:
        """Return (shard, id, group, distance) of each shard's `n` best matches."""
        if not self.layout.sharded:
            branch, params = self._statement()
            rows = self.conn.execute(branch.replace("{rel}", self.layout.articles[0]), params).fetchall()
            return [("", i, g, d) for i, g, d in rows]
        results = " UNION ALL ".join(f"SELECT '{name}', * FROM dblink_get_result('{name}') {RANK_COLUMNS}"
                                     for name in self.names)
        rows = self.conn.execute(results).fetchall()
        self.conn.execute(results)  # each connection's closing empty result, after which it takes the next one
        return rows

    def groups(self) -> list[Group] | None:
        """Return the page's groups, or None where reading the index cannot give them exactly."""
        while True:
            page = self._page(self._receive())
            if page is not None:
                return _members(self.conn, self.layout, self.w, self.collapse, page)
            self.n *= 4
            if self.n > RANKED_MAX:
                return None
            self._send()

    def _page(self, rows: list[tuple[str, str, str, float]]) -> list[tuple[str, float, str]] | None:
        boundary = float("inf")
        per_shard: dict[str, list[float]] = {}
        for shard, _, _, d in rows:
            per_shard.setdefault(shard, []).append(d)
        for distances in per_shard.values():
            if len(distances) >= self.n:
                boundary = min(boundary, max(distances))
        best: dict[str, tuple[float, str]] = {}
        for _, article_id, grp, d in sorted(rows, key=lambda r: (r[3], r[1])):
            key = grp if self.collapse else article_id
            if key not in best:
                best[key] = (d, article_id)
        ordered = sorted(best.items(), key=lambda item: item[1])
        need = self.need
        if boundary == float("inf") or (len(ordered) >= need and ordered[need - 1][1][0] < boundary):
            return [(g, d, i) for g, (d, i) in ordered[self.offset:need]]
        return None


def ranked_groups(conn: psycopg.Connection, layout: Layout, w: Where, collapse: bool, offset: int,
                  limit: int) -> list[Group] | None:
    """Return the page's groups by relevance from the RUM index, or None where that cannot be exact."""
    return Ranked(conn, layout, w, collapse, offset, limit).groups()


RANK_COLUMNS = "AS t(id text, grp text, d real)"


def shard_connections(conn: psycopg.Connection, layout: Layout, purpose: str) -> list[str]:
    """Return the names of this session's dblink connections to the shards for one purpose (each carries one
    statement at a time), opening those missing."""
    row = conn.execute("SELECT dblink_get_connections()").fetchone()
    have = set(row[0] or []) if row else set()
    timeout = conn.execute("SELECT current_setting('statement_timeout')").fetchone()
    names = []
    for server in layout.shards:
        name = f"archive_{purpose}_" + server[len("archive_shard_"):]
        if name not in have:
            try:
                conn.execute("SELECT dblink_connect(%s, %s)", (name, server))
                conn.execute("SELECT dblink_exec(%s, %s)",
                             (name, f"SET statement_timeout = '{timeout[0] if timeout else '60s'}'"))
            except psycopg.Error as exc:
                raise Unavailable(f"shard {server} cannot be reached ({' '.join(str(exc).split())[:200]}): "
                                  "start it (archive cluster up DIR) or fix its address") from None
        names.append(name)
    return names


def _members(conn: psycopg.Connection, layout: Layout, w: Where, collapse: bool,
             page: list[tuple[str, float, str]]) -> list[Group]:
    """Give each of the page's groups its earliest matching member and how many members match."""
    if not collapse or not page:
        return [Group(g, d, i, 1) for g, d, i in page]
    branch = (f"SELECT grp, count(*) AS n, min(date_key) AS first_key, "
              f"(array_agg(id ORDER BY date_key, id))[1] AS first_id FROM {{rel}} "
              f"WHERE grp = ANY(%s) AND {w.sql} GROUP BY grp")
    sql, params = union(layout.articles, branch, [[g for g, _, _ in page]] + w.params)
    rows = conn.execute(f"SELECT grp, sum(n)::bigint, (array_agg(first_id ORDER BY first_key, first_id))[1] "
                        f"FROM ({sql}) u GROUP BY grp", params).fetchall()
    found = {grp: (int(size), first) for grp, size, first in rows}
    return [Group(g, d, found.get(g, (1, i))[1], found.get(g, (1, i))[0]) for g, d, i in page]


def _order(req: SearchRequest, w: Where, rum: bool = False) -> tuple[str, str, str, list[Any]]:
    """Return the per-article sort key, how to combine it per group, the direction, and its parameters."""
    if w.rank is not None and rum:
        return "(terms <=> %s::tsquery)", "min", "ASC", [w.rank]
    if w.rank is not None:
        return f"ts_rank({WEIGHTS}, terms, %s::tsquery)", "max", "DESC", [w.rank]
    if req.sort == "oldest":
        return "date_key", "min", "ASC", []
    # newest, or relevance with no words to score (a filter alone, or every article): newest first
    return f"(CASE WHEN date_key = {UNDATED_OLD} THEN 0 ELSE date_key END)", "max", "DESC", []


@dataclass
class Group:
    """One result row of a page: its group, sort key, earliest matching member and how many members match."""

    grp: str
    best: float
    first_id: str
    size: int


def page_groups(conn: psycopg.Connection, layout: Layout, w: Where, req: SearchRequest, collapse: bool,
                offset: int, limit: int) -> tuple[int, int, list[Group]]:
    """Return (matches, result rows, the page's groups) in one statement, each shard grouping its own matches.

    A group is a reprint cluster when collapsing (else each article); its place is that of its best member
    (highest score, newest or oldest date; ties by the member's id); it shows its earliest matching member, or
    where sorted by date the member that placed it (so that the dates shown are in order).
    """
    key, agg, direction, key_params = _order(req, w, layout.rum)
    group = GROUP_COLLAPSED if collapse else "id"
    branch = (f"SELECT {group} AS grp, count(*) AS n, {agg}(k) AS best, "
              f"(array_agg(id ORDER BY k {direction}, id))[1] AS best_id, min(date_key) AS first_key, "
              f"(array_agg(id ORDER BY date_key, id))[1] AS first_id "
              f"FROM (SELECT id, grp, date_key, {key} AS k FROM {{rel}} WHERE {w.sql}) m GROUP BY 1")
    sql, params = union(layout.articles, branch, key_params + w.params)
    rows = conn.execute(
        f"""WITH u AS MATERIALIZED ({sql}),
            g AS MATERIALIZED (
                SELECT grp, {agg}(best) AS best,
                       (array_agg(best_id ORDER BY best {direction}, best_id))[1] AS best_id,
                       (array_agg(first_id ORDER BY first_key, first_id))[1] AS first_id, sum(n)::bigint AS size
                FROM u GROUP BY grp),
            p AS (SELECT * FROM g ORDER BY best {direction}, best_id LIMIT %s OFFSET %s)
        SELECT (SELECT coalesce(sum(n), 0) FROM u)::bigint, (SELECT count(*) FROM g)::bigint,
               p.grp, p.best, {'p.best_id' if req.sort != 'relevance' or req.q.strip() in ('', '*') else 'p.first_id'}, p.size
        FROM (SELECT 1) one LEFT JOIN p ON TRUE
        ORDER BY p.best {direction}, p.best_id""",
        params + [limit, offset]).fetchall()
    matched, groups = (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)
    return matched, groups, [Group(grp, float(best), first, int(size))
                             for _, _, grp, best, first, size in rows if grp is not None]


def ordered_ids(conn: psycopg.Connection, layout: Layout, w: Where, req: SearchRequest):  # type: ignore[no-untyped-def]
    """Yield the id of every match in the request's order (every version), from a server-side cursor."""
    key, _, direction, key_params = _order(req, w, layout.rum)
    branch = f"SELECT id, {key} AS k FROM {{rel}} WHERE {w.sql}"
    sql, params = union(layout.articles, branch, key_params + w.params)
    with conn.transaction():
        with conn.cursor(name="archive_export") as cur:
            cur.itersize = 2000
            cur.execute(f"SELECT id FROM ({sql}) u ORDER BY k {direction}, id", params)
            for (article_id,) in cur:
                yield article_id
