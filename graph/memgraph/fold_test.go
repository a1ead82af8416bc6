package memgraph

import "testing"

// The cases follow package claimgraph/fold's tests, for the inputs both
// foldings treat alike.
func TestFoldName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"José Álvarez", "jose alvarez"},
		{"jose  alvarez", "jose alvarez"},
		{"  JOSÉ\tÁLVAREZ ", "jose alvarez"},
		{"D.H.S.", "d h s"},
		{"Françoise d’Arc-Dupont", "francoise d arc dupont"},
		{"Zoë 42", "zoe 42"},
		{"Nguyễn Thị", "nguyen thi"},
		{"Jose\u0301", "jose"}, // decomposed accent
		{"!!!", ""},
		{"", ""},
		{"Москва́", "москва"},
		{"bad\xffbyte", "bad byte"},
	}
	for _, tt := range tests {
		if got := foldName(tt.in); got != tt.want {
			t.Errorf("foldName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFoldText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"It’s  “fine”", `it's "fine"`},
		{"‘a’ ‚b‛ „c‟ «d» ‹e› ″f″ ′g′ `h´", `'a' 'b' "c" "d" 'e' "f" 'g' 'h'`},
		{"well — maybe – not ‐ really", "well - maybe - not - really"},
		{"5 − 3", "5 - 3"},
		{"  Crème\u00a0BRÛLÉE\n\t now ", "creme brulee now"},
		{"zero\u200bwidth", "zerowidth"},
		{"", ""},
		{"\xff", "\ufffd"},
	}
	for _, tt := range tests {
		if got := foldText(tt.in); got != tt.want {
			t.Errorf("foldText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
