package store

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"claimgraph/fold"
	"claimgraph/graph"
)

// The whoSaid query (see the top of whosaid.go for the postings and
// whosaid_flags.go for the flags and the reversed dictionary).
//
// Proofs. When the folded query is words separated by single spaces
// (proofWords), every word is a constraint with its place: the first by
// suffix (the words of both dictionaries ending with it, from the
// reversed dictionary), the middle ones exact, the last by prefix (skip
// scans, as before), a single word by containment (a skip scan over
// every word). The constraints are intersected by leapfrogging, and a
// candidate where the words stand at consecutive places (positions
// only: the candidates of the previous reader, narrowed by the suffix)
// is proven when some placement has every word literal and every word
// but the last joined to the next, and the quote is not listed under
// s | fb (irregular or with a long word: always checked). A proven quote
// matches: its folded text holds the first word's suffix, a space, the
// middle words, a space ... and the last word's prefix, that is the
// query. It is counted without reading its record; the page's quotes
// read their user keys only (s | ff | id). The other candidates (not
// proven, or listed under s | fb) are checked against their records as
// before, so the results are exactly the definition's; a candidate none
// of whose placements has the joined flag on every word but the last is
// no match and is not read (align). A query that does not qualify, or
// whose first or last word expands to more than whoSaidProofCap words,
// takes the previous reader (whoSaidPlan).
//
// Walks. The word whose lists hold the fewest blocks drives the
// leapfrog; a word that expands to several lists and does not drive is
// probed, the list that proved the last match first (constraint). A
// query with the total over a long driving list walks the quotes' ids in
// stretches, four per processor, taken in turn by one walker per
// processor (candidates).

// whoSaidProofCap bounds the words the first or last word of a proven
// query expands to in each dictionary.
const whoSaidProofCap = 256

// QuotesMatching implements graph.Reader: the quotes whose text, folded
// with fold.Text, contains the folded text, in id (creation) order, with
// their total. See the top of whosaid.go and whosaid_query.go for how
// the postings select the candidates and prove most of them.
func (r *reader) QuotesMatching(ctx context.Context, text string, after string, limit int) (graph.Page, error) {
	p, _, err := r.quotesMatching(ctx, text, after, limit, true, true)
	return p, err
}

// QuotesMatchingPage is QuotesMatching without the total: it checks the
// candidates after the cursor only until the page is full and one more
// match is found (More), and returns, for the total, a function that
// runs the whole query again and counts every match (call it while the
// snapshot is open). The GraphQL whoSaid field calls the function only
// when totalCount is selected.
func (r *reader) QuotesMatchingPage(ctx context.Context, text string, after string, limit int) (graph.Page, func(context.Context) (int, error), error) {
	p, _, err := r.quotesMatching(ctx, text, after, limit, false, true)
	if err != nil {
		return graph.Page{}, nil, err
	}
	p.Total = 0
	return p, func(ctx context.Context) (int, error) {
		p, _, err := r.quotesMatching(ctx, text, after, limit, true, true)
		return p.Total, err
	}, nil
}

// errPageFull ends the checks of quotesMatching without the total.
var errPageFull = errors.New("store: page full")

// whoSaidWork is what a whoSaid query did: the matches proven from the
// postings and the records checked; the constraints probed (see
// constraint) and those of them that turned to the heap; the candidates
// whose positions were gathered whole.
type whoSaidWork struct {
	proven, checked  int
	probed, switched int
	gathered         int // candidates align read every list of (alignProbed undecided)
}

