package export

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"

	"claimgraph/graph"
	"claimgraph/graph/memgraph"
)

// The writer fuzz targets (one per format) build a small graph whose free
// text (names, aliases, quote, claim and figure text, units, cues, notes,
// titles, urls, ids, topics, a retraction reason) comes from the fuzzer,
// with a figure value from the fuzzer too, export it, and read the output
// back with a reader of the format: the bundle imports again and exports
// the same bytes; JSON Lines is one JSON object per line; PROV-JSON and
// ClaimReview are JSON; PROV-O is well-formed Turtle; GraphML is well-formed
// XML 1.0; every CSV table parses with the header's number of fields;
// every Parquet file opens and reads; the notebook's datapackage.json is
// JSON. Each format must also carry the fuzzed quote text, unchanged, as a
// value its reader returns.

// fuzzSeeds are inputs that exercise escaping in every format.
var fuzzSeeds = []struct {
	a, b, c, d string
	value      float64
}{
	{"Ada Vale", "Vale", "the tide is late", "percent", 12.5},
	{`say "hi" \ there`, "a,b;c", "line one\nline two\r\nthree", "€ per m²", math.Copysign(0, -1)},
	{"<tag attr='x'>&amp;</tag>", "]]>", "\x00\x01\x1f\x7f control", "\ufffe\uffff", 1e308},
	{"tab\there", "@prefix x: <y> .", `"""triple"""`, "^^xsd:string", 5e-324},
	{"\u2028\u2029", "\U0001F600 emoji", "\xff\xfe invalid utf-8", "🙂", 123456789012345678},
	{" lead", "trail ", "# not a comment", "_:blank", math.MaxFloat64},
	{"é ‘curly’", "\r", "=cmd|' /C calc'!A0", "null", 0},
}

func addFuzzSeeds(f *testing.F) { addSomeSeeds(f, len(fuzzSeeds)) }

// addSomeSeeds adds the first n seeds: the Parquet writer is slow under
// the race detector (about a second an export).
func addSomeSeeds(f *testing.F, n int) {
	for _, s := range fuzzSeeds[:n] {
		f.Add(s.a, s.b, s.c, s.d, s.value)
	}
}

// orX makes a required string non-blank.
func orX(s string) string {
	if strings.TrimSpace(s) == "" {
		return "x" + s
	}
	return s
}

