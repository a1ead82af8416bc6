package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"claimgraph/store"
)

func TestPrefixEnd(t *testing.T) {
	for _, c := range []struct{ prefix, want []byte }{
		{nil, nil}, {[]byte{}, nil}, {[]byte("a"), []byte("b")}, {[]byte("a\xff"), []byte("b")},
		{[]byte("a\xfe\xff"), []byte("a\xff")}, {[]byte("\xff"), nil}, {[]byte("\xff\xff"), nil}, {[]byte("a\x00"), []byte("a\x01")},
	} {
		if got := prefixEnd(c.prefix); !bytes.Equal(got, c.want) || (got == nil) != (c.want == nil) {
			t.Errorf("prefixEnd(%q) = %q, want %q", c.prefix, got, c.want)
		}
	}
}

func TestStartKey(t *testing.T) {
	for _, c := range []struct {
		rg    store.Range
		want  string
		after bool
	}{
		{store.Range{}, "", false},
		{store.Range{Prefix: []byte("p"), Start: []byte("a")}, "p", false},
		{store.Range{Prefix: []byte("p"), Start: []byte("p2")}, "p2", false},
		{store.Range{Prefix: []byte("p"), After: []byte("p2"), Start: []byte("p9")}, "p2", true},
		{store.Range{Prefix: []byte("p"), After: []byte("a")}, "p", false},
		{store.Range{Prefix: []byte("p"), After: []byte("p")}, "p", true},
	} {
		got, after := startKey(c.rg)
		if string(got) != c.want || after != c.after {
			t.Errorf("startKey(%+v) = %q, %v; want %q, %v", c.rg, got, after, c.want, c.after)
		}
	}
}

func TestErrorMapping(t *testing.T) {
	e := &Engine{target: "db:5432/x"}
	pg := func(code string) error {
		return fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: code, Message: "msg " + code})
	}
	for _, c := range []struct {
		err       error
		retry     bool
		readOnly  bool
		canceled  bool
		mentioned string
	}{
		{pg("40001"), true, false, false, "40001"},
		{pg("40P01"), true, false, false, "40P01"},
		{pg("25006"), false, true, false, "primary"},
		{pg("23505"), false, false, false, "23505"},
		{context.Canceled, false, false, true, "canceled"},
		{errors.New("plain"), false, false, false, "plain"},
	} {
		if got := retryable(c.err); got != c.retry {
			t.Errorf("retryable(%v) = %v", c.err, got)
		}
		w := e.wrap("commit", c.err)
		if errors.Is(w, ErrReadOnly) != c.readOnly || errors.Is(w, context.Canceled) != c.canceled {
			t.Errorf("wrap(%v) = %v: read-only %v, canceled %v", c.err, w, errors.Is(w, ErrReadOnly), errors.Is(w, context.Canceled))
		}
		if !bytes.Contains([]byte(w.Error()), []byte(c.mentioned)) {
			t.Errorf("wrap(%v) = %q, want it to mention %q", c.err, w, c.mentioned)
		}
	}
}

func TestDedupe(t *testing.T) {
	ws := []write{{key: []byte("b"), value: []byte("1")}, {key: []byte("a"), value: []byte("1")},
		{key: []byte("b"), del: true}, {key: []byte("c"), del: true}, {key: []byte("c"), value: []byte("3")}}
	got := dedupe(ws)
	want := []write{{key: []byte("a"), value: []byte("1")}, {key: []byte("b"), del: true}, {key: []byte("c"), value: []byte("3")}}
	if len(got) != len(want) {
		t.Fatalf("dedupe = %+v", got)
	}
	for i := range want {
		if !bytes.Equal(got[i].key, want[i].key) || !bytes.Equal(got[i].value, want[i].value) || got[i].del != want[i].del {
			t.Errorf("dedupe[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}
