package store

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"

	"claimgraph/demo"
	"claimgraph/gen"
	"claimgraph/graph"
	"claimgraph/graph/graphtest"
)

// openVerifyStore opens a store for the verify tests: in memory when dir
// is "", else on disk.
func openVerifyStore(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(t.Context(), SmallOptions(dir))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustApply(t *testing.T, s *Store, b *graph.Batch) graph.ApplyResult {
	t.Helper()
	res, err := s.Apply(t.Context(), b)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return res
}

func mustVerify(t *testing.T, s *Store, opt VerifyOptions) Report {
	t.Helper()
	rep, err := s.Verify(t.Context(), opt)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return rep
}

func wantClean(t *testing.T, what string, rep Report) {
	t.Helper()
	if !rep.OK() {
		var lines []string
		for _, p := range rep.Problems {
			lines = append(lines, p.String())
		}
		t.Fatalf("%s: verify found %d problem(s) %v:\n%s", what, rep.Total, rep.Counts, strings.Join(lines, "\n"))
	}
}

// curatedDemo returns a store holding the demo bundle and then a curation
// of it: a new link, an update, a retracted link and node, an unlink and a
// merge of two people, so that every family holds keys.
func curatedDemo(t *testing.T, dir string) *Store {
	t.Helper()
	s := openVerifyStore(t, dir)
	b, err := demo.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	mustApply(t, s, b.Batch("import:demo.json", "demo"))
	var people []string
	var claims []string
	for _, n := range b.Nodes {
		switch n.NodeKind() {
		case graph.KindPerson:
			people = append(people, n.NodeKey())
		case graph.KindClaim:
			claims = append(claims, n.NodeKey())
		}
	}
	if len(people) < 3 || len(claims) < 2 {
		t.Fatalf("the demo has %d people and %d claims; the test needs 3 and 2", len(people), len(claims))
	}
	l := graph.Link{From: claims[0], To: claims[1], Relation: graph.RelContext, Note: "verify test"}
	mustApply(t, s, &graph.Batch{Links: []graph.Link{l}, By: "curator"})
	mustApply(t, s, &graph.Batch{Nodes: []graph.Node{
		&graph.Person{Key: "verify-extra", Name: "Ana Verify", Aliases: []string{"A. Verify"}},
		&graph.Person{Key: "verify-dup", Name: "Ana Verifi"},
		&graph.Claim{Key: "verify-claim", Text: "Consistency checks find missing index keys"},
	}, By: "curator"})
	mustApply(t, s, &graph.Batch{Nodes: []graph.Node{
		&graph.Claim{Key: "verify-claim", Text: "Consistency checks find missing and extra keys", Topics: []string{"storage"}},
	}, Links: []graph.Link{{From: "verify-claim", To: claims[0], Relation: graph.RelSupports}}, By: "curator"})
	lid := graph.LinkID{From: l.From, To: l.To, Relation: l.Relation}
	mustApply(t, s, &graph.Batch{Retracts: []graph.Retract{{Link: &lid, Reason: "wrong"}, {Key: "verify-claim", Reason: "test"}}, By: "curator"})
	mustApply(t, s, &graph.Batch{Unlinks: []graph.LinkID{{From: "verify-claim", To: claims[0], Relation: graph.RelSupports}}, By: "curator"})
	mustApply(t, s, &graph.Batch{Merges: []graph.Merge{{Into: "verify-extra", Keys: []string{"verify-dup"}}}, By: "curator"})
	return s
}

func TestVerifyDemo(t *testing.T) {
	for _, tc := range []struct {
		name string
		dir  func(t *testing.T) string
	}{
		{"in memory", func(*testing.T) string { return "" }},
		{"on disk", func(t *testing.T) string { return t.TempDir() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := curatedDemo(t, tc.dir(t))
			rep := mustVerify(t, s, VerifyOptions{})
			wantClean(t, "curated demo", rep)
			if rep.Nodes < 10 || rep.Links == 0 || rep.Keys < rep.Nodes || rep.Passes != 1 {
				t.Errorf("report counts look wrong: %+v", rep)
			}
		})
	}
}

func TestVerifyGenerated(t *testing.T) {
	s := openVerifyStore(t, "")
	b, err := gen.Generate(gen.Options{Quotes: 200, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	mustApply(t, s, b.Batch("import:gen", ""))
	for _, opt := range []VerifyOptions{{}, {PassNodes: 100}} {
		rep := mustVerify(t, s, opt)
		wantClean(t, "generated corpus", rep)
		per := opt.PassNodes
		if per == 0 {
			per = 50_000
		}
		if want := 1 + rep.Nodes/per; rep.Passes != want {
			t.Errorf("PassNodes %d: %d passes, want %d", opt.PassNodes, rep.Passes, want)
		}
		if rep.Nodes != len(b.Nodes) {
			t.Errorf("report counts %d nodes, the corpus has %d", rep.Nodes, len(b.Nodes))
		}
	}
}

// TestVerifyContract runs the graph.Store contract suite and verifies each
// store it leaves: every history, curation and merge the suite writes must
// leave a consistent store.
func TestVerifyContract(t *testing.T) {
	graphtest.Run(t, graphtest.Opener{Open: func(t *testing.T) graph.Store {
		s := openVerifyStore(t, "")
		t.Cleanup(func() {
			rep, err := s.Verify(context.Background(), VerifyOptions{})
			if errors.Is(err, graph.ErrClosed) {
				return // the test closed the store itself
			}
			if err != nil {
				t.Errorf("Verify: %v", err)
				return
			}
			wantClean(t, "after "+t.Name(), rep)
		})
		return s
	}})
}

// fixture locates keys of the curated demo for the corruption cases.
type fixture struct {
	s *Store
}

func (f fixture) id(t *testing.T, key string) uint64 {
	t.Helper()
	var id uint64
	err := f.s.View(t.Context(), func(r graph.Reader) error {
		var ok bool
		var err error
		id, ok, err = r.(*reader).id(t.Context(), key)
		if err == nil && !ok {
			err = errors.New("no id")
		}
		return err
	})
	if err != nil {
		t.Fatalf("id of %q: %v", key, err)
	}
	return id
}

// first returns the first key (and its value) with the prefix that keep
// accepts.
func (f fixture) first(t *testing.T, prefix []byte, keep func(k, v []byte) bool) ([]byte, []byte) {
	t.Helper()
	snap, err := f.s.kv.Snapshot(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	var key, val []byte
	err = snap.Scan(t.Context(), Range{Prefix: prefix}, func(k, v []byte) error {
		if keep == nil || keep(k, v) {
			key, val = append([]byte(nil), k...), append([]byte(nil), v...)
			return ErrStopScan
		}
		return nil
	})
	if err != nil || key == nil {
		t.Fatalf("no key with prefix %q: %v", prefix, err)
	}
	return key, val
}

func (f fixture) write(t *testing.T, fn func(tx Txn) error) {
	t.Helper()
	if _, err := f.s.kv.Update(t.Context(), fn); err != nil {
		t.Fatalf("corrupting: %v", err)
	}
}

func set(k, v []byte) func(Txn) error { return func(tx Txn) error { return tx.Set(k, v) } }
func del(k []byte) func(Txn) error    { return func(tx Txn) error { return tx.Delete(k) } }
func isRef(k, _ []byte) bool          { return len(k) == adjKeyLen && k[9] < firstLinkCode }
func isLink(k, _ []byte) bool         { return len(k) == adjKeyLen && k[9] >= firstLinkCode }
func isPosting(k, _ []byte) bool      { return blockKeyPrefix(k) > 0 }

// logicalPrefix returns the logical list prefix of a block list prefix.
func logicalPrefix(p []byte) []byte {
	out := slices.Clone(p)
	out[1] = logicalField(p[1])
	return out
}
func mustHex(s string) []byte { b, _ := hex.DecodeString(s); return b }

func TestVerifyFindsCorruption(t *testing.T) {
	// Each case corrupts the curated demo and names the key it broke and
	// the family and check the report must give it.
	cases := []struct {
		name    string
		corrupt func(t *testing.T, f fixture) corruption
	}{
		{"reference edge: incoming key deleted", func(t *testing.T, f fixture) corruption {
			k, _ := f.first(t, []byte{famIn}, isRef)
			f.write(t, del(k))
			return corruption{key: k, family: "i", check: "missing"}
		}},
		{"reference edge: outgoing key deleted", func(t *testing.T, f fixture) corruption {
			k, _ := f.first(t, []byte{famOut}, isRef)
			f.write(t, del(k))
			return corruption{key: k, family: "o", check: "missing"}
		}},
		{"reference edge: value changed", func(t *testing.T, f fixture) corruption {
			k, v := f.first(t, []byte{famOut}, isRef)
			ev, err := decodeEdge(v)
			if err != nil {
				t.Fatal(err)
			}
			ev.Qualifier = "tampered"
			f.write(t, set(k, encodeEdge(ev)))
			return corruption{key: k, family: "o", check: "value"}
		}},
		{"stray reference edge", func(t *testing.T, f fixture) corruption {
			k := adjKey(famOut, f.id(t, "verify-extra"), relCodes[graph.RelAffiliation], f.id(t, "verify-claim"))
			f.write(t, set(k, encodeEdge(edgeValue{Other: "verify-claim"})))
			return corruption{key: k, family: "o", check: "extra"}
		}},
		{"link: incoming key deleted", func(t *testing.T, f fixture) corruption {
			k, _ := f.first(t, []byte{famIn}, isLink)
			f.write(t, del(k))
			_, a, code, b, _ := parseAdjKey(k)
			return corruption{key: adjKey(famIn, a, code, b), family: "i", check: "missing"}
		}},
		{"link: outgoing key deleted", func(t *testing.T, f fixture) corruption {
			k, _ := f.first(t, []byte{famOut}, isLink)
			f.write(t, del(k))
			_, a, code, b, _ := parseAdjKey(k)
			return corruption{key: adjKey(famIn, b, code, a), family: "i", check: "link"}
		}},
		{"link: directions disagree", func(t *testing.T, f fixture) corruption {
			k, v := f.first(t, []byte{famIn}, isLink)
			ev, _ := decodeEdge(v)
			ev.Note = "only on one side"
			f.write(t, set(k, encodeEdge(ev)))
			return corruption{key: k, family: "i", check: "value"}
		}},
		{"link to a missing node", func(t *testing.T, f fixture) corruption {
			k := adjKey(famOut, f.id(t, "verify-extra"), relCodes[graph.RelSupports], makeID(graph.KindClaim, 999))
			f.write(t, set(k, encodeEdge(edgeValue{Other: "nowhere"})))
			return corruption{key: k, family: "o", check: "link"}
		}},
		{"stray name index key", func(t *testing.T, f fixture) corruption {
			k := exactKey(idxName, "nobody at all", f.id(t, "verify-extra"))
			f.write(t, set(k, []byte("verify-extra")))
			return corruption{key: k, family: "x", check: "extra"}
		}},
		{"name index key deleted", func(t *testing.T, f fixture) corruption {
			k, _ := f.first(t, []byte{famExact, idxName}, nil)
			f.write(t, del(k))
			return corruption{key: k, family: "x", check: "missing"}
		}},
		{"date index key deleted", func(t *testing.T, f fixture) corruption {
			k, _ := f.first(t, []byte{famDate}, nil)
			f.write(t, del(k))
			return corruption{key: k, family: "d", check: "missing"}
		}},
		{"search posting block deleted", func(t *testing.T, f fixture) corruption {
			k, v := f.first(t, []byte{famSearch}, isPosting)
			f.write(t, del(k))
			// Each posting of the block is missing: the first one's key.
			n := blockKeyPrefix(k)
			var b postingBlock
			if err := decodePostingBlock(decodeID(k[n:]), v, &b); err != nil {
				t.Fatal(err)
			}
			return corruption{key: appendID(logicalPrefix(k[:n]), b.ids[0]), family: "s", check: "missing"}
		}},
		{"search posting block corrupt", func(t *testing.T, f fixture) corruption {
			k, v := f.first(t, []byte{famSearch}, isPosting)
			f.write(t, set(k, append(v, 0)))
			return corruption{key: k, family: "s", check: "decode", alsoAccepted: []string{"s missing"}}
		}},
		{"search posting value changed", func(t *testing.T, f fixture) corruption {
			k, v := f.first(t, []byte{famSearch}, isPosting)
			n := blockKeyPrefix(k)
			var b postingBlock
			if err := decodePostingBlock(decodeID(k[n:]), v, &b); err != nil {
				t.Fatal(err)
			}
			es := b.entries()
			es[0].val = append(es[0].val, 0) // one more byte of payload
			nv, err := encodePostingBlock(b.heads, es)
			if err != nil {
				t.Fatal(err)
			}
			f.write(t, set(k, nv))
			return corruption{key: appendID(logicalPrefix(k[:n]), es[0].id), family: "s", check: "value"}
		}},
		{"stray posting in a block", func(t *testing.T, f fixture) corruption {
			k, v := f.first(t, []byte{famSearch}, isPosting)
			n := blockKeyPrefix(k)
			var b postingBlock
			if err := decodePostingBlock(decodeID(k[n:]), v, &b); err != nil {
				t.Fatal(err)
			}
			// A posting of a node that does not hold the term, before the
			// block's first.
			stray := f.id(t, "verify-extra")
			if stray >= b.ids[0] {
				t.Fatalf("node %x is not before the block's first posting %x", stray, b.ids[0])
			}
			es := append([]postingEntry{{stray, b.entries()[0].val}}, b.entries()...)
			nv, err := encodePostingBlock(b.heads, es)
			if err != nil {
				t.Fatal(err)
			}
			f.write(t, set(k, nv))
			return corruption{key: appendID(logicalPrefix(k[:n]), stray), family: "s", check: "extra"}
		}},
		{"posting blocks overlap", func(t *testing.T, f fixture) corruption {
			k, v := f.first(t, []byte{famSearch}, func(k, v []byte) bool {
				var b postingBlock
				return isPosting(k, v) && decodePostingBlock(decodeID(k[blockKeyPrefix(k):]), v, &b) == nil && b.len() >= 2
			})
			n := blockKeyPrefix(k)
			var b postingBlock
			if err := decodePostingBlock(decodeID(k[n:]), v, &b); err != nil {
				t.Fatal(err)
			}
			// A block before it holding its first posting again.
			es := b.entries()
			nv, err := encodePostingBlock(b.heads, es[:1])
			if err != nil {
				t.Fatal(err)
			}
			f.write(t, set(appendID(slices.Clone(k[:n]), es[0].id), nv))
			return corruption{key: k, family: "s", check: "decode", alsoAccepted: []string{"s extra"}}
		}},
		{"posting key of layout 4", func(t *testing.T, f fixture) corruption {
			k, v := f.first(t, []byte{famSearch}, isPosting)
			n := blockKeyPrefix(k)
			var b postingBlock
			if err := decodePostingBlock(decodeID(k[n:]), v, &b); err != nil {
				t.Fatal(err)
			}
			lk := appendID(logicalPrefix(k[:n]), b.ids[0])
			f.write(t, set(lk, b.value(nil, 0)))
			return corruption{key: lk, family: "s", check: "extra"}
		}},
		{"search length deleted", func(t *testing.T, f fixture) corruption {
			k, _ := f.first(t, []byte{famSearch, searchLenField}, nil)
			f.write(t, del(k))
			return corruption{key: k, family: "s", check: "missing"}
		}},
		{"search statistics wrong", func(t *testing.T, f fixture) corruption {
			k, _ := f.first(t, []byte{famSearch, searchStatsField}, nil)
			f.write(t, set(k, []byte{1, 1}))
			return corruption{key: k, family: "s", check: "stats"}
		}},
		{"key index entry deleted", func(t *testing.T, f fixture) corruption {
			k := keyIndexKey("verify-extra")
			f.write(t, del(k))
			return corruption{key: k, family: "k", check: "missing", alsoAccepted: []string{"r merge", "k extra", "a extra"}}
		}},
		{"kind list entry deleted", func(t *testing.T, f fixture) corruption {
			k := kindListKey(graph.KindPerson, "verify-extra")
			f.write(t, del(k))
			return corruption{key: k, family: "y", check: "missing", alsoAccepted: []string{"c count"}}
		}},
		{"record broken", func(t *testing.T, f fixture) corruption {
			k := nodeKey(f.id(t, "verify-extra"))
			f.write(t, set(k, []byte{recordV1, byte(graph.KindPerson), '{'}))
			return corruption{key: k, family: "n", check: "decode"}
		}},
		{"record changed without its indexes", func(t *testing.T, f fixture) corruption {
			id := f.id(t, "verify-extra")
			rec, err := encodeNode(&graph.Person{Key: "verify-extra", Name: "Someone Else Entirely"})
			if err != nil {
				t.Fatal(err)
			}
			f.write(t, set(nodeKey(id), rec))
			return corruption{key: exactPrefix(idxName, "someone else entirely"), family: "x", check: "missing"}
		}},
		{"record refers to a missing key", func(t *testing.T, f fixture) corruption {
			id := f.id(t, "verify-extra")
			rec, _ := encodeNode(&graph.Person{Key: "verify-extra", Name: "Ana Verify", Affiliations: []graph.Affiliation{{Organisation: "ghost-org"}}})
			f.write(t, set(nodeKey(id), rec))
			return corruption{key: nodeKey(id), family: "n", check: "reference"}
		}},
		{"latest revision wrong", func(t *testing.T, f fixture) corruption {
			k := latestKey(f.id(t, "verify-claim"))
			f.write(t, set(k, encodeUint64(1)))
			return corruption{key: k, family: "v", check: "value"}
		}},
		{"revision of another key", func(t *testing.T, f fixture) corruption {
			id := f.id(t, "verify-extra")
			k, _ := f.first(t, histPrefix(id), nil)
			f.write(t, set(k, encodeRevision(graph.Revision{Change: graph.ChangeRetracted, Key: "someone-else"})))
			return corruption{key: k, family: "h", check: "history"}
		}},
		{"counter behind the ids", func(t *testing.T, f fixture) corruption {
			k := counterKey(graph.KindPerson)
			f.write(t, set(k, encodeUint64(1)))
			return corruption{key: k, family: "c", check: "counter"}
		}},
		{"live count off by one", func(t *testing.T, f fixture) corruption {
			k, v := f.first(t, liveCountKey(graph.KindQuote), nil)
			c, _ := decodeUint64(v)
			f.write(t, set(k, encodeUint64(c+1)))
			return corruption{key: k, family: "c", check: "count"}
		}},
		{"merged flag deleted", func(t *testing.T, f fixture) corruption {
			f.write(t, del(metaMergedKey))
			return corruption{key: metaMergedKey, family: "m", check: "missing"}
		}},
		{"retracted flag deleted", func(t *testing.T, f fixture) corruption {
			f.write(t, del(metaRetractedKey))
			return corruption{key: metaRetractedKey, family: "m", check: "missing"}
		}},
		{"retracted flag without a retraction", func(t *testing.T, f fixture) corruption {
			f.write(t, func(tx Txn) error {
				var keys [][]byte
				err := tx.Scan(t.Context(), Range{Prefix: []byte{famRetracted}, KeysOnly: true}, func(k, _ []byte) error {
					keys = append(keys, bytes.Clone(k))
					return nil
				})
				for _, k := range keys {
					if err == nil {
						err = tx.Delete(k)
					}
				}
				return err
			})
			return corruption{key: metaRetractedKey, family: "m", check: "extra", alsoAccepted: []string{"h history"}}
		}},
		{"merge back-reference deleted", func(t *testing.T, f fixture) corruption {
			k := mergedToKey(f.id(t, "verify-extra"), "verify-dup")
			f.write(t, del(k))
			return corruption{key: k, family: "a", check: "missing"}
		}},
		{"merged key resolves nowhere", func(t *testing.T, f fixture) corruption {
			k := mergedKey("verify-dup")
			_, v := f.first(t, k, nil)
			old, _, _ := decodeMerged(v)
			f.write(t, set(k, encodeMerged(old, "no-such-key")))
			return corruption{key: k, family: "r", check: "merge", alsoAccepted: []string{"k extra", "a extra"}}
		}},
		{"retraction of nothing", func(t *testing.T, f fixture) corruption {
			k := retractedKey(makeID(graph.KindQuote, 12345))
			f.write(t, set(k, encodeRetraction(graph.Retraction{By: "x"})))
			return corruption{key: k, family: "w", check: "extra", alsoAccepted: []string{"c counter"}}
		}},
		{"key of an unknown family", func(t *testing.T, f fixture) corruption {
			k := []byte("zz-stray")
			f.write(t, set(k, []byte("?")))
			return corruption{key: k, family: "z", check: "extra"}
		}},
		{"trailing byte on an index key", func(t *testing.T, f fixture) corruption {
			k, v := f.first(t, []byte{famExact, idxName}, nil)
			bad := append(append([]byte(nil), k...), 0)
			f.write(t, func(tx Txn) error {
				if err := tx.Delete(k); err != nil {
					return err
				}
				return tx.Set(bad, v)
			})
			return corruption{key: bad, family: "x", check: "extra", alsoAccepted: []string{"x missing"}}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := curatedDemo(t, "") // verified clean by TestVerifyDemo
			c := tc.corrupt(t, fixture{s})
			for _, opt := range []VerifyOptions{{}, {PassNodes: 7}} {
				rep := mustVerify(t, s, opt)
				if rep.OK() {
					t.Fatalf("PassNodes %d: verify found nothing", opt.PassNodes)
				}
				found := false
				for _, p := range rep.Problems {
					got, _ := hex.DecodeString(p.KeyHex)
					if p.Family == c.family && p.Check == c.check && strings.HasPrefix(string(got), string(c.key)) {
						found = true
						if p.Key == "" || p.Message == "" || !strings.HasPrefix(p.String(), c.family+" "+c.check) {
							t.Errorf("problem badly described: %+v", p)
						}
					}
				}
				if !found {
					t.Errorf("PassNodes %d: no %s %s problem for key %s; got %v", opt.PassNodes, c.family, c.check, formatKey(c.key), rep.Problems)
				}
				for what := range rep.Counts {
					if what != c.family+" "+c.check && !strings.HasPrefix(what, "n ") && !contains(c.alsoAccepted, what) && !secondary(c, what) {
						t.Errorf("PassNodes %d: unexpected %q problems: %v", opt.PassNodes, what, rep.Problems)
					}
				}
			}
		})
	}
}

// secondary reports whether a problem class follows from the corruption:
// a broken or changed record leaves its old derived keys extra and its new
// ones missing.
func secondary(c corruption, what string) bool {
	if what == "c count" && (c.family == "o" || c.family == "i") {
		return true // an edge added or deleted behind the writer's back: the edge count disagrees
	}
	return c.family == "n" || (c.family == "x" && c.check == "missing" && (what == "x extra" || what == "s extra" || what == "s missing" || what == "s value" || what == "s stats"))
}

// corruption is what a corruption case broke: the key, and the family and
// check the report must name it with.
type corruption struct {
	key          []byte
	family       string
	check        string
	alsoAccepted []string // other "family check" classes the break causes
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func TestVerifyReportBounded(t *testing.T) {
	s := curatedDemo(t, "")
	f := fixture{s}
	f.write(t, func(tx Txn) error {
		for i := range 30 {
			if err := tx.Set(exactKey(idxName, "stray", makeID(graph.KindPerson, uint64(1000+i))), []byte("x")); err != nil {
				return err
			}
		}
		return nil
	})
	rep := mustVerify(t, s, VerifyOptions{MaxProblems: 5})
	if rep.Total != 30 || len(rep.Problems) != 5 || rep.Counts["x extra"] != 30 {
		t.Errorf("want 30 problems, 5 listed, counted as x extra; got total %d, %d listed, counts %v", rep.Total, len(rep.Problems), rep.Counts)
	}
}

func TestFormatKey(t *testing.T) {
	for _, tc := range []struct {
		key  []byte
		want string
	}{
		{adjKey(famOut, makeID(graph.KindQuote, 7), 0x01, makeID(graph.KindPerson, 2)), "o|0400000000000007|speaker|0100000000000002"},
		{nodeKey(makeID(graph.KindQuote, 7)), "n|0400000000000007"},
		{keyIndexKey("q1"), `k|"q1"`},
		{kindListKey(graph.KindQuote, "q1"), `y|quote|"q1"`},
		{exactKey(idxName, "ana", makeID(graph.KindPerson, 2)), `x|"\x01ana\x00\x01"|0100000000000002`},
		{mustHex("6d67"), `m|"g"`},
		{[]byte{}, `""`},
	} {
		if got := formatKey(tc.key); got != tc.want {
			t.Errorf("formatKey(%x) = %s, want %s", tc.key, got, tc.want)
		}
	}
}