// fuzzGraph returns a store holding a graph made from the fuzzed strings
// and value, and the quote text as stored (JSON made the strings valid
// UTF-8). It returns ok false when the input cannot make a valid bundle.
func fuzzGraph(t *testing.T, a, b, c, d string, value float64) (st *memgraph.Store, quote string, ok bool) {
	t.Helper()
	if math.IsNaN(value) || math.IsInf(value, 0) {
		value = 0 // JSON has no NaN or infinities: no bundle can hold them
	}
	bundle := map[string]any{
		"claimgraph": "bundle/1",
		"people": []any{map[string]any{
			"key": "p-a", "name": orX(a), "aliases": []string{orX(b)}, "description": c,
			"ids":          map[string]string{"wikidata": orX(d)},
			"affiliations": []any{map[string]any{"organisation": "o-b", "role": d}},
		}},
		"organisations": []any{map[string]any{"key": "o-b", "name": orX(b), "aliases": []string{orX(a)}, "kind": "media"}},
		"sources": []any{
			map[string]any{"key": "s-c", "kind": "article", "title": c, "url": d, "publisher": "o-b", "authors": []string{"p-a"},
				"derived_from": []any{map[string]any{"source": "s-d", "relation": "quotes"}}},
			map[string]any{"key": "s-d", "kind": "social_post", "title": a, "archive_url": b},
		},
		"quotes": []any{
			map[string]any{"key": "q-a", "text": orX(c), "speaker": "p-a", "source": "s-c", "cue": b, "channel": "s-d",
				"mode": "direct", "claims": []string{"c-d"}},
			map[string]any{"key": "q-b", "text": orX(a), "speaker": "o-b", "source": "s-c", "reported_by": "q-a", "mode": "indirect"},
		},
		"claims": []any{map[string]any{"key": "c-d", "text": orX(d), "topics": []string{orX(a)}, "about": []string{"p-a"}}},
		"figures": []any{map[string]any{"key": "f-v", "text": c, "value": value, "unit": orX(d), "measure": a, "subject": b,
			"stated_by": "o-b", "source": "s-c"}},
		"links": []any{
			map[string]any{"from": "f-v", "to": "c-d", "relation": "supports", "note": a},
			map[string]any{"from": "q-b", "to": "c-d", "relation": "contradicts", "reason": "factual", "note": b},
		},
	}
	raw, err := json.Marshal(bundle)
	if err != nil {
		t.Fatal(err)
	}
	bd, err := graph.ReadBundle(context.Background(), bytes.NewReader(raw), graph.DecodeOptions{}, nil)
	if err != nil {
		var ve *graph.ValidationError
		if errors.As(err, &ve) {
			return nil, "", false
		}
		t.Fatalf("ReadBundle: %v", err)
	}
	st = memgraph.New(memgraph.WithClock(fixedClock))
	ctx := context.Background()
	if _, err := st.Apply(ctx, bd.Batch("fuzz", a)); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	retract := &graph.Batch{By: "fuzz", Note: b, Retracts: []graph.Retract{{Key: "q-b", Reason: orX(d)}}}
	if _, err := st.Apply(ctx, retract); err != nil {
		t.Fatalf("Apply retraction: %v", err)
	}
	for _, n := range bd.Nodes {
		if q, ok := n.(*graph.Quote); ok && q.Key == "q-a" {
			quote = q.Text
		}
	}
	return st, quote, true
}

// fuzzExport exports the fuzzed graph in opt's format: the stream, or the
// files of the archive.
func fuzzExport(t *testing.T, st graph.Store, opt Options) ([]byte, map[string][]byte) {
	t.Helper()
	opt.Scope, opt.Clock = Scope{All: true}, fixedClock
	var buf bytes.Buffer
	err := st.View(context.Background(), func(r graph.Reader) error {
		if opt.Format.IsDir() {
			return WriteArchive(context.Background(), r, opt, &buf)
		}
		return Write(context.Background(), r, opt, &buf)
	})
	if err != nil {
		t.Fatalf("export %s: %v", opt.Format, err)
	}
	if !opt.Format.IsDir() {
		return buf.Bytes(), nil
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatalf("%s archive: %v", opt.Format, err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("%s archive %s: %v", opt.Format, f.Name, err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s archive %s: %v", opt.Format, f.Name, err)
		}
		files[f.Name] = data
	}
	return nil, files
}

// FuzzWriteBundle: the bundle export (JSON object and JSON Lines) imports
// into an empty store, which exports the same bytes again.
func FuzzWriteBundle(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, a, b, c, d string, value float64) {
		st, quote, ok := fuzzGraph(t, a, b, c, d, value)
		if !ok {
			return
		}
		for _, jsonl := range []bool{false, true} {
			opt := Options{Format: Bundle, JSONL: jsonl}
			out, _ := fuzzExport(t, st, opt)
			bd, err := graph.ReadBundle(context.Background(), bytes.NewReader(out), graph.DecodeOptions{}, nil)
			if err != nil {
				t.Fatalf("jsonl %v: the export does not read back: %v\n%s", jsonl, err, out)
			}
			found := false
			for _, n := range bd.Nodes {
				if q, ok := n.(*graph.Quote); ok && q.Key == "q-a" {
					found = q.Text == quote
				}
			}
			if !found {
				t.Fatalf("jsonl %v: quote text %q not read back\n%s", jsonl, quote, out)
			}
			again := memgraph.New(memgraph.WithClock(fixedClock))
			if _, err := again.Apply(context.Background(), bd.Batch("fuzz", "")); err != nil {
				t.Fatalf("jsonl %v: re-import: %v", jsonl, err)
			}
			if out2, _ := fuzzExport(t, again, opt); !bytes.Equal(out, out2) {
				t.Fatalf("jsonl %v: re-export differs:\n%s", jsonl, firstDiff(out, out2))
			}
		}
	})
}

