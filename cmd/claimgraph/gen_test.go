package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"claimgraph/gen"
)

func TestGen(t *testing.T) {
	ctx := context.Background()
	var want bytes.Buffer
	if err := gen.WriteJSONL(&want, gen.Options{Quotes: 300, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	getenv := func(string) string { return "" }

	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"gen", "--quotes", "300", "--seed", "5"}, getenv, nil, &out, &errOut); err != nil {
		t.Fatalf("gen to stdout: %v (%s)", err, errOut.String())
	}
	if !bytes.Equal(out.Bytes(), want.Bytes()) {
		t.Error("gen to stdout differs from gen.WriteJSONL")
	}

	file := filepath.Join(t.TempDir(), "corpus.jsonl")
	out.Reset()
	if err := run(ctx, []string{"gen", "--out", file, "--seed=5", "--quotes=300"}, getenv, nil, &out, &errOut); err != nil {
		t.Fatalf("gen --out: %v", err)
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) || out.Len() != 0 {
		t.Errorf("gen --out wrote %d bytes (want %d) and %d to stdout", len(got), want.Len(), out.Len())
	}

	for _, args := range [][]string{{"gen", "--quotes", "0"}, {"gen", "extra"}, {"gen", "--quotes", "x"}} {
		err := run(ctx, args, getenv, nil, &out, &errOut)
		if report(err, &errOut) != 2 {
			t.Errorf("%v: exit %d, want 2 (%v)", args, report(err, &errOut), err)
		}
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	err = run(cancelled, []string{"gen", "--quotes", "5000", "--out", file}, getenv, nil, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("cancelled gen: %v", err)
	}
	if _, serr := os.Stat(file); !os.IsNotExist(serr) {
		t.Errorf("cancelled gen left %s behind", file)
	}
}
