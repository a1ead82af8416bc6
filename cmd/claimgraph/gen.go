package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"claimgraph/gen"
)

func runGen(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "gen", "",
		"Write a synthetic corpus shaped like news as bundle/1 JSON Lines: organisations,\n"+
			"people, sources of every kind over seven and a half years, quotes with skewed\n"+
			"speakers (a fifth of them nested), claims, figures and the links between them.\n"+
			"The same --quotes and --seed always give the same bytes. Records stream out one\n"+
			"by one, so ten million quotes need little memory. For benchmarks: see bench/.")
	quotes := fs.Int("quotes", 10000, "number of `quotes`; the other kinds scale with it")
	seed := fs.Uint64("seed", 1, "random `seed`: another seed gives another corpus of the same shape")
	out := fs.String("out", "-", "output `file` (- for standard output)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		fs.Usage()
		return usageError("gen: unexpected argument %q", rest[0])
	}
	if *quotes < 1 {
		return usageError("gen: --quotes must be at least 1")
	}
	opt := gen.Options{Quotes: *quotes, Seed: *seed}
	if *out == "-" {
		return gen.WriteJSONL(ctxWriter{ctx, e.stdout}, opt)
	}
	f, err := os.Create(*out)
	if err != nil {
		return &exitError{code: 1, err: fmt.Errorf("gen: %w", err)}
	}
	err = gen.WriteJSONL(ctxWriter{ctx, f}, opt)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*out)
		return &exitError{code: 1, err: fmt.Errorf("gen: writing %s: %w", *out, err)}
	}
	return nil
}

// ctxWriter stops a long write when ctx is cancelled (Ctrl-C).
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, errors.Join(errors.New("interrupted"), err)
	}
	return c.w.Write(p)
}