// FuzzWriteJSONL: every line is one JSON object with a type.
func FuzzWriteJSONL(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, a, b, c, d string, value float64) {
		st, quote, ok := fuzzGraph(t, a, b, c, d, value)
		if !ok {
			return
		}
		out, _ := fuzzExport(t, st, Options{Format: JSONL})
		if !bytes.HasSuffix(out, []byte("\n")) {
			t.Fatalf("no final line break:\n%s", out)
		}
		found := false
		for i, line := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
			var rec map[string]any
			if err := json.Unmarshal(line, &rec); err != nil {
				t.Fatalf("line %d is not a JSON object: %v\n%s", i+1, err, line)
			}
			if typ, _ := rec["type"].(string); typ == "" {
				t.Fatalf("line %d has no type: %s", i+1, line)
			}
			if rec["id"] == "q-a" && rec["text"] == quote {
				found = true
			}
		}
		if !found {
			t.Fatalf("quote text %q not found:\n%s", quote, out)
		}
	})
}

// jsonHolds reports whether the JSON document holds s as a string value.
func jsonHolds(t *testing.T, doc []byte, s string) bool {
	t.Helper()
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, doc)
	}
	var walk func(v any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case string:
			return v == s
		case []any:
			return slices.ContainsFunc(v, walk)
		case map[string]any:
			for _, e := range v {
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

// FuzzWriteProvJSON: PROV-JSON is one JSON document holding the quote.
func FuzzWriteProvJSON(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, a, b, c, d string, value float64) {
		st, quote, ok := fuzzGraph(t, a, b, c, d, value)
		if !ok {
			return
		}
		out, _ := fuzzExport(t, st, Options{Format: ProvJSON})
		if !jsonHolds(t, out, quote) {
			t.Fatalf("quote text %q not found:\n%s", quote, out)
		}
	})
}

// FuzzWriteClaimReview: ClaimReview is one JSON-LD document holding the
// quote (as the claim's appearance).
func FuzzWriteClaimReview(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, a, b, c, d string, value float64) {
		st, _, ok := fuzzGraph(t, a, b, c, d, value)
		if !ok {
			return
		}
		out, _ := fuzzExport(t, st, Options{Format: ClaimReview})
		var doc map[string]any
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatalf("not a JSON object: %v\n%s", err, out)
		}
		claim := ""
		if err := st.View(context.Background(), func(r graph.Reader) error {
			n, err := r.Node(context.Background(), "c-d")
			if err == nil {
				claim = n.(*graph.Claim).Text
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if !jsonHolds(t, out, claim) {
			t.Fatalf("claim text %q not found:\n%s", claim, out)
		}
	})
}

// FuzzWriteProvO: PROV-O is well-formed Turtle whose string literals hold
// the quote.
func FuzzWriteProvO(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, a, b, c, d string, value float64) {
		st, quote, ok := fuzzGraph(t, a, b, c, d, value)
		if !ok {
			return
		}
		out, _ := fuzzExport(t, st, Options{Format: ProvO})
		lits, err := parseTurtle(string(out))
		if err != nil {
			t.Fatalf("not well-formed Turtle: %v\n%s", err, out)
		}
		if !slices.Contains(lits, quote) {
			t.Fatalf("quote text %q not among the literals %q", quote, lits)
		}
	})
}

// FuzzWriteGraphML: GraphML is well-formed XML 1.0 whose data elements
// hold the quote.
func FuzzWriteGraphML(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, a, b, c, d string, value float64) {
		st, quote, ok := fuzzGraph(t, a, b, c, d, value)
		if !ok {
			return
		}
		out, _ := fuzzExport(t, st, Options{Format: GraphML})
		texts, err := xmlTexts(out)
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, out)
		}
		if !slices.Contains(texts, xmlVisible(quote)) {
			t.Fatalf("quote text %q not among the data values %q", xmlVisible(quote), texts)
		}
	})
}

