// Package store keeps the claimgraph graph in an ordered, versioned
// key-value engine: Badger, embedded, by default. It is the only package
// that imports Badger.
//
// # Layers
//
// The graph-on-KV logic ([Store]: key layout, codecs, indexes, idempotent
// upserts, reads) is written against the small [KV] interface in kv.go:
// snapshots at a commit timestamp, Get, Scan of a [Range] in byte order
// (prefix, start, start-after, end, keys only, limit), and Update, which
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
// MaxInt32), so a snapshot at a past timestamp is exact: that is asOf, and
// the history of a node is the versions of its record. On open the engine
// continues above the newest version on disk (Badger's MaxVersion).
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
//	74 't'  t | trigram | id                            empty
//	63 'c'  c | kind                                    last counter of the kind (8 bytes)
//	6d 'm'  m v                                         key layout version (01)
//	68 'h'  reserved: history
//	6c 'l'  reserved: change log
//	73 's'  reserved: full-text search postings
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
//	t "é'a" q1           74 c3 a9 27 61 0400000000000007            -> (empty)
//
// A node record is a format byte (01), the kind byte and the node's bundle
// JSON; it round-trips exactly, and an upsert whose record is byte-equal to
// the stored one writes nothing. An edge value is a format byte (01) and six
// uvarint-length-prefixed strings: the other end's user key, the qualifier
// (a derivation relation or affiliation role), and a link's reason, note,
// by and at. Carrying the other end's key lets a trace read a node's edges
// with one prefix scan and no lookups.
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
// whoSaid (family t): one posting per distinct trigram (three code points)
// of fold.Text of each quote's text. A query of three code points or more
// counts the postings of each of its trigrams (up to 4096 each), scans the
// rarest, checks each candidate against the next two rarest postings and
// then against the folded text of the quote; a shorter query scans the
// quote records. Results come in id (creation) order.
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
