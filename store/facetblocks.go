package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
)

// Facet blocks (layout 7).
//
// The logical facet entries (facet.go) are the keys the node-side
// builders produce, one per (list, node):
//
//	f | kind | code | variant | escaped value | entry   -> (empty)
//
// where the list prefix ends with the escaped value's terminator 00 01
// and the entry is the node's position in the list (its user key in key
// order; marker | value (8) | user key in value order). They are stored
// in blocks of up to facetBlockEntries entries of one list, in entry
// order:
//
//	f | kind | code | 10+variant | escaped value | last entry  -> block
//	f | kind | code | 10+variant | escaped value | ff          -> the list's last block
//
// The key of a block bounds its entries from above: the first block key
// at or after list | e is the block that holds e, if any does. The last
// block of a list is keyed ff, which no entry starts with (user keys are
// ASCII, value-order entries start with 01 or 02), so that an entry past
// every other goes into it without a new key. A block's value is
//
//	uvarint n, then n × (uvarint shared, uvarint rest length, rest)
//
// each entry as the length of the prefix it shares with the entry before
// it (0 for the first) and the rest of its bytes. The node's column key
// (f | kind | ff | key) is not an entry and stays one key per node.
//
// The writer routes the logical facet keys it sets and deletes
// (writer.set, writer.del) into facetWrites; flushFacets, at the end of
// the batch, groups them by list, reads the blocks they fall in at the
// read snapshot, merges, splits into blocks of at most facetBlockEntries
// (evenly: a block that overflows splits in two halves) and writes or
// deletes the block keys. Readers walk the entries through scanFacetList,
// which takes the bounds of a scan of logical keys.
//
// Blocks cut the keys a quote writes from 33 to about 25 (its nine
// entries become a share of blocks) and the bytes of its entries by the
// shared prefixes; a page of a filtered list reads a block or two.

// facetBlockEntries is the most entries a facet block holds; tests set
// less.
var facetBlockEntries = 128

// variantBlock is added to the variant byte of a list's logical prefix to
// give the prefix of its blocks.
const variantBlock byte = 0x10

// facetTail is the suffix of the key of a list's last block.
const facetTail byte = 0xff

// escapedEnd returns the length of the escaped value at the start of b,
// its terminator 00 01 included, or -1 when b holds no whole one.
func escapedEnd(b []byte) int {
	for i := 0; i+1 < len(b); i++ {
		if b[i] != 0x00 {
			continue
		}
		switch b[i+1] {
		case 0x01:
			return i + 2
		case 0xff:
			i++
		default:
			return -1
		}
	}
	return -1
}

// facetPrefixLen returns the length of the list prefix of k when k is
// f | kind | code | one of variants | escaped value | something, else 0.
func facetPrefixLen(k []byte, v0, v1 byte) int {
	if len(k) < 7 || k[0] != famFacet || k[2] == facetColumn || (k[3] != v0 && k[3] != v1) {
		return 0
	}
	n := escapedEnd(k[4:])
	if n < 0 || 4+n == len(k) {
		return 0
	}
	return 4 + n
}

// facetListPrefix returns the length of the list prefix of k when k is a
// logical facet entry key, else 0.
func facetListPrefix(k []byte) int { return facetPrefixLen(k, variantKey, variantValue) }

// facetBlockKeyPrefix returns the length of the list prefix of k when k
// has the shape of a facet block key, else 0.
func facetBlockKeyPrefix(k []byte) int {
	return facetPrefixLen(k, variantBlock+variantKey, variantBlock+variantValue)
}

// facetBlockPrefix returns the prefix of the blocks of the list whose
// logical prefix is list.
func facetBlockPrefix(list []byte) []byte {
	p := slices.Clone(list)
	p[3] += variantBlock
	return p
}

// encodeFacetBlock encodes entries (strictly ascending, at least one).
func encodeFacetBlock(es [][]byte) ([]byte, error) {
	if len(es) == 0 {
		return nil, fmt.Errorf("store: facet block of no entries")
	}
	size := 2
	for _, e := range es {
		size += len(e) + 2
	}
	v := make([]byte, 0, size)
	v = binary.AppendUvarint(v, uint64(len(es)))
	var prev []byte
	for i, e := range es {
		if i > 0 && bytes.Compare(prev, e) >= 0 {
			return nil, fmt.Errorf("store: facet block entries out of order (%x after %x)", e, prev)
		}
		shared := 0
		for shared < len(prev) && shared < len(e) && prev[shared] == e[shared] {
			shared++
		}
		v = binary.AppendUvarint(v, uint64(shared))
		v = binary.AppendUvarint(v, uint64(len(e)-shared))
		v = append(v, e[shared:]...)
		prev = e
	}
	return v, nil
}

