package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"

	"claimgraph/graph"
)

// Record format versions: the first byte of a node record and of an edge
// value.
const (
	recordV1     byte = 0x01
	edgeV1       byte = 0x01
	edgeV2       byte = 0x02 // a retracted link
	retractionV1 byte = 0x01
	historyV1    byte = 0x01
)

// errCorrupt marks stored bytes that do not decode.
var errCorrupt = errors.New("store: corrupt stored value")

// encodeNode returns a node record: format byte, kind byte, the node's
// bundle JSON.
func encodeNode(n graph.Node) ([]byte, error) {
	data, err := json.Marshal(n)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(data)+2)
	out = append(out, recordV1, byte(n.NodeKind()))
	return append(out, data...), nil
}

// decodeNode inverts encodeNode.
func decodeNode(b []byte) (graph.Node, error) {
	if len(b) < 2 || b[0] != recordV1 {
		return nil, fmt.Errorf("%w: node record format", errCorrupt)
	}
	n := graph.NewNode(graph.Kind(b[1]))
	if n == nil {
		return nil, fmt.Errorf("%w: node kind %d", errCorrupt, b[1])
	}
	if err := unmarshalRecord(b[2:], n); err != nil {
		return nil, fmt.Errorf("%w: node record: %v", errCorrupt, err)
	}
	return n, nil
}

// unmarshalRecord decodes a record's JSON into n with goccy/go-json, four
// times faster than encoding/json on stored records (0.7 against 2.8 us a
// record of the generated corpus), which a trace, a page or an export
// decodes by the thousand. Records are written by encoding/json (encodeNode),
// and TestRecordDecoderAgrees and FuzzDecodeNode hold the two decoders to
// the same result on them. A panic of the decoder on a damaged record is an
// error.
func unmarshalRecord(data []byte, n graph.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("record decoder: %v", r)
		}
	}()
	return gojson.Unmarshal(data, n)
}

// edgeValue is the value of an adjacency key: the other end's user key and
// the edge's attributes (qualifier for a reference field; reason, note, by
// and at for a link), and the retraction of a retracted link (RAt, the
// retraction time in canonical RFC 3339, set only then).
type edgeValue struct {
	Other     string
	Qualifier string
	Reason    string
	Note      string
	By        string
	At        string
	RAt       string
	RBy       string
	RReason   string
}

// encodeEdge returns format byte 01 and six uvarint-length-prefixed
// strings, or for a retracted link format byte 02 and nine (the six, then
// the retraction's at, by and reason).
func encodeEdge(e edgeValue) []byte {
	if e.RAt != "" {
		return appendFields(make([]byte, 0, 64), edgeV2, e.Other, e.Qualifier, e.Reason, e.Note, e.By, e.At, e.RAt, e.RBy, e.RReason)
	}
	return appendFields(make([]byte, 0, 48), edgeV1, e.Other, e.Qualifier, e.Reason, e.Note, e.By, e.At)
}

// appendFields appends a format byte and uvarint-length-prefixed strings.
func appendFields(b []byte, format byte, fields ...string) []byte {
	return appendStrings(append(b, format), fields...)
}

