// Package memgraph is an in-memory graph.Store: maps and sorted slices,
// for tests and small tools, in the manner of hashicorp/raft's InmemStore.
//
// # Snapshots
//
// The store's whole state is an immutable value. Apply builds the next state
// from the current one (shallow copies of its maps, copies of only the
// slices it changes, so a write costs time linear in the number of keys) and
// swaps it in under a writer lock; View reads whichever state was current
// when it began, so a View never sees a write that commits during it and
// never blocks writers.
//
// # History and asOf
//
// Every Apply that changes something is a commit stamped with the store's
// clock (strictly increasing: one nanosecond after the previous commit when
// the clock has not moved on). The store keeps every committed state with
// its commit time, so ViewAt binary-searches the list and reads the state
// exactly as it was; memory grows with the number of commits (each state
// shares its unchanged slices with the previous one but copies the maps),
// which suits tests and small tools. Each state also holds the revisions
// (by key), retractions and merges recorded so far; a merged key resolves
// through a map of merged keys in every read that takes a key, and History
// of a merged key returns its own revisions.
//
// # Records
//
// Nodes are kept as their bundle JSON, so that callers can neither change a
// stored node through a pointer they passed to Apply nor through one a
// Reader returned, and so that "unchanged" means byte-identical JSON.
//
// # Indexes
//
// IndexName holds the names and aliases of people and organisations folded
// as package claimgraph/fold's Name does (see fold.go); IndexURL holds
// sources' URLs as written. IndexSaidAt and IndexPublishedAt hold dates: a date-only
// value ("2026-03-01") is midnight UTC, a month ("2026-03") or year ("2026")
// its first instant, a date-time its instant; values that do not parse are
// not indexed. QuotesMatching scans the quotes' texts, folded as fold.Text
// does, in key order.
//
// # Filtered lists
//
// Select and Aggregate (graph.Selector) are the reference implementation
// (select.go): a scan of the kind's nodes with graph.FacetValues,
// graph.NodeSortValue and graph.TextMatches, then a sort. A reader
// computes each kind's values once and keeps them while it is open.
//
// # Edges
//
// A node's edges are kept per direction, ordered by relation, then the other
// end's key, then the qualifier. An EdgeQuery's After cursor resumes after
// the last edge, in that order, whose other end is the cursor.
package memgraph

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"claimgraph/graph"
)

// Store is an in-memory graph.Store. The zero value is not usable; call New.
type Store struct {
	mu      sync.Mutex // serialises Apply
	state   atomic.Pointer[state]
	commits atomic.Pointer[[]commit] // every committed state, oldest first
	closed  atomic.Bool
	now     func() time.Time
}

// commit is one committed state and its commit time.
type commit struct {
	at time.Time
	st *state
}

var _ graph.Store = (*Store)(nil)

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock that stamps commits (default time.Now).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// New returns an empty store.
func New(opts ...Option) *Store {
	s := &Store{now: time.Now}
	for _, o := range opts {
		o(s)
	}
	s.state.Store(newState())
	s.commits.Store(&[]commit{})
	return s
}

// record is one stored node.
type record struct {
	kind graph.Kind
	data []byte // bundle JSON
}

// linkID identifies a link.
type linkID struct {
	from, to string
	rel      graph.Relation
}

// dated is one entry of a date index.
type dated struct {
	at  time.Time
	key string
}

// state is one immutable version of the graph. Apply clones what it changes.
type state struct {
	nodes  map[string]record
	links  map[linkID]graph.Edge   // a link as its edge, with its retraction
	out    map[string][]graph.Edge // sorted by edgeLess(Out)
	in     map[string][]graph.Edge // sorted by edgeLess(In)
	byKind map[graph.Kind][]string // sorted keys
	names  map[string][]string     // folded name or alias -> sorted keys
	urls   map[string][]string     // url -> sorted keys
	dates  map[graph.Index][]dated // sorted by (at, key)
	folded map[string]string       // quote key -> folded text
	edges  int

	history   map[string][]graph.Revision // by key, merged keys too
	retracted map[string]graph.Retraction // node key -> retraction
	merged    map[string]string           // merged key -> the key it resolves to
}

