"""The PostgreSQL archive's tables, on one server or on a coordinator with shards, and their version.

One row per article in `articles`: the stored record (JSON), a column for every filter, facet and sort (folded
source, language, YYYYMMDDHHMM date key with undated articles at `UNDATED_OLD`, reprint cluster and the result
group it folds into (the cluster, or the article's own id), folded entity
keys per type and all together) and one `terms` tsvector holding, with positions, the article's exact words
(`n-va`, `busin…`) and its stemmed words prefixed by language (`nl:ambtsgenoot`), title words weighted A. The
archive computes the terms itself with the analyzers the Whoosh engine uses, so both engines match the same
articles; PostgreSQL's own parsers and stemmers are not used. The view `article_keys` has one row per facet value
of an article (source, language, each entity), so a facet is one GROUP BY that a shard can run on its own.

Sharded: a coordinator that has postgres_fdw servers named `archive_shard_<n>` (`archive cluster up` makes them;
see the README for several hosts) gets `articles` hash-partitioned on the id, each partition a foreign table on
one shard, where the real table, its indexes and the view live. The tables are created through dblink over the
same foreign servers, so the archive only ever connects to the coordinator. Reprint signatures, facet display
names and the archive's metadata stay on the coordinator.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg

SCHEMA_VERSION = 2  # 2: a RUM index ranks inside the index, where the extension is installed
SHARD_PREFIX = "archive_shard_"

COLUMNS = """
    id text COLLATE "C" NOT NULL,
    record text NOT NULL,
    language text NOT NULL,
    source_key text,
    date_key bigint NOT NULL,
    cluster text COLLATE "C",
    grp text COLLATE "C" NOT NULL,
    per text[] NOT NULL,
    org text[] NOT NULL,
    loc text[] NOT NULL,
    misc text[] NOT NULL,
    entities text[] NOT NULL,
    terms tsvector NOT NULL
"""
COLUMN_NAMES = ("id", "record", "language", "source_key", "date_key", "per", "org", "loc", "misc", "entities",
                "terms", "cluster", "grp")  # the order of a COPY line: workers write all but the last two

TABLE_INDEXES = [
    "CREATE INDEX IF NOT EXISTS {t}_terms ON {t} USING gin (terms)",
    "CREATE INDEX IF NOT EXISTS {t}_entities ON {t} USING gin (entities)",
    "CREATE INDEX IF NOT EXISTS {t}_per ON {t} USING gin (per)",
    "CREATE INDEX IF NOT EXISTS {t}_org ON {t} USING gin (org)",
    "CREATE INDEX IF NOT EXISTS {t}_loc ON {t} USING gin (loc)",
    "CREATE INDEX IF NOT EXISTS {t}_misc ON {t} USING gin (misc)",
    "CREATE INDEX IF NOT EXISTS {t}_source ON {t} (source_key)",
    "CREATE INDEX IF NOT EXISTS {t}_date ON {t} (date_key)",
    "CREATE INDEX IF NOT EXISTS {t}_cluster ON {t} (cluster)",
    "CREATE INDEX IF NOT EXISTS {t}_grp ON {t} (grp)",
    "CREATE INDEX IF NOT EXISTS {t}_language ON {t} (language)",
]

# Ranking inside the index (the `rum` extension): `ORDER BY terms <=> query LIMIT n` reads the n best matches
# from the index with the word positions it keeps, instead of every match's tsvector from the table.
RUM_INDEX = "CREATE INDEX IF NOT EXISTS {t}_terms_rum ON {t} USING rum (terms rum_tsvector_ops)"
RUM_EXTENSION = "CREATE EXTENSION IF NOT EXISTS rum"
RUM_DEFERRED = "rum-deferred"  # `ranking` while a bulk load has the RUM index dropped

KEYS_VIEW = """
CREATE OR REPLACE VIEW {v} AS
SELECT a.id, a.language, a.source_key, a.date_key, a.cluster, a.per, a.org, a.loc, a.misc, a.entities, a.terms,
       k.facet, k.key
