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
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/ristretto/v2/z"
)

// The bulk path (see the package documentation, Large commits): an Update
// with many writes into a store whose memtables are empty is written with
// Badger's StreamWriter (PrepareIncremental) as sorted tables, instead of
// through transactions and the memtable's skiplist.
const (
	// defaultBulkWrites is the number of staged writes from which an
	// Update takes the bulk path.
	defaultBulkWrites = 100_000
	// bulkIntentName is the file, in the data directory, that marks a bulk
	// commit in progress: it holds the last complete commit and the bulk
	// commit's timestamp. A crash leaves it, and the next open undoes the
	// bulk commit's tables (see recover).
	bulkIntentName = "CLAIMGRAPH-BULK-COMMIT"
	// bulkTableBytes is the size of keys and values aimed at per stream
	// (Badger builds one table per stream).
	bulkTableBytes = 32 << 20
	// bulkBufferBytes is the size of one chunk handed to the StreamWriter.
	bulkBufferBytes = 4 << 20
	// bulkSample is the number of keys sampled to choose the streams' key
	// ranges.
	bulkSample = 1 << 13
	// bulkParallel is the number of writes from which a bulk commit is
	// split into at least two streams per core (below, one per
	// bulkTableBytes).
	bulkParallel = 1 << 16
	// bulkMinLevel is the shallowest level that may hold the first
	// non-empty level for a bulk commit: PrepareIncremental writes one level
	// above it, and it would flatten the tree (and restart compactions
	// during the stream, in Badger v4.9.6) if it found tables in L0.
	bulkMinLevel = 2
	// bulkFlattenShare: a bulk commit that finds the levels full flattens
	// them first when its staged bytes (keys and values, uncompressed) are
	// at least 1/bulkFlattenShare of the tree's (compressed) bytes.
	bulkFlattenShare = 4
)

// bitDelete is Badger's meta bit of a tombstone (value.go, bitDelete).
const bitDelete byte = 1 << 0

var errSimulatedStreamCrash = errors.New("simulated crash during a bulk commit's stream")

// bulkMin returns the number of writes from which Update takes the bulk
// path; 0 when it is off.
func (b *Badger) bulkMin() int {
	switch {
	case b.opt.bulkWrites < 0:
		return 0
	case b.opt.bulkWrites == 0:
		return defaultBulkWrites
	}
	return b.opt.bulkWrites
}

// bulkReady reports whether a bulk commit can write its tables now:
// Badger's memtables hold nothing (no version newer than the newest
// table's), L0 is empty and the first level holding tables leaves a level
// above it. PrepareIncremental checks the memtables again. When not, it
// says why.
func (b *Badger) bulkReady() (ok bool, why string, shallow bool) {
	var tableMax uint64
	for _, t := range b.db.Tables() {
		tableMax = max(tableMax, t.MaxVersion)
	}
	if b.db.MaxVersion() > tableMax {
		return false, "the memtable holds writes", false
	}
	for _, l := range b.db.Levels() {
		if l.NumTables > 0 {
			if l.Level < bulkMinLevel {
				return false, fmt.Sprintf("level %d holds tables", l.Level), true
			}
			return true, "", false
		}
	}
	return true, "", false
}

// useBulk reports whether the writes of l take the bulk path. When only
// the levels stand in the way (earlier bulk commits filled them up to L1,
// or a reopen put the memtable in L0) and the writes are large next to
// the tree (bulkFlattenShare), it first merges the levels into the last
// (Badger's Flatten): the merges the compactions would make of them anyway,
// after which the writes go in as tables again rather than through the
// memtable. A small batch into a large tree keeps the transaction path, as
// a Flatten would rewrite the whole tree for it.
func (b *Badger) useBulk(l *writeLog) bool {
	m := b.bulkMin()
	if m == 0 || l.n < m {
		return false
	}
	ok, why, shallow := b.bulkReady()
	if !ok && shallow {
		var tree int64
		for _, lv := range b.db.Levels() {
			tree += lv.Size
		}
		if staged := l.size(); staged*bulkFlattenShare >= tree {
			begin := time.Now()
			if err := b.db.Flatten(max(2, runtime.GOMAXPROCS(0))); err != nil {
				b.log.Warn().Err(err).Msg("store: flattening the levels for a bulk commit failed; committing through transactions")
			} else {
				b.log.Debug().Str("reason", why).Int64("tree_bytes", tree).Int64("staged_bytes", staged).
					Dur("took", time.Since(begin)).Msg("store: levels flattened for a bulk commit")
				ok, why, _ = b.bulkReady()
			}
		}
	}
	if !ok {
		b.log.Debug().Int("writes", l.n).Str("reason", why).Msg("store: no bulk commit; committing through transactions")
	}
	return ok
}