func newState() *state {
	return &state{
		nodes:  map[string]record{},
		links:  map[linkID]graph.Edge{},
		out:    map[string][]graph.Edge{},
		in:     map[string][]graph.Edge{},
		byKind: map[graph.Kind][]string{},
		names:  map[string][]string{},
		urls:   map[string][]string{},
		dates:  map[graph.Index][]dated{},
		folded: map[string]string{},

		history:   map[string][]graph.Revision{},
		retracted: map[string]graph.Retraction{},
		merged:    map[string]string{},
	}
}

// View calls fn with a snapshot of the current state.
func (s *Store) View(ctx context.Context, fn func(graph.Reader) error) error {
	if s.closed.Load() {
		return graph.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return fn(&reader{st: s.state.Load()})
}

// Close marks the store closed; later Apply and View calls return
// graph.ErrClosed. Readers already handed out keep working.
func (s *Store) Close() error {
	s.closed.Store(true)
	return nil
}

// Apply checks the batch's Expected revisions, validates the batch against
// the current state (graph.Validate, graph.ValidateCuration), prepares it
// (graph.Prepare: span selectors, hashes) and applies it atomically as one
// commit with its revisions. A batch that changes nothing commits nothing.
func (s *Store) Apply(ctx context.Context, b *graph.Batch) (graph.ApplyResult, error) {
	if err := ctx.Err(); err != nil {
		return graph.ApplyResult{}, err
	}
	if s.closed.Load() {
		return graph.ApplyResult{}, graph.ErrClosed
	}
	if b == nil {
		b = &graph.Batch{}
	}
	// Work on copies: Prepare fills fields in place, and the caller keeps
	// its batch.
	bundle := &graph.Bundle{Nodes: make([]graph.Node, len(b.Nodes)), Links: slices.Clone(b.Links)}
	for i, n := range b.Nodes {
		if n == nil || graph.NewNode(n.NodeKind()) == nil {
			return graph.ApplyResult{}, &graph.ValidationError{Problems: []graph.Problem{{
				Place: graph.Place{Section: "nodes", Index: i}, Code: graph.CodeRequired, Message: "nil or unknown node"}}}
		}
		c, err := cloneNode(n)
		if err != nil {
			return graph.ApplyResult{}, err
		}
		bundle.Nodes[i] = c
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return graph.ApplyResult{}, graph.ErrClosed
	}
	cur := s.state.Load()
	rd := &reader{st: cur}
	if err := graph.CheckExpected(ctx, b.Expected, rd); err != nil {
		return graph.ApplyResult{}, err
	}
	if err := validate(ctx, bundle, b, rd); err != nil {
		return graph.ApplyResult{}, err
	}
	if err := graph.Prepare(ctx, bundle, rd); err != nil {
		return graph.ApplyResult{}, err
	}

	commits := *s.commits.Load()
	var last time.Time
	if len(commits) > 0 {
		last = commits[len(commits)-1].at
	}
	at := s.now()
	if !at.After(last) {
		at = last.Add(time.Nanosecond)
	}
	w := newWriter(cur, at, b.By, b.Note)
	res := graph.ApplyResult{ByKind: map[graph.Kind]graph.Counts{}}
	if len(commits) > 0 {
		res.Base = last.UnixNano()
	}
	if err := w.apply(bundle, b, &res); err != nil {
		return graph.ApplyResult{}, err
	}
	if !w.dirty {
		res.Revisions = nil
		res.At = last
		if last.IsZero() {
			res.At = at
		}
		return res, nil
	}
	next := w.finish()
	res.At, res.Rev = at, at.UnixNano()
	commits = append(commits, commit{at: at, st: next})
	s.commits.Store(&commits)
	s.state.Store(next)
	return res, nil
}

// validate runs graph.Validate and graph.ValidateCuration and reports the
// problems of both in one *graph.ValidationError.
func validate(ctx context.Context, b *graph.Bundle, batch *graph.Batch, r graph.Reader) error {
	err := graph.Validate(ctx, b, r)
	var ve *graph.ValidationError
	if err != nil && !errors.As(err, &ve) {
		return err
	}
	cps, err := graph.ValidateCuration(ctx, batch, r)
	if err != nil {
		return err
	}
	if ve == nil && len(cps) == 0 {
		return nil
	}
	var all []graph.Problem
	if ve != nil {
		all = append(all, ve.Problems...)
	}
	return &graph.ValidationError{Problems: append(all, cps...)}
}

// change is what a write did to one record.
type change uint8

const (
	added change = iota
	changed
	unchanged
)

func add(c *graph.Counts, ch change) {
	switch ch {
	case added:
		c.Added++
	case changed:
		c.Changed++
	default:
		c.Unchanged++
	}
}

func cloneNode(n graph.Node) (graph.Node, error) {
	data, err := json.Marshal(n)
	if err != nil {
		return nil, fmt.Errorf("memgraph: encode %s: %w", n.NodeKey(), err)
	}
	return decodeNode(n.NodeKind(), data)
}

func decodeNode(k graph.Kind, data []byte) (graph.Node, error) {
	n := graph.NewNode(k)
	if n == nil {
		return nil, fmt.Errorf("%w: node kind %v", graph.ErrInvalid, k)
	}
	if err := json.Unmarshal(data, n); err != nil {
		return nil, fmt.Errorf("memgraph: decode %v: %w", k, err)
	}
	return n, nil
}

// writer builds the next state from the current one, cloning each map once
// and each slice the first time it changes.
type writer struct {
	st       *state
	at       time.Time
	by, note string
	dirty    bool // something changed

	touched map[any]bool // slices already cloned in this write
	sortOut map[string]bool
	sortIn  map[string]bool
	sortDt  map[graph.Index]bool
}

func newWriter(cur *state, at time.Time, by, note string) *writer {
	st := &state{
		nodes:     maps.Clone(cur.nodes),
		links:     maps.Clone(cur.links),
		out:       maps.Clone(cur.out),
		in:        maps.Clone(cur.in),
		byKind:    maps.Clone(cur.byKind),
		names:     maps.Clone(cur.names),
		urls:      maps.Clone(cur.urls),
		dates:     maps.Clone(cur.dates),
		folded:    maps.Clone(cur.folded),
		edges:     cur.edges,
		history:   maps.Clone(cur.history),
		retracted: maps.Clone(cur.retracted),
		merged:    maps.Clone(cur.merged),
	}
	return &writer{st: st, at: at, by: by, note: note,
		touched: map[any]bool{}, sortOut: map[string]bool{}, sortIn: map[string]bool{}, sortDt: map[graph.Index]bool{}}
}

// own clones m[key] the first time it is written in this write.
func own[K comparable, V any](w *writer, family string, m map[K][]V, key K) []V {
	id := struct {
		f string
		k K
	}{family, key}
	if !w.touched[id] {
		w.touched[id] = true
		m[key] = slices.Clone(m[key])
	}
	return m[key]
}

// canon returns the key that key resolves to.
func (st *state) canon(key string) string {
	if k, ok := st.merged[key]; ok {
		return k
	}
	return key
}

// record stamps a revision with the commit and appends it to the key's
// history and to the result.
func (w *writer) record(res *graph.ApplyResult, rev graph.Revision) {
	rev.Rev, rev.At, rev.By = w.at.UnixNano(), w.at, w.by
	if rev.Note == "" {
		rev.Note = w.note
	}
	w.st.history[rev.Key] = append(own(w, "history", w.st.history, rev.Key), rev)
	res.Revisions = append(res.Revisions, rev)
	w.dirty = true
}

// apply writes a validated and prepared batch.
func (w *writer) apply(b *graph.Bundle, batch *graph.Batch, res *graph.ApplyResult) error {
	// Records under a merged key fold into the node it resolves to: the
	// batch's record of that node, or a copy of the stored one.
	inBatch := map[string]graph.Node{}
	for _, n := range b.Nodes {
		if _, merged := w.st.merged[n.NodeKey()]; !merged {
			inBatch[n.NodeKey()] = n
		}
	}
	extra := map[string]graph.Node{}
	var extraOrder []string
	for _, n := range b.Nodes {
		into, merged := w.st.merged[n.NodeKey()]
		if !merged {
			continue
		}
		target, ok := inBatch[into]
		if !ok {
			if target, ok = extra[into]; !ok {
				rec := w.st.nodes[into]
				stored, err := decodeNode(rec.kind, rec.data)
				if err != nil {
					return err
				}
				target, extra[into] = stored, stored
				extraOrder = append(extraOrder, into)
			}
		}
		ch := unchanged
		if graph.MergeInto(target, n) {
			ch = changed
		}
		w.dropSelfParent(target, nil)
		kc := res.ByKind[n.NodeKind()]
		add(&kc, ch)
		res.ByKind[n.NodeKind()] = kc
		add(&res.Nodes, ch)
	}
	for _, n := range b.Nodes {
		if _, merged := w.st.merged[n.NodeKey()]; merged {
			continue
		}
		c, err := w.putNode(res, n)
		if err != nil {
			return err
		}
		kc := res.ByKind[n.NodeKind()]
		add(&kc, c)
		res.ByKind[n.NodeKind()] = kc
		add(&res.Nodes, c)
	}
	for _, k := range extraOrder {
		if _, err := w.putNode(res, extra[k]); err != nil {
			return err
		}
	}
	// Two links that name one link through a merged key count as one, the
	// first.
	seen := map[linkID]bool{}
	for _, l := range b.Links {
		id := linkID{from: w.st.canon(l.From), to: w.st.canon(l.To), rel: l.Relation}
		if seen[id] {
			add(&res.Links, unchanged)
			continue
		}
		seen[id] = true
		add(&res.Links, w.putLink(res, l))
	}
	for _, u := range batch.Unlinks {
		w.unlink(res, u)
	}
	for _, rt := range batch.Retracts {
		if err := w.retract(res, rt); err != nil {
			return err
		}
	}
	for _, m := range batch.Merges {
		if err := w.merge(res, m); err != nil {
			return err
		}
	}
	return nil
}

// dropSelfParent clears the parent of an organisation that resolves to the
// organisation itself or to a key of set.
func (w *writer) dropSelfParent(n graph.Node, set map[string]bool) {
	if o, ok := n.(*graph.Organisation); ok && o.Parent != "" {
		if p := w.st.canon(o.Parent); p == o.Key || set[p] || set[o.Parent] {
			o.Parent = ""
		}
	}
}

// putNode writes a node, recording a created or updated revision.
func (w *writer) putNode(res *graph.ApplyResult, n graph.Node) (change, error) {
	before, after, c, err := w.writeNode(n)
	switch c {
	case added:
		w.record(res, graph.Revision{Change: graph.ChangeCreated, Key: n.NodeKey(), After: after})
	case changed:
		w.record(res, graph.Revision{Change: graph.ChangeUpdated, Key: n.NodeKey(), Before: before, After: after})
	}
	return c, err
}

// writeNode writes a node and returns its JSON before and after.
func (w *writer) writeNode(n graph.Node) (before, after json.RawMessage, _ change, _ error) {
	key, kind := n.NodeKey(), n.NodeKind()
	data, err := json.Marshal(n)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("memgraph: encode %s: %w", key, err)
	}
	old, exists := w.st.nodes[key]
	if exists && old.kind == kind && string(old.data) == string(data) {
		return old.data, old.data, unchanged, nil
	}
	w.dirty = true
	if exists {
		oldNode, err := decodeNode(old.kind, old.data)
		if err != nil {
			return nil, nil, 0, err
		}
		w.unindex(oldNode)
		for _, e := range slices.Clone(w.st.out[key]) {
			if !e.Relation.IsLink() {
				w.removeEdge(e)
			}
		}
		if old.kind != kind {
			w.st.byKind[old.kind] = slices.DeleteFunc(own(w, "kind", w.st.byKind, old.kind), func(k string) bool { return k == key })
		}
	}
	if !exists || old.kind != kind {
		keys := own(w, "kind", w.st.byKind, kind)
		i, _ := slices.BinarySearch(keys, key)
		w.st.byKind[kind] = slices.Insert(keys, i, key)
	}
	w.st.nodes[key] = record{kind: kind, data: data}
	seen := map[[2]string]bool{}
	for _, r := range n.Refs() {
		to := w.st.canon(r.To)
		id := [2]string{string(r.Relation), to}
		if to == key || seen[id] {
			continue // a merged key resolving to the node itself, or a second reference to one target
		}
		seen[id] = true
		w.addEdge(graph.Edge{From: key, To: to, Relation: r.Relation, Qualifier: r.Qualifier})
	}
	w.index(n)
	if exists {
		return old.data, data, changed, nil
	}
	return nil, data, added, nil
}

