package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"claimgraph/graph"
)

// Posting blocks (layout 5).
//
// The logical postings of family s are the entries the node-side
// builders produce, one per (list, node):
//
//	s | field | term | 00 | id  -> uvarint tf, uvarint len, then tf × (sub, pos, start, end)
//	s | fc | word | 00 | id     -> uvarint count, then count × pos
//
// (pos is stored as pos<<2 | flags, layout 6: whosaid_flags.go.)
//
// (len is the node's word count in the field: the BM25 length.) They are
// stored in blocks: the key of a block is the key of its last logical
// posting with the field byte moved (s | blockField(field) | term | 00 |
// last id), except the last block of a list, keyed ff ff ff ff ff ff ff ff
// (tailID) so that appends find it with a forward seek and top it up
// without moving it; its value is up to
// postingBlockSize postings of the list, in id order:
//
//	heads (1 byte: the leading uvarints of each logical value, 2 or 1)
//	uvarint n
//	uvarint first id, then n-1 uvarint id deltas (each > 0)
//	n × heads uvarints (tf and len; count)
//	n × uvarint payload length
//	the payloads, concatenated (the rest of each logical value)
//
// so that a reader needing only ids, tf and lengths never decodes an
// occurrence. Keying a block by its last id makes a seek to id one
// forward seek: the first block key at or after prefix | id is the block
// that holds id, or the first posting after it. No reader or writer
// scans blocks in reverse: a reverse Badger iterator walks every deleted
// key below its start, and deleted keys are kept forever.
//
// The writer routes the logical posting entries it sets and deletes
// (writer.set, writer.del) into postingWrites; flushPostings, at the end
// of the batch, groups them by list, reads the blocks they fall in at the
// read snapshot, merges, splits at postingBlockSize and writes or deletes
// the block keys.

// postingBlockSize is the most postings a block holds.
const postingBlockSize = 128

// tailID is the id in the key of the last block of a list.
const tailID = ^uint64(0)

// postingHeads returns the number of leading uvarints of the logical
// values of the lists of field byte f (2: tf and length; 1: count), or 0
// when f is not a postings list field.
func postingHeads(f byte) int {
	switch {
	case f == searchWordField:
		return 1
	case f >= byte(graph.SearchName) && f <= byte(graph.SearchMeasure):
		return 2
	}
	return 0
}

// postingKeyPrefix returns the length of the list prefix of k
// (s | field | term | 00) when k has the shape of a logical posting key,
// else 0.
func postingKeyPrefix(k []byte) int {
	if len(k) < 12 || k[0] != famSearch || postingHeads(k[1]) == 0 || k[len(k)-9] != 0 {
		return 0
	}
	if bytes.IndexByte(k[2:len(k)-9], 0) >= 0 {
		return 0
	}
	return len(k) - 8
}

// Block list bytes: the blocks of the lists of field byte f are stored
// under s | blockField(f), apart from the logical keys (which layout 4
// stored one per posting): search field f (01 to 05) under 10+f, word
// postings (fc) under 1c. Keeping them apart means a scan of the blocks
// never walks the deleted per-posting keys of a migrated store (every
// version is kept, deletes included).
const (
	blockFieldBase byte = 0x10
	blockWordField byte = 0x1c
)

// blockField returns the list byte of the blocks of field byte f.
func blockField(f byte) byte {
	if f == searchWordField {
		return blockWordField
	}
	return blockFieldBase + f
}

// logicalField returns the field byte of the lists of block list byte b,
// 0 when b is none.
func logicalField(b byte) byte {
	switch {
	case b == blockWordField:
		return searchWordField
	case b > blockFieldBase && b <= blockFieldBase+byte(graph.SearchMeasure):
		return b - blockFieldBase
	}
	return 0
}

// blockPrefix returns the prefix of the blocks of a list, from its
// logical prefix (s | field | term | 00).
func blockPrefix(logical []byte) []byte {
	p := slices.Clone(logical)
	p[1] = blockField(p[1])
	return p
}

// blockKeyPrefix returns the length of the list prefix of k when k has
// the shape of a posting block key, else 0.
func blockKeyPrefix(k []byte) int {
	if len(k) < 12 || k[0] != famSearch || logicalField(k[1]) == 0 || k[len(k)-9] != 0 {
		return 0
	}
	if bytes.IndexByte(k[2:len(k)-9], 0) >= 0 {
		return 0
	}
	return len(k) - 8
}

// postingEntry is one logical posting: the node's id and its value.
type postingEntry struct {
	id  uint64
	val []byte
}

