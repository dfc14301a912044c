"""PostgreSQL's answer to a `SearchRequest`: SQL that each shard runs on its own, combined on the coordinator.

Every statement is a UNION ALL of one branch per shard (one branch on a single server), each branch a whole
aggregate over that shard's matches, so postgres_fdw sends it to the shard and the shards work at the same time
(async foreign scans): counts, facets (over the `article_keys` view), the timeline by day, and for the page one
row per result group (a reprint cluster, or an article) with its sort key. The coordinator only merges those.
Relevance is `ts_rank` (how often the query's words occur, title words weighted up; `ts_rank_cd`, cover density,
cost 2.4 times as much per match), not Whoosh's BM25F: the same articles match, but their order differs.
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


def total(conn: psycopg.Connection, layout: Layout, w: Where) -> int:
    sql, params = union(layout.articles, f"SELECT count(*) AS n FROM {{rel}} WHERE {w.sql}", w.params)
    row = conn.execute(f"SELECT coalesce(sum(n), 0)::bigint FROM ({sql}) u", params).fetchone()
    return int(row[0]) if row else 0


def facet_counts(conn: psycopg.Connection, layout: Layout,
                 w: Where) -> tuple[list[tuple[str | None, str, int, int]], list[tuple[str, str, int]]]:
    """Count the matches in one statement, each shard its own part.

    Returns (source key, language, day or -1, articles), from which come the total, two facets and the timeline,
    and (label, key, articles) for every entity among the matches.
    """
    articles = (f"SELECT 'a'::text AS kind, source_key AS x, language AS y, date_key / 10000 AS day, "
                f"count(*) AS n FROM {{rel}} WHERE {w.sql} GROUP BY 2, 3, 4")
    keys = (f"SELECT 'e'::text AS kind, facet AS x, key AS y, 0::bigint AS day, count(*) AS n FROM {{rel}} "
            f"WHERE facet IN ('PER', 'ORG', 'LOC', 'MISC') AND {w.sql} GROUP BY 2, 3")
    sql_a, params_a = union(layout.articles, articles, w.params)
    sql_e, params_e = union(layout.keys, keys, w.params)
    rows = conn.execute(f"SELECT kind, x, y, day, sum(n)::bigint FROM ({sql_a} UNION ALL {sql_e}) u "
                        "GROUP BY 1, 2, 3, 4", params_a + params_e).fetchall()
    undated_day = UNDATED_OLD // 10000
    combos = [(x, y, -1 if day == undated_day else int(day), int(n)) for kind, x, y, day, n in rows if kind == "a"]
    entities = [(x, y, int(n)) for kind, x, y, _, n in rows if kind == "e"]
    return combos, entities


def _order(req: SearchRequest, w: Where) -> tuple[str, str, str, list[Any]]:
    """Return the per-article sort key, how to combine it per group, the direction, and its parameters."""
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
    (highest score, newest or oldest date; ties by the member's id); it shows its earliest matching member.
    """
    key, agg, direction, key_params = _order(req, w)
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
               p.grp, p.best, p.first_id, p.size
        FROM (SELECT 1) one LEFT JOIN p ON TRUE
        ORDER BY p.best {direction}, p.best_id""",
        params + [limit, offset]).fetchall()
    matched, groups = (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)
    return matched, groups, [Group(grp, float(best), first, int(size))
                             for _, _, grp, best, first, size in rows if grp is not None]


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
