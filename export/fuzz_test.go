package export

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCSVRecord checks that any fields written by the CSV writer read back
// unchanged with encoding/csv (which turns CRLF inside a quoted field into
// LF, as RFC 4180 readers may).
func FuzzCSVRecord(f *testing.F) {
	for _, s := range []string{"", "plain", "a,b", `say "hi"`, "two\nlines", "crlf\r\nend", " lead", "trail ", "\t", "é ‘x’"} {
		f.Add(s, "x")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			return
		}
		var buf bytes.Buffer
		bw := bufio.NewWriter(&buf)
		w := &csvWriter{w: bw}
		w.field(0, a)
		w.field(1, b)
		w.end()
		bw.Flush()
		r := csv.NewReader(&buf)
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%q: %v", buf.String(), err)
		}
		want := []string{strings.ReplaceAll(a, "\r\n", "\n"), strings.ReplaceAll(b, "\r\n", "\n")}
		if len(recs) != 1 || !slices.Equal(recs[0], want) {
			// encoding/csv reads an empty record as no record: a row of
			// empty fields is still two fields.
			if a == "" && b == "" && len(recs) == 1 && slices.Equal(recs[0], []string{"", ""}) {
				return
			}
			t.Fatalf("wrote %q, read %q", want, recs)
		}
	})
}

// FuzzTurtleString checks that a Turtle string literal reads back as the
// string (Turtle's escapes are a subset of Go's).
func FuzzTurtleString(f *testing.F) {
	for _, s := range []string{"", `"quoted"`, `back\slash`, "tab\tnew\nline\r", "\x00\x1f\x7f", "‘curly’ – é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		lit := turtleString(s)
		if strings.ContainsAny(lit[1:len(lit)-1], "\n\r") {
			t.Fatalf("raw line break in %q", lit)
		}
		back, err := strconv.Unquote(lit)
		if err != nil || back != s {
			t.Fatalf("turtleString(%q) = %s, reads back %q, %v", s, lit, back, err)
		}
	})
}

// FuzzParseFormat checks that ParseFormat accepts exactly the formats.
func FuzzParseFormat(f *testing.F) {
	for _, fm := range Formats {
		f.Add(string(fm))
	}
	f.Add("PROV-O")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseFormat(s)
		known := slices.Contains(Formats, Format(s))
		if (err == nil) != known || (known && string(got) != s) {
			t.Fatalf("ParseFormat(%q) = %q, %v", s, got, err)
		}
	})
}
