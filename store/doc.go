// Package store keeps the claimgraph graph in an ordered, versioned
// key-value engine: Badger, embedded, by default. It is the only package
// that imports Badger.
//
// # Layers
//
// The graph-on-KV logic ([Store]: key layout, codecs, indexes, idempotent
// upserts, reads) is written against the small [KV] interface in kv.go:
// snapshots at a commit timestamp, Get, Scan of a [Range] in byte order
// (prefix, start, start-after, end, keys only, limit, reverse), and Update, which
// stages Set and Delete and commits them atomically at a timestamp the
// engine assigns. [Badger] implements it; another engine (PostgreSQL, for
// deployments beyond one machine) implements the same interface and must
// pass the conformance suite in package claimgraph/store/kvtest, which runs
// here against Badger in memory and on disk. The graph.Store contract suite
// (claimgraph/graph/graphtest) runs against [Store] in memory and on disk,
// with close and reopen.
//
//	s, err := store.Open(ctx, store.Options{Dir: "claimgraph-data", Logger: log})
//	defer s.Close()
//	res, err := s.Apply(ctx, bundle.Batch("import:demo.json", ""))
//	err = s.View(ctx, func(r graph.Reader) error { ... })
//	err = s.ViewAt(ctx, lastWeek, func(r graph.Reader) error { ... }) // asOf
//
// # Commits and timestamps
//
// Badger runs in managed mode (OpenManaged): the engine assigns every commit
// a timestamp, the current time in unix nanoseconds or one more than the
// previous commit, whichever is larger, so timestamps increase strictly even
// if the clock steps back. Every version is kept (NumVersionsToKeep =
// MaxInt32), so a snapshot at a past timestamp is exact: that is asOf
// (Store.ViewAt reads the snapshot at the instant's Unix nanoseconds, every
// family included, so records, adjacency, indexes, history, retractions and
// merges all answer as they stood). On open the engine continues above the
// newest version on disk (Badger's MaxVersion).
//
// The commit timestamp is assigned when an update begins (its writes carry
// it: history keys, a link's At), so a snapshot at an instant already past
// that is at or after the timestamp of an update still in progress waits
// for that update to end; an update that begins later gets a later
// timestamp. The state read at a past instant therefore never changes. An
// instant still in the future reads the last commit without waiting.
//
// Writers are serialised by a mutex in the engine; each Update reads the
// last commit and its writes become visible together when the engine
// publishes the new timestamp, after the last write is in. Readers read at
// the last published timestamp and never wait for writers. Because writers
// are serialised, Badger's conflict detection is off (in managed mode it
// would also keep every commit's key set in memory forever, since no discard
// timestamp is ever set); a commit that reports a conflict anyway is retried
// with jittered backoff, and Store.Apply retries on graph.ErrConflict.
//
// # Large commits
//
// A Badger transaction holds about 15% of a memtable (ErrTxnTooBig). An
// Update whose writes do not fit is committed as several Badger
// transactions, all at the same commit timestamp, and the timestamp is
// published only after the last one, so readers see all of the batch or
// none of it. The engine writes a commit marker (key 00 63, the commit
// timestamp) in the last transaction.
//
// A crash between two of those transactions leaves the first parts on disk
// at a timestamp newer than the marker. Measured in TestCrashBetweenParts:
// without repair, a reader at the newest version would see the keys of the
// committed parts, that is half a batch. So at open, when the newest version
// is newer than the marker, the engine repairs: every key with a version
// newer than the last complete commit gets, at a new timestamp, the value it
// had at that commit (or a delete), and the timestamps of the cut commit are
// recorded as void (key 00 76 | lo | hi), so that a snapshot at one of them
// reads the last complete commit. The repair costs one scan of the versions
// newer than the marker and is itself safe to cut (it restores from the
// same complete commit again). The writes of the cut batch are lost, which
// is right: its Apply never returned success. A commit that fails half way
// while running (a disk error) makes the engine refuse writes until it is
// reopened and repaired.
//
// # Key layout
//
// Every key starts with a one-byte family. Ids are internal uint64 values,
// big-endian, with the node kind in the top byte (1 person, 2 organisation,
// 3 source, 4 quote, 5 claim, 6 figure) and a per-kind counter below; the
// counters (family c) are read and advanced inside the serialised writer and
// never read by readers. Examples use quote q1 with id 04 00 00 00 00 00 00
// 07 and person p-1 with id 01 00 00 00 00 00 00 02.
//
//	family  key                                         value
//	00      engine: 00 63 commit marker; 00 76 lo hi void range (reserved for engines)
//	6b 'k'  k | user key                                id (8 bytes)
//	79 'y'  y | kind | user key                         empty (List by kind, in key order)
//	6e 'n'  n | id                                      node record
//	6f 'o'  o | from id | relation | to id              edge value
//	69 'i'  i | to id | relation | from id              edge value
//	78 'x'  x | index | escaped value | 00 01 | id      user key
//	64 'd'  d | index | time (8 bytes) | id             user key
//	74 't'  retired in layout 4: whoSaid trigrams (t | trigram | id), deleted on open
//	63 'c'  c | kind                                    last counter of the kind (8 bytes)
//	68 'h'  h | id | rev (8) | seq (4)                  revision
//	76 'v'  v | id                                      latest rev of the node (8 bytes)
//	77 'w'  w | id                                      retraction of the node
//	72 'r'  r | merged user key                         own id (8 bytes) | key it resolves to
//	61 'a'  a | into id | merged user key               empty (the keys merged into a node)
//	66 'f'  f | kind | facet | 00 | escaped value | key  empty (filtered lists, key order)
//	        f | kind | facet | 01 | escaped value | 01 | value (8) | key   empty (value order)
//	        f | kind | facet | 01 | escaped value | 02 | key   empty (value order, no value)
//	        f | kind | 00 | 01 | 00 01 | 01 | value (8) | key   empty (every node, value order)
//	        f | kind | ff | key                         the node's facet values
//	6d 'm'  m v                                         key layout version (04)
//	        m g                                         empty: some key was merged
//	6c 'l'  reserved: change log
//	73 's'  s | field | term | 00 | id                  tf, then (sub, pos, start, end) per occurrence
//	        s | ff | id                                 user key and word count per field
//	        s | fc | word | 00 | id                     whoSaid word posting: count, then positions
//	        s | fb | id                                 empty: a quote with a word over 256 bytes
//	        s | fe | field                              nodes and words of the field (BM25 statistics)
//
// Byte-level examples:
//
//	k q1                 6b 71 31                                   -> 04 00 00 00 00 00 00 07
//	y quote q1           79 04 71 31                                -> (empty)
//	n q1                 6e 04 00 00 00 00 00 00 07                 -> 01 04 {"key":"q1",...}
//	o q1 speaker p-1     6f 0400000000000007 01 0100000000000002    -> 01 03 "p-1" 00 00 00 00 00
//	i p-1 speaker q1     69 0100000000000002 01 0400000000000007    -> 01 02 "q1" 00 00 00 00 00
//	x name "jose alvarez" 78 01 6a6f736520616c766172657a 00 01 0100000000000002 -> "p-1"
//	d said_at 1970-01-01T00:00:00.000000001Z
//	                     64 01 80 00 00 00 00 00 00 01 0400000000000007 -> "q1"
//	s fc "ferry" q1      73 fc 6665727279 00 0400000000000007       -> 01 03 (once, at word 3)
//	h c-1 rev 1890000000000001 seq 2
//	                     68 0500000000000003 1890000000000001 00000002 -> 01 02 "updated" "c-1" ...
//	v c-1                76 0500000000000003                        -> 18 90 00 00 00 00 00 01
//	w c-1                77 0500000000000003                        -> 01 "2026-03-04T05:06:07.000000008Z" "curator" "why"
//	r p-2 (into p-1)     72 70 2d 32                                -> 0100000000000009 "p-1"
//	a p-1 <- p-2         61 0100000000000002 70 2d 32               -> (empty)
//
// The facet keys of quote q1 by speaker p-1 (facet 01), mode direct (facet
// 04), said on 2026-03-01 (order value 98 98 8e 8f 6b 2f 00 00, the
// instant as graph.TimeSortValue maps it):
//
//	f speaker p-1, key order
//	                     66 04 01 00 702d31 00 01 7131               -> (empty)
//	f speaker p-1, value order
//	                     66 04 01 01 702d31 00 01 01 98988e8f6b2f0000 7131 -> (empty)
//	f mode direct, value order
//	                     66 04 04 01 646972656374 00 01 01 98988e8f6b2f0000 7131 -> (empty)
//	f every quote, value order
//	                     66 04 00 01 00 01 01 98988e8f6b2f0000 7131  -> (empty)
//	f column of q1       66 04 ff 7131 -> 01 01 98988e8f6b2f0000 01 03 "p-1" 04 06 "direct"
//	f claim c1 about a<NUL>b (facet 0b), a claim having no order value
//	                     66 05 0b 00 6100ff62 00 01 6331             -> (empty)
//
// A node record is a format byte (01), the kind byte and the node's bundle
// JSON; it round-trips exactly, and an upsert whose record is byte-equal to
// the stored one writes nothing. An edge value is a format byte (01) and six
// uvarint-length-prefixed strings: the other end's user key, the qualifier
// (a derivation relation or affiliation role), and a link's reason, note,
// by and at; a retracted link's value is format byte 02 and nine strings,
// the six and the retraction's at (RFC 3339 in UTC with nanoseconds, one
// spelling only), by and reason:
//
//	02 | 01 "c" | 00 | 00 | 00 | 00 | 00 | 1e "2026-03-04T05:06:07.000000008Z" | 01 "b" | 01 "r"
//
// Carrying the other end's key lets a trace read a node's edges with one
// prefix scan and no lookups. Layout 1 (before history) had no format 02
// and none of the families h, v, w, r and a; this version reads it as is
// (nodes written then have no history). Layouts 1 and 2 had no family s:
// New builds the search keys of such a store in one commit and marks it
// layout 3 (snapshots before that commit find nothing). Layouts 1 to 3
// had no family f: New builds the facet keys in one commit (reindexFacets;
// for layouts 1 and 2 before the search keys) and marks the store layout
// 4; a crash before the mark leaves the old layout marked, and the next
// open builds them again (the same keys).
//
// # Edges
//
// There is one key per edge and direction: a reference field (a quote's
// speaker, a source's derived_from ...) or a link (supports, contradicts
// ...). Links are identified by (from, relation, to); writing one again with
// the same attributes is unchanged, with other attributes rewrites both
// keys. A node's reference edges are diffed on change: removed edges are
// deleted in both directions, added ones set, the rest untouched. A node
// that refers to one target twice through one relation (two affiliations
// with one organisation) has one edge, with the first qualifier; the record
// keeps both.
//
// Relation codes, fixed forever (fields below 20, links from 20):
//
//	01 speaker      05 expresses     09 stated_by     20 supports     24 repeats
//	02 source       06 publisher     0a parent        21 contradicts  25 retracts
//	03 channel      07 author        0b affiliation   22 context      26 corrects
//	04 reported_by  08 derived_from  0c about         23 same_as      27 responds_to
//
// Because the kind is the top byte of an id, o|id|rel|kind selects the
// neighbours of one kind: i | source id | 02 | 04 are the quotes of a
// source, i | source id | 02 | 06 its figures. The quote speaker, quote
// source and figure source indexes are these incoming adjacency keys. Edges
// come in (relation code, other id) order; an EdgeQuery's After cursor
// resumes after the last edge in that order whose other end is the cursor.
// Counting uses key-only scans.
//
// # History
//
// Every Apply that changes something commits, with its writes, one
// revision (graph.Revision) per created or updated node and per link
// change, under the node it belongs to: h | id | rev | seq, where rev is
// the commit timestamp and seq numbers the revisions of one node within
// the commit (a node created and linked by one batch has two). A link
// revision is written under both ends (an updated link only under its From
// node), so a prefix scan of h | id is the node's history, links from or
// to it included, oldest first, and a snapshot cuts it at its commit.
// v | id holds the node's latest rev, written in the same commit, so that
// Revisions and the Expected check are one point read per key. An Apply
// that changes nothing writes nothing, not even a revision.
//
// A revision value is format byte 01, a flags byte (01: a link follows; 02:
// the JSON is derived) and uvarint-length-prefixed strings: change, key,
// by, note, before, after, and for a link change the link's seven fields.
// Created and updated revisions of a node store no JSON (flag 02): their
// After is the node record as of rev, which History reads from a snapshot
// at rev (every version is kept), and the Before of an update is the After
// of the node's previous created, updated or merged revision. Only
// retracted, merged and link revisions store their JSON. This keeps a
// node's bytes from being written twice: a first version stored the JSON
// in every revision, and history then cost 38% more bytes and 33 to 40%
// more import time; see Costs.
//
// # Curation
//
// Unlinks delete both adjacency keys of a link. A retracted node gets
// w | id (at, by, reason); a retracted link is rewritten in format 02 in
// both directions, so that Edges reports the retraction without another
// read; a later upsert of the link keeps it. A merge of keys K into node I
// (graph.Merge) rewrites I's record (graph.MergeInto) and its index and
// reference keys, deletes each K's record, kind-list and index keys and
// its reference edges, moves its other edges to I (an edge I already has,
// or one between nodes of the merge, is dropped), points k | K at I's id,
// writes r | K (K's own id, so History(K) still reads h | K's id, and I's
// key) and a | I | K, and repoints the keys merged into K earlier, and
// writes m g. Edges reports the queried end under the key it resolves to;
// writers and Edges look r up only when m g exists. Records referring to K are
// not rewritten: their edges point at I, and a later write of such a
// record resolves K to I again.
//
// # Costs
//
// Measured on the 2-core development machine (Badger v4.9.6, on disk,
// synced), side by side in one run with the store's history switched off
// by a benchmark-only knob (BenchmarkImportHistoryCost,
// BenchmarkApplyOneChange, BenchmarkAsOf; the machine is shared and noisy,
// so ratios within about 10% are noise):
//
//	import of 10k quotes (16.6k nodes, 2k links; 639k keys)
//	  history: +33.5k keys (+5%), +16.6% bytes, time ratio 0.94 to 1.05
//	  (first version, JSON stored in every revision: +37.6% bytes, 1.33 to 1.40)
//	one Apply changing one quote: 1.0 ms synced with or without history
//	  (ratio 0.94); unsynced 179 us against 169 us (1.06)
//	node + trace read after 100 revisions of the node:
//	  as of its first version 57 us, as of the latest 58 us (ratio 0.99)
//	History of that node (101 revisions, 101 past records read): 118 us
//
// Managed mode keeps every version, so asOf needs no second copy of the
// data and reading an old instant costs what reading the latest does;
// the price is that nothing is ever garbage-collected (the store grows with
// every change) and that history bytes are paid on each write.
//
// # Indexes
//
// Name (index 01 of family x): the name and each alias of people and
// organisations folded with fold.Name (case, accents, punctuation).
// URL (index 02 of family x): sources' URLs as written. Values are escaped
// (00 becomes 00 ff) and terminated by 00 01, so the order of values is
// kept and no value's key is a prefix of another's; values over 4096 bytes
// are not indexed. Dates (family d): said_at of quotes (index 01) and
// published_at of sources (index 02), as unix nanoseconds big-endian with
// the sign bit flipped, so byte order is time order (dates before 1678 or
// after 2262 are clamped); a date-only value is midnight UTC, a month or
// year its first instant.
//
// whoSaid (QuotesMatching, whosaid.go) reads the search postings of
// field text (s | 04 | term) and, for the words whose stem differs from
// them ("running", "ferry"), word postings s | fc | word | 00 | id
// (unstemmed, positions only), which every quote writes with its search
// keys. The words of the query that it bounds on both sides are whole
// words of a matching quote; they are looked up as written, intersected
// by leapfrogging over the sorted ids (rarest first) and kept where they
// stand next to each other as in the query; the word at the right edge
// expands, as a prefix, over the distinct words (skip scans); a query of
// one word or part of one reads the words of the dictionary that contain
// it. Every candidate's record is then checked (fold.Text substring, the
// contract), so the postings only select. Quotes that the search analyser
// and fold.Text split into other words (ligatures, other scripts'
// accents) have word postings for every word of their folded text. A text
// without letters or digits is refused. Results come in id (creation)
// order. Family t (trigrams, 62 of the 76 keys a quote had) is retired in
// layout 4.
//
// # Full-text search
//
// The search keys of a node (family s) are index entries like the others:
// putNode writes them with the record, diffs them against the old
// record's on update and a merge deletes them with the merged record, so
// postings, lengths and statistics change in the same commit as the
// record, and a crash leaves them consistent by construction (a cut split
// commit is repaired as a whole, see Large commits); asOf reads them as of
// then. Analysis, query parsing and scoring are package graph's
// (graph.Analyze, graph.ParseSearch, graph.SearchExpr.Score), shared with
// memgraph; TestSearchAgreesWithMemgraph checks that both give the same
// hits, scores and highlights. Fields: 1 name, 2 aliases (sub is the alias
// number), 3 title, 4 text, 5 measure (graph.SearchField).
//
// A query reads the five statistics keys, then scans the postings of each
// term in each field twice (a prefix term first skips from term to term
// over the keys, up to 50 terms per field): keys only, for each term's
// document frequency and the ids of the selected kinds, intersecting the
// clauses smallest first into the candidates; then with values, decoding
// the occurrences of the candidates only (a list far longer than the
// candidates is read by point lookups). It reads the candidates' length
// keys and scores them with BM25 (k1 1.2, b 0.75, names weigh 3, titles 2,
// the rest 1), checks phrases from the positions and pages by (score,
// key). Decoding only the candidates took a three-word query on a 20k-quote
// corpus from p50 8.9 to 3.8 ms and p99 67 to 29 ms. The cost still grows
// with the number of matches (one length read and one score each): at 1M
// quotes, queries matching 25,000 quotes take about 300 ms (README,
// Benchmarks); keeping field lengths in the postings and scoring top-k
// with MaxScore is the next step.
//
// # Filtered lists
//
// graph.Selector (Select, Aggregate; store/select.go, store/facet.go)
// serves the root lists with filters: quotes by speaker, source,
// publisher (of the source) and mode, sources by kind and publisher,
// figures by source, publisher, unit, measure and stated_by, people by
// affiliation, organisations by kind and parent, claims by about (the
// facets, graph.FacetKinds); said_at, published_at and figure value
// ranges; a text filter; key or value order, ascending or descending.
//
// Keys. Each facet value of a node has two keys in family f: in key order
// (f | kind | facet | 00 | value | key: the user keys of one value in key
// order) and in value order (f | kind | facet | 01 | value | marker |
// order value | key: said_at, published_at or the figure's value, as
// graph.NodeSortValue maps them to 8 order-preserving bytes; marker 01
// when the node has the value, 02 when not, so that nodes without one
// come after the others); kinds without an order value (people,
// organisations, claims) have the key-order keys only. Each node of a
// kind with an order value also has f | kind | 00 | 01 | 00 01 | marker |
// value | key, every node in value order (the y family is every node in
// key order). The node's column, f | kind | ff | key, holds its values:
// a rewrite reads it to know the keys to delete, an aggregation reads a
// node's values with one Get. The values are graph.FacetValues: keys of
// references resolved through merges, strings normalised
// (graph.NormalFacetValue). Values are escaped (00 becomes 00 ff) and
// terminated by 00 01; the user key ends the key. Keys carry user keys,
// not ids, so that ties and key order are the order of keys that the
// API promises, and a page needs no lookup.
//
// Writes. The facet keys are index entries of the node (putNode):
// written with the record, diffed on change, deleted by a merge, in the
// same commit. They are computed in the state after the batch: the
// publisher of a quote or figure is read from its source (the batch's
// record when the batch writes the source), and a reference to a key the
// batch merges resolves to the merge's Into. When a batch changes what a
// node's facets depend on without changing the node (a source's
// publisher; a merge of an organisation or person that quotes, figures,
// sources, people, organisations or claims refer to), the writer rewrites
// the facets of the dependants (the quotes and figures of the source,
// through i | source | 02 | 04 and 06; the nodes referring to the merged
// key, through its incoming reference edges) in the same commit, following
// chains (a merged organisation that published a source changes that
// source's quotes). asOf therefore sees every facet as it stood.
//
// Reads. A selection is a join of streams of positions (the key suffix
// after a stream's prefix: marker, value and user key in value order, the
// user key in key order). A facet filter is one stream, the k-way merge of
// the prefix scans of its values; without facets the stream is every node
// of the kind. A range narrows every scan to the marker-01 keys between
// the bounds. The streams are intersected by leapfrogging (each seeks to
// the largest position another has reached, so the rarest drives and the
// others skip); each stream reads keys only, in batches that grow from 16
// to 1024 keys while it reads in order and shrink when it jumps. Desc
// reads backwards (Range.Reverse: a reverse Badger iterator, ORDER BY key
// DESC on PostgreSQL): the nodes with a value first, then those without.
// A cursor is the position (graph.SelectCursor), so paging is a seek.
//
// Text. Selection.Text matches whole words (graph.TextMatches: the words
// of the filter, as graph.Analyze reads them, are words of the text, and
// the folded filter is a substring of the folded text, as whoSaid folds).
// Its candidates come from the search postings of the kind's text fields
// (graph.SelectTextFields): the postings of each term are counted (up to
// 4096); when the rarest has at most that many, the nodes holding every
// term (one Get per other term) become one more stream, sorted by
// position (the order value read from the column); otherwise the join is
// filtered node by node through the postings. Either way each result is
// checked against its record before it is returned.
//
// Counts. Select.Count is one key-only scan per value of a single facet
// (or of the kind's every-node keys) between the range's bounds; with
// several facets, a text filter, or several values of a facet a node can
// hold twice (affiliation, about), it walks every match. Aggregate without
// filters is one key-only scan of the facet's key-order keys, counting the
// values (the nodes without one are the rest of the kind), or of the
// every-node keys for months; with filters it walks every match and reads
// each match's column (one Get), months coming free from the positions.
//
// Costs, measured with BenchmarkSelect and BenchmarkFacetCost on the
// generated corpus (package gen, on disk, compaction settled; the machine
// is shared and loaded, so the ratios are the figures): the quotes of the
// busiest speaker over a year, first page of 20 with the total, against a
// raw scan of every quote record doing the same filter (decode, filter,
// sort):
//
//	10k quotes (35 matches):   34 us against 242 ms
//	100k quotes (483 matches): 1.2 ms against 637 ms (ratio about 500;
//	                           0.2 ms of CPU per Select in a profile)
//
// The facet family adds, per quote of the 100k corpus, 13.7 keys and 342
// bytes of keys and values (every kind's facets; the quotes' own are 10
// keys and 243 bytes), a fifth of the store's 1,681 bytes and a quarter of
// its 52.9 keys per quote.
//
// # Options
//
// Options.Dir or Options.InMemory (memtable of 16 MiB; Badger refuses less
// than about 8). Options.Logger receives Badger's logs through a zerolog
// adapter, Badger's routine information at debug level. Commits are synced
// unless Options.NoSync. Options.EncryptionKey turns on encryption at rest
// (with the index cache it needs). On-disk stores run value-log GC every
// Options.GCInterval (10 minutes by default) in a goroutine that Close
// stops. A data directory already open in another process yields an error
// wrapping graph.ErrLocked that says the directory is in use, probably by a
// running `claimgraph serve`.
package store
