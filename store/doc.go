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
// # Bulk commits
//
// An Update of 100,000 writes or more (an import) into a store whose Badger
// memtables are empty (a new store: New writes nothing; or one whose
// commits since it was opened were all bulk commits) does not go through
// transactions (bulk.go). Inserting millions of keys at random into the
// memtable's skiplist, one goroutine, and writing them to the write-ahead
// log was about 45% of an import's CPU. Instead the engine sorts the
// writes (the last write of a key wins) and hands them to Badger's
// StreamWriter in PrepareIncremental mode, which builds sorted tables
// directly, one level above the highest level holding tables, while
// readers go on reading (Prepare would drop everything). The writes are
// split by key into ranges of about 32 MB (at least two per core from
// 65,536 writes), the bounds chosen from a sample of 8,192 keys; workers
// sort one range each on 16-byte key prefixes and write it as one stream,
// so that Badger builds the tables in parallel. Every key is written at the
// commit timestamp, a delete as a tombstone (none in an empty store), the
// commit marker in the first range; the timestamp is published after
// Flush (and a sync of the value log unless NoSync), so readers at the
// previous commit, and asOf, never see part of it.
//
// The first run holds only family 00 (the commit marker). A key group
// (a family and the byte after it: the node kind for most families, the
// field for postings) of 4 MB or more of the batch's writes (estimated
// from the sample) has runs of its own, and within it the writes after
// the greatest key the store holds there (one reverse seek per group) go
// to runs of their own too. Badger builds a table per run, and its
// compactions merge a table with every table of the level below whose
// key range overlaps its own: so the records, edges and revisions of a
// batch's new nodes (ids above every stored one, kind by kind) make
// tables that overlap nothing stored and are moved down unmerged, where
// a table spanning two families, or old ids and new ones, made the
// compactions rewrite every stored table in between. The 1M-quote corpus
// imported as four files (`split`, 440,461 lines each), then the
// compactions left to settle (the import, then the same store opened
// until no level is over its target), four runs before and after:
// 108 + 13, 110 + 14, 105 + 13 and 100 + 11 s before; 104 + 9 and
// 106 + 8 s (every group apart), 100 + 7 s (with the next paragraph's
// change too) and 95 + 8 s (groups of 4 MB or more) after, the
// compactions' CPU 24 to 29 s before and 15 to 19 s after. Groups under 4 MB stay together because a stream
// costs a table: with every group apart a 10k-quote batch took 64
// streams and 30 ms more (a tenth of its commit); it takes 5, a 100k one
// 20.
//
// A batch that claimgraph import validated against the store and the
// files before it is not validated again by Apply when the files before
// it were each applied on the commit the one before it made
// (graph.ApplyResult.Base): the writer used to validate every file after
// the first again, 13 s of the four files' 191 s of CPU.
//
// The engine takes the transaction path instead when the memtable holds a
// version newer than every table (a commit through transactions since the
// last flush). Each bulk commit takes the level above the shallowest one
// holding tables, and Badger's compactions move them down between commits
// (an import in chunks: L6, L5 ...). When that level is L0 or L1 (the
// compactions fell behind the chunks, or a store was reopened after
// transaction commits, whose memtable went to L0 at close), a batch whose
// staged bytes are at least a quarter of the tree's first merges the
// levels into the last with Badger's Flatten, then takes the bulk path;
// a smaller one goes through transactions, as a Flatten would rewrite the
// whole tree for it. The Flatten makes the merges the compactions would
// make of those levels anyway, where millions of writes through the
// memtable cost more memory and leave L0 for the compactions: the eighth
// 880k-line file of a 4M-quote import (4.7M writes), into the same store,
// took 157 s and 10.0 GB of peak RSS through transactions, leaving L0
// behind, and 169 s and 6.9 GB flattening first (98 s of it the Flatten,
// which also merged the L0 the seventh file's transactions had left).
// PrepareIncremental would flatten too, but in Badger v4.9.6 its Flatten
// restarts the compactions during the stream, so the engine flattens
// before it (TestBulkFlattensFullLevels). The threshold is an Options knob
// for tests (bulkWrites; the conformance suites run with it at 1).
//
// Crash. Badger writes a stream's table, and enters it in its manifest,
// when the stream ends, in no fixed order, so a crash can leave any subset
// of the tables, the marker's included: the marker cannot tell. Before the
// stream the engine writes and syncs a file in the data directory,
// CLAIMGRAPH-BULK-COMMIT, holding the last complete commit and the bulk
// commit's timestamp, and it removes it (syncing the directory) after
// Flush; at open, a store holding that file is repaired as above from the
// commit it names, whatever part of the bulk commit reached the disk.
// TestBulkCrashDuringStream cuts a bulk commit after one stream and after
// all of them without Flush: the commit marker was on disk both times, and
// the reopened store is the previous commit (Verify clean). A bulk commit
// that fails while running makes the engine refuse writes until reopened.
//
// Figures, 100k generated quotes (176k records, 3.33M keys, 143 MB of
// keys and values), one Apply into a new on-disk store, measured while
// other jobs loaded the 2-core machine (load 5 to 9; seconds are 2 to 3
// times an idle machine's, the ratios are the figures):
//
//	BenchmarkBulkImport, side by side, bulk path / transactions:
//	  one Apply 47.2 s / 59.9 s (0.79); in another run 52.4 / 85.0 (0.62)
//	  4 chunks  36.4 s / 54.9 s (0.66); 47.5 / 72.7 (0.65)
//	claimbench, one run: claimgraph 50.4 s, raw Badger WriteBatch 33.0 s,
//	  SQLite 25.3 s; rate 0.65 of raw Badger's (0.42 before, with a
//	  layout of 5.29M keys); 3 chunks: 66.3 s, 52.5 s, 22.6 s (0.79)
//	peak RSS of the import (corpus and staged writes included):
//	  2.11 GB bulk, 2.42 GB transactions
//	1M quotes in 8 chunks (33.2M keys, every chunk a bulk commit):
//	  claimgraph 477 s, raw Badger 222 s (0.46), SQLite 141 s
//	100k quotes in 4 chunks, each Apply (bulk commit part): 16.3 s
//	  (3.5 s), 10.3 (3.3), 5.8 (2.2), 6.8 (2.1); PrepareIncremental
//	  took 2 to 19 ms
//
// In a CPU profile of the bulk import the memtable and write-ahead log are
// gone; the writer (records, index, facet and search keys) is 48% of the
// CPU, the bulk path's sort, encoding and Badger's Write 23%, Badger's
// table building (compression included) about 8%, the rest GC. The commit
// is now about a quarter of an Apply's time; the writer is the rest.
//
// Since then (store/ahead.go) the writer's pure part runs on the other
// cores a chunk of 256 nodes ahead of it: each record's encoding, its
// index and search entries (keys as bytes, posting keys marked), its
// creation revision and, when the store holds no merges and the batch
// names the node's source, its facet column and keys; the serial writer
// keeps ids, the facet columns that need store reads, posting lists,
// history order and the bookkeeping of changed nodes. Staged writes are
// copied into a pointer-free arena (writeLog) and bulk runs sort on
// (prefix, write order) held in the items, reading keys only where
// prefixes tie. With JSON Lines decoded on every core, the 100k-quote
// claimbench import went from 16.5 s to 10.5 s (raw Badger WriteBatch
// 9.8 s) and `claimgraph import` of the generated 100k file from 16-19 s
// to 13-15 s end to end, peak RSS 2.1-2.3 GB to 1.9 GB.
//
// # Imports in several batches
//
// A corpus too large for one batch in memory goes in as several; applied
// one commit each, every batch after the first is a bulk commit into a
// store that holds data, and Badger's compactions merge it with
// everything stored, because most key families (the key index, facets,
// postings, incoming edges) interleave with every stored key: the 10M
// corpus in nine batches kept 0.45 of the 1M rate. Store.BeginImport
// (import.go) runs the batches on an engine of its own instead, for a
// store that holds no commit yet: each batch reads the state the batches
// before it made and stages its writes as usual; the next batch (or a
// View) first sorts them, partitioned as a bulk commit's (partition,
// sortRun; the last write of a key wins), into a run of Badger table
// files (package table, uncompressed, 16 KiB blocks, a bloom filter) in
// a directory of the data directory, one table per range of about 64 MB.
// Reads merge the runs, the newest first: a Get checks each run's table
// whose range holds the key (its bloom filter first), a Scan merges the
// runs' concatenated tables with Badger's merge iterator (the first of
// equal keys wins; a tombstone hides the key). Commit streams the merge
// of all runs into the StreamWriter, tombstones dropped, in ranges of
// about 32 MB cut at the run tables' first keys and at every key group
// (so that no stored table spans two groups: see Bulk commits), one
// stream per range on every core; with one batch only, its writes go
// straight to a bulk commit. Each key is thus written to a run, read
// once by the merge and written once to the store, whatever the number
// of batches. The batches share the import's commit timestamp: a node
// revised by two of them continues its history sequence (nextHistSeq),
// so the import is key for key the batches applied one commit each
// (TestImportMatchesApplies). The import holds the writer lock and marks
// its commit in progress from begin to end (asOf reads of later instants
// wait); a crash before the commit leaves the store empty and the run
// directory, which the next open removes; a crash during the commit's
// stream is repaired at open as a bulk commit's. Encrypted stores, stores
// in memory and stores that hold data refuse (ErrNoImport) and take one
// commit per batch.
//
// A batch after the first finds a node's next history sequence number
// by point reads (nextHistSeq). It reads, before the ahead goroutines start, the
// publishers of the stored sources its quotes and figures cite
// (citedPublishers), so that those goroutines compute the facet columns
// of its quotes too; the serial writer did, with a read each.
//
// Measured and not kept: the batches after the first writing their facet
// entries as logical keys, each list blocked once at the commit (merging
// them into the stored blocks rewrites most blocks of the lists they touch,
// batch after batch): the 5M corpus's first three 1M-quote files took 300
// s with it against 287 s without (the commit's per-group streams were the
// slower part).
//
// # Key layout
//
// Every key starts with a one-byte family. Ids are internal uint64 values,
// big-endian, with the node kind in the top byte (1 person, 2 organisation,
// 3 source, 4 quote, 5 claim, 6 figure) and a per-kind counter below; the
// counters (family c) are read and advanced inside the serialised writer and
// never read by readers. The live counts beside them (c | kind | 6e) hold
// how many nodes of the kind exist, written by the writer in the commit
// that adds or merges them away, so List's total and Stats read one key
// instead of counting every node (a page of List at 1M quotes counted 1M
// keys); the edge and link counts (c | 00 | 'e', 'l') do the same for
// Stats' edges and links (at 1M quotes it scanned 4M keys, about a second,
// on every view of the browser's front page). A store written before them
// gets them when it is opened, in one commit. Examples
// use quote q1 with id 04 00 00 00 00 00 00 07 and person p-1 with id
// 01 00 00 00 00 00 00 02.
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
//	        c | kind | 6e                               nodes of the kind (8 bytes): List's total, Stats
//	        c | 00 | 65, c | 00 | 6c                    edges (o keys), links among them (8 bytes): Stats
//	68 'h'  h | id | rev (8) | seq (4)                  revision
//	76 'v'  v | id                                      latest rev of the node (8 bytes)
//	77 'w'  w | id                                      retraction of the node
//	72 'r'  r | merged user key                         own id (8 bytes) | key it resolves to
//	61 'a'  a | into id | merged user key               empty (the keys merged into a node)
//	66 'f'  f | kind | facet | 10 | escaped value | last key   block of up to 128 user keys (filtered lists, key order)
//	        f | kind | facet | 11 | escaped value | last entry block of up to 128 entries 01 | value (8) | key or 02 | key (value order)
//	        f | kind | 00 | 11 | 00 01 | last entry       the same, every node of the kind in value order
//	        f | kind | ff | key                         the node's facet values
//	        (a list's last block is keyed ff instead of its last entry; Facet blocks)
//	6d 'm'  m v                                         key layout version (08)
//	        m g                                         empty: some key was merged
//	        m r                                         empty: some node was retracted (layout 8)
//	6c 'l'  reserved: change log
//	73 's'  s | 10+field | term | 00 | last id          block of up to 128 search postings (Posting blocks)
//	        s | 1c | word | 00 | last id                block of up to 128 whoSaid word postings
//	        s | ff | id                                 user key and word count per field
//	        s | fb | id                                 empty: a quote always checked by whoSaid (irregular, or a word over 256 bytes)
//	        s | fd | field | reversed word | 00         empty: reversed dictionary of the lists of fields 04 and fc (layout 6)
//	        s | fe | field                              nodes and words of the field (BM25 statistics)
//	        (a list's last block is keyed ff ff ff ff ff ff ff ff instead of its last id;
//	        every word position in a posting is stored as pos<<2 | literal<<1 | joined, layout 6)
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
//	s text "ferry", q1 alone in the list (once, word 3 of 12, literal and
//	  followed by one space: pos 3<<2 | 3, code points 11 to 16)
//	                     73 14 6665727279 00 ffffffffffffffff
//	                     -> 02 01 87808080808080800401 0c 04 000f 0b10
//	s reversed dictionary of the list of "ferry" in field text
//	                     73 fd 04 7972726566 00                     -> (empty)
//	h c-1 rev 1890000000000001 seq 2
//	                     68 0500000000000003 1890000000000001 00000002 -> 01 02 "updated" "c-1" ...
//	v c-1                76 0500000000000003                        -> 18 90 00 00 00 00 00 01
//	w c-1                77 0500000000000003                        -> 01 "2026-03-04T05:06:07.000000008Z" "curator" "why"
//	r p-2 (into p-1)     72 70 2d 32                                -> 0100000000000009 "p-1"
//	a p-1 <- p-2         61 0100000000000002 70 2d 32               -> (empty)
//
// The facet entries of quote q1 by speaker p-1 (facet 01), mode direct
// (facet 04), said on 2026-03-01 (order value 98 98 8e 8f 6b 2f 00 00, the
// instant as graph.TimeSortValue maps it), each the only entry of its
// list (so in the list's last block, keyed ff); a block's value is the
// count, then each entry as the length it shares with the one before,
// the length of the rest, and the rest:
//
//	f speaker p-1, key order
//	                     66 04 01 10 702d31 00 01 ff                 -> 01 00 02 7131
//	f speaker p-1, value order
//	                     66 04 01 11 702d31 00 01 ff                 -> 01 00 0b 01 98988e8f6b2f0000 7131
//	f mode direct, value order
//	                     66 04 04 11 646972656374 00 01 ff           -> 01 00 0b 01 98988e8f6b2f0000 7131
//	f every quote, value order
//	                     66 04 00 11 00 01 ff                        -> 01 00 0b 01 98988e8f6b2f0000 7131
//	f column of q1       66 04 ff 7131 -> 01 01 98988e8f6b2f0000 01 03 "p-1" 04 06 "direct"
//	f claim c1 about a<NUL>b (facet 0b), a claim having no order value
//	                     66 05 0b 10 6100ff62 00 01 ff               -> 01 00 02 6331
//
// A node record is a format byte (01), the kind byte and the node's bundle
// JSON; it round-trips exactly, and an upsert whose record is byte-equal to
// the stored one writes nothing. An edge value is a format byte (01) and six
// uvarint-length-prefixed strings: the other end's user key, the qualifier
// (a derivation relation, an affiliation role, or the cue of a quote's
// speaker and reported_by edges), and a link's reason, note,
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
// open builds them again (the same keys). Layouts 1 to 4 had one key per
// posting (s | field | term | 00 | id, s | fc | word | 00 | id): New
// deletes family s and writes it again, postings in blocks, in one commit
// that marks the store layout 5 (reindexPostings; 22 s for the 100k-quote
// corpus, 2.1 million keys deleted). The deleted keys stay in the engine
// (every version is kept), under other list bytes than the blocks, so
// that no block scan walks them. Layout 5 had no flags on the word
// positions of the postings, no reversed dictionary (s | fd) and listed
// under s | fb only the quotes with a long word: New runs the same
// migration (reindexPostings) for a store of layout 5, and marks it 6
// (34 s for the 100k-quote store, 7.5 minutes and a peak RSS of 5.1 GB
// for the 1M-quote one, on the loaded 2-core machine). Layouts 4 to 6
// stored one key per facet entry (f | kind | facet | 00 or 01 | escaped
// value | entry): New deletes them and writes family f again, entries in
// blocks under the list bytes 10 and 11, in one commit that marks the
// store layout 7 (for a store before layout 6, the search keys follow).
// The columns stay as they were. Layouts 1 to 7 wrote a quote's speaker and
// reported_by edges without a qualifier: since layout 8 the quote's cue
// qualifies them (graph.Quote.Refs), so that a trace takes a quote's cue,
// source and channel from the quote's own edges (2.8 of 3.8 record reads
// a trace on the 100k corpus; the cold trace took 0.85 of its time,
// BenchmarkTraceStore), and the root's kind from its id: graph.TraceFrom
// reads no record (a further 0.93). New writes the
// attribution edges of every quote with a cue again in one commit, reading
// only the quote records (reindexCues, the first step of every
// migration; 2.4 s and 0.34 GB of peak RSS for the 100k-quote store, 30 s
// and 2.0 GB for the 1M-quote one), and marks the store layout 8. Layout 8
// also keeps the retracted flag (m r), written by the first retraction as
// m g is by the first merge, so that a trace of a store without
// retractions skips its seek for them (the migration sets it when family
// w holds a key; verify checks it). The states before the migration's
// commit, read as of then (ViewAt), keep their cues and retractions: such
// a reader takes an attribution edge's cue from the quote's record when
// the state's layout is before 8, and looks for retractions whatever the
// flag says. The two flags, and whether the state holds any key, are read
// once per commit: the snapshots of the latest commit share the answers
// (Store.stateFlags), which took a cold trace request over GraphQL at 100k
// from 16.4 to 13.2 of the engine's reads.
//
// # Posting blocks
//
// A posting list (the nodes holding a term in a field, or the quotes
// holding a word) is stored in blocks of up to 128 postings in id order
// (postings.go). The writer still produces one logical entry per posting
// and node, s | field | term | 00 | id -> tf, the node's word count in
// the field, then (sub, pos, start, end) per occurrence (s | fc | word |
// 00 | id -> count, then positions), and diffs them like any index entry;
// writer.set and writer.del route these keys into a per-batch buffer, and
// at the end of the batch (flushSearchStats) each touched list is merged:
// its blocks from the one holding the smallest written id to the one
// holding the largest are found by one forward key-only scan, read (one
// Get each), merged with the writes, split at 128 and written back; a
// block left empty is deleted. A block's key is its list's prefix and its
// last id, except the list's last block, keyed ff..ff: an import appends,
// so it tops up that block without moving it, and writes full blocks
// before it. Readers and the writer never scan blocks in reverse (a
// reverse Badger iterator walks every deleted key below its start, and
// deleted keys are kept). A block value:
//
//	heads byte (02 search, 01 words) | uvarint n | uvarint first id |
//	n-1 uvarint id deltas | n × heads uvarints (tf and length; count) |
//	n × uvarint payload length | the payloads (occurrences; positions)
//
// so that ids, tf and lengths are read without decoding an occurrence
// (the example above: n 1, first id q1, tf 1, length 12, a payload of 4
// bytes, sub 0, pos 3 stored with its flags as 0f, code points 11 to 16). postingCursor reads a list
// in id order and seeks by block keys (the first key at or after
// prefix | id is the block holding id, or the first posting after it), so
// a block without an id sought is skipped undecoded. Verify decodes each
// block into its logical entries and compares them with the entries the
// builders produce; a block that does not decode, or that overlaps the
// previous block of its list, is a decode problem of family s, and a
// per-posting key of layout 4 an extra one.
//
// Blocks took the keys per quote of the generated 100k-quote corpus from
// 52.9 to 33.3 (claimbench): family s now holds 1.8 keys per quote of
// the 50k-quote corpus, mostly the length keys (s | ff), where it held one
// key per posting (14 search and 4 word postings per quote).
// Block sizes 64, 128 and 256 measured alike within the machine's noise
// (50k quotes, two rounds: search p50 1.5 to 4.3 ms, whoSaid 7 to 14 ms,
// import 11 to 20 s, 99k against 88k family-s keys); 128 is kept.
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
// field text and, for the words whose stem differs from them ("running",
// "ferry"), the word postings (unstemmed, positions only), which every
// quote writes with its search keys; both in blocks (Posting blocks),
// read through postingCursor. The words of the query that it bounds on both sides are whole
// words of a matching quote; they are looked up as written, intersected
// by leapfrogging over the sorted ids (rarest first) and kept where they
// stand next to each other as in the query; the word at the right edge
// expands, as a prefix, over the distinct words (skip scans); a query of
// one word or part of one reads the words of the dictionary that contain
// it. Since layout 6 (whosaid_flags.go, whosaid_query.go) a query of
// plain words (letters and digits separated by single spaces) also
// constrains its first word, by suffix (the reversed dictionary
// s | fd), and a candidate whose words are literal, joined by single
// spaces (two flag bits on every stored position) and not under s | fb is
// proven to match without reading its record; its user key is read from
// s | ff only when it is on the page. Every other candidate's record is
// checked (fold.Text substring, the contract: irregular quotes, words
// apostrophes cut, queries with punctuation; results stay exactly the
// definition's). BenchmarkWhoSaidStore, claimbench's phrases (three
// plain words of a quote), proven path and previous reader side by side
// in one run, the machine shared (load 3 to 6):
//
//	                        CPU/query        p50            p99            records read/query
//	100k (2,466 matches)    3.4 / 32.2 ms    2.1 / 31.8     23 / 160       5.8 / 3,281
//	1M (28,230 matches)     64 / 402 ms      49 / 388       491 / 1,934    21 / 35,862
//	1M, proven path alone   30 ms            18.9           151 to 176
//
// (the stores are claimbench's, migrated from layout 5: three versions
// of every block key, where a fresh import has one; a fresh 100k store
// measured alike within the noise.) What is left grows with the postings of
// the query's words: every block of their lists holding a candidate is
// read, and a first or last word expands to the lists of every word
// ending or beginning with it ("it was a": 57,666 matches, 0.4 to 0.8 s;
// "is reckless and", 2,971 matches but the lists of every word ending
// with "is": 0.23 s). Since then (whosaid_query.go) the word with the
// fewest blocks drives, the other words' unions are probed instead of
// kept in a heap (the list that proved the last match asked first), a
// candidate whose words stand at no common base is dropped before every
// list of the unions is sought at it, a candidate whose placements lack
// a joined flag is no match without its record, and a query with the
// total over a long driving list walks in stretches, four per processor
// taken in turn by one walker per processor:
// at 1M with the posting cache, "it was a" 14 ms, "this is a" 20 ms (one
// stretch), "is reckless and" 12 ms (no record read), the slowest of the
// 100 phrases about 30 ms. The records are read by point
// Gets (an iterator's seek to candidates 35 ids apart cost more: p50 26.5
// against 18.6 ms in an A/B on the 100k-quote corpus). QuotesMatchingPage
// (used by the GraphQL whoSaid field) checks only the candidates after
// the cursor until the page and one more match are found, and counts the
// total only when totalCount is asked for: at 100k quotes, where a bench
// phrase matches about 2,600 quotes, a page of 20 then reads about 21
// records instead of 2,600 (5 to 10 us each: the total, with its exact
// contract, costs that much; at 1M quotes, 24,212 matches per phrase,
// QuotesMatching took 207 ms at the median, records read by cursor). Quotes that the search analyser and
// fold.Text split into other words (ligatures, other scripts'
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
// A query reads the five statistics keys, then sizes its clauses: the
// block keys of each term in each field (a prefix term first skips from
// term to term over the block keys, up to 50 terms per field) are
// counted, keys only, a stretch of every list at a time, until a round
// ends with a clause counted whole (sizeClauses). The smallest such
// clause drives: its lists
// are read whole, one scan of their blocks decoding the ids, tf and
// lengths of the selected kinds and not the payloads (readAll); each
// other clause, by size, keeps the candidates one of its lists holds,
// its lists read at the candidates only (a block holding none is not
// decoded past its count). Every list read is scanned to its end, each
// block's count adding to the term's document frequency, which BM25
// needs before anything is scored: so the blocks of every term are read
// once, where the previous reader read them twice (counts, then ids).
//
// Without a limit every candidate is scored (BM25 with the tf and lengths
// the postings carry, k1 1.2, b 0.75, names weigh 3, titles 2, the rest
// 1; phrases checked from the occurrences; graph.SearchExpr.Score). With
// a limit (top-k, topk.go), a query with a phrase first drops the
// candidates where it does not stand (positions only, in id order); then
// each candidate gets an upper bound of
// its score from its tf and lengths alone: per list holding it, the
// weighted BM25 of that tf and length, times the number of clause terms
// the list can score as (a word given twice, the words of a phrase, the
// terms a prefix covers), times 1.5 when the query can earn the phrase
// bonus, plus a relative margin of 1e-9 for rounding. The candidates are
// taken in descending order of bound and scored exactly until the next
// bound is below the limit+1-th best score found after the cursor. A hit
// left unscored scores below every hit of the page, and every hit tied
// with the page's last is scored, so the page, its order (score, then
// key), More and the cursors are those of scoring every match;
// TestSearchTopKAgrees compares them with that reference (the previous
// reader, searchExhaustive in the tests) page by page, to the bit. Total
// is the number of candidates left. A candidate scoring above its bound (only a change
// of graph's BM25 that the bound does not follow could make one) makes
// the search score every candidate instead. The payloads of the
// candidates scored are read again by block key (a few hundred blocks a
// query); a search that scores every candidate or checks a phrase keeps
// (copies) the blocks it reads. The user keys (s | ff | id) are read only
// for the hits of the page and those tied in score with its edges
// (pageSearchHits), and the page is ordered by (score, key) as
// graph.PageSearch orders it.
//
// Costs. Before blocks (layout 4) a query read one key per posting, one
// length key and one user key per candidate: on the 100k-quote corpus
// (claimbench's phrases of three words, all required, 2,745 hits each on
// average), search p50 went from 34.7 to 10.0 ms in back-to-back runs
// (the machine shared and loaded: the p99s, 89 and 122 ms, measured the
// load); at 1M quotes (25,648 hits per query) p50 35 ms and p99 217 ms,
// SQLite FTS5's 34 and 216 ms in the same run, where layout 4 took about
// 300 ms at the median. That reader scored every match (about 1 us each
// in graph.SearchExpr.Score). BenchmarkSearchStore asks claimbench's
// questions (quotes only, first 20) of a kept store, top-k and the
// previous reader side by side in one run:
//
//	                    CPU/query         p50           p99          scored/query
//	100k (2,615 hits)   1.62 / 5.77 ms    1.27 / 4.70   16.6 / 33.5  42 / 2,615
//	1M (29,278 hits)    19.7 / 72.8 ms    20.4 / 60.7   131 / 468    210 / 29,278
//
// (top-k / previous reader, each of 100 phrases asked 4 or 5 times by
// both in alternating order, second of two runs; CPU ratio 0.28 at 100k,
// 0.27 at 1M. The machine was loaded, 8 to 10 jobs on 2 cores, so the
// wall times, above all the p99s, measure the load: a question of 904
// hits took 301 ms once; the CPU times are the figures.) The heaviest
// questions at 1M take 100 to 250 ms of wall time there: "we are
// working" has 67,172 hits, and its words' lists hold 371,893, 345,887
// and 124,281 postings in 6,582 blocks.
//
// What is left grows with the postings, not the matches: the exact total
// needs every candidate, and BM25 needs each term's document frequency,
// the sum of its blocks' counts, before anything is scored, so every
// block of every term of the query is read (Badger's iteration and block
// decompression, then the ids and heads decoded: 65% of a top-k query's
// CPU at 1M in a profile, 7 of them the sizing; scoring 30%, of which 21
// reading the scored candidates' blocks again; the page's keys 6%). A
// count of postings per term kept by the writer (a layout change) would
// save the sizing scans; the blocks would still be read for the total,
// and at 1M most blocks of the three lists hold a candidate. So the
// target of issue 8, p99 20 ms at 1M, is not met by this reader: the
// heaviest questions cost their postings. What would reach it: a total
// that may be estimated (as web search engines report one), which would
// let top-k skip the blocks whose bounds cannot reach the page
// (block-max WAND), or fewer, larger blocks for long lists.
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
// Keys. Each facet value of a node has two entries in family f: in key
// order (in the list f | kind | facet | 00 | value: the user keys of one
// value in key order) and in value order (in the list f | kind | facet |
// 01 | value: marker | order value | key: said_at, published_at or the
// figure's value, as
// graph.NodeSortValue maps them to 8 order-preserving bytes; marker 01
// when the node has the value, 02 when not, so that nodes without one
// come after the others); kinds without an order value (people,
// organisations, claims) have the key-order keys only. Each node of a
// kind with an order value also has the entry marker | value | key in the
// list f | kind | 00 | 01 | 00 01, every node in value order (the y family
// is every node in key order). Since layout 7 a list's entries are stored
// in blocks of up to 128 (facetblocks.go): the list byte 00 or 01 becomes
// 10 or 11 and the key ends with the block's last entry (ff for the
// list's last block), so a page reads a block or two, and a quote writes
// its share of blocks instead of nine keys. The node's column, f | kind |
// ff | key, holds its values:
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
// others skip); each stream reads entries (scanFacetList: the block
// holding the position, then the blocks after it), in batches that grow
// from 16 to 1024 entries while it reads in order and shrink when it
// jumps. Desc reads backwards (the block holding the position, then a
// reverse Badger iterator over the blocks before it; ORDER BY key DESC on
// PostgreSQL): the nodes with a value first, then those without.
// A cursor is the position (graph.SelectCursor), so paging is a seek.
//
// Text. Selection.Text matches whole words (graph.TextMatches: the words
// of the filter, as graph.Analyze reads them, are words of the text, and
// the folded filter is a substring of the folded text, as whoSaid folds).
// Its candidates come from the search postings of the kind's text fields
// (graph.SelectTextFields): the postings of each term are counted from
// its blocks (up to 4096); when the rarest has at most that many, the
// nodes holding every term (one block read per other term) become one
// more stream, sorted by
// position (the order value read from the column); otherwise the join is
// filtered node by node through the postings. Either way each result is
// checked against its record before it is returned.
//
// Counts. Select.Count is one scan per value of a single facet (or of the
// kind's every-node list) between the range's bounds, reading only the
// blocks' counts when there are no bounds; with several facets, a text
// filter, or several values of a facet a node can hold twice
// (affiliation, about), it walks every match. Aggregate without filters is
// one scan of the blocks of the facet's key-order lists, adding up their
// counts by the value in their keys (the nodes without one are the rest
// of the kind), or of the every-node list for months; with filters it
// walks every match and reads
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
// The facet family added, per quote of the 100k corpus, 13.7 keys and 342
// bytes of keys and values (every kind's facets; the quotes' own were 10
// keys and 243 bytes), a fifth of the store's 1,681 bytes and a quarter of
// its 52.9 keys per quote (layout 4; 33.3 with posting blocks). With the
// entries in blocks (layout 7) the store holds 21.9 keys per quote
// (2,194,721 keys for the 100k corpus, against 3.34 million).
//
// # Reads
//
// What a read costs, measured on the 2-core development machine on the
// 100k-quote corpus (BenchmarkTraceStore on a copy of a store claimbench
// built; the machine is shared and loaded, so only ratios in one run
// mean much). A Badger point read or seek costs about 5 us here, whatever
// the key: it merges the memtables and every level (table index binary
// search, block cache lookup, binary search in the block). A trace of a
// nested quote (13.2 hops) is therefore a count of reads:
//
//   - Edges of several relations (a quote root asks 13 relations out and
//     8 in) are one range scan from the first relation asked to the last,
//     skipping the keys of relations not asked (after 16 in a row it seeks
//     to the next relation), not one scan per relation: 7.7 scans per
//     trace instead of about 30.
//   - A snapshot keeps the forward iterators of finished scans (up to 4)
//     and the next scans seek them, instead of creating an iterator
//     (which merges every memtable and table) per scan.
//   - graph.TraceFrom reads the kinds of the nodes it reaches (free: the
//     ids of the other ends come with the adjacency keys) and the records
//     of quotes only, 2.8 per trace instead of 9.8; JSON decoding of a
//     record cost about 5 us with encoding/json. Records are decoded with
//     goccy/go-json (unmarshalRecord: 0.7 against 2.8 us a record of the
//     generated corpus, measured alone; Nodes of 50 quotes 600 to 510 us
//     with the read cache off), held to encoding/json's result by
//     TestRecordDecoderAgrees and FuzzDecodeNode.
//   - Retractions leapfrogs over family w (a key-only seek from the next
//     id asked finds the next retracted id) instead of one read per node.
//
// Together these took the trace from about 320 to 140 us of CPU in the
// benchmark. In claimbench at 100k (runs on the loaded machine, so the
// ratios to the raw Badger traversal and SQLite measured in the same run
// are the figures), with the read cache off: p50 0.167 ms against raw
// Badger 0.456 and SQLite 0.230 (0.37x and 0.73x; before, 0.303 ms,
// 0.67x raw and 1.45x SQLite).
//
// Read cache. Snapshots of the latest state (View, not ViewAt) share a
// cache of the engine's answers at the last published commit
// (readcache.go): point reads, found or not, and forward scans of up to
// 256 keys that ran to their end, as bytes, so a hit returns exactly what
// the engine would; node records are kept decoded and every read gets a
// deep copy of its own (a reflection copy costs less than decoding the
// JSON again). A commit starts a new cache at its timestamp; a
// snapshot still open at an older one keeps the older cache, which stays
// right for it, and asOf never uses one. The budget (Options.ReadCacheSize,
// 32 MiB by default) is split into two generations: when the young one is
// full it becomes the old one and a hit in the old one moves the entry
// back, so what is read often stays. With the cache, a trace read again
// costs its walk only: claimbench's trace p50 (3 passes over 200 roots,
// so most traces find their reads cached; warm) is 0.040 ms against raw
// Badger 0.282 (0.14x) and SQLite 0.209 (5.3x faster), and the trace over
// HTTP 0.64 ms (1.49 before). BenchmarkTraceStore, one run: 160 us of CPU
// per trace cold, 71 us warm. A load of commits between reads gains
// nothing and pays a map insert per read.
//
// Posting cache. A ranked search's cost is the length of its terms'
// lists, and the long lists are the few common words that most queries
// hold. The store keeps the lists of 32 blocks or more decoded
// (postcache.go: every id, its tf and field length in 16 bits when they
// fit, where each block's postings begin: 12 bytes a posting besides its
// positions, where 20 left search's and whoSaid's lists at 1M, 348 MB,
// beyond the 256 MiB; 242 MB now), for the
// newest commit a snapshot read; the first snapshot of a newer commit
// starts an empty cache, so an entry is always the list at that commit,
// whatever engine or process wrote. A list is kept when it fits in the
// room left; once the budget (Options.PostingCacheSize, 256 MiB) is full,
// only from its second read, and the lists asked for least make room,
// never for a list asked for less (a list turned away is read at the
// candidates only, as before). A kept list holds its ids with their tf
// and field length, the rank sets of its dense kinds (a bitmap with
// counts: an id's place is a bit count, not a gallop), and each block's
// payloads (positions and offsets), so a search whose lists are all kept
// reads no posting block at all, only the user keys of its page. whoSaid's
// cursors walk kept lists too, its word postings (s | fc) included. The
// cache also keeps the user keys that pages read (s | ff | id, up to
// 131,072 keys, about 6 MB): a page orders hits of equal score by key, and
// a query of common words in short quotes ties hundreds to a thousand hits
// at the page's last score (1,052 of 1,052 for some of claimbench's
// phrases at 1M quotes), each a Badger read of about 5 us. Asked again,
// claimbench's ten slowest phrases at 1M went from 28.9 to 9.4 ms a
// search (each asked 20 times in turn after one untimed round, the
// machine loaded alike in both runs).
//
// Memory. A server's resident memory is Badger's block cache (decompressed
// blocks; 256 MiB by default, Options.BlockCacheSize; `serve
// --block-cache-mib`, 64 there), the read cache (`--read-cache-mib`, 32),
// the posting cache (`--posting-cache-mib`, 256), the Go heap, which
// search and whoSaid churn (`--memory-limit-mib`, 640, 384 before the
// posting cache: a soft limit, so the GC runs sooner instead of letting
// the heap double),
// and the table files' pages that reads touched (tables are memory-mapped:
// those pages count in RSS although the kernel can drop them, and the
// kernel maps up to 64 KiB around each page read). Measured on the 100k
// store after 100 search and 100 whoSaid requests: without a heap limit
// 260 MiB anonymous and 71 MiB of file pages (peak 331 MiB); with a 192
// MiB limit 104 and 71 (peak 178), 6% slower. Under claimbench's whole
// load with the serving defaults: peak 316 MiB (259 anonymous, 64 file),
// against 347 before. At 1M quotes the file pages are the part that
// grows with the store (1 GB on disk): what bounds the peak there is
// how much of the store the load touches, not the caches.
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
