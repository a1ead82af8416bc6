package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"claimgraph/store"
)

// commitLine matches what verify's first line says that changes from run
// to run (the commit time) or with the key layout (the number of keys).
var commitLine = regexp.MustCompile(`commit \S+: (.*), \d+ keys`)

// corrupt opens the data directory and runs fn in one write of its engine.
func corrupt(t *testing.T, dir string, fn func(tx store.Txn) error) {
	t.Helper()
	s, err := store.Open(context.Background(), store.Options{Dir: dir, Logger: zerolog.Nop(), GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.KV().Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// firstKey returns the first key of the family fam that keep accepts.
func firstKey(tx store.Txn, fam byte, keep func(k []byte) bool) ([]byte, error) {
	var key []byte
	err := tx.Scan(context.Background(), store.Range{Prefix: []byte{fam}, KeysOnly: true}, func(k, _ []byte) error {
		if keep(k) {
			key = append([]byte(nil), k...)
			return store.ErrStopScan
		}
		return nil
	})
	return key, err
}

func TestVerifyCommand(t *testing.T) {
	dir, _ := demoData(t)
	r := cli(t, "", "verify", "--data", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "no problem found") || !strings.Contains(r.stdout, "61 nodes, 17 links") {
		t.Fatalf("verify of the demo:\n%v", r)
	}
	r = cli(t, "", "verify", "--data", dir, "--json")
	got := decodeJSON[struct {
		OK     bool   `json:"ok"`
		Nodes  int    `json:"nodes"`
		Total  int    `json:"total"`
		Commit string `json:"commit"`
	}](t, r.stdout)
	if r.code != 0 || !got.OK || got.Nodes != 61 || got.Total != 0 || got.Commit == "" {
		t.Fatalf("verify --json of the demo: %+v\n%v", got, r)
	}

	// Break the demo: drop the incoming key of a reference edge and add
	// a stray name index key.
	corrupt(t, dir, func(tx store.Txn) error {
		in, err := firstKey(tx, 'i', func(k []byte) bool { return len(k) == 18 && k[9] < 0x20 })
		if err != nil {
			return err
		}
		if err := tx.Delete(in); err != nil {
			return err
		}
		return tx.Set([]byte("x\x01nobody\x00\x01\x01\x00\x00\x00\x00\x00\x00\x01"), []byte("nobody"))
	})
	r = cli(t, "", "verify", "--data", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "verify found 2 problem(s)") {
		t.Fatalf("verify of a broken store:\n%v", r)
	}
	golden(t, "verify_broken.txt", commitLine.ReplaceAllString(r.stdout, "commit T: $1, K keys"))

	r = cli(t, "", "verify", "--data", dir, "--max-problems", "1", "--json")
	type brokenReport struct {
		OK       bool             `json:"ok"`
		Total    int              `json:"total"`
		Counts   map[string]int   `json:"counts"`
		Problems []map[string]any `json:"problems"`
	}
	broken := decodeJSON[brokenReport](t, r.stdout)
	if r.code != 1 || broken.OK || broken.Total != 2 || len(broken.Problems) != 1 || broken.Counts["i missing"] != 1 || broken.Counts["x extra"] != 1 {
		t.Fatalf("verify --json --max-problems 1 of a broken store: %+v\n%v", broken, r)
	}
}

func TestVerifyCommandErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nowhere")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"verify", "--data", missing}, 1, "no data directory at"},
		{[]string{"verify", "--data", missing, "extra"}, 2, "verify takes no arguments"},
		{[]string{"verify", "--data", missing, "--max-problems", "0"}, 2, "--max-problems 0"},
		{[]string{"verify", "--engine", "postgres"}, 2, "--engine postgres needs --dsn"},
	} {
		r := cli(t, "", tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: want exit %d and %q\n%v", tc.args, tc.code, tc.want, r)
		}
	}
}