// quotesMatching is QuotesMatching; without total, Total is 0 and the
// checks stop when the page is known. Without prove every candidate's
// record is checked (the previous reader; tests and benchmarks compare).
func (r *reader) quotesMatching(ctx context.Context, text string, after string, limit int, total, prove bool) (_ graph.Page, work whoSaidWork, _ error) {
	needle := fold.Text(text)
	if needle == "" {
		return graph.Page{}, work, fmt.Errorf("%w: empty search text", graph.ErrInvalid)
	}
	nws := needleWords([]rune(needle))
	if len(nws) == 0 {
		return graph.Page{}, work, fmt.Errorf("%w: search text %q has no letters or digits", graph.ErrInvalid, text)
	}
	var afterID uint64
	if after != "" {
		id, ok, err := r.id(ctx, after)
		if err != nil {
			return graph.Page{}, work, err
		}
		if !ok || idKind(id) != graph.KindQuote {
			return graph.Page{}, work, fmt.Errorf("%w: cursor %q is not a quote", graph.ErrInvalid, after)
		}
		afterID = id
	}
	p := graph.Page{}
	var keyless []int // indexes in p.Keys of proven quotes, keys to read
	var keylessIDs []uint64
	// match counts a matching quote (key "" for a proven one).
	match := func(id uint64, key string) error {
		p.Total++
		if id > afterID && (limit <= 0 || len(p.Keys) < limit) {
			if key == "" {
				keyless = append(keyless, len(p.Keys))
				keylessIDs = append(keylessIDs, id)
			}
			p.Keys = append(p.Keys, key)
		} else if id > afterID {
			p.More = true
			if !total {
				return errPageFull
			}
		}
		return nil
	}
	check := func(id uint64, v []byte) error {
		work.checked++
		key, t, err := decodeQuoteText(v)
		if err != nil {
			return err
		}
		if !strings.Contains(foldQuoteText(t), needle) {
			return nil
		}
		return match(id, key)
	}
	var cons []*constraint
	defer func() {
		for _, c := range cons {
			c.close()
		}
	}()
	words, qualifies := proofWords(needle)
	prove = prove && qualifies
	cons, proving, err := r.whoSaidConstraints(ctx, words, nws, prove)
	if err != nil {
		return graph.Page{}, work, err
	}
	if cons == nil {
		rg := Range{Prefix: []byte{famNode, byte(graph.KindQuote)}}
		if !total && afterID != 0 {
			rg.After = nodeKey(afterID)
		}
		err := r.kv.Scan(ctx, rg, func(k, v []byte) error {
			err := check(decodeID(k[1:]), v)
			if errors.Is(err, errPageFull) {
				return ErrStopScan
			}
			return err
		})
		return p, work, err
	}
	var long []uint64
	err = r.kv.Scan(ctx, Range{Prefix: []byte{famSearch, searchLongField, byte(graph.KindQuote)}, KeysOnly: true}, func(k, _ []byte) error {
		long = append(long, decodeID(k[2:]))
		return nil
	})
	if err != nil {
		return graph.Page{}, work, err
	}
	from := uint64(0)
	if !total {
		// Only the candidates after the cursor.
		from = afterID + 1
	}
	i, _ := slices.BinarySearch(long, from)
	long = long[i:]
	// Each candidate in id order: a proven one counts, the others are
	// checked against their records, read by point reads (a Badger Get
	// skips the tables whose bloom filter lacks the key, where an
	// iterator's seek, the candidates being far apart, seeks every level:
	// A/B on the 100k-quote corpus, p50 18.6 against 26.5 ms).
	visit := func(id uint64, proven bool) error {
		if proven {
			work.proven++
			return match(id, "")
		}
		v, err := r.kv.Get(ctx, nodeKey(id))
		if errors.Is(err, ErrKeyNotFound) {
			return fmt.Errorf("%w: search postings of quote %x without a record", errCorrupt, id)
		}
		if err != nil {
			return err
		}
		return check(id, v)
	}
	err = r.candidates(ctx, cons, from, proving, total, func(id uint64, proven bool) error {
		// The quotes under s | fb, always checked, in order.
		for len(long) > 0 && long[0] <= id {
			l := long[0]
			long = long[1:]
			if l == id {
				proven = false
				continue
			}
			if err := visit(l, false); err != nil {
				return err
			}
		}
		return visit(id, proven)
	})
	for err == nil && len(long) > 0 {
		err, long = visit(long[0], false), long[1:]
	}
	for _, c := range cons {
		work.gathered += c.gathered
		if c.order != nil {
			work.probed++
			if !c.probing {
				work.switched++
			}
		}
	}
	if err != nil && !errors.Is(err, errPageFull) {
		return graph.Page{}, work, err
	}
	for j, i := range keyless {
		key, err := r.searchKey(ctx, keylessIDs[j])
		if err != nil {
			return graph.Page{}, work, err
		}
		p.Keys[i] = key
	}
	return p, work, nil
}

// Parallel walks. A query with the total whose driving word's lists hold
// at least parallelBlocks blocks splits the quotes' ids into
// stretchesPerProc stretches per processor (at most maxParts), walked
// each with its own constraints (forks) by as many goroutines as the
// process has processors, each taking the next stretch not walked when it
// is done with one; the candidates then go to fn in id order, on the
// caller's goroutine. More stretches than walkers balance the walkers'
// loads: a stretch may hold more matches than another, and on a shared
// machine one processor may run slower than the other for a while. At 1M
// quotes on two processors, a phrase of 58,000 matches took 0.65 of its
// time walked whole in two stretches, 0.6 in eight. A page without the
// total stops at its last match, and walks in one piece.
const (
	parallelBlocks   = 64
	stretchesPerProc = 4
	maxParts         = 16
)

// stretchCand is a candidate a stretch found, kept until the stretches
// before it have handed theirs on.
type stretchCand struct {
	id     uint64
	proven bool
}

// candBufs keeps the stretches' candidate buffers from one query to the
// next: a phrase of 58,000 matches fills about 1 MB of them, which the
// collector would otherwise take back at every such query.
var candBufs = sync.Pool{New: func() any { return new([]stretchCand) }}

// maxPooledCands bounds the candidates of a buffer kept for the next
// query (4 MB).
const maxPooledCands = 1 << 18

