-- claimgraph benchmark peer: SQLite 3 (modernc.org/sqlite, FTS5), embedded.
--
-- The same records as claimgraph holds, with the indexes claimgraph keeps
-- (store/doc.go), table for key family:
--   node      one row per node with its bundle JSON (n), indexed by key (k),
--             kind+key (y), url (x), said_at and published_at (d), and
--             speaker+said_at (the filtered pages);
--   edge      one row per edge (a reference field or a link; claimgraph's
--             relation codes), in both directions (o, i);
--   name      the folded names and aliases of people and organisations (x);
--   facet     one row per facet value of a node (graph.FacetValues; f),
--             indexed in key order and in order-value order, as claimgraph
--             keeps two keys per value;
--   revision  the creation revision of every node and link, with the
--             record as written (h, v);
--   quote_fts the words of quotes, unstemmed (whoSaid's word postings);
--   doc_fts   every node's searched fields, stemmed (the search postings).
-- The questions use what they need; every index is built in the timed load,
-- as claimgraph builds all of its own at import.
--
-- The harness (bench/cmd/claimbench) runs the @tables section, loads the
-- rows in one transaction, then runs @indexes (load first, index after: the
-- fastest way to bulk-load SQLite), and times the whole. Each @query is one
-- statement; ?1, ?2 ... are its parameters. Relation codes: 1 speaker,
-- 2 source, 3 channel, 4 reported_by, 5 expresses, 6 publisher, 7 author,
-- 8 derived_from, 9 stated_by, 10 parent, 11 affiliation, 12 about,
-- 32 supports, 33 contradicts, 34 context ... 39 responds_to. Kinds: 1 person,
-- 2 organisation, 3 source, 4 quote, 5 claim, 6 figure. Facet codes: 1
-- speaker, 2 source, 3 publisher, 4 mode, 5 kind, 6 unit, 7 measure,
-- 8 stated_by, 9 affiliation, 10 parent, 11 about.

-- @pragmas
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA cache_size = -65536;
PRAGMA temp_store = MEMORY;

-- @tables
CREATE TABLE node (
  id           INTEGER PRIMARY KEY,
  key          TEXT    NOT NULL,
  kind         INTEGER NOT NULL,
  record       TEXT    NOT NULL,  -- the node's bundle JSON
  said_at      INTEGER,           -- quotes: unix seconds
  published_at INTEGER,           -- sources: unix seconds
  url          TEXT,              -- sources
  speaker      INTEGER            -- quotes: the speaker's id
);
CREATE TABLE edge (
  src       INTEGER NOT NULL,
  rel       INTEGER NOT NULL,
  dst       INTEGER NOT NULL,
  qualifier TEXT,
  reason    TEXT,
  note      TEXT,
  by        TEXT,
  at        TEXT,
  PRIMARY KEY (src, rel, dst)
) WITHOUT ROWID;
CREATE TABLE name (
  name TEXT    NOT NULL,          -- folded as claimgraph's fold.Name
  id   INTEGER NOT NULL
);
CREATE TABLE facet (
  kind  INTEGER NOT NULL,
  code  INTEGER NOT NULL,
  value TEXT    NOT NULL,
  key   TEXT    NOT NULL,           -- the node's key
  ord   INTEGER                     -- its order value (said_at, published_at, value)
);
CREATE TABLE revision (
  node   INTEGER NOT NULL,          -- a link's: its from node
  rev    INTEGER NOT NULL,
  seq    INTEGER NOT NULL,
  change TEXT    NOT NULL,
  by     TEXT    NOT NULL,
  at     TEXT    NOT NULL,
  record TEXT    NOT NULL,          -- the record as written
  PRIMARY KEY (node, rev, seq)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE quote_fts USING fts5(words, content = '', tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE doc_fts USING fts5(name, alias, title, text, measure, content = '', tokenize = 'porter unicode61 remove_diacritics 2');

-- @indexes
CREATE UNIQUE INDEX node_key ON node (key);
CREATE INDEX node_kind_key ON node (kind, key);
CREATE INDEX node_said_at ON node (said_at) WHERE said_at IS NOT NULL;
CREATE INDEX node_published_at ON node (published_at) WHERE published_at IS NOT NULL;
CREATE INDEX node_url ON node (url) WHERE url IS NOT NULL;
CREATE INDEX node_speaker_said_at ON node (speaker, said_at, key) WHERE speaker IS NOT NULL;
CREATE INDEX edge_in ON edge (dst, rel, src);
CREATE INDEX name_name ON name (name, id);
CREATE INDEX facet_key ON facet (kind, code, value, key);
CREATE INDEX facet_value ON facet (kind, code, value, ord, key);
ANALYZE;

-- @query insert_node
INSERT INTO node (id, key, kind, record, said_at, published_at, url, speaker) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8);

-- @query insert_edge
INSERT OR REPLACE INTO edge (src, rel, dst, qualifier, reason, note, by, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8);

-- @query insert_name
INSERT INTO name (name, id) VALUES (?1, ?2);

-- @query insert_fts
INSERT INTO quote_fts (rowid, words) VALUES (?1, ?2);

-- @query insert_facet
INSERT INTO facet (kind, code, value, key, ord) VALUES (?1, ?2, ?3, ?4, ?5);

-- @query insert_revision
INSERT INTO revision (node, rev, seq, change, by, at, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7);

-- @query insert_doc
INSERT INTO doc_fts (rowid, name, alias, title, text, measure) VALUES (?1, ?2, ?3, ?4, ?5, ?6);

-- @query trace
-- The provenance trace of claimgraph's graph.TraceFrom for a quote, claim
-- or figure: from a quote its speaker, enclosing quotes (reported_by, and
-- theirs, out to the outermost), source and channel; a source walks its
-- derived_from chain, restricted at the publication of a quote to the
-- quote's channel when it has one; a figure its stated_by, source and
-- derived_from. The root alone also walks the claims it expresses and its
-- links in both directions; nodes reached through supports or contradicts
-- are walked for their own attribution, through other links not at all.
-- ?1 root key, ?2 maximum depth. One row per hop. (CROSS JOIN fixes the
-- join order: SQLite 3.54 otherwise scans the edge index for the last join.)
WITH RECURSIVE
walk (id, kind, depth, chan, leaf, hsrc, hrel, hdst, hqual, hreason) AS (
  SELECT id, kind, 0, NULL, 0, NULL, NULL, NULL, NULL, NULL FROM node WHERE key = ?1
  UNION
  SELECT e.src, n.kind, 1, NULL, CASE WHEN e.rel IN (32, 33) THEN 0 ELSE 1 END, e.src, e.rel, e.dst, e.qualifier, e.reason
    FROM edge e JOIN node n ON n.id = e.src
   WHERE e.dst = (SELECT id FROM node WHERE key = ?1) AND e.rel >= 32
  UNION
  SELECT e.dst, n.kind, w.depth + 1,
         CASE WHEN w.kind = 4 AND e.rel = 2 THEN (SELECT c.dst FROM edge c WHERE c.src = w.id AND c.rel = 3) END,
         CASE WHEN e.rel > 33 THEN 1 ELSE 0 END,
         e.src, e.rel, e.dst, e.qualifier, e.reason
    FROM walk w JOIN edge e ON e.src = w.id JOIN node n ON n.id = e.dst
   WHERE w.depth < ?2 AND w.leaf = 0 AND (
         (w.kind = 4 AND e.rel IN (1, 2, 3, 4))
      OR (w.kind = 4 AND w.depth = 0 AND e.rel = 5)
      OR (w.depth = 0 AND e.rel >= 32)
      OR (w.kind = 6 AND e.rel IN (2, 8, 9))
      OR (w.kind = 3 AND e.rel = 8 AND (w.chan IS NULL OR e.dst = w.chan)))
)
SELECT f.key, w.hrel, t.key, min(w.depth), w.hqual, w.hreason,
       CASE WHEN w.hrel IN (1, 4) THEN json_extract(f.record, '$.cue') END
  FROM walk w
 CROSS JOIN node f
 CROSS JOIN node t
 WHERE f.id = w.hsrc AND t.id = w.hdst AND w.depth > 0
 GROUP BY w.hsrc, w.hrel, w.hdst;

-- @query whosaid
-- The first page of the quotes whose words contain the phrase ?1 (an FTS5
-- phrase), in id order, with the total number of matches.
SELECT n.key, count(*) OVER ()
  FROM quote_fts f JOIN node n ON n.id = f.rowid
 WHERE quote_fts MATCH ?1
 ORDER BY f.rowid
 LIMIT 20;

-- @query search
-- Ranked full-text search (bm25): every word of ?1.
SELECT n.key
  FROM quote_fts f JOIN node n ON n.id = f.rowid
 WHERE quote_fts MATCH ?1
 ORDER BY f.rank
 LIMIT 20;

-- @query speaker_page
-- One page of a speaker's quotes (?1 the speaker's key), after the quote
-- with key ?2 ('' for the first page), ?3 per page: the in-edges of
-- relation speaker, in id order.
SELECT n.key
  FROM edge e JOIN node n ON n.id = e.src
 WHERE e.dst = (SELECT id FROM node WHERE key = ?1) AND e.rel = 1
   AND e.src > coalesce((SELECT id FROM node WHERE key = ?2), 0)
 ORDER BY e.src
 LIMIT ?3;

-- @query filtered_page
-- One page of a speaker's quotes (?1 the speaker's key) said in [?2, ?3)
-- (unix seconds), in said_at and key order, after the quote with said_at
-- ?4 and key ?5 (-1 and '' for the first page), ?6 per page: served by
-- node_speaker_said_at, as claimgraph's speaker facet index serves it.
SELECT key, said_at
  FROM node
 WHERE speaker = (SELECT id FROM node WHERE key = ?1)
   AND said_at >= ?2 AND said_at < ?3
   AND (said_at, key) > (?4, ?5)
 ORDER BY said_at, key
 LIMIT ?6;

-- @query node_speaker_source
-- A quote with its speaker and source: what the GraphQL load test asks.
SELECT q.key, q.record, s.key, s.record, src.key, src.record
  FROM node q
  LEFT JOIN edge es ON es.src = q.id AND es.rel = 1
  LEFT JOIN node s ON s.id = es.dst
  LEFT JOIN edge eo ON eo.src = q.id AND eo.rel = 2
  LEFT JOIN node src ON src.id = eo.dst
 WHERE q.key = ?1;