// facetBlockLen returns the number of entries a block value declares.
func facetBlockLen(v []byte) (int, error) {
	n, w := binary.Uvarint(v)
	if w <= 0 || n == 0 || n > uint64(len(v)) {
		return 0, fmt.Errorf("%w: facet block: count", errCorrupt)
	}
	return int(n), nil
}

// facetBlock is a decoded facet block: entry i is buf[ends[i-1]:ends[i]].
type facetBlock struct {
	buf  []byte
	ends []int
}

func (b *facetBlock) len() int { return len(b.ends) }

// entry returns entry i; the slice aliases the block.
func (b *facetBlock) entry(i int) []byte {
	start := 0
	if i > 0 {
		start = b.ends[i-1]
	}
	return b.buf[start:b.ends[i]:b.ends[i]]
}

// decodeFacetBlock decodes the value v of the block whose key ends with
// last (the block's last entry, or facetTail alone) into b, reusing its
// slices; b does not alias v.
func decodeFacetBlock(last, v []byte, b *facetBlock) error {
	bad := func(what string) error { return fmt.Errorf("%w: facet block: %s", errCorrupt, what) }
	n, err := facetBlockLen(v)
	if err != nil {
		return err
	}
	_, w := binary.Uvarint(v)
	p := uvarintReader(v[w:])
	next := p.next
	b.buf, b.ends = b.buf[:0], b.ends[:0]
	prevStart := 0
	for i := range n {
		shared, ok := next()
		if !ok {
			return bad("shared length")
		}
		rest, ok := next()
		if !ok || rest > uint64(len(p)) {
			return bad("entry length")
		}
		prevLen := 0
		if i > 0 {
			prevLen = len(b.buf) - prevStart
		}
		// (An entry equal to or a prefix of the one before is caught
		// below, as out of order.)
		if shared > uint64(prevLen) {
			return bad("shared length")
		}
		start := len(b.buf)
		b.buf = append(b.buf, b.buf[prevStart:prevStart+int(shared)]...)
		b.buf = append(b.buf, p[:rest]...)
		p = p[rest:]
		if start == len(b.buf) {
			return bad("empty entry")
		}
		if i > 0 && bytes.Compare(b.buf[prevStart:start], b.buf[start:]) >= 0 {
			return bad("entries out of order")
		}
		b.ends = append(b.ends, len(b.buf))
		prevStart = start
	}
	if len(p) != 0 {
		return bad("trailing bytes")
	}
	lastEntry := b.entry(n - 1)
	if !(len(last) == 1 && last[0] == facetTail) && !bytes.Equal(last, lastEntry) {
		return bad(fmt.Sprintf("last entry %x under key suffix %x", lastEntry, last))
	}
	return nil
}

// facetWrites holds the logical facet writes of a batch, by list prefix;
// the entries are copied into a pointer-free arena.
type facetWrites struct {
	lists map[string]*facetListWrites
	vals  valueArena
}

type facetListWrites struct {
	refs []uint64 // the entries, in facetWrites.vals
	dels []bool
}

// stageFacet records a logical facet write (del: a delete) of key k,
// whose list prefix is k[:n].
func (w *writer) stageFacet(k []byte, n int, del bool) {
	w.wrote = true
	if w.facetW == nil {
		w.facetW = &facetWrites{lists: map[string]*facetListWrites{}}
	}
	lw := w.facetW.lists[string(k[:n])]
	if lw == nil {
		lw = &facetListWrites{}
		w.facetW.lists[string(k[:n])] = lw
	}
	lw.refs = append(lw.refs, w.facetW.vals.add(k[n:]))
	lw.dels = append(lw.dels, del)
}

// flushFacets writes the staged logical facet entries into their blocks,
// planning the lists as flushPostings does.
func (w *writer) flushFacets(ctx context.Context) error {
	if w.facetW == nil {
		return nil
	}
	fw := w.facetW
	w.facetW = nil
	return planLists(w, fw.lists, func(prefix []byte, lw *facetListWrites) listPlan {
		var p listPlan
		p.err = w.flushFacetList(ctx, prefix, lw, &fw.vals, &p)
		return p
	})
}