// postingBlock is a decoded block. Its slices alias the value decoded.
type postingBlock struct {
	heads int
	ids   []uint64
	head  []uint64 // heads values per posting
	offs  []int    // payload i is pay[offs[i]:offs[i+1]]
	pay   []byte
}

func (b *postingBlock) len() int { return len(b.ids) }

// payload returns the payload of posting i.
func (b *postingBlock) payload(i int) []byte { return b.pay[b.offs[i]:b.offs[i+1]] }

// value returns the logical value of posting i, appended to dst.
func (b *postingBlock) value(dst []byte, i int) []byte {
	for _, h := range b.head[i*b.heads : (i+1)*b.heads] {
		dst = binary.AppendUvarint(dst, h)
	}
	return append(dst, b.payload(i)...)
}

// entries returns the logical postings of the block (values copied).
func (b *postingBlock) entries() []postingEntry {
	out := make([]postingEntry, b.len())
	for i := range out {
		out[i] = postingEntry{b.ids[i], b.value(nil, i)}
	}
	return out
}

// encodePostingBlock encodes postings (ids strictly ascending, at least
// one) whose logical values begin with heads uvarints.
func encodePostingBlock(heads int, es []postingEntry) ([]byte, error) {
	if len(es) == 0 || heads < 1 || heads > 2 {
		return nil, fmt.Errorf("store: posting block of %d postings with %d heads", len(es), heads)
	}
	size := 0
	for _, e := range es {
		size += len(e.val) + 4
	}
	v := make([]byte, 0, size+16)
	v = append(v, byte(heads))
	v = binary.AppendUvarint(v, uint64(len(es)))
	v = binary.AppendUvarint(v, es[0].id)
	for i := 1; i < len(es); i++ {
		if es[i].id <= es[i-1].id {
			return nil, fmt.Errorf("store: posting block ids out of order (%x after %x)", es[i].id, es[i-1].id)
		}
		v = binary.AppendUvarint(v, es[i].id-es[i-1].id)
	}
	rest := make([]int, len(es)) // where each payload starts in its value
	for i, e := range es {
		x := e.val
		for range heads {
			h, n := binary.Uvarint(x)
			if n <= 0 {
				return nil, fmt.Errorf("store: posting value %x of %x has no heads", e.val, e.id)
			}
			if binary.PutUvarint(make([]byte, binary.MaxVarintLen64), h) != n {
				return nil, fmt.Errorf("store: posting value %x of %x: non-canonical uvarint", e.val, e.id)
			}
			v = binary.AppendUvarint(v, h)
			x = x[n:]
		}
		rest[i] = len(e.val) - len(x)
	}
	for i, e := range es {
		v = binary.AppendUvarint(v, uint64(len(e.val)-rest[i]))
	}
	for i, e := range es {
		v = append(v, e.val[rest[i]:]...)
	}
	return v, nil
}

// decodePostingBlock decodes the value v of the block whose key ends
// with key (its last id, or tailID) into b, reusing b's slices; b
// aliases v.
func decodePostingBlock(key uint64, v []byte, b *postingBlock) error {
	bad := func(what string) error { return fmt.Errorf("%w: posting block: %s", errCorrupt, what) }
	if len(v) < 3 {
		return bad("short")
	}
	b.heads = int(v[0])
	if b.heads < 1 || b.heads > 2 {
		return bad("heads")
	}
	p := uvarintReader(v[1:])
	next := p.next
	n, ok := next()
	if !ok || n == 0 || n > uint64(len(p)) {
		return bad("count")
	}
	first, ok := next()
	if !ok {
		return bad("first id")
	}
	b.ids = append(b.ids[:0], first)
	for i := 1; i < int(n); i++ {
		d, ok := next()
		if !ok || d == 0 || d > ^uint64(0)-b.ids[i-1] {
			return bad("id delta")
		}
		b.ids = append(b.ids, b.ids[i-1]+d)
	}
	if last := b.ids[n-1]; key != last && (key != tailID || last == tailID) {
		return bad(fmt.Sprintf("last id %016x under key %016x", last, key))
	}
	b.head = b.head[:0]
	for range int(n) * b.heads {
		h, ok := next()
		if !ok {
			return bad("heads")
		}
		b.head = append(b.head, h)
	}
	b.offs = append(b.offs[:0], 0)
	total := 0
	for range int(n) {
		l, ok := next()
		if !ok || l > uint64(len(p)) {
			return bad("payload length")
		}
		total += int(l)
		if total > len(p) {
			return bad("payload length")
		}
		b.offs = append(b.offs, total)
	}
	if total != len(p) {
		return bad("payload size")
	}
	b.pay = p
	return nil
}

