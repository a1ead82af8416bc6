package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"

	"claimgraph/fold"
	"claimgraph/graph"
)

// Filtered lists (graph.Selector) over the facet family (facet.go).
//
// A selection is a join of streams of positions, each in the selection's
// order: a position is a node's key suffix, marker | value (8) | user key
// in value order (marker 01 with a value, 02 without), the user key in
// key order. Each facet filter is one stream: the entries of its value's
// list, read from the list's blocks (scanFacetList), or for several values
// the k-way merge of their lists; without facets the stream is every node
// of the kind (the y family in key order, the f | kind | 00 list in value
// order). A range bounds the scans to
// the marker-01 positions between the bounds. Streams are intersected by
// leapfrogging: each seeks to the largest position any other has reached,
// so the rarest stream drives and the others skip. Scans are read in
// batches that grow while a stream is read in order and shrink when it
// jumps. Desc scans backwards (Range.Reverse), the nodes with a value
// first, then those without.
//
// A text filter first counts, for each of its terms, the search postings
// of the kind's text fields (up to textCandidates). When the rarest term
// has at most that many postings, its nodes that hold every other term
// become one more stream (sorted positions), so a rare word drives; else
// the join is filtered as it goes, node by node, by the postings of every
// term. Either way each result is checked against its record
// (graph.TextMatches) before it is returned.

// textCandidates caps the postings of a text filter's rarest term that
// become a stream of their own.
const textCandidates = 4096

// Stream batch sizes: a stream that jumps reads a few keys, one read in
// order reads more and more.
const (
	firstBatch = 16
	maxBatch   = 1024
)

// selSeg is a part of a selection's order: positions in [lo, hi), nil
// bounds open; mark, when set, is the marker of every position in it.
type selSeg struct {
	mark   byte
	lo, hi []byte
}

// selOrder is the order of a selection's positions.
type selOrder struct {
	kind  graph.Kind
	value bool // value order
	desc  bool
	segs  []selSeg
}

// cmp compares two positions in the order.
func (o *selOrder) cmp(a, b []byte) int {
	if o.value && o.desc && a[0] != b[0] {
		return cmp.Compare(a[0], b[0]) // nodes with a value first
	}
	c := bytes.Compare(a, b)
	if o.desc {
		return -c
	}
	return c
}

// reached reports whether position a is at p (unless strict) or after it.
func (o *selOrder) reached(a, p []byte, strict bool) bool {
	c := o.cmp(a, p)
	return c > 0 || (c == 0 && !strict)
}

// segOf returns the segment that position p belongs to (len(segs) when
// none: the range excludes it).
func (o *selOrder) segOf(p []byte) int {
	for i, sg := range o.segs {
		if sg.mark == 0 || (len(p) > 0 && sg.mark == p[0]) {
			return i
		}
	}
	return len(o.segs)
}

// key returns the user key of a position.
func (o *selOrder) key(p []byte) string {
	switch {
	case !o.value:
		return string(p)
	case len(p) > 9 && p[0] == markValue:
		return string(p[9:])
	case len(p) > 1:
		return string(p[1:])
	}
	return ""
}

// cursor returns the graph cursor of a position.
func (o *selOrder) cursor(p []byte) string {
	c := graph.SelectCursor{Kind: o.kind, Order: graph.OrderKey, Key: o.key(p)}
	if o.value {
		c.Order = graph.OrderValue
		if p[0] == markValue {
			c.HasValue, c.Value = true, binary.BigEndian.Uint64(p[1:9])
		}
	}
	return c.String()
}

// position returns the position a cursor names.
func (o *selOrder) position(c graph.SelectCursor) []byte {
	if !o.value {
		return []byte(c.Key)
	}
	return facetCol{hasOrder: true, hasValue: c.HasValue, value: c.Value}.position(c.Key)
}

// inRange reports whether a position lies in one of the order's segments.
func (o *selOrder) inRange(p []byte) bool {
	i := o.segOf(p)
	if i == len(o.segs) {
		return false
	}
	sg := o.segs[i]
	return (sg.lo == nil || bytes.Compare(p, sg.lo) >= 0) && (sg.hi == nil || bytes.Compare(p, sg.hi) < 0)
}

