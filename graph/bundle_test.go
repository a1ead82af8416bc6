package graph

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/bundle")

// fakeReader is a Reader over a map, counting the batch calls that
// Validate makes.
type fakeReader struct {
	HistoryReader // not used by validation; nil
	nodes         map[string]Node
	kindsCalls    int
	nodesCalls    int
	err           error
}

func newFakeReader(nodes ...Node) *fakeReader {
	r := &fakeReader{nodes: map[string]Node{}}
	for _, n := range nodes {
		r.nodes[n.NodeKey()] = n
	}
	return r
}

func (r *fakeReader) Node(ctx context.Context, key string) (Node, error) {
	if n, ok := r.nodes[key]; ok {
		return n, nil
	}
	return nil, ErrNotFound
}

func (r *fakeReader) Nodes(ctx context.Context, keys []string) ([]Node, error) {
	r.nodesCalls++
	if r.err != nil {
		return nil, r.err
	}
	out := make([]Node, len(keys))
	for i, k := range keys {
		out[i] = r.nodes[k]
	}
	return out, nil
}

func (r *fakeReader) Kinds(ctx context.Context, keys []string) (map[string]Kind, error) {
	r.kindsCalls++
	if r.err != nil {
		return nil, r.err
	}
	out := map[string]Kind{}
	for _, k := range keys {
		if n, ok := r.nodes[k]; ok {
			out[k] = n.NodeKind()
		}
	}
	return out, nil
}

func (r *fakeReader) Edges(ctx context.Context, q EdgeQuery) ([]Edge, error) {
	return nil, errors.New("fakeReader: no edges")
}

func (r *fakeReader) CountEdges(ctx context.Context, q EdgeQuery) (int, error) {
	return 0, errors.New("fakeReader: no edges")
}

func (r *fakeReader) List(ctx context.Context, k Kind, after string, limit int) (Page, error) {
	return Page{}, errors.New("fakeReader: no list")
}

func (r *fakeReader) Lookup(ctx context.Context, idx Index, value string) ([]string, error) {
	return nil, errors.New("fakeReader: no index")
}

func (r *fakeReader) Range(ctx context.Context, idx Index, from, to time.Time, after string, limit int) (Page, error) {
	return Page{}, errors.New("fakeReader: no index")
}

func (r *fakeReader) QuotesMatching(ctx context.Context, text string, after string, limit int) (Page, error) {
	return Page{}, errors.New("fakeReader: no search")
}

func (r *fakeReader) Search(ctx context.Context, q SearchQuery) (SearchPage, error) {
	return SearchPage{}, errors.New("fakeReader: no search")
}

func (r *fakeReader) Select(ctx context.Context, s Selection) (SelectPage, error) {
	return SelectPage{}, errors.New("fakeReader: no select")
}

func (r *fakeReader) Aggregate(ctx context.Context, s Selection, by Grouping, limit int) ([]Group, error) {
	return nil, errors.New("fakeReader: no aggregate")
}

func (r *fakeReader) Stats(ctx context.Context) (Stats, error) {
	return Stats{}, errors.New("fakeReader: no stats")
}

// short renders problems as "place|key|field|code" for comparison.
func short(err error) []string {
	if err == nil {
		return nil
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return []string{"error: " + err.Error()}
	}
	out := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		out[i] = fmt.Sprintf("%v|%s|%s|%s", p.Place, p.Key, p.Field, p.Code)
	}
	return out
}

// problems returns the problems of err, or fails.
func problems(t *testing.T, err error) []Problem {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a *ValidationError, got %v", err)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("%v does not wrap ErrInvalid", err)
	}
	return ve.Problems
}

// canonical returns b's records grouped by kind (stable), without places:
// the form in which Encode and Decode round-trip.
func canonical(b *Bundle) *Bundle {
	c := &Bundle{Links: b.Links}
	for _, k := range Kinds {
		for _, n := range b.Nodes {
			if n.NodeKind() == k {
				c.Nodes = append(c.Nodes, n)
			}
		}
	}
	return c
}

// withoutPlaces returns b without its places.
func withoutPlaces(b *Bundle) *Bundle {
	return &Bundle{Nodes: b.Nodes, Links: b.Links}
}

