"""PostgreSQL's answer to a `SearchRequest`: SQL that each shard runs on its own, combined on the coordinator.

Every statement is a UNION ALL of one branch per shard (one branch on a single server), each branch a whole
aggregate over that shard's matches, so postgres_fdw sends it to the shard and the shards work at the same time
(async foreign scans): counts, facets (over the `article_keys` view), the timeline by day, and for the page one
row per result group (a reprint cluster, or an article) with its sort key. The coordinator only merges those.
Relevance is `ts_rank_cd` (cover density over the query's words, title words weighted up), not Whoosh's BM25F:
the same articles match, but their order by relevance differs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from ...model import UNDATED_OLD
from ...query import ParsedQuery
from ...request import SearchRequest
from ... import querytree as T
from .schema import Layout
from .sql import Compiler, rank_query

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


def counts(conn: psycopg.Connection, layout: Layout, w: Where) -> list[tuple[str | None, str, int, int]]:
    """Return (source key, language, day or -1, articles) over the matches: totals, two facets and the timeline."""
    branch = (f"SELECT source_key, language, date_key / 10000 AS day, count(*) AS n FROM {{rel}} "
              f"WHERE {w.sql} GROUP BY 1, 2, 3")
    sql, params = union(layout.articles, branch, w.params)
    rows = conn.execute(f"SELECT source_key, language, day, sum(n)::bigint FROM ({sql}) u GROUP BY 1, 2, 3",
                        params).fetchall()
    undated_day = UNDATED_OLD // 10000
    return [(s, lang, -1 if day == undated_day else int(day), int(n)) for s, lang, day, n in rows]


def total(conn: psycopg.Connection, layout: Layout, w: Where) -> int:
    sql, params = union(layout.articles, f"SELECT count(*) AS n FROM {{rel}} WHERE {w.sql}", w.params)
    row = conn.execute(f"SELECT coalesce(sum(n), 0)::bigint FROM ({sql}) u", params).fetchone()
    return int(row[0]) if row else 0


def entity_counts(conn: psycopg.Connection, layout: Layout, w: Where) -> list[tuple[str, str, int]]:
    """Return (label, key, articles) for every entity among the matches."""
    branch = (f"SELECT facet, key, count(*) AS n FROM {{rel}} WHERE facet IN ('PER', 'ORG', 'LOC', 'MISC') "
              f"AND {w.sql} GROUP BY 1, 2")
    sql, params = union(layout.keys, branch, w.params)
    rows = conn.execute(f"SELECT facet, key, sum(n)::bigint FROM ({sql}) u GROUP BY 1, 2", params).fetchall()
    return [(f, k, int(n)) for f, k, n in rows]


def _order(req: SearchRequest, w: Where) -> tuple[str, str, str, list[Any]]:
    """Return the per-article sort key, how to combine it per group, the direction, and its parameters."""
    if w.rank is not None:
        return f"ts_rank_cd({WEIGHTS}, terms, %s::tsquery)", "max", "DESC", [w.rank]
    if req.sort == "newest":
        return f"(CASE WHEN date_key = {UNDATED_OLD} THEN 0 ELSE date_key END)", "max", "DESC", []
    if req.sort == "oldest":
        return "date_key", "min", "ASC", []
    return "0", "max", "DESC", []


def page_groups(conn: psycopg.Connection, layout: Layout, w: Where, req: SearchRequest, collapse: bool,
                offset: int, limit: int) -> tuple[int, int, list[tuple[str, float]]]:
    """Return (matches, result rows, [(group, sort key)] of the page): one row per group in the request's order.

    A group is a reprint cluster when collapsing (else each article); its place is that of its best member
    (highest score, newest or oldest date; ties by the member's id).
    """
    key, agg, direction, key_params = _order(req, w)
    group = GROUP_COLLAPSED if collapse else "id"
    branch = (f"SELECT {group} AS grp, count(*) AS n, {agg}(k) AS best, "
              f"(array_agg(id ORDER BY k {direction}, id))[1] AS best_id "
              f"FROM (SELECT id, grp, {key} AS k FROM {{rel}} WHERE {w.sql}) m GROUP BY 1")
    sql, params = union(layout.articles, branch, key_params + w.params)
    rows = conn.execute(
        f"""WITH u AS ({sql}),
            g AS (SELECT DISTINCT ON (grp) grp, best, best_id FROM u ORDER BY grp, best {direction}, best_id)
        SELECT (SELECT coalesce(sum(n), 0) FROM u)::bigint, (SELECT count(*) FROM g)::bigint, grp, best
        FROM (SELECT 1) one LEFT JOIN LATERAL (
            SELECT grp, best, best_id FROM g ORDER BY best {direction}, best_id LIMIT %s OFFSET %s) p ON TRUE""",
        params + [limit, offset]).fetchall()
    matched, groups = (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)
    return matched, groups, [(grp, float(best)) for _, _, grp, best in rows if grp is not None]


def group_members(conn: psycopg.Connection, layout: Layout, w: Where, groups: list[str],
                  collapse: bool) -> dict[str, tuple[str, int]]:
    """Return, for each group of the page, its earliest matching member (date, then id) and how many match."""
    group = GROUP_COLLAPSED if collapse else "id"
    branch = (f"SELECT {group} AS grp, count(*) AS n, (array_agg(id ORDER BY date_key, id))[1] AS first_id, "
              f"min(date_key) AS first_key FROM {{rel}} WHERE {w.sql} AND {group} = ANY(%s) GROUP BY 1")
    sql, params = union(layout.articles, branch, w.params + [groups])
    rows = conn.execute(
        f"""SELECT grp, sum(n)::bigint, (array_agg(first_id ORDER BY first_key, first_id))[1]
            FROM ({sql}) u GROUP BY grp""", params).fetchall()
    return {grp: (first, int(n)) for grp, n, first in rows}


def ordered_ids(conn: psycopg.Connection, layout: Layout, w: Where, req: SearchRequest):  # type: ignore[no-untyped-def]
    """Yield the id of every match in the request's order (every version), from a server-side cursor."""
    key, _, direction, key_params = _order(req, w)
    branch = f"SELECT id, {key} AS k FROM {{rel}} WHERE {w.sql}"
    sql, params = union(layout.articles, branch, key_params + w.params)
    with conn.transaction():
        with conn.cursor(name="archive_export") as cur:
            cur.itersize = 2000
            cur.execute(f"SELECT id FROM ({sql}) u ORDER BY k {direction}, id", params)
            for (article_id,) in cur:
                yield article_id