// xmlVisible is what an XML 1.0 reader must get back for s: s itself (a
// carriage return written as &#xD;, so that the reader does not normalise
// it away), but for the characters XML cannot hold (C0 controls but tab,
// LF and CR; U+FFFE, U+FFFF), which become U+FFFD.
func xmlVisible(s string) string {
	return strings.Map(func(r rune) rune {
		if !xmlChar(r) {
			return utf8.RuneError
		}
		return r
	}, s)
}

func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || (r >= 0x20 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// xmlTexts decodes a whole XML document strictly and returns the text of
// every element that holds only text.
func xmlTexts(doc []byte) ([]string, error) {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	dec.Strict = true
	var texts []string
	var cur strings.Builder
	inLeaf := false
	depth, elements := 0, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			elements++
			cur.Reset()
			inLeaf = true
		case xml.EndElement:
			depth--
			if inLeaf {
				texts = append(texts, cur.String())
			}
			inLeaf = false
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(tok)) > 0 {
				return nil, fmt.Errorf("text outside the root element")
			}
			cur.Write(tok)
		}
	}
	if elements == 0 || depth != 0 {
		return nil, fmt.Errorf("no root element, or unclosed elements")
	}
	return texts, nil
}

// FuzzWriteCSV: every table of the csv archive parses, each row with the
// header's number of fields, and quotes.csv holds the quote.
func FuzzWriteCSV(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, a, b, c, d string, value float64) {
		st, quote, ok := fuzzGraph(t, a, b, c, d, value)
		if !ok {
			return
		}
		_, files := fuzzExport(t, st, Options{Format: CSV})
		checkCSVFiles(t, files, quote)
	})
}

// checkCSVFiles parses every .csv file and looks for the quote text (as
// an RFC 4180 reader returns it: CRLF in a field read as LF) in the text
// column of quotes.csv.
func checkCSVFiles(t *testing.T, files map[string][]byte, quote string) {
	t.Helper()
	found, tables := false, 0
	for name, data := range files {
		if path.Ext(name) != ".csv" {
			continue
		}
		tables++
		r := csv.NewReader(bytes.NewReader(data))
		recs, err := r.ReadAll() // checks that every row has the header's fields
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, data)
		}
		if len(recs) < 2 {
			t.Fatalf("%s: no rows:\n%s", name, data)
		}
		if path.Base(name) != "quotes.csv" {
			continue
		}
		col := slices.Index(recs[0], "text")
		if col < 0 {
			t.Fatalf("%s: no text column: %q", name, recs[0])
		}
		for _, rec := range recs[1:] {
			if rec[0] == "q-a" && rec[col] == strings.ReplaceAll(quote, "\r\n", "\n") {
				found = true
			}
		}
	}
	if tables < 8 {
		t.Fatalf("only %d CSV tables: %v", tables, fileNames(files))
	}
	if !found {
		t.Fatalf("quote text %q not found in quotes.csv", quote)
	}
}

