package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"claimgraph/graph"
)

func TestFacetBlockCodec(t *testing.T) {
	for _, es := range [][]string{
		{"a"},
		{"q-1", "q-10", "q-11", "q-2"},
		{"\x01\x00\x00\x01\x00\x00\x00\x00\x00q-1", "\x01\x00\x00\x01\x00\x00\x00\x00\x01q-1", "\x02q-9"},
		{"x", "xx", "xxx", "y"},
	} {
		bs := make([][]byte, len(es))
		for i, e := range es {
			bs[i] = []byte(e)
		}
		v, err := encodeFacetBlock(bs)
		if err != nil {
			t.Fatalf("%q: %v", es, err)
		}
		for _, last := range [][]byte{bs[len(bs)-1], {facetTail}} {
			var b facetBlock
			if err := decodeFacetBlock(last, v, &b); err != nil {
				t.Fatalf("%q under %x: %v", es, last, err)
			}
			var got []string
			for i := range b.len() {
				got = append(got, string(b.entry(i)))
			}
			if !slices.Equal(got, es) {
				t.Errorf("decoded %q, want %q", got, es)
			}
		}
		if n, err := facetBlockLen(v); err != nil || n != len(es) {
			t.Errorf("%q: facetBlockLen %d %v", es, n, err)
		}
	}
	for _, bad := range [][][]byte{nil, {[]byte("b"), []byte("a")}, {[]byte("a"), []byte("a")}} {
		if _, err := encodeFacetBlock(bad); err == nil {
			t.Errorf("encodeFacetBlock(%q) took it", bad)
		}
	}
	good, _ := encodeFacetBlock([][]byte{[]byte("ab"), []byte("ac")})
	for _, c := range []struct {
		name string
		last string
		v    []byte
	}{
		{"empty", "ac", nil},
		{"no entries", "ac", []byte{0}},
		{"count past the value", "ac", []byte{9, 0, 1, 'a'}},
		{"shared in the first", "a", []byte{1, 1, 1, 'a'}},
		{"shared past the entry before", "abc", []byte{2, 0, 1, 'a', 2, 1, 'c'}},
		{"rest past the value", "a", []byte{1, 0, 5, 'a'}},
		{"out of order", "aa", []byte{2, 0, 1, 'b', 0, 2, 'a', 'a'}},
		{"equal entries", "a", []byte{2, 0, 1, 'a', 1, 0}},
		{"trailing bytes", "ac", append(slices.Clone(good), 0)},
		{"wrong last entry", "ab", good},
	} {
		var b facetBlock
		err := decodeFacetBlock([]byte(c.last), c.v, &b)
		if !errors.Is(err, errCorrupt) {
			t.Errorf("%s: decodeFacetBlock = %v, want a corruption", c.name, err)
		}
	}
}

func FuzzDecodeFacetBlock(f *testing.F) {
	v, _ := encodeFacetBlock([][]byte{[]byte("ab"), []byte("ac"), []byte("b")})
	f.Add([]byte("b"), v)
	f.Add([]byte{facetTail}, v)
	f.Add([]byte("a"), []byte{1, 0, 1, 'a'})
	f.Fuzz(func(t *testing.T, last, v []byte) {
		var b facetBlock
		if err := decodeFacetBlock(last, v, &b); err != nil {
			if !errors.Is(err, errCorrupt) {
				t.Fatalf("error %v is not a corruption", err)
			}
			return
		}
		// What decodes encodes to entries that decode the same.
		es := make([][]byte, b.len())
		for i := range es {
			es[i] = slices.Clone(b.entry(i))
		}
		v2, err := encodeFacetBlock(es)
		if err != nil {
			t.Fatalf("decoded entries %q do not encode: %v", es, err)
		}
		var b2 facetBlock
		if err := decodeFacetBlock(last, v2, &b2); err != nil {
			t.Fatal(err)
		}
		if b2.len() != len(es) {
			t.Fatalf("%d entries again, want %d", b2.len(), len(es))
		}
		for i := range es {
			if !bytes.Equal(b2.entry(i), es[i]) {
				t.Fatalf("entry %d: %q, want %q", i, b2.entry(i), es[i])
			}
		}
	})
}

func TestFacetKeyShapes(t *testing.T) {
	list := facetVariantPrefix(graph.KindQuote, facetCodes[graph.FacetSpeaker], variantKey, "p-a\x00b")
	for _, c := range []struct {
		k            []byte
		logical, blk int
	}{
		{append(slices.Clone(list), "q-1"...), len(list), 0},
		{append(facetBlockPrefix(list), "q-1"...), 0, len(list)},
		{append(facetBlockPrefix(list), facetTail), 0, len(list)},
		{list, 0, 0}, // no entry
		{facetColumnKey(graph.KindQuote, "q-1"), 0, 0},
		{[]byte{famFacet, byte(graph.KindQuote), 0x01, 0x00, 'p', 0x00, 0x02, 'q'}, 0, 0}, // a bad escape
		{append([]byte{famSearch}, list[1:]...), 0, 0},
	} {
		if got := facetListPrefix(c.k); got != c.logical {
			t.Errorf("facetListPrefix(%q) = %d, want %d", c.k, got, c.logical)
		}
		if got := facetBlockKeyPrefix(c.k); got != c.blk {
			t.Errorf("facetBlockKeyPrefix(%q) = %d, want %d", c.k, got, c.blk)
		}
	}
}

