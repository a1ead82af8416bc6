package bench

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestPhrases(t *testing.T) {
	texts := []string{
		"Crime is way down this year, the mayor said.",
		"Too short",
		"We are working with 3 agencies on it",
	}
	got := Phrases(rand.New(rand.NewPCG(1, 2)), texts, 20)
	if len(got) != 20 {
		t.Fatalf("%d phrases, want 20", len(got))
	}
	for _, p := range got {
		ws := strings.Fields(p)
		if len(ws) != 3 {
			t.Fatalf("%q: not three words", p)
		}
		for _, w := range ws {
			if strings.ContainsAny(w, ",.0123456789") {
				t.Fatalf("%q: word %q has a character other than letters", p, w)
			}
		}
		if !strings.Contains(texts[0], p) && !strings.Contains(texts[2], p) {
			t.Fatalf("%q is in no text", p)
		}
	}
	again := Phrases(rand.New(rand.NewPCG(1, 2)), texts, 20)
	if !slices.Equal(got, again) {
		t.Fatal("the same seed drew other phrases")
	}
	if p := Phrases(rand.New(rand.NewPCG(1, 2)), []string{"two words"}, 5); len(p) != 0 {
		t.Fatalf("texts without three words gave %q", p)
	}
	if p := Phrases(rand.New(rand.NewPCG(1, 2)), nil, 5); len(p) != 0 {
		t.Fatalf("no texts gave %q", p)
	}
}
