package fold

import (
	"testing"
	"unicode/utf8"
)

func TestName(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"José Álvarez", "jose alvarez"},
		{"jose  alvarez", "jose alvarez"},
		{"  JOSÉ\tÁLVAREZ ", "jose alvarez"},
		{"D.H.S.", "d h s"},
		{"d h s", "d h s"},
		{"Françoise d’Arc-Dupont", "francoise d arc dupont"},
		{"Ｆｕｌｌｗｉｄｔｈ Ｎａｍｅ", "fullwidth name"},
		{"Œuvre ﬁnance", "œuvre finance"},
		{"Søren Kierkegaard", "søren kierkegaard"},
		{"Zoë 42", "zoe 42"},
		{"!!!", ""},
		{"", ""},
		{"Москва́", "москва"},
		{"bad\xffbyte", "bad byte"},
	}
	for _, tt := range tests {
		if got := Name(tt.in); got != tt.want {
			t.Errorf("Name(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"It’s  “fine”", `it's "fine"`},
		{"‘a’ ‚b‛ „c‟ «d» ‹e› ″f″ ′g′ `h´", `'a' 'b' "c" "d" 'e' "f" 'g' 'h'`},
		{"well — maybe – not ‐ really", "well - maybe - not - really"},
		{"5 − 3", "5 - 3"},
		{"  Crème\u00a0BRÛLÉE\n\t now ", "creme brulee now"},
		{"zero\u200bwidth", "zerowidth"},
		{"ﬁne", "fine"},
		{"", ""},
		{"\xff", "\ufffd"},
		{"Ⅻ", "xii"},
	}
	for _, tt := range tests {
		if got := Text(tt.in); got != tt.want {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTextEquivalent(t *testing.T) {
	pairs := [][2]string{
		{"Crime is “way down”", `crime is "way down"`},
		{"CRIME  IS WAY\nDOWN", "crime is way down"},
		{"l’été", "l'ete"},
	}
	for _, p := range pairs {
		if Text(p[0]) != Text(p[1]) {
			t.Errorf("Text(%q) = %q != Text(%q) = %q", p[0], Text(p[0]), p[1], Text(p[1]))
		}
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"", "It’s “fine”", "″", "´", "İstanbul", "ǅ", "\xff\xfe", "a\u0301\u0302", "ﬀ ﬃ", "ΐ", "ẞ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Text(%q) = %q is not valid UTF-8", s, out)
		}
		if again := Text(out); again != out {
			t.Fatalf("Text not idempotent: Text(%q) = %q, Text of that = %q", s, out, again)
		}
		if len(out) > 0 && (out[0] == ' ' || out[len(out)-1] == ' ') {
			t.Fatalf("Text(%q) = %q not trimmed", s, out)
		}
		n := Name(s)
		if !utf8.ValidString(n) || Name(n) != n {
			t.Fatalf("Name(%q) = %q not valid or not idempotent", s, n)
		}
	})
}
