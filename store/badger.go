package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/rs/zerolog"

	"claimgraph/graph"
)

// Options configure a store and its Badger engine.
type Options struct {
	// Dir is the data directory. It is created if missing. Exactly one of
	// Dir and InMemory must be set.
	Dir string
	// InMemory keeps everything in memory (for tests); nothing is written
	// to disk and nothing survives Close.
	InMemory bool
	// Logger receives the store's and Badger's logs. Badger's routine
	// information is logged at debug level. The zero value discards logs.
	Logger zerolog.Logger
	// NoSync turns off the fsync of every commit. By default (false) a
	// commit is on disk when Apply returns, so acknowledged writes survive
	// a crash; with NoSync they may be lost (never half of one) on a
	// machine crash.
	NoSync bool
	// EncryptionKey, when set (16, 24 or 32 bytes, AES), encrypts data at
	// rest. A store created with a key must always be opened with it.
	EncryptionKey []byte
	// GCInterval is the period of the value-log garbage collection of an
	// on-disk store: 0 means every 10 minutes, a negative value turns it off.
	GCInterval time.Duration

	// Unexported knobs for tests.
	memTableSize    int64 // Badger memtable size; 0 means the default
	partEntries     int   // split a commit into parts of at most this many writes
	crashAfterParts int   // simulate a crash after this many parts of a split commit
	noHistory       bool  // benchmarks only: the store writes no revisions
}

const (
	defaultMemTable   = 64 << 20
	inMemoryMemTable  = 16 << 20
	defaultGCInterval = 10 * time.Minute
	gcDiscardRatio    = 0.5
	maxCommitAttempts = 5
)

// Engine keys (family 0x00, reserved): the commit marker holds the timestamp
// of the last complete commit; a void range marks the timestamps of a commit
// that a crash cut in half and that were repaired at open.
var (
	metaCommitKey = []byte{0x00, 'c'}
	metaVoidKey   = []byte{0x00, 'v'}
)

// Badger is the embedded [KV] engine: Badger in managed mode, every version
// kept, commit timestamps assigned by the engine (unix nanoseconds, strictly
// increasing). See the package documentation for how commits that do not fit
// one Badger transaction stay atomic.
type Badger struct {
	db  *badger.DB
	log zerolog.Logger
	opt Options

	wmu    sync.Mutex // serialises Update
	failed error      // set when a commit failed half way; guarded by wmu
	parts  int        // Badger transactions of the last commit; guarded by wmu

	published atomic.Uint64 // last complete commit, the default read ts
	voids     []voidRange   // immutable after open

	pmu      sync.Mutex    // guards pending and pendDone
	pending  uint64        // commit timestamp of the update in progress; 0 when none
	pendDone chan struct{} // closed when that update ends

	gate Gate // open snapshots and running updates; Close waits for them

	stopGC context.CancelFunc
	gcDone chan struct{}
}

var _ KV = (*Badger)(nil)

// voidRange marks commit timestamps in (lo, hi] whose writes are not part of
// any complete commit; a snapshot at such a ts reads at lo.
type voidRange struct{ lo, hi uint64 }

// errSimulatedCrash is returned by the crashAfterParts test knob.
var errSimulatedCrash = errors.New("simulated crash between the parts of a commit")