// putLink writes a link. A link that leaves By or At empty is compared with
// the stored one's, and when new or changed gets the batch's By and the
// commit time; a stored retraction is kept.
func (w *writer) putLink(res *graph.ApplyResult, l graph.Link) change {
	l.From, l.To = w.st.canon(l.From), w.st.canon(l.To)
	if l.From == l.To {
		return unchanged // both ends were merged into one node
	}
	id := linkID{from: l.From, to: l.To, rel: l.Relation}
	old, exists := w.st.links[id]
	if exists {
		eff := l
		if eff.By == "" {
			eff.By = old.By
		}
		if eff.At == "" {
			eff.At = old.At
		}
		if eff.Reason == old.Reason && eff.Note == old.Note && eff.By == old.By && eff.At == old.At {
			return unchanged
		}
	}
	if l.By == "" {
		l.By = w.by
	}
	if l.At == "" {
		l.At = graph.FormatLinkTime(w.at)
	}
	e := linkEdge(l)
	if exists {
		w.removeEdge(old)
		e.Retracted = old.Retracted
	}
	w.st.links[id] = e
	w.addEdge(e)
	if exists {
		w.record(res, graph.Revision{Change: graph.ChangeUpdated, Key: l.From, Link: &l, Before: linkJSON(old.Link()), After: linkJSON(l)})
		return changed
	}
	lj := linkJSON(l)
	w.record(res, graph.Revision{Change: graph.ChangeLinked, Key: l.From, Link: &l, After: lj})
	w.record(res, graph.Revision{Change: graph.ChangeLinked, Key: l.To, Link: &l, After: lj})
	return added
}

