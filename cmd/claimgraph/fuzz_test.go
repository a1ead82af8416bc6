package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzVarsSet checks the --var parser: it never panics, a value that is
// valid JSON keeps its meaning, and anything else stays the exact string.
func FuzzVarsSet(f *testing.F) {
	for _, s := range []string{"text=crime is down", "n=42", `o={"a":[1,2]}`, "s=\"quoted\"", "=x", "novalue", "$v=null", "x=1e400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := vars{}
		if err := v.Set(s); err != nil {
			return
		}
		if len(v) != 1 {
			t.Fatalf("Set(%q) stored %d variables", s, len(v))
		}
		_, raw, _ := strings.Cut(s, "=")
		for name, val := range v {
			if !graphQLName(name) {
				t.Fatalf("Set(%q) stored name %q", s, name)
			}
			out, err := json.Marshal(val)
			if err != nil {
				t.Fatalf("Set(%q) stored %#v, which does not marshal: %v", s, val, err)
			}
			if str, ok := val.(string); ok && !json.Valid([]byte(raw)) && str != raw {
				t.Fatalf("Set(%q): non-JSON value became %q", s, str)
			}
			if json.Valid([]byte(raw)) {
				var a, b any
				if json.Unmarshal([]byte(raw), &a) != nil || json.Unmarshal(out, &b) != nil {
					return // numbers out of float64 range: kept exact as json.Number
				}
				if ja, jb := mustMarshal(t, a), mustMarshal(t, b); ja != jb {
					t.Fatalf("Set(%q): JSON value changed meaning: %s vs %s", s, ja, jb)
				}
			}
		}
	})
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
