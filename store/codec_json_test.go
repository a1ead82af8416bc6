package store

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"claimgraph/gen"
	"claimgraph/graph"
)

// stdDecodeNode is decodeNode with encoding/json, the decoder the records
// were written for: the reference unmarshalRecord must agree with.
func stdDecodeNode(b []byte) (graph.Node, error) {
	if len(b) < 2 || b[0] != recordV1 {
		return nil, errCorrupt
	}
	n := graph.NewNode(graph.Kind(b[1]))
	if n == nil {
		return nil, errCorrupt
	}
	if err := json.Unmarshal(b[2:], n); err != nil {
		return nil, err
	}
	return n, nil
}

// sameDecoding fails t unless decodeNode and encoding/json read record b
// alike: both fail, or both succeed with equal nodes that encode to the
// same bytes (so that -0, NaN-free floats and every string compare bit for
// bit).
func sameDecoding(t *testing.T, b []byte) {
	t.Helper()
	got, gerr := decodeNode(b)
	want, werr := stdDecodeNode(b)
	if (gerr != nil) != (werr != nil) {
		t.Fatalf("record %q: decodeNode error %v, encoding/json error %v", b, gerr, werr)
	}
	if gerr != nil {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("record %q: decodeNode %#v, encoding/json %#v", b, got, want)
	}
	ge, err1 := encodeNode(got)
	we, err2 := encodeNode(want)
	if err1 != nil || err2 != nil || !bytes.Equal(ge, we) {
		t.Fatalf("record %q: re-encoded %q (%v), encoding/json's %q (%v)", b, ge, err1, we, err2)
	}
}

// TestRecordDecoderAgrees holds the record decoder (goccy/go-json) to
// encoding/json on every record of a generated corpus and on records
// written to be hard: floats at the edges of float64, escapes, non-ASCII
// and invalid UTF-8 (which encoding/json replaces when writing), empty and
// absent lists, maps and pointers.
func TestRecordDecoderAgrees(t *testing.T) {
	bundle, err := gen.Generate(gen.Options{Quotes: 1500, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	f := func(v float64) *float64 { return &v }
	hard := []graph.Node{
		&graph.Person{Key: "p", Name: "Zoë \"Z\" O'Neil <b>&</b>", Aliases: []string{}, IDs: map[string]string{"wikidata": "Q1", "": "\u2028"}},
		&graph.Person{Key: "p2", Name: "\x00\x01\x1f tab\t nl\n bs\\ invalid \xff\xfe", Affiliations: []graph.Affiliation{{Organisation: "o", Role: "r"}, {Organisation: "o2"}}},
		&graph.Organisation{Key: "o", Name: "日本語 ✓ 🙂", Kind: "agency", Parent: "o0", IDs: map[string]string{}},
		&graph.Source{Key: "s", Kind: "article", Authors: []string{"a", ""}, DerivedFrom: []graph.Derivation{{Source: "s0", Relation: "quotes"}}, Text: "line\r\nline \u00a0 \u200b"},
		&graph.Quote{Key: "q", Text: "", Source: "s", Span: &graph.Span{Start: 0, End: math.MaxInt32, Prefix: "\"", Suffix: "\\"}, Claims: []string{"c1", "c2"}},
		&graph.Quote{Key: "q2", Text: "t", Source: "s", Span: &graph.Span{}},
		&graph.Claim{Key: "c", Text: "x", Topics: []string{}, About: nil},
	}
	for _, v := range []float64{0, math.Copysign(0, -1), 0.1, 0.2 + 0.1, 1e-7, 1e21, 1e22, 123456789.123456789,
		5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308, 1 << 53, 1<<53 + 2,
		9007199254740993, 3.0000000000000004, 1.5e300, 0.30000000000000004, 2.5, -7.25e-12} {
		hard = append(hard, &graph.Figure{Key: "f", Value: v, ValueMax: f(-v), Unit: "%", Approx: true, DerivedFrom: []string{"f0"}})
	}
	n := 0
	for _, node := range append(bundle.Nodes, hard...) {
		b, err := encodeNode(node)
		if err != nil {
			t.Fatal(err)
		}
		sameDecoding(t, b)
		n++
	}
	// Records as another writer might have spelled them: spaces, other key
	// order, escapes that encoding/json does not write, unknown fields,
	// null, numbers in exponent form.
	for _, rec := range []struct {
		kind graph.Kind
		json string
	}{
		{graph.KindQuote, ` { "text" : "a\u0041\/\ud83d\ude42" , "key":"q", "source":"s" } `},
		{graph.KindFigure, `{"key":"f","value":1E2,"unit":"u","value_max":null,"extra":{"x":[1,2,{"y":null}]}}`},
		{graph.KindFigure, `{"key":"f","value":-0.0e-0,"unit":"u"}`},
		{graph.KindPerson, `{"key":"p","name":"n","ids":null,"aliases":null}`},
		{graph.KindQuote, `{"key":"q","text":"\ud800","source":"s"}`},
		{graph.KindQuote, `{"KEY":"q","Text":"t","sOuRcE":"s","key":"q2"}`},
		{graph.KindQuote, "{\"key\":\"q\",\"text\":\"\xff\xc3(\xed\xa0\x80\",\"source\":\"s\"}"},
		{graph.KindQuote, `{"key":"q","text":"t","source":"s","claims":["a"],"claims":["b","c"]}`},
		{graph.KindFigure, `{"key":"f","value":"1","unit":"u"}`},
		{graph.KindQuote, `{"key":"q","text":"t","source":"s"} trailing`},
	} {
		sameDecoding(t, append([]byte{recordV1, byte(rec.kind)}, rec.json...))
	}
	if n < 1500 {
		t.Fatalf("only %d records checked", n)
	}
}
