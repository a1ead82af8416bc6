package store

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"claimgraph/graph"
)

// The posting cache keeps long search posting lists decoded: for each
// list of at least postingCacheMinBlocks blocks that a search or whoSaid
// reads, every id with its tf and field length (16 bits each when they
// fit), where each block's postings begin (so the block of a posting is
// found, not kept per posting), each block's payloads (the occurrences:
// positions and offsets), the rank sets of its dense kinds, and the list's
// document frequency. A search's
// cost is the length of its terms' lists, and the long lists are few and
// are those of the common words that most queries hold (at 1M quotes "the"
// has 490,000 postings, 3,587 blocks): reading and decoding them was most
// of a search. With them kept, a search whose lists are all kept reads no
// posting block: not for its candidates and its total, nor for the
// occurrences of the hits it scores (the phrase bonus, the highlights).
//
// Like the read cache it holds the state of one commit timestamp: a cache
// is kept for the newest timestamp a snapshot read with it, and the first
// snapshot at a newer one starts an empty cache (snapshots still reading
// the old one keep it until they end). So an entry is the list as it stood
// at that commit, whatever engine is underneath and whichever process
// wrote, and a commit never has to tell the cache what it changed. A
// snapshot at another timestamp (asOf, a writer) reads without it.
// Entries are never changed once in the cache, and readers share them.
// A list is kept while it fits in the budget (Options.PostingCacheSize);
// once the budget is full, only from its second read, and the lists asked
// for least (the oldest first among equals) make room for it, never one
// asked for more often: a cache smaller than what the questions read
// keeps the commonest lists instead of turning them all over.

const (
	// defaultPostingCache is the budget of the posting cache when
	// Options.PostingCacheSize is 0.
	defaultPostingCache = 256 << 20
	// postingCacheMinBlocks is the fewest blocks of a list kept:
	// shorter lists cost little to read.
	postingCacheMinBlocks = 32
	// cachedListOverhead approximates the bytes a list costs besides its
	// arrays (map entry, key, slice headers).
	cachedListOverhead = 256
	// maxPostingUses caps the lists whose uses the cache counts.
	maxPostingUses = 1 << 16
)

// cachedList is a decoded posting list: every id of the list, ascending,
// with its heads (tf, field length: two 16-bit values a posting, heads16,
// when every head of the list fits, else two 32-bit ones, heads); the key
// id of each block and the postings before it (starts: posting j is in the
// last block whose start is at most j, so no reference per posting is
// kept); the document frequency. At 1M quotes the heads in 16 bits and
// no references took the lists of claimbench's search and whoSaid
// questions from 348 to 242 MB.
type cachedList struct {
	df      int
	ids     []uint64
	heads   []uint32
	heads16 []uint16
	starts  []uint32
	keys    []uint64
	// dense holds, by kind, the rank set of the kinds whose ids are dense.
	dense map[byte]*rankSet
	// Each block's payload lengths and payloads, block b's from
	// payOff[b] to payOff[b+1] of pay, and its number of postings, so
	// that scoring reads no block again.
	pay    []byte
	payOff []uint32
	count  []uint32
	size   int64
	used   uint64 // the cache's clock at the last use; guarded by the cache's mu
}

// postingCaches holds the posting cache of the newest timestamp read.
type postingCaches struct {
	limit     int64 // bytes; <= 0 off
	minBlocks int   // the fewest blocks of a list kept
	cur       atomic.Pointer[postingCache]
	// hits and reads count, over every cache, the lists served from one
	// and the lists read whole into one.
	hits, reads atomic.Uint64
}

// PostingCacheStats describes the posting cache (Store.PostingCache).
type PostingCacheStats struct {
	// Bytes and Lists are what the cache of the newest commit read holds.
	Bytes int64
	Lists int
	// Hits counts the lists a search or whoSaid found kept, Reads the
	// lists read whole to be kept, since the store was opened.
	Hits, Reads uint64
}