// uvarintReader reads uvarints from the front of a byte slice.
type uvarintReader []byte

// next reads one uvarint; false when none is left whole.
func (u *uvarintReader) next() (uint64, bool) {
	x, w := binary.Uvarint(*u)
	if w <= 0 {
		return 0, false
	}
	*u = (*u)[w:]
	return x, true
}

// postingWrites holds the logical posting writes of a batch, by list
// (s | field | term | 00): a nil value deletes. The values are copied into
// an arena of pointer-free chunks: a large import stages tens of millions
// of postings, which as separate slices the garbage collector would scan
// on every cycle.
type postingWrites struct {
	size  int // postingBlockSize; tests set less
	lists map[string]*listWrites
	vals  valueArena
}

type listWrites struct {
	ids  []uint64
	refs []uint64 // the values, in postingWrites.vals (noValue: delete)
}

// stagePosting records a logical posting write (v nil: delete) of key k,
// whose list prefix is k[:n].
func (w *writer) stagePosting(k []byte, n int, v []byte) {
	w.wrote = true
	if w.postings == nil {
		w.postings = &postingWrites{size: postingBlockSize, lists: map[string]*listWrites{}}
	}
	lw := w.postings.lists[string(k[:n])]
	if lw == nil {
		lw = &listWrites{}
		w.postings.lists[string(k[:n])] = lw
	}
	lw.ids = append(lw.ids, decodeID(k[n:]))
	lw.refs = append(lw.refs, w.postings.vals.add(v))
}

// valueArena keeps byte strings in chunks without pointers, each as its
// length (uvarint) and bytes, referred to by chunk<<32 | offset.
type valueArena struct {
	chunks [][]byte
}

// valueChunk is the size of an arena chunk; a longer value gets a chunk
// of its own.
const valueChunk = 1 << 20

// noValue is the reference of a nil value.
const noValue = ^uint64(0)

// add copies v into the arena and returns its reference.
func (a *valueArena) add(v []byte) uint64 {
	if v == nil {
		return noValue
	}
	need := binary.MaxVarintLen64 + len(v)
	n := len(a.chunks)
	if n == 0 || cap(a.chunks[n-1])-len(a.chunks[n-1]) < need {
		a.chunks = append(a.chunks, make([]byte, 0, max(valueChunk, need)))
		n++
	}
	c := a.chunks[n-1]
	ref := uint64(n-1)<<32 | uint64(len(c))
	c = binary.AppendUvarint(c, uint64(len(v)))
	a.chunks[n-1] = append(c, v...)
	return ref
}

// get returns the value of ref (nil for noValue); the slice aliases the
// arena.
func (a *valueArena) get(ref uint64) []byte {
	if ref == noValue {
		return nil
	}
	c := a.chunks[ref>>32][uint32(ref):]
	l, k := binary.Uvarint(c)
	return c[k : k+int(l) : k+int(l)]
}

// flushPostings writes the staged logical postings into their blocks.
// The lists are planned (planList: their blocks read, merged and encoded)
// on GOMAXPROCS goroutines, at most flushAhead lists ahead of the writes,
// which stay in the order of the lists' prefixes. Planning only reads the
// state before the batch (the writer's reads never see its staged writes)
// and each list's blocks are its own, so the plans do not depend on each
// other.
func (w *writer) flushPostings(ctx context.Context) error {
	if w.postings == nil {
		return nil
	}
	pw := w.postings
	w.postings = nil
	return planLists(w, pw.lists, func(prefix []byte, lw *listWrites) listPlan {
		return w.planList(ctx, prefix, lw, &pw.vals, pw.size)
	})
}

// planLists applies, in the order of their prefixes, the plans of the
// staged lists (planInOrder).
func planLists[L any](w *writer, lists map[string]L, plan func(prefix []byte, l L) listPlan) error {
	prefixes := make([]string, 0, len(lists))
	for p := range lists {
		prefixes = append(prefixes, p)
	}
	slices.Sort(prefixes)
	return w.planInOrder(len(prefixes), func(i int) listPlan {
		return plan([]byte(prefixes[i]), lists[prefixes[i]])
	})
}