func linkJSON(l graph.Link) json.RawMessage {
	b, err := json.Marshal(l)
	if err != nil {
		return nil
	}
	return b
}

// unlink removes a validated link.
func (w *writer) unlink(res *graph.ApplyResult, u graph.LinkID) {
	id := linkID{from: w.st.canon(u.From), to: w.st.canon(u.To), rel: u.Relation}
	old, ok := w.st.links[id]
	if !ok {
		return
	}
	delete(w.st.links, id)
	w.removeEdge(old)
	l := old.Link()
	lj := linkJSON(l)
	w.record(res, graph.Revision{Change: graph.ChangeUnlinked, Key: l.From, Link: &l, Before: lj})
	w.record(res, graph.Revision{Change: graph.ChangeUnlinked, Key: l.To, Link: &l, Before: lj})
}

// retract marks a node or a link retracted; retracting twice does nothing.
func (w *writer) retract(res *graph.ApplyResult, rq graph.Retract) error {
	rt := graph.Retraction{At: w.at, By: w.by, Reason: rq.Reason}
	note := w.note
	if note == "" {
		note = rq.Reason
	}
	if rq.Link != nil {
		id := linkID{from: w.st.canon(rq.Link.From), to: w.st.canon(rq.Link.To), rel: rq.Link.Relation}
		old, ok := w.st.links[id]
		if !ok || old.Retracted != nil {
			return nil
		}
		w.removeEdge(old)
		e := old
		e.Retracted = &rt
		w.st.links[id] = e
		w.addEdge(e)
		l := old.Link()
		lj := linkJSON(l)
		after := graph.WithRetracted(lj, rt)
		w.record(res, graph.Revision{Change: graph.ChangeRetracted, Key: l.From, Note: note, Link: &l, Before: lj, After: after})
		w.record(res, graph.Revision{Change: graph.ChangeRetracted, Key: l.To, Note: note, Link: &l, Before: lj, After: after})
		return nil
	}
	key := w.st.canon(rq.Key)
	rec, ok := w.st.nodes[key]
	if !ok {
		return fmt.Errorf("%w: retraction of %q, which is not stored", graph.ErrInvalid, rq.Key)
	}
	if _, done := w.st.retracted[key]; done {
		return nil
	}
	w.st.retracted[key] = rt
	w.record(res, graph.Revision{Change: graph.ChangeRetracted, Key: key, Note: note, Before: rec.data, After: graph.WithRetracted(rec.data, rt)})
	return nil
}