func fileNames(files map[string][]byte) []string {
	var names []string
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// FuzzWriteParquet: every Parquet file of the archive opens and reads to
// the end, and quotes.parquet holds the quote.
func FuzzWriteParquet(f *testing.F) {
	addSomeSeeds(f, 3)
	f.Fuzz(func(t *testing.T, a, b, c, d string, value float64) {
		st, quote, ok := fuzzGraph(t, a, b, c, d, value)
		if !ok {
			return
		}
		_, files := fuzzExport(t, st, Options{Format: Parquet})
		checkParquetFiles(t, files, quote)
	})
}

// checkParquetFiles reads every row of every .parquet file.
func checkParquetFiles(t *testing.T, files map[string][]byte, quote string) {
	t.Helper()
	found, tables := false, 0
	for name, data := range files {
		if path.Ext(name) != ".parquet" {
			continue
		}
		tables++
		pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rows := 0
		for _, rg := range pf.RowGroups() {
			rr := rg.Rows()
			buf := make([]parquet.Row, 16)
			for {
				n, err := rr.ReadRows(buf)
				for _, row := range buf[:n] {
					rows++
					for _, v := range row {
						if path.Base(name) == "quotes.parquet" && v.Kind() == parquet.ByteArray && string(v.ByteArray()) == quote {
							found = true
						}
					}
				}
				if err == io.EOF {
					break
				}
				if err != nil {
					rr.Close()
					t.Fatalf("%s: reading rows: %v", name, err)
				}
			}
			rr.Close()
		}
		if int64(rows) != pf.NumRows() || rows == 0 {
			t.Fatalf("%s: read %d rows of %d", name, rows, pf.NumRows())
		}
	}
	if tables < 8 {
		t.Fatalf("only %d Parquet tables: %v", tables, fileNames(files))
	}
	if !found {
		t.Fatalf("quote text %q not found in quotes.parquet", quote)
	}
}

// FuzzWriteNotebook: the notebook archive's tables read back, and its
// datapackage.json is JSON that lists every other file.
func FuzzWriteNotebook(f *testing.F) {
	addSomeSeeds(f, 3)
	f.Fuzz(func(t *testing.T, a, b, c, d string, value float64) {
		st, quote, ok := fuzzGraph(t, a, b, c, d, value)
		if !ok {
			return
		}
		_, files := fuzzExport(t, st, Options{Format: Notebook})
		checkCSVFiles(t, files, quote)
		checkParquetFiles(t, files, quote)
		var dp struct {
			Resources []struct {
				Path string `json:"path"`
			} `json:"resources"`
		}
		var dpData []byte
		for name, data := range files {
			if path.Base(name) == "datapackage.json" {
				dpData = data
			}
		}
		if err := json.Unmarshal(dpData, &dp); err != nil {
			t.Fatalf("datapackage.json: %v\n%s", err, dpData)
		}
		for _, r := range dp.Resources {
			found := false
			for name := range files {
				if strings.HasSuffix(name, "/"+r.Path) || name == r.Path {
					found = true
				}
			}
			if !found {
				t.Fatalf("datapackage.json lists %q, not in the archive %v", r.Path, fileNames(files))
			}
		}
		if len(dp.Resources) == 0 {
			t.Fatalf("datapackage.json lists no resources")
		}
	})
}

// parseTurtle checks that doc is well-formed Turtle of the shape the PROV-O
// writer produces (directives; triples with predicate-object lists and
// object lists; IRIs, prefixed names, the keyword a, string literals with
// escapes, optional datatype or language tag, numbers) and returns the
// value of every string literal. It is a checker for tests, not a general
// Turtle parser: no blank nodes, collections or long strings.
func parseTurtle(doc string) ([]string, error) {
	p := &turtleParser{s: doc}
	var lits []string
	p.onLiteral = func(s string) { lits = append(lits, s) }
	for {
		p.skip()
		if p.i >= len(p.s) {
			return lits, nil
		}
		if strings.HasPrefix(p.s[p.i:], "@prefix") {
			p.i += len("@prefix")
			p.skip()
			if _, err := p.pname(true); err != nil {
				return nil, err
			}
			p.skip()
			if _, err := p.iri(); err != nil {
				return nil, err
			}
			if err := p.expect('.'); err != nil {
				return nil, err
			}
			continue
		}
		if err := p.triples(); err != nil {
			return nil, err
		}
	}
}

type turtleParser struct {
	s         string
	i         int
	onLiteral func(string)
}

func (p *turtleParser) errorf(format string, args ...any) error {
	line := strings.Count(p.s[:p.i], "\n") + 1
	return fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, args...))
}

// skip skips white space and comments.
func (p *turtleParser) skip() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		case '#':
			for p.i < len(p.s) && p.s[p.i] != '\n' && p.s[p.i] != '\r' {
				p.i++
			}
		default:
			return
		}
	}
}

func (p *turtleParser) expect(c byte) error {
	p.skip()
	if p.i >= len(p.s) || p.s[p.i] != c {
		return p.errorf("want %q", c)
	}
	p.i++
	return nil
}