// candidates calls fn, in id order from id from, with the candidates of
// the constraints cons and whether they are proven (leapfrogEach),
// walked in parallel stretches when worth it (see above).
func (r *reader) candidates(ctx context.Context, cons []*constraint, from uint64, prove, total bool, fn func(id uint64, proven bool) error) error {
	bounds, err := r.parts(ctx, cons, from, total)
	if err != nil || len(bounds) < 3 {
		if err == nil {
			err = leapfrogEach(ctx, cons, from, 0, prove, fn)
		}
		return err
	}
	n := len(bounds) - 1
	found := make([]*[]stretchCand, n)
	for i := range found {
		found[i] = candBufs.Get().(*[]stretchCand)
		*found[i] = (*found[i])[:0]
	}
	defer func() {
		for _, b := range found {
			if cap(*b) <= maxPooledCands {
				candBufs.Put(b)
			}
		}
	}()
	errs := make([]error, n)
	// Every stretch's constraints before any walk (a walk sorts its own).
	sets := [][]*constraint{cons}
	for range n - 1 {
		cs := make([]*constraint, len(cons))
		for j, c := range cons {
			cs[j] = c.fork()
		}
		sets = append(sets, cs)
	}
	defer func() {
		for _, cs := range sets[1:] {
			for _, c := range cs {
				c.close()
			}
		}
	}()
	var next atomic.Int64
	walk := func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			errs[i] = leapfrogEach(ctx, sets[i], bounds[i], bounds[i+1], prove, func(id uint64, proven bool) error {
				*found[i] = append(*found[i], stretchCand{id, proven})
				return nil
			})
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(walk)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, part := range found {
		for _, c := range *part {
			if err := fn(c.id, c.proven); err != nil {
				return err
			}
		}
	}
	return nil
}

// parts returns the bounds of the stretches of quote ids a walk from id
// from splits into (bounds[i] to bounds[i+1], the last one open: 0), or
// nil when it walks whole: without the total, on one processor, or when
// the driving constraint (the fewest blocks) has fewer than
// parallelBlocks. A reader's split, when set, is the number of
// stretches whatever the sizes (tests).
func (r *reader) parts(ctx context.Context, cons []*constraint, from uint64, total bool) ([]uint64, error) {
	n := 0
	if procs := runtime.GOMAXPROCS(0); procs > 1 {
		n = min(procs*stretchesPerProc, maxParts)
	}
	if r.split > 0 {
		n = r.split
	}
	if !total || n < 2 || len(cons) == 0 {
		return nil, nil
	}
	// The walk sizes every list when it orders several constraints; a
	// lone one (a word's containing words: up to whoSaidCap lists) is
	// counted only as far as parallelBlocks.
	least := -1
	for _, c := range cons {
		b := 0
		for _, l := range c.lists {
			if len(cons) == 1 && b >= parallelBlocks {
				break
			}
			lb, err := l.size(ctx)
			if err != nil {
				return nil, err
			}
			b += lb
		}
		if least < 0 || b < least {
			least = b
		}
	}
	if least < parallelBlocks && r.split == 0 {
		return nil, nil
	}
	lo, hi := kindRange(graph.KindQuote)
	lo = max(lo, from)
	var last uint64
	err := r.kv.Scan(ctx, Range{Prefix: []byte{famNode, byte(graph.KindQuote)}, KeysOnly: true, Reverse: true, Limit: 1}, func(k, _ []byte) error {
		last = decodeID(k[1:])
		return nil
	})
	if err != nil || last < lo || last >= hi {
		return nil, err
	}
	step := (last - lo + 1) / uint64(n)
	if step == 0 {
		return nil, nil
	}
	bounds := []uint64{lo}
	for i := 1; i < n; i++ {
		bounds = append(bounds, lo+uint64(i)*step)
	}
	return append(bounds, 0), nil
}

// whoSaidConstraints returns the constraints that select the candidates
// of a query (nil: none does; the quote records are then scanned) and
// whether they prove its matches: the proof's plan for two or more
// proofWords words (with prove), else the previous reader's, which proves
// a single word too. The caller closes the constraints, also on error.
func (r *reader) whoSaidConstraints(ctx context.Context, words []string, nws []needleWord, prove bool) ([]*constraint, bool, error) {
	if prove && len(words) > 1 {
		cons, ok, err := r.proofPlan(ctx, words)
		if err != nil || ok {
			return cons, ok, err
		}
	}
	cons, err := r.whoSaidPlan(ctx, nws)
	if err != nil {
		return cons, false, err
	}
	if prove && len(words) == 1 && len(cons) == 1 {
		// One word: the previous reader's constraint (the words
		// containing it), with positions for the proof.
		c := cons[0]
		c.at, c.need = 0, posLiteral
		for _, l := range c.lists {
			l.keysOnly = false
		}
		return cons, true, nil
	}
	return cons, false, nil
}

