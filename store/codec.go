package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"claimgraph/graph"
)

// Record format versions: the first byte of a node record and of an edge
// value.
const (
	recordV1 byte = 0x01
	edgeV1   byte = 0x01
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
	if err := json.Unmarshal(b[2:], n); err != nil {
		return nil, fmt.Errorf("%w: node record: %v", errCorrupt, err)
	}
	return n, nil
}

// edgeValue is the value of an adjacency key: the other end's user key and
// the edge's attributes (qualifier for a reference field; reason, note, by
// and at for a link).
type edgeValue struct {
	Other     string
	Qualifier string
	Reason    string
	Note      string
	By        string
	At        string
}

// encodeEdge returns format byte 01 and six uvarint-length-prefixed strings.
func encodeEdge(e edgeValue) []byte {
	fields := [...]string{e.Other, e.Qualifier, e.Reason, e.Note, e.By, e.At}
	n := 1
	for _, f := range fields {
		n += binary.MaxVarintLen32 + len(f)
	}
	b := make([]byte, 0, n)
	b = append(b, edgeV1)
	for _, f := range fields {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

// decodeEdge inverts encodeEdge.
func decodeEdge(b []byte) (edgeValue, error) {
	if len(b) < 1 || b[0] != edgeV1 {
		return edgeValue{}, fmt.Errorf("%w: edge value format", errCorrupt)
	}
	b = b[1:]
	var fields [6]string
	for i := range fields {
		l, n := binary.Uvarint(b)
		if n <= 0 || l > uint64(len(b)-n) || n != uvarintLen(l) {
			return edgeValue{}, fmt.Errorf("%w: edge value field %d", errCorrupt, i)
		}
		s := b[n : n+int(l)]
		if !utf8.Valid(s) {
			return edgeValue{}, fmt.Errorf("%w: edge value field %d is not UTF-8", errCorrupt, i)
		}
		fields[i] = string(s)
		b = b[n+int(l):]
	}
	if len(b) != 0 {
		return edgeValue{}, fmt.Errorf("%w: %d trailing bytes in edge value", errCorrupt, len(b))
	}
	return edgeValue{fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]}, nil
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
	if len(b) < 1 || b[0] != edgeV1 {
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
