package graph

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// validateBase is four valid records on lines 1 to 4; the cases below add
// lines from 5. Its source text has multi-byte code points, so spans
// counted in bytes would fail.
const validateBase = `{"type":"person","key":"p1","name":"Pat Example"}
{"type":"organisation","key":"o1","name":"Example Org","kind":"ngo"}
{"type":"source","key":"s1","kind":"article","text":"Alpha beta gamma — délta."}
{"type":"claim","key":"c1","text":"Something holds"}
`

// hashS1 is the SHA-256 of s1's text.
var hashS1 = ContentHash("Alpha beta gamma — délta.")

type validateCase struct {
	name  string
	lines []string
	want  []string
}

func validateCases() []validateCase {
	return []validateCase{
		{name: "valid", lines: []string{
			`{"type":"quote","key":"q1","text":"délta","speaker":"p1","source":"s1","span":{"start":19,"end":24,"prefix":"— ","suffix":"."},"claims":["c1"],"mode":"direct","certainty":"probable","said_at":"2026-01-26T09:00:00-05:00"}`,
			`{"type":"figure","key":"f1","text":"beta","value":2,"value_max":3,"unit":"people","source":"s1","span":{"start":6,"end":10,"content_sha256":"` + hashS1 + `"},"stated_by":"o1","derived_from":["q1","c1"],"period":"2025/2026-02-14","baseline":"2025-01","change":"increase"}`,
			`{"type":"link","from":"f1","to":"c1","relation":"contradicts","reason":"different_period","at":"2026-02-01"}`,
			`{"type":"link","from":"f1","to":"c1","relation":"supports"}`,
		}},
		// Keys.
		{name: "bad key", lines: []string{`{"type":"claim","key":"Bad Key","text":"x"}`}, want: []string{"line 5|Bad Key|key|bad_key"}},
		{name: "key too long", lines: []string{`{"type":"claim","key":"` + strings.Repeat("k", 129) + `","text":"x"}`}, want: []string{"line 5|" + strings.Repeat("k", 129) + "|key|bad_key"}},
		{name: "duplicate key across kinds", lines: []string{`{"type":"claim","key":"p1","text":"x"}`, `{"type":"claim","key":"c1","text":"y"}`},
			want: []string{"line 5|p1|key|duplicate_key", "line 6|c1|key|duplicate_key"}},
		// References.
		{name: "dangling", lines: []string{`{"type":"quote","key":"q1","text":"x","source":"s9","speaker":"p9","claims":["c1","c9"]}`},
			want: []string{"line 5|q1|speaker|unknown_reference", "line 5|q1|source|unknown_reference", "line 5|q1|claims[1]|unknown_reference"}},
		{name: "reference not a key", lines: []string{`{"type":"quote","key":"q1","text":"x","source":"s1","speaker":"Pat Example"}`}, want: []string{"line 5|q1|speaker|bad_key"}},
		{name: "empty reference in a list", lines: []string{`{"type":"source","key":"s2","kind":"report","authors":["p1",""]}`}, want: []string{"line 5|s2|authors[1]|required"}},
		{name: "wrong kinds", lines: []string{
			`{"type":"quote","key":"q1","text":"x","source":"p1","speaker":"c1","channel":"o1","reported_by":"s1","claims":["p1"]}`,
			`{"type":"source","key":"s2","kind":"report","publisher":"p1","authors":["s1"],"derived_from":[{"source":"c1","relation":"cites"}]}`,
			`{"type":"person","key":"p2","name":"P","affiliations":[{"organisation":"p1"}]}`,
			`{"type":"organisation","key":"o2","name":"O","parent":"p1"}`,
			`{"type":"figure","key":"f1","value":1,"unit":"usd","stated_by":"s1","source":"o1"}`,
		}, want: []string{
			"line 5|q1|speaker|wrong_reference_kind", "line 5|q1|source|wrong_reference_kind", "line 5|q1|channel|wrong_reference_kind",
			"line 5|q1|reported_by|wrong_reference_kind", "line 5|q1|claims[0]|wrong_reference_kind",
			"line 6|s2|publisher|wrong_reference_kind", "line 6|s2|authors[0]|wrong_reference_kind", "line 6|s2|derived_from[0].source|wrong_reference_kind",
			"line 7|p2|affiliations[0].organisation|wrong_reference_kind",
			"line 8|o2|parent|wrong_reference_kind",
			"line 9|f1|stated_by|wrong_reference_kind", "line 9|f1|source|wrong_reference_kind",
		}},
		{name: "any kind allowed", lines: []string{
			`{"type":"claim","key":"c2","text":"x","about":["p1","o1","s1","c1"]}`,
			`{"type":"figure","key":"f1","value":1,"unit":"usd","derived_from":["s1","p1","c2"]}`,
			`{"type":"link","from":"s1","to":"p1","relation":"context"}`,
		}},
		{name: "references in any order", lines: []string{
			`{"type":"quote","key":"q2","text":"x","source":"s1","reported_by":"q3"}`,
			`{"type":"quote","key":"q3","text":"y","source":"s1"}`,
		}},
		{name: "self references", lines: []string{
			`{"type":"organisation","key":"o2","name":"O","parent":"o2"}`,
			`{"type":"quote","key":"q1","text":"x","source":"s1","reported_by":"q1"}`,
			`{"type":"source","key":"s2","kind":"report","derived_from":[{"source":"s2","relation":"updates"}]}`,
			`{"type":"link","from":"c1","to":"c1","relation":"same_as"}`,
		}, want: []string{"line 5|o2|parent|self_reference", "line 6|q1|reported_by|self_reference", "line 7|s2|derived_from[0].source|self_reference", "line 8||to|self_reference"}},
		{name: "reported_by cycle", lines: []string{
			`{"type":"quote","key":"q1","text":"x","source":"s1","reported_by":"q3"}`,
			`{"type":"quote","key":"q2","text":"y","source":"s1","reported_by":"q1"}`,
			`{"type":"quote","key":"q3","text":"z","source":"s1","reported_by":"q2"}`,
			`{"type":"quote","key":"q4","text":"z","source":"s1","reported_by":"q3"}`,
		}, want: []string{"line 5|q1|reported_by|cycle"}},
		{name: "parent cycle", lines: []string{
			`{"type":"organisation","key":"o2","name":"O2","parent":"o3"}`,
			`{"type":"organisation","key":"o3","name":"O3","parent":"o2"}`,
		}, want: []string{"line 5|o2|parent|cycle"}},
		// Enumerations.
		{name: "enums", lines: []string{
			`{"type":"organisation","key":"o2","name":"O","kind":"club"}`,
			`{"type":"source","key":"s2","kind":"blog","derived_from":[{"source":"s1","relation":"copies"}]}`,
			`{"type":"quote","key":"q1","text":"x","source":"s1","mode":"shouted","certainty":"sure"}`,
			`{"type":"figure","key":"f1","value":1,"unit":"usd","change":"up"}`,
			`{"type":"link","from":"c1","to":"p1","relation":"likes"}`,
			`{"type":"link","from":"c1","to":"o1","relation":"contradicts","reason":"mood"}`,
			`{"type":"link","from":"c1","to":"s1","relation":"supports","reason":"factual"}`,
		}, want: []string{
			"line 5|o2|kind|unknown_value", "line 6|s2|kind|unknown_value", "line 6|s2|derived_from[0].relation|unknown_value",
			"line 7|q1|mode|unknown_value", "line 7|q1|certainty|unknown_value", "line 8|f1|change|unknown_value",
			"line 9||relation|unknown_value", "line 10||reason|unknown_value", "line 11||reason|unknown_value",
		}},
		{name: "enums are lower case", lines: []string{`{"type":"quote","key":"q1","text":"x","source":"s1","mode":"DIRECT"}`}, want: []string{"line 5|q1|mode|unknown_value"}},
		// Dates.
		{name: "dates", lines: []string{
			`{"type":"quote","key":"q1","text":"x","source":"s1","said_at":"26/01/2026"}`,
			`{"type":"quote","key":"q2","text":"x","source":"s1","said_at":"2026-01"}`,
			`{"type":"source","key":"s2","kind":"report","published_at":"2026-02-30","updated_at":"2026-01-26 10:00","retrieved_at":"2026-01-26T25:00:00Z"}`,
			`{"type":"person","key":"p2","name":"P","affiliations":[{"organisation":"o1","from":"2026-03-01","to":"2025-01-01"}]}`,
			`{"type":"figure","key":"f1","value":1,"unit":"usd","period":"soon","baseline":"2026-03/2026-01"}`,
			`{"type":"link","from":"c1","to":"p1","relation":"context","at":"yesterday"}`,
		}, want: []string{
			"line 5|q1|said_at|bad_date", "line 6|q2|said_at|bad_date",
			"line 7|s2|published_at|bad_date", "line 7|s2|updated_at|bad_date", "line 7|s2|retrieved_at|bad_date",
			"line 8|p2|affiliations[0].to|bad_date",
			"line 9|f1|period|bad_date", "line 9|f1|baseline|bad_date",
			"line 10||at|bad_date",
		}},
		// Spans and hashes.
		{name: "span range", lines: []string{
			`{"type":"quote","key":"q1","text":"x","source":"s1","span":{"start":-1,"end":2}}`,
			`{"type":"quote","key":"q2","text":"x","source":"s1","span":{"start":4,"end":4}}`,
			`{"type":"quote","key":"q3","text":"x","source":"s1","span":{"start":20,"end":26}}`,
			`{"type":"figure","key":"f1","text":"x","value":1,"unit":"usd","span":{"start":0,"end":1}}`,
		}, want: []string{"line 5|q1|span|bad_span", "line 6|q2|span|bad_span", "line 7|q3|span|bad_span", "line 8|f1|source|required"}},
		{name: "span without source text is kept as given", lines: []string{
			`{"type":"source","key":"s2","kind":"report"}`,
			`{"type":"quote","key":"q1","text":"anything","source":"s2","span":{"start":500,"end":900}}`,
		}},
		{name: "span text", lines: []string{
			`{"type":"quote","key":"q1","text":"delta","source":"s1","span":{"start":19,"end":24}}`,
			`{"type":"figure","key":"f1","value":1,"unit":"usd","source":"s1","span":{"start":0,"end":5}}`,
			`{"type":"quote","key":"q2","text":"délta","source":"s1","span":{"start":19,"end":24,"prefix":"x ","suffix":"!"}}`,
		}, want: []string{"line 5|q1|text|span_text_mismatch", "line 6|f1|text|span_text_mismatch", "line 7|q2|span.prefix|span_text_mismatch", "line 7|q2|span.suffix|span_text_mismatch"}},
		{name: "hashes", lines: []string{
			`{"type":"source","key":"s2","kind":"report","text":"abc","content_sha256":"` + ContentHash("abd") + `"}`,
			`{"type":"source","key":"s3","kind":"report","content_sha256":"ABC"}`,
			`{"type":"quote","key":"q1","text":"Alpha","source":"s1","span":{"start":0,"end":5,"content_sha256":"` + ContentHash("other") + `"}}`,
			`{"type":"source","key":"s4","kind":"report","content_sha256":"` + ContentHash("four") + `"}`,
			`{"type":"quote","key":"q2","text":"y","source":"s4","span":{"start":0,"end":5,"content_sha256":"` + ContentHash("five") + `"}}`,
			`{"type":"quote","key":"q3","text":"y","source":"s4","span":{"start":0,"end":5,"content_sha256":"` + ContentHash("four") + `"}}`,
		}, want: []string{"line 5|s2|content_sha256|hash_mismatch", "line 6|s3|content_sha256|hash_mismatch", "line 7|q1|span.content_sha256|hash_mismatch", "line 9|q2|span.content_sha256|hash_mismatch"}},
		// Figures and links.
		{name: "value range", lines: []string{`{"type":"figure","key":"f1","value":10,"value_max":5,"unit":"usd"}`}, want: []string{"line 5|f1|value_max|bad_range"}},
		{name: "duplicate link", lines: []string{
			`{"type":"link","from":"c1","to":"p1","relation":"context","note":"a"}`,
			`{"type":"link","from":"c1","to":"p1","relation":"about"}`,
			`{"type":"link","from":"c1","to":"p1","relation":"context","note":"b"}`,
		}, want: []string{"line 6||relation|unknown_value", "line 7||relation|duplicate_key"}},
		{name: "dangling link", lines: []string{`{"type":"link","from":"c1","to":"c404","relation":"supports"}`}, want: []string{"line 5||to|unknown_reference"}},
	}
}