// constraint is one word of the query: the union of the postings lists
// that hold it, its place among the query's words (-1: none to check)
// and the flags a proof needs of it.
//
// A constraint of several lists (a prefix or suffix that expands to many
// words) is walked in one of two ways. The one that drives the leapfrog
// (the first, with the fewest lists) keeps its lists in a heap by current
// id, so that a seek answers the smallest id of the union (the others
// then skip to it). The others are probed: a seek asks the lists in turn,
// the one that last proved a match first, and stops at the first that
// holds the id; the lists after it are sought only when the id's
// positions are wanted and the first ones do not prove it (align). A
// phrase's matches are mostly proven by one word of the expansion ("a"
// in "this is a"), so a probed match moves one or two lists where the
// heap moved every list behind the id ("and", "are", "asked", ... at each
// match). A probe that finds the id in no list seeks every list; when
// such misses outnumber the hits (more than probeMisses plus twice the
// hits), the constraint turns to the heap for the rest of the query.
type constraint struct {
	at    int
	need  uint8
	lists []*postings
	// The lists not done, a heap by current id once seek has run in heap
	// mode (a constraint of one list seeks it directly).
	h      listHeap
	inited bool
	// Probe mode (probing): the lists not known done, in the order they
	// are asked, and the index in it of the list at the current id.
	probing      bool
	order        []*postings
	hit          int
	hits, misses int
	occ          []uint64 // positions (with flags) at the current id
	gathered     int      // align's gatherings of every list, counted on the first
}

// probeMisses is the misses a probed constraint allows before it turns to
// the heap, beyond twice its hits.
const probeMisses = 32

func (c *constraint) close() {
	for _, l := range c.lists {
		l.close()
	}
}

// listHeap is a min-heap of lists by their current id (a prefix can
// expand to hundreds of words' lists: its sift is written out, not
// container/heap's interface calls, which were a third of a query's
// time on such a union).
type listHeap []*postings

// init orders the heap.
func (h listHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

// down moves element i down to its place.
func (h listHeap) down(i int) {
	n := len(h)
	x := h[i]
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && h[r].id < h[c].id {
			c = r
		}
		if x.id <= h[c].id {
			break
		}
		h[i] = h[c]
		i = c
	}
	h[i] = x
}

// popTop removes the smallest element.
func (h *listHeap) popTop() {
	old := *h
	n := len(old) - 1
	old[0] = old[n]
	old[n] = nil
	*h = old[:n]
	if n > 0 {
		h.down(0)
	}
}

// start sets the walk of a constraint of several lists before its first
// seek: probed when probe is set, else a heap.
func (c *constraint) start(probe bool) {
	if len(c.lists) > 1 && !c.inited && probe {
		c.inited, c.probing = true, true
		c.order = slices.Clone(c.lists)
	}
}

// seek moves the lists of the constraint to their first posting at or
// after id and returns the smallest; false when every list is done. A
// probed constraint stops at the first list (in its order) at id.
func (c *constraint) seek(ctx context.Context, id uint64) (uint64, bool, error) {
	if len(c.lists) == 1 {
		l := c.lists[0]
		ok, err := l.seek(ctx, id)
		return l.id, ok, err
	}
	if c.probing {
		return c.probe(ctx, id)
	}
	if !c.inited {
		c.inited = true
		for _, l := range c.lists {
			ok, err := l.seek(ctx, id)
			if err != nil {
				return 0, false, err
			}
			if ok {
				c.h = append(c.h, l)
			}
		}
		c.h.init()
	}
	for len(c.h) > 0 && c.h[0].id < id {
		ok, err := c.h[0].seek(ctx, id)
		if err != nil {
			return 0, false, err
		}
		if ok {
			c.h.down(0)
		} else {
			c.h.popTop()
		}
	}
	if len(c.h) == 0 {
		return 0, false, nil
	}
	return c.h[0].id, true, nil
}

// probe is seek in probe mode: the lists in order until one is at id
// (the lists found done leave the order); on a miss every list has been
// sought, and the smallest id is returned.
func (c *constraint) probe(ctx context.Context, id uint64) (uint64, bool, error) {
	n := 0
	least := uint64(0)
	for i := 0; i < len(c.order); i++ {
		l := c.order[i]
		ok, err := l.seek(ctx, id)
		if err != nil {
			return 0, false, err
		}
		if !ok {
			continue
		}
		c.order[n] = l
		n++
		if l.id == id {
			c.hit = n - 1
			n += copy(c.order[n:], c.order[i+1:])
			clear(c.order[n:])
			c.order = c.order[:n]
			c.hits++
			return id, true, nil
		}
		if n == 1 || l.id < least {
			least = l.id
		}
	}
	clear(c.order[n:])
	c.order = c.order[:n]
	c.hit = -1
	if n == 0 {
		return 0, false, nil
	}
	c.misses++
	if c.misses > probeMisses+2*c.hits {
		// Every list is at or after id: the heap takes them as they are.
		c.probing = false
		c.h = append(c.h[:0], c.order...)
		c.h.init()
	}
	return least, true, nil
}

