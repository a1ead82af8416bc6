package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"claimgraph/graph"
)

// Full-text search (family s). Postings are index entries of the node
// (indexEntries), so they are written, rewritten and deleted in the same
// commit as the record; they are stored in blocks (postings.go):
//
//	s | field | term | 00 | id   -> uvarint tf, uvarint len, then tf × (sub, pos, start, end)
//	s | ff | id                  -> uvarint len + user key, then (field, length)…
//	s | fe | field               -> uvarint docs, uvarint words (BM25 statistics)
//
// The statistics count the nodes with a value in the field and their words;
// the writer adjusts them from the length keys it writes and deletes, in the
// same commit.
// field is a graph.SearchField byte, term an analysed word (graph.Analyze;
// never holds 00), sub the alias number, pos the word's position in its
// value and start, end its code points.

// searchLenField is the field byte of the document-length keys.
const searchLenField byte = 0xff

// layoutSearch is the first key layout with search postings.
const layoutSearch = 3

// reindexSearch writes, in one commit, the search postings (in blocks),
// whoSaid word postings, length and statistics keys of every node of a
// store without them (an earlier layout's family s deleted first:
// reindexPostings), and marks it layoutVersion. It returns how many nodes
// it indexed. Snapshots before that commit have no postings.
func reindexSearch(ctx context.Context, kv KV) (int, error) {
	return rebuildEach(ctx, kv, func(w *writer, id uint64, node graph.Node, es entries) error {
		searchEntries(es, node, id)
		w.searchLenDelta(nil, es[string(searchLenKey(id))])
		return nil
	}, func(w *writer) error {
		if err := w.flushSearchStats(ctx); err != nil {
			return err
		}
		return w.set(metaLayoutKey, []byte{layoutVersion})
	})
}

// rebuildEach runs one commit that calls entry for every node record with
// an empty entries set, writes what it put there, and then calls finish
// (nil: nothing). It returns how many nodes it visited. The migrations
// that build a key family for a store of an earlier layout share it.
func rebuildEach(ctx context.Context, kv KV, entry func(w *writer, id uint64, node graph.Node, es entries) error, finish func(w *writer) error) (int, error) {
	return rebuildKind(ctx, kv, 0, entry, finish)
}

