package store

import (
	"bytes"
	"encoding/hex"
	"math"
	"testing"
	"time"

	"claimgraph/graph"
)

func TestKeyLayoutBytes(t *testing.T) {
	quote := makeID(graph.KindQuote, 7)
	person := makeID(graph.KindPerson, 2)
	cases := []struct {
		name string
		key  []byte
		want string // hex
	}{
		{"key index", keyIndexKey("q1"), "6b" + "7131"},
		{"kind list", kindListKey(graph.KindQuote, "q1"), "79" + "04" + "7131"},
		{"node", nodeKey(quote), "6e" + "0400000000000007"},
		{"out edge", adjKey(famOut, quote, relCodes[graph.RelSpeaker], person), "6f" + "0400000000000007" + "01" + "0100000000000002"},
		{"in edge", adjKey(famIn, person, relCodes[graph.RelSpeaker], quote), "69" + "0100000000000002" + "01" + "0400000000000007"},
		{"name index", exactKey(idxName, "jose alvarez", person), "78" + "01" + hex.EncodeToString([]byte("jose alvarez")) + "0001" + "0100000000000002"},
		{"url with NUL", exactPrefix(idxURL, "a\x00b"), "78" + "02" + "6100ff62" + "0001"},
		{"said_at", dateKey(idxSaidAt, time.Date(1970, 1, 1, 0, 0, 0, 1, time.UTC), quote), "64" + "01" + "8000000000000001" + "0400000000000007"},
		{"before 1970", dateBound(idxSaidAt, time.Unix(0, -1)), "64" + "01" + "7fffffffffffffff"},
		{"word posting", searchWordKey("ferry", quote), "73" + "fc" + hex.EncodeToString([]byte("ferry")) + "00" + "0400000000000007"},
		{"counter", counterKey(graph.KindFigure), "63" + "06"},
	}
	for _, c := range cases {
		if got := hex.EncodeToString(c.key); got != c.want {
			t.Errorf("%s: key %s, want %s", c.name, got, c.want)
		}
	}
}

func TestIDs(t *testing.T) {
	for _, k := range graph.Kinds {
		for _, n := range []uint64{1, 2, 1<<56 - 1} {
			id := makeID(k, n)
			if idKind(id) != k || id&(1<<56-1) != n {
				t.Errorf("makeID(%v, %d) = %x does not round trip", k, n, id)
			}
		}
	}
}

func TestAdjKeyRoundTrip(t *testing.T) {
	for _, c := range []struct {
		fam  byte
		a, b uint64
		rel  graph.Relation
	}{
		{famOut, makeID(graph.KindQuote, 1), makeID(graph.KindSource, 9), graph.RelSource},
		{famIn, makeID(graph.KindClaim, 1<<40), makeID(graph.KindFigure, 3), graph.RelContradicts},
	} {
		fam, a, rel, b, err := parseAdjKey(adjKey(c.fam, c.a, relCodes[c.rel], c.b))
		if err != nil || fam != c.fam || a != c.a || b != c.b || relName(rel) != c.rel {
			t.Errorf("adjacency key round trip of %+v: %c %x %v %x %v", c, fam, a, relName(rel), b, err)
		}
	}
	if _, _, _, _, err := parseAdjKey([]byte("o123")); err == nil {
		t.Error("parseAdjKey accepted a short key")
	}
}

func TestRelationCodes(t *testing.T) {
	// Codes are stored: this table must never change.
	want := map[graph.Relation]byte{
		"speaker": 0x01, "source": 0x02, "channel": 0x03, "reported_by": 0x04, "expresses": 0x05,
		"publisher": 0x06, "author": 0x07, "derived_from": 0x08, "stated_by": 0x09, "parent": 0x0A,
		"affiliation": 0x0B, "about": 0x0C, "supports": 0x20, "contradicts": 0x21, "context": 0x22,
		"same_as": 0x23, "repeats": 0x24, "retracts": 0x25, "corrects": 0x26, "responds_to": 0x27,
	}
	if len(relCodes) != len(want) {
		t.Errorf("%d relation codes, want %d", len(relCodes), len(want))
	}
	for r, c := range want {
		if relCodes[r] != c || relName(c) != r {
			t.Errorf("relation %s: code %#x, want %#x", r, relCodes[r], c)
		}
		if (c >= firstLinkCode) != r.IsLink() {
			t.Errorf("relation %s: code %#x on the wrong side of %#x", r, c, firstLinkCode)
		}
	}
	for _, r := range graph.FieldRelations {
		if _, ok := relCodes[r]; !ok {
			t.Errorf("field relation %s has no code", r)
		}
	}
	for _, r := range graph.LinkRelations {
		if _, ok := relCodes[graph.Relation(r)]; !ok {
			t.Errorf("link relation %s has no code", r)
		}
	}
}