FROM {t} a
CROSS JOIN LATERAL (
    SELECT 'source'::text AS facet, a.source_key AS key WHERE a.source_key IS NOT NULL
    UNION ALL SELECT 'language', a.language WHERE a.language <> ''
    UNION ALL SELECT 'PER', x FROM unnest(a.per) x
    UNION ALL SELECT 'ORG', x FROM unnest(a.org) x
    UNION ALL SELECT 'LOC', x FROM unnest(a.loc) x
    UNION ALL SELECT 'MISC', x FROM unnest(a.misc) x
) k
"""

COORDINATOR = [
    "CREATE TABLE IF NOT EXISTS archive_meta (key text PRIMARY KEY, value text NOT NULL)",
    "CREATE SEQUENCE IF NOT EXISTS archive_version",
    # the display name of a facet value: its most frequent written form over the whole archive
    """CREATE TABLE IF NOT EXISTS facet_forms (
        facet text NOT NULL, key text NOT NULL, form text NOT NULL, articles bigint NOT NULL,
        PRIMARY KEY (facet, key, form))""",
    # reprint clustering: every signature, and its LSH band keys, shared by concurrent ingests
    """CREATE TABLE IF NOT EXISTS reprints (
        seq bigserial, id text COLLATE "C" PRIMARY KEY, cluster text COLLATE "C" NOT NULL, sig bytea NOT NULL)""",
    # one row per band key and cluster (the first article of the cluster to have that key), so that a story
    # reprinted a hundred times does not give every later reprint a hundred candidates to compare
    """CREATE TABLE IF NOT EXISTS reprint_bands (
        key bigint NOT NULL, cluster text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL,
        PRIMARY KEY (key, cluster))""",
    "CREATE INDEX IF NOT EXISTS reprint_bands_id ON reprint_bands (id)",
]


# Shard settings. A text search read through a sequential scan detoasts every article's tsvector (several times
# slower than a bitmap scan of the GIN index, which the planner misjudges for frequent words); and postgres_fdw
# reads through a cursor, which the planner would otherwise plan for the first rows (an index walk over every
# article, 700 ms for a word in 20 of 125,000). Shards hold only articles.
NO_SEQSCAN = """DO $$ BEGIN
    EXECUTE format('ALTER DATABASE %I SET enable_seqscan = off', current_database());
    EXECUTE format('ALTER DATABASE %I SET cursor_tuple_fraction = 1.0', current_database());
END $$"""


@dataclass(frozen=True)
class Layout:
    """Where the articles live: the relations a query names, one per shard (or the table itself)."""

    shards: tuple[str, ...]  # foreign server names, empty on one server
    articles: tuple[str, ...]  # per-shard article relations (foreign tables), or ("articles",)
    keys: tuple[str, ...]  # per-shard facet-key relations, or ("article_keys",)
    rum: bool = False  # every server has the RUM index on the terms

    @property
    def sharded(self) -> bool:
        return bool(self.shards)


def shard_servers(conn: psycopg.Connection) -> list[str]:
    """Return the coordinator's foreign servers named as archive shards, in order."""
    try:
        rows = conn.execute(
            "SELECT srvname FROM pg_foreign_server WHERE srvname LIKE %s", (SHARD_PREFIX + "%",)).fetchall()
    except psycopg.Error:
        return []
    names = [r[0] for r in rows if re.fullmatch(SHARD_PREFIX + r"\d+", r[0])]  # names go into DDL
    return sorted(names, key=lambda n: int(n[len(SHARD_PREFIX):]) if n[len(SHARD_PREFIX):].isdigit() else 0)


def layout_of(shards: list[str], rum: bool = False) -> Layout:
    if not shards:
        return Layout((), ("articles",), ("article_keys",), rum)
    n = len(shards)
    return Layout(tuple(shards), tuple(f"articles_p{i}" for i in range(n)),
                  tuple(f"article_keys_p{i}" for i in range(n)), rum)


def read_layout(conn: psycopg.Connection) -> Layout:
    """Return the layout of the archive in this database (its shards, and whether it ranks with RUM)."""
    row = conn.execute("SELECT value FROM archive_meta WHERE key = 'ranking'").fetchone()
    return layout_of(shard_servers(conn), rum=bool(row and row[0] == "rum"))


