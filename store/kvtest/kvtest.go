// Package kvtest is the conformance suite for implementations of
// store.KV, in the manner of testing/fstest.TestFS: every engine runs the
// same checks from its own tests.
//
//	func TestKV(t *testing.T) {
//		kvtest.Run(t, kvtest.Opener{Open: func(t *testing.T) store.KV { ... }})
//	}
//
// # What the suite checks
//
// Gets and scans in byte order with every Range field, forward and
// reverse; reads of a write
// transaction see the last commit, not the transaction's own writes;
// snapshots at past commit timestamps stay exact after later writes and
// deletes; commit timestamps increase strictly; an update that stages
// nothing commits nothing; an update whose function fails writes nothing;
// keys starting with 0x00 are refused; concurrent readers see a large
// commit entirely or not at all; Close waits for nothing it should not and
// turns later calls into errors wrapping graph.ErrClosed. With Reopen, data,
// timestamps and past snapshots survive a close and reopen.
package kvtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"claimgraph/graph"
	"claimgraph/store"
)

// Opener opens engines for the suite. Open returns a new, empty engine and
// registers its own cleanup (the suite may close it too; a second Close must
// not fail). Reopen, when set, closes old and opens the same data again;
// the suite closes its snapshots first, since Close may wait for them.
type Opener struct {
	Open   func(t *testing.T) store.KV
	Reopen func(t *testing.T, old store.KV) store.KV
	// BigCommit is the number of keys of the large-commit check; 0 means
	// 20000.
	BigCommit int
}

// Run runs every check as a subtest of t.
func Run(t *testing.T, o Opener) {
	t.Helper()
	if o.Open == nil {
		t.Fatal("kvtest: Opener.Open is nil")
	}
	checks := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"Empty", testEmpty},
		{"SetGet", testSetGet},
		{"TxnReadsLastCommit", testTxnReadsLastCommit},
		{"NothingStaged", testNothingStaged},
		{"FailedUpdate", testFailedUpdate},
		{"Delete", testDelete},
		{"ScanOrder", testScanOrder},
		{"ScanRanges", testScanRanges},
		{"ScanStop", testScanStop},
		{"ScanReverse", testScanReverse},
		{"Versions", testVersions},
		{"Timestamps", testTimestamps},
		{"ReservedKeys", testReservedKeys},
		{"ValuesAreCopies", testValuesAreCopies},
		{"BigCommitAtomic", testBigCommitAtomic},
		{"Concurrent", testConcurrent},
		{"Closed", testClosed},
	}
	if o.Reopen != nil {
		checks = append(checks, struct {
			name string
			fn   func(*testing.T, Opener)
		}{"Reopen", testReopen})
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) { c.fn(t, o) })
	}
}