func TestTimeEncodingOrder(t *testing.T) {
	times := []time.Time{
		time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC), // clamped
		time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Unix(0, -1),
		time.Unix(0, 0),
		time.Unix(0, 1),
		time.Date(2026, 2, 28, 21, 15, 0, 0, time.FixedZone("", -5*3600)),
		time.Date(2026, 3, 1, 2, 15, 0, 1, time.UTC),
		time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), // clamped
	}
	for i := 1; i < len(times); i++ {
		a, b := encodeTime(times[i-1]), encodeTime(times[i])
		if bytes.Compare(a[:], b[:]) >= 0 {
			t.Errorf("encodeTime(%v) >= encodeTime(%v)", times[i-1], times[i])
		}
	}
	for _, tm := range times[1 : len(times)-1] {
		e := encodeTime(tm)
		if got := decodeTime(e[:]); !got.Equal(tm) {
			t.Errorf("decodeTime(encodeTime(%v)) = %v", tm, got)
		}
	}
	lo, hi := encodeTime(times[0]), encodeTime(times[len(times)-1])
	if decodeTime(lo[:]).UnixNano() != math.MinInt64 || decodeTime(hi[:]).UnixNano() != math.MaxInt64 {
		t.Errorf("out-of-range times are not clamped: %v %v", decodeTime(lo[:]), decodeTime(hi[:]))
	}
}

func TestEscapedOrder(t *testing.T) {
	vals := []string{"", "\x00", "\x00\x00", "\x00a", "a", "a\x00", "a\x00\x01", "a\x01", "aa", "b"}
	var enc [][]byte
	for _, v := range vals {
		enc = append(enc, appendEscaped(nil, v))
	}
	for i := 1; i < len(enc); i++ {
		if bytes.Compare(enc[i-1], enc[i]) >= 0 {
			t.Errorf("escaped %q >= escaped %q", vals[i-1], vals[i])
		}
	}
	// No escaped value is a prefix of another's, so an exact prefix scan
	// finds only its own value.
	for i := range enc {
		for j := range enc {
			if i != j && bytes.HasPrefix(enc[j], enc[i]) {
				t.Errorf("escaped %q is a prefix of escaped %q", vals[i], vals[j])
			}
		}
	}
}

func TestEdgeCodecRoundTrip(t *testing.T) {
	for _, e := range []edgeValue{
		{},
		{Other: "s-1", Qualifier: "quotes"},
		{Other: "c-1", Reason: "different_measure", Note: "ünïcode “note”", By: "curator:ana", At: "2026-03-03T10:00:00Z"},
		{Other: string(bytes.Repeat([]byte("x"), 300))},
	} {
		got, err := decodeEdge(encodeEdge(e))
		if err != nil || got != e {
			t.Errorf("edge round trip of %+v = %+v, %v", e, got, err)
		}
		if k, err := edgeOtherKey(encodeEdge(e)); err != nil || k != e.Other {
			t.Errorf("edgeOtherKey = %q, %v; want %q", k, err, e.Other)
		}
	}
	for _, bad := range []string{"", "02", "01", "0105", "0100000000", "0100000000000000", "01000000000000ff"} {
		b, _ := hex.DecodeString(bad)
		if _, err := decodeEdge(b); err == nil {
			t.Errorf("decodeEdge(%s) accepted bad bytes", bad)
		}
	}
}