func TestValidateProblems(t *testing.T) {
	for _, tc := range validateCases() {
		t.Run(tc.name, func(t *testing.T) {
			b := decodeString(t, validateBase+strings.Join(tc.lines, "\n"))
			err := Validate(context.Background(), b, nil)
			if got := short(err); !slices.Equal(got, tc.want) {
				t.Errorf("problems:\n got %q\nwant %q\n%v", got, tc.want, err)
			}
		})
	}
}

// TestValidateMessages checks that messages name what is wrong, with both
// strings of a span mismatch and both places of a duplicate.
func TestValidateMessages(t *testing.T) {
	b := decodeString(t, validateBase+`{"type":"claim","key":"p1","text":"x"}
{"type":"quote","key":"q1","text":"delta","source":"s1","span":{"start":19,"end":24}}
{"type":"quote","key":"q2","text":"x","source":"s1","span":{"start":20,"end":26}}
{"type":"quote","key":"q3","text":"x","source":"s404","speaker":"c1"}`)
	ps := problems(t, Validate(context.Background(), b, nil))
	want := []string{
		`line 5 key p1 field key: key "p1" is also used by a person at line 1`,
		`line 6 key q1 field text: text "delta" does not match the span [19, 24) of source "s1", which reads "délta"`,
		`line 7 key q2 field span: span [20, 26) ends past the text of source "s1" (25 code points)`,
		`line 8 key q3 field speaker: speaker "c1" is a claim (line 4); want a person or organisation`,
		`line 8 key q3 field source: source "s404": no record in the bundle has this key`,
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestValidateTruncatesLongTexts(t *testing.T) {
	long := strings.Repeat("word ", 100)
	b := decodeString(t, fmt.Sprintf(`{"type":"source","key":"s1","kind":"report","text":%q}
{"type":"quote","key":"q1","text":%q,"source":"s1","span":{"start":0,"end":400}}`, long, strings.ToUpper(long)))
	ps := problems(t, Validate(context.Background(), b, nil))
	if len(ps) != 1 || len(ps[0].Message) > 300 || !strings.Contains(ps[0].Message, "…") {
		t.Errorf("got %v, want one short message", ps)
	}
}

func TestValidateBuiltInCode(t *testing.T) {
	var nilClaim *Claim
	b := &Bundle{
		Nodes: []Node{
			&Person{Key: "p1"},
			&Claim{Key: "c1", Text: " "},
			nilClaim,
			&Source{Key: "s1", DerivedFrom: []Derivation{{Source: "", Relation: ""}}},
			&Figure{Key: "f1", Value: math.Inf(1), Unit: "usd"},
			&Quote{Key: ""},
			&Claim{Key: "c2", Text: "x", Topics: []string{""}},
			&Person{Key: "p2", Name: "x", Aliases: []string{" "}},
			&Figure{Key: "f2", Value: 1, ValueMax: new(math.NaN()), Unit: "usd"},
		},
		Links: []Link{{}},
	}
	want := []string{
		"people[0]|p1|name|required",
		"people[1]|p2|aliases[0]|required",
		"sources[0]|s1|kind|required",
		"sources[0]|s1|derived_from[0].relation|required",
		"sources[0]|s1|derived_from[0].source|required",
		"quotes[0]||key|required",
		"quotes[0]||text|required",
		"quotes[0]||source|required",
		"claims[0]|c1|text|required",
		"claims[1]|c2|topics[0]|required",
		"figures[0]|f1|value|bad_range",
		"figures[1]|f2|value_max|bad_range",
		"links[0]||from|required",
		"links[0]||to|required",
		"links[0]||relation|required",
		"nodes[2]|||required",
	}
	err := Validate(context.Background(), b, nil)
	if got := short(err); !slices.Equal(got, want) {
		t.Errorf("problems:\n got %q\nwant %q", got, want)
	}
	if Validate(context.Background(), nil, nil) != nil {
		t.Error("a nil bundle has nothing wrong")
	}
	if Validate(context.Background(), &Bundle{}, nil) != nil {
		t.Error("an empty bundle has nothing wrong")
	}
}

func TestValidateStore(t *testing.T) {
	storedText := "Stored words — ünïcode text."
	st := newFakeReader(
		&Person{Key: "stored-p", Name: "Stored Person"},
		&Source{Key: "stored-s", Kind: "article", Text: storedText, ContentSHA256: ContentHash(storedText)},
		&Source{Key: "stored-hash", Kind: "report", ContentSHA256: ContentHash("elsewhere")},
		&Claim{Key: "stored-c", Text: "A stored claim"},
	)
	cases := []struct {
		name  string
		lines string
		want  []string
	}{
		{"resolves", `{"type":"quote","key":"q1","text":"ünïcode","speaker":"stored-p","source":"stored-s","span":{"start":15,"end":22},"claims":["stored-c"]}
{"type":"link","from":"q1","to":"stored-c","relation":"supports"}
{"type":"quote","key":"q2","text":"words","source":"stored-hash","span":{"start":7,"end":12,"content_sha256":"` + ContentHash("elsewhere") + `"}}`, nil},
		{"span against stored text", `{"type":"quote","key":"q1","text":"Stored","source":"stored-s","span":{"start":15,"end":22}}
{"type":"quote","key":"q2","text":"x","source":"stored-s","span":{"start":15,"end":99}}
{"type":"quote","key":"q3","text":"x","source":"stored-hash","span":{"start":0,"end":1,"content_sha256":"` + ContentHash("other") + `"}}`,
			[]string{"line 1|q1|text|span_text_mismatch", "line 2|q2|span|bad_span", "line 3|q3|span.content_sha256|hash_mismatch"}},
		{"bundle source replaces stored", `{"type":"source","key":"stored-s","kind":"article","text":"New text"}
{"type":"quote","key":"q1","text":"New","source":"stored-s","span":{"start":0,"end":3}}`, nil},
		{"kind change", `{"type":"claim","key":"stored-p","text":"x"}
{"type":"person","key":"stored-c","name":"x"}`,
			[]string{"line 1|stored-p|key|kind_change", "line 2|stored-c|key|kind_change"}},
		{"stored wrong kind", `{"type":"quote","key":"q1","text":"x","source":"stored-c","speaker":"stored-s"}`,
			[]string{"line 1|q1|speaker|wrong_reference_kind", "line 1|q1|source|wrong_reference_kind"}},
		{"dangling", `{"type":"quote","key":"q1","text":"x","source":"nowhere"}`, []string{"line 1|q1|source|unknown_reference"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st.kindsCalls, st.nodesCalls = 0, 0
			b := decodeString(t, tc.lines)
			err := Validate(context.Background(), b, st)
			if got := short(err); !slices.Equal(got, tc.want) {
				t.Errorf("problems:\n got %q\nwant %q\n%v", got, tc.want, err)
			}
			if st.kindsCalls != 1 || st.nodesCalls > 1 {
				t.Errorf("Validate called Kinds %d times and Nodes %d times; want 1 and at most 1", st.kindsCalls, st.nodesCalls)
			}
		})
	}
	t.Run("dangling message", func(t *testing.T) {
		b := decodeString(t, `{"type":"quote","key":"q1","text":"x","source":"nowhere"}`)
		ps := problems(t, Validate(context.Background(), b, st))
		if !strings.Contains(ps[0].Message, "in the bundle or the store") {
			t.Errorf("message %q does not say where it looked", ps[0].Message)
		}
	})
	t.Run("reader error", func(t *testing.T) {
		boom := errors.New("snapshot gone")
		bad := newFakeReader()
		bad.err = boom
		b := decodeString(t, `{"type":"quote","key":"q1","text":"x","source":"nowhere"}`)
		if err := Validate(context.Background(), b, bad); !errors.Is(err, boom) || errors.Is(err, ErrInvalid) {
			t.Errorf("got %v, want the reader's error", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := Validate(ctx, &Bundle{}, st); !errors.Is(err, context.Canceled) {
			t.Errorf("got %v", err)
		}
	})
}

// TestDoneWhen is the case: one bundle with a dangling reference,
// a bad span, an unknown field and a duplicate key is refused with each
// problem named.
func TestDoneWhen(t *testing.T) {
	in := `{
  "claimgraph": "bundle/1",
  "people": [
    {"key": "rowan-hale", "name": "Rowan Hale", "nickname": "Ro"}
  ],
  "sources": [
    {"key": "bulletin", "kind": "press_release", "text": "Rowan Hale said the bridge will reopen in May."}
  ],
  "quotes": [
    {"key": "q-bridge", "text": "the bridge will reopen in May", "speaker": "rowan-hale", "source": "bulletin",
     "span": {"start": 16, "end": 99}},
    {"key": "q-bridge", "text": "reopen", "speaker": "rowan-hale", "source": "bulletin"},
    {"key": "q-other", "text": "the bridge", "speaker": "ghost-speaker", "source": "bulletin"}
  ]
}`
	st := newFakeReader()
	b, err := ReadBundle(context.Background(), strings.NewReader(in), DecodeOptions{}, st)
	want := []string{
		"people[0]|rowan-hale|nickname|unknown_field",
		"quotes[0]|q-bridge|span|bad_span",
		"quotes[1]|q-bridge|key|duplicate_key",
		"quotes[2]|q-other|speaker|unknown_reference",
	}
	if got := short(err); !slices.Equal(got, want) {
		t.Fatalf("problems:\n got %q\nwant %q\n%v", got, want, err)
	}
	if b == nil || len(b.Nodes) != 5 {
		t.Errorf("ReadBundle should return the bundle as read")
	}
	msg := err.Error()
	for _, s := range []string{"invalid bundle: 4 problem(s)", `unknown field "nickname"`, "ends past the text", "also used by a quote at quotes[0]", `"ghost-speaker"`} {
		if !strings.Contains(msg, s) {
			t.Errorf("error does not say %q:\n%s", s, msg)
		}
	}
}

func TestReadBundle(t *testing.T) {
	ctx := context.Background()
	t.Run("valid is prepared", func(t *testing.T) {
		b, err := ReadBundle(ctx, strings.NewReader(validateBase+`{"type":"quote","key":"q1","text":"beta","source":"s1","span":{"start":6,"end":10}}`), DecodeOptions{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		sp := b.Nodes[4].(*Quote).Span
		if sp.Prefix != "Alpha " || sp.Suffix != " gamma — délta." || sp.ContentSHA256 != hashS1 {
			t.Errorf("span not prepared: %+v", sp)
		}
	})
	t.Run("a field is reported once", func(t *testing.T) {
		_, err := ReadBundle(ctx, strings.NewReader(`{"type":"quote","key":"q1","text":"x","source":5,"speaker":"nobody","span":{"start":"0","end":1}}`), DecodeOptions{}, nil)
		want := []string{"line 1|q1|source|wrong_type", "line 1|q1|span.start|wrong_type", "line 1|q1|speaker|unknown_reference"}
		if got := short(err); !slices.Equal(got, want) {
			t.Errorf("problems:\n got %q\nwant %q", got, want)
		}
	})
	t.Run("decode problems only", func(t *testing.T) {
		_, err := ReadBundle(ctx, strings.NewReader(`{"type":"claim","key":"c1","text":"x","txt":"y"}`), DecodeOptions{}, nil)
		if got, want := short(err), []string{"line 1|c1|txt|unknown_field"}; !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("syntax stops before validation", func(t *testing.T) {
		_, err := ReadBundle(ctx, strings.NewReader(`{"type":"quote","key":"q1","text":"x","source":"s1"}`+"\n"+`{"type":"source","key":"s1",`), DecodeOptions{}, nil)
		if got, want := short(err), []string{"line 2|||syntax"}; !slices.Equal(got, want) {
			t.Errorf("got %q, want %q (no unknown reference to s1)", got, want)
		}
	})
	t.Run("a section that is not an array stops before validation", func(t *testing.T) {
		_, err := ReadBundle(ctx, strings.NewReader(`{"sources":{"key":"s1","kind":"report"},"quotes":[{"key":"q1","text":"x","source":"s1"}]}`), DecodeOptions{}, nil)
		if got, want := short(err), []string{"bundle||sources|wrong_type"}; !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("read error", func(t *testing.T) {
		boom := errors.New("pipe closed")
		if _, err := ReadBundle(ctx, &failingReader{err: boom}, DecodeOptions{}, nil); !errors.Is(err, boom) {
			t.Errorf("got %v", err)
		}
	})
}

func TestPrepare(t *testing.T) {
	b := decodeFile(t, "full.json")
	src := b.Nodes[6].(*Source)
	src.ContentSHA256 = ""
	_ = Prepare(context.Background(), b, nil)
	if src.ContentSHA256 != ContentHash(src.Text) {
		t.Errorf("source hash not filled")
	}
	q := b.Nodes[9].(*Quote)
	if q.Key != "q-corner" || q.Span.Prefix != "March — the lowest since 2019. \"" || q.Span.Suffix != ",\" said council chair Zoë Lind, " || q.Span.ContentSHA256 != src.ContentSHA256 {
		t.Errorf("q-corner span: %+v", q.Span)
	}
	f := b.Nodes[14].(*Figure)
	if f.Key != "f-delays" || f.Span.Prefix != "cials said ferry delays fell by " || f.Span.Suffix != " in March — the lowest since 201" {
		t.Errorf("f-delays span: %+v", f.Span)
	}
	if err := Validate(context.Background(), b, nil); err != nil {
		t.Errorf("prepared bundle does not validate: %v", err)
	}
	once := decodeFile(t, "full.json")
	_ = Prepare(context.Background(), once, nil)
	twice := decodeFile(t, "full.json")
	_ = Prepare(context.Background(), twice, nil)
	_ = Prepare(context.Background(), twice, nil)
	if !reflect.DeepEqual(once, twice) {
		t.Error("Prepare is not idempotent")
	}
	// Sources without text: the span gets the source's hash only; spans
	// that do not fit are left alone; a nil bundle is fine.
	b = decodeString(t, `{"type":"source","key":"s1","kind":"report","content_sha256":"`+hashS1+`"}
{"type":"source","key":"s2","kind":"report","text":"short"}
{"type":"quote","key":"q1","text":"x","source":"s1","span":{"start":1,"end":2}}
{"type":"quote","key":"q2","text":"x","source":"s2","span":{"start":1,"end":20}}`)
	_ = Prepare(context.Background(), b, nil)
	_ = Prepare(context.Background(), nil, nil)
	if sp := b.Nodes[2].(*Quote).Span; sp.ContentSHA256 != hashS1 || sp.Prefix != "" {
		t.Errorf("q1 span %+v", sp)
	}
	if sp := b.Nodes[3].(*Quote).Span; sp.ContentSHA256 != ContentHash("short") || sp.Prefix != "" || sp.Suffix != "" {
		t.Errorf("q2 span %+v", sp)
	}
}

// TestRefSpecsMatchRefs keeps validation's reference list in step with
// Node.Refs.
func TestRefSpecsMatchRefs(t *testing.T) {
	b := decodeFile(t, "full.json")
	for _, n := range b.Nodes {
		var specs, refs []string
		eachRefSpec(n, func(s refSpec) {
			specs = append(specs, fieldRoot(s.name())+">"+s.to)
		})
		for _, r := range n.Refs() {
			refs = append(refs, r.Field+">"+r.To)
		}
		if !slices.Equal(specs, refs) {
			t.Errorf("%s: eachRefSpec %v, Refs %v", n.NodeKey(), specs, refs)
		}
	}
}

func TestValidKey(t *testing.T) {
	re := regexp.MustCompile(KeyPattern)
	cases := []string{"", "a", "0", "a-b", "a.b_c:d-e", "-a", ".a", "A", "a b", "é", "a/b", strings.Repeat("a", 128), strings.Repeat("a", 129), "a\n", "q1", "article-1"}
	rnd := rand.New(rand.NewPCG(1, 2))
	const alphabet = "az09._:-A /é"
	for range 2000 {
		n := rnd.IntN(6)
		var sb strings.Builder
		for range n {
			sb.WriteByte(alphabet[rnd.IntN(len(alphabet))])
		}
		cases = append(cases, sb.String())
	}
	for _, s := range cases {
		if ValidKey(s) != re.MatchString(s) {
			t.Errorf("ValidKey(%q) = %v, KeyPattern says %v", s, ValidKey(s), re.MatchString(s))
		}
	}
}

func TestParseDate(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	cases := []struct {
		in   string
		want time.Time
		prec DatePrecision
		ok   bool
	}{
		{"2026", utc(2026, 1, 1, 0, 0), PrecisionYear, true},
		{"2026-01", utc(2026, 1, 1, 0, 0), PrecisionMonth, true},
		{"2026-01-26", utc(2026, 1, 26, 0, 0), PrecisionDay, true},
		{"2024-02-29", utc(2024, 2, 29, 0, 0), PrecisionDay, true},
		{"2026-01-26T19:47:00Z", utc(2026, 1, 26, 19, 47), PrecisionInstant, true},
		{"2026-01-26T13:47:00-06:00", utc(2026, 1, 26, 19, 47), PrecisionInstant, true},
		{"2026-01-26T19:47:00.5Z", utc(2026, 1, 26, 19, 47).Add(500 * time.Millisecond), PrecisionInstant, true},
		{"", time.Time{}, 0, false},
		{"26", time.Time{}, 0, false},
		{"2026-1", time.Time{}, 0, false},
		{"2026-13", time.Time{}, 0, false},
		{"2026-00", time.Time{}, 0, false},
		{"2025-02-29", time.Time{}, 0, false},
		{"2026-01-00", time.Time{}, 0, false},
		{"2026/01/26", time.Time{}, 0, false},
		{"2026-01-26 19:47:00Z", time.Time{}, 0, false},
		{"2026-01-26T19:47:00", time.Time{}, 0, false},
		{"2026-01-26T24:00:00Z", time.Time{}, 0, false},
		{"+2026-01-26", time.Time{}, 0, false},
		{"２０２６", time.Time{}, 0, false},
	}
	for _, tc := range cases {
		got, prec, err := ParseDate(tc.in)
		if (err == nil) != tc.ok || !got.Equal(tc.want) || prec != tc.prec || (err == nil && got.Location() != time.UTC) {
			t.Errorf("ParseDate(%q) = %v, %v, %v; want %v, %v, ok %v", tc.in, got, prec, err, tc.want, tc.prec, tc.ok)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		in       string
		from, to time.Time
		ok       bool
	}{
		{"2026", day(2026, 1, 1), day(2027, 1, 1), true},
		{"2026-01", day(2026, 1, 1), day(2026, 2, 1), true},
		{"2025-12", day(2025, 12, 1), day(2026, 1, 1), true},
		{"2026-01-26", day(2026, 1, 26), day(2026, 1, 27), true},
		{"2025-12/2026-01", day(2025, 12, 1), day(2026, 2, 1), true},
		{"2025/2026-01-15", day(2025, 1, 1), day(2026, 1, 16), true},
		{"2026-01-26T10:00:00Z", day(2026, 1, 26).Add(10 * time.Hour), day(2026, 1, 26).Add(10 * time.Hour), true},
		{"2026-03/2026-01", time.Time{}, time.Time{}, false},
		{"2026/", time.Time{}, time.Time{}, false},
		{"/2026", time.Time{}, time.Time{}, false},
		{"2025/2026/2027", time.Time{}, time.Time{}, false},
		{"Q1 2026", time.Time{}, time.Time{}, false},
		{"last year", time.Time{}, time.Time{}, false},
	}
	for _, tc := range cases {
		from, to, err := ParsePeriod(tc.in)
		if (err == nil) != tc.ok || !from.Equal(tc.from) || !to.Equal(tc.to) {
			t.Errorf("ParsePeriod(%q) = %v, %v, %v; want %v, %v, ok %v", tc.in, from, to, err, tc.from, tc.to, tc.ok)
		}
	}
}

func TestSortProblems(t *testing.T) {
	ps := []Problem{
		{Place: Place{Section: "links", Index: 0}, Code: "a"},
		{Place: Place{Section: "quotes", Index: 2}, Code: "b"},
		{Place: Place{Section: "people", Index: 3}, Code: "c"},
		{Place: Place{}, Code: "d"},
		{Place: Place{Section: "quotes", Index: 2}, Code: "e"},
		{Place: Place{Section: "quotes", Index: 1}, Code: "f"},
	}
	sortProblems(ps)
	var got string
	for _, p := range ps {
		got += p.Code
	}
	if got != "dcfbea" {
		t.Errorf("order %s, want dcfbea", got)
	}
	lines := []Problem{{Place: Place{Line: 9}, Code: "a"}, {Place: Place{Line: 2}, Code: "b"}, {Place: Place{Line: 9}, Code: "c"}}
	sortProblems(lines)
	if lines[0].Code != "b" || lines[1].Code != "a" || lines[2].Code != "c" {
		t.Errorf("order %v", lines)
	}
}

// TestEveryCodeIsTested fails when a problem code has no case in the
// decode, validate or store tables.
func TestEveryCodeIsTested(t *testing.T) {
	codes := []string{CodeSyntax, CodeVersion, CodeUnknownType, CodeUnknown, CodeRequired, CodeType, CodeBadKey, CodeDuplicate,
		CodeKindChange, CodeDangling, CodeWrongKind, CodeEnum, CodeDate, CodeSpan, CodeSpanText, CodeHash, CodeSelfLink, CodeCycle, CodeRange}
	seen := map[string]bool{CodeKindChange: true} // TestValidateStore
	add := func(wants []string) {
		for _, w := range wants {
			seen[w[strings.LastIndex(w, "|")+1:]] = true
		}
	}
	for _, tc := range decodeCases() {
		add(tc.want)
	}
	for _, tc := range validateCases() {
		add(tc.want)
	}
	for _, c := range codes {
		if !seen[c] {
			t.Errorf("no table case for code %s", c)
		}
	}
}

func TestValidateLongCycle(t *testing.T) {
	var sb strings.Builder
	for i := range 20 {
		fmt.Fprintf(&sb, `{"type":"quote","key":"q%02d","text":"x","source":"s1","reported_by":"q%02d"}`+"\n", i, (i+1)%20)
	}
	b := decodeString(t, validateBase+sb.String())
	ps := problems(t, Validate(context.Background(), b, nil))
	want := "reported_by chain loops: q00 -> q01 -> q02 -> q03 -> q04 -> q05 -> q06 -> q07 -> … (12 more) -> q00"
	if len(ps) != 1 || ps[0].Message != want || ps[0].Place != (Place{Line: 5}) {
		t.Errorf("got %v\nwant one problem at line 5: %s", ps, want)
	}
}