// PostingCache returns what the posting cache holds and how it has been
// used; zero when it is off.
func (s *Store) PostingCache() PostingCacheStats {
	p := s.postings
	if p == nil {
		return PostingCacheStats{}
	}
	st := PostingCacheStats{Hits: p.hits.Load(), Reads: p.reads.Load()}
	if c := p.cur.Load(); c != nil {
		c.mu.Lock()
		st.Bytes, st.Lists = c.used, len(c.lists)
		c.mu.Unlock()
	}
	return st
}

// newPostingCaches returns the posting caches of a store with budget
// size (0: the default; negative: off) that keeps lists of minBlocks
// blocks or more (0: postingCacheMinBlocks).
func newPostingCaches(size int64, minBlocks int) *postingCaches {
	if size == 0 {
		size = defaultPostingCache
	}
	if minBlocks <= 0 {
		minBlocks = postingCacheMinBlocks
	}
	return &postingCaches{limit: size, minBlocks: minBlocks}
}

// at returns the posting cache of the state at ts, starting a new one when
// the one held is older; nil when the cache is off or holds a newer
// timestamp.
func (p *postingCaches) at(ts uint64) *postingCache {
	if p == nil || p.limit <= 0 {
		return nil
	}
	c, _ := atCommit(&p.cur, ts, func(c *postingCache) uint64 { return c.ts }, func() *postingCache {
		return &postingCache{caches: p, ts: ts, lists: map[string]*cachedList{}, freq: map[string]uint32{}, sizes: map[string]int64{}}
	})
	return c
}

// postingCache is the posting cache of one commit timestamp.
type postingCache struct {
	caches *postingCaches // the store's: its budget, its counts
	ts     uint64

	mu    sync.Mutex
	used  int64
	clock uint64
	lists map[string]*cachedList // by block key prefix
	freq  map[string]uint32      // uses of long lists, kept or not
	// sizes holds the size of the lists read whole and then turned away,
	// so that wants judges them by it, not by its estimate.
	sizes map[string]int64
	// keys holds the user keys of nodes (s | ff | id) that search pages
	// read, up to postingKeyCap: a page orders hits of equal score by key,
	// and a query of common words can tie a thousand hits at the page's
	// last score, each a Badger read (about 5 us) every time it is asked.
	keys map[uint64]string
}

// postingKeyCap is the most user keys a posting cache keeps (about 6 MB
// at 131,072, beside the lists' budget); past it, keys are read each time.
const postingKeyCap = 1 << 17

// key returns the kept user key of node id.
func (c *postingCache) key(id uint64) (string, bool) {
	c.mu.Lock()
	k, ok := c.keys[id]
	c.mu.Unlock()
	return k, ok
}

// putKey keeps the user key of node id while there is room.
func (c *postingCache) putKey(id uint64, k string) {
	c.mu.Lock()
	if len(c.keys) < postingKeyCap {
		if c.keys == nil {
			c.keys = map[uint64]string{}
		}
		c.keys[id] = k
	}
	c.mu.Unlock()
}

// get returns the list kept under prefix, or nil; either way it counts a
// use of the list.
func (c *postingCache) get(prefix []byte) *cachedList {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.uses(prefix)
	e := c.lists[string(prefix)]
	if e != nil {
		c.clock++
		e.used = c.clock
		c.caches.hits.Add(1)
	}
	return e
}

// uses counts a use of the list under prefix and returns its count; c.mu
// is held. The counts start again when they hold maxPostingUses lists.
func (c *postingCache) uses(prefix []byte) uint32 {
	n, ok := c.freq[string(prefix)]
	if !ok && len(c.freq) >= maxPostingUses {
		clear(c.freq)
		clear(c.sizes)
	}
	c.freq[string(prefix)] = n + 1
	return n + 1
}

// wants reports whether a list of about size bytes read under prefix
// would be kept (put): when it fits in the room left; else when it has
// been asked for before and fits beside the lists asked for as often as
// it or more. A list turned away is read only where the query needs it,
// as without the cache.
func (c *postingCache) wants(prefix []byte, size int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	size = max(size, c.sizes[string(prefix)])
	if size > c.caches.limit {
		return false
	}
	free := c.caches.limit - c.used
	want := c.freq[string(prefix)]
	if free >= size {
		return true
	}
	if want < 2 {
		return false
	}
	for k, l := range c.lists {
		if free >= size {
			break
		}
		if c.freq[k] < want {
			free += l.size
		}
	}
	return free >= size
}