// sortItem is one staged write in the sort of a bulk commit: the first 16
// bytes of its key (zero padded, so that their order agrees with the
// keys') and its index in the write log.
type sortItem struct {
	hi, lo uint64
	i      uint32
}

func keyPrefix(k []byte) (hi, lo uint64) {
	if len(k) >= 16 {
		return binary.BigEndian.Uint64(k), binary.BigEndian.Uint64(k[8:])
	}
	var p [16]byte
	copy(p[:], k)
	return binary.BigEndian.Uint64(p[:8]), binary.BigEndian.Uint64(p[8:])
}

func cmpPrefix(ahi, alo, bhi, blo uint64) int {
	if c := cmp.Compare(ahi, bhi); c != 0 {
		return c
	}
	return cmp.Compare(alo, blo)
}

// bulkCommit commits the writes of l at commitTs through the StreamWriter,
// or through commit when Badger refuses (its memtables hold data). It must
// be called with wmu held.
func (b *Badger) bulkCommit(ctx context.Context, readTs, commitTs uint64, l *writeLog) error {
	begin := time.Now()
	sw := b.db.NewStreamWriter()
	if err := sw.PrepareIncremental(); err != nil {
		sw.Cancel()
		b.log.Debug().Err(err).Msg("store: bulk commit refused; committing through transactions")
		return b.commit(ctx, readTs, commitTs, dedupe(l))
	}
	flushed := false
	defer func() {
		if !flushed {
			sw.Cancel() // unblocks Badger's writes and compactions
		}
	}()
	if err := b.writeIntent(readTs, commitTs); err != nil {
		return err
	}
	start := time.Now()
	workers := runtime.GOMAXPROCS(0)
	minRuns := 1
	if l.n >= bulkParallel {
		minRuns = 2 * workers
	}
	if b.opt.bulkStreams > 0 {
		minRuns = b.opt.bulkStreams
	}
	runs := partition(l, workers, minRuns, bulkTableBytes, func(g [2]byte) ([]byte, bool) { return b.groupTop(readTs, g) })
	err := b.stream(sw, l, runs, readTs, commitTs)
	if err == nil {
		flushed = true
		err = sw.Flush()
	}
	if err == nil && !b.opt.NoSync {
		err = b.db.Sync() // values of 1 MiB or more went to the value log
	}
	if err == nil {
		err = b.removeIntent()
	}
	if err != nil {
		if !errors.Is(err, errSimulatedStreamCrash) {
			err = fmt.Errorf("store: bulk commit: %w", err)
			b.failed = fmt.Errorf("store: a bulk commit failed (%v); reopen the store to repair it", err)
		} else {
			b.failed = err
		}
		return err
	}
	b.parts, b.bulk = 1, true
	b.log.Debug().Int("writes", l.n).Int("streams", len(runs)).Dur("prepare", start.Sub(begin)).
		Dur("took", time.Since(start)).Msg("store: bulk commit")
	return nil
}

// pfx is the 16-byte prefix of a key (keyPrefix), as a bound of a run.
type pfx struct{ hi, lo uint64 }

func (p pfx) cmp(q pfx) int { return cmpPrefix(p.hi, p.lo, q.hi, q.lo) }

// after returns the prefix just after p: every key whose prefix is p sorts
// before it, every key with a greater prefix at or after it.
func (p pfx) after() pfx {
	if p.lo == math.MaxUint64 {
		return pfx{p.hi + 1, 0}
	}
	return pfx{p.hi, p.lo + 1}
}

// groupMinBytes is the size of keys and values (estimated from the
// sample) from which a group of a bulk commit's writes gets runs of its
// own (partition); a variable for tests.
var groupMinBytes = 4 << 20

// keyGroup is a key's group for the runs of a bulk commit: its family
// and the byte after it (for most families the node kind, or the search
// field).
func keyGroup(p pfx) [2]byte { return [2]byte{byte(p.hi >> 56), byte(p.hi >> 48)} }