// fork returns the constraint over forks of c's lists (postings.fork),
// not walked yet.
func (c *constraint) fork() *constraint {
	f := &constraint{at: c.at, need: c.need, lists: make([]*postings, len(c.lists))}
	for i, l := range c.lists {
		f.lists[i] = l.fork()
	}
	return f
}

// positions gathers in c.occ the positions (with flags) of the word at
// id, where c was sought: the lists at id (in heap mode, a pruned walk of
// the heap; probed, the list that was hit and those after it, sought
// now).
func (c *constraint) positions(ctx context.Context, id uint64) error {
	c.occ = c.occ[:0]
	if len(c.lists) == 1 {
		var err error
		if l := c.lists[0]; l.at && l.id == id {
			c.occ, err = l.positions(c.occ)
		}
		return err
	}
	if c.probing {
		for j := max(c.hit, 0); c.hit >= 0 && j < len(c.order); j++ {
			l := c.order[j]
			ok, err := l.seek(ctx, id)
			if err != nil {
				return err
			}
			if ok && l.id == id {
				if c.occ, err = l.positions(c.occ); err != nil {
					return err
				}
			}
		}
		return nil
	}
	// The lists at id are a subtree at the root: walked with a stack.
	var buf [64]int
	stack := append(buf[:0], 0)
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if i >= len(c.h) || c.h[i].id != id {
			continue
		}
		var err error
		if c.occ, err = c.h[i].positions(c.occ); err != nil {
			return err
		}
		stack = append(stack, 2*i+2, 2*i+1)
	}
	return nil
}

// leapfrogEach calls fn, in id order from id from (up to id to, not
// included; 0: to the end), with the quotes that
// every constraint holds where their words stand as in the query (when
// the constraints have places), and whether the flags prove the match
// (with prove). Each constraint in turn seeks to the largest id another
// has reached, so a rare word skips the postings of the common ones. The
// constraints go in the order of their postings' blocks (postings.size;
// then the fewer lists first): the first drives (a heap, when it has
// several lists), the others of several lists are probed. An error from
// fn ends the walk and is returned.
func leapfrogEach(ctx context.Context, cons []*constraint, from, to uint64, prove bool, fn func(id uint64, proven bool) error) error {
	if len(cons) > 1 {
		sizes := make(map[*constraint]int, len(cons))
		for _, c := range cons {
			n := 0
			for _, l := range c.lists {
				b, err := l.size(ctx)
				if err != nil {
					return err
				}
				n += b
			}
			sizes[c] = n
		}
		slices.SortStableFunc(cons, func(a, b *constraint) int { return cmp.Or(sizes[a]-sizes[b], len(a.lists)-len(b.lists)) })
	}
	for i, c := range cons {
		c.start(i > 0)
	}
	x := from
	for {
		agree := true
		for _, c := range cons {
			y, ok, err := c.seek(ctx, x)
			if err != nil || !ok || to != 0 && y >= to {
				return err
			}
			if y != x {
				x, agree = y, false
				break
			}
		}
		if !agree {
			continue
		}
		found, proven := true, false
		if cons[0].at >= 0 {
			var err error
			found, proven, err = align(ctx, cons, x, prove)
			if err != nil {
				return err
			}
		}
		if found {
			if err := fn(x, proven); err != nil {
				return err
			}
		}
		x++
	}
}

// align reports whether the words of the constraints stand at id as they
// do in the query (some base b has each constraint's word at b + its
// place), and, with prove, whether some such base has every word with the
// flags its constraint needs. With prove it first tries to prove the
// match from the probed constraints' first lists (alignProbed).
//
// With prove, a base where a word that needs the joined flag lacks it is
// no placement: in a match every word of the query but the last is
// followed in the folded text by one space and the next word, which is
// the flag, literal or not; so a candidate without such a base is no
// match, and its record is not read. (The quotes without flags, listed
// under s | fb, are checked whatever align says.)
func align(ctx context.Context, cons []*constraint, id uint64, prove bool) (found, proven bool, err error) {
	if prove {
		ok, none, err := alignProbed(ctx, cons, id)
		if err != nil || ok || none {
			return ok, ok, err
		}
	}
	cons[0].gathered++
	for _, c := range cons {
		if err := c.positions(ctx, id); err != nil {
			return false, false, err
		}
	}
	// joinedAt reports whether a word that needs the joined flag has it.
	joinedAt := func(c *constraint, o uint64) bool {
		return !prove || c.need&posJoined == 0 || o&posJoined != 0
	}
	for _, o0 := range cons[0].occ {
		b := int(o0>>posFlagBits) - cons[0].at
		all, strict := true, prove && uint8(o0)&cons[0].need == cons[0].need
		joined := joinedAt(cons[0], o0)
		for _, c := range cons[1:] {
			want := uint64(b + c.at)
			any, ok, j := false, false, false
			for _, o := range c.occ {
				if o>>posFlagBits == want {
					any = true
					j = j || joinedAt(c, o)
					if uint8(o)&c.need == c.need {
						ok = true
						break
					}
				}
			}
			if !any {
				all = false
				break
			}
			strict, joined = strict && ok, joined && j
		}
		if all && joined {
			found = true
			if strict {
				return true, true, nil
			}
		}
	}
	return found, false, nil
}