func decodeFile(t *testing.T, name string) *Bundle {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "bundle", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := Decode(f, DecodeOptions{})
	if err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return b
}

func decodeString(t *testing.T, s string) *Bundle {
	t.Helper()
	b, err := Decode(strings.NewReader(s), DecodeOptions{})
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return b
}

// golden compares got with the golden file, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "bundle", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run go test -update to accept):\n%s", name, firstDiff(want, got))
	}
}

func firstDiff(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\nwant %s\ngot  %s", i+1, w, g)
		}
	}
	return "(no line differs)"
}

func TestEncodeGolden(t *testing.T) {
	b := decodeFile(t, "full.json")
	if err := Validate(context.Background(), b, nil); err != nil {
		t.Fatalf("full.json is not valid: %v", err)
	}
	var obj, lines bytes.Buffer
	if err := Encode(&obj, b); err != nil {
		t.Fatal(err)
	}
	if err := EncodeJSONL(&lines, b); err != nil {
		t.Fatal(err)
	}
	golden(t, "full.golden.json", obj.Bytes())
	golden(t, "full.golden.jsonl", lines.Bytes())

	// Round trips: same value, same bytes.
	for _, tc := range []struct {
		name string
		out  []byte
		enc  func(*bytes.Buffer, *Bundle) error
	}{
		{"json", obj.Bytes(), func(w *bytes.Buffer, b *Bundle) error { return Encode(w, b) }},
		{"jsonl", lines.Bytes(), func(w *bytes.Buffer, b *Bundle) error { return EncodeJSONL(w, b) }},
	} {
		b2 := decodeString(t, string(tc.out))
		if !reflect.DeepEqual(withoutPlaces(b2), withoutPlaces(b)) {
			t.Errorf("%s: Decode(Encode(b)) != b", tc.name)
		}
		var again bytes.Buffer
		if err := tc.enc(&again, b2); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again.Bytes(), tc.out) {
			t.Errorf("%s: encoding is not byte-stable:\n%s", tc.name, firstDiff(tc.out, again.Bytes()))
		}
	}
}

func TestEncodePreparedGolden(t *testing.T) {
	b := decodeFile(t, "full.json")
	_ = Prepare(context.Background(), b, nil)
	var out bytes.Buffer
	if err := Encode(&out, b); err != nil {
		t.Fatal(err)
	}
	golden(t, "full.prepared.golden.json", out.Bytes())
}

func TestJSONAndJSONLDecodeEqual(t *testing.T) {
	obj := decodeFile(t, "full.json")
	lines := decodeFile(t, "full.jsonl")
	if len(obj.Nodes) != 16 || len(obj.Links) != 3 {
		t.Fatalf("full.json: %d nodes, %d links; want 16 and 3", len(obj.Nodes), len(obj.Links))
	}
	if !reflect.DeepEqual(canonical(obj), canonical(lines)) {
		for i, n := range canonical(obj).Nodes {
			if m := canonical(lines).Nodes[i]; !reflect.DeepEqual(n, m) {
				t.Errorf("node %d: json %+v, jsonl %+v", i, n, m)
			}
		}
		t.Fatal("full.json and full.jsonl decode to different bundles")
	}
	// The JSON Lines file interleaves kinds, has a blank line, a line of
	// spaces and CRLF endings: places are physical line numbers.
	want := map[string]Place{
		"f-delays":  {Line: 7},
		"zoe-lind":  {Line: 5},
		"q-corner":  {Line: 4},
		"q-nothing": {Line: 22},
	}
	for i, n := range lines.Nodes {
		if p, ok := want[n.NodeKey()]; ok && lines.NodePlaces[i] != p {
			t.Errorf("%s at %v, want %v", n.NodeKey(), lines.NodePlaces[i], p)
		}
	}
	if lines.LinkPlaces[0] != (Place{Line: 3}) {
		t.Errorf("first link at %v, want line 3", lines.LinkPlaces[0])
	}
	if obj.NodePlaces[4] != (Place{Section: "organisations", Index: 1}) {
		t.Errorf("node 4 at %v, want organisations[1]", obj.NodePlaces[4])
	}
	if obj.LinkPlaces[2] != (Place{Section: "links", Index: 2}) {
		t.Errorf("link 2 at %v, want links[2]", obj.LinkPlaces[2])
	}
}