// appendStrings appends uvarint-length-prefixed strings.
func appendStrings(b []byte, fields ...string) []byte {
	for _, f := range fields {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

// readFields reads len(out) uvarint-length-prefixed UTF-8 strings from b
// and returns the rest.
func readFields(b []byte, out []string) ([]byte, error) {
	for i := range out {
		l, n := binary.Uvarint(b)
		if n <= 0 || l > uint64(len(b)-n) || n != uvarintLen(l) {
			return nil, fmt.Errorf("%w: field %d", errCorrupt, i)
		}
		s := b[n : n+int(l)]
		if !utf8.Valid(s) {
			return nil, fmt.Errorf("%w: field %d is not UTF-8", errCorrupt, i)
		}
		out[i] = string(s)
		b = b[n+int(l):]
	}
	return b, nil
}

// decodeEdge inverts encodeEdge.
func decodeEdge(b []byte) (edgeValue, error) {
	if len(b) < 1 || (b[0] != edgeV1 && b[0] != edgeV2) {
		return edgeValue{}, fmt.Errorf("%w: edge value format", errCorrupt)
	}
	var fields [9]string
	n := 6
	if b[0] == edgeV2 {
		n = 9
	}
	rest, err := readFields(b[1:], fields[:n])
	if err != nil {
		return edgeValue{}, fmt.Errorf("edge value: %w", err)
	}
	if len(rest) != 0 {
		return edgeValue{}, fmt.Errorf("%w: %d trailing bytes in edge value", errCorrupt, len(rest))
	}
	e := edgeValue{fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6], fields[7], fields[8]}
	if b[0] == edgeV2 {
		if _, err := parseStoredTime(e.RAt); err != nil {
			return edgeValue{}, fmt.Errorf("edge value retraction: %w", err)
		}
	}
	return e, nil
}

// formatStoredTime renders a time as stored: RFC 3339 in UTC with
// nanoseconds.
func formatStoredTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// parseStoredTime reads a time written by formatStoredTime and refuses any
// other spelling, so that every stored value has one encoding.
func parseStoredTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || formatStoredTime(t) != s {
		return time.Time{}, fmt.Errorf("%w: time %q", errCorrupt, s)
	}
	return t.UTC(), nil
}

// retraction returns the edge's retraction, nil when it is not retracted.
func (e edgeValue) retraction() *graph.Retraction {
	if e.RAt == "" {
		return nil
	}
	t, _ := parseStoredTime(e.RAt)
	return &graph.Retraction{At: t, By: e.RBy, Reason: e.RReason}
}

// link returns the edge as a link from one end to the other.
func (e edgeValue) link(from, to string, rel graph.Relation) graph.Link {
	return graph.Link{From: from, To: to, Relation: rel, Reason: e.Reason, Note: e.Note, By: e.By, At: e.At}
}

// encodeRetraction returns the value of a node's retraction key: format
// byte 01 and three strings (at, by, reason).
func encodeRetraction(r graph.Retraction) []byte {
	return appendFields(nil, retractionV1, formatStoredTime(r.At), r.By, r.Reason)
}

// decodeRetraction inverts encodeRetraction.
func decodeRetraction(b []byte) (graph.Retraction, error) {
	if len(b) < 1 || b[0] != retractionV1 {
		return graph.Retraction{}, fmt.Errorf("%w: retraction format", errCorrupt)
	}
	var f [3]string
	rest, err := readFields(b[1:], f[:])
	if err != nil || len(rest) != 0 {
		return graph.Retraction{}, fmt.Errorf("%w: retraction value", errCorrupt)
	}
	at, err := parseStoredTime(f[0])
	if err != nil {
		return graph.Retraction{}, err
	}
	return graph.Retraction{At: at, By: f[1], Reason: f[2]}, nil
}

// uvarintLen is the length of the minimal encoding of v; longer encodings
// are refused so that every value has one encoding.
func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// edgeOtherKey reads only the other end's key of an edge value.
func edgeOtherKey(b []byte) (string, error) {
	if len(b) < 1 || (b[0] != edgeV1 && b[0] != edgeV2) {
		return "", fmt.Errorf("%w: edge value format", errCorrupt)
	}
	l, n := binary.Uvarint(b[1:])
	if n <= 0 || l > uint64(len(b)-1-n) || n != uvarintLen(l) {
		return "", fmt.Errorf("%w: edge value key", errCorrupt)
	}
	return string(b[1+n : 1+n+int(l)]), nil
}

// encodeUint64 and decodeUint64 store ids and counters big-endian.
func encodeUint64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func decodeUint64(b []byte) (uint64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("%w: %d bytes for a uint64", errCorrupt, len(b))
	}
	return binary.BigEndian.Uint64(b), nil
}

// sameBytes is bytes.Equal, named for what the writer asks.
func sameBytes(a, b []byte) bool { return bytes.Equal(a, b) }