func TestNodeCodecRoundTrip(t *testing.T) {
	vmax := 15.5
	nodes := []graph.Node{
		&graph.Person{Key: "p", Name: "José", Aliases: []string{"J"}, IDs: map[string]string{"wikidata": "Q1"},
			Affiliations: []graph.Affiliation{{Organisation: "o", Role: "r", From: "2020-01-01"}}},
		&graph.Organisation{Key: "o", Name: "Org", Kind: "government", Parent: "o2"},
		&graph.Source{Key: "s", Kind: "article", Text: "text with \u2028 and <html>", DerivedFrom: []graph.Derivation{{Source: "s2", Relation: "cites"}}},
		&graph.Quote{Key: "q", Text: "words", Source: "s", Span: &graph.Span{Start: 1, End: 5, Prefix: "a", ContentSHA256: "ab"}},
		&graph.Claim{Key: "c", Text: "claim", Topics: []string{"t"}},
		&graph.Figure{Key: "f", Value: 0.1 + 0.2, ValueMax: &vmax, Unit: "percent", Approx: true},
		&graph.Figure{Key: "f2", Value: math.SmallestNonzeroFloat64, Unit: "x"},
	}
	for _, n := range nodes {
		b, err := encodeNode(n)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeNode(b)
		if err != nil {
			t.Fatalf("decodeNode(%s): %v", b, err)
		}
		again, _ := encodeNode(got)
		if !bytes.Equal(b, again) || got.NodeKind() != n.NodeKind() {
			t.Errorf("node %s does not round trip: %s then %s", n.NodeKey(), b, again)
		}
	}
	for _, bad := range [][]byte{nil, {recordV1}, {0x02, 4, '{', '}'}, {recordV1, 9, '{', '}'}, {recordV1, 4, '['}} {
		if _, err := decodeNode(bad); err == nil {
			t.Errorf("decodeNode(%q) accepted bad bytes", bad)
		}
	}
}

func FuzzDecodeEdge(f *testing.F) {
	f.Add(encodeEdge(edgeValue{Other: "a", Note: "n"}))
	f.Add([]byte{0x01, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decodeEdge(b)
		if err != nil {
			return
		}
		if !bytes.Equal(encodeEdge(e), b) {
			t.Fatalf("decodeEdge accepted %x, which does not re-encode to itself", b)
		}
		if k, err := edgeOtherKey(b); err != nil || k != e.Other {
			t.Fatalf("edgeOtherKey(%x) = %q, %v; decodeEdge says %q", b, k, err, e.Other)
		}
	})
}

func FuzzDecodeNode(f *testing.F) {
	for _, n := range []graph.Node{&graph.Quote{Key: "q", Text: "t", Source: "s"}, &graph.Figure{Key: "f", Value: 1, Unit: "u"}} {
		b, _ := encodeNode(n)
		f.Add(b)
	}
	f.Add([]byte("\x01\x06{\"key\":\"f\",\"value\":-0.0e-0,\"unit\":\"u\",\"value_max\":1E2}"))
	f.Add([]byte("\x01\x01{\"key\":\"p\",\"name\":\"\\ud83d\\ude42\",\"ids\":{\"a\":\"b\"},\"affiliations\":[{\"organisation\":\"o\"}]}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		sameDecoding(t, b) // the record decoder reads what encoding/json reads, alike
		n, err := decodeNode(b)
		if err != nil {
			return
		}
		enc, err := encodeNode(n)
		if err != nil {
			t.Fatalf("decoded node does not encode: %v", err)
		}
		n2, err := decodeNode(enc)
		if err != nil {
			t.Fatalf("re-encoded node does not decode: %v", err)
		}
		if enc2, _ := encodeNode(n2); !bytes.Equal(enc, enc2) {
			t.Fatalf("node encoding is not stable: %s then %s", enc, enc2)
		}
	})
}

func FuzzParseAdjKey(f *testing.F) {
	f.Add(adjKey(famOut, 1, 1, 2))
	f.Fuzz(func(t *testing.T, b []byte) {
		fam, a, rel, c, err := parseAdjKey(b)
		if err == nil && !bytes.Equal(adjKey(fam, a, rel, c), b) {
			t.Fatalf("parseAdjKey(%x) does not round trip", b)
		}
	})
}

