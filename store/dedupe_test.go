package store

import (
	"fmt"
	"strings"
	"testing"

	"claimgraph/graph"
)

// TestDedupe checks that the last write of each key wins, in the order of
// the writes, across the chunks of the write log.
func TestDedupe(t *testing.T) {
	cases := []struct {
		name   string
		writes []string // key=value, or key- for a delete
		want   string
	}{
		{"empty", nil, ""},
		{"one", []string{"a=1"}, "a=1 "},
		{"distinct", []string{"b=1", "a=2", "c=3"}, "b=1 a=2 c=3 "},
		{"last wins", []string{"a=1", "b=2", "a=3"}, "b=2 a=3 "},
		{"delete wins", []string{"a=1", "a-", "b=2"}, "a- b=2 "},
		{"set after delete", []string{"a-", "b=2", "a=5", "a=6"}, "b=2 a=6 "},
		{"empty key bytes", []string{"=1", "=2"}, "=2 "},
	}
	for _, c := range cases {
		var l writeLog
		for _, w := range c.writes {
			if k, v, ok := strings.Cut(w, "="); ok {
				l.add([]byte(k), []byte(v), false)
			} else {
				l.add([]byte(w[:len(w)-1]), nil, true)
			}
		}
		got := ""
		for _, w := range dedupe(&l) {
			if w.del {
				got += string(w.key) + "- "
			} else {
				got += string(w.key) + "=" + string(w.value) + " "
			}
		}
		if got != c.want {
			t.Errorf("%s: dedupe = %q, want %q", c.name, got, c.want)
		}
	}
	// Many writes, every key twice, over several chunks.
	var l writeLog
	const n = 3*writeChunk + 17
	for round := range 2 {
		for i := range n {
			l.add(fmt.Appendf(nil, "k%d", i), fmt.Appendf(nil, "%d", round), false)
		}
	}
	out := dedupe(&l)
	if len(out) != n || cap(out) < n+1 {
		t.Fatalf("dedupe of %d writes of %d keys: %d writes, cap %d", 2*n, n, len(out), cap(out))
	}
	for i, w := range out {
		if string(w.key) != fmt.Sprintf("k%d", i) || string(w.value) != "1" {
			t.Fatalf("write %d: %s=%s", i, w.key, w.value)
		}
	}
}

// TestCommitTooBigAfterParts: a write that Badger refuses (a value over
// its limit, or one that fits in no transaction), met
// after earlier parts of a split commit were written, fails the commit and
// makes the engine refuse writes until it is reopened (and repaired), as a
// failed part does; before any part it only fails the commit.
func TestCommitTooBigAfterParts(t *testing.T) {
	ctx := t.Context()
	for _, c := range []struct {
		name   string
		before int // small records before the big one
		broken bool
	}{{"first", 0, false}, {"after parts", 60, true}} {
		t.Run(c.name, func(t *testing.T) {
			s := testOpen(t, Options{InMemory: true, partEntries: 20})
			b := &graph.Batch{Nodes: []graph.Node{&graph.Source{Key: "s", Kind: "article"}}}
			for i := range c.before {
				b.Nodes = append(b.Nodes, &graph.Claim{Key: fmt.Sprintf("c-%d", i), Text: "a claim"})
			}
			b.Nodes = append(b.Nodes, &graph.Claim{Key: "big", Text: strings.Repeat("x", 1100<<10)})
			if _, err := s.Apply(ctx, b); err == nil {
				t.Fatal("Apply of a 1.1 MB record succeeded")
			}
			_, err := s.Apply(ctx, &graph.Batch{Nodes: []graph.Node{&graph.Source{Key: "s2", Kind: "article"}}})
			if broken := err != nil && strings.Contains(err.Error(), "reopen"); broken != c.broken {
				t.Errorf("Apply after the failed commit: %v, want refused %v", err, c.broken)
			}
		})
	}
}

// TestWriteLogArena: writes small and large (a chunk of their own), sets
// and deletes, read back exactly, across entry and arena chunks; a key
// changed by its caller after the write does not change the log.
func TestWriteLogArena(t *testing.T) {
	var l writeLog
	type w struct {
		k, v string
		del  bool
	}
	var want []w
	for i := range 2*writeChunk + 5 {
		x := w{k: fmt.Sprintf("key-%d", i), v: strings.Repeat("v", i%300)}
		switch {
		case i%997 == 3:
			x.v = strings.Repeat("L", arenaChunk/4+i) // its own chunk
		case i%13 == 0:
			x.v, x.del = "", true
		case i%17 == 0:
			x.v = "" // an empty value is not a delete
		}
		key := []byte(x.k)
		if x.del {
			l.add(key, nil, true)
		} else {
			l.add(key, []byte(x.v), false)
		}
		key[0] = 'X' // the caller reuses its buffer
		want = append(want, x)
	}
	if l.n != len(want) {
		t.Fatalf("n = %d, want %d", l.n, len(want))
	}
	for i, x := range want {
		got := l.at(i)
		if string(got.key) != x.k || string(got.value) != x.v || got.del != x.del || (!x.del && got.value == nil) || (x.del && got.value != nil) {
			t.Fatalf("write %d: %q=%q del %v, want %q=%q del %v", i, got.key, got.value, got.del, x.k, x.v, x.del)
		}
		if cap(got.key) != len(got.key) {
			t.Fatalf("write %d: key capacity %d past its length %d", i, cap(got.key), len(got.key))
		}
	}
}