// rebuildKind is rebuildEach over the nodes of one kind (0: every kind),
// whose other records it does not read.
func rebuildKind(ctx context.Context, kv KV, kind graph.Kind, entry func(w *writer, id uint64, node graph.Node, es entries) error, finish func(w *writer) error) (int, error) {
	n := 0
	_, err := kv.Update(ctx, func(tx Txn) error {
		n = 0
		w := newWriter(tx, &graph.ApplyResult{ByKind: map[graph.Kind]graph.Counts{}}, &graph.Batch{}, true)
		// Ids first: the writes below may split the commit, which an
		// open scan must not see.
		var ids []uint64
		err := tx.Scan(ctx, Range{Prefix: []byte{famNode}, KeysOnly: true}, func(k, _ []byte) error {
			ids = append(ids, decodeID(k[1:]))
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range ids {
			if kind != 0 && idKind(id) != kind {
				continue
			}
			node, err := w.rd.nodeByID(ctx, id)
			if err != nil {
				return err
			}
			es := entries{}
			if err := entry(w, id, node, es); err != nil {
				return err
			}
			for key, val := range es {
				if err := w.set([]byte(key), val); err != nil {
					return err
				}
			}
			n++
		}
		if err := w.flushFacets(ctx); err != nil {
			return err
		}
		if finish != nil {
			return finish(w)
		}
		return nil
	})
	return n, err
}

// searchStatsField is the field byte of the statistics keys.
const searchStatsField byte = 0xfe

func searchStatsKey(f graph.SearchField) []byte {
	return []byte{famSearch, searchStatsField, byte(f)}
}

// searchLenDelta records in the writer the change of the statistics that
// replacing the length value old by new (either may be nil) makes.
func (w *writer) searchLenDelta(old, new []byte) {
	for _, c := range [2]struct {
		sign int
		v    []byte
	}{{-1, old}, {1, new}} {
		if c.v == nil {
			continue
		}
		if w.searchStats == nil {
			w.searchStats = map[graph.SearchField][2]int{}
		}
		// Written by this version: the decoding cannot fail.
		_, _ = eachSearchLen(c.v, func(f graph.SearchField, l int) {
			d := w.searchStats[f]
			d[0] += c.sign
			d[1] += c.sign * l
			w.searchStats[f] = d
		})
	}
}

// flushSearchStats writes the batch's postings into their blocks
// (flushPostings) and adds the batch's changes to the stored statistics.
func (w *writer) flushSearchStats(ctx context.Context) error {
	if err := w.flushPostings(ctx); err != nil {
		return err
	}
	for _, f := range graph.SearchFields {
		d := w.searchStats[f]
		if d == [2]int{} {
			continue
		}
		docs, words, err := readSearchStats(ctx, w.rd.kv, f)
		if err != nil {
			return err
		}
		docs, words = docs+d[0], words+d[1]
		if docs < 0 || words < 0 {
			return fmt.Errorf("%w: search statistics of field %d below zero", errCorrupt, f)
		}
		v := binary.AppendUvarint(nil, uint64(docs))
		if err := w.set(searchStatsKey(f), binary.AppendUvarint(v, uint64(words))); err != nil {
			return err
		}
	}
	return nil
}

// readSearchStats reads the statistics of field f.
func readSearchStats(ctx context.Context, kv KVReader, f graph.SearchField) (docs, words int, err error) {
	v, err := kv.Get(ctx, searchStatsKey(f))
	if errors.Is(err, ErrKeyNotFound) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	d, n := binary.Uvarint(v)
	l, m := binary.Uvarint(v[max(n, 0):])
	if n <= 0 || m <= 0 {
		return 0, 0, fmt.Errorf("%w: search statistics value %x", errCorrupt, v)
	}
	return int(d), int(l), nil
}

// maxSearchTerm caps the bytes of an indexed term.
const maxSearchTerm = 256

// maxPrefixTerms caps the terms a prefix term expands to, per field.
const maxPrefixTerms = 50

func searchTermPrefix(f graph.SearchField, term string) []byte {
	// Room for the id of searchPostingKey.
	return appendListPrefix(make([]byte, 0, 2+len(term)+1+8), byte(f), term)
}

// appendListPrefix appends to b the prefix of a posting list's logical
// keys: s | field | term | 00 (field a graph.SearchField or
// searchWordField).
func appendListPrefix(b []byte, field byte, term string) []byte {
	return append(append(append(b, famSearch, field), term...), 0)
}

func searchPostingKey(f graph.SearchField, term string, id uint64) []byte {
	return appendPostingKey(make([]byte, 0, 2+len(term)+1+8), byte(f), term, id)
}

// appendPostingKey appends to b the logical key of a posting:
// appendListPrefix's prefix and the id.
func appendPostingKey(b []byte, field byte, term string, id uint64) []byte {
	return appendID(appendListPrefix(b, field, term), id)
}

func searchLenKey(id uint64) []byte { return searchIDKey(searchLenField, id) }

// searchIDKey returns s | field | id, in one allocation.
func searchIDKey(field byte, id uint64) []byte {
	return appendID(append(make([]byte, 0, 10), famSearch, field), id)
}

// searchEntries adds the search keys of a node to es, and a quote's
// whoSaid keys (quoteSearchEntries).
func searchEntries(es entries, n graph.Node, id uint64) {
	if q, ok := n.(*graph.Quote); ok {
		quoteSearchEntries(es, q, id)
		return
	}
	searchDocEntries(es, graph.IndexNode(n), id)
}

// searchDocEntries adds the postings and length key of an analysed node
// to es.
func searchDocEntries(es entries, d graph.SearchDoc, id uint64) {
	if len(d.Lengths) == 0 {
		return
	}
	for f, m := range d.Terms {
		for term, occ := range m {
			if len(term) > maxSearchTerm {
				continue
			}
			v := binary.AppendUvarint(nil, uint64(len(occ)))
			v = binary.AppendUvarint(v, uint64(d.Lengths[f]))
			for _, o := range occ {
				for _, x := range []int{o.Sub, o.Pos << posFlagBits, o.Start, o.End} { // no flags (whosaid_flags.go)
					v = binary.AppendUvarint(v, uint64(x))
				}
			}
			es[string(searchPostingKey(f, term, id))] = v
		}
	}
	es[string(searchLenKey(id))] = searchLenValue(d.Key, d.Lengths)
}

// searchLenValue is the value of a length key: the user key, then the
// length of each field with words.
func searchLenValue(key string, lengths map[graph.SearchField]int) []byte {
	v := binary.AppendUvarint(make([]byte, 0, len(key)+8), uint64(len(key)))
	v = append(v, key...)
	for _, f := range graph.SearchFields {
		if l, ok := lengths[f]; ok {
			v = append(v, byte(f))
			v = binary.AppendUvarint(v, uint64(l))
		}
	}
	return v
}

// decodeSearchLen decodes a document-length value.
func decodeSearchLen(v []byte) (string, map[graph.SearchField]int, error) {
	ls := map[graph.SearchField]int{}
	key, err := eachSearchLen(v, func(f graph.SearchField, l int) { ls[f] = l })
	if err != nil {
		return "", nil, err
	}
	return key, ls, nil
}

// eachSearchLen decodes a search length value as decodeSearchLen does,
// passing each field's length to fn (nil: the key only), without a map.
func eachSearchLen(v []byte, fn func(f graph.SearchField, l int)) (string, error) {
	n, w := binary.Uvarint(v)
	if w <= 0 || uint64(len(v)-w) < n {
		return "", fmt.Errorf("%w: search length value", errCorrupt)
	}
	key := string(v[w : w+int(n)])
	v = v[w+int(n):]
	for len(v) > 0 {
		f := graph.SearchField(v[0])
		l, w := binary.Uvarint(v[1:])
		if w <= 0 {
			return "", fmt.Errorf("%w: search length value", errCorrupt)
		}
		if fn != nil {
			fn(f, int(l))
		}
		v = v[1+w:]
	}
	return key, nil
}

// decodeOccurrences decodes the payload of a search posting: tf
// occurrences (sub, pos, start, end); pos is stored with whoSaid's flag
// bits below it (whosaid_flags.go), which this drops.
func decodeOccurrences(tf uint64, v []byte) ([]graph.Occurrence, error) {
	if tf > uint64(len(v)) {
		return nil, fmt.Errorf("%w: search posting payload", errCorrupt)
	}
	out := make([]graph.Occurrence, tf)
	for i := range out {
		var xs [4]int
		for j := range xs {
			x, w := binary.Uvarint(v)
			if w <= 0 {
				return nil, fmt.Errorf("%w: search posting payload", errCorrupt)
			}
			xs[j], v = int(x), v[w:]
		}
		out[i] = graph.Occurrence{Sub: xs[0], Pos: xs[1] >> posFlagBits, Start: xs[2], End: xs[3]}
	}
	return out, nil
}

// prefixTerms returns up to maxPrefixTerms indexed terms of field f that
// begin with prefix, skipping from term to term over the block keys with
// one-key scans.
func (r *reader) prefixTerms(ctx context.Context, f graph.SearchField, prefix string) ([]string, error) {
	base := append([]byte{famSearch, blockField(byte(f))}, prefix...)
	var out []string
	rg := Range{Prefix: base, KeysOnly: true, Limit: 1}
	for len(out) < maxPrefixTerms {
		var term []byte
		err := r.kv.Scan(ctx, rg, func(k, _ []byte) error {
			i := bytes.IndexByte(k[2:], 0)
			if i < 0 {
				return fmt.Errorf("%w: search key %x", errCorrupt, k)
			}
			term = slices.Clone(k[2 : 2+i])
			return nil
		})
		if err != nil {
			return nil, err
		}
		if term == nil {
			break
		}
		out = append(out, string(term))
		// The next term: the first key after every posting of this one.
		rg.Start = append(append([]byte{famSearch, blockField(byte(f))}, term...), 1)
	}
	return out, nil
}

// searchList is the postings of one term in one field, read in one pass
// over its blocks: its document frequency (postings of every kind, for
// BM25), and ids of the selected kinds, ascending, with their tf and
// field length: every one for the lists of the clause that drives the
// candidates, the candidates only for the others. Payloads (occurrences)
// are decoded only for the candidates scored: each id refers to its
// block, kept as read.
type searchList struct {
	f      graph.SearchField
	term   string
	prefix []byte // of its blocks
	nblock int    // its blocks counted from their keys (sizeClauses)
	// counted: nblock is every block; last: the last block key counted.
	counted bool
	last    []byte
	read    bool
	df      int
	ids     []uint64
	heads   []uint32 // tf, length: two per id
	refs    []uint32 // block number << 8 | posting number in the block
	// A list served whole from the posting cache has its heads in 16
	// bits when they fit (heads16 instead of heads) and no refs: its id
	// j is posting base+j of the cached list, whose blocks begin at
	// starts (postingRef).
	heads16 []uint16
	starts  []uint32
	base    int
	refAt   int // the block ref found last

	// The blocks holding an id kept: their key ids (last id, or tailID)
	// and, when the search keeps them (copy), their values; payload
	// reads the others again.
	keys   []uint64
	blocks [][]byte
	// where each block's payload lengths begin, and its postings
	payAt []uint32
	count []uint32
	copy  bool
	// words marks a list of whoSaid's word postings (s | fc): one head,
	// the word's count, read as tf (the field length is 0).
	words bool
	// payOnly keeps of each block its payload lengths and payloads only,
	// in pay, block b's from payOff[b] to payOff[b+1] (a list read for
	// or served from the posting cache; blocks is then unused).
	payOnly bool
	pay     []byte
	payOff  []uint32
	// cache, when set, keeps the list decoded once read whole
	// (postcache.go), if it is long.
	cache *postingCache
	// dense, when set, is the rank set of ids (one kind of a cached list):
	// find answers from it.
	dense *rankSet
	arena []byte // holds the values copied (a new one when full)
	at    int    // the block decoded in blk, -1 for none
	blk   postingBlock
}

// newSearchList returns the list of term t in field f, unread.
func newSearchList(f graph.SearchField, t string) *searchList {
	return &searchList{f: f, term: t, prefix: blockPrefix(searchTermPrefix(f, t)), at: -1}
}

// countBlocks counts up to n more blocks of the list from their keys (the
// values stay unread); counted reports that every block is counted.
func (l *searchList) countBlocks(ctx context.Context, kv KVReader, n int) (counted bool, err error) {
	if l.counted {
		return true, nil
	}
	rg := Range{Prefix: l.prefix, KeysOnly: true, Limit: n}
	if l.last != nil {
		rg.After = l.last
	}
	got := 0
	err = kv.Scan(ctx, rg, func(k, _ []byte) error {
		got++
		if got == n {
			l.last = slices.Clone(k)
		}
		return nil
	})
	l.nblock += got
	l.counted = got < n
	return l.counted, err
}

// sizeClauses counts the blocks of the clauses' lists, a stretch of each
// at a time (64 keys, doubling to 1024), until every list of a clause is
// counted at the end of a round: the clause that drives the candidates
// (searchCandidates) is one of those, the smallest; the others are
// counted as far as the round went, at least as far as it. Counting
// every list whole cost a fifth of a search at 1M quotes, where the
// words of a query are common.
func sizeClauses(ctx context.Context, kv KVReader, clauses [][]*searchList) error {
	for stretch := 64; ; stretch = min(2*stretch, 1024) {
		done := false
		for _, c := range clauses {
			all := true
			for _, l := range c {
				counted, err := l.countBlocks(ctx, kv, stretch)
				if err != nil {
					return err
				}
				all = all && counted
			}
			done = done || all
		}
		if done {
			return nil
		}
	}
}

// readAll reads the list in one scan of its blocks: each block's count
// for the document frequency, and the ids of the kinds of sel with their
// heads (the ids of cand only, when cand is not nil; a block holding none
// is not decoded further). A long list the posting cache wants is read
// whole instead, kept, and served from the cache (postcache.go).
func (l *searchList) readAll(ctx context.Context, kv KVReader, sel *kindSet, cand []uint64) error {
	if l.cache != nil && l.nblock >= l.cache.caches.minBlocks && l.cache.wants(l.prefix, listBytes(l.prefix, l.nblock*postingBlockSize, l.nblock, int64(l.nblock*postingBlockSize*payloadGuess))) {
		e, err := l.readCached(ctx, kv, l.cache)
		if err != nil {
			return err
		}
		l.useCached(e, sel)
		return nil
	}
	l.read = true
	if l.counted && l.nblock == 0 {
		return nil
	}
	if sel.lo <= sel.hi {
		n := l.nblock * postingBlockSize
		if cand != nil {
			n = len(cand)
			if l.counted {
				n = min(n, l.nblock*postingBlockSize)
			}
		}
		l.ids = make([]uint64, 0, n)
		l.refs = make([]uint32, 0, n)
		l.heads = make([]uint32, 0, 2*n)
	}
	c := 0 // the next candidate
	return kv.Scan(ctx, Range{Prefix: l.prefix}, func(k, v []byte) error {
		if len(k) != len(l.prefix)+8 {
			return fmt.Errorf("%w: posting block key %x", errCorrupt, k)
		}
		if err := l.addBlock(decodeID(k[len(l.prefix):]), v, sel, cand, &c); err != nil {
			return fmt.Errorf("%w (key %x)", err, k)
		}
		return nil
	})
}

// kindSet is a set of node kinds and the span of their ids.
type kindSet struct {
	in     [256]bool
	lo, hi uint64 // lo > hi: empty
}

// selectKinds returns the kinds q selects.
func selectKinds(q graph.SearchQuery) *kindSet {
	s := &kindSet{lo: ^uint64(0)}
	for _, k := range graph.Kinds {
		if q.WantKind(k) {
			a, b := kindRange(k)
			s.in[byte(k)] = true
			s.lo, s.hi = min(s.lo, a), max(s.hi, b)
		}
	}
	return s
}

// uvarint decodes a uvarint at the head of p, a byte below 0x80 on the
// fast path; n <= 0 as binary.Uvarint.
func uvarint(p []byte) (uint64, int) {
	if len(p) > 0 && p[0] < 0x80 {
		return uint64(p[0]), 1
	}
	return binary.Uvarint(p)
}

// addBlock adds a block (key id key, value v) to the list: its count to
// df, and its ids of the kinds of sel (and of cand[*c:] unless cand is
// nil; *c moves past the candidates below the block's ids) with their
// heads.
func (l *searchList) addBlock(key uint64, v []byte, sel *kindSet, cand []uint64, c *int) error {
	bad := func(what string) error { return fmt.Errorf("%w: posting block: %s", errCorrupt, what) }
	heads := byte(2) // tf and field length
	if l.words {
		heads = 1 // the word's count
	}
	if len(v) < 3 {
		return bad("short")
	}
	if v[0] != heads {
		return bad(fmt.Sprintf("%d heads, not %d", v[0], heads))
	}
	p := v[1:]
	n, w := uvarint(p)
	if w <= 0 || n == 0 || n > uint64(len(p)) {
		return bad("count")
	}
	if n > maxSearchBlock {
		return bad(fmt.Sprintf("%d postings, more than a search reads (%d)", n, maxSearchBlock))
	}
	p = p[w:]
	l.df += int(n)
	first, w := uvarint(p)
	if w <= 0 {
		return bad("first id")
	}
	if sel.lo > sel.hi || key < sel.lo || first > sel.hi {
		return nil // no id of the kinds selected
	}
	if cand != nil {
		*c = gallop(cand, *c, first)
		if *c == len(cand) || cand[*c] > key {
			return nil // no candidate in the block
		}
	}
	p = p[w:]
	start := len(l.ids)
	block := uint32(len(l.keys)) << 8 // the block's number: one key per block kept
	id := first
	for i := range int(n) {
		if i > 0 {
			d, w := uvarint(p)
			if w <= 0 || d == 0 || d > ^uint64(0)-id {
				return bad("id delta")
			}
			id += d
			p = p[w:]
		}
		if !sel.in[byte(id>>56)] {
			continue
		}
		if cand != nil {
			for *c < len(cand) && cand[*c] < id {
				*c++
			}
			if *c == len(cand) || cand[*c] != id {
				continue
			}
		}
		l.ids = append(l.ids, id)
		l.refs = append(l.refs, block|uint32(i))
	}
	if id != key && (key != tailID || id == tailID) {
		return bad(fmt.Sprintf("last id %016x under key %016x", id, key))
	}
	if len(l.ids) == start {
		return nil
	}
	// The heads of the ids kept (those of the others are skipped).
	next, all := start, len(l.ids)-start == int(n)
	for i := range int(n) {
		tf, w := uvarint(p)
		if w <= 0 {
			return bad("heads")
		}
		p = p[w:]
		dl := uint64(0)
		if heads == 2 {
			if dl, w = uvarint(p); w <= 0 {
				return bad("heads")
			}
			p = p[w:]
		}
		if all || (next < len(l.ids) && int(l.refs[next]&0xff) == i) {
			if tf > math.MaxUint32 || dl > math.MaxUint32 {
				return bad("heads")
			}
			l.heads = append(l.heads, uint32(tf), uint32(dl))
			next++
		}
	}
	l.keys = append(l.keys, key)
	l.count = append(l.count, uint32(n))
	if !l.copy {
		l.payAt = append(l.payAt, uint32(len(v)-len(p)))
		l.blocks = append(l.blocks, nil)
		return nil
	}
	if l.payOnly {
		// The payload lengths and payloads only, one after another in
		// one buffer (no pointer per block for the collector to follow).
		l.payOff = append(l.payOff, uint32(len(l.pay)))
		l.pay = append(l.pay, p...)
		return nil
	}
	l.payAt = append(l.payAt, uint32(len(v)-len(p)))
	if cap(l.arena)-len(l.arena) < len(v) {
		// Buffers double up to searchArena: a short list
		// allocates little.
		l.arena = make([]byte, 0, max(len(v), min(searchArena, 2*cap(l.arena))))
	}
	i := len(l.arena)
	l.arena = append(l.arena, v...)
	l.blocks = append(l.blocks, l.arena[i:len(l.arena):len(l.arena)])
	return nil
}

// maxSearchBlock is the most postings of a block a search reads (its
// references to postings keep the number in a byte): postingBlockSize may
// not exceed it.
const maxSearchBlock = 256

var _ [maxSearchBlock - postingBlockSize]struct{} // postingBlockSize <= maxSearchBlock

// searchArena is the largest buffer that holds the blocks a search keeps:
// one allocation per block cost a tenth of a search at 1M quotes.
const searchArena = 256 << 10

// tf and dl return the heads of the list's j-th id.
func (l *searchList) tf(j int) uint64 {
	if l.heads16 != nil {
		return uint64(l.heads16[2*j])
	}
	return uint64(l.heads[2*j])
}

func (l *searchList) dl(j int) uint64 {
	if l.heads16 != nil {
		return uint64(l.heads16[2*j+1])
	}
	return uint64(l.heads[2*j+1])
}

// ref returns the block holding the list's j-th id and its posting
// number in the block.
func (l *searchList) ref(j int) (int, int) {
	if l.starts != nil {
		// The block of the last lookup first: a walk asks in order.
		if k, b := l.base+j, l.refAt; b+1 < len(l.starts) && int(l.starts[b]) <= k && k < int(l.starts[b+1]) {
			return b, k - int(l.starts[b])
		}
		b, i := postingRef(l.starts, l.base+j)
		l.refAt = b
		return b, i
	}
	return int(l.refs[j] >> 8), int(l.refs[j] & 0xff)
}

// payload returns the occurrences payload of the list's j-th id: from
// the block kept (its payload offsets decoded once while asked in a row);
// else from the block read again and decoded (kept until another block is
// asked for).
func (l *searchList) payload(ctx context.Context, kv KVReader, j int) ([]byte, error) {
	b, i := l.ref(j)
	if l.payOnly {
		if l.at != b {
			l.at = -1
			if b+1 >= len(l.payOff) || !l.blk.payloadsOf(l.pay[l.payOff[b]:l.payOff[b+1]], int(l.count[b])) {
				return nil, fmt.Errorf("%w: posting block of %x: payload lengths", errCorrupt, searchTermPrefix(l.f, l.term))
			}
			l.at = b
		}
		return l.blk.payload(i), nil
	}
	if b < len(l.blocks) && l.blocks[b] != nil {
		v := l.blocks[b]
		if l.at != b {
			l.at = -1
			if !l.blk.payloadsOf(v[l.payAt[b]:], int(l.count[b])) {
				return nil, fmt.Errorf("%w: posting block of %x: payload lengths", errCorrupt, searchTermPrefix(l.f, l.term))
			}
			l.at = b
		}
		return l.blk.payload(i), nil
	}
	if l.at != b {
		l.at = -1
		v, err := kv.Get(ctx, appendID(slices.Clip(l.prefix), l.keys[b]))
		if err != nil {
			return nil, fmt.Errorf("posting block of %x: %w", searchTermPrefix(l.f, l.term), err)
		}
		if err := decodePostingBlock(l.keys[b], v, &l.blk); err != nil {
			return nil, fmt.Errorf("%w (list %x)", err, searchTermPrefix(l.f, l.term))
		}
		if i >= l.blk.len() || l.blk.ids[i] != l.ids[j] {
			return nil, fmt.Errorf("%w: posting block of %x changed", errCorrupt, searchTermPrefix(l.f, l.term))
		}
		l.at = b
	}
	return l.blk.payload(i), nil
}

// payloadsOf sets the payloads of b (offs, pay) from p, a block from its
// n payload lengths on; false when they do not decode.
func (b *postingBlock) payloadsOf(p []byte, n int) bool {
	b.offs = append(b.offs[:0], 0)
	total := 0
	for range n {
		x, w := uvarint(p)
		if w <= 0 || x > uint64(len(p)) {
			return false
		}
		p = p[w:]
		total += int(x)
		b.offs = append(b.offs, total)
	}
	if total != len(p) {
		return false
	}
	b.pay = p
	return true
}

// find returns the index of the first id of the list at or after id,
// searching from index j on (a rank set answers without), and whether it
// is id.
func (l *searchList) find(j int, id uint64) (int, bool) {
	if l.dense != nil {
		return l.dense.rank(id, len(l.ids))
	}
	j = gallop(l.ids, j, id)
	return j, j < len(l.ids) && l.ids[j] == id
}

// gallop returns the first index at or after j of ids (ascending) whose
// id is at least id.
func gallop(ids []uint64, j int, id uint64) int {
	if j >= len(ids) || ids[j] >= id {
		return j
	}
	step := 1
	for j+step < len(ids) && ids[j+step] < id {
		j += step
		step *= 2
	}
	k, _ := slices.BinarySearch(ids[j+1:min(len(ids), j+step+1)], id)
	return j + 1 + k
}

// searchCandidates reads the lists of the clauses and returns the ids
// (ascending) of the kinds of sel that every clause holds in one of its
// lists. The clause with the fewest blocks drives: its lists are read
// whole and their union is the candidates; each other clause, by
// ascending size, keeps the candidates that one of its lists holds, its
// lists read at the candidates only. Every list read counts its document
// frequency; when no candidate is left, the lists not read yet are not
// needed (nothing is scored).
func searchCandidates(ctx context.Context, kv KVReader, clauses [][]*searchList, sel *kindSet) ([]uint64, error) {
	size := func(ls []*searchList) int {
		n := 0
		for _, l := range ls {
			n += l.nblock
		}
		return n
	}
	counted := func(ls []*searchList) int {
		for _, l := range ls {
			if !l.counted {
				return 1
			}
		}
		return 0
	}
	// A clause counted whole first: sizeClauses stops at the smallest.
	byOrder := slices.Clone(clauses)
	slices.SortStableFunc(byOrder, func(a, b []*searchList) int {
		if c := counted(a) - counted(b); c != 0 {
			return c
		}
		return size(a) - size(b)
	})
	var cand []uint64
	for _, l := range byOrder[0] {
		if !l.read {
			if err := l.readAll(ctx, kv, sel, nil); err != nil {
				return nil, err
			}
		}
		cand = append(cand, l.ids...)
	}
	if len(byOrder[0]) > 1 {
		slices.Sort(cand)
		cand = slices.Compact(cand)
	}
	pos := make([]int, 0, 8)
	for _, c := range byOrder[1:] {
		if len(cand) == 0 {
			break
		}
		for _, l := range c {
			if !l.read {
				if err := l.readAll(ctx, kv, sel, cand); err != nil {
					return nil, err
				}
			}
		}
		pos = append(pos[:0], make([]int, len(c))...)
		kept := cand[:0]
		for _, id := range cand {
			for i, l := range c {
				var found bool
				if pos[i], found = l.find(pos[i], id); found {
					kept = append(kept, id)
					break
				}
			}
		}
		cand = kept
	}
	return cand, nil
}

// Search implements graph.Reader. It reads the collection statistics (one
// key per field), counts the blocks of the query's terms in each field
// (a prefix term expands by a skip scan over the term keys, up to 50
// terms per field) until the smallest clause is known (sizeClauses), and
// reads the blocks of each term once (searchCandidates): its document
// frequency, and the ids, tf and field lengths of the selected kinds, of
// every id for the smallest clause, of the candidates for the others.
// The candidates are the ids that hold a term of every clause. With a
// limit, only the candidates whose score bound reaches the best hits
// found so far are scored (topk.go); without, every one. Scoring is
// graph.SearchExpr.Score from the postings alone (BM25 from tf and the
// lengths in the blocks, phrases checked from the occurrences, decoded
// for the candidates scored only). The user keys (s | ff | id) are read
// only for the hits of the page and for the hits tied with them in score
// (pageSearchHits). Lists the posting cache keeps are not read at all
// (postcache.go).
func (r *reader) Search(ctx context.Context, q graph.SearchQuery) (graph.SearchPage, error) {
	p, _, err := r.search(ctx, q)
	return p, err
}

// searchWork is what a search did: its candidates, how many of them it
// scored, and whether a candidate scored above its bound so that every
// candidate was scored instead (errBoundBroken).
type searchWork struct {
	candidates, scored int
	fellBack           bool
}

// search is Search, reporting its work.
func (r *reader) search(ctx context.Context, q graph.SearchQuery) (_ graph.SearchPage, work searchWork, _ error) {
	expr, err := graph.ParseSearch(q.Text)
	if err != nil {
		return graph.SearchPage{}, work, err
	}
	cur, err := parseSearchCursor(q.After)
	if err != nil {
		return graph.SearchPage{}, work, err
	}
	st := &graph.SearchStats{Docs: map[graph.SearchField]int{}, TotalLen: map[graph.SearchField]int{}, DF: map[graph.SearchField]map[string]int{}}
	for _, f := range graph.SearchFields {
		docs, words, err := readSearchStats(ctx, r.kv, f)
		if err != nil {
			return graph.SearchPage{}, work, err
		}
		st.Docs[f], st.TotalLen[f] = docs, words
		st.DF[f] = map[string]int{}
	}
	lists := map[string]*searchList{} // by field byte + term
	var order []*searchList
	clauses := make([][]*searchList, len(expr.Clauses))
	// The blocks are kept (copied) when most candidates will need their
	// payloads: every candidate is scored (no limit), or checked for a
	// phrase. Top-k scores a few hundred: their blocks are read again.
	keep := q.Limit <= 0 || slices.ContainsFunc(expr.Clauses, func(c graph.SearchClause) bool { return c.Phrase })
	sel := selectKinds(q)
	for i, c := range expr.Clauses {
		for _, f := range graph.SearchFields {
			terms := c.Terms
			if c.Prefix {
				if terms, err = r.prefixTerms(ctx, f, c.Terms[0]); err != nil {
					return graph.SearchPage{}, work, err
				}
			}
			for _, t := range terms {
				id := string(rune(f)) + t
				l := lists[id]
				if l == nil {
					l = newSearchList(f, t)
					l.copy = keep
					// A kept list brings its payloads: every
					// search can use it.
					if r.postings != nil {
						if e := r.postings.get(l.prefix); e != nil {
							l.useCached(e, sel)
						} else {
							l.cache = r.postings
						}
					}
					lists[id] = l
					order = append(order, l)
				}
				clauses[i] = append(clauses[i], l)
			}
		}
	}
	if err := sizeClauses(ctx, r.kv, clauses); err != nil {
		return graph.SearchPage{}, work, err
	}
	cand, err := searchCandidates(ctx, r.kv, clauses, sel)
	if err != nil {
		return graph.SearchPage{}, work, err
	}
	for _, l := range order {
		st.DF[l.f][l.term] = l.df
	}
	work.candidates = len(cand)
	run := newSearchRun(ctx, r, expr, st, order, cand)
	var hits []scoredHit
	total := 0
	if q.Limit > 0 {
		hits, total, err = run.topK(q.Limit+1, cur)
		if errors.Is(err, errBoundBroken) {
			work.fellBack = true
			run = newSearchRun(ctx, r, expr, st, order, cand)
		}
	}
	if q.Limit <= 0 || work.fellBack {
		hits, err = run.all()
		total = len(hits)
	}
	work.scored = run.scored
	if err != nil {
		return graph.SearchPage{}, work, err
	}
	p, err := pageSearchHits(hits, total, cur, q.Limit, run.key)
	return p, work, err
}

// searchKey reads the user key of node id from its length key
// (s | ff | id).
func (r *reader) searchKey(ctx context.Context, id uint64) (string, error) {
	v, err := r.kv.Get(ctx, searchLenKey(id))
	if errors.Is(err, ErrKeyNotFound) {
		return "", fmt.Errorf("%w: search postings of %x without lengths", errCorrupt, id)
	}
	if err != nil {
		return "", err
	}
	key, err := eachSearchLen(v, nil)
	return key, err
}

// scoredHit is a hit whose key is not read yet.
type scoredHit struct {
	id  uint64
	hit graph.SearchHit
}

// pageSearchHits returns the page that graph.PageSearch returns for the
// hits (every hit, or at least every hit scoring as high as the page's
// last; total is the number of matches) after the cursor cur (nil: the
// first page), reading the keys (keyOf) only of
// the hits it must order by key: those of the page and those tied in
// score with the cursor or with the page's last hit.
func pageSearchHits(hits []scoredHit, total int, cur *graph.SearchHit, limit int, keyOf func(uint64) (string, error)) (graph.SearchPage, error) {
	slices.SortFunc(hits, func(a, b scoredHit) int {
		switch {
		case a.hit.Score > b.hit.Score:
			return -1
		case a.hit.Score < b.hit.Score:
			return 1
		}
		return 0
	})
	p := graph.SearchPage{Total: total}
	want := len(hits) // hits to collect: the page and one more
	if limit > 0 {
		want = limit + 1
	}
	var out []graph.SearchHit
	for i := 0; i < len(hits) && len(out) < want; {
		j := i + 1
		for j < len(hits) && hits[j].hit.Score == hits[i].hit.Score {
			j++
		}
		group := hits[i:j]
		i = j
		s := group[0].hit.Score
		if cur != nil && s > cur.Score {
			continue
		}
		for g := range group {
			k, err := keyOf(group[g].id)
			if err != nil {
				return graph.SearchPage{}, err
			}
			group[g].hit.Key = k
		}
		slices.SortFunc(group, func(a, b scoredHit) int { return strings.Compare(a.hit.Key, b.hit.Key) })
		for _, h := range group {
			if cur != nil && s == cur.Score && h.hit.Key <= cur.Key {
				continue
			}
			if len(out) < want {
				out = append(out, h.hit)
			}
		}
	}
	if limit > 0 && len(out) > limit {
		out, p.More = out[:limit], true
	}
	p.Hits = out
	return p, nil
}