def installed_version(conn: psycopg.Connection) -> int | None:
    """Return the schema version of the archive in this database, or None where there is none."""
    exists = conn.execute("SELECT to_regclass('archive_meta') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return None
    row = conn.execute("SELECT value FROM archive_meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else None


def create(conn: psycopg.Connection) -> Layout:
    """Create the archive's tables (sharded where the coordinator has shard servers); idempotent."""
    shards = shard_servers(conn)
    layout = layout_of(shards)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(7202016)")  # two first ingests create it once
        if installed_version(conn) is not None:
            return read_layout(conn)
        for statement in COORDINATOR:
            conn.execute(statement)
        if not shards:
            conn.execute(f"CREATE TABLE IF NOT EXISTS articles ({COLUMNS}, PRIMARY KEY (id))")
            for statement in TABLE_INDEXES:
                conn.execute(statement.format(t="articles"))
            conn.execute(KEYS_VIEW.format(v="article_keys", t="articles"))
        else:
            _create_sharded(conn, shards)
        rum = add_rum(conn, shards)
        conn.execute("INSERT INTO archive_meta VALUES ('schema_version', %s), ('shards', %s) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     (str(SCHEMA_VERSION), str(len(shards))))
    return layout_of(shards, rum)


def _on_servers(conn: psycopg.Connection, shards: list[str], statement: str) -> None:
    """Run a statement on every server holding articles: the shards (through dblink), or this one."""
    if not shards:
        conn.execute(statement)
    for server in shards:
        conn.execute("SELECT dblink_exec(%s, %s)", (server, statement))


def rum_available(conn: psycopg.Connection, shards: list[str]) -> bool:
    """Whether the `rum` extension is installed on this server and on every shard."""
    query = "SELECT count(*) FROM pg_available_extensions WHERE name = 'rum'"
    row = conn.execute(query).fetchone()
    if not row or not row[0]:
        return False
    for server in shards:
        row = conn.execute("SELECT n FROM dblink(%s, %s) AS t(n bigint)", (server, query)).fetchone()
        if not row or not row[0]:
            return False
    return True


def add_rum(conn: psycopg.Connection, shards: list[str]) -> bool:
    """Index the terms with RUM where every server has the extension; record the ranking in `archive_meta`.

    Without it (or without the right to create it) the archive works the same, ranking each match with
    `ts_rank`, which is slower for words that match many articles. Returns whether RUM is used.
    """
    rum = False
    if rum_available(conn, shards):
        try:
            with conn.transaction():  # a savepoint: creating an extension may need rights the user lacks
                conn.execute(RUM_EXTENSION)
                _on_servers(conn, shards, RUM_EXTENSION)
                _on_servers(conn, shards, RUM_INDEX.format(t="articles_shard" if shards else "articles"))
                for server in shards:  # so that postgres_fdw sends `<=>` to the shards
                    options = conn.execute("SELECT srvoptions FROM pg_foreign_server WHERE srvname = %s",
                                           (server,)).fetchone()
                    verb = "SET" if any(o.startswith("extensions=") for o in ((options or [None])[0] or [])) \
                        else "ADD"
                    conn.execute(f"ALTER SERVER {server} OPTIONS ({verb} extensions 'rum')")
            rum = True
        except psycopg.Error:
            rum = False
    conn.execute("INSERT INTO archive_meta VALUES ('ranking', %s) ON CONFLICT (key) DO UPDATE SET value = "
                 "excluded.value", ("rum" if rum else "ts_rank",))
    return rum


def defer_rum(conn: psycopg.Connection, shards: list[str]) -> None:
    """Drop the RUM index for a bulk load; `build_rum` makes it again. Meanwhile searches rank with `ts_rank`.

    Building the index once costs a small part of keeping it up to date row by row (the benches measure both),
    and the archive stays correct at every moment: `archive_meta` says `rum-deferred` before the index goes, and
    `rum` only once it is back on every server, so a kill in between leaves an archive that ranks the slow way
    until the next ingest (or `archive migrate`) builds it.
    """
    conn.execute("INSERT INTO archive_meta VALUES ('ranking', %s) ON CONFLICT (key) DO UPDATE SET value = "
                 "excluded.value", (RUM_DEFERRED,))
    _on_servers(conn, shards, "DROP INDEX IF EXISTS " + ("articles_shard" if shards else "articles") + "_terms_rum")


def rum_deferred(conn: psycopg.Connection) -> bool:
    row = conn.execute("SELECT value FROM archive_meta WHERE key = 'ranking'").fetchone()
    return bool(row and row[0] == RUM_DEFERRED)


def build_rum(conn: psycopg.Connection, shards: list[str]) -> None:
    """Build the RUM index on every server, the shards at the same time, and record that it is there."""
    statement = RUM_INDEX.format(t="articles_shard" if shards else "articles")
    conn.execute("SET statement_timeout = 0")  # an index build may take minutes
    try:
        if not shards:
            conn.execute(statement)
        else:
            names = [f"archive_build_{i}" for i in range(len(shards))]
            row = conn.execute("SELECT dblink_get_connections()").fetchone()
            have = set(row[0] or []) if row else set()
            for name, server in zip(names, shards):
                if name not in have:
                    conn.execute("SELECT dblink_connect(%s, %s)", (name, server))
                conn.execute("SELECT dblink_send_query(%s, %s)", (name, statement))
            for name in names:  # each result, then the empty one that frees the connection
                conn.execute("SELECT * FROM dblink_get_result(%s) AS t(status text)", (name,))
                conn.execute("SELECT * FROM dblink_get_result(%s) AS t(status text)", (name,))
                conn.execute("SELECT dblink_disconnect(%s)", (name,))
        conn.execute("UPDATE archive_meta SET value = 'rum' WHERE key = 'ranking'")
    finally:
        conn.execute("RESET statement_timeout")


def upgrade(conn: psycopg.Connection, version: int) -> list[str]:
    """Bring an archive from an older schema version to this one, in one transaction; return what was done."""
    done = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(7202016)")
        shards = shard_servers(conn)
        if shards:
            conn.execute("CREATE EXTENSION IF NOT EXISTS dblink")
        if version < 2:
            rum = add_rum(conn, shards)
            done.append("indexed the terms with RUM (ranking inside the index)" if rum else
                        "the rum extension is not installed on every server: relevance stays ts_rank")
        conn.execute("UPDATE archive_meta SET value = %s WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
    return done


def _create_sharded(conn: psycopg.Connection, shards: list[str]) -> None:
    conn.execute("CREATE EXTENSION IF NOT EXISTS dblink")
    for server in shards:  # rows go to the shards a thousand at a time, not one by one
        options = conn.execute("SELECT srvoptions FROM pg_foreign_server WHERE srvname = %s", (server,)).fetchone()
        verb = "SET" if any(o.startswith("batch_size=") for o in ((options or [None])[0] or [])) else "ADD"
        conn.execute(f"ALTER SERVER {server} OPTIONS ({verb} batch_size '1000')")
    shard_ddl = [f"CREATE TABLE IF NOT EXISTS articles_shard ({COLUMNS}, PRIMARY KEY (id))"]
    shard_ddl += [s.format(t="articles_shard") for s in TABLE_INDEXES]
    shard_ddl.append(KEYS_VIEW.format(v="article_keys_shard", t="articles_shard"))
    shard_ddl.append(NO_SEQSCAN)
    for server in shards:
        for statement in shard_ddl:
            conn.execute("SELECT dblink_exec(%s, %s)", (server, statement))
    conn.execute(f"CREATE TABLE IF NOT EXISTS articles ({COLUMNS}) PARTITION BY HASH (id)")
    n = len(shards)
    for i, server in enumerate(shards):
        conn.execute(
            f"CREATE FOREIGN TABLE IF NOT EXISTS articles_p{i} PARTITION OF articles "
            f"FOR VALUES WITH (MODULUS {n}, REMAINDER {i}) SERVER {server} "
            "OPTIONS (table_name 'articles_shard')")
        keys_columns = ("id text, language text, source_key text, date_key bigint, cluster text, per text[], "
                        "org text[], loc text[], misc text[], entities text[], terms tsvector, facet text, key text")
        conn.execute(f"CREATE FOREIGN TABLE IF NOT EXISTS article_keys_p{i} ({keys_columns}) SERVER {server} "
                     "OPTIONS (table_name 'article_keys_shard')")


def analyze(conn: psycopg.Connection) -> None:
    """Refresh the planner's statistics after a load, on the shards and here."""
    shards = shard_servers(conn)
    for server in shards:
        conn.execute("SELECT dblink_exec(%s, 'ANALYZE articles_shard')", (server,))
    conn.execute("ANALYZE " + ("articles, reprints, reprint_bands, facet_forms" if not shards
                               else "reprints, reprint_bands, facet_forms"))


def drop(conn: psycopg.Connection) -> None:
    """Remove the archive's tables from this database and its shards (tests; an operator's DROP DATABASE)."""
    shards = shard_servers(conn)
    with conn.transaction():
        if shards:
            conn.execute("CREATE EXTENSION IF NOT EXISTS dblink")
            for server in shards:
                conn.execute("SELECT dblink_exec(%s, %s)",
                             (server, "DROP TABLE IF EXISTS articles_shard CASCADE"))
        for i in range(len(shards)):
            conn.execute(f"DROP FOREIGN TABLE IF EXISTS article_keys_p{i}")
        conn.execute("DROP VIEW IF EXISTS article_keys")
        for table in ("articles", "archive_meta", "facet_forms", "reprints", "reprint_bands"):
            conn.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
        conn.execute("DROP SEQUENCE IF EXISTS archive_version")