func TestDecodeForms(t *testing.T) {
	person := `{"type":"person","key":"a","name":"Ann"}`
	claim := `{"type":"claim","key":"c","text":"It rains"}`
	cases := []struct {
		name  string
		in    string
		keys  []string
		links int
	}{
		{"jsonl", person + "\n" + claim + "\n", []string{"a", "c"}, 0},
		{"jsonl header", `{"claimgraph":"bundle/1"}` + "\n" + person + "\n" + claim, []string{"a", "c"}, 0},
		{"jsonl one record", person, []string{"a"}, 0},
		{"jsonl repeated header", `{"claimgraph":"bundle/1"}` + "\n" + person + "\n\n" + `{"claimgraph":"bundle/1"}` + "\n" + claim, []string{"a", "c"}, 0},
		{"jsonl leading blank lines and bom", "\ufeff\n\n  \n" + person + "\r\n" + claim + "\r\n", []string{"a", "c"}, 0},
		{"jsonl links only", `{"type":"link","from":"a","to":"c","relation":"context"}`, nil, 1},
		{"header only", `{"claimgraph":"bundle/1"}` + "\n", nil, 0},
		{"object one line", `{"claimgraph":"bundle/1","people":[{"key":"a","name":"Ann"}],"claims":[{"key":"c","text":"It rains"}]}`, []string{"a", "c"}, 0},
		{"object pretty", "{\n  \"claims\": [\n    {\"key\": \"c\", \"text\": \"It rains\"}\n  ],\n  \"people\": [{\"key\": \"a\", \"name\": \"Ann\"}]\n}\n", []string{"c", "a"}, 0},
		{"object without version", `{"people":[{"key":"a","name":"Ann"}]}`, []string{"a"}, 0},
		{"object null section", `{"people":null,"claims":[{"key":"c","text":"It rains"}]}`, []string{"c"}, 0},
		{"object bom", "\ufeff{\"people\":[{\"key\":\"a\",\"name\":\"Ann\"}]}", []string{"a"}, 0},
		{"object type members", `{"people":[{"type":"person","key":"a","name":"Ann"}],"links":[{"type":"link","from":"a","to":"c","relation":"context"}]}`, []string{"a"}, 1},
		{"empty object", `{}`, nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := decodeString(t, tc.in)
			var keys []string
			for _, n := range b.Nodes {
				keys = append(keys, n.NodeKey())
			}
			if !slices.Equal(keys, tc.keys) || len(b.Links) != tc.links {
				t.Errorf("got keys %v and %d links, want %v and %d", keys, len(b.Links), tc.keys, tc.links)
			}
			if len(b.NodePlaces) != len(b.Nodes) || len(b.LinkPlaces) != len(b.Links) {
				t.Errorf("places not filled: %d/%d nodes, %d/%d links", len(b.NodePlaces), len(b.Nodes), len(b.LinkPlaces), len(b.Links))
			}
		})
	}
}

// decodeCase is one input with the exact problems Decode reports.
type decodeCase struct {
	name string
	in   string
	opt  DecodeOptions
	want []string
}