// OpenBadger opens (creating if needed) the Badger engine that opt
// describes. A data directory held by another process yields an error
// wrapping graph.ErrLocked.
func OpenBadger(ctx context.Context, opt Options) (*Badger, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch {
	case opt.InMemory && opt.Dir != "":
		return nil, errors.New("store: set either Dir or InMemory, not both")
	case !opt.InMemory && opt.Dir == "":
		return nil, errors.New("store: no data directory given")
	}
	bo := badger.DefaultOptions(opt.Dir)
	bo.MemTableSize = defaultMemTable
	if opt.InMemory {
		bo = badger.DefaultOptions("").WithInMemory(true)
		bo.MemTableSize = inMemoryMemTable
		bo.Compression = options.None
		bo.BlockCacheSize = 0
		bo.NumMemtables = 2
	}
	if opt.memTableSize > 0 {
		bo.MemTableSize = opt.memTableSize
	}
	bo.Logger = badgerLogger{opt.Logger}
	bo.NumVersionsToKeep = math.MaxInt32 // history: every version stays readable
	// Writers are serialised by the engine, so Badger's conflict detection
	// has nothing to find; in managed mode it would also keep every
	// commit's key set in memory until a discard timestamp is set, which we
	// never do (history keeps every version).
	bo.DetectConflicts = false
	bo.SyncWrites = !opt.NoSync
	bo.MetricsEnabled = false
	if len(opt.EncryptionKey) > 0 {
		bo.EncryptionKey = opt.EncryptionKey
		bo.IndexCacheSize = 64 << 20
		if bo.BlockCacheSize == 0 {
			bo.BlockCacheSize = 64 << 20
		}
	}
	db, err := badger.OpenManaged(bo)
	if err != nil {
		if strings.Contains(err.Error(), "Cannot acquire directory lock") {
			return nil, fmt.Errorf("store: the data directory %s is in use, probably by a running `claimgraph serve`: %w", opt.Dir, graph.ErrLocked)
		}
		return nil, fmt.Errorf("store: open badger: %w", err)
	}
	b := &Badger{db: db, log: opt.Logger, opt: opt}
	if err := b.recover(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if !opt.InMemory && opt.GCInterval >= 0 {
		every := opt.GCInterval
		if every == 0 {
			every = defaultGCInterval
		}
		gctx, cancel := context.WithCancel(context.Background())
		b.stopGC, b.gcDone = cancel, make(chan struct{})
		go b.runGC(gctx, every)
	}
	return b, nil
}

// recover finds the last complete commit. A commit split into several
// Badger transactions writes its commit marker in the last one; if the
// newest version in the store is newer than the marker, a crash cut a
// commit in half and repair undoes its visible part.
func (b *Badger) recover(ctx context.Context) error {
	maxV := b.db.MaxVersion()
	if maxV == 0 {
		return nil
	}
	rd := b.db.NewTransactionAt(maxV, false)
	defer rd.Discard()
	marker, err := getUint64(rd, metaCommitKey)
	if err != nil {
		return fmt.Errorf("store: read commit marker: %w", err)
	}
	if err := b.loadVoids(rd); err != nil {
		return err
	}
	if marker >= maxV {
		b.published.Store(maxV)
		return nil
	}
	return b.repair(ctx, marker, maxV)
}

func getUint64(txn *badger.Txn, key []byte) (uint64, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var v uint64
	err = item.Value(func(val []byte) error {
		if len(val) != 8 {
			return fmt.Errorf("bad engine value of %d bytes", len(val))
		}
		v = binary.BigEndian.Uint64(val)
		return nil
	})
	return v, err
}

func (b *Badger) loadVoids(rd *badger.Txn) error {
	it := rd.NewIterator(badger.IteratorOptions{Prefix: metaVoidKey})
	defer it.Close()
	b.voids = b.voids[:0]
	for it.Rewind(); it.Valid(); it.Next() {
		k := it.Item().Key()
		if len(k) != len(metaVoidKey)+16 {
			return fmt.Errorf("store: bad void range key %x", k)
		}
		b.voids = append(b.voids, voidRange{
			lo: binary.BigEndian.Uint64(k[2:10]),
			hi: binary.BigEndian.Uint64(k[10:18]),
		})
	}
	return nil
}

// repair undoes a commit cut in half by a crash: every key with a version
// newer than the last complete commit gets, at a new timestamp, the value it
// had at that commit; the timestamps in between are recorded as void so
// that a snapshot at one of them reads the last complete commit.
func (b *Badger) repair(ctx context.Context, good, maxV uint64) error {
	b.log.Warn().Uint64("last_complete_commit", good).Uint64("newest_version", maxV).
		Msg("store: a commit was cut in half by a crash; restoring the last complete commit")
	old := b.db.NewTransactionAt(good, false)
	defer old.Discard()
	cur := b.db.NewTransactionAt(maxV, false)
	defer cur.Discard()
	var writes []write
	it := cur.NewIterator(badger.IteratorOptions{AllVersions: true, SinceTs: good})
	var last []byte
	for it.Rewind(); it.Valid(); it.Next() {
		k := it.Item().Key()
		if k[0] == 0x00 || bytes.Equal(k, last) {
			continue
		}
		last = append(last[:0], k...)
		key := bytes.Clone(k)
		item, err := old.Get(key)
		switch {
		case errors.Is(err, badger.ErrKeyNotFound):
			writes = append(writes, write{key: key, del: true})
		case err != nil:
			it.Close()
			return fmt.Errorf("store: repair: %w", err)
		default:
			v, err := item.ValueCopy(nil)
			if err != nil {
				it.Close()
				return fmt.Errorf("store: repair: %w", err)
			}
			writes = append(writes, write{key: key, value: v})
		}
	}
	it.Close()
	void := make([]byte, 0, 18)
	void = append(void, metaVoidKey...)
	void = binary.BigEndian.AppendUint64(void, good)
	void = binary.BigEndian.AppendUint64(void, maxV)
	writes = append(writes, write{key: void, value: []byte{}})
	ts := max(uint64(time.Now().UnixNano()), maxV+1)
	if err := b.commit(ctx, maxV, ts, writes); err != nil {
		return fmt.Errorf("store: repair: %w", err)
	}
	b.voids = append(b.voids, voidRange{lo: good, hi: maxV})
	b.published.Store(ts)
	b.log.Warn().Int("keys_restored", len(writes)-1).Uint64("commit_ts", ts).Msg("store: repair done")
	return nil
}

// runGC runs the value-log garbage collection every interval until ctx ends.
func (b *Badger) runGC(ctx context.Context, every time.Duration) {
	defer close(b.gcDone)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for ctx.Err() == nil {
			err := b.db.RunValueLogGC(gcDiscardRatio)
			if err != nil {
				if !errors.Is(err, badger.ErrNoRewrite) && !errors.Is(err, badger.ErrRejected) {
					b.log.Warn().Err(err).Msg("store: value log GC")
				}
				break
			}
		}
	}
}

