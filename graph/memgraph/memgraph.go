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
	mu     sync.Mutex // serialises Apply
	state  atomic.Pointer[state]
	closed atomic.Bool
	now    func() time.Time
}

var _ graph.Store = (*Store)(nil)

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock that stamps ApplyResult.At (default time.Now).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// New returns an empty store.
func New(opts ...Option) *Store {
	s := &Store{now: time.Now}
	for _, o := range opts {
		o(s)
	}
	s.state.Store(newState())
	return s
}

// record is one stored node.
type record struct {
	kind graph.Kind
	data []byte // bundle JSON
	refs []graph.Ref
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
	links  map[linkID]graph.Link
	out    map[string][]graph.Edge // sorted by edgeLess(Out)
	in     map[string][]graph.Edge // sorted by edgeLess(In)
	byKind map[graph.Kind][]string // sorted keys
	names  map[string][]string     // folded name or alias -> sorted keys
	urls   map[string][]string     // url -> sorted keys
	dates  map[graph.Index][]dated // sorted by (at, key)
	folded map[string]string       // quote key -> folded text
	edges  int
}

func newState() *state {
	return &state{
		nodes:  map[string]record{},
		links:  map[linkID]graph.Link{},
		out:    map[string][]graph.Edge{},
		in:     map[string][]graph.Edge{},
		byKind: map[graph.Kind][]string{},
		names:  map[string][]string{},
		urls:   map[string][]string{},
		dates:  map[graph.Index][]dated{},
		folded: map[string]string{},
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

// Apply validates the batch against the current state (graph.Validate),
// prepares it (graph.Prepare: span selectors, hashes) and applies it
// atomically.
func (s *Store) Apply(ctx context.Context, b *graph.Batch) (graph.ApplyResult, error) {
	if err := ctx.Err(); err != nil {
		return graph.ApplyResult{}, err
	}
	if s.closed.Load() {
		return graph.ApplyResult{}, graph.ErrClosed
	}
	// Work on copies: Prepare fills fields in place, and the caller keeps
	// its batch.
	bundle := &graph.Bundle{Nodes: make([]graph.Node, len(b.Nodes)), Links: slices.Clone(b.Links)}
	for i, n := range b.Nodes {
		if n == nil {
			return graph.ApplyResult{}, &graph.ValidationError{Problems: []graph.Problem{{
				Place: graph.Place{Section: "nodes", Index: i}, Code: graph.CodeRequired, Message: "nil node"}}}
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
	if err := graph.Validate(ctx, bundle, &reader{st: cur}); err != nil {
		return graph.ApplyResult{}, err
	}
	if err := graph.Prepare(ctx, bundle, &reader{st: cur}); err != nil {
		return graph.ApplyResult{}, err
	}

	w := newWriter(cur)
	res := graph.ApplyResult{ByKind: map[graph.Kind]graph.Counts{}}
	for _, n := range bundle.Nodes {
		c, err := w.putNode(n)
		if err != nil {
			return graph.ApplyResult{}, err
		}
		kc := res.ByKind[n.NodeKind()]
		add(&kc, c)
		res.ByKind[n.NodeKind()] = kc
		add(&res.Nodes, c)
	}
	for _, l := range bundle.Links {
		add(&res.Links, w.putLink(l))
	}
	next := w.finish()
	res.At = s.now()
	s.state.Store(next)
	return res, nil
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
	st      *state
	touched map[any]bool // slices already cloned in this write
	sortOut map[string]bool
	sortIn  map[string]bool
	sortDt  map[graph.Index]bool
}

func newWriter(cur *state) *writer {
	st := &state{
		nodes:  maps.Clone(cur.nodes),
		links:  maps.Clone(cur.links),
		out:    maps.Clone(cur.out),
		in:     maps.Clone(cur.in),
		byKind: maps.Clone(cur.byKind),
		names:  maps.Clone(cur.names),
		urls:   maps.Clone(cur.urls),
		dates:  maps.Clone(cur.dates),
		folded: maps.Clone(cur.folded),
		edges:  cur.edges,
	}
	return &writer{st: st, touched: map[any]bool{}, sortOut: map[string]bool{}, sortIn: map[string]bool{}, sortDt: map[graph.Index]bool{}}
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

func (w *writer) putNode(n graph.Node) (change, error) {
	key, kind := n.NodeKey(), n.NodeKind()
	data, err := json.Marshal(n)
	if err != nil {
		return 0, fmt.Errorf("memgraph: encode %s: %w", key, err)
	}
	old, exists := w.st.nodes[key]
	if exists && old.kind == kind && string(old.data) == string(data) {
		return unchanged, nil
	}
	if exists {
		oldNode, err := decodeNode(old.kind, old.data)
		if err != nil {
			return 0, err
		}
		w.unindex(oldNode)
		for _, r := range old.refs {
			w.removeEdge(graph.Edge{From: key, To: r.To, Relation: r.Relation, Qualifier: r.Qualifier})
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
	refs := n.Refs()
	w.st.nodes[key] = record{kind: kind, data: data, refs: refs}
	for _, r := range refs {
		w.addEdge(graph.Edge{From: key, To: r.To, Relation: r.Relation, Qualifier: r.Qualifier})
	}
	w.index(n)
	if exists {
		return changed, nil
	}
	return added, nil
}

func (w *writer) putLink(l graph.Link) change {
	id := linkID{from: l.From, to: l.To, rel: l.Relation}
	old, exists := w.st.links[id]
	if exists && old == l {
		return unchanged
	}
	if exists {
		w.removeEdge(linkEdge(old))
	}
	w.st.links[id] = l
	w.addEdge(linkEdge(l))
	if exists {
		return changed
	}
	return added
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
}

// removeEdge removes one edge equal to e from both directions.
func (w *writer) removeEdge(e graph.Edge) {
	out := own(w, "out", w.st.out, e.From)
	if i := slices.Index(out, e); i >= 0 {
		w.st.out[e.From] = slices.Delete(out, i, i+1)
		w.st.edges--
	}
	in := own(w, "in", w.st.in, e.To)
	if i := slices.Index(in, e); i >= 0 {
		w.st.in[e.To] = slices.Delete(in, i, i+1)
	}
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