func TestHistoryKeyLayoutBytes(t *testing.T) {
	claim := makeID(graph.KindClaim, 3)
	person := makeID(graph.KindPerson, 2)
	cases := []struct {
		name string
		key  []byte
		want string // hex
	}{
		{"history", histKey(claim, 0x1890_0000_0000_0001, 2), "68" + "0500000000000003" + "1890000000000001" + "00000002"},
		{"history prefix", histPrefix(claim), "68" + "0500000000000003"},
		{"latest", latestKey(claim), "76" + "0500000000000003"},
		{"retracted", retractedKey(claim), "77" + "0500000000000003"},
		{"merged", mergedKey("p-2"), "72" + "702d32"},
		{"merged into", mergedToKey(person, "p-2"), "61" + "0100000000000002" + "702d32"},
		{"merges exist", metaMergedKey, "6d" + "67"},
		{"retractions exist", metaRetractedKey, "6d" + "72"},
	}
	for _, c := range cases {
		if got := hex.EncodeToString(c.key); got != c.want {
			t.Errorf("%s: key %s, want %s", c.name, got, c.want)
		}
	}
	if rev, err := parseHistKey(histKey(claim, 42, 7)); err != nil || rev != 42 {
		t.Errorf("parseHistKey = %d, %v", rev, err)
	}
	for _, bad := range [][]byte{nil, histPrefix(claim), append(latestKey(claim), make([]byte, 12)...)} {
		if _, err := parseHistKey(bad); err == nil {
			t.Errorf("parseHistKey(%x) accepted a bad key", bad)
		}
	}
	old, into, err := decodeMerged(encodeMerged(makeID(graph.KindPerson, 9), "p-1"))
	if err != nil || old != makeID(graph.KindPerson, 9) || into != "p-1" {
		t.Errorf("merged value round trip: %x %q %v", old, into, err)
	}
	if _, _, err := decodeMerged([]byte{1, 2}); err == nil {
		t.Error("decodeMerged accepted a short value")
	}
	// A retracted link's edge value: format 02, nine strings.
	v := encodeEdge(edgeValue{Other: "c", RAt: "2026-03-04T05:06:07.000000008Z", RBy: "b", RReason: "r"})
	if want := "02" + "0163" + "00000000" + "00" + "1e" + hex.EncodeToString([]byte("2026-03-04T05:06:07.000000008Z")) + "0162" + "0172"; hex.EncodeToString(v) != want {
		t.Errorf("retracted edge value %x, want %s", v, want)
	}
}

func TestRetractedEdgeCodec(t *testing.T) {
	for _, e := range []edgeValue{
		{Other: "c-1", Note: "n", By: "b", At: "2026-03-03T10:00:00Z", RAt: "2026-03-04T00:00:00Z", RBy: "curator", RReason: "wrong month"},
		{Other: "c-1", RAt: "2026-03-04T00:00:00.000000001Z"},
	} {
		got, err := decodeEdge(encodeEdge(e))
		if err != nil || got != e {
			t.Errorf("edge round trip of %+v = %+v, %v", e, got, err)
		}
		r := got.retraction()
		if r == nil || r.By != e.RBy || r.Reason != e.RReason || formatStoredTime(r.At) != e.RAt {
			t.Errorf("retraction of %+v = %+v", e, r)
		}
	}
	// A retraction time in another spelling than the canonical one is refused.
	for _, at := range []string{"", "2026-03-04T00:00:00+01:00", "2026-03-04", "2026-03-04T00:00:00.000Z"} {
		b := appendFields(nil, edgeV2, "c", "", "", "", "", "", at, "b", "r")
		if _, err := decodeEdge(b); err == nil {
			t.Errorf("decodeEdge accepted retraction time %q", at)
		}
	}
	rt := graph.Retraction{At: time.Date(2026, 3, 4, 5, 6, 7, 8, time.UTC), By: "curator", Reason: "why"}
	got, err := decodeRetraction(encodeRetraction(rt))
	if err != nil || !got.At.Equal(rt.At) || got.By != rt.By || got.Reason != rt.Reason {
		t.Errorf("retraction round trip = %+v, %v", got, err)
	}
	for _, bad := range [][]byte{nil, {0x02}, {retractionV1, 0x01}, append(encodeRetraction(rt), 0)} {
		if _, err := decodeRetraction(bad); err == nil {
			t.Errorf("decodeRetraction(%x) accepted bad bytes", bad)
		}
	}
}

