-- The news archive's PostgreSQL schema (version 2) as Citus DDL, for production clusters.
--
-- Run on the Citus coordinator, in the database the archive will use, before the first `archive ingest`:
--     psql "postgresql://USER@COORDINATOR:5432/archive" -f citus.sql
-- then point the archive at the coordinator: `archive --index postgresql://USER@COORDINATOR:5432/archive ...`.
-- Citus spreads `articles` over the worker nodes by a hash of the article id (as the postgres_fdw layout of
-- `archive cluster up` does) and runs each shard's part of a query on its worker. The columns, indexes and the
-- `article_keys` view are those of archive/backends/postgres/schema.py; keep the two in step.

CREATE EXTENSION IF NOT EXISTS citus;
CREATE EXTENSION IF NOT EXISTS rum;  -- on every node; without it, drop the RUM index and the 'ranking' row

CREATE TABLE archive_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE SEQUENCE archive_version;
CREATE TABLE facet_forms (
    facet text NOT NULL, key text NOT NULL, form text NOT NULL, articles bigint NOT NULL,
    PRIMARY KEY (facet, key, form));
CREATE TABLE reprints (
    seq bigserial, id text COLLATE "C" PRIMARY KEY, cluster text COLLATE "C" NOT NULL, sig bytea NOT NULL);
CREATE TABLE reprint_bands (
    key bigint NOT NULL, cluster text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL,
    PRIMARY KEY (key, cluster));
CREATE INDEX reprint_bands_id ON reprint_bands (id);

CREATE TABLE articles (
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
    terms tsvector NOT NULL,
    PRIMARY KEY (id)
);
SELECT create_distributed_table('articles', 'id');

CREATE INDEX articles_terms ON articles USING gin (terms);
CREATE INDEX articles_terms_rum ON articles USING rum (terms rum_tsvector_ops);
CREATE INDEX articles_entities ON articles USING gin (entities);
CREATE INDEX articles_per ON articles USING gin (per);
CREATE INDEX articles_org ON articles USING gin (org);
CREATE INDEX articles_loc ON articles USING gin (loc);
CREATE INDEX articles_misc ON articles USING gin (misc);
CREATE INDEX articles_source ON articles (source_key);
CREATE INDEX articles_date ON articles (date_key);
CREATE INDEX articles_cluster ON articles (cluster);
CREATE INDEX articles_grp ON articles (grp);
CREATE INDEX articles_language ON articles (language);

-- Small tables every node reads: reference tables are copied to each worker.
SELECT create_reference_table('facet_forms');

CREATE VIEW article_keys AS
SELECT a.id, a.language, a.source_key, a.date_key, a.cluster, a.per, a.org, a.loc, a.misc, a.entities, a.terms,
       k.facet, k.key
FROM articles a
CROSS JOIN LATERAL (
    SELECT 'source'::text AS facet, a.source_key AS key WHERE a.source_key IS NOT NULL
    UNION ALL SELECT 'language', a.language WHERE a.language <> ''
    UNION ALL SELECT 'PER', x FROM unnest(a.per) x
    UNION ALL SELECT 'ORG', x FROM unnest(a.org) x
    UNION ALL SELECT 'LOC', x FROM unnest(a.loc) x
    UNION ALL SELECT 'MISC', x FROM unnest(a.misc) x
) k;

INSERT INTO archive_meta VALUES ('schema_version', '2'), ('shards', '0'), ('ranking', 'rum');
