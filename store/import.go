package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/badger/v4/y"
	"github.com/dgraph-io/ristretto/v2/z"
	"github.com/rs/zerolog"

	"claimgraph/graph"
)

// An import (see the package documentation, Imports in several batches)
// applies batches to a new store one after the other, each reading what
// the ones before it wrote, and commits them all at once: each batch's
// writes are sorted into a run of table files in a directory of the
// store's own, read back by the next batches through a merge of the runs,
// and the commit merges every run into one stream of sorted tables. Each
// key is thus written three times (a run, the merge's read, the store's
// table) whatever the number of batches, where a batch committed into a
// store that holds the ones before it is merged by Badger's compactions
// with everything stored.

// ErrNoImport means BeginImport cannot run an import on this store: one
// needs a Badger store on disk, unencrypted, that holds no commit yet.
// Callers apply the batches one commit each instead.
var ErrNoImport = errors.New("store: an import in one commit needs a new, unencrypted store on disk")

// importDirPrefix names the directories of an import's runs, in the data
// directory; OpenBadger removes those a crash left.
const importDirPrefix = ".claimgraph-import-"

// importTableBytes is the size of keys and values aimed at per run table
// (one table per range of partition).
const importTableBytes = 64 << 20

// Import is an import in progress: the batches Apply writes become
// visible, to readers of the store, all at once when Commit returns. It
// holds the store's writer until Commit or Abort, and asOf reads of an
// instant after its start wait for it. Its methods are not safe for
// concurrent use.
type Import struct {
	b    *Badger
	kv   *importKV
	st   *Store
	once sync.Once
}