func TestRevisionCodec(t *testing.T) {
	link := &graph.Link{From: "f-1", To: "c-1", Relation: graph.RelContradicts, Reason: "factual", Note: "n", By: "b", At: "2026-03-04T00:00:00Z"}
	for _, r := range []graph.Revision{
		{Change: graph.ChangeMerged, Key: "c-1", By: "import:a.json", Note: "first", Before: []byte(`{"key":"c-1"}`), After: []byte(`{"key":"c-2","text":"x"}`)},
		{Change: graph.ChangeLinked, Key: "c-1", By: "b", Link: link, After: []byte(`{"from":"f-1"}`)},
		{Change: graph.ChangeUnlinked, Key: "f-1", Link: link, Before: []byte(`{"from":"f-1"}`)},
		{Change: graph.ChangeRetracted, Key: "c-1", Note: "why", Before: []byte(`{}`), After: []byte(`{"retracted":{}}`)},
		{Change: graph.ChangeUpdated, Key: "f-1", Link: link, Before: []byte(`{"a":1}`), After: []byte(`{"a":2}`)},
	} {
		got, err := decodeRevision(encodeRevision(r))
		if err != nil || revisionText(got) != revisionText(r) {
			t.Errorf("revision round trip:\n got  %s (%v)\n want %s", revisionText(got), err, revisionText(r))
		}
	}
	// A node's creation and update store no JSON: History reads the
	// record as of the revision.
	for _, ch := range []string{graph.ChangeCreated, graph.ChangeUpdated} {
		up := graph.Revision{Change: ch, Key: "c-1", By: "b", Before: []byte(`{"old":1}`), After: []byte(`{"new":1}`)}
		enc := encodeRevision(up)
		got, err := decodeRevision(enc)
		if err != nil || got.Before != nil || got.After != nil || got.By != "b" || enc[1] != revDerived {
			t.Errorf("node %s round trip = %s, %v (flags %x)", ch, revisionText(got), err, enc[1])
		}
	}
	up := graph.Revision{Change: graph.ChangeUpdated, Key: "c-1"}
	stored := appendStrings([]byte{historyV1, revDerived}, "updated", "c-1", "", "", `{"old":1}`, "")
	for _, bad := range [][]byte{nil, {historyV1}, {historyV1, 0x04}, {0x02, 0}, append(encodeRevision(up), 0), stored,
		appendStrings([]byte{historyV1, 0}, "updated", "c-1", "", "", "", "")} {
		if _, err := decodeRevision(bad); err == nil {
			t.Errorf("decodeRevision(%x) accepted bad bytes", bad)
		}
	}
}

func revisionText(r graph.Revision) string {
	s := r.Change + "|" + r.Key + "|" + r.By + "|" + r.Note + "|" + string(r.Before) + "|" + string(r.After)
	if r.Link != nil {
		s += "|" + r.Link.From + r.Link.To + string(r.Link.Relation) + r.Link.Reason + r.Link.Note + r.Link.By + r.Link.At
	}
	return s
}

func FuzzDecodeRevision(f *testing.F) {
	f.Add(encodeRevision(graph.Revision{Change: "created", Key: "k", After: []byte(`{}`)}))
	f.Add(encodeRevision(graph.Revision{Change: "linked", Key: "k", Link: &graph.Link{From: "a", To: "b", Relation: "supports"}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeRevision(b)
		if err != nil {
			return
		}
		r2, err := decodeRevision(encodeRevision(r))
		if err != nil || revisionText(r2) != revisionText(r) {
			t.Fatalf("decoded revision does not round trip: %s then %s (%v)", revisionText(r), revisionText(r2), err)
		}
	})
}
