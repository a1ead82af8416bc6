package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/rs/zerolog"

	"claimgraph/graph"
	"claimgraph/graph/graphtest"
)

// searchValue is a logical search posting value: tf, length, then the
// occurrences at the positions.
func searchValue(length int, pos ...int) []byte {
	v := binary.AppendUvarint(nil, uint64(len(pos)))
	v = binary.AppendUvarint(v, uint64(length))
	for _, p := range pos {
		for _, x := range []int{0, p, 3 * p, 3*p + 2} {
			v = binary.AppendUvarint(v, uint64(x))
		}
	}
	return v
}

// wordValue is a logical word posting value: count, then positions.
func wordValue(pos ...int) []byte {
	v := binary.AppendUvarint(nil, uint64(len(pos)))
	for _, p := range pos {
		v = binary.AppendUvarint(v, uint64(p))
	}
	return v
}

func TestPostingBlockCodec(t *testing.T) {
	q := func(n uint64) uint64 { return makeID(graph.KindQuote, n) }
	cases := []struct {
		name  string
		heads int
		es    []postingEntry
	}{
		{"one posting", 2, []postingEntry{{q(7), searchValue(12, 3)}}},
		{"search postings", 2, []postingEntry{{q(1), searchValue(5, 0)}, {q(2), searchValue(40, 1, 9, 30)}, {q(300), searchValue(1, 0)}}},
		{"kinds and big ids", 2, []postingEntry{{makeID(graph.KindPerson, 1), searchValue(2, 1)}, {makeID(graph.KindClaim, 1<<56-1), searchValue(1<<40, 0)}}},
		{"word postings", 1, []postingEntry{{q(3), wordValue(1)}, {q(4), wordValue(0, 17, 200)}}},
		{"no payload", 1, []postingEntry{{q(3), wordValue()}, {q(5), wordValue()}}},
	}
	for _, c := range cases {
		v, err := encodePostingBlock(c.heads, c.es)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var b postingBlock
		if err := decodePostingBlock(c.es[len(c.es)-1].id, v, &b); err != nil {
			t.Fatalf("%s: decode: %v", c.name, err)
		}
		got := b.entries()
		if !slices.EqualFunc(got, c.es, func(a, b postingEntry) bool { return a.id == b.id && bytes.Equal(a.val, b.val) }) {
			t.Errorf("%s: round trip %v, want %v", c.name, got, c.es)
		}
		for i := range c.es {
			tf, _ := binary.Uvarint(c.es[i].val)
			if b.head[i*b.heads] != tf {
				t.Errorf("%s: posting %d: head %d, want %d", c.name, i, b.head[i*b.heads], tf)
			}
		}
		// The key holds the last id, or tailID.
		if err := decodePostingBlock(tailID, v, &b); err != nil {
			t.Errorf("%s: under the tail key: %v", c.name, err)
		}
		if err := decodePostingBlock(c.es[len(c.es)-1].id+1, v, &b); err == nil {
			t.Errorf("%s: decoded under another key", c.name)
		}
		for cut := range len(v) {
			if err := decodePostingBlock(c.es[len(c.es)-1].id, v[:cut], &b); err == nil {
				t.Errorf("%s: decoded the first %d of %d bytes", c.name, cut, len(v))
			}
		}
		if err := decodePostingBlock(c.es[len(c.es)-1].id, append(slices.Clip(v), 0), &b); err == nil {
			t.Errorf("%s: decoded with a byte more", c.name)
		}
	}
	bad := []struct {
		name  string
		heads int
		es    []postingEntry
	}{
		{"empty", 2, nil},
		{"ids out of order", 2, []postingEntry{{q(2), searchValue(1, 0)}, {q(1), searchValue(1, 0)}}},
		{"id twice", 1, []postingEntry{{q(2), wordValue(0)}, {q(2), wordValue(1)}}},
		{"no heads", 2, []postingEntry{{q(2), []byte{1}}}},
		{"non-canonical head", 1, []postingEntry{{q(2), []byte{0x81, 0x00}}}},
		{"heads 3", 3, []postingEntry{{q(2), []byte{1, 1, 1}}}},
	}
	for _, c := range bad {
		if _, err := encodePostingBlock(c.heads, c.es); err == nil {
			t.Errorf("%s: encoded", c.name)
		}
	}
}