// merge folds m.Keys into m.Into (see graph.Merge).
func (w *writer) merge(res *graph.ApplyResult, m graph.Merge) error {
	rec := w.st.nodes[m.Into]
	into, err := decodeNode(rec.kind, rec.data)
	if err != nil {
		return err
	}
	set := map[string]bool{m.Into: true}
	dups := make([]graph.Node, len(m.Keys))
	for i, k := range m.Keys {
		r, ok := w.st.nodes[k]
		if !ok {
			return fmt.Errorf("%w: merge of %q, which is not stored", graph.ErrInvalid, k)
		}
		if dups[i], err = decodeNode(r.kind, r.data); err != nil {
			return err
		}
		set[k] = true
	}
	for _, d := range dups {
		graph.MergeInto(into, d)
	}
	w.dropSelfParent(into, set)
	before, after, _, err := w.writeNode(into)
	if err != nil {
		return err
	}
	w.dirty = true
	for i, k := range m.Keys {
		for _, e := range slices.Clone(w.st.out[k]) {
			w.removeEdge(e)
			if !e.Relation.IsLink() {
				continue // into's record holds what it took over
			}
			delete(w.st.links, linkID{from: e.From, to: e.To, rel: e.Relation})
			if set[e.To] || w.hasEdge(m.Into, e.Relation, e.To) {
				continue
			}
			e.From = m.Into
			w.st.links[linkID{from: e.From, to: e.To, rel: e.Relation}] = e
			w.addEdge(e)
		}
		for _, e := range slices.Clone(w.st.in[k]) {
			w.removeEdge(e)
			if e.Relation.IsLink() {
				delete(w.st.links, linkID{from: e.From, to: e.To, rel: e.Relation})
			}
			if set[e.From] || w.hasEdge(e.From, e.Relation, m.Into) {
				continue
			}
			e.To = m.Into
			if e.Relation.IsLink() {
				w.st.links[linkID{from: e.From, to: e.To, rel: e.Relation}] = e
			}
			w.addEdge(e)
		}
		d := dups[i]
		w.unindex(d)
		delete(w.st.nodes, k)
		w.st.byKind[d.NodeKind()] = slices.DeleteFunc(own(w, "kind", w.st.byKind, d.NodeKind()), func(x string) bool { return x == k })
		for z, to := range w.st.merged {
			if to == k {
				w.st.merged[z] = m.Into
			}
		}
		w.st.merged[k] = m.Into
		dj, err := json.Marshal(d)
		if err != nil {
			return err
		}
		w.record(res, graph.Revision{Change: graph.ChangeMerged, Key: k, Before: dj, After: after})
	}
	w.record(res, graph.Revision{Change: graph.ChangeMerged, Key: m.Into, Before: before, After: after})
	return nil
}

