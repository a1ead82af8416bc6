package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"math/bits"
	"math/rand/v2"
	"os"
	"path/filepath"
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
	// EncryptionKey, when set (16, 24 or 32 bytes: AES-128, -192 or -256),
	// encrypts data at rest: Badger encrypts every table, value-log and
	// write-ahead-log file with data keys that this master key encrypts
	// (data keys rotate every 10 days). The engine then sets the index and
	// block caches that encryption needs (100 and 256 MiB at most). A store
	// created with a key must always be opened with it; opening it without
	// the key, or with another one, or opening an unencrypted store with a
	// key, fails with an *EncryptionKeyError.
	EncryptionKey []byte
	// GCInterval is the period of the value-log garbage collection of an
	// on-disk store: 0 means every 10 minutes, a negative value turns it off.
	// Each run is logged at debug level with what it reclaimed.
	GCInterval time.Duration

	// BlockCacheSize is Badger's cache of decompressed table blocks, in
	// bytes: 0 or less keeps Badger's default (256 MiB; with encryption,
	// the engine's). Badger needs one, since tables are compressed. The
	// cache fills up to its size with the blocks read, so it is most of a
	// server's memory besides the Go heap.
	BlockCacheSize int64
	// ReadCacheSize is the budget in bytes of the read cache of the latest
	// commit (readcache.go): point reads and small scans of snapshots of
	// the latest state, kept until the next commit. 0 means 32 MiB; a
	// negative value turns it off.
	ReadCacheSize int64
	// PostingCacheSize is the budget in bytes of the posting cache
	// (postcache.go): the long search posting lists decoded, of the
	// newest commit read, kept until a newer one is read. 0 means 256 MiB;
	// a negative value turns it off.
	PostingCacheSize int64

	// Unexported knobs for tests.
	memTableSize      int64 // Badger memtable size; 0 means the default
	vlogFileSize      int64 // Badger value-log file size; 0 means the default (2 GiB, sparse)
	partEntries       int   // split a commit into parts of at most this many writes
	crashAfterParts   int   // simulate a crash after this many parts of a split commit
	bulkWrites        int   // writes from which an Update takes the bulk path; 0 default, <0 off
	crashAfterStreams int   // simulate a crash after this many streams of a bulk commit
	bulkStreams       int   // split a bulk commit into at least this many streams
	noHistory         bool  // benchmarks only: the store writes no revisions
	postingMinBlocks  int   // the fewest blocks of a list the posting cache keeps; 0 default
	noCompactions     bool  // Badger runs no compactions of its own (Flatten still works)
}