// newSelOrder returns the order of a selection: its segments from the
// range and the direction.
func newSelOrder(s graph.Selection) *selOrder {
	o := &selOrder{kind: s.Kind, value: s.EffectiveOrder() == graph.OrderValue, desc: s.Desc}
	lo, hi, ranged, _ := s.ValueBounds()
	switch {
	case !o.value:
		o.segs = []selSeg{{}}
	case ranged:
		sg := selSeg{mark: markValue, lo: binary.BigEndian.AppendUint64([]byte{markValue}, lo), hi: []byte{markNone}}
		if hi < 1<<64-1 {
			sg.hi = binary.BigEndian.AppendUint64([]byte{markValue}, hi+1)
		}
		o.segs = []selSeg{sg}
	case o.desc:
		o.segs = []selSeg{{mark: markValue, lo: []byte{markValue}, hi: []byte{markNone}}, {mark: markNone, lo: []byte{markNone}}}
	default:
		o.segs = []selSeg{{}}
	}
	return o
}

// selStream is a stream of positions in a selection's order.
type selStream interface {
	// seek returns the first position at or after p (after p when strict;
	// the first of all when p is nil); ok is false at the end. Successive
	// calls never seek backwards.
	seek(ctx context.Context, p []byte, strict bool) (pos []byte, ok bool, err error)
}

// prefixStream is the positions under one key prefix: the keys of the y
// family, or the entries of a facet list (facetblocks.go).
type prefixStream struct {
	kv     KVReader
	o      *selOrder
	prefix []byte
	facet  bool // prefix is a facet list's: its entries are in blocks

	started, end bool
	seg          int      // the segment buf is from
	buf          [][]byte // positions read, in order
	bi           int      // the next one
	segDone      bool     // buf holds the rest of the segment
	batch        int
}

func newPrefixStream(kv KVReader, o *selOrder, prefix []byte) *prefixStream {
	return &prefixStream{kv: kv, o: o, prefix: prefix, batch: firstBatch}
}

// newFacetStream returns the stream of the facet list whose logical
// prefix is list.
func newFacetStream(kv KVReader, o *selOrder, list []byte) *prefixStream {
	return &prefixStream{kv: kv, o: o, prefix: list, facet: true, batch: firstBatch}
}

func (s *prefixStream) seek(ctx context.Context, p []byte, strict bool) ([]byte, bool, error) {
	if !s.started {
		s.started = true
		var err error
		if p == nil {
			err = s.fetch(ctx, 0, nil, false)
		} else {
			err = s.fetchAt(ctx, p, strict)
		}
		if err != nil {
			return nil, false, err
		}
	}
	for !s.end {
		if p != nil {
			rest := s.buf[s.bi:]
			s.bi += sort.Search(len(rest), func(i int) bool { return s.o.reached(rest[i], p, strict) })
		}
		if s.bi < len(s.buf) {
			return s.buf[s.bi], true, nil
		}
		var err error
		switch {
		case !s.segDone && p != nil && s.o.cmp(p, s.buf[len(s.buf)-1]) > 0:
			s.batch = firstBatch // a jump
			err = s.fetchAt(ctx, p, strict)
		case !s.segDone:
			s.batch = min(4*s.batch, maxBatch) // reading on in order
			err = s.fetch(ctx, s.seg, s.buf[len(s.buf)-1], true)
		case s.seg+1 >= len(s.o.segs):
			s.end = true
		case p != nil && s.o.segOf(p) > s.seg+1:
			err = s.fetchAt(ctx, p, strict)
		default:
			err = s.fetch(ctx, s.seg+1, nil, false)
		}
		if err != nil {
			return nil, false, err
		}
	}
	return nil, false, nil
}

// fetchAt reads from position p in its segment.
func (s *prefixStream) fetchAt(ctx context.Context, p []byte, strict bool) error {
	i := s.o.segOf(p)
	if i >= len(s.o.segs) {
		s.end = true
		return nil
	}
	return s.fetch(ctx, i, p, strict)
}