// planInOrder applies the plans of n lists in order (plan(i) for list i):
// the plans are made on GOMAXPROCS goroutines, at most flushAhead lists
// ahead of the writes, unless there are few lists.
func (w *writer) planInOrder(n int, plan func(i int) listPlan) error {
	workers := runtime.GOMAXPROCS(0)
	if flushWorkers > 0 {
		workers = flushWorkers
	}
	if n < 2*flushAhead || workers < 2 {
		for i := range n {
			if err := w.applyPlan(plan(i)); err != nil {
				return err
			}
		}
		return nil
	}
	plans := make([]listPlan, n)
	ready := make([]chan struct{}, n)
	for i := range ready {
		ready[i] = make(chan struct{})
	}
	var next atomic.Int64
	slots := make(chan struct{}, flushAhead) // plans made and not yet written
	stop := make(chan struct{})
	var wg sync.WaitGroup
	defer func() {
		close(stop)
		wg.Wait()
	}()
	for range workers {
		wg.Go(func() {
			for {
				select {
				case slots <- struct{}{}:
				case <-stop:
					return
				}
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				plans[i] = plan(i)
				close(ready[i])
			}
		})
	}
	for i := range n {
		<-ready[i]
		p := plans[i]
		plans[i] = listPlan{}
		<-slots
		if err := w.applyPlan(p); err != nil {
			return err
		}
	}
	return nil
}

// flushAhead is how many posting lists flushPostings plans ahead of its
// writes.
const flushAhead = 64

// flushWorkers, when positive, is the number of goroutines flushPostings
// plans on instead of GOMAXPROCS (tests: 1 plans in the writer).
var flushWorkers = 0

// listPlan is what flushing one posting list writes, in order: the
// reversed dictionary key of a new list, then each block (a nil value
// deletes the key).
type listPlan struct {
	err    error
	dict   []byte // the dictionary key of a new list; nil: none
	writes []write
}

