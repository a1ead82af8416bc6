package postgres_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"claimgraph/graph"
	"claimgraph/graph/graphtest"
	"claimgraph/store"
	"claimgraph/store/kvtest"
	"claimgraph/store/postgres"
)

func TestKV(t *testing.T) {
	t.Parallel()
	dsn := server.DSN("postgres")
	schemaOf := map[store.KV]string{}
	var mu sync.Mutex
	kvtest.Run(t, kvtest.Opener{
		Open: func(t *testing.T) store.KV {
			s := newSchema()
			e := openEngine(t, dsn, s, false)
			mu.Lock()
			schemaOf[e] = s
			mu.Unlock()
			return e
		},
		Reopen: func(t *testing.T, old store.KV) store.KV {
			if err := old.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			mu.Lock()
			s := schemaOf[old]
			mu.Unlock()
			e := openEngine(t, dsn, s, false)
			mu.Lock()
			schemaOf[e] = s
			mu.Unlock()
			return e
		},
	})
}

// openStore opens a graph store on a new engine in schema.
func openStore(t *testing.T, dsn, schema string, readOnly bool) *store.Store {
	t.Helper()
	e := openEngine(t, dsn, schema, readOnly)
	s, err := store.New(t.Context(), e, testLogger(t))
	if err != nil {
		t.Fatalf("store.New: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContract(t *testing.T) {
	t.Parallel()
	dsn := server.DSN("postgres")
	schemaOf := map[graph.Store]string{}
	graphtest.Run(t, graphtest.Opener{
		Open: func(t *testing.T) graph.Store {
			sc := newSchema()
			s := openStore(t, dsn, sc, false)
			schemaOf[s] = sc
			return s
		},
		Reopen: func(t *testing.T, old graph.Store) graph.Store {
			if err := old.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			sc := schemaOf[old]
			s := openStore(t, dsn, sc, false)
			schemaOf[s] = sc
			return s
		},
	})
}

// update commits the pairs (a nil value deletes) and returns the commit
// timestamp.
func update(t *testing.T, kv store.KV, pairs map[string][]byte) uint64 {
	t.Helper()
	ts, err := kv.Update(t.Context(), func(tx store.Txn) error {
		for k, v := range pairs {
			var err error
			if v == nil {
				err = tx.Delete([]byte(k))
			} else {
				err = tx.Set([]byte(k), v)
			}
			if err != nil {
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

func scanKeys(t *testing.T, r store.KVReader, rg store.Range) []string {
	t.Helper()
	var out []string
	err := r.Scan(t.Context(), rg, func(k, v []byte) error {
		out = append(out, string(k))
		return nil
	})
	if err != nil {
		t.Fatalf("Scan(%+v): %v", rg, err)
	}
	return out
}

func snap(t *testing.T, kv store.KV, ts uint64) store.Snapshot {
	t.Helper()
	s, err := kv.Snapshot(t.Context(), ts)
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestByteOrder checks that bytea compares bytewise, as Go's bytes.Compare
// does, with keys around 0x00 and 0xff, prefixes made of 0xff (which have
// no successor) and range ends inside such keys.
func TestByteOrder(t *testing.T) {
	e := openEngine(t, server.DSN("postgres"), newSchema(), false)
	keys := []string{
		"\x01", "\x01\x00", "\x01\x00\x00", "\x01\x00\x01", "\x01\x01", "\x01\xff",
		"a", "a\x00", "a\x00\xff", "a\x01", "a\x7f", "a\x80", "a\xfe", "a\xff", "a\xff\x00", "a\xff\xff", "a\xff\xff\xff", "b",
		"\x7f", "\x80", "\xfe\xff", "\xff", "\xff\x00", "\xff\xff", "\xff\xff\x00", "\xff\xff\xff",
	}
	pairs := map[string][]byte{}
	for _, k := range keys {
		pairs[k] = []byte("v" + k)
	}
	update(t, e, pairs)
	s := snap(t, e, 0)
	sorted := slices.Clone(keys)
	slices.SortFunc(sorted, func(a, b string) int { return bytes.Compare([]byte(a), []byte(b)) })
	withPrefix := func(p string, end string) []string {
		var out []string
		for _, k := range sorted {
			if strings.HasPrefix(k, p) && (end == "" || k < end) {
				out = append(out, k)
			}
		}
		return out
	}
	cases := []struct {
		name string
		rg   store.Range
		want []string
	}{
		{"all", store.Range{}, sorted},
		{"prefix a", store.Range{Prefix: []byte("a")}, withPrefix("a", "")},
		{"prefix a ff", store.Range{Prefix: []byte("a\xff")}, withPrefix("a\xff", "")},
		{"prefix a ff ff", store.Range{Prefix: []byte("a\xff\xff")}, withPrefix("a\xff\xff", "")},
		{"prefix ff", store.Range{Prefix: []byte("\xff")}, withPrefix("\xff", "")},
		{"prefix ff ff", store.Range{Prefix: []byte("\xff\xff")}, withPrefix("\xff\xff", "")},
		{"prefix 01 00", store.Range{Prefix: []byte("\x01\x00")}, withPrefix("\x01\x00", "")},
		{"prefix a end a ff", store.Range{Prefix: []byte("a"), End: []byte("a\xff")}, withPrefix("a", "a\xff")},
		{"prefix a end a 00", store.Range{Prefix: []byte("a"), End: []byte("a\x00")}, []string{"a"}},
		{"after a", store.Range{Prefix: []byte("a"), After: []byte("a")}, withPrefix("a", "")[1:]},
		{"after a ff", store.Range{Prefix: []byte("a"), After: []byte("a\xff")}, []string{"a\xff\x00", "a\xff\xff", "a\xff\xff\xff"}},
		{"start 00", store.Range{Start: []byte{0x00}, End: []byte{0x01, 0x01}}, []string{"\x01", "\x01\x00", "\x01\x00\x00", "\x01\x00\x01"}},
	}
	for _, c := range cases {
		if got := scanKeys(t, s, c.rg); !slices.Equal(got, c.want) {
			t.Errorf("%s: Scan = %q, want %q", c.name, got, c.want)
		}
	}
	for _, k := range keys {
		v, err := s.Get(t.Context(), []byte(k))
		if err != nil || string(v) != "v"+k {
			t.Errorf("Get(%q) = %q, %v", k, v, err)
		}
	}
	if _, err := s.Get(t.Context(), []byte("a\x00\x00")); !errors.Is(err, store.ErrKeyNotFound) {
		t.Errorf("Get of a key never written = %v, want ErrKeyNotFound", err)
	}
}

// TestPages scans more keys than one query returns, with values, limits,
// cursors and deletions at page boundaries.
func TestPages(t *testing.T) {
	e := openEngine(t, server.DSN("postgres"), newSchema(), false)
	const n = 6000
	key := func(i int) string { return fmt.Sprintf("p/%05d", i) }
	pairs := map[string][]byte{}
	for i := range n {
		pairs[key(i)] = binary.BigEndian.AppendUint32(nil, uint32(i))
	}
	t1 := update(t, e, pairs)
	// Delete the keys around the first page boundaries and rewrite some.
	later := map[string][]byte{}
	for _, i := range []int{255, 256, 257, 1279, 1280, 1281, 5999} {
		later[key(i)] = nil
	}
	for i := 0; i < n; i += 1000 {
		later[key(i)] = []byte("new")
	}
	t2 := update(t, e, later)
	for _, c := range []struct {
		ts      uint64
		deleted map[string]bool
	}{{t1, nil}, {t2, map[string]bool{}}} {
		var want []string
		for i := range n {
			k := key(i)
			if c.deleted != nil {
				if v, ok := later[k]; ok && v == nil {
					continue
				}
			}
			want = append(want, k)
		}
		s := snap(t, e, c.ts)
		// Whole range, with values checked.
		var got []string
		err := s.Scan(t.Context(), store.Range{Prefix: []byte("p/")}, func(k, v []byte) error {
			got = append(got, string(k))
			var i int
			fmt.Sscanf(string(k), "p/%05d", &i)
			wantV := binary.BigEndian.AppendUint32(nil, uint32(i))
			if c.ts == t2 && later[string(k)] != nil {
				wantV = later[string(k)]
			}
			if !bytes.Equal(v, wantV) {
				return fmt.Errorf("value of %s = %x, want %x", k, v, wantV)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("ts %d: %v", c.ts, err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("ts %d: scan returned %d keys, want %d", c.ts, len(got), len(want))
		}
		for _, rg := range []store.Range{
			{Prefix: []byte("p/"), Limit: 300, KeysOnly: true},
			{Prefix: []byte("p/"), Limit: 2000, KeysOnly: true},
			{Prefix: []byte("p/"), After: []byte(key(100)), Limit: 1500, KeysOnly: true},
			{Prefix: []byte("p/"), Start: []byte(key(250)), End: []byte(key(5000)), KeysOnly: true},
		} {
			var exp []string
			for _, k := range want {
				if rg.After != nil && k <= string(rg.After) || rg.Start != nil && k < string(rg.Start) || rg.End != nil && k >= string(rg.End) {
					continue
				}
				exp = append(exp, k)
			}
			if rg.Limit > 0 && len(exp) > rg.Limit {
				exp = exp[:rg.Limit]
			}
			if got := scanKeys(t, s, rg); !slices.Equal(got, exp) {
				t.Errorf("ts %d, %+v: %d keys (first %q), want %d", c.ts, rg, len(got), got[:min(3, len(got))], len(exp))
			}
		}
	}
	// A callback may read the same snapshot while the scan runs, on a pool
	// of two connections.
	small, err := postgres.Open(t.Context(), postgres.Options{DSN: server.DSN("postgres"), Schema: e.Schema(), MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	s, err := small.Snapshot(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close() // before small.Close, which waits for it
	count := 0
	err = s.Scan(t.Context(), store.Range{Prefix: []byte("p/"), KeysOnly: true}, func(k, v []byte) error {
		if count%500 == 0 {
			if _, err := s.Get(t.Context(), k); err != nil {
				return err
			}
		}
		count++
		return nil
	})
	if err != nil || count != n-7 {
		t.Errorf("scan with nested gets: %d keys, %v", count, err)
	}
}

// TestSharedDatabase runs two engines, as two stateless servers would, on
// one schema: their writers are serialised in the database (no lost
// update), commit timestamps never repeat, and each sees the other's
// commits at once.
func TestSharedDatabase(t *testing.T) {
	dsn := server.DSN("postgres")
	sc := newSchema()
	a := openEngine(t, dsn, sc, false)
	b := openEngine(t, dsn, sc, false)
	const rounds = 25
	var mu sync.Mutex
	var stamps []uint64
	var wg sync.WaitGroup
	errs := make(chan error, 4*rounds)
	for _, e := range []*postgres.Engine{a, b, a, b} {
		wg.Go(func() {
			for range rounds {
				ts, err := e.Update(context.Background(), func(tx store.Txn) error {
					// Read-modify-write of one counter: lost if two
					// writers read the same state.
					n := uint64(0)
					v, err := tx.Get(context.Background(), []byte("counter"))
					switch {
					case errors.Is(err, store.ErrKeyNotFound):
					case err != nil:
						return err
					default:
						n = binary.BigEndian.Uint64(v)
					}
					if tx.CommitTs() <= tx.ReadTs() {
						return fmt.Errorf("CommitTs %d not after ReadTs %d", tx.CommitTs(), tx.ReadTs())
					}
					return tx.Set([]byte("counter"), binary.BigEndian.AppendUint64(nil, n+1))
				})
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				stamps = append(stamps, ts)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, e := range []*postgres.Engine{a, b} {
		v, err := snap(t, e, 0).Get(t.Context(), []byte("counter"))
		if err != nil || binary.BigEndian.Uint64(v) != 4*rounds {
			t.Errorf("counter = %x, %v; want %d", v, err, 4*rounds)
		}
	}
	slices.Sort(stamps)
	if len(slices.Compact(slices.Clone(stamps))) != len(stamps) {
		t.Errorf("commit timestamps repeat: %v", stamps)
	}
	// Each version of the counter holds one more than the one before.
	for i, ts := range stamps {
		v, err := snap(t, b, ts).Get(t.Context(), []byte("counter"))
		if err != nil || binary.BigEndian.Uint64(v) != uint64(i+1) {
			t.Fatalf("counter at the %dth commit = %x, %v; want %d", i+1, v, err, i+1)
		}
	}
	// A commit on one server is seen by the other's next snapshot and
	// LastCommit.
	ts := update(t, a, map[string][]byte{"from-a": []byte("1")})
	if got := b.LastCommit(); got != ts {
		t.Errorf("LastCommit on the other server = %d, want %d", got, ts)
	}
	if v, err := snap(t, b, 0).Get(t.Context(), []byte("from-a")); err != nil || string(v) != "1" {
		t.Errorf("the other server reads %q, %v", v, err)
	}
}

// TestReadOnlyOption opens a read-only engine on the primary: reads work,
// writes are refused with ErrReadOnly; and a read-only engine cannot start
// on a schema that does not exist.
func TestReadOnlyOption(t *testing.T) {
	dsn := server.DSN("postgres")
	sc := newSchema()
	w := openEngine(t, dsn, sc, false)
	ts := update(t, w, map[string][]byte{"k": []byte("v")})
	r := openEngine(t, dsn, sc, true)
	if !r.ReadOnly() || r.Standby() {
		t.Errorf("ReadOnly() = %v, Standby() = %v; want true, false", r.ReadOnly(), r.Standby())
	}
	if v, err := snap(t, r, 0).Get(t.Context(), []byte("k")); err != nil || string(v) != "v" {
		t.Errorf("read-only Get = %q, %v", v, err)
	}
	_, err := r.Update(t.Context(), func(tx store.Txn) error { return tx.Set([]byte("k"), []byte("w")) })
	if !errors.Is(err, postgres.ErrReadOnly) {
		t.Errorf("Update on a read-only engine = %v, want ErrReadOnly", err)
	}
	if r.LastCommit() != ts {
		t.Errorf("a refused write moved LastCommit")
	}
	_, err = postgres.Open(t.Context(), postgres.Options{DSN: dsn, Schema: newSchema(), ReadOnly: true})
	if err == nil || !strings.Contains(err.Error(), "no claimgraph tables") {
		t.Errorf("read-only Open of a missing schema = %v, want an error saying the tables are missing", err)
	}
}

func TestOpenErrors(t *testing.T) {
	for _, c := range []struct {
		name, dsn, want string
	}{
		{"empty", "", "no DSN"},
		{"bad", "postgres://u:secret@[::1", "not a valid connection string"},
		{"unreachable", "postgres://u:secret@127.0.0.1:1/db?connect_timeout=2", "connecting to 127.0.0.1:1/db"},
	} {
		_, err := postgres.Open(t.Context(), postgres.Options{DSN: c.dsn})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Open = %v, want an error containing %q", c.name, err, c.want)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the error shows the password: %v", c.name, err)
		}
	}
}

// TestFormatVersion refuses a schema written by an engine format this
// version does not know.
func TestFormatVersion(t *testing.T) {
	dsn := server.DSN("postgres")
	sc := newSchema()
	e := openEngine(t, dsn, sc, false)
	e.Close()
	conn := adminConn(t)
	if _, err := conn.Exec(t.Context(), fmt.Sprintf("UPDATE %s.clock SET format = 99", sc)); err != nil {
		t.Fatal(err)
	}
	_, err := postgres.Open(t.Context(), postgres.Options{DSN: dsn, Schema: sc})
	if err == nil || !strings.Contains(err.Error(), "format 99") {
		t.Errorf("Open of a format-99 schema = %v", err)
	}
}

// TestCacheAcrossServers: an engine's read cache never serves an answer
// that another server's commit made stale, and past snapshots keep theirs.
func TestCacheAcrossServers(t *testing.T) {
	dsn := server.DSN("postgres")
	sc := newSchema()
	a := openEngine(t, dsn, sc, false)
	b := openEngine(t, dsn, sc, false)
	t1 := update(t, a, map[string][]byte{"k": []byte("1"), "p/1": []byte("x")})
	old := snap(t, a, 0)
	for range 2 { // the second round reads from the cache
		if v, err := old.Get(t.Context(), []byte("k")); err != nil || string(v) != "1" {
			t.Fatalf("Get at %d = %q, %v", t1, v, err)
		}
		if got := scanKeys(t, old, store.Range{Prefix: []byte("p/")}); !slices.Equal(got, []string{"p/1"}) {
			t.Fatalf("Scan at %d = %q", t1, got)
		}
	}
	update(t, b, map[string][]byte{"k": []byte("2"), "p/2": []byte("y"), "p/1": nil})
	cur := snap(t, a, 0)
	if v, err := cur.Get(t.Context(), []byte("k")); err != nil || string(v) != "2" {
		t.Errorf("after the other server's commit, Get = %q, %v; want 2", v, err)
	}
	if got := scanKeys(t, cur, store.Range{Prefix: []byte("p/")}); !slices.Equal(got, []string{"p/2"}) {
		t.Errorf("after the other server's commit, Scan = %q", got)
	}
	if v, err := old.Get(t.Context(), []byte("k")); err != nil || string(v) != "1" {
		t.Errorf("the old snapshot now reads %q, %v", v, err)
	}
	if got := scanKeys(t, old, store.Range{Prefix: []byte("p/")}); !slices.Equal(got, []string{"p/1"}) {
		t.Errorf("the old snapshot now scans %q", got)
	}
}

// TestCommitRetry: a serialization failure or deadlock at commit is
// retried with the same writes and timestamp; a failure that persists
// writes nothing; a commit that another server overtook between attempts
// is a conflict, which store.Apply retries.
func TestCommitRetry(t *testing.T) {
	dsn := server.DSN("postgres")
	sc := newSchema()
	e := openEngine(t, dsn, sc, false)
	other := openEngine(t, dsn, sc, false)
	serialization := &pgconn.PgError{Code: "40001", Message: "could not serialize access due to read/write dependencies among transactions"}
	deadlock := &pgconn.PgError{Code: "40P01", Message: "deadlock detected"}

	var attempts []int
	postgres.SetFailCommit(e, func(attempt int) error {
		attempts = append(attempts, attempt)
		switch attempt {
		case 1:
			return serialization
		case 2:
			return deadlock
		}
		return nil
	})
	var inside uint64
	calls := 0
	ts, err := e.Update(t.Context(), func(tx store.Txn) error {
		calls++
		inside = tx.CommitTs()
		return tx.Set([]byte("k"), []byte("v"))
	})
	if err != nil || ts != inside || calls != 1 || !slices.Equal(attempts, []int{1, 2, 3}) {
		t.Fatalf("Update = %d, %v; CommitTs %d, fn called %d times, attempts %v", ts, err, inside, calls, attempts)
	}
	if v, err := snap(t, other, 0).Get(t.Context(), []byte("k")); err != nil || string(v) != "v" {
		t.Errorf("after retries Get = %q, %v", v, err)
	}

	postgres.SetFailCommit(e, func(int) error { return serialization })
	if _, err := e.Update(t.Context(), func(tx store.Txn) error { return tx.Set([]byte("k"), []byte("lost")) }); !errors.As(err, new(*pgconn.PgError)) {
		t.Errorf("Update failing every attempt = %v, want the serialization failure", err)
	}
	if v, err := snap(t, other, 0).Get(t.Context(), []byte("k")); err != nil || string(v) != "v" {
		t.Errorf("after a failed Update Get = %q, %v; want the value before it", v, err)
	}
	otherDone := make(chan error, 1)
	admin := adminConn(t)
	postgres.SetFailCommit(e, func(attempt int) error {
		if attempt == 1 {
			// Another server commits before the retry (impossible while
			// the clock lock is held, so this attempt fails once the
			// other server queues for the lock, which it gets first).
			go func() {
				_, err := other.Update(context.Background(), func(tx store.Txn) error { return tx.Set([]byte("k"), []byte("other")) })
				otherDone <- err
			}()
			for {
				var waiting bool
				err := admin.QueryRow(t.Context(), `SELECT count(*) > 0 FROM pg_locks WHERE NOT granted AND relation = $1::regclass`, sc+".writers").Scan(&waiting)
				if err != nil || waiting {
					return serialization
				}
				time.Sleep(time.Millisecond)
			}
		}
		return nil
	})
	_, err = e.Update(t.Context(), func(tx store.Txn) error { return tx.Set([]byte("k"), []byte("mine")) })
	if !errors.Is(err, graph.ErrConflict) {
		t.Errorf("Update overtaken between attempts = %v, want ErrConflict", err)
	}
	if err := <-otherDone; err != nil {
		t.Fatal(err)
	}
	postgres.SetFailCommit(e, nil)
	if v, err := snap(t, other, 0).Get(t.Context(), []byte("k")); err != nil || string(v) != "other" {
		t.Errorf("after the conflict Get = %q, %v; want the other server's value", v, err)
	}
}