// alignProbed tries to prove a match at id from the constraints that are
// not probed (their positions whole) and, for each probed one, the lists
// from the one that was hit, in order, until one proves a base the
// others proved: proven when every constraint proves one base. Each
// probed constraint then moves the list that proved it to the front of
// its order. It reports none when the words stand at no common base,
// flags aside: the constraints not probed share none, or a probed one
// holds none of their bases in any list at id (its lists before the one
// hit are not at id, and a failed proof has sought every one after it).
// Neither says nothing: align then gathers every list at id.
func alignProbed(ctx context.Context, cons []*constraint, id uint64) (proven, none bool, err error) {
	// The bases the words not probed stand at with their flags (strict)
	// and at all (loose), filtered in place; more than fit: neither.
	var sbuf, lbuf, tbuf [8]int
	strict, loose := sbuf[:0], lbuf[:0]
	// narrow returns the bases of bs (in place, or into dst) where occ has
	// a position of c, with the flags c needs when flags is set.
	narrow := func(dst, bs []int, c *constraint, occ []uint64, flags bool) []int {
		n := dst[:0]
		for _, b := range bs {
			want := uint64(b + c.at)
			for _, o := range occ {
				if o>>posFlagBits == want && (!flags || uint8(o)&c.need == c.need) {
					n = append(n, b)
					break
				}
			}
		}
		return n
	}
	first := true
	probed := 0
	for _, c := range cons {
		if c.probing {
			probed++
			continue
		}
		if err := c.positions(ctx, id); err != nil {
			return false, false, err
		}
		if first {
			first = false
			for _, o := range c.occ {
				b := int(o>>posFlagBits) - c.at
				if len(loose) == len(lbuf) {
					return false, false, nil
				}
				loose = append(loose, b)
				if uint8(o)&c.need == c.need {
					strict = append(strict, b)
				}
			}
		} else {
			strict = narrow(strict, strict, c, c.occ, true)
			loose = narrow(loose, loose, c, c.occ, false)
		}
		if len(loose) == 0 {
			return false, true, nil
		}
	}
	var prov [8]int
	if first || probed > len(prov) {
		return false, false, nil // every constraint is probed, or too many
	}
	proving := prov[:0]
	for _, c := range cons {
		if !c.probing {
			continue
		}
		if c.hit < 0 {
			return false, false, nil
		}
		found, anyLoose := -1, false
		for j := c.hit; j < len(c.order) && found < 0; j++ {
			l := c.order[j]
			ok, err := l.seek(ctx, id)
			if err != nil {
				return false, false, err
			}
			if !ok || l.id != id {
				continue
			}
			if c.occ, err = l.positions(c.occ[:0]); err != nil {
				return false, false, err
			}
			anyLoose = anyLoose || len(narrow(tbuf[:0], loose, c, c.occ, false)) > 0
			if len(strict) > 0 {
				if n := narrow(tbuf[:0], strict, c, c.occ, true); len(n) > 0 {
					strict, found = append(strict[:0], n...), j
				}
			}
		}
		if found < 0 {
			if !anyLoose {
				return false, true, nil
			}
			strict = strict[:0] // no proof; the others may still show none
		}
		proving = append(proving, found)
	}
	if len(strict) == 0 {
		return false, false, nil
	}
	k := 0
	for _, c := range cons {
		if !c.probing {
			continue
		}
		if j := proving[k]; j > 0 {
			l := c.order[j]
			copy(c.order[1:j+1], c.order[:j])
			c.order[0] = l
		}
		c.hit = -1
		k++
	}
	return true, false, nil
}

// proofPlan returns the constraints of a query of two or more
// proofWords words, each word with its place and the flags a proof needs
// of it; ok is false (and no constraint is left open) when the first or
// last word expands to more than whoSaidProofCap words. The caller
// closes the constraints, also on error.
func (r *reader) proofPlan(ctx context.Context, words []string) (cons []*constraint, ok bool, err error) {
	n := len(words)
	fail := func(err error) ([]*constraint, bool, error) {
		for _, c := range cons {
			c.close()
		}
		return nil, false, err
	}
	// The first word: the words of both dictionaries ending with it.
	first := &constraint{at: 0, need: posLiteral | posJoined}
	for _, f := range []byte{byte(graph.SearchText), searchWordField} {
		ws, ok, err := r.suffixWords(ctx, f, words[0], whoSaidProofCap)
		if err != nil || !ok {
			return fail(err)
		}
		for _, w := range ws {
			if f == searchWordField {
				first.lists = append(first.lists, r.wordList(w))
			} else {
				first.lists = append(first.lists, r.termList(w))
			}
		}
	}
	cons = append(cons, first)
	for i := 1; i < n-1; i++ {
		w := words[i]
		c := &constraint{at: i, need: posLiteral | posJoined, lists: []*postings{r.wordList(w)}}
		if graph.Stem(w) == w {
			c.lists = append(c.lists, r.termList(w))
		}
		cons = append(cons, c)
	}
	last, ok, err := r.expand(ctx, words[n-1], n-1, whoSaidProofCap, nil)
	if err != nil || !ok {
		return fail(err)
	}
	last.need = posLiteral
	cons = append(cons, last)
	return cons, true, nil
}