// acquire registers a user (snapshot or update) so that Close waits for it.
func (b *Badger) acquire() error { return b.gate.Acquire() }

func (b *Badger) release() { b.gate.Release() }

// Close stops the GC, waits for open snapshots and running updates, and
// closes Badger.
func (b *Badger) Close() error {
	if !b.gate.Close() {
		return nil
	}
	if b.stopGC != nil {
		b.stopGC()
		<-b.gcDone
	}
	if err := b.db.Close(); err != nil {
		return fmt.Errorf("store: close badger: %w", err)
	}
	return nil
}

// LastCommit implements KV.
func (b *Badger) LastCommit() uint64 { return b.published.Load() }

// readTs maps a requested snapshot timestamp to the one to read at.
func (b *Badger) readTs(ts uint64) uint64 {
	pub := b.published.Load()
	if ts == 0 || ts > pub {
		return pub
	}
	for _, v := range b.voids {
		if ts > v.lo && ts <= v.hi {
			return v.lo
		}
	}
	return ts
}

// Snapshot implements KV.
func (b *Badger) Snapshot(ctx context.Context, ts uint64) (Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if ts != 0 {
		if err := b.awaitPending(ctx, ts); err != nil {
			return nil, err
		}
	}
	if err := b.acquire(); err != nil {
		return nil, err
	}
	ts = b.readTs(ts)
	return &badgerSnapshot{badgerReader: badgerReader{txn: b.db.NewTransactionAt(ts, false), ts: ts}, b: b}, nil
}

