package schema

import (
	"testing"
	"time"

	"github.com/graphql-go/graphql/language/ast"
)

func TestParseDateTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // RFC 3339 in UTC; "" when refused
	}{
		{"2026-03-04T12:00:00Z", "2026-03-04T12:00:00Z"},
		{"2026-03-04T12:00:00.000000001Z", "2026-03-04T12:00:00.000000001Z"},
		{"2026-03-04T14:00:00+02:00", "2026-03-04T12:00:00Z"},
		{"2026-03-04", "2026-03-04T23:59:59.999999999Z"},
		{"2026-02-29", ""},
		{"2026-03", ""},
		{"yesterday", ""},
		{"", ""},
		{"2026-03-04 12:00:00", ""},
	} {
		got, ok := parseDateTime(tc.in)
		if tc.want == "" {
			if ok {
				t.Errorf("parseDateTime(%q) = %v, want refused", tc.in, got)
			}
			continue
		}
		if !ok || formatDateTime(got) != tc.want {
			t.Errorf("parseDateTime(%q) = %v %v, want %s", tc.in, formatDateTime(got), ok, tc.want)
		}
	}
}

func TestLiteralJSON(t *testing.T) {
	doc := mustParse(t, `{ a(v: {s: "x", n: 3, f: 1.5, b: true, e: bare, l: [1, {k: "v"}]}) }`)
	arg := doc.Definitions[0].(*ast.OperationDefinition).SelectionSet.Selections[0].(*ast.Field).Arguments[0]
	got, ok := literalJSON(arg.Value, 0)
	if !ok {
		t.Fatal("refused")
	}
	want := map[string]interface{}{"s": "x", "n": 3.0, "f": 1.5, "b": true, "e": "bare",
		"l": []interface{}{1.0, map[string]interface{}{"k": "v"}}}
	if !jsonEqual(got, want) {
		t.Errorf("got %#v", got)
	}
	doc = mustParse(t, `query ($x: Int) { a(v: {n: $x}) }`)
	arg = doc.Definitions[0].(*ast.OperationDefinition).SelectionSet.Selections[0].(*ast.Field).Arguments[0]
	if _, ok := literalJSON(arg.Value, 0); ok {
		t.Error("a variable inside a JSON literal was accepted")
	}
}

func jsonEqual(a, b interface{}) bool {
	switch a := a.(type) {
	case map[string]interface{}:
		bm, ok := b.(map[string]interface{})
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, v := range a {
			if !jsonEqual(v, bm[k]) {
				return false
			}
		}
		return true
	case []interface{}:
		bl, ok := b.([]interface{})
		if !ok || len(a) != len(bl) {
			return false
		}
		for i := range a {
			if !jsonEqual(a[i], bl[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

// FuzzParseDateTime: any accepted input round-trips, and a date means the
// last nanosecond of its day.
func FuzzParseDateTime(f *testing.F) {
	for _, s := range []string{"2026-03-04", "2026-03-04T12:00:00Z", "2026-03-04T12:00:00.5-07:00", "x", "9999-12-31"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseDateTime(s)
		if !ok {
			return
		}
		if _, off := got.Zone(); off != 0 || (got.Location() != time.UTC && !isDateOnly(got)) {
			t.Errorf("%q: not UTC", s)
		}
		if isDateOnly(got) != (len(s) == len(time.DateOnly)) {
			t.Errorf("%q: isDateOnly is %v", s, isDateOnly(got))
		}
		if len(s) == len(time.DateOnly) {
			if got.Hour() != 23 || got.Nanosecond() != 999999999 {
				t.Errorf("%q: date is %v, want its last nanosecond", s, got)
			}
			return
		}
		back, ok := parseDateTime(formatDateTime(got))
		if !ok || !back.Equal(got) {
			t.Errorf("%q: %v does not round-trip", s, got)
		}
	})
}