// partition splits the writes of l into runs of disjoint, ascending key
// ranges (every write of a key in one run), about size bytes each and
// at least minRuns (fewer only when the keys sample has fewer distinct
// prefixes), choosing the bounds from a sample of the keys, on workers
// goroutines. The runs are not sorted yet.
//
// The first run holds only family 00 (the commit marker the first
// stream writes). A group (keyGroup) of groupMinBytes or more has runs of
// its own, and within it the writes after the greatest key the store
// holds there (top, when it reports one) go to runs of their own too.
// Badger builds a table per run, and its compactions merge a table with
// every table below it whose key range overlaps its own: so the records,
// revisions and edges of the new nodes of a batch (ids above every stored
// one, kind by kind) make tables that overlap nothing stored, which the
// compactions move down without merging, where one table spanning two
// families, or old and new ids, would make them rewrite every stored
// table in between.
func partition(l *writeLog, workers, minRuns, size int, top func(g [2]byte) ([]byte, bool)) [][]sortItem {
	n := l.n
	stride := max(1, n/bulkSample)
	sample := make([]pfx, 0, n/stride+1)
	sizes := map[[2]byte]int{} // sampled bytes by group
	var sampled int
	for i := 0; i < n; i += stride {
		w := l.at(i)
		hi, lo := keyPrefix(w.key)
		p := pfx{hi, lo}
		sample = append(sample, p)
		sampled += len(w.key) + len(w.value)
		sizes[keyGroup(p)] += len(w.key) + len(w.value)
	}
	est := sampled / max(1, len(sample)) * n
	nruns := min(max(est/size, minRuns, 1), len(sample), 1<<16)
	slices.SortFunc(sample, pfx.cmp)
	// run r holds keys in [bounds[r-1], bounds[r]); run 0, which the
	// commit marker (family 00) opens, holds only that family.
	bounds := []pfx{{hi: 1 << 56}}
	for r := 1; r < nruns; r++ {
		bounds = append(bounds, sample[r*len(sample)/nruns])
	}
	groupStart := func(g [2]byte) pfx { return pfx{hi: uint64(g[0])<<56 | uint64(g[1])<<48} }
	for i0 := 0; i0 < len(sample); {
		g := keyGroup(sample[i0])
		i1 := i0 + 1
		for i1 < len(sample) && keyGroup(sample[i1]) == g {
			i1++
		}
		// Only a group of groupMinBytes or more gets runs of its own: a
		// stream costs a table, and a small batch's tables would be
		// mostly that.
		if sizes[g]*n/max(1, len(sample)) >= groupMinBytes {
			bounds = append(bounds, groupStart(g))
			if i1 < len(sample) {
				bounds = append(bounds, groupStart(keyGroup(sample[i1])))
			}
			if top != nil {
				if k, ok := top(g); ok {
					hi, lo := keyPrefix(k)
					if t := (pfx{hi, lo}); keyGroup(t) == g && t != (pfx{math.MaxUint64, math.MaxUint64}) {
						bounds = append(bounds, t.after())
					}
				}
			}
		}
		i0 = i1
	}
	slices.SortFunc(bounds, pfx.cmp)
	bounds = slices.Compact(bounds)
	nruns = len(bounds) + 1
	runOf := func(hi, lo uint64) int {
		return sort.Search(len(bounds), func(j int) bool { return cmpPrefix(hi, lo, bounds[j].hi, bounds[j].lo) < 0 })
	}

	// Two passes over segments of the log on the workers: count the writes
	// of each run per segment, then place them.
	segs := min(workers, max(1, n/writeChunk))
	seg := func(s int) (int, int) { return s * n / segs, (s + 1) * n / segs }
	ids := make([]uint16, n)
	counts := make([][]int, segs)
	var wg sync.WaitGroup
	for s := range segs {
		wg.Go(func() {
			c := make([]int, nruns)
			lo, hi := seg(s)
			for i := lo; i < hi; i++ {
				r := runOf(keyPrefix(l.at(i).key))
				ids[i] = uint16(r)
				c[r]++
			}
			counts[s] = c
		})
	}
	wg.Wait()
	items := make([]sortItem, n)
	runs := make([][]sortItem, nruns)
	offs := make([][]int, segs)
	for s := range offs {
		offs[s] = make([]int, nruns)
	}
	at := 0
	for r := range nruns {
		start := at
		for s := range segs {
			offs[s][r] = at
			at += counts[s][r]
		}
		runs[r] = items[start:at:at]
	}
	for s := range segs {
		wg.Go(func() {
			o := offs[s]
			lo, hi := seg(s)
			for i := lo; i < hi; i++ {
				r := ids[i]
				p0, p1 := keyPrefix(l.at(i).key)
				items[o[r]] = sortItem{hi: p0, lo: p1, i: uint32(i)}
				o[r]++
			}
		})
	}
	wg.Wait()
	return runs
}

