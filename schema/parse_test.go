package schema

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/parser"
	"github.com/graphql-go/graphql/language/visitor"
)

// shape lists the kinds of a document's nodes in visiting order, and the
// values of its names, numbers, enums and booleans: what a document is
// but for the contents of its strings.
func shape(doc *ast.Document) []string {
	var out []string
	visitor.Visit(doc, &visitor.VisitorOptions{Enter: func(p visitor.VisitFuncParams) (string, interface{}) {
		if n, ok := p.Node.(ast.Node); ok {
			out = append(out, n.GetKind())
			switch v := n.(type) {
			case *ast.Name:
				out = append(out, v.Value)
			case *ast.IntValue:
				out = append(out, v.Value)
			case *ast.FloatValue:
				out = append(out, v.Value)
			case *ast.EnumValue:
				out = append(out, v.Value)
			case *ast.BooleanValue:
				if v.Value {
					out = append(out, "true")
				}
			}
		}
		return visitor.ActionNoChange, nil
	}}, nil)
	return out
}

// checkSkeleton checks parseQuery against graphql-go's parser on q: the
// same documents parse, to the same shape with the same strings, and the
// same ones fail, at the same offset when q is ASCII (graphql-go counts
// some offsets in runes).
func checkSkeleton(t *testing.T, q string) {
	t.Helper()
	doc, e := parseQuery(q)
	want, err := parser.Parse(parser.ParseParams{Source: q, Options: parser.ParseOptions{NoSource: true}})
	if e != nil && e.code == CodeLimitExceeded {
		return // a long run refused; graphql-go would parse or fail slowly
	}
	if (e == nil) != (err == nil) {
		t.Fatalf("%.300q: parseQuery error %v, graphql-go error %v", q, e, err)
	}
	if e != nil {
		if e.code != CodeParseFailed || !strings.HasPrefix(e.message, "Syntax Error: ") || len(e.positions) != 1 {
			t.Fatalf("%.300q: error %+v", q, e)
		}
		if isASCII(q) && !slices.Equal(e.positions, positionsOf(err)) {
			t.Fatalf("%.300q: error at %v (%s), graphql-go at %v (%v)", q, e.positions, e.message, positionsOf(err), err)
		}
		return
	}
	if got, w := shape(doc), shape(want); !slices.Equal(got, w) {
		t.Fatalf("%.300q: shapes differ:\n%q\n%q", q, got, w)
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// FuzzParseQuery checks parseQuery against graphql-go's parser: the same
// documents parse, to the same shape, and the same ones fail, at the
// same place.
func FuzzParseQuery(f *testing.F) {
	for _, g := range goldenQueries {
		f.Add(g.query)
	}
	for _, q := range []string{
		`{ a(s: "abcdef", t: "ab", u: """block""", v: """""", w: "") }`,
		`{ a(s: "esc \" \\ \/ \b \f \n \r \t \u00e9 done") }`,
		`{ a(s: "bad \q escape") }`, `{ a(s: "bad \u12G4") }`, `{ a(s: "short \u12") }`, `{ a(s: "\`,
		"{ a(s: \"raw\nbreak\") }", "{ a(s: \"ctl \x01\") }", "{ a(s: \"\"\"ctl \x01\"\"\") }",
		`{ a(s: """ escaped \""" still "" in """) }`, `{ a(s: """unterminated`, `{ a(s: "unterminated`,
		"# comment \x01 then\n{ a }", "{ a } # trailing comment", "{ a(s: [\"x\"\"abcdefg\"]) }",
		`{ a(s: """"""""x") }`, `{ a(s: "a""abcdefg") }`, "\ufeff{ a }", "{ a(s: \"é ü 🙂 long enough\") } !",
		`query Q($v: [Int] = [1, -2, 3.5e10]) { a(b: $v, c: ENUM, d: true, e: null) { ...F } } fragment F on T { x }`,
		"{ " + strings.Repeat("field ", 100) + "}", "{\t a ,, b \r\n c }", "{ a(s: \"x\" !",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if len(q) > 4096 {
			return // graphql-go's own error path is quadratic: keep the reference fast
		}
		checkSkeleton(t, q)
	})
}

// TestParseQueryBounded is the regression test of the slow syntax error
// that FuzzHandler found: graphql-go spends time quadratic in the column
// of a syntax error (25 s of CPU for one at column 80000, about ten
// minutes for these at column 200000), which one line of a query reaches. Through parseQuery each costs about as much as a
// short query's error. The time is not asserted: the queries would take
// minutes without the skeleton, and seconds with it even under -race.
func TestParseQueryBounded(t *testing.T) {
	long := strings.Repeat("x", 200_000)
	tests := []struct {
		name, query string
		code        Code
	}{
		{"error after a long string", `{ whoSaid(text: "` + long + `") { totalCount } ! }`, CodeParseFailed},
		{"error right after a long string", `{ whoSaid(text: "` + long + `"!`, CodeParseFailed},
		{"unterminated long string", `{ whoSaid(text: "` + long, CodeParseFailed},
		{"bad escape at the end of a long string", `{ whoSaid(text: "` + long + `\q") { totalCount } }`, CodeParseFailed},
		{"control character in a long block string", `{ whoSaid(text: """` + long + "\x01" + `""") { totalCount } }`, CodeParseFailed},
		{"error after a long comment", "{ a #" + long, CodeParseFailed},
		{"error after long white space", "{ a" + strings.Repeat(" ", 200_000) + "!", CodeParseFailed},
		{"error after many fields on one line", "{ " + strings.Repeat("f ", 50_000) + "{", CodeParseFailed},
		{"a long name", "{ " + long + " }", CodeLimitExceeded},
		{"tokens without separators", "{" + strings.Repeat("a{", 3000), CodeLimitExceeded},
		{"strings without separators", `{ a(b: [` + strings.Repeat(`"abcd"`, 5000) + `!`, CodeLimitExceeded},
		{"a long string among short ones", `{ a(b: [` + strings.Repeat(`"abcd"`, 100) + `"` + long + `"` + strings.Repeat(`"abcd"`, 100) + `!`, CodeParseFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, e := parseQuery(tt.query)
			if e == nil || e.code != tt.code || len(e.positions) != 1 {
				t.Fatalf("got %+v, want %s", e, tt.code)
			}
			if len(e.message) > 300 {
				t.Errorf("message of %d bytes: %.300s", len(e.message), e.message)
			}
			t.Logf("%s in %v: %s", e.code, time.Since(start), e.message)
		})
	}
	// A valid query with a long string parses, with the string intact.
	doc, e := parseQuery(`{ whoSaid(text: "` + long + `é") { totalCount } }`)
	if e != nil {
		t.Fatal(e)
	}
	arg := doc.Definitions[0].(*ast.OperationDefinition).SelectionSet.Selections[0].(*ast.Field).Arguments[0]
	if v := arg.Value.(*ast.StringValue).Value; v != long+"é" {
		t.Errorf("the string argument is %d bytes, want %d", len(v), len(long)+2)
	}
}