func FuzzPostingBlock(f *testing.F) {
	v, _ := encodePostingBlock(2, []postingEntry{{9, searchValue(4, 1)}, {12, searchValue(8, 0, 2)}})
	f.Add(uint64(12), v)
	v, _ = encodePostingBlock(1, []postingEntry{{1, wordValue(3)}})
	f.Add(uint64(1), v)
	f.Add(uint64(0), []byte{2, 1, 0, 0, 0, 0})
	f.Add(uint64(1<<63), []byte{1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, last uint64, data []byte) {
		// Any bytes: decoding never panics; what decodes encodes to a
		// block that decodes to the same postings.
		var b postingBlock
		if err := decodePostingBlock(last, data, &b); err == nil {
			es := b.entries()
			v, err := encodePostingBlock(b.heads, es)
			if err != nil {
				t.Fatalf("decoded %x, encoding: %v", data, err)
			}
			var b2 postingBlock
			if err := decodePostingBlock(last, v, &b2); err != nil {
				t.Fatalf("re-encoded %x: %v", v, err)
			}
			if got := b2.entries(); !slices.EqualFunc(got, es, func(a, b postingEntry) bool { return a.id == b.id && bytes.Equal(a.val, b.val) }) {
				t.Fatalf("round trip %v, want %v", got, es)
			}
		}
		// Postings made from the bytes round-trip.
		var es []postingEntry
		id := last >> 8
		for i := 0; i+1 < len(data) && len(es) < 300; i += 2 {
			id += uint64(data[i]) + 1
			if id <= last>>8 {
				break // wrapped
			}
			var pos []int
			for j := range int(data[i+1] % 4) {
				pos = append(pos, j*int(data[i+1]))
			}
			es = append(es, postingEntry{id, searchValue(int(data[i]), pos...)})
		}
		if len(es) == 0 {
			return
		}
		v, err := encodePostingBlock(2, es)
		if err != nil {
			t.Fatal(err)
		}
		if err := decodePostingBlock(es[len(es)-1].id, v, &b); err != nil {
			t.Fatalf("encoded %v: %v", es, err)
		}
		if got := b.entries(); !slices.EqualFunc(got, es, func(a, b postingEntry) bool { return a.id == b.id && bytes.Equal(a.val, b.val) }) {
			t.Fatalf("round trip %v, want %v", got, es)
		}
	})
}