// hasEdge reports whether the node from has an edge of the relation to.
func (w *writer) hasEdge(from string, rel graph.Relation, to string) bool {
	return slices.ContainsFunc(w.st.out[from], func(e graph.Edge) bool { return e.Relation == rel && e.To == to })
}

func linkEdge(l graph.Link) graph.Edge {
	return graph.Edge{From: l.From, To: l.To, Relation: l.Relation, Reason: l.Reason, Note: l.Note, By: l.By, At: l.At}
}

func (w *writer) addEdge(e graph.Edge) {
	w.st.out[e.From] = append(own(w, "out", w.st.out, e.From), e)
	w.st.in[e.To] = append(own(w, "in", w.st.in, e.To), e)
	w.sortOut[e.From] = true
	w.sortIn[e.To] = true
	w.st.edges++
	w.dirty = true
}

// removeEdge removes the edge of e's relation between e's ends (there is
// at most one) from both directions.
func (w *writer) removeEdge(e graph.Edge) {
	same := func(x graph.Edge) bool { return x.From == e.From && x.To == e.To && x.Relation == e.Relation }
	out := own(w, "out", w.st.out, e.From)
	if i := slices.IndexFunc(out, same); i >= 0 {
		w.st.out[e.From] = slices.Delete(out, i, i+1)
		w.st.edges--
		w.sortOut[e.From] = true
	}
	in := own(w, "in", w.st.in, e.To)
	if i := slices.IndexFunc(in, same); i >= 0 {
		w.st.in[e.To] = slices.Delete(in, i, i+1)
		w.sortIn[e.To] = true
	}
	w.dirty = true
}