// iri reads <...>: no white space, controls or <>"{}|^`\ inside.
func (p *turtleParser) iri() (string, error) {
	if p.i >= len(p.s) || p.s[p.i] != '<' {
		return "", p.errorf("want an IRI")
	}
	end := strings.IndexByte(p.s[p.i:], '>')
	if end < 0 {
		return "", p.errorf("unterminated IRI")
	}
	v := p.s[p.i+1 : p.i+end]
	if strings.ContainsAny(v, "<\"{}|^`\\ \t\r\n") || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 }) {
		return "", p.errorf("bad character in IRI <%s>", v)
	}
	p.i += end + 1
	return v, nil
}

// pname reads a prefixed name (prefix:local), or with decl just "prefix:".
func (p *turtleParser) pname(decl bool) (string, error) {
	start := p.i
	for p.i < len(p.s) && (isNameByte(p.s[p.i]) || p.s[p.i] == '-') {
		p.i++
	}
	if p.i >= len(p.s) || p.s[p.i] != ':' {
		return "", p.errorf("want a prefixed name")
	}
	p.i++
	if decl {
		return p.s[start:p.i], nil
	}
	for p.i < len(p.s) && (isNameByte(p.s[p.i]) || strings.IndexByte("-.:", p.s[p.i]) >= 0) {
		p.i++
	}
	if p.s[p.i-1] == '.' { // a local name does not end with a dot
		p.i--
	}
	return p.s[start:p.i], nil
}