const (
	defaultMemTable   = 64 << 20
	inMemoryMemTable  = 16 << 20
	defaultGCInterval = 10 * time.Minute
	// Caches of an encrypted store: Badger keeps table indexes and blocks
	// decrypted in these caches (without an index cache every read would
	// decrypt a table's index again). 100 MiB is Badger's suggested index
	// cache; 256 MiB is its default block cache.
	encIndexCache      = 100 << 20
	encBlockCache      = 256 << 20
	encInMemBlockCache = 32 << 20
	encKeyRotation     = 10 * 24 * time.Hour // Badger's default, set explicitly

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
	bulk   bool       // the last commit took the bulk path (bulk.go); guarded by wmu

	published atomic.Uint64 // last complete commit, the default read ts
	voids     []voidRange   // immutable after open

	pmu      sync.Mutex    // guards pending and pendDone
	pending  uint64        // commit timestamp of the update in progress; 0 when none
	pendDone chan struct{} // closed when that update ends

	gate Gate // open snapshots and running updates; Close waits for them

	cache      atomic.Pointer[readCache] // read cache of the latest commit (readcache.go)
	cacheLimit int64                     // its budget; 0: off

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
	if opt.BlockCacheSize > 0 && !opt.InMemory {
		bo.BlockCacheSize = opt.BlockCacheSize
	}
	if opt.vlogFileSize > 0 {
		bo.ValueLogFileSize = opt.vlogFileSize
	}
	bo.Logger = badgerLogger{opt.Logger}
	if opt.noCompactions {
		bo.NumCompactors = 0
	}
	bo.NumVersionsToKeep = math.MaxInt32 // history: every version stays readable
	// Writers are serialised by the engine, so Badger's conflict detection
	// has nothing to find; in managed mode it would also keep every
	// commit's key set in memory until a discard timestamp is set, which we
	// never do (history keeps every version).
	bo.DetectConflicts = false
	bo.SyncWrites = !opt.NoSync
	bo.MetricsEnabled = false
	if len(opt.EncryptionKey) > 0 {
		switch len(opt.EncryptionKey) {
		case 16, 24, 32:
		default:
			return nil, fmt.Errorf("store: an encryption key has 16, 24 or 32 bytes, not %d", len(opt.EncryptionKey))
		}
		bo.EncryptionKey = opt.EncryptionKey
		bo.EncryptionKeyRotationDuration = encKeyRotation
		bo.IndexCacheSize = encIndexCache
		bo.BlockCacheSize = encBlockCache
		if opt.BlockCacheSize > 0 {
			bo.BlockCacheSize = opt.BlockCacheSize
		}
		if opt.InMemory {
			bo.BlockCacheSize = encInMemBlockCache
		}
	}
	if !opt.InMemory {
		if err := checkRestoreDone(opt.Dir); err != nil {
			return nil, err
		}
	}
	db, err := openManaged(bo, opt.Logger) // retries once after a crash left an empty memtable file
	if err != nil {
		if strings.Contains(err.Error(), "Cannot acquire directory lock") {
			return nil, fmt.Errorf("store: the data directory %s is in use, probably by a running `claimgraph serve`: %w", opt.Dir, graph.ErrLocked)
		}
		if kerr := keyError(opt, err); kerr != nil {
			return nil, kerr
		}
		return nil, fmt.Errorf("store: open badger: %w", err)
	}
	if !opt.InMemory {
		removeImportDirs(opt.Dir) // an import cut short left its runs (the directory is ours now)
	}
	b := &Badger{db: db, log: opt.Logger, opt: opt, cacheLimit: opt.ReadCacheSize}
	if b.cacheLimit == 0 {
		b.cacheLimit = defaultReadCache
	}
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
	bulkGood, intent, err := b.readIntent()
	if err != nil {
		return err
	}
	maxV := b.db.MaxVersion()
	if maxV == 0 {
		return b.dropIntent(intent)
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
	if intent && bulkGood < marker {
		// A bulk commit was cut: its marker may be in a table that was
		// written before others were (bulk.go).
		marker = bulkGood
	}
	if marker >= maxV {
		b.published.Store(maxV)
		return b.dropIntent(intent)
	}
	if err := b.repair(ctx, marker, maxV); err != nil {
		return err
	}
	return b.dropIntent(intent)
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
		b.gcOnce(ctx)
	}
}

// gcOnce runs the value-log GC until it finds no file worth rewriting and
// logs, at debug level, what it reclaimed. Every version is kept for
// history, so the value log (values of 1 MiB or more; smaller ones live in
// the LSM tree) rarely holds garbage: most runs reclaim nothing.
func (b *Badger) gcOnce(ctx context.Context) {
	start := time.Now()
	before := vlogBytes(b.opt.Dir)
	rewritten := 0
	for ctx.Err() == nil {
		err := b.db.RunValueLogGC(gcDiscardRatio)
		if err == nil {
			rewritten++
			continue
		}
		if !errors.Is(err, badger.ErrNoRewrite) && !errors.Is(err, badger.ErrRejected) {
			b.log.Warn().Err(err).Msg("store: value log GC")
		}
		break
	}
	after := vlogBytes(b.opt.Dir)
	b.log.Debug().Int("files_rewritten", rewritten).Int64("vlog_bytes_before", before).
		Int64("vlog_bytes_after", after).Int64("reclaimed_bytes", before-after).
		Dur("took", time.Since(start)).Msg("store: value log GC")
}

