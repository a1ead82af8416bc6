package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// fixtureTexts returns the texts of the fixture articles.
func fixtureTexts(tb testing.TB) []string {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "fixtures", "*.txt"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no fixtures: %v", err)
	}
	var out []string
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, string(data))
	}
	return out
}

// FuzzExtract checks that Extract never panics, that every span lies inside
// the text and reads its node's text, and that the bundle validates.
func FuzzExtract(f *testing.F) {
	for _, s := range fixtureTexts(f) {
		f.Add(s)
	}
	for _, s := range []string{
		"", "\"", "“", "‘’", "«»", "„“", "\"\"\"\"", "'''", "“a\n\n“b", "’90s rock ’n’ roll",
		"He said: “", "according to", "said X,", "(ICE)", "1,2,3", "$", "5-", "–10", "half a", "a dozen",
		"one in", "37-year-", "19:", "Jan. 26, 2026", "\xff\xfe\"x\xff\"", "\u200b“x”\u200b", "“x,” he said. “",
		"PARIS (AP) —", "— Smith", "‘X’: Y", "Smith: “", "who X claims", ", according to the", "the letter says “",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		b, _, err := Extract(text, Meta{}, Options{})
		if err != nil {
			if strings.TrimSpace(strings.ToValidUTF8(text, "\uFFFD")) != "" && len(text) <= DefaultMaxBytes {
				t.Fatalf("Extract(%q): %v", text, err)
			}
			return
		}
		checkBundle(t, b)
		_ = utf8.RuneCountInString(text)
	})
}

// FuzzExtractHTML checks the HTML path the same way.
func FuzzExtractHTML(f *testing.F) {
	for _, s := range []string{
		"<p>“We will win,” said Jane Smith.</p>", "<html><head><title>T</title></head><body><article><h1>H</h1><p>x</p></article></body></html>",
		"<script>“x”</script><p>y said</p>", "<p>&ldquo;a&rdquo; <b>b</b></p><nav>“n”</nav>", "<",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, page string) {
		b, _, err := ExtractHTML(strings.NewReader(page), Meta{}, Options{})
		if err != nil {
			return
		}
		checkBundle(t, b)
	})
}