func isNameByte(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

// term reads an IRI, a prefixed name or (as object) a literal.
func (p *turtleParser) term(object bool) error {
	p.skip()
	if p.i >= len(p.s) {
		return p.errorf("unexpected end")
	}
	switch c := p.s[p.i]; {
	case c == '<':
		_, err := p.iri()
		return err
	case c == '"' && object:
		s, err := p.stringLit()
		if err != nil {
			return err
		}
		p.onLiteral(s)
		if strings.HasPrefix(p.s[p.i:], "^^") {
			p.i += 2
			if p.i < len(p.s) && p.s[p.i] == '<' {
				_, err = p.iri()
			} else {
				_, err = p.pname(false)
			}
			return err
		}
		if p.i < len(p.s) && p.s[p.i] == '@' {
			p.i++
			start := p.i
			for p.i < len(p.s) && (isNameByte(p.s[p.i]) || p.s[p.i] == '-') {
				p.i++
			}
			if p.i == start {
				return p.errorf("empty language tag")
			}
		}
		return nil
	case object && (c == '-' || c == '+' || (c >= '0' && c <= '9')):
		start := p.i
		for p.i < len(p.s) && strings.IndexByte("+-0123456789.eE", p.s[p.i]) >= 0 {
			p.i++
		}
		num := strings.TrimSuffix(p.s[start:p.i], ".")
		p.i = start + len(num)
		if _, err := strconv.ParseFloat(num, 64); err != nil {
			return p.errorf("bad number %q", num)
		}
		return nil
	default:
		_, err := p.pname(false)
		return err
	}
}

// stringLit reads a "..." literal with Turtle's escapes.
func (p *turtleParser) stringLit() (string, error) {
	p.i++ // the opening quote
	var b strings.Builder
	for {
		if p.i >= len(p.s) {
			return "", p.errorf("unterminated string")
		}
		r, size := utf8.DecodeRuneInString(p.s[p.i:])
		if r == utf8.RuneError && size == 1 {
			return "", p.errorf("invalid UTF-8 in a string")
		}
		switch r {
		case '"':
			p.i++
			return b.String(), nil
		case '\n', '\r':
			return "", p.errorf("raw line break in a string")
		case '\\':
			if p.i+1 >= len(p.s) {
				return "", p.errorf("unterminated escape")
			}
			e := p.s[p.i+1]
			p.i += 2
			switch e {
			case 't':
				b.WriteByte('\t')
			case 'b':
				b.WriteByte('\b')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 'f':
				b.WriteByte('\f')
			case '"', '\'', '\\':
				b.WriteByte(e)
			case 'u', 'U':
				n := 4
				if e == 'U' {
					n = 8
				}
				if p.i+n > len(p.s) {
					return "", p.errorf("short \\%c escape", e)
				}
				v, err := strconv.ParseUint(p.s[p.i:p.i+n], 16, 32)
				if err != nil || !utf8.ValidRune(rune(v)) {
					return "", p.errorf("bad \\%c escape %q", e, p.s[p.i:p.i+n])
				}
				b.WriteRune(rune(v))
				p.i += n
			default:
				return "", p.errorf("unknown escape \\%c", e)
			}
		default:
			b.WriteRune(r)
			p.i += size
		}
	}
}

// triples reads subject predicateObjectList '.'.
func (p *turtleParser) triples() error {
	if err := p.term(false); err != nil {
		return err
	}
	for {
		p.skip()
		if strings.HasPrefix(p.s[p.i:], "a") && p.i+1 < len(p.s) && (p.s[p.i+1] == ' ' || p.s[p.i+1] == '\n' || p.s[p.i+1] == '\t') {
			p.i++
		} else if err := p.term(false); err != nil {
			return err
		}
		for {
			if err := p.term(true); err != nil {
				return err
			}
			p.skip()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			break
		}
		p.skip()
		if p.i >= len(p.s) {
			return p.errorf("unterminated triple")
		}
		switch p.s[p.i] {
		case ';':
			p.i++
			p.skip()
			if p.i < len(p.s) && p.s[p.i] == '.' { // a trailing ';' is allowed
				p.i++
				return nil
			}
		case '.':
			p.i++
			return nil
		default:
			return p.errorf("want ';', ',' or '.', got %q", p.s[p.i])
		}
	}
}

// TestParseTurtle checks the test's Turtle checker on well-formed and
// broken documents, so that the fuzz target can fail.
func TestParseTurtle(t *testing.T) {
	tests := []struct {
		doc  string
		lits []string
		ok   bool
	}{
		{"@prefix a: <urn:x#> .\n<urn:s> a a:T ;\n    a:p \"x\\ny\", \"z\"^^a:t ;\n    a:q 1.5e3 .\n", []string{"x\ny", "z"}, true},
		{"<urn:s> a <urn:T> .", nil, true},
		{"# only a comment\n", nil, true},
		{"<urn:s> <urn:p> \"raw\nbreak\" .", nil, false},
		{"<urn:s> <urn:p> \"unterminated .", nil, false},
		{"<urn:s> <urn:p> <bad iri> .", nil, false},
		{"<urn:s> <urn:p> \"x\"", nil, false},
		{"<urn:s> <urn:p> \"\\q\" .", nil, false},
		{"<urn:s> <urn:p> \"\xff\" .", nil, false},
	}
	for _, tt := range tests {
		lits, err := parseTurtle(tt.doc)
		if (err == nil) != tt.ok || (tt.ok && !slices.Equal(lits, tt.lits)) {
			t.Errorf("parseTurtle(%q) = %q, %v; want ok %v, %q", tt.doc, lits, err, tt.ok, tt.lits)
		}
	}
	// The golden PROV-O export is well-formed.
	st := storeOf(t, fixtureBundle(t))
	view(t, st, func(r graph.Reader) {
		out := exportBytes(t, r, options(ProvO))
		if _, err := parseTurtle(string(out)); err != nil {
			t.Errorf("golden PROV-O: %v", err)
		}
		if _, err := xmlTexts(exportBytes(t, r, options(GraphML))); err != nil {
			t.Errorf("golden GraphML: %v", err)
		}
	})
	if _, err := xmlTexts([]byte("<a><b>\x01</b></a>")); err == nil {
		t.Errorf("xmlTexts accepts a control character")
	}
	if _, err := xmlTexts([]byte("<a><b>x</a>")); err == nil {
		t.Errorf("xmlTexts accepts mismatched tags")
	}
}