// TestPostingWrites writes random batches of logical postings (appends,
// updates and deletes, anywhere in the lists) through the writer with
// blocks of 4, and checks after each that the blocks hold what a map
// of the logical postings holds, that no block is empty or over 4, and
// that cursors and point reads agree with the map.
func TestPostingWrites(t *testing.T) {
	ctx := t.Context()
	kv, err := OpenBadger(ctx, Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer kv.Close()
	lists := [][]byte{searchTermPrefix(graph.SearchText, "ferry"), searchWordPrefix("running"), searchTermPrefix(graph.SearchName, "ann")}
	model := make([]map[uint64][]byte, len(lists))
	for i := range model {
		model[i] = map[uint64][]byte{}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	next := uint64(1)
	kinds := []graph.Kind{graph.KindPerson, graph.KindQuote, graph.KindClaim}
	for round := range 60 {
		_, err := kv.Update(ctx, func(tx Txn) error {
			w := newWriter(tx, &graph.ApplyResult{ByKind: map[graph.Kind]graph.Counts{}}, &graph.Batch{}, true)
			w.postings = &postingWrites{size: 4, lists: map[string]*listWrites{}}
			for range 1 + rng.IntN(12) {
				l := rng.IntN(len(lists))
				var id uint64
				switch op := rng.IntN(10); {
				case op < 5 || len(model[l]) == 0: // a new node
					id = makeID(kinds[rng.IntN(len(kinds))], next)
					next++
				default: // an existing one
					ids := sortedIDs(model[l])
					id = ids[rng.IntN(len(ids))]
				}
				k := appendID(slices.Clone(lists[l]), id)
				if _, ok := model[l][id]; ok && rng.IntN(2) == 0 {
					delete(model[l], id)
					if err := w.del(k); err != nil {
						return err
					}
					continue
				}
				var v []byte
				if lists[l][1] == searchWordField {
					v = wordValue(rng.IntN(9), 9+rng.IntN(9))
				} else {
					v = searchValue(1+rng.IntN(50), rng.IntN(9))
				}
				model[l][id] = v
				if err := w.set(k, v); err != nil {
					return err
				}
			}
			return w.flushPostings(ctx)
		})
		if err != nil {
			t.Fatal(err)
		}
		snap, err := kv.Snapshot(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		for l, prefix := range lists {
			want := sortedIDs(model[l])
			var got []uint64
			err := snap.Scan(ctx, Range{Prefix: blockPrefix(prefix)}, func(k, v []byte) error {
				var b postingBlock
				if err := decodePostingBlock(decodeID(k[len(prefix):]), v, &b); err != nil {
					return err
				}
				if b.len() == 0 || b.len() > 4 {
					t.Errorf("round %d: block %x holds %d postings", round, k, b.len())
				}
				for i, id := range b.ids {
					if !bytes.Equal(b.value(nil, i), model[l][id]) {
						t.Errorf("round %d: posting %x of %x: %x, want %x", round, id, prefix, b.value(nil, i), model[l][id])
					}
				}
				got = append(got, b.ids...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("round %d: list %x holds %x, want %x", round, prefix, got, want)
			}
			// A cursor over the quotes: seeks and steps.
			lo, hi := kindRange(graph.KindQuote)
			var quotes []uint64
			for _, id := range want {
				if id >= lo && id <= hi {
					quotes = append(quotes, id)
				}
			}
			c := newPostingCursor(ctx, snap, prefix, lo, hi)
			var walked []uint64
			for ok, err := c.next(); ok || err != nil; ok, err = c.next() {
				if err != nil {
					t.Fatal(err)
				}
				walked = append(walked, c.id())
			}
			c.close()
			if !slices.Equal(walked, quotes) {
				t.Errorf("round %d: cursor walked %x, want %x", round, walked, quotes)
			}
			c = newPostingCursor(ctx, snap, prefix, lo, hi)
			for x := lo; x < lo+next+2; x += 1 + uint64(rng.IntN(3)) {
				ok, err := c.seek(x)
				if err != nil {
					t.Fatal(err)
				}
				j, _ := slices.BinarySearch(quotes, x)
				if ok != (j < len(quotes)) || (ok && c.id() != quotes[j]) {
					t.Fatalf("round %d: seek(%x) = %v at %x, want %x", round, x, ok, c.id(), quotes[j:])
				}
				if ok && !bytes.Equal(c.blk.value(nil, c.i), model[l][c.id()]) {
					t.Errorf("round %d: seek(%x): value differs", round, x)
				}
			}
			c.close()
			for _, id := range []uint64{want[0], want[len(want)-1], want[len(want)/2], want[0] + 1, lo} {
				v, ok, err := postingAt(ctx, snap, prefix, id)
				if err != nil {
					t.Fatal(err)
				}
				if mv, has := model[l][id]; ok != has || !bytes.Equal(v, mv) {
					t.Errorf("round %d: postingAt(%x) = %x %v, want %x %v", round, id, v, ok, mv, has)
				}
			}
		}
		snap.Close()
	}
}

func sortedIDs(m map[uint64][]byte) []uint64 {
	out := make([]uint64, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// TestPostingsMigration turns a store's posting blocks into the
// per-node posting keys of layout 4 and checks that opening it brings
// back the blocks: the same answers to searches, whoSaid and text
// filters, a clean Verify, layout 5; and that running the migration
// again changes nothing.
func TestPostingsMigration(t *testing.T) {
	ctx := t.Context()
	s, kv := newMemStore(t)
	var err error
	b := whoSaidCorpus(t, 400)
	b.Nodes = append(b.Nodes, graphtest.SampleBatch().Nodes...)
	if _, err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	answers := func(s *Store) string {
		var out bytes.Buffer
		err := s.View(ctx, func(r graph.Reader) error {
			for _, text := range []string{"ferry", "the", "said the", "running ferries", "officers", "new*"} {
				p, err := r.Search(ctx, graph.SearchQuery{Text: text, Limit: 30})
				if err != nil {
					return err
				}
				fmt.Fprintln(&out, text, p.Total, p.More, len(p.Hits))
				for _, h := range p.Hits {
					fmt.Fprintln(&out, h.Key, h.Score, h.Highlights)
				}
				w, err := r.QuotesMatching(ctx, text, "", 30)
				if err != nil && text != "new*" {
					return err
				}
				fmt.Fprintln(&out, w.Keys, w.Total, w.More)
				sel, err := r.Select(ctx, graph.Selection{Kind: graph.KindQuote, Text: text, Limit: 30, Count: true})
				if err != nil && text != "new*" {
					return err
				}
				fmt.Fprintln(&out, sel.Keys, sel.Total)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	before := answers(s)
	blocks := 0
	_, err = kv.Update(ctx, func(tx Txn) error {
		type kvp struct{ k, v []byte }
		var olds []kvp
		err := tx.Scan(ctx, Range{Prefix: []byte{famSearch}}, func(k, v []byte) error {
			n := blockKeyPrefix(k)
			if n == 0 {
				return nil
			}
			blocks++
			var b postingBlock
			if err := decodePostingBlock(decodeID(k[n:]), v, &b); err != nil {
				return err
			}
			olds = append(olds, kvp{slices.Clone(k), nil})
			for i, id := range b.ids {
				// Layout 4: tf and occurrences (no length); word
				// postings as they are.
				val := b.value(nil, i)
				if b.heads == 2 {
					val = binary.AppendUvarint(nil, b.head[2*i])
					val = append(val, b.payload(i)...)
				}
				olds = append(olds, kvp{appendID(logicalPrefix(k[:n]), id), val})
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, o := range olds {
			if o.v == nil {
				if err := tx.Delete(o.k); err != nil {
					return err
				}
			}
		}
		for _, o := range olds {
			if o.v != nil {
				if err := tx.Set(o.k, o.v); err != nil {
					return err
				}
			}
		}
		return tx.Set(metaLayoutKey, []byte{4})
	})
	if err != nil {
		t.Fatal(err)
	}
	if blocks == 0 {
		t.Fatal("no posting blocks")
	}
	if rep := mustVerify(t, s, VerifyOptions{}); rep.OK() {
		t.Fatal("Verify finds nothing wrong with layout-4 postings")
	}
	s2, err := New(ctx, kv, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	if got := answers(s2); got != before {
		t.Errorf("after the migration:\n%s\nwant\n%s", got, before)
	}
	wantClean(t, "after the migration", mustVerify(t, s2, VerifyOptions{}))
	snap, err := kv.Snapshot(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := snap.Get(ctx, metaLayoutKey); err != nil || v[0] != layoutVersion {
		t.Errorf("layout %x %v, want %d", v, err, layoutVersion)
	}
	snap.Close()
	// Again (a crash before the mark): the same state.
	if _, _, err := reindexPostings(ctx, kv); err != nil {
		t.Fatal(err)
	}
	if got := answers(s2); got != before {
		t.Errorf("after the migration ran twice:\n%s\nwant\n%s", got, before)
	}
	wantClean(t, "after the migration ran twice", mustVerify(t, s2, VerifyOptions{}))
}

// TestPostingBlockBytes holds the example of the package documentation:
// quote q1 alone in the list of "ferry" in field text, once, word 3 of
// 12, code points 11 to 16.
func TestPostingBlockBytes(t *testing.T) {
	ctx := t.Context()
	kv, err := OpenBadger(ctx, Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer kv.Close()
	q1 := makeID(graph.KindQuote, 7)
	val := binary.AppendUvarint(nil, 1)
	for _, x := range []int{12, 0, 3<<posFlagBits | posLiteral | posJoined, 11, 16} {
		val = binary.AppendUvarint(val, uint64(x))
	}
	_, err = kv.Update(ctx, func(tx Txn) error {
		w := newWriter(tx, &graph.ApplyResult{ByKind: map[graph.Kind]graph.Counts{}}, &graph.Batch{}, true)
		if err := w.set(searchPostingKey(graph.SearchText, "ferry", q1), val); err != nil {
			return err
		}
		return w.flushPostings(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := kv.Snapshot(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	var got []string
	err = snap.Scan(ctx, Range{Prefix: []byte{famSearch}}, func(k, v []byte) error {
		got = append(got, fmt.Sprintf("%x -> %x", k, v))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"7314" + fmt.Sprintf("%x", "ferry") + "00ffffffffffffffff -> 0201" + "878080808080808004" + "010c04" + "000f0b10",
		"73fd04" + fmt.Sprintf("%x", "yrref") + "00 -> ",
	}
	if !slices.Equal(got, want) {
		t.Errorf("keys %q, want %q", got, want)
	}
}

// TestValueArena: the staged posting values come back as added, nil
// (a delete) as nil and empty as empty, across chunk boundaries and for
// values longer than a chunk.
func TestValueArena(t *testing.T) {
	var a valueArena
	vals := [][]byte{nil, {}, []byte("x"), bytes.Repeat([]byte{7}, valueChunk+5), []byte("after the long one")}
	for i := range 3 * valueChunk / 100 {
		vals = append(vals, bytes.Repeat([]byte{byte(i)}, 1+i%97))
	}
	refs := make([]uint64, len(vals))
	for i, v := range vals {
		refs[i] = a.add(v)
	}
	if len(a.chunks) < 4 {
		t.Fatalf("%d chunks; the test wants several", len(a.chunks))
	}
	for i, v := range vals {
		got := a.get(refs[i])
		if (got == nil) != (v == nil) || !bytes.Equal(got, v) {
			t.Fatalf("value %d: got %d bytes (nil %v), want %d (nil %v)", i, len(got), got == nil, len(v), v == nil)
		}
		if cap(got) != len(got) {
			t.Fatalf("value %d: capacity %d past its length %d", i, cap(got), len(got))
		}
	}
}

// TestFlushPostingsParallel checks that planning the posting lists on
// several goroutines writes what planning them in the writer writes: a
// generated corpus (hundreds of lists, so the parallel path is taken),
// then a batch changing the texts of some quotes (blocks read, merged and
// rewritten, postings deleted).
func TestFlushPostingsParallel(t *testing.T) {
	batch, _ := corpus(t, 300)
	var quotes []*graph.Quote
	for _, n := range batch.Nodes {
		if q, ok := n.(*graph.Quote); ok && len(quotes) < 60 {
			quotes = append(quotes, q)
		}
	}
	// The second batch: each quote with another one's text.
	var changed []graph.Node
	for i, q := range quotes {
		c := *q
		c.Text = quotes[(i+7)%len(quotes)].Text + " and seldom quoted words"
		c.Span = nil
		changed = append(changed, &c)
	}
	search := func(workers int) map[string]string {
		defer func(w int) { flushWorkers = w }(flushWorkers)
		flushWorkers = workers
		s := testOpen(t, Options{InMemory: true})
		if _, err := s.Apply(t.Context(), batch); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Apply(t.Context(), &graph.Batch{By: "test", Nodes: changed}); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for k, v := range dumpAt(t, engine(s), 0) {
			if k[0] == famSearch {
				out[k] = v
			}
		}
		return out
	}
	serial, parallel := search(1), search(4)
	if len(serial) < 2*flushAhead {
		t.Fatalf("%d search keys; want at least %d lists for the parallel path", len(serial), 2*flushAhead)
	}
	if d := diffState(parallel, serial); d != "" {
		t.Errorf("planned on 4 goroutines against in the writer:\n%s", d)
	}
}