// decodeCases lists the decoding problems; FuzzDecode uses them as seeds.
func decodeCases() []decodeCase {
	const hdr = `{"claimgraph":"bundle/1"}` + "\n"
	return []decodeCase{
		// Syntax.
		{name: "empty input", in: " \n\n", want: []string{"bundle|||syntax"}},
		{name: "jsonl bad line, others still read", in: hdr + `{"type":"claim","key":"c","text":"x"}` + "\n" + `{"type":"claim",` + "\n" + `{"type":"claim","key":"d","txt":"x"}`,
			want: []string{"line 3|||syntax", "line 4|d|text|required", "line 4|d|txt|unknown_field"}},
		{name: "jsonl first line broken", in: `{"type":"claim" "key":"c"}` + "\n" + `{"type":"claim","key":"d","text":"x"}`, want: []string{"line 1|||syntax"}},
		{name: "jsonl record not an object", in: hdr + `["claim"]` + "\n" + `{"type":"claim","key":"d","text":"x"}`, want: []string{"line 2|||syntax"}},
		{name: "object syntax error, others still read", in: "{\n  \"people\": [\n    {\"key\": \"a\" \"name\": \"A\"},\n    {\"key\": \"b\"}\n  ]\n}\n", want: []string{"people[0]|||syntax", "people[1]|b|name|required"}},
		{name: "object structure error", in: "{\n  \"people\": [\n    {\"key\": \"a\", \"name\": \"A\"}\n    {\"key\": \"b\"}\n  ]\n}\n", want: []string{"line 4|||syntax"}},
		{name: "object trailing comma", in: "{\"claims\": [{\"key\": \"c\", \"text\": \"x\"},]}", want: []string{"line 1|||syntax"}},
		{name: "object not closed", in: "{\n  \"people\": [\n    {\"key\": \"a\", \"name\": \"A\"}\n", want: []string{"line 4|||syntax"}},
		{name: "object trailing content", in: "{\n\"claimgraph\": \"bundle/1\"\n}\n{}", want: []string{"line 4|||syntax"}},
		{name: "not an object", in: `[{"key":"a"}]`, want: []string{"line 1|||syntax"}},
		{name: "member twice", in: `{"claims":[],"claims":[{"key":"c","text":"x"}]}`, want: []string{"bundle||claims|syntax"}},
		{name: "field twice", in: `{"type":"claim","key":"c","text":"x","text":"y"}`, want: []string{"line 1|c|text|syntax"}},
		{name: "nested field twice", in: `{"type":"quote","key":"q","text":"x","source":"s","span":{"start":1,"start":2,"end":3}}`, want: []string{"line 1|q|span.start|syntax"}},
		{name: "line too long", in: hdr + `{"type":"claim","key":"c","text":"` + strings.Repeat("x", 100) + `"}` + "\n" + `{"type":"claim","key":"d","text":"x"}`,
			opt: DecodeOptions{MaxRecordBytes: 64}, want: []string{"line 2|||syntax"}},
		{name: "object record too large", in: `{"claims":[{"key":"d","text":"x"},{"key":"c","text":"` + strings.Repeat("x", 100) + `"},{"key":"e","text":"x"}]}`,
			opt: DecodeOptions{MaxRecordBytes: 64}, want: []string{"claims[1]|||syntax"}},
		// Version.
		{name: "object version", in: `{"claimgraph":"bundle/2"}`, want: []string{"bundle||claimgraph|version"}},
		{name: "object version type", in: `{"claimgraph":1}`, want: []string{"bundle||claimgraph|wrong_type"}},
		{name: "jsonl version", in: `{"claimgraph":"bundle/0"}` + "\n" + `{"type":"claim","key":"c","text":"x"}`, want: []string{"line 1||claimgraph|version"}},
		{name: "jsonl header extra field", in: `{"claimgraph":"bundle/1","people":[]}` + "\n" + `{"type":"claim","key":"c","text":"x"}`, want: []string{"line 1||people|unknown_field"}},
		// Types of record.
		{name: "unknown type", in: `{"type":"quot","key":"q"}`, want: []string{"line 1|q|type|unknown_type"}},
		{name: "section name as type", in: `{"type":"people","key":"q"}`, want: []string{"line 1|q|type|unknown_type"}},
		{name: "missing type", in: hdr + `{"key":"q","text":"x"}`, want: []string{"line 2|q|type|required"}},
		{name: "type not a string", in: hdr + `{"type":4,"key":"q"}`, want: []string{"line 2|q|type|wrong_type"}},
		{name: "object type mismatch", in: `{"people":[{"type":"claim","key":"a","name":"A"}]}`, want: []string{"people[0]|a|type|unknown_type"}},
		// Unknown fields and members.
		{name: "unknown field", in: `{"type":"claim","key":"c","text":"x","txt":"y"}`, want: []string{"line 1|c|txt|unknown_field"}},
		{name: "unknown field allowed", in: `{"type":"claim","key":"c","text":"x","txt":"y","span":{"start":1,"end":2,"why":1}}`, opt: DecodeOptions{AllowUnknown: true}},
		{name: "unknown nested field", in: `{"type":"quote","key":"q","text":"x","source":"s","span":{"start":1,"end":2,"lenght":1}}`, want: []string{"line 1|q|span.lenght|unknown_field"}},
		{name: "unknown derivation field", in: `{"type":"source","key":"s","kind":"report","derived_from":[{"source":"t","relation":"cites","why":"x"}]}`, want: []string{"line 1|s|derived_from[0].why|unknown_field"}},
		{name: "unknown affiliation field", in: `{"type":"person","key":"p","name":"P","affiliations":[{"organisation":"o","title":"x"}]}`, want: []string{"line 1|p|affiliations[0].title|unknown_field"}},
		{name: "unknown member", in: `{"claimgraph":"bundle/1","quotez":[]}`, want: []string{"bundle||quotez|unknown_field"}},
		{name: "unknown member allowed", in: `{"claimgraph":"bundle/1","quotez":[]}`, opt: DecodeOptions{AllowUnknown: true}},
		{name: "field names are case-sensitive", in: `{"type":"claim","key":"c","Text":"x"}`, want: []string{"line 1|c|text|required", "line 1|c|Text|unknown_field"}},
		// Required fields.
		{name: "missing key", in: `{"type":"claim","text":"x"}`, want: []string{"line 1||key|required"}},
		{name: "empty key", in: `{"type":"claim","key":"","text":"x"}`, want: []string{"line 1||key|required"}},
		{name: "person name", in: `{"type":"person","key":"p"}`, want: []string{"line 1|p|name|required"}},
		{name: "organisation blank name", in: `{"type":"organisation","key":"o","name":"  "}`, want: []string{"line 1|o|name|required"}},
		{name: "source kind", in: `{"type":"source","key":"s"}`, want: []string{"line 1|s|kind|required"}},
		{name: "quote text and source", in: `{"type":"quote","key":"q","speaker":"p"}`, want: []string{"line 1|q|text|required", "line 1|q|source|required"}},
		{name: "claim text null", in: `{"type":"claim","key":"c","text":null}`, want: []string{"line 1|c|text|required"}},
		{name: "figure value and unit", in: `{"type":"figure","key":"f","text":"ten"}`, want: []string{"line 1|f|value|required", "line 1|f|unit|required"}},
		{name: "link ends and relation", in: `{"type":"link","note":"x"}`, want: []string{"line 1||from|required", "line 1||to|required", "line 1||relation|required"}},
		{name: "span end", in: `{"type":"quote","key":"q","text":"x","source":"s","span":{"start":0}}`, want: []string{"line 1|q|span.end|required"}},
		{name: "affiliation organisation", in: `{"type":"person","key":"p","name":"P","affiliations":[{"role":"chair"}]}`, want: []string{"line 1|p|affiliations[0].organisation|required"}},
		{name: "derivation source and relation", in: `{"type":"source","key":"s","kind":"report","derived_from":[{"source":"t","relation":"cites"},{}]}`,
			want: []string{"line 1|s|derived_from[1].source|required", "line 1|s|derived_from[1].relation|required"}},
		{name: "object required", in: `{"figures":[{"key":"f","value":1,"unit":"usd"},{"key":"g","unit":"usd"}]}`, want: []string{"figures[1]|g|value|required"}},
		// Wrong JSON types.
		{name: "key not a string", in: `{"type":"claim","key":5,"text":"x"}`, want: []string{"line 1||key|wrong_type"}},
		{name: "aliases not an array", in: `{"type":"person","key":"p","name":"P","aliases":"Pat"}`, want: []string{"line 1|p|aliases|wrong_type"}},
		{name: "alias not a string", in: `{"type":"person","key":"p","name":"P","aliases":["Pat",7,null]}`, want: []string{"line 1|p|aliases[1]|wrong_type", "line 1|p|aliases[2]|wrong_type"}},
		{name: "ids values", in: `{"type":"person","key":"p","name":"P","ids":{"wikidata":42}}`, want: []string{"line 1|p|ids.wikidata|wrong_type"}},
		{name: "ids not an object", in: `{"type":"organisation","key":"o","name":"O","ids":["Q1"]}`, want: []string{"line 1|o|ids|wrong_type"}},
		{name: "span types", in: `{"type":"quote","key":"q","text":"x","source":"s","span":{"start":"1","end":2.5}}`, want: []string{"line 1|q|span.start|wrong_type", "line 1|q|span.end|wrong_type"}},
		{name: "span not an object", in: `{"type":"quote","key":"q","text":"x","source":"s","span":[1,2]}`, want: []string{"line 1|q|span|wrong_type"}},
		{name: "figure types", in: `{"type":"figure","key":"f","value":"40","value_max":true,"unit":"percent","approx":"yes"}`,
			want: []string{"line 1|f|value|wrong_type", "line 1|f|value_max|wrong_type", "line 1|f|approx|wrong_type"}},
		{name: "figure value overflows", in: `{"type":"figure","key":"f","value":1e400,"unit":"percent"}`, want: []string{"line 1|f|value|bad_range"}},
		{name: "derived_from element not an object", in: `{"type":"source","key":"s","kind":"report","derived_from":["t"]}`, want: []string{"line 1|s|derived_from[0]|wrong_type"}},
		{name: "object record not an object", in: `{"people":[5,{"key":"a","name":"A"}]}`, want: []string{"people[0]|||wrong_type"}},
		{name: "section not an array", in: `{"people":{"key":"a","name":"A"},"claims":[{"key":"c","text":"x"}]}`, want: []string{"bundle||people|wrong_type"}},
		{name: "one bad field hides no other", in: `{"type":"quote","key":"q","text":1,"source":2,"speaker":3,"claims":"c","mode":"direct","cue":"said"}`,
			want: []string{"line 1|q|text|wrong_type", "line 1|q|speaker|wrong_type", "line 1|q|source|wrong_type", "line 1|q|claims|wrong_type"}},
	}
}

