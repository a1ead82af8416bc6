package store

import (
	"bytes"
	"context"
	"errors"
)

// KV is an ordered, versioned key-value engine: the layer under the graph
// logic. Keys are byte strings compared bytewise. Every commit gets a
// timestamp assigned by the engine, strictly greater than every earlier one;
// a snapshot reads the state as of one timestamp, so past states stay
// readable (history and asOf).
//
// Keys whose first byte is 0x00 are reserved for the engine's own
// bookkeeping: Set and Delete refuse them and scans never return them.
//
// Implementations: [Badger]. A new engine must pass the conformance suite in
// package claimgraph/store/kvtest.
type KV interface {
	// Snapshot opens a read-only view of the state at commit timestamp ts;
	// 0 means the last commit. The view is safe for concurrent use and must
	// be closed. A ts after the last commit reads the last commit; when an
	// update of this engine is in progress with a commit timestamp at or
	// before ts, Snapshot waits for it to end, so that the state read at an
	// instant already past never changes later (exact asOf). A ts still in
	// the future reads the last commit.
	Snapshot(ctx context.Context, ts uint64) (Snapshot, error)
	// Update runs fn with a write transaction. Writers are serialised: fn
	// reads the state of the last commit and stages writes, and when fn
	// returns nil the staged writes are committed atomically at
	// tx.CommitTs(), which Update returns. Readers see either none or all
	// of the writes. If fn stages nothing, nothing is committed and Update
	// returns 0. An error from fn discards the staged writes.
	Update(ctx context.Context, fn func(tx Txn) error) (uint64, error)
	// LastCommit returns the timestamp of the last commit, 0 for an empty
	// engine.
	LastCommit() uint64
	// Close releases the engine. Snapshots still open are waited for.
	// Closing twice is not an error.
	Close() error
}

// KVReader reads one consistent state of a KV.
type KVReader interface {
	// ReadTs returns the commit timestamp whose state is read.
	ReadTs() uint64
	// Get returns a copy of the value stored under key, or an error
	// wrapping ErrKeyNotFound.
	Get(ctx context.Context, key []byte) ([]byte, error)
	// Scan calls fn for each key in r, in byte order (descending with
	// r.Reverse). The key and value
	// slices are valid only during the call. fn returning ErrStopScan ends
	// the scan without error; any other error ends it and is returned.
	Scan(ctx context.Context, r Range, fn func(key, value []byte) error) error
}

// Snapshot is a read-only view of one committed state.
type Snapshot interface {
	KVReader
	// Close releases the snapshot.
	Close() error
}

// Txn is a write transaction of [KV.Update]. Its reads see the state of the
// last commit (ReadTs), not the writes staged in the transaction itself.
type Txn interface {
	KVReader
	// CommitTs returns the timestamp the transaction will commit at,
	// known in advance so that writers can record it in values.
	CommitTs() uint64
	// Set stages key = value. The transaction keeps the slices; callers
	// must not modify them afterwards. A later Set or Delete of the same
	// key in the transaction replaces it.
	Set(key, value []byte) error
	// Delete stages the removal of key.
	Delete(key []byte) error
}

// Range selects keys for [KVReader.Scan]: those with Prefix, from Start
// (inclusive) or after After (exclusive), before End (exclusive), in
// ascending byte order or, with Reverse, descending. Empty fields do not
// restrict.
type Range struct {
	// Prefix keeps keys that begin with it.
	Prefix []byte
	// Start is the first key considered (inclusive).
	Start []byte
	// After, when set, starts the scan just after this key (exclusive);
	// it takes precedence over Start.
	After []byte
	// End is the first key not considered (exclusive).
	End []byte
	// KeysOnly passes nil values to fn and lets the engine skip reading
	// them.
	KeysOnly bool
	// Limit stops the scan after this many keys; 0 means no limit.
	Limit int
	// Reverse visits the same keys in descending byte order: from the last
	// key before End (or the last key with Prefix) down to Start or After;
	// Limit then keeps the largest keys. To page backwards, pass the last
	// key seen as End.
	Reverse bool
	// (A scan reads the Range's slices until it returns: its callback must
	// not write to them, for example by reusing After's array for the key
	// to page from next.)
}

// Errors of the KV layer. Engines also return errors wrapping
// graph.ErrClosed after Close, graph.ErrLocked when the data directory is
// held by another process and graph.ErrConflict when a commit lost a race.
var (
	// ErrKeyNotFound means Get found no value for the key.
	ErrKeyNotFound = errors.New("kv: key not found")

	// ErrStopScan, returned by a Scan callback, ends the scan early
	// without error.
	ErrStopScan = errors.New("kv: stop scan")

	// ErrReservedKey means a write used a key reserved for the engine
	// (empty, or starting with 0x00).
	ErrReservedKey = errors.New("kv: reserved key")
)

// startKey returns the first key a scan of r must consider.
func (r Range) startKey() (start []byte, exclusive bool) {
	start = r.Prefix
	if r.After != nil {
		if bytes.Compare(r.After, start) >= 0 {
			return r.After, true
		}
		return start, false
	}
	if bytes.Compare(r.Start, start) > 0 {
		start = r.Start
	}
	return start, false
}

// checkWriteKey reports whether key may be written by a KV user.
func checkWriteKey(key []byte) error {
	if len(key) == 0 || key[0] == 0x00 {
		return ErrReservedKey
	}
	return nil
}