// whoSaidPlan returns the constraints that select the candidates of a
// query, or nil when none does (the quote records are then scanned). The
// caller closes the constraints, also on error.
func (r *reader) whoSaidPlan(ctx context.Context, nws []needleWord) ([]*constraint, error) {
	var cons []*constraint
	last := len(nws) - 1
	for i, w := range nws {
		if !w.left || !w.right || len(w.word) > maxSearchTerm {
			continue
		}
		c := &constraint{at: i, lists: []*postings{r.wordList(w.word)}}
		if graph.Stem(w.word) == w.word {
			c.lists = append(c.lists, r.termList(w.word))
		}
		cons = append(cons, c)
	}
	// The word at the right edge begins a word of the quote.
	if w := nws[last]; w.left && !w.right && len(w.word) <= maxSearchTerm {
		capN := whoSaidCap
		if len(cons) > 0 {
			capN = whoSaidOptionalCap
		}
		c, ok, err := r.expand(ctx, w.word, last, capN, nil)
		if err != nil {
			return cons, err
		}
		if ok {
			cons = append(cons, c)
		}
	}
	if len(cons) > 0 {
		checkPos := len(cons) > 1
		for _, c := range cons {
			if !checkPos {
				c.at = -1
			}
			for _, l := range c.lists {
				l.keysOnly = !checkPos
			}
		}
		return cons, nil
	}
	// One word, or a part of one: the words of the dictionary that
	// contain it (or end with it, when the query ends the word).
	if len(nws) != 1 || len(nws[0].word) > maxSearchTerm {
		return nil, nil
	}
	w := nws[0]
	if w.word == "s" {
		// Possibly the s of a possessive, which is in no word.
		return nil, nil
	}
	has := func(t string) bool { return strings.Contains(t, w.word) }
	if w.right {
		has = func(t string) bool { return strings.HasSuffix(t, w.word) }
	}
	c, ok, err := r.expand(ctx, "", -1, whoSaidCap, has)
	if err != nil || !ok {
		return nil, err
	}
	for _, l := range c.lists {
		l.keysOnly = true
	}
	return []*constraint{c}, nil
}

// expand returns the constraint of the words of both lists that begin
// with prefix and satisfy keep (nil: all), found by skip scans over the
// distinct words; ok is false when a list has more than capN of them.
func (r *reader) expand(ctx context.Context, prefix string, at, capN int, keep func(string) bool) (*constraint, bool, error) {
	c := &constraint{at: at}
	for _, f := range []byte{byte(graph.SearchText), searchWordField} {
		words, ok, err := r.dictWords(ctx, f, prefix, keep, capN)
		if err != nil || !ok {
			return nil, false, err
		}
		for _, w := range words {
			if f == searchWordField {
				c.lists = append(c.lists, r.wordList(w))
			} else {
				c.lists = append(c.lists, r.termList(w))
			}
		}
	}
	return c, true, nil
}

// dictWords returns the distinct words (terms) of field f of family s
// that begin with prefix and satisfy keep (nil: all), skipping from word
// to word over the block keys with one cursor; ok is false when more than
// capN do.
func (r *reader) dictWords(ctx context.Context, f byte, prefix string, keep func(string) bool, capN int) ([]string, bool, error) {
	base := append([]byte{famSearch, blockField(f)}, prefix...)
	c := openCursor(ctx, r.kv, base, true, 2)
	defer c.close()
	var out []string
	ok, err := c.seek(base)
	for ok && err == nil {
		k := c.key()
		i := bytes.IndexByte(k[2:], 0)
		if i < 0 {
			return nil, false, fmt.Errorf("%w: search key %x", errCorrupt, k)
		}
		w := string(k[2 : 2+i])
		if keep == nil || keep(w) {
			if len(out) == capN {
				return nil, false, nil
			}
			out = append(out, w)
		}
		// The first key after every posting of w.
		ok, err = c.seek(append(append([]byte{famSearch, blockField(f)}, w...), 1))
	}
	return out, err == nil, err
}

// termList is the cursor over the quote postings of a search term.
func (r *reader) termList(term string) *postings {
	return &postings{r: r, prefix: searchTermPrefix(graph.SearchText, term), blocks: -1}
}

// wordList is the cursor over the quote postings of a word.
func (r *reader) wordList(word string) *postings {
	return &postings{r: r, prefix: searchWordPrefix(word), word: true, blocks: -1}
}