// TestFacetListWrites writes random inserts and deletes into three lists
// in blocks of four, over many commits, and checks after each commit the
// blocks' shape and that scanFacetList and countFacetList agree with a
// sorted set under random bounds, in both directions, with limits.
func TestFacetListWrites(t *testing.T) {
	defer func(n int) { facetBlockEntries = n }(facetBlockEntries)
	facetBlockEntries = 4
	ctx := t.Context()
	kv, err := OpenBadger(ctx, Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kv.Close() })
	lists := [][]byte{
		facetVariantPrefix(graph.KindQuote, facetCodes[graph.FacetSpeaker], variantKey, "p-a"),
		facetVariantPrefix(graph.KindQuote, facetCodes[graph.FacetSpeaker], variantKey, "p-b"),
		facetVariantPrefix(graph.KindQuote, facetAll, variantValue, ""),
	}
	model := make([]map[string]bool, len(lists))
	for i := range model {
		model[i] = map[string]bool{}
	}
	r := rand.New(rand.NewPCG(7, 8))
	entry := func() string {
		if r.IntN(3) == 0 {
			return fmt.Sprintf("\x01%08dq", r.IntN(60))
		}
		return fmt.Sprintf("q-%d", r.IntN(60))
	}
	for round := range 40 {
		_, err := kv.Update(ctx, func(tx Txn) error {
			w := newWriter(tx, &graph.ApplyResult{ByKind: map[graph.Kind]graph.Counts{}}, &graph.Batch{}, true)
			for range 1 + r.IntN(25) {
				li := r.IntN(len(lists))
				e := entry()
				k := append(slices.Clone(lists[li]), e...)
				var err error
				if r.IntN(3) == 0 || round > 30 && r.IntN(2) == 0 {
					err = w.del(k)
					delete(model[li], e)
				} else {
					err = w.set(k, []byte{})
					model[li][e] = true
				}
				if err != nil {
					return err
				}
			}
			return w.flushFacets(ctx)
		})
		if err != nil {
			t.Fatal(err)
		}
		snap, err := kv.Snapshot(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		// Closed before the engine, when a check fails too.
		t.Cleanup(func() { snap.Close() })
		for li, list := range lists {
			want := make([]string, 0, len(model[li]))
			for e := range model[li] {
				want = append(want, e)
			}
			slices.Sort(want)
			checkFacetBlocks(t, ctx, snap, list, len(want))
			for q := range 12 {
				rg := Range{Reverse: q%2 == 1}
				lo, hi := entry(), entry()
				if lo > hi {
					lo, hi = hi, lo
				}
				switch q % 6 {
				case 0, 1:
				case 2, 3:
					rg.Start, rg.End = append(slices.Clone(list), lo...), append(slices.Clone(list), hi...)
				default:
					rg.After = append(slices.Clone(list), lo...)
					rg.Limit = 1 + r.IntN(6)
				}
				var got []string
				err := scanFacetList(ctx, snap, list, rg, func(e []byte) error { got = append(got, string(e)); return nil })
				if err != nil {
					t.Fatal(err)
				}
				var exp []string
				for _, e := range want {
					if (rg.Start != nil && e < lo) || (rg.After != nil && e <= lo) || (rg.End != nil && e >= hi) {
						continue
					}
					exp = append(exp, e)
				}
				if rg.Reverse {
					slices.Reverse(exp)
				}
				if rg.Limit > 0 && len(exp) > rg.Limit {
					exp = exp[:rg.Limit]
				}
				if !slices.Equal(got, exp) {
					t.Fatalf("round %d list %d %+v: scan %q, want %q", round, li, rg, got, exp)
				}
				if q%6 == 2 || q%6 == 0 {
					var clo, chi []byte
					if q%6 == 2 {
						clo, chi = []byte(lo), []byte(hi)
					}
					n, err := countFacetList(ctx, snap, list, clo, chi)
					if err != nil || n != len(exp) {
						t.Fatalf("round %d list %d: count %d %v, want %d", round, li, n, err, len(exp))
					}
				}
			}
		}
	}
}

// checkFacetBlocks checks the blocks of a list: none empty or over the
// size, each keyed by its last entry but the list's last (keyed
// facetTail, when the list has one), entries increasing across blocks,
// n entries in all.
func checkFacetBlocks(t *testing.T, ctx context.Context, kv KVReader, list []byte, n int) {
	t.Helper()
	bp := facetBlockPrefix(list)
	total := 0
	var prev []byte
	tailSeen := false
	err := kv.Scan(ctx, Range{Prefix: bp}, func(k, v []byte) error {
		if tailSeen {
			t.Errorf("block %q after the tail", k)
		}
		suffix := k[len(bp):]
		tailSeen = isFacetTail(suffix)
		var b facetBlock
		if err := decodeFacetBlock(suffix, v, &b); err != nil {
			return err
		}
		if b.len() == 0 || b.len() > facetBlockEntries {
			t.Errorf("block %q holds %d entries", k, b.len())
		}
		if prev != nil && bytes.Compare(b.entry(0), prev) <= 0 {
			t.Errorf("block %q starts at %q, not after %q", k, b.entry(0), prev)
		}
		prev = slices.Clone(b.entry(b.len() - 1))
		total += b.len()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if total != n {
		t.Errorf("list %q: %d entries in blocks, want %d", list, total, n)
	}
}