// Update implements KV.
func (b *Badger) Update(ctx context.Context, fn func(Txn) error) (uint64, error) {
	if err := b.acquire(); err != nil {
		return 0, err
	}
	defer b.release()
	b.wmu.Lock()
	defer b.wmu.Unlock()
	if b.failed != nil {
		return 0, b.failed
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	readTs := b.published.Load()
	commitTs := b.begin(readTs)
	defer b.end()
	rd := b.db.NewTransactionAt(readTs, false)
	defer rd.Discard()
	tx := &badgerTxn{badgerReader: badgerReader{txn: rd, ts: readTs}, commitTs: commitTs}
	if err := fn(tx); err != nil {
		return 0, err
	}
	if len(tx.writes) == 0 {
		return 0, nil
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := b.commit(ctx, readTs, commitTs, dedupe(tx.writes)); err != nil {
		return 0, err
	}
	b.published.Store(commitTs)
	return commitTs, nil
}

// begin assigns the commit timestamp of an update (the current time, or
// one more than the last commit) and marks it in progress, so that a
// snapshot at or after it waits for the update to end.
func (b *Badger) begin(readTs uint64) uint64 {
	b.pmu.Lock()
	defer b.pmu.Unlock()
	ts := max(uint64(time.Now().UnixNano()), readTs+1)
	b.pending, b.pendDone = ts, make(chan struct{})
	return ts
}

// end marks the update in progress ended (committed or not).
func (b *Badger) end() {
	b.pmu.Lock()
	defer b.pmu.Unlock()
	b.pending = 0
	close(b.pendDone)
}

// awaitPending waits until no update in progress has a commit timestamp at
// or before ts, when ts is an instant already past. An update that begins
// after the check gets a timestamp after the clock at the check, so a
// snapshot at a past instant reads a state that no later commit changes.
// An instant still in the future is not waited for (it would wait for
// every commit until then).
func (b *Badger) awaitPending(ctx context.Context, ts uint64) error {
	for {
		b.pmu.Lock()
		p, done := b.pending, b.pendDone
		now := uint64(time.Now().UnixNano())
		b.pmu.Unlock()
		if p == 0 || ts < p || ts > now {
			return nil
		}
		select {
		case <-done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// write is one staged write.
type write struct {
	key, value []byte
	del        bool
}

// commit writes all writes at commitTs, in as many Badger transactions as
// ErrTxnTooBig (or the partEntries knob) requires, the commit marker in the
// last one. It must be called with wmu held. If a part fails after an
// earlier part was committed, the engine refuses further writes until it is
// reopened (and repaired).
func (b *Badger) commit(ctx context.Context, readTs, commitTs uint64, writes []write) error {
	var marker [10]byte
	copy(marker[:], metaCommitKey)
	binary.BigEndian.PutUint64(marker[2:], commitTs)
	all := append(writes, write{key: marker[:2:2], value: marker[2:]})
	parts := 0
	start := 0
	txn := b.db.NewTransactionAt(readTs, true)
	defer func() { txn.Discard() }()
	for i := 0; i < len(all); i++ {
		full := b.opt.partEntries > 0 && i-start >= b.opt.partEntries
		var err error
		if !full {
			err = stage(txn, all[i])
		}
		if full || errors.Is(err, badger.ErrTxnTooBig) {
			if i == start {
				return fmt.Errorf("store: write of key %x (%d bytes) does not fit in a transaction: %w", all[i].key, len(all[i].value), err)
			}
			if b.opt.crashAfterParts > 0 && parts == b.opt.crashAfterParts {
				b.failed = errSimulatedCrash
				return errSimulatedCrash
			}
			if err := b.commitPart(ctx, txn, readTs, commitTs, all[start:i], parts > 0); err != nil {
				return err
			}
			parts++
			start = i
			txn = b.db.NewTransactionAt(readTs, true)
			i-- // stage all[i] again in the new transaction
			continue
		}
		if err != nil {
			return fmt.Errorf("store: stage write of key %x: %w", all[i].key, err)
		}
	}
	if b.opt.crashAfterParts > 0 && parts == b.opt.crashAfterParts {
		b.failed = errSimulatedCrash
		return errSimulatedCrash
	}
	if err := b.commitPart(ctx, txn, readTs, commitTs, all[start:], parts > 0); err != nil {
		return err
	}
	b.parts = parts + 1
	return nil
}

func stage(txn *badger.Txn, w write) error {
	if w.del {
		return txn.Delete(w.key)
	}
	return txn.Set(w.key, w.value)
}

// commitPart commits one transaction at commitTs, retrying with jittered
// backoff when Badger reports a conflict (possible only if conflict
// detection is turned on; kept so that the engine stays correct if it is).
func (b *Badger) commitPart(ctx context.Context, txn *badger.Txn, readTs, commitTs uint64, ws []write, earlier bool) error {
	for attempt := 1; ; attempt++ {
		err := txn.CommitAt(commitTs, nil)
		if err == nil {
			return nil
		}
		if !errors.Is(err, badger.ErrConflict) || attempt == maxCommitAttempts {
			if earlier || !errors.Is(err, badger.ErrConflict) {
				b.failed = fmt.Errorf("store: a commit failed (%v); reopen the store to repair it", err)
			}
			if errors.Is(err, badger.ErrConflict) {
				return fmt.Errorf("store: commit: %w", graph.ErrConflict)
			}
			return fmt.Errorf("store: commit: %w", err)
		}
		backoff := time.Duration(attempt) * time.Millisecond
		backoff += rand.N(backoff)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		txn = b.db.NewTransactionAt(readTs, true)
		for _, w := range ws {
			if err := stage(txn, w); err != nil {
				txn.Discard()
				return fmt.Errorf("store: stage write of key %x: %w", w.key, err)
			}
		}
	}
}

// badgerReader implements KVReader over a read-only Badger transaction.
type badgerReader struct {
	txn *badger.Txn
	ts  uint64
}

func (r *badgerReader) ReadTs() uint64 { return r.ts }

func (r *badgerReader) Get(ctx context.Context, key []byte) ([]byte, error) {
	if len(key) == 0 || key[0] == 0x00 {
		return nil, ErrKeyNotFound
	}
	item, err := r.txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, ErrKeyNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get: %w", err)
	}
	return item.ValueCopy(nil)
}

var firstUserKey = []byte{0x01}

func (r *badgerReader) Scan(ctx context.Context, rg Range, fn func(key, value []byte) error) error {
	if len(rg.Prefix) > 0 && rg.Prefix[0] == 0x00 {
		return nil
	}
	start, exclusive := rg.startKey()
	if bytes.Compare(start, firstUserKey) < 0 {
		start, exclusive = firstUserKey, false
	}
	it := r.txn.NewIterator(badger.IteratorOptions{Prefix: rg.Prefix})
	defer it.Close()
	n := 0
	for it.Seek(start); it.Valid(); it.Next() {
		item := it.Item()
		k := item.Key()
		if exclusive && bytes.Equal(k, start) {
			continue
		}
		if rg.End != nil && bytes.Compare(k, rg.End) >= 0 {
			break
		}
		if n&1023 == 1023 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var err error
		if rg.KeysOnly {
			err = fn(k, nil)
		} else {
			err = item.Value(func(v []byte) error { return fn(k, v) })
		}
		if errors.Is(err, ErrStopScan) {
			return nil
		}
		if err != nil {
			return err
		}
		n++
		if rg.Limit > 0 && n >= rg.Limit {
			break
		}
	}
	return nil
}

type badgerSnapshot struct {
	badgerReader
	b    *Badger
	once sync.Once
}

func (s *badgerSnapshot) Close() error {
	s.once.Do(func() {
		s.txn.Discard()
		s.b.release()
	})
	return nil
}

// badgerTxn stages writes in a slice; the last write of a key wins (see
// dedupe).
type badgerTxn struct {
	badgerReader
	commitTs uint64
	writes   []write
}

func (t *badgerTxn) CommitTs() uint64 { return t.commitTs }

func (t *badgerTxn) Set(key, value []byte) error {
	if err := checkWriteKey(key); err != nil {
		return err
	}
	if value == nil {
		value = []byte{}
	}
	t.writes = append(t.writes, write{key: key, value: value})
	return nil
}

func (t *badgerTxn) Delete(key []byte) error {
	if err := checkWriteKey(key); err != nil {
		return err
	}
	t.writes = append(t.writes, write{key: key, del: true})
	return nil
}

// dedupe sorts writes by key, keeping only the last write of each key. A
// sorted commit also inserts into Badger's skiplist with better locality.
func dedupe(ws []write) []write {
	idx := make([]int32, len(ws))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int {
		if c := bytes.Compare(ws[a].key, ws[b].key); c != 0 {
			return c
		}
		return int(a - b)
	})
	out := make([]write, 0, len(ws))
	for i, j := range idx {
		if i+1 < len(idx) && bytes.Equal(ws[j].key, ws[idx[i+1]].key) {
			continue
		}
		out = append(out, ws[j])
	}
	return out
}

// badgerLogger adapts zerolog to Badger's Logger; Badger's routine
// information goes to debug, its debug output to trace.
type badgerLogger struct{ l zerolog.Logger }

func msg(format string, args []any) string {
	return strings.TrimRight(fmt.Sprintf(format, args...), "\n ")
}

func (b badgerLogger) Errorf(format string, args ...any) {
	b.l.Error().Str("component", "badger").Msg(msg(format, args))
}

func (b badgerLogger) Warningf(format string, args ...any) {
	b.l.Warn().Str("component", "badger").Msg(msg(format, args))
}

func (b badgerLogger) Infof(format string, args ...any) {
	b.l.Debug().Str("component", "badger").Msg(msg(format, args))
}

func (b badgerLogger) Debugf(format string, args ...any) {
	b.l.Trace().Str("component", "badger").Msg(msg(format, args))
}