// fetch reads a batch of segment seg from position from (its start when
// nil; after it when strict).
func (s *prefixStream) fetch(ctx context.Context, seg int, from []byte, strict bool) error {
	s.seg, s.buf, s.bi = seg, s.buf[:0], 0
	sg := s.o.segs[seg]
	full := func(suffix []byte) []byte { return append(slices.Clip(s.prefix), suffix...) }
	rg := Range{Prefix: s.prefix, KeysOnly: true, Limit: s.batch, Reverse: s.o.desc}
	if sg.lo != nil {
		rg.Start = full(sg.lo)
	}
	if sg.hi != nil {
		rg.End = full(sg.hi)
	}
	if from != nil {
		k := full(from)
		switch {
		case s.o.desc:
			if !strict {
				k = append(k, 0) // the first key after from: from is included
			}
			if rg.End == nil || bytes.Compare(k, rg.End) < 0 {
				rg.End = k
			}
		case strict:
			if rg.Start == nil || bytes.Compare(k, rg.Start) >= 0 {
				rg.After = k
			}
		default:
			if rg.Start == nil || bytes.Compare(k, rg.Start) > 0 {
				rg.Start = k
			}
		}
	}
	var err error
	if s.facet {
		err = scanFacetList(ctx, s.kv, s.prefix, rg, func(e []byte) error {
			s.buf = append(s.buf, bytes.Clone(e))
			return nil
		})
	} else {
		err = s.kv.Scan(ctx, rg, func(key, _ []byte) error {
			s.buf = append(s.buf, bytes.Clone(key[len(s.prefix):]))
			return nil
		})
	}
	s.segDone = len(s.buf) < s.batch
	return err
}

// count counts the positions of the stream with key-only scans.
func (s *prefixStream) count(ctx context.Context) (int, error) {
	n := 0
	for _, sg := range s.o.segs {
		if s.facet {
			m, err := countFacetList(ctx, s.kv, s.prefix, sg.lo, sg.hi)
			if err != nil {
				return 0, err
			}
			n += m
			continue
		}
		rg := Range{Prefix: s.prefix, KeysOnly: true}
		if sg.lo != nil {
			rg.Start = append(slices.Clip(s.prefix), sg.lo...)
		}
		if sg.hi != nil {
			rg.End = append(slices.Clip(s.prefix), sg.hi...)
		}
		err := s.kv.Scan(ctx, rg, func(k, v []byte) error { n++; return nil })
		if err != nil {
			return 0, err
		}
	}
	return n, nil
}

// unionStream merges streams (the values of one facet filter).
type unionStream struct {
	o     *selOrder
	kids  []selStream
	heads [][]byte
	state []int8 // 0 not read, 1 head valid, 2 ended
}

func newUnionStream(o *selOrder, kids []selStream) *unionStream {
	return &unionStream{o: o, kids: kids, heads: make([][]byte, len(kids)), state: make([]int8, len(kids))}
}

func (u *unionStream) seek(ctx context.Context, p []byte, strict bool) ([]byte, bool, error) {
	var best []byte
	for i, k := range u.kids {
		if u.state[i] == 0 || (u.state[i] == 1 && p != nil && !u.o.reached(u.heads[i], p, strict)) {
			h, ok, err := k.seek(ctx, p, strict)
			if err != nil {
				return nil, false, err
			}
			u.heads[i], u.state[i] = h, 1
			if !ok {
				u.state[i] = 2
			}
		}
		if u.state[i] == 1 && (best == nil || u.o.cmp(u.heads[i], best) < 0) {
			best = u.heads[i]
		}
	}
	return best, best != nil, nil
}

// sliceStream is positions held in memory, in order.
type sliceStream struct {
	o   *selOrder
	ps  [][]byte
	idx int
}

func (s *sliceStream) seek(_ context.Context, p []byte, strict bool) ([]byte, bool, error) {
	if p != nil {
		rest := s.ps[s.idx:]
		s.idx += sort.Search(len(rest), func(i int) bool { return s.o.reached(rest[i], p, strict) })
	}
	if s.idx < len(s.ps) {
		return s.ps[s.idx], true, nil
	}
	return nil, false, nil
}

// selPlan is how a selection is read.
type selPlan struct {
	o       *selOrder
	streams []selStream
	// filter, when set, checks each joined position (the text filter).
	filter func(ctx context.Context, p []byte) (bool, error)
	none   bool // nothing matches
	// counters, when set, count the matches with key-only scans: the
	// positions of these streams add up to the total.
	counters []*prefixStream
}