// finish sorts the edge lists the write touched and returns the new state.
func (w *writer) finish() *state {
	for k := range w.sortOut {
		if es := w.st.out[k]; len(es) == 0 {
			delete(w.st.out, k)
		} else {
			slices.SortStableFunc(es, edgeCmp(graph.Out))
		}
	}
	for k := range w.sortIn {
		if es := w.st.in[k]; len(es) == 0 {
			delete(w.st.in, k)
		} else {
			slices.SortStableFunc(es, edgeCmp(graph.In))
		}
	}
	for idx := range w.sortDt {
		slices.SortFunc(w.st.dates[idx], datedCmp)
	}
	return w.st
}

func edgeCmp(dir graph.Direction) func(a, b graph.Edge) int {
	return func(a, b graph.Edge) int {
		return cmp.Or(cmp.Compare(a.Relation, b.Relation), cmp.Compare(other(a, dir), other(b, dir)), cmp.Compare(a.Qualifier, b.Qualifier))
	}
}

func datedCmp(a, b dated) int {
	return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.key, b.key))
}

func other(e graph.Edge, dir graph.Direction) string {
	if dir == graph.Out {
		return e.To
	}
	return e.From
}

// indexValues lists the index entries of a node.
func indexValues(n graph.Node) (names, urls []string, dates map[graph.Index]string, folded string) {
	switch n := n.(type) {
	case *graph.Person:
		names = foldedNames(n.Name, n.Aliases)
	case *graph.Organisation:
		names = foldedNames(n.Name, n.Aliases)
	case *graph.Source:
		if n.URL != "" {
			urls = []string{n.URL}
		}
		if n.PublishedAt != "" {
			dates = map[graph.Index]string{graph.IndexPublishedAt: n.PublishedAt}
		}
	case *graph.Quote:
		if n.SaidAt != "" {
			dates = map[graph.Index]string{graph.IndexSaidAt: n.SaidAt}
		}
		folded = foldText(n.Text)
	}
	return names, urls, dates, folded
}

func foldedNames(name string, aliases []string) []string {
	var out []string
	for _, s := range append([]string{name}, aliases...) {
		if f := foldName(s); f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func (w *writer) index(n graph.Node) {
	key := n.NodeKey()
	names, urls, dates, folded := indexValues(n)
	for _, v := range names {
		w.addKey("name", w.st.names, v, key)
	}
	for _, v := range urls {
		w.addKey("url", w.st.urls, v, key)
	}
	for idx, v := range dates {
		if at, ok := ParseDate(v); ok {
			w.st.dates[idx] = append(ownDates(w, idx), dated{at: at, key: key})
		}
	}
	if n.NodeKind() == graph.KindQuote {
		w.st.folded[key] = folded
	}
}

func (w *writer) unindex(n graph.Node) {
	key := n.NodeKey()
	names, urls, dates, _ := indexValues(n)
	for _, v := range names {
		w.removeKey("name", w.st.names, v, key)
	}
	for _, v := range urls {
		w.removeKey("url", w.st.urls, v, key)
	}
	for idx := range dates {
		w.st.dates[idx] = slices.DeleteFunc(ownDates(w, idx), func(d dated) bool { return d.key == key })
	}
	delete(w.st.folded, key)
}

func ownDates(w *writer, idx graph.Index) []dated {
	w.sortDt[idx] = true
	return own(w, "date", w.st.dates, idx)
}

func (w *writer) addKey(family string, m map[string][]string, v, key string) {
	keys := own(w, family, m, v)
	if i, found := slices.BinarySearch(keys, key); !found {
		m[v] = slices.Insert(keys, i, key)
	}
}

func (w *writer) removeKey(family string, m map[string][]string, v, key string) {
	keys := own(w, family, m, v)
	if i, found := slices.BinarySearch(keys, key); found {
		keys = slices.Delete(keys, i, i+1)
	}
	if len(keys) == 0 {
		delete(m, v)
	} else {
		m[v] = keys
	}
}

// ParseDate reads a bundle date: an RFC 3339 date-time, or a date, month or
// year taken as its first instant in UTC.
func ParseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly, "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