func TestDecodeProblems(t *testing.T) {
	for _, tc := range decodeCases() {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Decode(strings.NewReader(tc.in), tc.opt)
			got := short(err)
			if !slices.Equal(got, tc.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tc.want)
			}
			if b == nil {
				t.Fatal("Decode returned no bundle")
			}
			if err != nil {
				for _, p := range problems(t, err) {
					if p.Message == "" {
						t.Errorf("%v has no message", p)
					}
				}
			}
		})
	}
}

func TestDecodeSyntaxPositions(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		{"{\n  \"people\": [\n    {\"key\": \"a\" \"name\": \"A\"}\n  ]\n}\n", "people[0]: line 3, column 17: invalid character '\"' after object key:value pair"},
		{`{"claimgraph":"bundle/1"}` + "\n" + `  {"type": "claim", "key": "c" ]`, "line 2: column 32: invalid character ']' after object key:value pair"},
		{"{\"people\": [\n", "line 2: unexpected end of input: the bundle object is not closed"},
		{"{\n  \"people\": [\n    {\"key\": \"a\", \"name\": \"A\"}\n    {\"key\": \"b\"}\n  ]\n}\n", "line 4: column 5: expected ',' or ']' after a record, found an object"},
		{"{\"claims\": [{\"key\": \"c\", \"text\": \"x\"},]}", "line 1: column 39: expected a value, found ']'"},
		{"{\"claims\": [], }", "line 1: column 16: expected a member name after ',', found '}'"},
		{"{\"claims\" []}", "line 1: column 11: expected ':' after the member name, found an array"},
		{"{claims: []}", "line 1: column 2: expected a member name (a string), found 'c'"},
		{"\n\n  \"bundle\"", "line 3: column 3: a bundle is one JSON object or JSON Lines, not a string"},
		{"{\n\"claimgraph\": \"bundle/1\"\n}\n\n  {}", "line 5: column 3: an object after the end of the bundle object"},
	}
	for _, tc := range cases {
		_, err := Decode(strings.NewReader(tc.in), DecodeOptions{})
		ps := problems(t, err)
		if len(ps) != 1 || ps[0].String() != tc.want {
			t.Errorf("Decode(%q):\n got %v\nwant %s", tc.in, ps, tc.want)
		}
	}
}

