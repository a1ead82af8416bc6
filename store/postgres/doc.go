// Package postgres is the PostgreSQL engine of claimgraph: an
// implementation of store.KV (ordered, versioned keys and values with
// store-assigned commit timestamps) on a database reached through pgx, for
// deployments beyond one machine: several stateless servers sharing one
// database, and read-only servers on streaming replicas (hot standbys).
// The graph layer runs on it unchanged:
//
//	kv, err := postgres.Open(ctx, postgres.Options{DSN: "postgres://claimgraph@db:5432/claims", Logger: log})
//	st, err := store.New(ctx, kv, log) // the graph.Store; Close closes kv
//
// It passes the KV conformance suite (claimgraph/store/kvtest) and the
// graph contract suite (claimgraph/graph/graphtest); its tests start
// PostgreSQL themselves (package pgtest).
//
// # Tables
//
// In the schema Options.Schema ("claimgraph" by default), created on first
// open of a primary:
//
//	kv(key bytea, ts bigint, value bytea, deleted boolean)
//	    unique index kv_key_ts (key, ts DESC) INCLUDE (deleted)
//	clock(id smallint = 1, last bigint, format integer)   one row
//	writers()                                             no columns, no rows: the writers' lock
//
// Every write inserts a version: (key, commit ts, value, false) for a Set,
// (key, commit ts, NULL, true) for a Delete. Versions are never updated or
// deleted, which is what makes reads at a past timestamp (asOf, history)
// exact; the engine keeps every version, as Badger does. clock.last is the
// timestamp of the last commit; format is the layout of these tables (1).
// Keys starting with 0x00 are refused (store.ErrReservedKey) and never
// stored; the engine's own state lives in the clock table.
//
// bytea compares as memcmp, shorter first on a tie, which is Go's
// bytes.Compare: TestByteOrder checks it with keys around 0x00 and 0xff.
//
// # Reads
//
// A read at timestamp T sees, for each key, its newest version with
// ts <= T, unless that version is a delete. A Get is
//
//	SELECT value, deleted FROM kv WHERE key = $1 AND ts <= $2 ORDER BY ts DESC LIMIT 1
//
// and a scan of a range is
//
//	SELECT key, value FROM (SELECT DISTINCT ON (key) key, value, deleted FROM kv
//	    WHERE key >= $1 AND key < $4 AND ts <= $2 ORDER BY key, ts DESC) v
//	WHERE NOT deleted ORDER BY key LIMIT $3
//
// (key > $1 after a cursor; no upper bound when the range has none; only
// key and deleted for key-only scans, an index-only scan once autovacuum
// has set the visibility map). The (key, ts DESC) index gives that order
// with one forward index scan and a Unique node, under generic plans too.
// Measured on 400k versions of 200k keys: with a (key, ts) primary key
// instead, PostgreSQL 15 sorts, and a range with no upper bound becomes a
// sequential scan and an external sort, 153 ms for 10 keys against 0.05 ms
// with the descending index; bounded ranges cost the same (0.2 ms for 100
// keys). A prefix becomes the range [prefix, successor of prefix). A
// reverse scan (store.Range.Reverse) reads the distinct keys of the range
// from a backward scan of the same index, each joined (LATERAL, LIMIT 1)
// to its newest version at or before the read timestamp, ORDER BY key
// DESC; its pages move the upper bound down. (DISTINCT ON ordered by key
// DESC, ts DESC sorts the whole range: 545 ms against 0.07 ms for 10 of
// 200k keys.)
//
// A snapshot holds no connection and no PostgreSQL transaction: it is a
// timestamp. Snapshot(ts) reads clock.last and reads at the smaller of ts
// and last (0 means last). That is exact without a database snapshot
// because every commit at or before last is in (the clock row is written
// in the commit's transaction) and every later commit has a larger
// timestamp. Scans read pages of 256 keys, growing to 8192, each page read
// whole before the callback sees it, so callbacks may read the snapshot
// again without holding a connection (a pool of two suffices).
//
// Read cache: the answer of a read at T never changes, so the engine keeps
// answers (Gets and scan pages, keyed by read and timestamp) in an LRU
// cache bounded in bytes (Options.CacheBytes, 32 MiB by default) that
// needs no invalidation, across servers too: a commit elsewhere gives new
// snapshots a new timestamp. It matters because the graph layer was
// written for an embedded engine: a trace makes about 45 reads, a whoSaid
// of a common word over 2000 quotes about 1300, each a round trip here.
//
// # Commits
//
// Update runs in a serializable transaction that first takes
// LOCK TABLE writers IN EXCLUSIVE MODE, before its first query fixes the
// transaction's snapshot, so writers of every server sharing the database
// queue there, and each one's snapshot includes the commit of the one
// before (the lock is released after the commit is visible). Readers take
// no lock that conflicts, and autovacuum never needs the writers table
// (the clock row, updated by every commit, would have had writers wait
// for autovacuum to be cancelled). Locking the clock row instead (SELECT
// FOR UPDATE) would make every queued serializable writer fail with a
// serialization failure once the one ahead commits. Under the lock the transaction reads clock.last
// (the read timestamp) and the database's clock, and the commit timestamp
// is clock_timestamp() in nanoseconds (microsecond resolution) or last+1,
// whichever is larger: timestamps come from one clock for every server and
// never repeat. The function passed to Update reads at last through other
// connections and stages its writes in memory; then the versions are
// written (one INSERT of arrays under 128 writes, COPY above), the clock
// row is set to the commit timestamp, and the transaction commits. Readers
// see all of the commit or nothing: they read at a last that is either
// before or after it. There is no size limit like Badger's ErrTxnTooBig:
// one PostgreSQL transaction holds any batch.
//
// A serialization failure (40001) or deadlock (40P01) at commit is retried
// with jittered backoff, up to 6 attempts, with the same writes and
// timestamp, after checking that no commit got in between (none can while
// the lock is held; if one did, the error wraps graph.ErrConflict and
// store.Store.Apply runs its batch again). The function itself runs once.
//
// # Replicas and read-only servers
//
// On a hot standby (pg_is_in_recovery()) the engine is read-only: reads
// work, at the last commit the standby has replayed, and Update returns an
// error wrapping ErrReadOnly that says to write on the primary.
// Options.ReadOnly makes any engine read-only. A replica is consistent (it
// replays whole commits) but may lag: WaitFor(ctx, ts) waits until it has
// a commit, for a client that must read its own write. A standby may cancel
// a query that conflicts with recovery (SQLSTATE 40001); reads are retried.
// When the primary stops, the replica keeps answering reads.
//
// LastCommit asks the database (another server may have committed); if the
// database does not answer within 5 seconds it returns the last commit the
// engine saw.
package postgres