func set(t *testing.T, kv store.KV, pairs ...string) uint64 {
	t.Helper()
	ts, err := kv.Update(t.Context(), func(tx store.Txn) error {
		for i := 0; i+1 < len(pairs); i += 2 {
			if err := tx.Set([]byte(pairs[i]), []byte(pairs[i+1])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	return ts
}

func snapshot(t *testing.T, kv store.KV, ts uint64) store.Snapshot {
	t.Helper()
	s, err := kv.Snapshot(t.Context(), ts)
	if err != nil {
		t.Fatalf("Snapshot(%d): %v", ts, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func get(t *testing.T, r store.KVReader, key string) (string, bool) {
	t.Helper()
	v, err := r.Get(t.Context(), []byte(key))
	if errors.Is(err, store.ErrKeyNotFound) {
		return "", false
	}
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return string(v), true
}

func wantValue(t *testing.T, r store.KVReader, key, want string) {
	t.Helper()
	got, ok := get(t, r, key)
	if !ok {
		t.Errorf("Get(%q) at ts %d: not found, want %q", key, r.ReadTs(), want)
	} else if got != want {
		t.Errorf("Get(%q) at ts %d = %q, want %q", key, r.ReadTs(), got, want)
	}
}

func wantMissing(t *testing.T, r store.KVReader, key string) {
	t.Helper()
	if got, ok := get(t, r, key); ok {
		t.Errorf("Get(%q) at ts %d = %q, want not found", key, r.ReadTs(), got)
	}
}

// scan returns "key=value" strings (or keys alone for KeysOnly).
func scan(t *testing.T, r store.KVReader, rg store.Range) []string {
	t.Helper()
	var out []string
	err := r.Scan(t.Context(), rg, func(k, v []byte) error {
		if rg.KeysOnly {
			if v != nil {
				return fmt.Errorf("KeysOnly scan passed value %q for key %q", v, k)
			}
			out = append(out, string(k))
		} else {
			out = append(out, string(k)+"="+string(v))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Scan(%+v): %v", rg, err)
	}
	return out
}

func testEmpty(t *testing.T, o Opener) {
	kv := o.Open(t)
	if ts := kv.LastCommit(); ts != 0 {
		t.Errorf("LastCommit of an empty engine = %d", ts)
	}
	s := snapshot(t, kv, 0)
	wantMissing(t, s, "a")
	if got := scan(t, s, store.Range{}); len(got) != 0 {
		t.Errorf("Scan of an empty engine = %v", got)
	}
}

func testSetGet(t *testing.T, o Opener) {
	kv := o.Open(t)
	var inside uint64
	ts, err := kv.Update(t.Context(), func(tx store.Txn) error {
		inside = tx.CommitTs()
		if err := tx.Set([]byte("b"), []byte("2")); err != nil {
			return err
		}
		if err := tx.Set([]byte("a"), []byte("1")); err != nil {
			return err
		}
		return tx.Set([]byte("e"), nil)
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if ts == 0 || ts != inside || kv.LastCommit() != ts {
		t.Errorf("Update returned ts %d, CommitTs inside %d, LastCommit %d; want equal and non-zero", ts, inside, kv.LastCommit())
	}
	s := snapshot(t, kv, 0)
	if s.ReadTs() != ts {
		t.Errorf("Snapshot(0).ReadTs() = %d, want %d", s.ReadTs(), ts)
	}
	wantValue(t, s, "a", "1")
	wantValue(t, s, "b", "2")
	wantValue(t, s, "e", "")
	wantMissing(t, s, "c")
}

func testTxnReadsLastCommit(t *testing.T, o Opener) {
	kv := o.Open(t)
	first := set(t, kv, "k", "old")
	_, err := kv.Update(t.Context(), func(tx store.Txn) error {
		if tx.ReadTs() != first {
			t.Errorf("Txn.ReadTs() = %d, want the last commit %d", tx.ReadTs(), first)
		}
		if tx.CommitTs() <= first {
			t.Errorf("Txn.CommitTs() = %d, not after the last commit %d", tx.CommitTs(), first)
		}
		if err := tx.Set([]byte("k"), []byte("new")); err != nil {
			return err
		}
		if err := tx.Set([]byte("n"), []byte("new")); err != nil {
			return err
		}
		wantValue(t, tx, "k", "old")
		wantMissing(t, tx, "n")
		if got := scan(t, tx, store.Range{}); !slices.Equal(got, []string{"k=old"}) {
			t.Errorf("Scan inside the txn = %v, want the last commit only", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s := snapshot(t, kv, 0)
	wantValue(t, s, "k", "new")
	wantValue(t, s, "n", "new")
}

func testNothingStaged(t *testing.T, o Opener) {
	kv := o.Open(t)
	first := set(t, kv, "a", "1")
	ts, err := kv.Update(t.Context(), func(tx store.Txn) error {
		_, _ = get(t, tx, "a")
		return nil
	})
	if err != nil || ts != 0 {
		t.Errorf("Update staging nothing = %d, %v; want 0, nil", ts, err)
	}
	if kv.LastCommit() != first {
		t.Errorf("LastCommit moved from %d to %d without a write", first, kv.LastCommit())
	}
}

func testFailedUpdate(t *testing.T, o Opener) {
	kv := o.Open(t)
	first := set(t, kv, "a", "1")
	boom := errors.New("boom")
	_, err := kv.Update(t.Context(), func(tx store.Txn) error {
		if err := tx.Set([]byte("a"), []byte("2")); err != nil {
			return err
		}
		if err := tx.Set([]byte("b"), []byte("2")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Update = %v, want the function's error", err)
	}
	if kv.LastCommit() != first {
		t.Errorf("a failed update moved LastCommit")
	}
	s := snapshot(t, kv, 0)
	wantValue(t, s, "a", "1")
	wantMissing(t, s, "b")
	// A cancelled context commits nothing either.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := kv.Update(ctx, func(tx store.Txn) error { return tx.Set([]byte("c"), []byte("3")) }); err == nil {
		t.Errorf("Update with a cancelled context succeeded")
	}
	wantMissing(t, snapshot(t, kv, 0), "c")
}

func testDelete(t *testing.T, o Opener) {
	kv := o.Open(t)
	set(t, kv, "a", "1", "b", "2", "c", "3")
	_, err := kv.Update(t.Context(), func(tx store.Txn) error {
		for _, err := range []error{
			tx.Delete([]byte("a")),
			tx.Set([]byte("b"), []byte("22")),
			tx.Delete([]byte("b")), // a later delete replaces the set
			tx.Delete([]byte("c")),
			tx.Set([]byte("c"), []byte("33")), // a later set replaces the delete
			tx.Delete([]byte("never")),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s := snapshot(t, kv, 0)
	wantMissing(t, s, "a")
	wantMissing(t, s, "b")
	wantValue(t, s, "c", "33")
	if got := scan(t, s, store.Range{}); !slices.Equal(got, []string{"c=33"}) {
		t.Errorf("Scan after deletes = %v", got)
	}
}

func testScanOrder(t *testing.T, o Opener) {
	kv := o.Open(t)
	keys := []string{"a", "a\x00", "a\x01", "aa", "ab", "b", "b\xff", "b\xff\xff", "\x01", "\xff", "\xff\x00"}
	shuffled := slices.Clone(keys)
	rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	var pairs []string
	for _, k := range shuffled {
		pairs = append(pairs, k, "v"+k)
	}
	set(t, kv, pairs...)
	want := slices.Clone(keys)
	slices.Sort(want)
	got := scan(t, snapshot(t, kv, 0), store.Range{KeysOnly: true})
	if !slices.Equal(got, want) {
		t.Errorf("Scan order = %q, want %q", got, want)
	}
}

func testScanRanges(t *testing.T, o Opener) {
	kv := o.Open(t)
	set(t, kv, "p/1", "one", "p/2", "two", "p/3", "three", "p/30", "thirty", "q/1", "q", "p", "bare", "o/9", "o")
	s := snapshot(t, kv, 0)
	cases := []struct {
		name string
		rg   store.Range
		want []string
	}{
		{"all", store.Range{KeysOnly: true}, []string{"o/9", "p", "p/1", "p/2", "p/3", "p/30", "q/1"}},
		{"prefix", store.Range{Prefix: []byte("p/")}, []string{"p/1=one", "p/2=two", "p/3=three", "p/30=thirty"}},
		{"prefix keys only", store.Range{Prefix: []byte("p/"), KeysOnly: true}, []string{"p/1", "p/2", "p/3", "p/30"}},
		{"prefix start", store.Range{Prefix: []byte("p/"), Start: []byte("p/2"), KeysOnly: true}, []string{"p/2", "p/3", "p/30"}},
		{"prefix start between", store.Range{Prefix: []byte("p/"), Start: []byte("p/25"), KeysOnly: true}, []string{"p/3", "p/30"}},
		{"prefix after", store.Range{Prefix: []byte("p/"), After: []byte("p/2"), KeysOnly: true}, []string{"p/3", "p/30"}},
		{"prefix after missing key", store.Range{Prefix: []byte("p/"), After: []byte("p/25"), KeysOnly: true}, []string{"p/3", "p/30"}},
		{"after wins over start", store.Range{Prefix: []byte("p/"), Start: []byte("p/1"), After: []byte("p/3"), KeysOnly: true}, []string{"p/30"}},
		{"after below prefix", store.Range{Prefix: []byte("p/"), After: []byte("a"), KeysOnly: true}, []string{"p/1", "p/2", "p/3", "p/30"}},
		{"start below prefix", store.Range{Prefix: []byte("p/"), Start: []byte("a"), KeysOnly: true}, []string{"p/1", "p/2", "p/3", "p/30"}},
		{"start past prefix", store.Range{Prefix: []byte("p/"), Start: []byte("q"), KeysOnly: true}, nil},
		{"prefix end", store.Range{Prefix: []byte("p/"), End: []byte("p/3"), KeysOnly: true}, []string{"p/1", "p/2"}},
		{"start end", store.Range{Start: []byte("p"), End: []byte("p/2"), KeysOnly: true}, []string{"p", "p/1"}},
		{"after end", store.Range{After: []byte("p"), End: []byte("q"), KeysOnly: true}, []string{"p/1", "p/2", "p/3", "p/30"}},
		{"limit", store.Range{Prefix: []byte("p/"), Limit: 2, KeysOnly: true}, []string{"p/1", "p/2"}},
		{"limit after", store.Range{Prefix: []byte("p/"), After: []byte("p/1"), Limit: 2, KeysOnly: true}, []string{"p/2", "p/3"}},
		{"prefix absent", store.Range{Prefix: []byte("z"), KeysOnly: true}, nil},
		{"exact key prefix", store.Range{Prefix: []byte("p/3")}, []string{"p/3=three", "p/30=thirty"}},
		{"reserved prefix", store.Range{Prefix: []byte{0x00}}, nil},
	}
	for _, c := range cases {
		if got := scan(t, s, c.rg); !slices.Equal(got, c.want) {
			t.Errorf("%s: Scan = %q, want %q", c.name, got, c.want)
		}
	}
}

// testScanReverse checks Range.Reverse: the keys of the forward scan in
// descending order for every combination of bounds, Limit keeping the
// largest, backward paging through End, deleted keys and past snapshots,
// and scans longer than an engine's page.
func testScanReverse(t *testing.T, o Opener) {
	kv := o.Open(t)
	keys := []string{"o/9", "p", "p/", "p/1", "p/2", "p/3", "p/30", "p/3\xff", "p/3\xff\xff", "p0", "q/1", "\x01", "\xff", "\xff\xff"}
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, k, "v"+k)
	}
	first := set(t, kv, pairs...)
	if _, err := kv.Update(t.Context(), func(tx store.Txn) error {
		if err := tx.Delete([]byte("p/2")); err != nil {
			return err
		}
		return tx.Set([]byte("p/25"), []byte("new"))
	}); err != nil {
		t.Fatal(err)
	}
	b := func(s string) []byte { return []byte(s) }
	ranges := []store.Range{
		{},
		{Prefix: b("p/")},
		{Prefix: b("p/"), Start: b("p/2")},
		{Prefix: b("p/"), Start: b("p/25")},
		{Prefix: b("p/"), After: b("p/2")},
		{Prefix: b("p/"), After: b("p/25")},
		{Prefix: b("p/"), Start: b("p/1"), After: b("p/3")},
		{Prefix: b("p/"), After: b("a")},
		{Prefix: b("p/"), Start: b("q")},
		{Prefix: b("p/"), End: b("p/3")},
		{Prefix: b("p/"), End: b("p/3\xff")},
		{Prefix: b("p/"), End: b("p0")},
		{Prefix: b("p/"), End: b("zz")},
		{Prefix: b("p/"), End: b("a")},
		{Start: b("p"), End: b("p/2")},
		{After: b("p"), End: b("q")},
		{Prefix: b("p/3")},
		{Prefix: b("p/3\xff")},
		{Prefix: b("\xff")},
		{Prefix: b("z")},
		{Prefix: []byte{0x00}},
		{End: b("\x01")},
		{Start: b("p/3"), End: b("p/3")},
	}
	for _, snap := range []store.Snapshot{snapshot(t, kv, 0), snapshot(t, kv, first)} {
		for _, rg := range ranges {
			for _, keysOnly := range []bool{false, true} {
				rg.KeysOnly = keysOnly
				fwd := scan(t, snap, rg)
				slices.Reverse(fwd)
				rev := rg
				rev.Reverse = true
				if got := scan(t, snap, rev); !slices.Equal(got, fwd) {
					t.Errorf("at %d: Scan(%+v) = %q, want %q", snap.ReadTs(), rev, got, fwd)
				}
				for _, limit := range []int{1, 2} {
					rev.Limit = limit
					want := fwd[:min(limit, len(fwd))]
					if got := scan(t, snap, rev); !slices.Equal(got, want) {
						t.Errorf("at %d: Scan(%+v) = %q, want %q", snap.ReadTs(), rev, got, want)
					}
				}
			}
		}
	}
	// Paging backwards with End, over more keys than an engine's page.
	var many []string
	for i := range 700 {
		many = append(many, fmt.Sprintf("m/%04d", i), "x")
	}
	set(t, kv, many...)
	s := snapshot(t, kv, 0)
	all := scan(t, s, store.Range{Prefix: b("m/"), KeysOnly: true})
	slices.Reverse(all)
	if got := scan(t, s, store.Range{Prefix: b("m/"), KeysOnly: true, Reverse: true}); !slices.Equal(got, all) {
		t.Errorf("reverse scan of 700 keys: %d keys, first %q, want %d", len(got), got[:min(3, len(got))], len(all))
	}
	var paged []string
	var end []byte
	for {
		page := scan(t, s, store.Range{Prefix: b("m/"), End: end, KeysOnly: true, Reverse: true, Limit: 64})
		paged = append(paged, page...)
		if len(page) < 64 {
			break
		}
		end = b(page[len(page)-1])
	}
	if !slices.Equal(paged, all) {
		t.Errorf("backward paging: %d keys, want %d", len(paged), len(all))
	}
	// ErrStopScan ends a reverse scan too.
	var seen []string
	err := s.Scan(t.Context(), store.Range{Prefix: b("m/"), Reverse: true}, func(k, v []byte) error {
		seen = append(seen, string(k))
		if len(seen) == 3 {
			return store.ErrStopScan
		}
		return nil
	})
	if err != nil || !slices.Equal(seen, all[:3]) {
		t.Errorf("reverse scan stopped after 3 = %q, %v", seen, err)
	}
}

func testScanStop(t *testing.T, o Opener) {
	kv := o.Open(t)
	set(t, kv, "a", "1", "b", "2", "c", "3")
	s := snapshot(t, kv, 0)
	var seen []string
	err := s.Scan(t.Context(), store.Range{}, func(k, v []byte) error {
		seen = append(seen, string(k))
		if string(k) == "b" {
			return store.ErrStopScan
		}
		return nil
	})
	if err != nil || !slices.Equal(seen, []string{"a", "b"}) {
		t.Errorf("Scan stopped at b = %v, %v", seen, err)
	}
	boom := errors.New("boom")
	err = s.Scan(t.Context(), store.Range{}, func(k, v []byte) error { return boom })
	if !errors.Is(err, boom) {
		t.Errorf("Scan with a failing callback = %v, want its error", err)
	}
}

func testVersions(t *testing.T, o Opener) {
	kv := o.Open(t)
	t1 := set(t, kv, "k", "v1", "gone", "here")
	old := snapshot(t, kv, 0)
	t2 := set(t, kv, "k", "v2", "new", "n")
	t3, err := kv.Update(t.Context(), func(tx store.Txn) error { return tx.Delete([]byte("gone")) })
	if err != nil {
		t.Fatal(err)
	}
	t4 := set(t, kv, "k", "v4")
	if !(t1 < t2 && t2 < t3 && t3 < t4) {
		t.Fatalf("timestamps not increasing: %d %d %d %d", t1, t2, t3, t4)
	}
	// A snapshot opened before later writes keeps its state.
	wantValue(t, old, "k", "v1")
	wantMissing(t, old, "new")
	wantValue(t, old, "gone", "here")
	for _, c := range []struct {
		ts              uint64
		k, gone, newKey string
	}{
		{t1, "v1", "here", ""}, {t2, "v2", "here", "n"}, {t2 + (t3-t2)/2, "v2", "here", "n"},
		{t3, "v2", "", "n"}, {t4, "v4", "", "n"}, {t4 + 1000, "v4", "", "n"}, {0, "v4", "", "n"},
	} {
		s := snapshot(t, kv, c.ts)
		wantValue(t, s, "k", c.k)
		for key, want := range map[string]string{"gone": c.gone, "new": c.newKey} {
			if want == "" {
				wantMissing(t, s, key)
			} else {
				wantValue(t, s, key, want)
			}
		}
		var want []string
		for _, p := range [][2]string{{"gone", c.gone}, {"k", c.k}, {"new", c.newKey}} {
			if p[1] != "" {
				want = append(want, p[0]+"="+p[1])
			}
		}
		if got := scan(t, s, store.Range{}); !slices.Equal(got, want) {
			t.Errorf("Scan at ts %d = %v, want %v", c.ts, got, want)
		}
	}
	if t1 > 1 {
		wantMissing(t, snapshot(t, kv, t1-1), "k")
	}
}

func testTimestamps(t *testing.T, o Opener) {
	kv := o.Open(t)
	var last uint64
	for i := range 50 {
		ts := set(t, kv, fmt.Sprintf("k%d", i%3), fmt.Sprint(i))
		if ts <= last {
			t.Fatalf("commit %d got ts %d, not after %d", i, ts, last)
		}
		last = ts
	}
}

func testReservedKeys(t *testing.T, o Opener) {
	kv := o.Open(t)
	for _, key := range [][]byte{nil, {}, {0x00}, {0x00, 'c'}} {
		_, err := kv.Update(t.Context(), func(tx store.Txn) error { return tx.Set(key, []byte("x")) })
		if !errors.Is(err, store.ErrReservedKey) {
			t.Errorf("Set(%q) = %v, want ErrReservedKey", key, err)
		}
		_, err = kv.Update(t.Context(), func(tx store.Txn) error { return tx.Delete(key) })
		if !errors.Is(err, store.ErrReservedKey) {
			t.Errorf("Delete(%q) = %v, want ErrReservedKey", key, err)
		}
	}
	set(t, kv, "a", "1")
	if got := scan(t, snapshot(t, kv, 0), store.Range{KeysOnly: true}); !slices.Equal(got, []string{"a"}) {
		t.Errorf("Scan shows engine keys: %q", got)
	}
}

func testValuesAreCopies(t *testing.T, o Opener) {
	kv := o.Open(t)
	set(t, kv, "a", "value")
	s := snapshot(t, kv, 0)
	v, err := s.Get(t.Context(), []byte("a"))
	if err != nil {
		t.Fatal(err)
	}
	copy(v, "XXXXX")
	wantValue(t, s, "a", "value")
}

func testBigCommitAtomic(t *testing.T, o Opener) {
	kv := o.Open(t)
	n := o.BigCommit
	if n == 0 {
		n = 20000
	}
	val := bytes.Repeat([]byte("v"), 200)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var bad []string
	var mu sync.Mutex
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			s, err := kv.Snapshot(context.Background(), 0)
			if err != nil {
				mu.Lock()
				bad = append(bad, err.Error())
				mu.Unlock()
				return
			}
			c := 0
			err = s.Scan(context.Background(), store.Range{Prefix: []byte("big/"), KeysOnly: true}, func(k, v []byte) error { c++; return nil })
			s.Close()
			if err != nil || (c != 0 && c != n) {
				mu.Lock()
				bad = append(bad, fmt.Sprintf("reader saw %d of %d keys (err %v)", c, n, err))
				mu.Unlock()
			}
		}
	}()
	_, err := kv.Update(t.Context(), func(tx store.Txn) error {
		for i := range n {
			if err := tx.Set(fmt.Appendf(nil, "big/%08d", i), val); err != nil {
				return err
			}
		}
		return nil
	})
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("Update of %d keys: %v", n, err)
	}
	for _, b := range bad {
		t.Error(b)
	}
	c := 0
	if err := snapshot(t, kv, 0).Scan(t.Context(), store.Range{Prefix: []byte("big/"), KeysOnly: true}, func(k, v []byte) error { c++; return nil }); err != nil {
		t.Fatal(err)
	}
	if c != n {
		t.Errorf("after the big commit %d keys, want %d", c, n)
	}
}

func testConcurrent(t *testing.T, o Opener) {
	kv := o.Open(t)
	const writers, rounds = 4, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers*rounds*2)
	for w := range writers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range rounds {
				_, err := kv.Update(context.Background(), func(tx store.Txn) error {
					return tx.Set(fmt.Appendf(nil, "w%d/%03d", w, i), []byte("x"))
				})
				if err != nil {
					errs <- err
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range rounds {
				s, err := kv.Snapshot(context.Background(), 0)
				if err != nil {
					errs <- err
					return
				}
				// Several goroutines may share one snapshot.
				var inner sync.WaitGroup
				for range 2 {
					inner.Add(1)
					go func() {
						defer inner.Done()
						if err := s.Scan(context.Background(), store.Range{KeysOnly: true}, func(k, v []byte) error { return nil }); err != nil {
							errs <- err
						}
					}()
				}
				inner.Wait()
				s.Close()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := scan(t, snapshot(t, kv, 0), store.Range{KeysOnly: true})
	if len(got) != writers*rounds {
		t.Errorf("after concurrent updates %d keys, want %d", len(got), writers*rounds)
	}
}

func testClosed(t *testing.T, o Opener) {
	kv := o.Open(t)
	set(t, kv, "a", "1")
	if err := kv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := kv.Snapshot(t.Context(), 0); !errors.Is(err, graph.ErrClosed) {
		t.Errorf("Snapshot after Close = %v, want ErrClosed", err)
	}
	if _, err := kv.Update(t.Context(), func(tx store.Txn) error { return tx.Set([]byte("b"), nil) }); !errors.Is(err, graph.ErrClosed) {
		t.Errorf("Update after Close = %v, want ErrClosed", err)
	}
	if err := kv.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func testReopen(t *testing.T, o Opener) {
	kv := o.Open(t)
	t1 := set(t, kv, "a", "1", "b", "2")
	t2 := set(t, kv, "a", "11")
	kv = o.Reopen(t, kv)
	if kv.LastCommit() != t2 {
		t.Errorf("LastCommit after reopen = %d, want %d", kv.LastCommit(), t2)
	}
	for ts, want := range map[uint64]string{0: "11", t1: "1"} {
		s, err := kv.Snapshot(t.Context(), ts)
		if err != nil {
			t.Fatal(err)
		}
		wantValue(t, s, "a", want)
		s.Close() // Close waits for open snapshots
	}
	t3 := set(t, kv, "c", "3")
	if t3 <= t2 {
		t.Errorf("commit after reopen got ts %d, not after %d", t3, t2)
	}
	kv = o.Reopen(t, kv)
	s := snapshot(t, kv, 0)
	if got := scan(t, s, store.Range{}); !slices.Equal(got, []string{"a=11", "b=2", "c=3"}) {
		t.Errorf("Scan after second reopen = %v", got)
	}
}