// sortRun sorts a run by key, equal keys in the order they were written:
// first by the 16-byte prefixes (radixSort; the run comes in write order
// and the sort is stable), then each group of items with one prefix (keys
// longer than it) by key, so that the keys themselves are read only where
// the prefixes tie.
func sortRun(l *writeLog, run []sortItem) {
	radixSort(run)
	for lo := 0; lo < len(run); {
		hi := lo + 1
		for hi < len(run) && run[hi].hi == run[lo].hi && run[hi].lo == run[lo].lo {
			hi++
		}
		if hi-lo > 1 {
			slices.SortStableFunc(run[lo:hi], func(a, b sortItem) int {
				return bytes.Compare(l.at(int(a.i)).key, l.at(int(b.i)).key)
			})
		}
		lo = hi
	}
}

// radixSort sorts items by their 16-byte prefixes, stably: a least
// significant digit radix sort, one pass per byte, skipping the bytes all
// items share. Against slices.SortFunc on the prefixes and write order:
// 1.3 to 1.6 times faster on random prefixes (BenchmarkSortItems), and
// sortRun's CPU in a 100k-quote import went from 1.21 to 0.90 s.
func radixSort(items []sortItem) {
	if len(items) < 64 {
		slices.SortStableFunc(items, func(a, b sortItem) int { return cmpPrefix(a.hi, a.lo, b.hi, b.lo) })
		return
	}
	// The counts of every byte, in one pass: digit d is byte 15-d of the
	// prefix (d 0 the last byte of lo, d 15 the first byte of hi).
	var counts [16][256]int
	for _, it := range items {
		for d := range 8 {
			counts[d][byte(it.lo>>(8*d))]++
			counts[8+d][byte(it.hi>>(8*d))]++
		}
	}
	src, dst := items, make([]sortItem, len(items))
	for d := range 16 {
		c := &counts[d]
		if c[digit(src[0], d)] == len(src) {
			continue // every item has this byte
		}
		var offs [256]int
		sum := 0
		for b := range 256 {
			offs[b] = sum
			sum += c[b]
		}
		for _, it := range src {
			b := digit(it, d)
			dst[offs[b]] = it
			offs[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &items[0] {
		copy(items, src)
	}
}

// digit returns byte 15-d of an item's prefix.
func digit(it sortItem, d int) byte {
	if d < 8 {
		return byte(it.lo >> (8 * d))
	}
	return byte(it.hi >> (8 * (d - 8)))
}

// stream sorts each run and writes it as one stream, the workers taking
// the runs in order; the commit marker opens the first stream (its key
// is the smallest). Every KV has version commitTs; a delete is a
// tombstone, or nothing when the store held nothing before (readTs 0).
func (b *Badger) stream(sw *badger.StreamWriter, l *writeLog, runs [][]sortItem, readTs, commitTs uint64) error {
	var next, closed atomic.Int64
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
	for range min(runtime.GOMAXPROCS(0), len(runs)) {
		wg.Go(func() {
			buf := z.NewBuffer(bulkBufferBytes+bulkBufferBytes/4, "claimgraph.bulk")
			defer buf.Release()
			for !stop.Load() {
				r := int(next.Add(1) - 1)
				if r >= len(runs) {
					return
				}
				if err := b.streamRun(sw, buf, l, runs[r], uint32(r+1), r == 0, readTs, commitTs); err != nil {
					fail(err)
					return
				}
				if c := b.opt.crashAfterStreams; c > 0 && closed.Add(1) >= int64(c) {
					fail(errSimulatedStreamCrash)
					return
				}
			}
		})
	}
	wg.Wait()
	if first == nil && b.opt.crashAfterStreams > 0 {
		return errSimulatedStreamCrash // after the last stream, before Flush
	}
	return first
}

// groupTop returns the greatest key the store holds at readTs whose first
// two bytes are g, if any: a reverse seek, so about one read per group.
func (b *Badger) groupTop(readTs uint64, g [2]byte) ([]byte, bool) {
	if readTs == 0 {
		return nil, false
	}
	txn := b.db.NewTransactionAt(readTs, false)
	defer txn.Discard()
	it := txn.NewIterator(badger.IteratorOptions{Reverse: true, Prefix: g[:]})
	defer it.Close()
	it.Seek(append(g[:], bytes.Repeat([]byte{0xff}, 32)...))
	if !it.Valid() {
		return nil, false
	}
	return it.Item().KeyCopy(nil), true
}

// streamRun writes one run as the stream id and closes the stream (Badger
// then builds its table).
func (b *Badger) streamRun(sw *badger.StreamWriter, buf *z.Buffer, l *writeLog, run []sortItem, id uint32, first bool, readTs, commitTs uint64) error {
	sortRun(l, run)
	buf.Reset()
	wrote := false
	if first {
		var marker [8]byte
		binary.BigEndian.PutUint64(marker[:], commitTs)
		putKV(buf, metaCommitKey, marker[:], false, commitTs, id)
		wrote = true
	}
	for j := 0; j < len(run); j++ {
		w := l.at(int(run[j].i))
		for j+1 < len(run) && run[j+1].hi == run[j].hi && run[j+1].lo == run[j].lo &&
			bytes.Equal(l.at(int(run[j+1].i)).key, w.key) {
			j++ // the last write of a key wins
			w = l.at(int(run[j].i))
		}
		if w.del && readTs == 0 {
			continue // nothing to delete in an empty store
		}
		putKV(buf, w.key, w.value, w.del, commitTs, id)
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

// endStream writes what buf holds of stream id and closes the stream,
// when it wrote anything.
func endStream(sw *badger.StreamWriter, buf *z.Buffer, id uint32, wrote bool) error {
	if !wrote {
		return nil
	}
	badger.KVToBuffer(&pb.KV{StreamId: id, StreamDone: true}, buf)
	err := sw.Write(buf)
	buf.Reset()
	return err
}

// putKV appends to buf the KV (badger pb.KV, protobuf) of one write at
// version ts in the stream id, as badger.KVToBuffer would, without the
// reflection: a delete is a tombstone (meta bitDelete, no value). The
// fields are key 1, value 2, version 4, meta 6 and stream_id 10.
func putKV(buf *z.Buffer, key, value []byte, del bool, ts uint64, id uint32) {
	if del {
		value = nil
	}
	sz := 1 + uvarintLen(uint64(len(key))) + len(key) + 1 + uvarintLen(ts) + 1 + uvarintLen(uint64(id))
	if len(value) > 0 {
		sz += 1 + uvarintLen(uint64(len(value))) + len(value)
	}
	if del {
		sz += 3
	}
	p := buf.SliceAllocate(sz)[:0]
	p = append(p, 1<<3|2)
	p = binary.AppendUvarint(p, uint64(len(key)))
	p = append(p, key...)
	if len(value) > 0 {
		p = append(p, 2<<3|2)
		p = binary.AppendUvarint(p, uint64(len(value)))
		p = append(p, value...)
	}
	p = append(p, 4<<3) // wire type 0, varint
	p = binary.AppendUvarint(p, ts)
	if del {
		p = append(p, 6<<3|2, 1, bitDelete)
	}
	p = append(p, 10<<3)
	binary.AppendUvarint(p, uint64(id))
}

// writeIntent records, durably, that a bulk commit at commitTs over the
// last complete commit readTs is in progress (on-disk stores).
func (b *Badger) writeIntent(readTs, commitTs uint64) error {
	if b.opt.InMemory {
		return nil
	}
	var v [16]byte
	binary.BigEndian.PutUint64(v[:8], readTs)
	binary.BigEndian.PutUint64(v[8:], commitTs)
	if err := writeSynced(filepath.Join(b.opt.Dir, bulkIntentName), v[:]); err != nil {
		return fmt.Errorf("store: bulk commit: %w", err)
	}
	return nil
}

// removeIntent ends a bulk commit: once the file is gone, the commit is
// complete.
func (b *Badger) removeIntent() error {
	if b.opt.InMemory {
		return nil
	}
	if err := os.Remove(filepath.Join(b.opt.Dir, bulkIntentName)); err != nil {
		return err
	}
	syncDir(b.opt.Dir)
	return nil
}

// readIntent reports whether a bulk commit cut by a crash left its intent
// file, and the last complete commit before it (math.MaxUint64 when the
// file is short: it is written and synced before the stream begins, so a
// crash while writing it came before any table).
func (b *Badger) readIntent() (good uint64, present bool, err error) {
	if b.opt.InMemory {
		return 0, false, nil
	}
	name := filepath.Join(b.opt.Dir, bulkIntentName)
	v, err := os.ReadFile(name)
	if errors.Is(err, os.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: read %s: %w", name, err)
	}
	if len(v) != 16 {
		return math.MaxUint64, true, nil
	}
	return binary.BigEndian.Uint64(v[:8]), true, nil
}

// dropIntent removes the intent file of a bulk commit that recover has
// undone (or that wrote nothing).
func (b *Badger) dropIntent(present bool) error {
	if !present {
		return nil
	}
	if err := b.removeIntent(); err != nil {
		return fmt.Errorf("store: remove the bulk commit intent: %w", err)
	}
	return nil
}