// next returns the first match at or after p (after p when strict).
func (pl *selPlan) next(ctx context.Context, p []byte, strict bool) ([]byte, bool, error) {
	if pl.none {
		return nil, false, nil
	}
	for {
		x, st := p, strict
		agree := 0
		for i := 0; agree < len(pl.streams); i = (i + 1) % len(pl.streams) {
			y, ok, err := pl.streams[i].seek(ctx, x, st)
			if err != nil || !ok {
				return nil, false, err
			}
			if x != nil && !st && pl.o.cmp(y, x) == 0 {
				agree++
			} else {
				x, st, agree = y, false, 1
			}
		}
		if pl.filter != nil {
			keep, err := pl.filter(ctx, x)
			if err != nil {
				return nil, false, err
			}
			if !keep {
				p, strict = x, true
				continue
			}
		}
		return x, true, nil
	}
}

// plan builds the streams of a valid selection with order o.
func (r *reader) plan(ctx context.Context, s graph.Selection, o *selOrder) (*selPlan, error) {
	pl := &selPlan{o: o}
	if _, _, _, empty := s.ValueBounds(); empty {
		pl.none = true
		return pl, nil
	}
	variant := variantKey
	if o.value {
		variant = variantValue
	}
	multi := false
	for _, f := range s.Facets {
		var vals []string
		for _, v := range f.Values {
			if f.Facet.Reference() {
				c, err := r.canon(ctx, v)
				if err != nil {
					return nil, err
				}
				v = c
			} else {
				v = graph.NormalFacetValue(f.Facet, v)
			}
			if v != "" && len(v) <= graph.MaxFacetValue && !slices.Contains(vals, v) {
				vals = append(vals, v)
			}
		}
		if len(vals) == 0 {
			pl.none = true
			return pl, nil
		}
		slices.Sort(vals)
		kids := make([]selStream, len(vals))
		for i, v := range vals {
			ps := newFacetStream(r.kv, o, facetVariantPrefix(s.Kind, facetCodes[f.Facet], variant, v))
			kids[i] = ps
			if len(s.Facets) == 1 {
				pl.counters = append(pl.counters, ps)
			}
		}
		multi = multi || (f.Facet.MultiValued() && len(vals) > 1)
		if len(kids) == 1 {
			pl.streams = append(pl.streams, kids[0])
		} else {
			pl.streams = append(pl.streams, newUnionStream(o, kids))
		}
	}
	if multi {
		pl.counters = nil
	}
	if s.Text != "" {
		materialised, err := r.planText(ctx, s, pl)
		if err != nil || pl.none {
			return pl, err
		}
		pl.counters = nil
		if materialised && len(pl.streams) > 0 {
			return pl, nil
		}
	}
	if len(pl.streams) == 0 {
		ps := newPrefixStream(r.kv, o, kindListPrefix(s.Kind))
		if o.value {
			ps = newFacetStream(r.kv, o, facetVariantPrefix(s.Kind, facetAll, variantValue, ""))
		}
		pl.streams = append(pl.streams, ps)
		if s.Text == "" {
			pl.counters = []*prefixStream{ps}
		}
	}
	return pl, nil
}