// listBytes returns the bytes a cached list of n postings in nblock
// blocks with pay bytes of payloads takes (besides its rank sets), its
// heads in 16 bits: an id and two heads a posting (12 bytes), a key,
// start, count and payload offset a block (24), the payloads. Heads in
// 32 bits take 4 bytes a posting more.
func listBytes(prefix []byte, n, nblock int, pay int64) int64 {
	return int64(len(prefix)+cachedListOverhead) + int64(n)*12 + int64(nblock)*24 + pay
}

// payloadGuess is the bytes of payload a posting takes, about, for
// wants before a list is read (its length and one occurrence).
const payloadGuess = 8

// put keeps e under prefix and returns the list kept (another reader's,
// when it put the same list first). To make room it drops the lists asked
// for least often, oldest first among equals, but only lists asked for
// less often than e's: otherwise, and when e is larger than the budget,
// e is returned without being kept.
func (c *postingCache) put(prefix []byte, e *cachedList) *cachedList {
	e.size = listBytes(prefix, len(e.ids), len(e.keys), int64(len(e.pay))) + int64(len(e.heads))*2
	for _, r := range e.dense {
		e.size += r.size()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.lists[string(prefix)]; old != nil {
		return old
	}
	if e.size > c.caches.limit {
		c.sizes[string(prefix)] = e.size
		return e
	}
	want := c.freq[string(prefix)]
	var drop []string
	free := c.caches.limit - c.used
	if free < e.size {
		type victim struct {
			key  string
			freq uint32
			used uint64
			size int64
		}
		var vs []victim
		for k, l := range c.lists {
			vs = append(vs, victim{k, c.freq[k], l.used, l.size})
		}
		slices.SortFunc(vs, func(a, b victim) int {
			if a.freq != b.freq {
				return cmp.Compare(a.freq, b.freq)
			}
			return cmp.Compare(a.used, b.used)
		})
		for _, v := range vs {
			if free >= e.size || v.freq >= want {
				break
			}
			drop = append(drop, v.key)
			free += v.size
		}
		if free < e.size {
			c.sizes[string(prefix)] = e.size
			return e
		}
	}
	for _, k := range drop {
		c.used -= c.lists[k].size
		delete(c.lists, k)
	}
	c.clock++
	e.used = c.clock
	c.used += e.size
	c.lists[string(prefix)] = e
	return e
}

// allKinds selects every kind: a list read for the cache keeps every id.
var allKinds = func() *kindSet {
	s := &kindSet{lo: 0, hi: ^uint64(0)}
	for i := range s.in {
		s.in[i] = true
	}
	return s
}()

// readCached reads the whole list (every kind) into a cached list and
// keeps it in c. Its arrays are exactly their length (read ones grow by
// doubling), and it holds no pointer per block or posting.
func (l *searchList) readCached(ctx context.Context, kv KVReader, c *postingCache) (*cachedList, error) {
	c.caches.reads.Add(1)
	full := &searchList{f: l.f, term: l.term, prefix: l.prefix, words: l.words, nblock: l.nblock, counted: l.counted, copy: true, payOnly: true, at: -1}
	if err := full.readAll(ctx, kv, allKinds, nil); err != nil {
		return nil, err
	}
	e := &cachedList{df: full.df, ids: exact(full.ids), keys: exact(full.keys), dense: kindRuns(full.ids),
		pay: exact(full.pay), payOff: exact(append(full.payOff, uint32(len(full.pay)))), count: exact(full.count)}
	if h, ok := narrowHeads(full.heads); ok {
		e.heads16 = h
	} else {
		e.heads = exact(full.heads)
	}
	e.starts = make([]uint32, len(full.count))
	n := uint32(0)
	for b, c := range full.count {
		e.starts[b] = n
		n += c
	}
	if int(n) != len(full.ids) {
		// Every posting of every block is kept (allKinds), so the
		// counts add up to the ids.
		return nil, fmt.Errorf("%w: posting list %x: %d postings in blocks counting %d", errCorrupt, l.prefix, len(full.ids), n)
	}
	return c.put(l.prefix, e), nil
}

// narrowHeads returns heads in 16 bits each, when every one fits.
func narrowHeads(heads []uint32) ([]uint16, bool) {
	for _, h := range heads {
		if h > math.MaxUint16 {
			return nil, false
		}
	}
	out := make([]uint16, len(heads))
	for i, h := range heads {
		out[i] = uint16(h)
	}
	return out, true
}

// postingRef returns the block of the list whose postings begin at starts
// holding its posting j, and j's number in that block.
func postingRef(starts []uint32, j int) (int, int) {
	b, _ := slices.BinarySearch(starts, uint32(j)+1) // the first block starting after j
	return b - 1, j - int(starts[b-1])
}

// exact returns s with its capacity its length: a copy when the spare
// capacity is more than an eighth.
func exact[T any](s []T) []T {
	if cap(s)-len(s) > len(s)/8 {
		return append(make([]T, 0, len(s)), s...)
	}
	return slices.Clip(s)
}

// useCached makes l the list e holds, restricted to the kinds of sel: the
// ids of a run of kinds that sel selects whole share e's arrays (capacity
// clipped, so nothing appends into them); other selections are copied.
func (l *searchList) useCached(e *cachedList, sel *kindSet) {
	l.read, l.counted, l.nblock, l.df, l.keys = true, true, len(e.keys), e.df, e.keys
	l.ids, l.heads, l.heads16, l.refs, l.dense, l.starts, l.base = nil, nil, nil, nil, nil, nil, 0
	l.payOnly, l.pay, l.payOff, l.count = true, e.pay, e.payOff, e.count
	if sel.lo > sel.hi {
		return
	}
	lo, _ := slices.BinarySearch(e.ids, sel.lo)
	hi, found := slices.BinarySearch(e.ids, sel.hi)
	if found {
		hi++
	}
	if lo >= hi {
		return
	}
	whole := true
	for k := int(e.ids[lo] >> 56); k <= int(e.ids[hi-1]>>56); k++ {
		whole = whole && sel.in[k]
	}
	if whole {
		l.ids, l.starts, l.base = e.ids[lo:hi:hi], e.starts, lo
		if e.heads16 != nil {
			l.heads16 = e.heads16[2*lo : 2*hi : 2*hi]
		} else {
			l.heads = e.heads[2*lo : 2*hi : 2*hi]
		}
		// One kind: its rank set counts from the start of the view.
		if k := byte(e.ids[lo] >> 56); k == byte(e.ids[hi-1]>>56) {
			l.dense = e.dense[k]
		}
		return
	}
	for j := lo; j < hi; j++ {
		if sel.in[byte(e.ids[j]>>56)] {
			l.ids = append(l.ids, e.ids[j])
			if e.heads16 != nil {
				l.heads = append(l.heads, uint32(e.heads16[2*j]), uint32(e.heads16[2*j+1]))
			} else {
				l.heads = append(l.heads, e.heads[2*j], e.heads[2*j+1])
			}
			b, i := postingRef(e.starts, j)
			l.refs = append(l.refs, uint32(b)<<8|uint32(i))
		}
	}
}

// rankSet is the ids of one kind of a cached list as a bitmap over their
// span, with the number of ids before each word: membership is one bit
// test and an id's index in the list a count of bits, where searching the
// ids took a gallop or a binary search per candidate and list. At about
// 1.5 bits per id of the span it is kept for the kinds whose ids fill at
// least 1/32 of their span (the common words': "the" holds half of the
// quotes).
type rankSet struct {
	first, last uint64   // the first and last id
	words       []uint64 // bit i: id first+i is in the list
	before      []uint32 // ids in words[:w]
}

// minRankDensity is the least share of its span a kind's ids must fill
// for a rank set.
const minRankDensity = 32

// newRankSet returns the rank set of ids (ascending, one kind), or nil
// when they are too sparse or too few to gain from one.
func newRankSet(ids []uint64) *rankSet {
	if len(ids) < 64 {
		return nil
	}
	first, last := ids[0], ids[len(ids)-1]
	span := last - first + 1
	if span/uint64(len(ids)) > minRankDensity {
		return nil
	}
	r := &rankSet{first: first, last: last, words: make([]uint64, (span+63)/64)}
	for _, id := range ids {
		off := id - first
		r.words[off>>6] |= 1 << (off & 63)
	}
	r.before = make([]uint32, len(r.words))
	n := uint32(0)
	for w, x := range r.words {
		r.before[w] = n
		n += uint32(bits.OnesCount64(x))
	}
	return r
}

// rank returns the index in the list (the ids of the set, ascending) of
// the first id at or after id, and whether id is in the set.
func (r *rankSet) rank(id uint64, n int) (int, bool) {
	switch {
	case id < r.first:
		return 0, false
	case id > r.last:
		return n, false
	}
	off := id - r.first
	w, b := off>>6, off&63
	x := r.words[w]
	return int(r.before[w]) + bits.OnesCount64(x&(1<<b-1)), x&(1<<b) != 0
}

// size returns the bytes the set takes.
func (r *rankSet) size() int64 { return int64(len(r.words))*8 + int64(len(r.before))*4 + 64 }

// kindRuns returns the rank sets of the kinds of ids (ascending) dense
// enough for one, by kind.
func kindRuns(ids []uint64) map[byte]*rankSet {
	var out map[byte]*rankSet
	for lo := 0; lo < len(ids); {
		k := byte(ids[lo] >> 56)
		hi := lo + sort.Search(len(ids)-lo, func(i int) bool { return byte(ids[lo+i]>>56) > k })
		if r := newRankSet(ids[lo:hi]); r != nil {
			if out == nil {
				out = map[byte]*rankSet{}
			}
			out[k] = r
		}
		lo = hi
	}
	return out
}

// keptQuotes returns the quotes of the posting list of logical prefix (s |
// field | term | 00; words: a list of whoSaid's word postings) as the
// posting cache keeps them, for whoSaid's cursors: the list kept, or read whole and kept when it is
// long (postingCacheMinBlocks blocks, counted from their keys) and the
// cache wants it; nil (read the blocks as before) otherwise or when the
// reader has no cache. It returns too the list's blocks, counted up to
// 4096 (-1, not counted, without a cache).
func (r *reader) keptQuotes(ctx context.Context, logical []byte, words bool) (*searchList, int, error) {
	c := r.postings
	if c == nil {
		return nil, -1, nil
	}
	l := &searchList{prefix: blockPrefix(logical), term: string(logical), words: words, at: -1}
	sel := &kindSet{}
	sel.lo, sel.hi = kindRange(graph.KindQuote)
	sel.in[byte(graph.KindQuote)] = true
	if e := c.get(l.prefix); e != nil {
		l.useCached(e, sel)
		return l, l.nblock, nil
	}
	if _, err := l.countBlocks(ctx, r.kv, max(c.caches.minBlocks, 4096)); err != nil {
		return nil, 0, err
	}
	n := l.nblock * postingBlockSize
	if l.nblock < c.caches.minBlocks || !c.wants(l.prefix, listBytes(l.prefix, n, l.nblock, int64(n*payloadGuess))) {
		return nil, l.nblock, nil
	}
	e, err := l.readCached(ctx, r.kv, c)
	if err != nil {
		return nil, 0, err
	}
	l.useCached(e, sel)
	return l, l.nblock, nil
}

// PostingCacheCounts returns PostingCache's figures one by one, for the
// server's metrics (package metrics).
func (s *Store) PostingCacheCounts() (bytes int64, lists int, hits, reads uint64) {
	st := s.PostingCache()
	return st.Bytes, st.Lists, st.Hits, st.Reads
}
