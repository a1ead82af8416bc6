package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"claimgraph/graph"
	"claimgraph/graph/graphtest"
)

// openKV opens an in-memory engine with the read cache budget given.
func openKV(t *testing.T, cache int64) *Badger {
	t.Helper()
	b, err := OpenBadger(t.Context(), Options{InMemory: true, ReadCacheSize: cache})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func put(t *testing.T, b *Badger, kvs ...string) uint64 {
	t.Helper()
	ts, err := b.Update(t.Context(), func(tx Txn) error {
		for i := 0; i+1 < len(kvs); i += 2 {
			if kvs[i+1] == "-" {
				if err := tx.Delete([]byte(kvs[i])); err != nil {
					return err
				}
				continue
			}
			if err := tx.Set([]byte(kvs[i]), []byte(kvs[i+1])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// dump returns what a scan of the range passes to its callback, stopping
// after stopAfter keys when it is positive (ErrStopScan).
func dump(t *testing.T, r KVReader, rg Range, stopAfter int) string {
	t.Helper()
	var out bytes.Buffer
	n := 0
	err := r.Scan(t.Context(), rg, func(k, v []byte) error {
		fmt.Fprintf(&out, "%s=%s ", k, v)
		if n++; stopAfter > 0 && n >= stopAfter {
			return ErrStopScan
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func getString(t *testing.T, r KVReader, key string) string {
	t.Helper()
	v, err := r.Get(t.Context(), []byte(key))
	if errors.Is(err, ErrKeyNotFound) {
		return "<none>"
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(v)
}

func snapshot(t *testing.T, b *Badger, ts uint64) *badgerSnapshot {
	t.Helper()
	s, err := b.Snapshot(t.Context(), ts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s.(*badgerSnapshot)
}

// TestReadCacheAnswersAsEngine asks the same scans and reads of an engine
// with the read cache and of one without, twice (the second time from the
// cache), and checks that the cache held them.
func TestReadCacheAnswersAsEngine(t *testing.T) {
	cached, plain := openKV(t, 0), openKV(t, -1)
	data := []string{"a1", "x", "a2", "", "a3", "z", "b1", "y", "b2", "w", "c", "v"}
	put(t, cached, data...)
	put(t, plain, data...)
	tests := []struct {
		name string
		rg   Range
		stop int
	}{
		{"prefix", Range{Prefix: []byte("a")}, 0},
		{"keys only", Range{Prefix: []byte("a"), KeysOnly: true}, 0},
		{"limit", Range{Prefix: []byte("a"), Limit: 2}, 0},
		{"after", Range{Prefix: []byte("a"), After: []byte("a1")}, 0},
		{"start and end", Range{Start: []byte("a2"), End: []byte("b2")}, 0},
		{"everything", Range{}, 0},
		{"stopped early", Range{Prefix: []byte("b")}, 1},
		{"empty", Range{Prefix: []byte("d")}, 0},
		{"reverse", Range{Prefix: []byte("a"), Reverse: true}, 0},
	}
	sc, sp := snapshot(t, cached, 0), snapshot(t, plain, 0)
	if sc.cache == nil || sp.cache != nil {
		t.Fatalf("cache of the snapshots: %p with a budget, %p without", sc.cache, sp.cache)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := dump(t, sp, tt.rg, tt.stop)
			for pass := range 2 {
				if got := dump(t, sc, tt.rg, tt.stop); got != want {
					t.Errorf("pass %d: cached scan %q, engine %q", pass, got, want)
				}
			}
			start, excl := tt.rg.startKey()
			if bytes.Compare(start, firstUserKey) < 0 {
				start, excl = firstUserKey, false
			}
			held := sc.cache.scan(appendScanKey(nil, tt.rg, start, excl)) != nil
			if wantHeld := tt.stop == 0 && !tt.rg.Reverse; held != wantHeld {
				t.Errorf("scan held by the cache: %v, want %v", held, wantHeld)
			}
		})
	}
	for _, k := range []string{"a1", "a2", "zz", "c"} {
		want := getString(t, sp, k)
		for pass := range 2 {
			if got := getString(t, sc, k); got != want {
				t.Errorf("pass %d: cached Get(%s) = %q, engine %q", pass, k, got, want)
			}
		}
		if _, ok := sc.cache.get([]byte(k)); !ok {
			t.Errorf("Get(%s) not held by the cache", k)
		}
	}
	// A value returned by Get is the caller's: changing it leaves the
	// cache alone.
	v, err := sc.Get(t.Context(), []byte("a1"))
	if err != nil {
		t.Fatal(err)
	}
	v[0] = 'Q'
	if got := getString(t, sc, "a1"); got != "x" {
		t.Errorf("Get(a1) after the caller changed a returned value = %q, want x", got)
	}
}

// TestReadCacheCommits checks that a commit is seen by the next snapshot,
// that a snapshot opened before keeps its state, and that snapshots at a
// past instant (asOf) do not use the cache.
func TestReadCacheCommits(t *testing.T) {
	b := openKV(t, 0)
	first := put(t, b, "k1", "one", "k2", "two")
	before := snapshot(t, b, 0)
	if got := dump(t, before, Range{Prefix: []byte("k")}, 0) + getString(t, before, "k3"); got != "k1=one k2=two <none>" {
		t.Fatalf("before: %q", got)
	}
	put(t, b, "k1", "uno", "k2", "-", "k3", "three")
	after := snapshot(t, b, 0)
	if after.cache == nil || after.cache == before.cache {
		t.Fatalf("the snapshot after a commit has cache %p, the one before %p: want a new one", after.cache, before.cache)
	}
	if got := dump(t, after, Range{Prefix: []byte("k")}, 0) + getString(t, after, "k3") + getString(t, after, "k2"); got != "k1=uno k3=three three<none>" {
		t.Errorf("after the commit: %q", got)
	}
	if got := dump(t, before, Range{Prefix: []byte("k")}, 0) + getString(t, before, "k3"); got != "k1=one k2=two <none>" {
		t.Errorf("the snapshot opened before the commit: %q", got)
	}
	past := snapshot(t, b, first)
	if past.cache != nil {
		t.Errorf("a snapshot at a past commit (asOf) has a read cache")
	}
	if got := getString(t, past, "k1"); got != "one" {
		t.Errorf("asOf Get(k1) = %q, want one", got)
	}
	if b.cacheFor(first) != nil {
		t.Errorf("cacheFor an older commit than the cache's returned a cache")
	}
}

// TestReadCacheGenerations fills a small cache: entries read again survive
// the turn of generations, the others go.
func TestReadCacheGenerations(t *testing.T) {
	c := newReadCache(1, 2*(10*(entryOverhead+8)))
	c.putGet([]byte("hot"), []byte("v"))
	for i := range 25 {
		c.putGet(fmt.Appendf(nil, "cold%03d", i), []byte("v"))
		if _, ok := c.get([]byte("hot")); !ok {
			t.Fatalf("the entry read after every put left the cache after %d puts", i+1)
		}
	}
	if _, ok := c.get([]byte("cold000")); ok {
		t.Errorf("the first entry, never read again, is still cached after two generations")
	}
	if _, ok := c.get([]byte("cold024")); !ok {
		t.Errorf("the last entry is not cached")
	}
	cs := &cachedScan{kvs: [][]byte{[]byte("k"), []byte("v")}}
	c.putScan("s", cs)
	if c.scan([]byte("s")) != cs {
		t.Errorf("scan not cached")
	}
}

// TestSnapshotIterators runs scans inside the callback of another scan and
// from several goroutines on one snapshot: each gets its own iterator, and
// the snapshot keeps a few for later scans.
func TestSnapshotIterators(t *testing.T) {
	b := openKV(t, -1) // no read cache: every scan uses an iterator
	var kvs []string
	for i := range 50 {
		kvs = append(kvs, fmt.Sprintf("p%02d", i), fmt.Sprint(i))
	}
	put(t, b, kvs...)
	s := snapshot(t, b, 0)
	ctx := context.Background()
	want := dump(t, s, Range{Prefix: []byte("p")}, 0)
	var inner []string
	err := s.Scan(ctx, Range{Prefix: []byte("p0")}, func(k, _ []byte) error {
		inner = append(inner, dump(t, s, Range{Start: k, End: append(bytes.Clone(k), 0)}, 0))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(inner) != 10 || inner[3] != "p03=3 " {
		t.Errorf("nested scans: %q", inner)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				var out bytes.Buffer
				s.Scan(ctx, Range{Prefix: []byte("p")}, func(k, v []byte) error {
					fmt.Fprintf(&out, "%s=%s ", k, v)
					return nil
				})
				if out.String() != want {
					errs <- out.String()
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent scan: %q, want %q", e, want)
	}
	s.iters.mu.Lock()
	idle := len(s.iters.idle)
	s.iters.mu.Unlock()
	if idle == 0 || idle > maxIdleIters {
		t.Errorf("%d idle iterators after the scans, want 1 to %d", idle, maxIdleIters)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if !s.iters.closed || len(s.iters.idle) != 0 {
		t.Errorf("Close left %d idle iterators", len(s.iters.idle))
	}
}

// TestCloneNode copies every node of the sample bundle (every kind, with
// aliases, ids, affiliations, spans, derivations, value ranges) and a node
// of every kind with every field set (so that a field added to a kind and
// not copied fails here): the copy is equal, equal to the reflective copy,
// and shares nothing that can be changed.
func TestCloneNode(t *testing.T) {
	nodes := graphtest.SampleBatch().Nodes
	nodes = append(nodes, &graph.Person{Key: "p-rich", Name: "Rich", Aliases: []string{"R"}, IDs: map[string]string{"wikidata": "Q1"},
		Affiliations: []graph.Affiliation{{Organisation: "o-x", Role: "chair"}}})
	for _, n := range []graph.Node{&graph.Person{}, &graph.Organisation{}, &graph.Source{}, &graph.Quote{}, &graph.Claim{}, &graph.Figure{}} {
		fill(reflect.ValueOf(n).Elem())
		nodes = append(nodes, n)
		// Empty but not nil slices and maps stay so.
		e := reflect.New(reflect.TypeOf(n).Elem())
		for i := range e.Elem().NumField() {
			switch f := e.Elem().Field(i); f.Kind() {
			case reflect.Slice:
				f.Set(reflect.MakeSlice(f.Type(), 0, 1))
			case reflect.Map:
				f.Set(reflect.MakeMap(f.Type()))
			}
		}
		nodes = append(nodes, e.Interface().(graph.Node))
	}
	for _, n := range nodes {
		c := cloneNode(n)
		if !reflect.DeepEqual(c, n) {
			t.Errorf("clone of %T %s differs: %+v", n, n.NodeKey(), c)
			continue
		}
		if r := deepCopy(reflect.ValueOf(n)).Interface(); !reflect.DeepEqual(c, r) {
			t.Errorf("clone of %T %s differs from the reflective copy: %+v", n, n.NodeKey(), r)
		}
		before, _ := json.Marshal(n)
		scribble(reflect.ValueOf(c))
		if after, _ := json.Marshal(n); !bytes.Equal(before, after) {
			t.Errorf("changing the clone of %s changed it:\n%s\n%s", n.NodeKey(), before, after)
		}
	}
}

// fill sets every field reachable from v: strings, numbers and bools to a
// value, slices to two filled elements, maps to one entry, pointers to a
// filled value.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i))
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i))
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k)
		fill(e)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.String:
		v.SetString("filled")
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(7)
	case reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Bool:
		v.SetBool(true)
	}
}

// scribble changes every string, number and bool reachable from v in place.
func scribble(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			scribble(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			scribble(v.Field(i))
		}
	case reflect.Slice:
		for i := range v.Len() {
			scribble(v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			v.SetMapIndex(k, reflect.ValueOf("changed"))
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString("changed")
		}
	case reflect.Float64:
		if v.CanSet() {
			v.SetFloat(-1)
		}
	}
}

// TestCachedNodesAreCopies reads a node twice in one snapshot and once in
// another: changing what a read returned changes neither later reads nor
// the record.
func TestCachedNodesAreCopies(t *testing.T) {
	s := testOpen(t, Options{InMemory: true})
	if _, err := s.Apply(t.Context(), graphtest.SampleBatch()); err != nil {
		t.Fatal(err)
	}
	read := func() *graph.Quote {
		var q *graph.Quote
		err := s.View(t.Context(), func(r graph.Reader) error {
			n, err := r.Node(t.Context(), "q-post")
			q, _ = n.(*graph.Quote)
			return err
		})
		if err != nil || q == nil {
			t.Fatalf("Node(q-post) = %v, %v", q, err)
		}
		return q
	}
	first := read()
	want, _ := json.Marshal(first)
	first.Text, first.Claims[0] = "changed", "changed"
	for i := range 2 {
		got, _ := json.Marshal(read())
		if !bytes.Equal(got, want) {
			t.Errorf("read %d after changing the first read: %s, want %s", i+2, got, want)
		}
	}
	if c := latestCache(t, s); c == nil || len(c.young.nodes) == 0 {
		t.Errorf("the read cache holds no decoded node after the reads")
	}
}

// latestCache returns the read cache of the store's latest commit (nil
// when it is off).
func latestCache(t *testing.T, s *Store) *readCache {
	t.Helper()
	snap, err := engine(s).Snapshot(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	return snap.(*badgerSnapshot).cache
}

// stamp replaces the times of edges and retractions in JSON with "T".
func stamp(s string) string { return stampRE.ReplaceAllString(s, `"$1":"T"`) }

var stampRE = regexp.MustCompile(`"(At|at)":"[^"]*"`)

// TestCachedEdges checks the read cache's answers of edge queries: the same
// as the engine's (a store with the cache off), copies that a caller may
// change, and gone with the commit that changes them.
func TestCachedEdges(t *testing.T) {
	cached := testOpen(t, Options{InMemory: true})
	plain := testOpen(t, Options{InMemory: true, ReadCacheSize: -1})
	link := graph.Link{From: "f-incidents-cited", To: "c-ferry-safe", Relation: graph.RelSupports, Note: "cited"}
	lid := graph.LinkID{From: link.From, Relation: link.Relation, To: link.To}
	batches := []*graph.Batch{
		graphtest.SampleBatch(),
		{By: "test", Links: []graph.Link{link}},
		{By: "curator", Retracts: []graph.Retract{{Link: &lid, Reason: "wrong"}}},
	}
	var queries []graph.EdgeQuery
	for _, n := range graphtest.SampleBatch().Nodes {
		for _, dir := range []graph.Direction{graph.Out, graph.In} {
			queries = append(queries,
				graph.EdgeQuery{Key: n.NodeKey(), Dir: dir},
				graph.EdgeQuery{Key: n.NodeKey(), Dir: dir, Relations: []graph.Relation{graph.RelSpeaker, graph.RelSupports}},
				graph.EdgeQuery{Key: n.NodeKey(), Dir: dir, Kind: graph.KindClaim})
		}
	}
	queries = append(queries, graph.EdgeQuery{Key: "no-such-key", Dir: graph.Out})
	answers := func(s *Store) []string {
		var out []string
		err := s.View(t.Context(), func(r graph.Reader) error {
			for _, q := range queries {
				es, err := r.Edges(t.Context(), q)
				if err != nil {
					return err
				}
				b, _ := json.Marshal(es)
				out = append(out, string(b))
				// A caller changing what it got changes nothing else.
				for i := range es {
					es[i].To, es[i].Note = "changed", "changed"
					if es[i].Retracted != nil {
						es[i].Retracted.Reason = "changed"
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	retracted := 0
	for bi, b := range batches {
		for _, s := range []*Store{cached, plain} {
			if _, err := s.Apply(t.Context(), b); err != nil {
				t.Fatal(err)
			}
		}
		// The two stores wrote at different instants: the times the
		// store sets are left out of that comparison, not of the one
		// between the cached store's misses and hits.
		want := answers(plain)
		var first []string
		for round := range 3 { // a miss, then hits
			got := answers(cached)
			if round == 0 {
				first = got
			}
			for i := range queries {
				if stamp(got[i]) != stamp(want[i]) || got[i] != first[i] {
					t.Errorf("after batch %d, round %d: Edges(%+v) = %s, want %s", bi, round, queries[i], got[i], want[i])
				}
			}
		}
		for _, a := range want {
			if strings.Contains(a, `"Retracted":{`) {
				retracted++
			}
		}
	}
	if retracted == 0 {
		t.Errorf("no answer held a retracted edge")
	}
	if c := latestCache(t, cached); c == nil || len(c.young.edges) == 0 {
		t.Errorf("the read cache holds no edge answer after the reads")
	}
}
