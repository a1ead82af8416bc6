package bench

import (
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"
)

// Phrases draws up to n phrases from texts with r: three consecutive
// words of a random text, each made of letters only, as the benchmark's
// whoSaid and search questions are chosen. It gives up after 100 draws
// per phrase wanted.
func Phrases(r *rand.Rand, texts []string, n int) []string {
	var out []string
	if len(texts) == 0 {
		return out
	}
	for tries := 0; len(out) < n && tries < 100*n; tries++ {
		words := strings.Fields(texts[r.IntN(len(texts))])
		if len(words) < 3 {
			continue
		}
		i := r.IntN(len(words) - 2)
		ph := words[i : i+3]
		if slices.ContainsFunc(ph, func(w string) bool {
			return strings.IndexFunc(w, func(c rune) bool { return !unicode.IsLetter(c) }) >= 0
		}) {
			continue
		}
		out = append(out, strings.Join(ph, " "))
	}
	return out
}