// vlogBytes sums the sizes of the value-log files in dir.
func vlogBytes(dir string) int64 {
	files, _ := filepath.Glob(filepath.Join(dir, "*.vlog"))
	var n int64
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			n += fi.Size()
		}
	}
	return n
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
	latest := ts == 0
	ts = b.readTs(ts)
	r := badgerReader{txn: b.db.NewTransactionAt(ts, false), ts: ts, iters: &iterPool{}}
	if latest {
		r.cache = b.cacheFor(ts)
	}
	return &badgerSnapshot{badgerReader: r, b: b}, nil
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
	if tx.writes.n == 0 {
		return 0, nil
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	b.bulk = false
	if b.useBulk(&tx.writes) {
		l := tx.writes
		tx.writes = writeLog{}
		if err := b.bulkCommit(ctx, readTs, commitTs, &l); err != nil {
			return 0, err
		}
	} else {
		writes := dedupe(&tx.writes)
		tx.writes = writeLog{} // the chunks may go while the commit runs
		if err := b.commit(ctx, readTs, commitTs, writes); err != nil {
			return 0, err
		}
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
	// The parts before the last commit asynchronously, so that the next
	// part is staged while Badger writes this one (Badger writes them in
	// order); the last part, which holds the marker, commits only once
	// every earlier part is written.
	var pending sync.WaitGroup
	var emu sync.Mutex
	var partErr error
	waitParts := func() error {
		pending.Wait()
		emu.Lock()
		defer emu.Unlock()
		if partErr != nil {
			b.failed = fmt.Errorf("store: a commit failed (%v); reopen the store to repair it", partErr)
			return fmt.Errorf("store: commit: %w", partErr)
		}
		return nil
	}
	for i := 0; i < len(all); i++ {
		full := b.opt.partEntries > 0 && i-start >= b.opt.partEntries
		var err error
		if !full {
			err = stage(txn, all[i])
		}
		if full || errors.Is(err, badger.ErrTxnTooBig) {
			if i == start {
				return b.abandon(parts, waitParts, fmt.Errorf("store: write of key %x (%d bytes) does not fit in a transaction: %w", all[i].key, len(all[i].value), err))
			}
			if b.opt.crashAfterParts > 0 && parts == b.opt.crashAfterParts {
				if err := waitParts(); err != nil {
					return err
				}
				b.failed = errSimulatedCrash
				return errSimulatedCrash
			}
			pending.Add(1)
			err := txn.CommitAt(commitTs, func(err error) {
				if err != nil {
					emu.Lock()
					partErr = cmp.Or(partErr, err)
					emu.Unlock()
				}
				pending.Done()
			})
			if err != nil { // CommitAt with a callback reports through it
				return b.abandon(parts+1, waitParts, err)
			}
			parts++
			start = i
			txn = b.db.NewTransactionAt(readTs, true)
			i-- // stage all[i] again in the new transaction
			continue
		}
		if err != nil {
			return b.abandon(parts, waitParts, fmt.Errorf("store: stage write of key %x: %w", all[i].key, err))
		}
	}
	if err := waitParts(); err != nil {
		return err
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

// abandon ends a commit that fails after parts parts were sent: those are
// waited for, and when there were any the engine refuses writes until it
// is reopened and repaired (their keys are on disk at an unpublished
// timestamp, which a later commit would otherwise expose).
func (b *Badger) abandon(parts int, waitParts func() error, err error) error {
	if parts == 0 {
		return err
	}
	if werr := waitParts(); werr != nil {
		return werr
	}
	b.failed = fmt.Errorf("store: a commit failed (%v); reopen the store to repair it", err)
	return err
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
	// iters, when set (a snapshot's reader), keeps the forward iterators of
	// finished scans for the next ones: creating an iterator merges every
	// memtable and level, and a trace makes a scan per node.
	iters *iterPool
	// cache, when set, is the read cache of the latest commit, which this
	// reader reads (readcache.go).
	cache *readCache
}

// iterPool holds a snapshot's idle forward iterators (no prefix option:
// each scan seeks and checks its bounds). Scans running at the same time,
// or one inside another's callback, each take their own.
type iterPool struct {
	mu     sync.Mutex
	idle   []*badger.Iterator
	closed bool
}

// maxIdleIters bounds the iterators a snapshot keeps.
const maxIdleIters = 4

// forward returns a forward iterator for a scan of the prefix and the
// function that gives it back.
func (r *badgerReader) forward(prefix []byte) (*badger.Iterator, func()) {
	p := r.iters
	if p == nil {
		it := r.txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		return it, it.Close
	}
	p.mu.Lock()
	var it *badger.Iterator
	if n := len(p.idle); n > 0 && !p.closed {
		it, p.idle = p.idle[n-1], p.idle[:n-1]
	}
	p.mu.Unlock()
	if it == nil {
		it = r.txn.NewIterator(badger.IteratorOptions{})
	}
	return it, func() {
		p.mu.Lock()
		keep := !p.closed && len(p.idle) < maxIdleIters
		if keep {
			p.idle = append(p.idle, it)
		}
		p.mu.Unlock()
		if !keep {
			it.Close()
		}
	}
}

func (r *badgerReader) cachedNode(key []byte) (graph.Node, bool) {
	if r.cache == nil {
		return nil, false
	}
	return r.cache.node(key)
}

func (r *badgerReader) cachedEdges(key []byte) ([]graph.Edge, []uint64, bool) {
	if r.cache == nil {
		return nil, nil, false
	}
	ce, ok := r.cache.edges(key)
	return ce.edges, ce.others, ok
}

func (r *badgerReader) putEdges(key []byte, edges []graph.Edge, others []uint64) bool {
	if r.cache == nil {
		return false
	}
	r.cache.putEdges(key, edges, others)
	return true
}

func (r *badgerReader) putNode(key []byte, size int, n graph.Node) bool {
	if r.cache == nil {
		return false
	}
	r.cache.putNode(key, size, n)
	return true
}

// close closes the idle iterators; the snapshot's transaction can then be
// discarded.
func (p *iterPool) close() {
	if p == nil {
		return
	}
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, it := range idle {
		it.Close()
	}
}

func (r *badgerReader) ReadTs() uint64 { return r.ts }

func (r *badgerReader) Get(ctx context.Context, key []byte) ([]byte, error) {
	if len(key) == 0 || key[0] == 0x00 {
		return nil, ErrKeyNotFound
	}
	cache := r.cache
	if key[0] == famNode {
		cache = nil // node records are cached decoded (reader.nodeByID)
	}
	if cache != nil {
		if v, ok := cache.get(key); ok {
			if v == nil {
				return nil, ErrKeyNotFound
			}
			return bytes.Clone(v), nil
		}
	}
	item, err := r.txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		if cache != nil {
			cache.putGet(key, nil)
		}
		return nil, ErrKeyNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get: %w", err)
	}
	v, err := item.ValueCopy(nil)
	if err == nil && cache != nil {
		if v == nil {
			v = []byte{}
		}
		cache.putGet(bytes.Clone(key), bytes.Clone(v))
	}
	return v, err
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
	if rg.Reverse {
		return r.scanReverse(ctx, rg, start, exclusive, fn)
	}
	if r.cache == nil {
		return r.scanForward(ctx, rg, start, exclusive, fn)
	}
	var kb [96]byte
	key := appendScanKey(kb[:0], rg, start, exclusive)
	if cs := r.cache.scan(key); cs != nil {
		return cs.replay(ctx, fn)
	}
	var rec scanRecorder
	stopped := false
	err := r.scanForward(ctx, rg, start, exclusive, func(k, v []byte) error {
		rec.add(k, v)
		err := fn(k, v)
		stopped = err != nil
		return err
	})
	if err == nil && !stopped && !rec.over {
		r.cache.putScan(string(key), &cachedScan{kvs: rec.kvs})
	}
	return err
}

// scanForward is Scan in key order, without the read cache.
func (r *badgerReader) scanForward(ctx context.Context, rg Range, start []byte, exclusive bool, fn func(key, value []byte) error) error {
	it, done := r.forward(rg.Prefix)
	defer done()
	n := 0
	for it.Seek(start); it.Valid(); it.Next() {
		item := it.Item()
		k := item.Key()
		if !bytes.HasPrefix(k, rg.Prefix) || (rg.End != nil && bytes.Compare(k, rg.End) >= 0) {
			break
		}
		if exclusive && bytes.Equal(k, start) {
			continue
		}
		if stop, err := r.visit(ctx, rg, item, n, fn); stop || err != nil {
			return err
		}
		n++
		if rg.Limit > 0 && n >= rg.Limit {
			break
		}
	}
	return nil
}

// scanReverse is Scan with rg.Reverse: a reverse Badger iterator sought to
// the upper bound (End, or the first key after the prefix), down to start.
// Badger's reverse iterator only honours a Prefix option when sought to a
// key with that prefix (a Rewind or a seek past the prefix would end at
// once), so the option is set only then and the bounds are checked here.
func (r *badgerReader) scanReverse(ctx context.Context, rg Range, start []byte, exclusive bool, fn func(key, value []byte) error) error {
	hi := rg.End
	if pe := prefixAfter(rg.Prefix); pe != nil && (hi == nil || bytes.Compare(pe, hi) < 0) {
		hi = pe
	}
	if hi != nil && bytes.Compare(hi, start) <= 0 {
		return nil
	}
	opt := badger.IteratorOptions{Reverse: true}
	if hi != nil && len(rg.Prefix) > 0 && bytes.HasPrefix(hi, rg.Prefix) {
		opt.Prefix = rg.Prefix
	}
	it := r.txn.NewIterator(opt)
	defer it.Close()
	if hi == nil {
		it.Rewind()
	} else {
		it.Seek(hi)
	}
	n := 0
	for ; it.Valid(); it.Next() {
		item := it.Item()
		k := item.Key()
		if hi != nil && bytes.Compare(k, hi) >= 0 {
			continue
		}
		if c := bytes.Compare(k, start); c < 0 || (c == 0 && exclusive) || !bytes.HasPrefix(k, rg.Prefix) {
			break
		}
		if stop, err := r.visit(ctx, rg, item, n, fn); stop || err != nil {
			return err
		}
		n++
		if rg.Limit > 0 && n >= rg.Limit {
			break
		}
	}
	return nil
}

// prefixAfter returns the first key after every key with the prefix, nil
// if there is none (empty prefix, or all 0xff).
func prefixAfter(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// visit passes one item of a scan to fn; stop reports the end of the scan
// (fn returned ErrStopScan or another error, or the context ended).
func (r *badgerReader) visit(ctx context.Context, rg Range, item *badger.Item, n int, fn func(key, value []byte) error) (stop bool, err error) {
	k := item.Key()
	if n&1023 == 1023 {
		if err := ctx.Err(); err != nil {
			return true, err
		}
	}
	if rg.KeysOnly {
		err = fn(k, nil)
	} else {
		err = item.Value(func(v []byte) error { return fn(k, v) })
	}
	if errors.Is(err, ErrStopScan) {
		return true, nil
	}
	return err != nil, err
}

type badgerSnapshot struct {
	badgerReader
	b    *Badger
	once sync.Once
}

func (s *badgerSnapshot) Close() error {
	s.once.Do(func() {
		s.iters.close()
		s.txn.Discard()
		s.b.release()
	})
	return nil
}

// badgerTxn stages writes in a log; the last write of a key wins (see
// dedupe).
type badgerTxn struct {
	badgerReader
	commitTs uint64
	writes   writeLog
}

// writeLog holds staged writes: their keys and values copied into an
// arena of large byte chunks, and fixed-size entries in chunks of
// writeChunk. A bulk import of millions of writes thus never copies them
// to grow a slice, and holds no small objects for the garbage collector
// to trace (neither chunk kind has pointers).
type writeLog struct {
	ents  [][]logEntry
	arena [][]byte
	cur   int // the arena chunk small writes are appended to; -1: none
	n     int
}

// logEntry places one write in the arena.
type logEntry struct {
	chunk, off, klen, vlen uint32
	del                    bool
}

const (
	writeChunk = 1 << 12
	// arenaChunk is the size of an arena chunk; a write of more than a
	// quarter of it gets a chunk of its own.
	arenaChunk = 1 << 20
)

func (l *writeLog) add(key, value []byte, del bool) {
	if len(l.ents) == 0 || len(l.ents[len(l.ents)-1]) == writeChunk {
		l.ents = append(l.ents, make([]logEntry, 0, writeChunk))
		if len(l.arena) == 0 {
			l.cur = -1
		}
	}
	size := len(key) + len(value)
	var c int
	switch {
	case size > arenaChunk/4:
		l.arena = append(l.arena, make([]byte, 0, size))
		c = len(l.arena) - 1
	case l.cur < 0 || len(l.arena[l.cur])+size > cap(l.arena[l.cur]):
		l.arena = append(l.arena, make([]byte, 0, arenaChunk))
		l.cur = len(l.arena) - 1
		c = l.cur
	default:
		c = l.cur
	}
	off := len(l.arena[c])
	l.arena[c] = append(append(l.arena[c], key...), value...)
	e := &l.ents[len(l.ents)-1]
	*e = append(*e, logEntry{chunk: uint32(c), off: uint32(off), klen: uint32(len(key)), vlen: uint32(len(value)), del: del})
	l.n++
}

// size returns the bytes of the keys and values staged in l.
func (l *writeLog) size() int64 {
	var n int64
	for _, c := range l.arena {
		n += int64(len(c))
	}
	return n
}

// at returns write i; its key and value are the arena's bytes.
func (l *writeLog) at(i int) write {
	e := l.ents[i/writeChunk][i%writeChunk]
	a := l.arena[e.chunk]
	k, v := e.off, e.off+e.klen
	w := write{key: a[k:v:v], del: e.del}
	if !e.del {
		w.value = a[v : v+e.vlen : v+e.vlen]
	}
	return w
}

func (t *badgerTxn) CommitTs() uint64 { return t.commitTs }

func (t *badgerTxn) Set(key, value []byte) error {
	if err := checkWriteKey(key); err != nil {
		return err
	}
	t.writes.add(key, value, false)
	return nil
}

func (t *badgerTxn) Delete(key []byte) error {
	if err := checkWriteKey(key); err != nil {
		return err
	}
	t.writes.add(key, nil, true)
	return nil
}

// dedupe returns the writes of the log in order, keeping only the last
// write of each key (a split commit must not write a key in two parts at
// one timestamp), with room for the commit marker. Duplicates are found
// with a hash table of write indexes (open addressing): one pass, no sort
// (Badger commits a transaction's writes in map order anyway).
func dedupe(l *writeLog) []write {
	n := l.n
	out := make([]write, 0, n+1)
	size := 1 << bits.Len(uint(n+n/2)) // load factor at most 2/3
	mask := uint64(size - 1)
	table := make([]int32, size) // index+1 of the last write of a key; 0 empty
	drop := make([]bool, n)
	seed := maphash.MakeSeed()
	for i := range n {
		k := l.at(i).key
		for j := maphash.Bytes(seed, k) & mask; ; j = (j + 1) & mask {
			t := table[j]
			if t == 0 {
				table[j] = int32(i + 1)
				break
			}
			if bytes.Equal(l.at(int(t-1)).key, k) {
				drop[t-1] = true
				table[j] = int32(i + 1)
				break
			}
		}
	}
	for i := range n {
		if !drop[i] {
			out = append(out, l.at(i))
		}
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
	m := msg(format, args)
	if strings.Contains(m, badger.ErrEncryptionKeyMismatch.Error()) {
		// The open that failed reports it as an *EncryptionKeyError.
		b.l.Debug().Str("component", "badger").Msg(m)
		return
	}
	b.l.Error().Str("component", "badger").Msg(m)
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