func TestDecodeLongObjectAcrossRecords(t *testing.T) {
	// Records far apart keep correct line numbers after the position
	// tracker forgets earlier lines.
	var sb strings.Builder
	sb.WriteString("{\n  \"claims\": [\n")
	for i := range 2000 {
		fmt.Fprintf(&sb, "    {\"key\": \"c%d\", \"text\": \"claim number %d\"},\n", i, i)
	}
	sb.WriteString("    {\"key\": \"bad\" \"text\": \"x\"}\n  ]\n}\n")
	_, err := Decode(strings.NewReader(sb.String()), DecodeOptions{})
	ps := problems(t, err)
	if len(ps) != 1 || ps[0].Place != (Place{Section: "claims", Index: 2000}) || !strings.Contains(ps[0].Message, "line 2003, column 19") {
		t.Errorf("got %v, want one syntax problem at claims[2000], line 2003 column 19", ps)
	}
}

func TestDecodeNormalises(t *testing.T) {
	b := decodeString(t, `{"type":"person","key":"p","name":"P","aliases":[],"ids":{},"affiliations":[],"description":null}`)
	p := b.Nodes[0].(*Person)
	if p.Aliases != nil || p.IDs != nil || p.Affiliations != nil {
		t.Errorf("empty arrays and objects should decode as nil: %+v", p)
	}
	b = decodeString(t, `{"type":"claim","key":"c","text":"caf\u00e9 \"x\" <b>"}`)
	if got := b.Nodes[0].(*Claim).Text; got != `café "x" <b>` {
		t.Errorf("text %q", got)
	}
}

func TestDecodeReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	b, err := Decode(&failingReader{data: `{"type":"claim","key":"c","text":"x"}` + "\n", err: boom}, DecodeOptions{})
	if !errors.Is(err, boom) || b != nil {
		t.Errorf("got %v, %v; want the read error and no bundle", b, err)
	}
}

type failingReader struct {
	data string
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestEncodeRejects(t *testing.T) {
	var nilQuote *Quote
	for _, b := range []*Bundle{
		{Nodes: []Node{nil}},
		{Nodes: []Node{nilQuote}},
		{Nodes: []Node{otherNode{}}},
		{Nodes: []Node{&Figure{Key: "f", Unit: "usd", Value: math.NaN()}}},
	} {
		if err := Encode(&bytes.Buffer{}, b); err == nil {
			t.Errorf("Encode(%v) succeeded", b.Nodes)
		}
		if err := EncodeJSONL(&bytes.Buffer{}, b); err == nil {
			t.Errorf("EncodeJSONL(%v) succeeded", b.Nodes)
		}
	}
}

type otherNode struct{}

func (otherNode) NodeKey() string { return "x" }
func (otherNode) NodeKind() Kind  { return KindClaim }
func (otherNode) Refs() []Ref     { return nil }

// TestJSONLinesBatches decodes one JSON Lines input, good and bad lines
// mixed, in batches of every size from one line to all of it: records,
// places and problems are those of decoding line by line, in line order.
func TestJSONLinesBatches(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "bundle", "full.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Join([]string{
		`{"type":"person","key":"p-x","name":"Ana Ruiz","shoe":1}`,
		`not json at all`,
		`["an", "array"]`,
		`{"type":"planet","key":"mars"}`,
		`{"type":"quote","key":"q-long","text":"` + strings.Repeat("word ", 600) + `"}`,
		`{"type":"link","from":"a","to":"b"}`,
		`{"claimgraph":"bundle/2"}`,
	}, "\n") + "\n"
	input := string(good) + bad + string(good) + bad
	opt := DecodeOptions{MaxRecordBytes: 2000}
	type result struct {
		b       *Bundle
		dropped bool
		err     string
	}
	run := func(batch int) result {
		b, dropped, err := decodeBatched(strings.NewReader(input), opt, batch)
		r := result{b: b, dropped: dropped}
		if err != nil {
			r.err = err.Error()
		}
		return r
	}
	want := run(len(input) + 1) // one batch: the lines in order
	if want.err == "" || !want.dropped || len(want.b.Nodes) < 30 {
		t.Fatalf("the input should decode with problems and records: dropped %v, %d nodes, err %q", want.dropped, len(want.b.Nodes), want.err)
	}
	lines := 0
	for _, p := range want.b.NodePlaces {
		if p.Line <= lines {
			t.Fatalf("node places out of line order: %v after line %d", p, lines)
		}
		lines = p.Line
	}
	for _, batch := range []int{1, 50, 200, 1000, 0} {
		if got := run(batch); !reflect.DeepEqual(got, want) {
			t.Errorf("batches of %d bytes: %d nodes, %d links, err %q; want %d, %d, %q",
				batch, len(got.b.Nodes), len(got.b.Links), got.err, len(want.b.Nodes), len(want.b.Links), want.err)
		}
	}
}
