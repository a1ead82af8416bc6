-- claimgraph benchmark peer: PostgreSQL (Debian's package), on loopback.
--
-- The same tables and indexes as peers/sqlite.sql (read its header): one
-- row per node with its bundle JSON (jsonb), one per edge, folded names,
-- facet values indexed in key and in order-value order, the creation
-- revision of every node and link, a tsvector of each quote's words
-- ('simple': lower case, no stemming, the closest to claimgraph's whoSaid;
-- it does not fold accents, which unaccent would need an extension) and,
-- in a table of its own made after the load (so that node's rows stay as
-- narrow as before), a stemmed one ('english') of every node's searched
-- fields, each with a GIN index. The harness runs initdb in a temporary directory, starts the
-- server on a free loopback port, runs @tables, loads the rows with COPY
-- in one transaction, runs @indexes, and times the whole; it stops the
-- server at the end. Queries take $1, $2 ... as parameters.

-- @settings
-- Passed to the server with -c at start.
shared_buffers = 256MB
maintenance_work_mem = 256MB
max_wal_size = 4GB
fsync = on
synchronous_commit = on

-- @tables
CREATE TABLE node (
  id           bigint      PRIMARY KEY,
  key          text        NOT NULL,
  kind         smallint    NOT NULL,
  record       jsonb       NOT NULL,  -- the node's bundle JSON
  said_at      timestamptz,           -- quotes
  published_at timestamptz,           -- sources
  url          text,                  -- sources
  speaker      bigint,                -- quotes: the speaker's id
  words        tsvector GENERATED ALWAYS AS (CASE WHEN kind = 4 THEN to_tsvector('simple', record ->> 'text') END) STORED
);
CREATE TABLE edge (
  src       bigint   NOT NULL,
  rel       smallint NOT NULL,
  dst       bigint   NOT NULL,
  qualifier text,
  reason    text,
  note      text,
  by        text,
  at        text,
  PRIMARY KEY (src, rel, dst)
);
CREATE TABLE name (
  name text   NOT NULL,  -- folded as claimgraph's fold.Name
  id   bigint NOT NULL
);
CREATE TABLE facet (
  kind  smallint NOT NULL,
  code  smallint NOT NULL,
  value text     NOT NULL,
  key   text     NOT NULL,  -- the node's key
  ord   bigint              -- its order value (said_at, published_at, value)
);
CREATE TABLE revision (
  node   bigint  NOT NULL,  -- a link's: its from node
  rev    bigint  NOT NULL,
  seq    bigint  NOT NULL,
  change text    NOT NULL,
  by     text    NOT NULL,
  at     text    NOT NULL,
  record jsonb   NOT NULL   -- the record as written
);

-- @indexes
CREATE UNIQUE INDEX node_key ON node (key);
CREATE INDEX node_kind_key ON node (kind, key);
CREATE INDEX node_said_at ON node (said_at) WHERE said_at IS NOT NULL;
CREATE INDEX node_published_at ON node (published_at) WHERE published_at IS NOT NULL;
CREATE INDEX node_url ON node (url) WHERE url IS NOT NULL;
CREATE INDEX node_speaker_said_at ON node (speaker, said_at, key) WHERE speaker IS NOT NULL;
CREATE INDEX edge_in ON edge (dst, rel, src);
CREATE INDEX name_name ON name (name, id);
CREATE INDEX node_words ON node USING gin (words) WHERE kind = 4;
CREATE TABLE doc AS
  SELECT id, to_tsvector('english', coalesce(record ->> 'name', '') || ' ' || coalesce(record ->> 'aliases', '') || ' ' ||
             coalesce(record ->> 'title', '') || ' ' || coalesce(record ->> 'text', '') || ' ' ||
             coalesce(record ->> 'measure', '')) AS words
    FROM node;
CREATE INDEX doc_words ON doc USING gin (words);
CREATE INDEX facet_key ON facet (kind, code, value, key);
CREATE INDEX facet_value ON facet (kind, code, value, ord, key);
ALTER TABLE revision ADD PRIMARY KEY (node, rev, seq);
ANALYZE;

-- @query trace
-- As peers/sqlite.sql's trace. $1 root key, $2 maximum depth.
WITH RECURSIVE
walk (id, kind, depth, chan, leaf, hsrc, hrel, hdst, hqual, hreason) AS (
  SELECT id, kind, 0, NULL::bigint, 0, NULL::bigint, NULL::smallint, NULL::bigint, NULL::text, NULL::text FROM node WHERE key = $1
  UNION
  SELECT e.src, n.kind, 1, NULL::bigint, CASE WHEN e.rel IN (32, 33) THEN 0 ELSE 1 END, e.src, e.rel, e.dst, e.qualifier, e.reason
    FROM edge e JOIN node n ON n.id = e.src
   WHERE e.dst = (SELECT id FROM node WHERE key = $1) AND e.rel >= 32
  UNION
  SELECT e.dst, n.kind, w.depth + 1,
         CASE WHEN w.kind = 4 AND e.rel = 2 THEN (SELECT c.dst FROM edge c WHERE c.src = w.id AND c.rel = 3) END,
         CASE WHEN e.rel > 33 THEN 1 ELSE 0 END,
         e.src, e.rel, e.dst, e.qualifier, e.reason
    FROM walk w JOIN edge e ON e.src = w.id JOIN node n ON n.id = e.dst
   WHERE w.depth < $2 AND w.leaf = 0 AND (
         (w.kind = 4 AND e.rel IN (1, 2, 3, 4))
      OR (w.kind = 4 AND w.depth = 0 AND e.rel = 5)
      OR (w.depth = 0 AND e.rel >= 32)
      OR (w.kind = 6 AND e.rel IN (2, 8, 9))
      OR (w.kind = 3 AND e.rel = 8 AND (w.chan IS NULL OR e.dst = w.chan)))
)
SELECT f.key, w.hrel, t.key, min(w.depth), w.hqual, w.hreason,
       CASE WHEN w.hrel IN (1, 4) THEN f.record ->> 'cue' END
  FROM walk w
  JOIN node f ON f.id = w.hsrc
  JOIN node t ON t.id = w.hdst
 WHERE w.depth > 0
 GROUP BY w.hsrc, w.hrel, w.hdst, f.key, t.key, w.hqual, w.hreason, f.record;

-- @query whosaid
-- The first page of the quotes whose words contain the phrase $1, in id
-- order, with the total number of matches.
SELECT key, count(*) OVER ()
  FROM node
 WHERE kind = 4 AND words @@ phraseto_tsquery('simple', $1)
 ORDER BY id
 LIMIT 20;

-- @query search
-- Ranked full-text search: every word of $1, by ts_rank.
SELECT key
  FROM node
 WHERE kind = 4 AND words @@ plainto_tsquery('simple', $1)
 ORDER BY ts_rank(words, plainto_tsquery('simple', $1)) DESC
 LIMIT 20;

-- @query speaker_page
-- One page of a speaker's quotes ($1 the speaker's key) after the quote
-- with key $2 ('' for the first page), $3 per page.
SELECT n.key
  FROM edge e JOIN node n ON n.id = e.src
 WHERE e.dst = (SELECT id FROM node WHERE key = $1) AND e.rel = 1
   AND e.src > coalesce((SELECT id FROM node WHERE key = $2), 0)
 ORDER BY e.src
 LIMIT $3;

-- @query filtered_page
-- One page of a speaker's quotes ($1 the speaker's key) said in [$2, $3),
-- in said_at and key order, after the quote with said_at $4 and key $5
-- ('-infinity' and '' for the first page), $6 per page: served by
-- node_speaker_said_at, as claimgraph's speaker facet index serves it.
SELECT key, said_at
  FROM node
 WHERE speaker = (SELECT id FROM node WHERE key = $1)
   AND said_at >= $2 AND said_at < $3
   AND (said_at, key) > ($4, $5)
 ORDER BY said_at, key
 LIMIT $6;

-- @query node_speaker_source
-- A quote with its speaker and source: what the GraphQL load test asks.
SELECT q.key, q.record, s.key, s.record, src.key, src.record
  FROM node q
  LEFT JOIN edge es ON es.src = q.id AND es.rel = 1
  LEFT JOIN node s ON s.id = es.dst
  LEFT JOIN edge eo ON eo.src = q.id AND eo.rel = 2
  LEFT JOIN node src ON src.id = eo.dst
 WHERE q.key = $1;