// planText adds the text filter to a plan: a stream of the nodes holding
// every term when the rarest term is rare enough (materialised), and in
// every case a filter that checks each result against its record.
func (r *reader) planText(ctx context.Context, s graph.Selection, pl *selPlan) (materialised bool, err error) {
	terms := graph.TextTerms(s.Text)
	needle := fold.Text(s.Text)
	fields := graph.SelectTextFields(s.Kind)
	limit := textCandidates
	if r.textCap > 0 {
		limit = r.textCap
	}
	// The rarest term.
	rarest, least := "", -1
	for _, t := range terms {
		n := 0
		for _, f := range fields {
			c, err := countPostings(ctx, r.kv, searchTermPrefix(f, t), s.Kind, limit)
			if err != nil {
				return false, err
			}
			n += c
		}
		if n == 0 {
			pl.none = true
			return false, nil
		}
		if least < 0 || n < least {
			rarest, least = t, n
		}
	}
	// has reports whether node id holds term t in one of the fields.
	has := func(id uint64, t string) (bool, error) {
		for _, f := range fields {
			_, ok, err := postingAt(ctx, r.kv, searchTermPrefix(f, t), id)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}
	verify := func(ctx context.Context, key string) (bool, error) {
		n, err := r.Node(ctx, key)
		if errors.Is(err, graph.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return n.NodeKind() == s.Kind && graph.TextMatches(graph.SelectTexts(n), needle, terms, fold.Text), nil
	}
	if least > limit {
		// Common words: filter the join as it goes.
		pl.filter = func(ctx context.Context, p []byte) (bool, error) {
			key := pl.o.key(p)
			id, ok, err := r.id(ctx, key)
			if err != nil || !ok {
				return false, err
			}
			for _, t := range terms {
				if ok, err := has(id, t); err != nil || !ok {
					return false, err
				}
			}
			return verify(ctx, key)
		}
		return false, nil
	}
	// A rare word: the nodes holding every term become a stream.
	var ids []uint64
	for _, f := range fields {
		got, err := listPostings(ctx, r.kv, searchTermPrefix(f, rarest), s.Kind)
		if err != nil {
			return false, err
		}
		ids = append(ids, got...)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var ps [][]byte
	for _, id := range ids {
		all := true
		for _, t := range terms {
			if t == rarest {
				continue
			}
			ok, err := has(id, t)
			if err != nil {
				return false, err
			}
			if all = ok; !all {
				break
			}
		}
		if !all {
			continue
		}
		v, err := r.kv.Get(ctx, searchLenKey(id))
		if err != nil {
			return false, err
		}
		key, err := eachSearchLen(v, nil)
		if err != nil {
			return false, err
		}
		p := []byte(key)
		if pl.o.value {
			cv, err := r.kv.Get(ctx, facetColumnKey(s.Kind, key))
			if err != nil {
				return false, fmt.Errorf("%w: facets of %q: %v", errCorrupt, key, err)
			}
			c, err := decodeFacetCol(cv)
			if err != nil {
				return false, err
			}
			p = c.position(key)
		}
		if pl.o.inRange(p) {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		pl.none = true
		return true, nil
	}
	slices.SortFunc(ps, pl.o.cmp)
	pl.streams = append(pl.streams, &sliceStream{o: pl.o, ps: ps})
	pl.filter = func(ctx context.Context, p []byte) (bool, error) { return verify(ctx, pl.o.key(p)) }
	return true, nil
}

// count counts the matches of a plan: key-only scans when the plan has
// counters, else a walk through every match.
func (pl *selPlan) count(ctx context.Context) (int, error) {
	if pl.none {
		return 0, nil
	}
	if pl.counters != nil {
		n := 0
		for _, c := range pl.counters {
			m, err := c.count(ctx)
			if err != nil {
				return 0, err
			}
			n += m
		}
		return n, nil
	}
	n := 0
	var p []byte
	for {
		x, ok, err := pl.next(ctx, p, true)
		if err != nil || !ok {
			return n, err
		}
		n++
		p = x
	}
}

// Select implements graph.Selector over the facet index (see above).
func (r *reader) Select(ctx context.Context, s graph.Selection) (graph.SelectPage, error) {
	if err := graph.ValidateSelection(s); err != nil {
		return graph.SelectPage{}, err
	}
	o := newSelOrder(s)
	page := graph.SelectPage{Total: -1}
	if s.Count {
		pl, err := r.plan(ctx, s, o)
		if err != nil {
			return graph.SelectPage{}, err
		}
		if page.Total, err = pl.count(ctx); err != nil {
			return graph.SelectPage{}, err
		}
	}
	pl, err := r.plan(ctx, s, o)
	if err != nil {
		return graph.SelectPage{}, err
	}
	var p []byte
	if s.After != "" {
		c, err := graph.ParseSelectCursor(s.After)
		if err != nil {
			return graph.SelectPage{}, fmt.Errorf("%w: selection after: %v", graph.ErrInvalid, err)
		}
		p = o.position(c)
	}
	for {
		x, ok, err := pl.next(ctx, p, p != nil)
		if err != nil {
			return graph.SelectPage{}, err
		}
		if !ok {
			break
		}
		if len(page.Keys) == s.Limit {
			page.More = true
			break
		}
		page.Keys = append(page.Keys, o.key(x))
		page.Cursors = append(page.Cursors, o.cursor(x))
		p = x
	}
	return page, nil
}

// Aggregate implements graph.Selector. Without filters, a grouping by a
// facet is one scan of the blocks of the facet's key-order lists, adding
// up their counts by the value in their keys (the nodes without one are
// the rest of the kind), and a grouping by month one walk of the kind's
// every-node value-order list.
// With filters, it walks every match and reads, for a facet grouping, the
// node's facet column (one Get per match).
func (r *reader) Aggregate(ctx context.Context, s graph.Selection, by graph.Grouping, limit int) ([]graph.Group, error) {
	if err := graph.ValidateAggregate(s, by, limit); err != nil {
		return nil, err
	}
	f, isFacet := by.Facet()
	counts := map[string]int{}
	filtered := len(s.Facets) > 0 || s.Text != "" || s.HasRange()
	switch {
	case !filtered && isFacet:
		// Every block of the facet's key-order lists: its value from
		// the key, its count from the value.
		prefix := []byte{famFacet, byte(s.Kind), facetCodes[f], variantBlock + variantKey}
		sum := 0
		err := r.kv.Scan(ctx, Range{Prefix: prefix}, func(k, bv []byte) error {
			v, ok := unescapeValue(k[len(prefix):])
			if !ok {
				return fmt.Errorf("%w: facet block key %x", errCorrupt, k)
			}
			n, err := facetBlockLen(bv)
			if err != nil {
				return fmt.Errorf("%w (key %x)", err, k)
			}
			counts[v] += n
			sum += n
			return nil
		})
		if err != nil {
			return nil, err
		}
		total, err := liveCount(ctx, r.kv, s.Kind)
		if err != nil {
			return nil, err
		}
		if total > sum {
			counts[""] = total - sum
		}
	case !filtered:
		list := facetVariantPrefix(s.Kind, facetAll, variantValue, "")
		err := scanFacetList(ctx, r.kv, list, Range{}, func(p []byte) error {
			if len(p) > 9 && p[0] == markValue {
				counts[graph.SortValueMonth(binary.BigEndian.Uint64(p[1:9]))]++
			} else {
				counts[""]++
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	default:
		s.Order, s.Desc, s.After = graph.OrderKey, false, ""
		if _, ok := graph.ValueKinds[s.Kind]; ok {
			s.Order = graph.OrderValue
		}
		o := newSelOrder(s)
		pl, err := r.plan(ctx, s, o)
		if err != nil {
			return nil, err
		}
		var p []byte
		for {
			x, ok, err := pl.next(ctx, p, true)
			if err != nil {
				return nil, err
			}
			if !ok {
				break
			}
			p = x
			if !isFacet {
				if x[0] == markValue {
					counts[graph.SortValueMonth(binary.BigEndian.Uint64(x[1:9]))]++
				} else {
					counts[""]++
				}
				continue
			}
			key := o.key(x)
			v, err := r.kv.Get(ctx, facetColumnKey(s.Kind, key))
			if err != nil {
				return nil, fmt.Errorf("%w: facets of %q: %v", errCorrupt, key, err)
			}
			c, err := decodeFacetCol(v)
			if err != nil {
				return nil, err
			}
			vals := c.values(facetCodes[f])
			if len(vals) == 0 {
				counts[""]++
			}
			for _, v := range vals {
				counts[v]++
			}
		}
	}
	gs := make([]graph.Group, 0, len(counts))
	for v, n := range counts {
		gs = append(gs, graph.Group{Value: v, Count: n})
	}
	return graph.SortGroups(gs, limit), nil
}

// unescapeValue reads an escaped value (appendEscaped) from the start of
// b, up to its terminator 00 01.
func unescapeValue(b []byte) (string, bool) {
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] != 0x00 {
			out = append(out, b[i])
			continue
		}
		if i+1 >= len(b) {
			return "", false
		}
		switch b[i+1] {
		case 0x01:
			return string(out), true
		case 0xff:
			out = append(out, 0x00)
			i++
		default:
			return "", false
		}
	}
	return "", false
}
