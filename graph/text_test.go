package graph

import (
	"strings"
	"testing"
)

func TestRuneSlice(t *testing.T) {
	const text = "aé—😀z" // 1, 2, 3, 4 and 1 bytes
	cases := []struct {
		start, end int
		want       string
		ok         bool
	}{
		{0, 0, "", true},
		{0, 1, "a", true},
		{1, 2, "é", true},
		{2, 4, "—😀", true},
		{0, 5, text, true},
		{5, 5, "", true},
		{4, 5, "z", true},
		{0, 6, "", false},
		{6, 6, "", false},
		{-1, 2, "", false},
		{3, 2, "", false},
	}
	for _, tc := range cases {
		got, ok := RuneSlice(text, tc.start, tc.end)
		if got != tc.want || ok != tc.ok {
			t.Errorf("RuneSlice(%d, %d) = %q, %v; want %q, %v", tc.start, tc.end, got, ok, tc.want, tc.ok)
		}
		if tc.ok {
			if r := []rune(text); string(r[tc.start:tc.end]) != got {
				t.Errorf("RuneSlice(%d, %d) disagrees with []rune", tc.start, tc.end)
			}
		}
	}
	// An invalid byte counts as one code point, as in []rune.
	if got, ok := RuneSlice("a\xffb", 2, 3); got != "b" || !ok {
		t.Errorf("invalid UTF-8: %q, %v", got, ok)
	}
}

func TestContentHash(t *testing.T) {
	cases := map[string]string{
		"":    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"abc": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	}
	for in, want := range cases {
		if got := ContentHash(in); got != want || !validHash(got) {
			t.Errorf("ContentHash(%q) = %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{"", "abc", strings.Repeat("A", 64), strings.Repeat("g", 64), strings.Repeat("a", 63)} {
		if validHash(bad) {
			t.Errorf("validHash(%q) = true", bad)
		}
	}
}

func TestSpanContext(t *testing.T) {
	r := []rune("0123456789")
	if p, s := spanContext(r, 4, 6, 3); p != "123" || s != "678" {
		t.Errorf("got %q %q", p, s)
	}
	if p, s := spanContext(r, 1, 9, 3); p != "0" || s != "9" {
		t.Errorf("got %q %q", p, s)
	}
	if got := clip("abcdef", 3); got != "abc…" {
		t.Errorf("clip: %q", got)
	}
	if got := clip("abc", 3); got != "abc" {
		t.Errorf("clip: %q", got)
	}
}