// BeginImport starts an import into the store, which must hold no commit
// yet (ErrNoImport otherwise, and on stores in memory or encrypted).
func (s *Store) BeginImport(ctx context.Context) (*Import, error) {
	b, ok := s.kv.(*Badger)
	if !ok || b.opt.InMemory || len(b.opt.EncryptionKey) > 0 {
		return nil, ErrNoImport
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := b.acquire(); err != nil {
		return nil, err
	}
	b.wmu.Lock()
	fail := func(err error) (*Import, error) {
		b.wmu.Unlock()
		b.release()
		return nil, err
	}
	if b.failed != nil {
		return fail(b.failed)
	}
	if b.published.Load() != 0 || len(b.db.Tables()) > 0 {
		return fail(ErrNoImport)
	}
	dir, err := os.MkdirTemp(b.opt.Dir, importDirPrefix)
	if err != nil {
		return fail(fmt.Errorf("store: import: %w", err))
	}
	kv := &importKV{b: b, log: b.log, ts: b.begin(0), dir: dir}
	st := &Store{kv: kv, log: s.log, noHistory: s.noHistory, postings: newPostingCaches(0, 0)}
	return &Import{b: b, kv: kv, st: st}, nil
}

// Apply applies one batch of the import, as Store.Apply does, validated
// against the batches before it. Its result's Rev is the import's commit
// timestamp, which no reader sees before Commit.
func (im *Import) Apply(ctx context.Context, b *graph.Batch) (graph.ApplyResult, error) {
	if im.kv.closed {
		return graph.ApplyResult{}, errImportDone
	}
	return im.st.Apply(ctx, b)
}

// View reads the state the batches applied so far make, as a snapshot of
// the store would after Commit.
func (im *Import) View(ctx context.Context, fn func(graph.Reader) error) error {
	if im.kv.closed {
		return errImportDone
	}
	return im.st.View(ctx, fn)
}

// ValidatedAt is the graph.Batch.ValidatedAt of a batch validated in a
// View of the import now: Apply skips its validation while no batch was
// applied in between.
func (im *Import) ValidatedAt() int64 { return int64(im.kv.seq) }

var errImportDone = errors.New("store: the import is committed or abandoned")

// Commit writes every batch applied into the store as one commit and ends
// the import; it returns the commit's timestamp (0 when no batch wrote
// anything). After a failure the store holds none of the import.
func (im *Import) Commit(ctx context.Context) (uint64, error) {
	if im.kv.closed {
		return 0, errImportDone
	}
	ts, err := im.kv.commit(ctx)
	im.finish()
	return ts, err
}

// Abort ends the import without writing it; the store stays empty.
// Aborting after Commit does nothing.
func (im *Import) Abort() error {
	im.finish()
	return nil
}

func (im *Import) finish() {
	im.once.Do(func() {
		im.kv.close()
		im.b.end()
		im.b.wmu.Unlock()
		im.b.release()
	})
}

// importKV is the engine an import's batches run on: the runs of the
// batches before (no stored state: the store is new), and the writes of
// the last batch, kept in memory until the next batch or the commit.
type importKV struct {
	b       *Badger
	log     zerolog.Logger
	ts      uint64 // the import's commit timestamp
	dir     string
	seq     uint64      // batches applied; the ReadTs of the state after them
	runs    []importRun // newest first
	pending *writeLog   // the last batch's writes, not yet in a run
	tables  atomic.Uint64
	closed  bool
	// failed is the error of a batch's writes that could not be put in a
	// run: the import can only be abandoned.
	failed error
}

// importRun is one batch's writes: tables of ascending, disjoint key
// ranges, every key at the import's timestamp, deletes as tombstones.
type importRun []*table.Table

var _ KV = (*importKV)(nil)

func (kv *importKV) Snapshot(ctx context.Context, ts uint64) (Snapshot, error) {
	if kv.closed {
		return nil, errImportDone
	}
	if err := kv.spill(ctx); err != nil {
		return nil, err
	}
	return &importReader{runs: kv.runs, seq: kv.seq}, nil
}

func (kv *importKV) Update(ctx context.Context, fn func(Txn) error) (uint64, error) {
	if kv.closed {
		return 0, errImportDone
	}
	if err := kv.spill(ctx); err != nil {
		return 0, err
	}
	tx := &importTxn{importReader: importReader{runs: kv.runs, seq: kv.seq}, commitTs: kv.ts}
	if err := fn(tx); err != nil {
		return 0, err
	}
	if tx.writes.n == 0 {
		return 0, nil
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	kv.pending = &tx.writes
	kv.seq++
	return kv.ts, nil
}

// LastCommit returns the import's timestamp once a batch wrote something.
func (kv *importKV) LastCommit() uint64 {
	if kv.seq == 0 {
		return 0
	}
	return kv.ts
}

// Close is the store's: the import ends with Commit or Abort.
func (kv *importKV) Close() error { return nil }

// close removes the runs and their directory.
func (kv *importKV) close() {
	if kv.closed {
		return
	}
	kv.closed = true
	kv.pending = nil
	for _, r := range kv.runs {
		for _, t := range r {
			t.DecrRef() // the last reference deletes the file
		}
	}
	kv.runs = nil
	os.RemoveAll(kv.dir)
}

// tableOptions are the run tables': uncompressed (they are read once or
// twice), a bloom filter for Get.
func importTableOptions() table.Options {
	return table.Options{
		TableSize:          2 * importTableBytes,
		BlockSize:          16 << 10,
		BloomFalsePositive: 0.01,
		Compression:        options.None,
		ChkMode:            options.NoVerification,
		AllocPool:          z.NewAllocatorPool(runtime.GOMAXPROCS(0)),
	}
}

// spill turns the pending writes into the newest run: partitioned into
// key ranges, each sorted (the last write of a key wins) and written as
// one table, on every core.
func (kv *importKV) spill(ctx context.Context) error {
	if kv.failed != nil {
		return kv.failed
	}
	l := kv.pending
	if l == nil {
		return nil
	}
	kv.pending = nil
	begin := time.Now()
	workers := runtime.GOMAXPROCS(0)
	minRuns := 1
	if l.n >= bulkParallel {
		minRuns = 2 * workers
	}
	parts := partition(l, workers, minRuns, importTableBytes, nil)
	tables := make([]*table.Table, len(parts))
	opt := importTableOptions()
	var next atomic.Int64
	var emu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for range min(workers, len(parts)) {
		wg.Go(func() {
			var kb []byte
			for {
				p := int(next.Add(1) - 1)
				if p >= len(parts) || ctx.Err() != nil {
					return
				}
				run := parts[p]
				if len(run) == 0 {
					continue
				}
				sortRun(l, run)
				bd := table.NewTableBuilder(opt)
				for j := 0; j < len(run); j++ {
					w := l.at(int(run[j].i))
					for j+1 < len(run) && run[j+1].hi == run[j].hi && run[j+1].lo == run[j].lo &&
						bytes.Equal(l.at(int(run[j+1].i)).key, w.key) {
						j++ // the last write of a key wins
						w = l.at(int(run[j].i))
					}
					kb = y.KeyWithTs(append(kb[:0], w.key...), kv.ts)
					vs := y.ValueStruct{Value: w.value}
					if w.del {
						vs = y.ValueStruct{Meta: bitDelete}
					}
					bd.Add(kb, vs, 0)
				}
				name := table.NewFilename(kv.tables.Add(1), kv.dir)
				t, err := table.CreateTable(name, bd)
				bd.Close()
				if err != nil {
					emu.Lock()
					first = cmp.Or(first, fmt.Errorf("store: import: write a run: %w", err))
					emu.Unlock()
					return
				}
				tables[p] = t
			}
		})
	}
	wg.Wait()
	run := importRun(slices.DeleteFunc(tables, func(t *table.Table) bool { return t == nil }))
	if first == nil {
		first = ctx.Err()
	}
	if first != nil {
		for _, t := range run {
			t.DecrRef()
		}
		kv.failed = fmt.Errorf("store: import: a batch's writes are lost (%w); abort the import", first)
		return kv.failed
	}
	kv.runs = append([]importRun{run}, kv.runs...)
	kv.log.Debug().Int("writes", l.n).Int("tables", len(run)).Dur("took", time.Since(begin)).Msg("store: import run written")
	return nil
}

// find returns the table of r whose key range holds key, nil if none.
func (r importRun) find(key []byte) *table.Table {
	i := sort.Search(len(r), func(i int) bool { return bytes.Compare(y.ParseKey(r[i].Biggest()), key) >= 0 })
	if i == len(r) || bytes.Compare(y.ParseKey(r[i].Smallest()), key) > 0 {
		return nil
	}
	return r[i]
}

// importReader reads the state the runs make: the newest write of a key
// wins, a tombstone hides the key.
type importReader struct {
	runs []importRun // newest first
	seq  uint64
}

func (r *importReader) ReadTs() uint64 { return r.seq }

func (r *importReader) Close() error { return nil }

func (r *importReader) Get(ctx context.Context, key []byte) ([]byte, error) {
	if len(key) == 0 || key[0] == 0x00 {
		return nil, ErrKeyNotFound
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	h := y.Hash(key)
	var seek []byte
	for _, run := range r.runs {
		t := run.find(key)
		if t == nil || t.DoesNotHave(h) {
			continue
		}
		if seek == nil {
			seek = y.KeyWithTs(bytes.Clone(key), math.MaxUint64)
		}
		it := t.NewIterator(0)
		it.Seek(seek)
		if it.Valid() && bytes.Equal(y.ParseKey(it.Key()), key) {
			vs := it.Value()
			it.Close()
			if vs.Meta&bitDelete != 0 {
				return nil, ErrKeyNotFound
			}
			return append([]byte{}, vs.Value...), nil
		}
		it.Close()
	}
	return nil, ErrKeyNotFound
}

func (r *importReader) Scan(ctx context.Context, rg Range, fn func(key, value []byte) error) error {
	if len(rg.Prefix) > 0 && rg.Prefix[0] == 0x00 {
		return nil
	}
	start, exclusive := rg.startKey()
	if bytes.Compare(start, firstUserKey) < 0 {
		start, exclusive = firstUserKey, false
	}
	hi := rg.End
	if pe := prefixAfter(rg.Prefix); pe != nil && (hi == nil || bytes.Compare(pe, hi) < 0) {
		hi = pe
	}
	if hi != nil && bytes.Compare(hi, start) <= 0 {
		return nil
	}
	if len(r.runs) == 0 {
		return nil
	}
	it := mergeRuns(r.runs, rg.Reverse)
	defer it.Close()
	if rg.Reverse {
		if hi == nil {
			it.Rewind()
		} else {
			it.Seek(y.KeyWithTs(bytes.Clone(hi), math.MaxUint64))
		}
	} else {
		it.Seek(y.KeyWithTs(bytes.Clone(start), math.MaxUint64))
	}
	n := 0
	for ; it.Valid(); it.Next() {
		k := y.ParseKey(it.Key())
		if rg.Reverse {
			if hi != nil && bytes.Compare(k, hi) >= 0 {
				continue
			}
			if c := bytes.Compare(k, start); c < 0 || (c == 0 && exclusive) {
				break
			}
		} else {
			if hi != nil && bytes.Compare(k, hi) >= 0 {
				break
			}
			if exclusive && bytes.Equal(k, start) {
				continue
			}
		}
		if !bytes.HasPrefix(k, rg.Prefix) {
			continue
		}
		vs := it.Value()
		if vs.Meta&bitDelete != 0 {
			continue
		}
		if n&1023 == 1023 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		v := vs.Value
		if rg.KeysOnly {
			v = nil
		} else if v == nil {
			v = []byte{}
		}
		if err := fn(k, v); err != nil {
			if errors.Is(err, ErrStopScan) {
				return nil
			}
			return err
		}
		n++
		if rg.Limit > 0 && n >= rg.Limit {
			break
		}
	}
	return nil
}

// mergeRuns returns an iterator over the runs' keys, the newest run's
// write of a key first (Badger's merge iterator keeps the first of equal
// keys, and every run writes at the same timestamp).
func mergeRuns(runs []importRun, reverse bool) y.Iterator {
	opt := 0
	if reverse {
		opt = table.REVERSED
	}
	iters := make([]y.Iterator, 0, len(runs))
	for _, r := range runs {
		iters = append(iters, table.NewConcatIterator(r, opt))
	}
	return table.NewMergeIterator(iters, reverse)
}

// importTxn is an import batch's transaction.
type importTxn struct {
	importReader
	commitTs uint64
	writes   writeLog
}

func (t *importTxn) CommitTs() uint64 { return t.commitTs }

// sharedCommit: every batch of an import commits at its timestamp.
func (t *importTxn) sharedCommit() {}

// sharesCommit reports whether tx commits at a timestamp earlier
// batches wrote at (an import's).
func sharesCommit(tx Txn) bool {
	_, ok := tx.(interface{ sharedCommit() })
	return ok
}

func (t *importTxn) Set(key, value []byte) error {
	if err := checkWriteKey(key); err != nil {
		return err
	}
	t.writes.add(key, value, false)
	return nil
}

func (t *importTxn) Delete(key []byte) error {
	if err := checkWriteKey(key); err != nil {
		return err
	}
	t.writes.add(key, nil, true)
	return nil
}

// commit writes the import into the store: the last batch alone as a bulk
// commit of its writes, or every run merged into the StreamWriter, one
// stream per key range.
func (kv *importKV) commit(ctx context.Context) (uint64, error) {
	b := kv.b
	if kv.failed != nil {
		return 0, kv.failed
	}
	if kv.seq == 0 {
		return 0, nil
	}
	if len(kv.runs) == 0 {
		l := kv.pending
		kv.pending = nil
		if err := b.bulkCommit(ctx, 0, kv.ts, l); err != nil {
			return 0, err
		}
		b.published.Store(kv.ts)
		return kv.ts, nil
	}
	if err := kv.spill(ctx); err != nil {
		return 0, err
	}
	if err := b.importCommit(ctx, kv.runs, kv.ts); err != nil {
		return 0, err
	}
	b.published.Store(kv.ts)
	return kv.ts, nil
}

// importCommit streams the merge of runs into the (empty) store at ts,
// in the ranges importRanges chooses, on every core.
func (b *Badger) importCommit(ctx context.Context, runs []importRun, ts uint64) error {
	begin := time.Now()
	sw := b.db.NewStreamWriter()
	if err := sw.PrepareIncremental(); err != nil {
		sw.Cancel()
		return fmt.Errorf("store: import: %w", err)
	}
	flushed := false
	defer func() {
		if !flushed {
			sw.Cancel()
		}
	}()
	if err := b.writeIntent(0, ts); err != nil {
		return err
	}
	bounds := importRanges(runs)
	var next atomic.Int64
	var stop atomic.Bool
	var emu sync.Mutex
	var first error
	fail := func(err error) {
		emu.Lock()
		first = cmp.Or(first, err)
		emu.Unlock()
		stop.Store(true)
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(bounds)+1) {
		wg.Go(func() {
			buf := z.NewBuffer(bulkBufferBytes+bulkBufferBytes/4, "claimgraph.import")
			defer buf.Release()
			for !stop.Load() {
				r := int(next.Add(1) - 1)
				if r > len(bounds) {
					return
				}
				if err := ctx.Err(); err != nil {
					fail(err)
					return
				}
				var lo, hi []byte
				if r > 0 {
					lo = bounds[r-1]
				}
				if r < len(bounds) {
					hi = bounds[r]
				}
				if err := streamRange(sw, buf, runs, lo, hi, uint32(r+1), r == 0, ts); err != nil {
					fail(err)
					return
				}
			}
		})
	}
	wg.Wait()
	err := first
	if err == nil {
		flushed = true
		err = sw.Flush()
	}
	if err == nil && !b.opt.NoSync {
		err = b.db.Sync()
	}
	if err == nil {
		err = b.removeIntent()
	}
	if err != nil {
		err = fmt.Errorf("store: import commit: %w", err)
		b.failed = fmt.Errorf("store: an import's commit failed (%v); reopen the store to repair it", err)
		return err
	}
	b.parts, b.bulk = 1, true
	b.log.Debug().Int("runs", len(runs)).Int("streams", len(bounds)+1).Dur("took", time.Since(begin)).Msg("store: import committed")
	return nil
}

// importRanges chooses the bounds of the commit's streams: the first keys
// of the run tables, about importTableBytes/2 of the runs' bytes apart,
// and the first key of every key group (keyGroup) that spans more than one
// table, so that the store's tables do not straddle the large groups (see
// partition).
func importRanges(runs []importRun) [][]byte {
	type edge struct {
		key  []byte
		size int64
	}
	var edges []edge
	var total int64
	for _, r := range runs {
		for _, t := range r {
			edges = append(edges, edge{y.ParseKey(t.Smallest()), int64(t.UncompressedSize())})
			total += int64(t.UncompressedSize())
		}
	}
	slices.SortFunc(edges, func(a, b edge) int { return bytes.Compare(a.key, b.key) })
	want := max(1, total/(bulkTableBytes))
	step := max(1, total/want)
	var bounds [][]byte
	var acc int64
	var lastGroup []byte
	for i, e := range edges {
		g := e.key[:min(2, len(e.key))]
		newGroup := lastGroup != nil && !bytes.Equal(g, lastGroup)
		if i > 0 && (acc >= step || newGroup) {
			k := e.key
			if newGroup {
				k = g
			}
			if len(bounds) == 0 || bytes.Compare(bounds[len(bounds)-1], k) < 0 {
				bounds = append(bounds, bytes.Clone(k))
			}
			acc = 0
		}
		lastGroup = g
		acc += e.size
	}
	// The first stream holds only the commit marker (family 00).
	if len(bounds) == 0 || bytes.Compare(bounds[0], firstUserKey) > 0 {
		bounds = append([][]byte{firstUserKey}, bounds...)
	}
	return bounds
}

// streamRange writes the merged runs' keys in [lo, hi) (nil: unbounded) as
// stream id, tombstones dropped (the store is new); the first stream
// writes the commit marker.
func streamRange(sw *badger.StreamWriter, buf *z.Buffer, runs []importRun, lo, hi []byte, id uint32, first bool, ts uint64) error {
	buf.Reset()
	wrote := false
	if first {
		var marker [8]byte
		binary.BigEndian.PutUint64(marker[:], ts)
		putKV(buf, metaCommitKey, marker[:], false, ts, id)
		wrote = true
	}
	it := mergeRuns(runs, false)
	defer it.Close()
	if lo == nil {
		it.Rewind()
	} else {
		it.Seek(y.KeyWithTs(bytes.Clone(lo), math.MaxUint64))
	}
	for ; it.Valid(); it.Next() {
		k := y.ParseKey(it.Key())
		if hi != nil && bytes.Compare(k, hi) >= 0 {
			break
		}
		vs := it.Value()
		if vs.Meta&bitDelete != 0 {
			continue
		}
		putKV(buf, k, vs.Value, false, ts, id)
		wrote = true
		if buf.LenNoPadding() >= bulkBufferBytes {
			if err := sw.Write(buf); err != nil {
				return err
			}
			buf.Reset()
		}
	}
	return endStream(sw, buf, id, wrote)
}

// removeImportDirs removes the run directories an import cut by a crash
// left in dir.
func removeImportDirs(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if e.IsDir() && strings.HasPrefix(e.Name(), importDirPrefix) {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}