// postings is a cursor over the quotes of one postings list (a
// postingCursor over its blocks); the positions of the word at the
// current posting are decoded when asked for.
type postings struct {
	r        *reader
	prefix   []byte // s | field | word | 00
	word     bool   // a word posting (count, positions), else a search posting
	keysOnly bool   // positions are not needed

	c *postingCursor
	// m, when set, is the list's quotes as the posting cache keeps them,
	// and mj the place in it; c is then unused.
	m      *searchList
	mj     int
	mctx   context.Context
	at     bool // at a posting: id is its
	done   bool
	id     uint64
	blocks int // the list's blocks as counted (size; -1: not yet)
	// uncached: the posting cache does not keep the list (a fork's)
	uncached bool
}

func (p *postings) close() {
	if p.c != nil {
		p.c.close()
	}
}

// seek moves to the first posting at or after id; false when none is left.
func (p *postings) seek(ctx context.Context, id uint64) (bool, error) {
	if p.done {
		return false, nil
	}
	if p.at && p.id >= id {
		return true, nil
	}
	if err := p.open(ctx); err != nil {
		return false, err
	}
	if p.m != nil {
		p.mj, _ = p.m.find(p.mj, id)
		if p.mj == len(p.m.ids) {
			p.at, p.done = false, true
			return false, nil
		}
		p.id, p.at = p.m.ids[p.mj], true
		return true, nil
	}
	ok, err := p.c.seek(id)
	if err != nil || !ok {
		p.at, p.done = false, true
		return false, err
	}
	p.id, p.at = p.c.id(), true
	return true, nil
}

// open finds the list in the posting cache, or opens a cursor over its
// blocks, once.
func (p *postings) open(ctx context.Context) error {
	if p.c != nil || p.m != nil {
		return nil
	}
	if p.uncached {
		lo, hi := kindRange(graph.KindQuote)
		p.c = newPostingCursor(ctx, p.r.kv, p.prefix, lo, hi)
		return nil
	}
	m, n, err := p.r.keptQuotes(ctx, p.prefix, p.word)
	if err != nil {
		return err
	}
	p.m, p.mctx, p.blocks = m, ctx, n
	if p.m == nil {
		lo, hi := kindRange(graph.KindQuote)
		p.c = newPostingCursor(ctx, p.r.kv, p.prefix, lo, hi)
	}
	return nil
}

// size returns the blocks of the list, counted from their keys up to
// sizeBlocks (the posting cache counts them when it looks the list up).
func (p *postings) size(ctx context.Context) (int, error) {
	if err := p.open(ctx); err != nil {
		return 0, err
	}
	if p.blocks < 0 {
		l := &searchList{prefix: blockPrefix(p.prefix)}
		if _, err := l.countBlocks(ctx, p.r.kv, sizeBlocks); err != nil {
			return 0, err
		}
		p.blocks = l.nblock
	}
	return p.blocks, nil
}

// sizeBlocks caps the blocks size counts of a list the posting cache has
// not counted: enough to tell a word of a quote in a hundred from one in
// three at a million quotes.
const sizeBlocks = 1024

// fork returns a cursor over the same list at its start, opened as p is
// (p is open: size has run), for a walk on another goroutine: a list
// kept by the posting cache shares its arrays, which walks only read.
func (p *postings) fork() *postings {
	q := &postings{r: p.r, prefix: p.prefix, word: p.word, keysOnly: p.keysOnly, blocks: p.blocks, uncached: p.m == nil}
	if p.m != nil {
		m := *p.m
		m.at, m.blk, m.refAt = -1, postingBlock{}, 0
		q.m, q.mctx = &m, p.mctx
	}
	return q
}

// positions appends to dst the positions, with their flags, of the word
// at the current posting.
func (p *postings) positions(dst []uint64) ([]uint64, error) {
	if p.keysOnly {
		return dst, nil
	}
	if p.m != nil {
		pay, err := p.m.payload(p.mctx, p.r.kv, p.mj)
		if err != nil {
			return nil, err
		}
		return decodePositions(p.m.tf(p.mj), pay, p.word, dst)
	}
	return decodePositions(p.c.head(0), p.c.payload(), p.word, dst)
}

// decodePositions appends to dst the word positions, with their flags
// (pos<<2 | flags), of a posting payload: n positions of a word posting,
// or the pos of each of n occurrences (sub, pos, start, end) of a search
// posting.
func decodePositions(n uint64, v []byte, word bool, dst []uint64) ([]uint64, error) {
	per, at := 4, 1
	if word {
		per, at = 1, 0
	}
	if n > uint64(len(v)) {
		return nil, fmt.Errorf("%w: posting payload", errCorrupt)
	}
	for range n {
		for j := range per {
			x, w := uvarint(v)
			if w <= 0 {
				return nil, fmt.Errorf("%w: posting payload", errCorrupt)
			}
			if j == at {
				dst = append(dst, x)
			}
			v = v[w:]
		}
	}
	return dst, nil
}
