package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/rs/zerolog"

	"claimgraph/graph"
	"claimgraph/graph/graphtest"
)

// bkOptions are the options of an on-disk store in these tests.
func bkOptions(dir string, key []byte) Options {
	return Options{Dir: dir, memTableSize: 8 << 20, vlogFileSize: 4 << 20, NoSync: true, EncryptionKey: key, GCInterval: -1}
}

func bkOpen(t *testing.T, dir string, key []byte) *Store {
	t.Helper()
	s, err := Open(t.Context(), bkOptions(dir, key))
	if err != nil {
		t.Fatalf("Open %s: %v", dir, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func bkApply(t *testing.T, s *Store, b *graph.Batch) uint64 {
	t.Helper()
	if _, err := s.Apply(t.Context(), b); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return s.kv.LastCommit()
}

// dumpVersions lists every version of every key (engine keys included) at
// or before ts, newest version first per key, deletions marked.
func dumpVersions(t *testing.T, b *Badger, ts uint64) []string {
	t.Helper()
	txn := b.db.NewTransactionAt(ts, false)
	defer txn.Discard()
	it := txn.NewIterator(badger.IteratorOptions{AllVersions: true})
	defer it.Close()
	var out []string
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		if item.IsDeletedOrExpired() {
			out = append(out, fmt.Sprintf("%x@%d deleted", item.Key(), item.Version()))
			continue
		}
		v, err := item.ValueCopy(nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%x@%d=%x", item.Key(), item.Version(), v))
	}
	return out
}

// graphState describes what a reader answers: every node, its edges both
// ways and its history, and the statistics.
func graphState(t *testing.T, s *Store, at time.Time) string {
	t.Helper()
	ctx := t.Context()
	var sb strings.Builder
	read := func(r graph.Reader) error {
		st, err := r.Stats(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(&sb, "stats %+v\n", st)
		for _, k := range graph.Kinds {
			p, err := r.List(ctx, k, "", 0)
			if err != nil {
				return err
			}
			for _, key := range p.Keys {
				n, err := r.Node(ctx, key)
				if err != nil {
					return err
				}
				nj, _ := json.Marshal(n)
				fmt.Fprintf(&sb, "node %s %s\n", key, nj)
				for _, d := range []graph.Direction{graph.Out, graph.In} {
					es, err := r.Edges(ctx, graph.EdgeQuery{Key: key, Dir: d})
					if err != nil {
						return err
					}
					ej, _ := json.Marshal(es)
					fmt.Fprintf(&sb, "edges %d %s\n", d, ej)
				}
				h, err := r.History(ctx, key)
				if err != nil {
					return err
				}
				hj, _ := json.Marshal(h)
				fmt.Fprintf(&sb, "history %s\n", hj)
			}
		}
		return nil
	}
	var err error
	if at.IsZero() {
		err = s.View(ctx, read)
	} else {
		err = s.ViewAt(ctx, at, read)
	}
	if err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

// backupTo writes a backup of s to a file and returns its path and header.
func backupTo(t *testing.T, s *Store, path string, since uint64) (string, BackupInfo) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, err := s.Backup(t.Context(), f, BackupOptions{Since: since})
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path, info
}

func restoreFiles(ctx context.Context, dir string, key []byte, paths ...string) ([]BackupInfo, error) {
	var files []BackupFile
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		files = append(files, BackupFile{Name: p, R: f})
	}
	return Restore(ctx, bkOptions(dir, key), files, RestoreOptions{})
}

// curate writes the sample story, then changes it in ways that leave
// history behind: updates, a link, an unlink (a deletion), retractions
// and a merge.
func curate(t *testing.T, s *Store, tag string) {
	t.Helper()
	bkApply(t, s, graphtest.SampleBatch())
	bkApply(t, s, &graph.Batch{By: "curator", Nodes: []graph.Node{
		&graph.Claim{Key: "c-" + tag, Text: "Backups keep every revision " + tag},
		&graph.Person{Key: "p-" + tag, Name: "Wren Backup " + tag},
		&graph.Person{Key: "p-" + tag + "-dup", Name: "Wren Bakup " + tag},
	}, Links: []graph.Link{{From: "c-" + tag, To: "c-ferry-safe", Relation: graph.RelSupports, Note: "first"}}})
	bkApply(t, s, &graph.Batch{By: "curator", Nodes: []graph.Node{
		&graph.Claim{Key: "c-" + tag, Text: "Backups keep every revision and deletion " + tag, Topics: []string{"ops"}},
	}})
	bkApply(t, s, &graph.Batch{By: "curator", Unlinks: []graph.LinkID{{From: "c-" + tag, To: "c-ferry-safe", Relation: graph.RelSupports}}})
	bkApply(t, s, &graph.Batch{By: "curator", Links: []graph.Link{{From: "c-" + tag, To: "c-ferry-safe", Relation: graph.RelSupports, Note: "again"}}})
	bkApply(t, s, &graph.Batch{By: "curator", Retracts: []graph.Retract{{Key: "c-pier-unsafe", Reason: "test " + tag}}})
	bkApply(t, s, &graph.Batch{By: "curator", Merges: []graph.Merge{{Into: "p-" + tag, Keys: []string{"p-" + tag + "-dup"}}}})
}

// TestBackupRoundTrip fills a store, backs it up, writes more, makes an
// incremental backup, restores both into a new directory and compares
// every version of every key, every node with its edges and history, an
// asOf view, and the consistency check.
func TestBackupRoundTrip(t *testing.T) {
	ctx := t.Context()
	src := bkOpen(t, t.TempDir(), nil)
	curate(t, src, "one")
	mid := time.Now() // an instant between the two backups
	time.Sleep(time.Millisecond)
	work := t.TempDir()
	full, fullInfo := backupTo(t, src, filepath.Join(work, "full.cgbak"), 0)
	if fullInfo.Since != 0 || fullInfo.Until != src.kv.LastCommit() || fullInfo.Versions == 0 || fullInfo.Encryption != "" {
		t.Fatalf("full backup header %+v (last commit %d)", fullInfo, src.kv.LastCommit())
	}
	curate(t, src, "two") // rewrites the sample (unchanged) and curates more
	bkApply(t, src, &graph.Batch{By: "curator", Unlinks: []graph.LinkID{{From: "c-one", To: "c-ferry-safe", Relation: graph.RelSupports}}})
	incr, incrInfo := backupTo(t, src, filepath.Join(work, "incr.cgbak"), fullInfo.Until)
	if incrInfo.Since != fullInfo.Until || incrInfo.Until != src.kv.LastCommit() || incrInfo.Versions == 0 {
		t.Fatalf("incremental backup header %+v", incrInfo)
	}
	if incrInfo.Versions >= fullInfo.Versions+incrInfo.Versions-1 && fullInfo.Versions > 1 {
		t.Errorf("the incremental backup holds %d versions, the full one %d", incrInfo.Versions, fullInfo.Versions)
	}
	empty, emptyInfo := backupTo(t, src, filepath.Join(work, "empty.cgbak"), incrInfo.Until)
	if emptyInfo.Versions != 0 || emptyInfo.Since != emptyInfo.Until {
		t.Errorf("a backup with nothing new: %+v", emptyInfo)
	}

	dst := t.TempDir()
	infos, err := restoreFiles(ctx, dst, nil, full, incr, empty)
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 3 || infos[0].Versions != fullInfo.Versions || infos[1].Versions != incrInfo.Versions {
		t.Errorf("restore read %+v", infos)
	}
	if _, err := os.Stat(filepath.Join(dst, restoreMarker)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the restore marker is still there: %v", err)
	}
	got := bkOpen(t, dst, nil)
	last := src.kv.LastCommit()
	if got.kv.LastCommit() != last {
		t.Errorf("restored store at commit %d, the original at %d", got.kv.LastCommit(), last)
	}
	want, have := dumpVersions(t, engine(src), last), dumpVersions(t, engine(got), last)
	if strings.Join(want, "\n") != strings.Join(have, "\n") {
		t.Errorf("the restored versions differ: %d versions, want %d", len(have), len(want))
	}
	if len(want) < 100 {
		t.Errorf("only %d versions: the test writes too little", len(want))
	}
	for _, at := range []time.Time{{}, mid, time.Unix(0, int64(fullInfo.Until)), time.Unix(0, int64(fullInfo.Until)-1)} {
		if w, h := graphState(t, src, at), graphState(t, got, at); w != h {
			t.Errorf("as of %v the restored graph differs:\n--- restored\n%.2000s\n--- original\n%.2000s", at, h, w)
		}
	}
	if !strings.Contains(graphState(t, got, mid), "Backups keep every revision one") {
		t.Error("the view as of the middle lacks a node written before it")
	}
	if rep, err := got.Verify(ctx, VerifyOptions{}); err != nil || !rep.OK() {
		t.Errorf("verify after restore: %v %+v", err, rep)
	}
	// The restored store takes new writes after the restored commits.
	ts := bkApply(t, got, &graph.Batch{By: "t", Nodes: []graph.Node{&graph.Claim{Key: "c-after", Text: "written after a restore"}}})
	if ts <= last {
		t.Errorf("a commit after the restore got ts %d, not after %d", ts, last)
	}

	// The full backup alone restores the state as of its Until.
	only := t.TempDir()
	if _, err := restoreFiles(ctx, only, nil, full); err != nil {
		t.Fatal(err)
	}
	old := bkOpen(t, only, nil)
	if w, h := graphState(t, src, time.Unix(0, int64(fullInfo.Until))), graphState(t, old, time.Time{}); w != h {
		t.Errorf("the full backup alone differs from the original as of its until")
	}
	old.Close()
	// ... and the incremental one continues it in a second restore.
	if _, err := restoreFiles(ctx, only, nil, incr); err != nil {
		t.Fatal(err)
	}
	old = bkOpen(t, only, nil)
	if w, h := dumpVersions(t, engine(src), last), dumpVersions(t, engine(old), last); strings.Join(w, "\n") != strings.Join(h, "\n") {
		t.Error("full, then incremental in a second restore, differs from the original")
	}
}

// TestBackupDuringWrites takes a backup while a writer commits: the
// backup holds exactly the state of its until.
func TestBackupDuringWrites(t *testing.T) {
	ctx := t.Context()
	src := bkOpen(t, t.TempDir(), nil)
	bkApply(t, src, graphtest.SampleBatch())
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := src.Apply(context.Background(), &graph.Batch{By: "w", Nodes: []graph.Node{
				&graph.Claim{Key: fmt.Sprintf("c-w%04d", i), Text: fmt.Sprintf("claim written during a backup %d", i)},
			}}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	path, info := backupTo(t, src, filepath.Join(t.TempDir(), "b"), 0)
	close(stop)
	wg.Wait()
	dst := t.TempDir()
	if _, err := restoreFiles(ctx, dst, nil, path); err != nil {
		t.Fatal(err)
	}
	got := bkOpen(t, dst, nil)
	if w, h := dumpVersions(t, engine(src), info.Until), dumpVersions(t, engine(got), math.MaxUint64); strings.Join(w, "\n") != strings.Join(h, "\n") {
		t.Errorf("a backup during writes is not the state of its until: %d versions, want %d", len(h), len(w))
	}
}

func TestBackupEmptyStore(t *testing.T) {
	src := bkOpen(t, t.TempDir(), nil)
	path, info := backupTo(t, src, filepath.Join(t.TempDir(), "b"), 0)
	if info.Until != 0 || info.Versions != 0 {
		t.Errorf("backup of an empty store: %+v", info)
	}
	dst := t.TempDir()
	if _, err := restoreFiles(t.Context(), dst, nil, path); err != nil {
		t.Fatal(err)
	}
	if got := bkOpen(t, dst, nil); got.kv.LastCommit() != 0 {
		t.Errorf("restored an empty backup to commit %d", got.kv.LastCommit())
	}
}

func TestBackupSinceAfterLastCommit(t *testing.T) {
	src := bkOpen(t, t.TempDir(), nil)
	last := bkApply(t, src, graphtest.SampleBatch())
	_, err := src.Backup(t.Context(), &bytes.Buffer{}, BackupOptions{Since: last + 1})
	if !errors.Is(err, graph.ErrInvalid) {
		t.Errorf("since after the last commit: %v", err)
	}
}

// TestRestoreRefuses checks that every bad restore is refused with a clear
// error, and that one refused before writing leaves the directory usable.
func TestRestoreRefuses(t *testing.T) {
	ctx := t.Context()
	src := bkOpen(t, t.TempDir(), nil)
	bkApply(t, src, graphtest.SampleBatch())
	work := t.TempDir()
	full, fi := backupTo(t, src, filepath.Join(work, "full"), 0)
	bkApply(t, src, &graph.Batch{By: "c", Nodes: []graph.Node{&graph.Claim{Key: "c-x", Text: "one more claim"}}})
	incr, ii := backupTo(t, src, filepath.Join(work, "incr"), fi.Until)
	bkApply(t, src, &graph.Batch{By: "c", Nodes: []graph.Node{&graph.Claim{Key: "c-y", Text: "yet another claim"}}})
	incr2, _ := backupTo(t, src, filepath.Join(work, "incr2"), ii.Until)
	data, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	hdrLen := bytes.IndexByte(data, '\n') + 1
	write := func(name string, b []byte) string {
		p := filepath.Join(work, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	flipped := bytes.Clone(data)
	flipped[hdrLen+len(data[hdrLen:])/2] ^= 0x40
	tests := []struct {
		name    string
		files   []string
		want    string
		written bool // the refusal comes after writing began
	}{
		{"incremental first", []string{incr}, "is an incremental backup", false},
		{"out of order", []string{full, incr2, incr}, "in the order they were made", false},
		{"full twice", []string{full, full}, "in the order they were made", false},
		{"not a backup", []string{write("bundle.json", []byte(`{"claimgraph":"bundle/1"}`+"\n"))}, "is not a claimgraph backup", false},
		{"no header", []string{write("bin", []byte{0, 1, 2})}, "is not a claimgraph backup", false},
		{"truncated", []string{write("trunc", data[:len(data)-10])}, "truncated", true},
		{"truncated at a frame", []string{write("trunc2", data[:len(data)-48])}, "truncated", true},
		{"damaged", []string{write("flip", flipped)}, "damaged", true},
		{"trailing bytes", []string{write("trail", append(bytes.Clone(data), 'x'))}, "bytes after its end", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := restoreFiles(ctx, dir, nil, tt.files...)
			if !errors.Is(err, ErrBadBackup) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want ErrBadBackup with %q", err, tt.want)
			}
			if left, _ := os.ReadDir(dir); !tt.written && len(left) > 0 {
				t.Errorf("a restore refused before writing left %d files in a new directory", len(left))
			}
			_, err = Open(ctx, bkOptions(dir, nil))
			if tt.written {
				if !errors.Is(err, ErrRestoreIncomplete) || !strings.Contains(err.Error(), dir) {
					t.Errorf("opening a half-restored directory: %v", err)
				}
				return
			}
			if err != nil {
				t.Errorf("a restore refused before writing left %s unusable: %v", dir, err)
			}
		})
	}
	// A store that exists and a backup that continues it: applied.
	dir := t.TempDir()
	if _, err := restoreFiles(ctx, dir, nil, full); err != nil {
		t.Fatal(err)
	}
	if _, err := restoreFiles(ctx, dir, nil, full); !errors.Is(err, ErrBadBackup) || !strings.Contains(err.Error(), "already holds a store") {
		t.Errorf("a full backup into a store: %v", err)
	}
	if _, err := restoreFiles(ctx, dir, nil, incr2); !errors.Is(err, ErrBadBackup) || !strings.Contains(err.Error(), "but the store in") {
		t.Errorf("an incremental backup that skips one: %v", err)
	}
	if _, err := restoreFiles(ctx, dir, nil, incr, incr2); err != nil {
		t.Errorf("incremental backups that continue the store: %v", err)
	}
}

// quoteTexts are distinctive texts that must never appear on the disk of
// an encrypted store.
var quoteTexts = []string{
	"Quillfeather marmalade regulations were never ratified",
	"the zeppelin timetable stays secret until Thursday",
	"Ninety-seven lighthouse keepers signed the petition",
}

// secretBatch holds quotes with quoteTexts and a few other things.
func secretBatch() *graph.Batch {
	b := &graph.Batch{By: "test", Nodes: []graph.Node{
		&graph.Person{Key: "p-secret", Name: "Orla Vexhammer"},
		&graph.Source{Key: "s-secret", Kind: "article", Title: "Harbour notes"},
	}}
	for i, q := range quoteTexts {
		b.Nodes = append(b.Nodes, &graph.Quote{Key: fmt.Sprintf("q-secret-%d", i), Text: q, Speaker: "p-secret", Source: "s-secret"})
	}
	return b
}

// plaintextIn returns the texts of needles found in any file under dir.
func plaintextIn(t *testing.T, dir string, needles []string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		// Read in chunks that overlap by more than the longest needle.
		buf := make([]byte, 1<<20)
		keep := 0
		seen := map[string]bool{}
		for {
			n, err := f.Read(buf[keep:])
			chunk := buf[:keep+n]
			for _, s := range needles {
				if !seen[s] && bytes.Contains(chunk, []byte(s)) {
					seen[s] = true
					found = append(found, filepath.Base(path)+": "+s)
				}
			}
			if err == io.EOF || n == 0 && err == nil {
				return nil
			}
			if err != nil {
				return err
			}
			keep = min(len(chunk), 256)
			copy(buf, chunk[len(chunk)-keep:])
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// TestEncryptionAtRest fills a store with quotes, with and without a key,
// and looks for the quotes' texts in every file of the directory, while
// it is open (write-ahead log) and after Close (tables). Without a key
// they are there, which shows that the search finds them; with a key they
// are nowhere. The encrypted store answers with its key and refuses to
// open without it or with another.
func TestEncryptionAtRest(t *testing.T) {
	ctx := t.Context()
	key := bytes.Repeat([]byte{0x5a, 0x17}, 16)
	needles := append(append([]string{}, quoteTexts...), "Vexhammer", "marmalade")
	for _, tc := range []struct {
		name string
		key  []byte
	}{
		{"plain", nil},
		{"encrypted", key},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(ctx, bkOptions(dir, tc.key))
			if err != nil {
				t.Fatal(err)
			}
			bkApply(t, s, secretBatch())
			open := plaintextIn(t, dir, needles)
			bk := filepath.Join(t.TempDir(), "backup")
			backupTo(t, s, bk, 0)
			inBackup := plaintextIn(t, filepath.Dir(bk), needles)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			closed := plaintextIn(t, dir, needles)
			if tc.key == nil {
				if len(open) == 0 || len(closed) == 0 || len(inBackup) == 0 {
					t.Fatalf("the plain store's texts were not found (open %v, closed %v, backup %v): the search cannot see plaintext", open, closed, inBackup)
				}
				return
			}
			if len(open) > 0 || len(closed) > 0 || len(inBackup) > 0 {
				t.Fatalf("plaintext on the disk of an encrypted store: open %v, closed %v, backup %v", open, closed, inBackup)
			}
			s = bkOpen(t, dir, tc.key)
			if err := s.View(ctx, func(r graph.Reader) error {
				n, err := r.Node(ctx, "q-secret-1")
				if err != nil {
					return err
				}
				if n.(*graph.Quote).Text != quoteTexts[1] {
					t.Errorf("reopened with the key: %+v", n)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			s.Close()

			wrong := bytes.Repeat([]byte{0x01}, 32)
			for _, kc := range []struct {
				name string
				key  []byte
				want KeyProblem
			}{
				{"no key", nil, KeyMissing},
				{"wrong key", wrong, KeyWrong},
				{"short wrong key", wrong[:16], KeyWrong},
			} {
				_, err := Open(ctx, bkOptions(dir, kc.key))
				var ke *EncryptionKeyError
				if !errors.As(err, &ke) || ke.Problem != kc.want || !errors.Is(err, ErrEncryptionKey) || !strings.Contains(err.Error(), dir) {
					t.Errorf("%s: got %v, want an EncryptionKeyError %d naming %s", kc.name, err, kc.want, dir)
				}
			}
			// The backup restores only with the key, into an encrypted store.
			for _, kc := range []struct {
				name string
				key  []byte
				want error
			}{{"no key", nil, ErrBackupKey}, {"wrong key", wrong, ErrBackupKey}} {
				if _, err := restoreFiles(ctx, t.TempDir(), kc.key, bk); !errors.Is(err, kc.want) {
					t.Errorf("restore with %s: %v", kc.name, err)
				}
			}
			rdir := t.TempDir()
			if _, err := restoreFiles(ctx, rdir, tc.key, bk); err != nil {
				t.Fatal(err)
			}
			if found := plaintextIn(t, rdir, needles); len(found) > 0 {
				t.Errorf("plaintext in the restored store: %v", found)
			}
			if _, err := Open(ctx, bkOptions(rdir, nil)); !errors.Is(err, ErrEncryptionKey) {
				t.Errorf("the restored store opens without the key: %v", err)
			}
		})
	}
}

func TestKeyGivenToPlainStore(t *testing.T) {
	dir := t.TempDir()
	s := bkOpen(t, dir, nil)
	bkApply(t, s, secretBatch())
	s.Close()
	_, err := Open(t.Context(), bkOptions(dir, bytes.Repeat([]byte{7}, 24)))
	var ke *EncryptionKeyError
	if !errors.As(err, &ke) || ke.Problem != KeyNotNeeded {
		t.Errorf("a key for a plain store: %v", err)
	}
	if _, err := Open(t.Context(), bkOptions(dir, []byte("short"))); err == nil || !strings.Contains(err.Error(), "16, 24 or 32 bytes") {
		t.Errorf("a 5-byte key: %v", err)
	}
}

// syncLog is a log sink safe for the GC goroutine.
type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncLog) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncLog) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestValueLogGCSchedule checks that an on-disk store runs the value-log
// GC on its schedule and logs each run at debug level with what it
// reclaimed, that Close stops it, and that a negative interval turns it
// off. (Every version is kept for history, so a run rarely has anything to
// reclaim; the test checks the schedule, not an amount.)
func TestValueLogGCSchedule(t *testing.T) {
	logs := &syncLog{}
	opt := bkOptions(t.TempDir(), nil)
	opt.GCInterval = 5 * time.Millisecond
	opt.Logger = zerolog.New(logs).Level(zerolog.DebugLevel)
	b, err := OpenBadger(t.Context(), opt)
	if err != nil {
		t.Fatal(err)
	}
	const msg = `"message":"store: value log GC"`
	for deadline := time.Now().Add(30 * time.Second); strings.Count(logs.String(), msg) < 2; {
		if time.Now().After(deadline) {
			b.Close()
			t.Fatalf("no two GC runs logged:\n%s", logs)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-b.gcDone:
	default:
		t.Error("Close returned with the GC goroutine still running")
	}
	var rec map[string]any
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, msg) {
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	for _, f := range []string{"files_rewritten", "reclaimed_bytes", "vlog_bytes_before", "vlog_bytes_after", "level"} {
		if _, ok := rec[f]; !ok {
			t.Errorf("the GC log line lacks %s: %v", f, rec)
		}
	}
	if rec["level"] != "debug" {
		t.Errorf("the GC logs at %v, want debug", rec["level"])
	}

	opt.GCInterval = -1
	off, err := OpenBadger(t.Context(), opt)
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()
	if off.stopGC != nil {
		t.Error("GCInterval -1 started the GC")
	}
}