// applyPlan stages the writes of a list's plan.
func (w *writer) applyPlan(p listPlan) error {
	if p.err != nil {
		return p.err
	}
	if p.dict != nil {
		w.wrote = true
		if err := w.tx.Set(p.dict, []byte{}); err != nil {
			return err
		}
	}
	for _, wr := range p.writes {
		w.wrote = true
		var err error
		if wr.del {
			err = w.tx.Delete(wr.key)
		} else {
			err = w.tx.Set(wr.key, wr.value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// planList merges the writes of one list into its blocks: what
// flushPostings then writes. It only reads the store.
func (w *writer) planList(ctx context.Context, logical []byte, lw *listWrites, vals *valueArena, size int) listPlan {
	var p listPlan
	p.err = w.flushList(ctx, logical, lw, vals, size, &p)
	return p
}

// flushList merges the writes of one list into its blocks, into p.
func (w *writer) flushList(ctx context.Context, logical []byte, lw *listWrites, vals *valueArena, size int, p *listPlan) error {
	heads := postingHeads(logical[1])
	prefix := blockPrefix(logical)
	// The writes in id order, the last write of an id winning.
	idx := make([]int, len(lw.ids))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch x, y := lw.ids[a], lw.ids[b]; {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	})
	changes := make([]postingEntry, 0, len(idx))
	for _, i := range idx {
		v := vals.get(lw.refs[i])
		if n := len(changes); n > 0 && changes[n-1].id == lw.ids[i] {
			changes[n-1].val = v
			continue
		}
		changes = append(changes, postingEntry{lw.ids[i], v})
	}
	lo, hi := changes[0].id, changes[len(changes)-1].id
	// The blocks the writes fall in: those from the one holding lo to the
	// one holding hi (the last block, keyed tailID, holds every id past
	// the others). None: the list is new.
	var blocks []uint64
	kv := w.rd.kv
	err := kv.Scan(ctx, Range{Prefix: prefix, Start: appendID(slices.Clip(prefix), lo), KeysOnly: true}, func(k, _ []byte) error {
		if len(k) != len(prefix)+8 {
			return fmt.Errorf("%w: posting block key %x", errCorrupt, k)
		}
		id := decodeID(k[len(prefix):])
		blocks = append(blocks, id)
		if id >= hi {
			return ErrStopScan
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(blocks) == 0 {
		// A new list: its reversed dictionary key (whosaid_flags.go).
		p.dict = dictKeyOfNewList(logical, changes)
	}
	// Group the writes by block: the first block whose key is at or
	// after their id.
	start := 0
	for start < len(changes) {
		j := sort.Search(len(blocks), func(j int) bool { return blocks[j] >= changes[start].id })
		end := len(changes)
		if j < len(blocks) {
			end = start + sort.Search(len(changes)-start, func(i int) bool { return changes[start+i].id > blocks[j] })
		}
		var old []postingEntry
		var oldKey []byte
		tail := j == len(blocks) || blocks[j] == tailID
		if j < len(blocks) {
			oldKey = appendID(slices.Clip(prefix), blocks[j])
			v, err := kv.Get(ctx, oldKey)
			if err != nil {
				return fmt.Errorf("posting block %x: %w", oldKey, err)
			}
			var b postingBlock
			if err := decodePostingBlock(blocks[j], v, &b); err != nil {
				return fmt.Errorf("%w (key %x)", err, oldKey)
			}
			old = b.entries()
		}
		merged := mergePostings(old, changes[start:end])
		if err := planBlocks(p, prefix, heads, merged, oldKey, size, tail); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// mergePostings applies writes (in id order; nil value: delete) to the
// postings of a block (in id order).
func mergePostings(old, writes []postingEntry) []postingEntry {
	out := make([]postingEntry, 0, len(old)+len(writes))
	i := 0
	for _, c := range writes {
		for i < len(old) && old[i].id < c.id {
			out = append(out, old[i])
			i++
		}
		if i < len(old) && old[i].id == c.id {
			i++
		}
		if c.val != nil {
			out = append(out, c)
		}
	}
	return append(out, old[i:]...)
}

// planBlocks adds to p the postings as blocks of at most size, the last
// keyed tailID when they end the list (tail), and the delete of the old
// block key unless a new block has it.
func planBlocks(p *listPlan, prefix []byte, heads int, es []postingEntry, oldKey []byte, size int, tail bool) error {
	keep := false
	for len(es) > 0 {
		n := min(size, len(es))
		v, err := encodePostingBlock(heads, es[:n])
		if err != nil {
			return err
		}
		last := es[n-1].id
		if tail && n == len(es) {
			last = tailID
		}
		k := appendID(slices.Clip(prefix), last)
		keep = keep || bytes.Equal(k, oldKey)
		p.writes = append(p.writes, write{key: k, value: v})
		es = es[n:]
	}
	if oldKey != nil && !keep {
		p.writes = append(p.writes, write{key: oldKey, del: true})
	}
	return nil
}

// postingCursor walks the logical postings of one list in id order,
// within [lo, hi]: it seeks by block keys (the block holding an id is the
// first whose key is at or after it) and decodes a block only when it
// stops in it.
type postingCursor struct {
	ctx    context.Context
	kv     KVReader
	prefix []byte // of the blocks: s | blockField(field) | term | 00
	lo, hi uint64

	c    kvCursor
	blk  postingBlock
	buf  []byte
	i    int
	done bool
}

// newPostingCursor returns a cursor over the list of logical prefix
// s | field | term | 00.
func newPostingCursor(ctx context.Context, kv KVReader, logical []byte, lo, hi uint64) *postingCursor {
	return &postingCursor{ctx: ctx, kv: kv, prefix: blockPrefix(logical), lo: lo, hi: hi}
}

// kindRange returns the ids of kind k.
func kindRange(k graph.Kind) (uint64, uint64) { return makeID(k, 0), makeID(k, 1<<56-1) }

func (p *postingCursor) close() {
	if p.c != nil {
		p.c.close()
	}
}

// id, head and payload describe the current posting.
func (p *postingCursor) id() uint64        { return p.blk.ids[p.i] }
func (p *postingCursor) head(j int) uint64 { return p.blk.head[p.i*p.blk.heads+j] }
func (p *postingCursor) payload() []byte   { return p.blk.payload(p.i) }

func (p *postingCursor) at() bool {
	if p.blk.ids[p.i] > p.hi {
		p.done = true
		return false
	}
	return true
}

// load decodes the block under the cursor and moves to its first posting
// at or after id.
func (p *postingCursor) load(ok bool, err error, id uint64) (bool, error) {
	if err != nil || !ok {
		p.done = true
		return false, err
	}
	k := p.c.key()
	if len(k) != len(p.prefix)+8 {
		p.done = true
		return false, fmt.Errorf("%w: posting block key %x", errCorrupt, k)
	}
	last := decodeID(k[len(p.prefix):])
	err = p.c.value(func(v []byte) error {
		p.buf = append(p.buf[:0], v...)
		return decodePostingBlock(last, p.buf, &p.blk)
	})
	if err != nil {
		p.done = true
		return false, fmt.Errorf("%w (key %x)", err, k)
	}
	p.i, _ = slices.BinarySearch(p.blk.ids, id)
	if p.i == p.blk.len() {
		// Past the last block's postings: none is left.
		p.done = true
		return false, nil
	}
	return p.at(), nil
}

// seek moves to the first posting at or after id (and lo); false when
// none is left.
func (p *postingCursor) seek(id uint64) (bool, error) {
	if p.done {
		return false, nil
	}
	id = max(id, p.lo)
	if p.c != nil && p.blk.len() > 0 && p.blk.ids[p.blk.len()-1] >= id {
		if p.blk.ids[p.i] < id {
			j, _ := slices.BinarySearch(p.blk.ids[p.i:], id)
			p.i += j
		}
		return p.at(), nil
	}
	if p.c == nil {
		p.c = openCursor(p.ctx, p.kv, p.prefix, false, 4)
	}
	ok, err := p.c.seek(appendID(slices.Clip(p.prefix), id))
	return p.load(ok, err, id)
}

// next moves to the following posting; false at the end.
func (p *postingCursor) next() (bool, error) {
	if p.done {
		return false, nil
	}
	if p.c == nil {
		return p.seek(p.lo)
	}
	if p.i+1 < p.blk.len() {
		p.i++
		return p.at(), nil
	}
	ok, err := p.c.next()
	return p.load(ok, err, 0)
}

// postingAt returns the logical value of the posting of id in the list
// (appended to dst), false when there is none: one scan of one key.
func postingAt(ctx context.Context, kv KVReader, logical []byte, id uint64) ([]byte, bool, error) {
	prefix := blockPrefix(logical)
	var out []byte
	found := false
	err := kv.Scan(ctx, Range{Prefix: prefix, Start: appendID(slices.Clip(prefix), id), Limit: 1}, func(k, v []byte) error {
		if len(k) != len(prefix)+8 {
			return fmt.Errorf("%w: posting block key %x", errCorrupt, k)
		}
		var b postingBlock
		if err := decodePostingBlock(decodeID(k[len(prefix):]), v, &b); err != nil {
			return fmt.Errorf("%w (key %x)", err, k)
		}
		if i, ok := slices.BinarySearch(b.ids, id); ok {
			out, found = b.value(nil, i), true
		}
		return nil
	})
	return out, found, err
}

// countPostings counts the postings of kind k in the list, up to cap+1.
func countPostings(ctx context.Context, kv KVReader, logical []byte, k graph.Kind, capN int) (int, error) {
	n := 0
	err := scanPostings(ctx, kv, logical, k, func(uint64) bool { n++; return n <= capN })
	return n, err
}

// listPostings returns the ids of kind k in the list.
func listPostings(ctx context.Context, kv KVReader, logical []byte, k graph.Kind) ([]uint64, error) {
	var out []uint64
	err := scanPostings(ctx, kv, logical, k, func(id uint64) bool { out = append(out, id); return true })
	return out, err
}

// scanPostings calls fn with the ids of kind k in the list, in id order,
// until fn returns false.
func scanPostings(ctx context.Context, kv KVReader, logical []byte, k graph.Kind, fn func(id uint64) bool) error {
	prefix := blockPrefix(logical)
	lo, hi := kindRange(k)
	var b postingBlock
	return kv.Scan(ctx, Range{Prefix: prefix, Start: appendID(slices.Clip(prefix), lo)}, func(key, v []byte) error {
		if len(key) != len(prefix)+8 {
			return fmt.Errorf("%w: posting block key %x", errCorrupt, key)
		}
		if err := decodePostingBlock(decodeID(key[len(prefix):]), v, &b); err != nil {
			return fmt.Errorf("%w (key %x)", err, key)
		}
		for _, id := range b.ids {
			if id > hi {
				return ErrStopScan
			}
			if id >= lo && !fn(id) {
				return ErrStopScan
			}
		}
		return nil
	})
}

// reindexPostings brings the search keys of a store of layout 4 or
// earlier to blocks: it deletes every key of family s (per-node
// postings, lengths, statistics), in commits of at most 20,000 deletes,
// then writes them again from the records in one commit (reindexSearch),
// which marks the store layoutVersion. Each step may run again: a crash
// before the mark leaves the old layout marked and the next open deletes
// and writes again. It returns how many nodes it indexed.
func reindexPostings(ctx context.Context, kv KV) (deleted, nodes int, err error) {
	deleted, err = dropFamily(ctx, kv, famSearch, migrateChunk)
	if err != nil {
		return deleted, 0, err
	}
	nodes, err = reindexSearch(ctx, kv)
	return deleted, nodes, err
}
