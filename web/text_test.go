package web

import (
	"html"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHighlight(t *testing.T) {
	const text = "The mayor said “the bridge stays open” & left."
	tests := []struct {
		name  string
		marks []mark
		want  string
	}{
		{"none", nil, "The mayor said “the bridge stays open” &amp; left."},
		{"one with link", []mark{{Start: 16, End: 37, Key: "q1", Class: "quote", URL: "/n/q1"}},
			`The mayor said “<mark class="quote" data-key="q1" id="at-q1"><a href="/n/q1">the bridge stays open</a></mark>” &amp; left.`},
		{"nested links innermost", []mark{
			{Start: 4, End: 37, Key: "outer", Class: "quote", URL: "/n/outer"},
			{Start: 20, End: 26, Key: "inner", Class: "figure", URL: "/n/inner", Title: "a <b>"},
		}, `The <mark class="quote" data-key="outer" id="at-outer"><a href="/n/outer">mayor said “the </a>` +
			`<mark class="figure" data-key="inner" id="at-inner" title="a &lt;b&gt;"><a href="/n/inner">bridge</a></mark>` +
			`<a href="/n/outer"> stays open</a></mark>” &amp; left.`},
		{"overlap splits the later mark", []mark{
			{Start: 0, End: 9, Key: "a", Class: "quote"},
			{Start: 4, End: 14, Key: "b", Class: "figure"},
		}, `<mark class="quote" data-key="a" id="at-a">The <mark class="figure" data-key="b" id="at-b">mayor</mark></mark>` +
			`<mark class="figure" data-key="b"> said</mark> “the bridge stays open” &amp; left.`},
		{"same range", []mark{{Start: 0, End: 3, Class: "hit"}, {Start: 0, End: 3, Class: "hit"}},
			`<mark class="hit"><mark class="hit">The</mark></mark> mayor said “the bridge stays open” &amp; left.`},
		{"outside the text dropped", []mark{{Start: 40, End: 400, Class: "hit"}, {Start: 5, End: 2, Class: "hit"}, {Start: -1, End: 2, Class: "hit"}},
			"The mayor said “the bridge stays open” &amp; left."},
		{"at the end", []mark{{Start: 41, End: 46, Class: "hit"}},
			`The mayor said “the bridge stays open” &amp; <mark class="hit">left.</mark>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(highlight(text, tt.marks)); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// FuzzHighlight checks that highlighting never panics, keeps the text
// (tags stripped and unescaped) and balances its marks.
func FuzzHighlight(f *testing.F) {
	f.Add("Ministers “agreed” on <this> & that.", 0, 5, 3, 9, 2, 2)
	f.Add("ééé\n\nx", 1, 2, 0, 3, 4, 5)
	f.Fuzz(func(t *testing.T, text string, s1, e1, s2, e2, s3, e3 int) {
		if !utf8.ValidString(text) {
			return
		}
		marks := []mark{{Start: s1, End: e1, Key: "a", URL: "/n/a"}, {Start: s2, End: e2, Key: "b"}, {Start: s3, End: e3, URL: "/n/c"}}
		got := string(highlight(text, marks))
		if strings.Count(got, "<mark") != strings.Count(got, "</mark>") {
			t.Fatalf("unbalanced marks: %s", got)
		}
		if strings.Count(got, "<a ") != strings.Count(got, "</a>") {
			t.Fatalf("unbalanced links: %s", got)
		}
		// NUL becomes U+FFFD, as html/template escapes it and as HTML
		// parsers read it.
		if plain := html.UnescapeString(tagRE.ReplaceAllString(got, "")); plain != strings.ReplaceAll(text, "\x00", "\uFFFD") {
			t.Fatalf("text changed: %q -> %q", text, plain)
		}
	})
}

func TestParagraphsAndExcerpt(t *testing.T) {
	const text = "Title line\n\nFirst para one.\nstill first.\n\n  \nSecond para.\n\nThird para.\n\nFourth."
	ps := paragraphs(text)
	rs := []rune(text)
	var got []string
	for _, p := range ps {
		got = append(got, string(rs[p[0]:p[1]]))
	}
	want := []string{"Title line", "First para one.\nstill first.", "Second para.", "Third para.", "Fourth."}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("paragraphs %q, want %q", got, want)
	}
	// Single newlines split when there is no blank line.
	if got := paragraphs("a\nb\n"); len(got) != 2 {
		t.Errorf("paragraphs of a\\nb: %v", got)
	}
	start := strings.Index(text, "Third")
	from, to, cb, ca := excerpt(text, start, start+5)
	if ex := string(rs[from:to]); ex != "Second para.\n\nThird para.\n\nFourth." || !cb || ca {
		t.Errorf("excerpt %q cut %v %v", ex, cb, ca)
	}
	from, to, cb, ca = excerpt(text, 0, 5)
	if ex := string(rs[from:to]); ex != "Title line\n\nFirst para one.\nstill first." || cb || !ca {
		t.Errorf("excerpt at the start %q cut %v %v", ex, cb, ca)
	}
}

func TestFindFolded(t *testing.T) {
	tests := []struct {
		text, q string
		want    []string
	}{
		{"She said “Crime  is WAY down” today.", `crime is way down`, []string{"Crime  is WAY down"}},
		{"l’économie va mieux, l'economie", "L'ECONOMIE", []string{"l’économie", "l'economie"}},
		{"a—b and a-b", "a-b", []string{"a—b", "a-b"}},
		{"nothing here", "absent", nil},
		{"spaces", "   ", nil},
	}
	for _, tt := range tests {
		var got []string
		rs := []rune(tt.text)
		for _, r := range findFolded(tt.text, tt.q, 10) {
			got = append(got, string(rs[r[0]:r[1]]))
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("findFolded(%q, %q) = %q, want %q", tt.text, tt.q, got, tt.want)
		}
	}
	if utf8.RuneCountInString(accented) != len(accentBase) {
		t.Errorf("accent table: %d accented letters, %d bases", utf8.RuneCountInString(accented), len(accentBase))
	}
}

func TestFormatting(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 76: "76", 2000: "2,000", 1234567.5: "1,234,567.5", -3000: "-3,000", 0.25: "0.25"} {
		if got := formatNumber(v); got != want {
			t.Errorf("formatNumber(%v) = %q, want %q", v, got, want)
		}
	}
	for in, want := range map[string]string{"José Álvarez": "jose-alvarez", "  Anna-Lena  O'Brien ": "anna-lena-o-brien", "李雷": "person", "Ørsted": "orsted"} {
		if got := slugKey(in); got != want {
			t.Errorf("slugKey(%q) = %q, want %q", in, got, want)
		}
	}
	if got := clipText("one two three four five", 12); got != "one two…" {
		t.Errorf("clipText = %q", got)
	}
}