// facetChange is a write of one entry, the seq-th of its list.
type facetChange struct {
	e   []byte
	del bool
	seq int
}

// flushFacetList merges the writes of one list into its blocks, into p.
// It only reads the store.
func (w *writer) flushFacetList(ctx context.Context, list []byte, lw *facetListWrites, vals *valueArena, p *listPlan) error {
	prefix := facetBlockPrefix(list)
	// The writes in entry order, then write order: the last write of an
	// entry wins.
	all := make([]facetChange, len(lw.refs))
	for i, ref := range lw.refs {
		all[i] = facetChange{vals.get(ref), lw.dels[i], i}
	}
	byEntry := func(a, b facetChange) int {
		if c := bytes.Compare(a.e, b.e); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	}
	if !slices.IsSortedFunc(all, byEntry) {
		slices.SortFunc(all, byEntry)
	}
	changes := all[:0]
	for _, c := range all {
		if n := len(changes); n > 0 && bytes.Equal(changes[n-1].e, c.e) {
			changes[n-1].del = c.del
			continue
		}
		changes = append(changes, c)
	}
	lo, hi := changes[0].e, changes[len(changes)-1].e
	// The blocks the writes fall in: from the one holding lo to the one
	// holding hi. None: the list is new.
	var blocks [][]byte // key suffixes
	kv := w.rd.kv
	err := kv.Scan(ctx, Range{Prefix: prefix, Start: append(slices.Clip(prefix), lo...), KeysOnly: true}, func(k, _ []byte) error {
		s := bytes.Clone(k[len(prefix):])
		blocks = append(blocks, s)
		if isFacetTail(s) || bytes.Compare(s, hi) >= 0 {
			return ErrStopScan
		}
		return nil
	})
	if err != nil {
		return err
	}
	var blk facetBlock
	start := 0
	for start < len(changes) {
		j := sort.Search(len(blocks), func(j int) bool { return facetKeyAtOrAfter(blocks[j], changes[start].e) })
		end := len(changes)
		if j < len(blocks) && !isFacetTail(blocks[j]) {
			end = start + sort.Search(len(changes)-start, func(i int) bool { return bytes.Compare(changes[start+i].e, blocks[j]) > 0 })
		}
		var old [][]byte
		var oldKey []byte
		tail := j == len(blocks) || isFacetTail(blocks[j])
		if j < len(blocks) {
			oldKey = append(slices.Clip(prefix), blocks[j]...)
			v, err := kv.Get(ctx, oldKey)
			if err != nil {
				return fmt.Errorf("facet block %x: %w", oldKey, err)
			}
			if err := decodeFacetBlock(blocks[j], v, &blk); err != nil {
				return fmt.Errorf("%w (key %x)", err, oldKey)
			}
			old = make([][]byte, blk.len())
			for i := range old {
				old[i] = blk.entry(i)
			}
		}
		merged := mergeFacetEntries(old, changes[start:end])
		if err := planFacetBlocks(p, prefix, merged, oldKey, tail); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// isFacetTail reports whether a block key suffix is the last block's.
func isFacetTail(s []byte) bool { return len(s) == 1 && s[0] == facetTail }

// facetKeyAtOrAfter reports whether the block of key suffix s may hold
// entry e: s is the tail or at or after e.
func facetKeyAtOrAfter(s, e []byte) bool { return isFacetTail(s) || bytes.Compare(s, e) >= 0 }

// mergeFacetEntries applies changes (in entry order) to the entries of a
// block (in order).
func mergeFacetEntries(old [][]byte, changes []facetChange) [][]byte {
	out := make([][]byte, 0, len(old)+len(changes))
	i := 0
	for _, c := range changes {
		for i < len(old) && bytes.Compare(old[i], c.e) < 0 {
			out = append(out, old[i])
			i++
		}
		if i < len(old) && bytes.Equal(old[i], c.e) {
			i++
		}
		if !c.del {
			out = append(out, c.e)
		}
	}
	return append(out, old[i:]...)
}

// planFacetBlocks adds to p the entries as blocks of at most
// facetBlockEntries, split evenly, the last keyed facetTail when they end
// the list (tail), and the delete of the old block key unless a new
// block has it.
func planFacetBlocks(p *listPlan, prefix []byte, es [][]byte, oldKey []byte, tail bool) error {
	keep := false
	parts := (len(es) + facetBlockEntries - 1) / facetBlockEntries
	for i := range parts {
		lo, hi := i*len(es)/parts, (i+1)*len(es)/parts
		v, err := encodeFacetBlock(es[lo:hi])
		if err != nil {
			return err
		}
		k := append(slices.Clip(prefix), es[hi-1]...)
		if tail && i == parts-1 {
			k = append(slices.Clip(prefix), facetTail)
		}
		keep = keep || bytes.Equal(k, oldKey)
		p.writes = append(p.writes, write{key: k, value: v})
	}
	if oldKey != nil && !keep {
		p.writes = append(p.writes, write{key: oldKey, del: true})
	}
	return nil
}

// scanFacetList calls fn with the entries (the suffixes after the list
// prefix) of the facet list whose logical prefix is list, bounded as a
// scan of its logical keys by rg.Start, rg.After and rg.End (which begin
// with list), in rg's direction, up to rg.Limit entries. The entry passed
// to fn is valid only during the call. fn may return ErrStopScan.
func scanFacetList(ctx context.Context, kv KVReader, list []byte, rg Range, fn func(e []byte) error) error {
	bp := facetBlockPrefix(list)
	suffix := func(k []byte) []byte {
		if k == nil {
			return nil
		}
		return k[len(list):]
	}
	lo, strict := suffix(rg.Start), false
	if rg.After != nil {
		lo, strict = suffix(rg.After), true
	}
	hi := suffix(rg.End)
	emitted := 0
	var blk facetBlock
	done := false
	// emit passes entry e on when it is within the bounds; it sets done
	// past them or at the limit.
	emit := func(e []byte) error {
		if lo != nil && (bytes.Compare(e, lo) < 0 || (strict && bytes.Equal(e, lo))) {
			if rg.Reverse {
				done = true
			}
			return nil
		}
		if hi != nil && bytes.Compare(e, hi) >= 0 {
			if !rg.Reverse {
				done = true
			}
			return nil
		}
		if err := fn(e); err != nil {
			done = true
			if err == ErrStopScan {
				return nil
			}
			return err
		}
		emitted++
		if rg.Limit > 0 && emitted >= rg.Limit {
			done = true
		}
		return nil
	}
	block := func(k, v []byte) error {
		if err := decodeFacetBlock(k[len(bp):], v, &blk); err != nil {
			return fmt.Errorf("%w (key %x)", err, k)
		}
		n := blk.len()
		for i := range n {
			if rg.Reverse {
				i = n - 1 - i
			}
			if err := emit(blk.entry(i)); err != nil {
				return err
			}
			if done {
				return ErrStopScan
			}
		}
		return nil
	}
	if !rg.Reverse {
		r := Range{Prefix: bp}
		if lo != nil {
			r.Start = append(slices.Clip(bp), lo...)
		}
		return kv.Scan(ctx, r, block)
	}
	r := Range{Prefix: bp, Reverse: true}
	if hi != nil {
		// The block holding hi holds entries before it too.
		err := kv.Scan(ctx, Range{Prefix: bp, Start: append(slices.Clip(bp), hi...), Limit: 1}, block)
		if err != nil || done {
			return err
		}
		r.End = append(slices.Clip(bp), hi...)
	}
	return kv.Scan(ctx, r, block)
}

// countFacetList counts the entries of a list within [lo, hi) (suffixes;
// nil: open): an unbounded count reads only the blocks' counts.
func countFacetList(ctx context.Context, kv KVReader, list, lo, hi []byte) (int, error) {
	n := 0
	if lo == nil && hi == nil {
		err := kv.Scan(ctx, Range{Prefix: facetBlockPrefix(list)}, func(k, v []byte) error {
			c, err := facetBlockLen(v)
			if err != nil {
				return fmt.Errorf("%w (key %x)", err, k)
			}
			n += c
			return nil
		})
		return n, err
	}
	rg := Range{}
	if lo != nil {
		rg.Start = append(slices.Clip(list), lo...)
	}
	if hi != nil {
		rg.End = append(slices.Clip(list), hi...)
	}
	err := scanFacetList(ctx, kv, list, rg, func([]byte) error { n++; return nil })
	return n, err
}
