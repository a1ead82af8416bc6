package store

import (
	"encoding/binary"
	"fmt"
	"time"

	"claimgraph/graph"
)

// Key families: the first byte of every key the graph layer writes. The
// values are stored, so they never change. See the package documentation.
const (
	famKeyIndex  byte = 'k' // k | user key                 -> id
	famKindList  byte = 'y' // y | kind | user key          -> (empty)
	famNode      byte = 'n' // n | id                       -> node record
	famOut       byte = 'o' // o | from id | rel | to id    -> edge value (to key ...)
	famIn        byte = 'i' // i | to id | rel | from id    -> edge value (from key ...)
	famExact     byte = 'x' // x | index | escaped value | 00 01 | id -> user key
	famDate      byte = 'd' // d | index | time | id        -> user key
	famTrigram   byte = 't' // retired in layout 4 (trigrams of whoSaid); dropTrigrams deletes it
	famCounter   byte = 'c' // c | kind -> last counter of the kind; c | kind | 'n' -> nodes of the kind
	famMeta      byte = 'm' // m | name                     -> value
	famHistory   byte = 'h' // h | id | rev | seq           -> revision
	famLatest    byte = 'v' // v | id                       -> latest rev (8 bytes)
	famRetracted byte = 'w' // w | id                       -> node retraction
	famMerged    byte = 'r' // r | merged key               -> old id | into key
	famMergedTo  byte = 'a' // a | into id | merged key     -> (empty)
	famChangeLog byte = 'l' // reserved: change log by commit timestamp
	famSearch    byte = 's' // reserved: full-text search postings
	famFacet     byte = 'f' // f | kind | facet | ...       -> (empty), or a node's facet values
)

// Index bytes of the exact (x) and date (d) families.
const (
	idxName        byte = 0x01
	idxURL         byte = 0x02
	idxSaidAt      byte = 0x01
	idxPublishedAt byte = 0x02
)

// layoutVersion is stored under metaLayoutKey by the first commit. Layout
// 2 added history, retractions (edge value format 02) and merges; a store
// of layout 1 is read as is and upgraded by its next commit. Layout 3 added
// the search postings (family s): New builds them for a store of an
// earlier layout, in one commit (reindexSearch). Layout 4 added the facet
// family f (filtered lists): New builds it in one commit (reindexFacets).
// Layout 5 stores the postings of family s in blocks (postings.go): New
// deletes family s of an earlier layout and writes it again in one commit
// (reindexPostings). Layout 6 adds whoSaid's flags to the word positions
// of the postings and the reversed dictionary (whosaid_flags.go): the same
// migration (reindexPostings) rebuilds family s of a store of layout 5.
// Layout 7 stores the facet entries of family f in blocks
// (facetblocks.go): New deletes the entries of an earlier layout and
// writes family f again in one commit (reindexFacets). Layout 8 qualifies
// a quote's speaker and reported_by edges by its cue (graph.Quote.Refs)
// and keeps the retracted flag (metaRetractedKey): New writes the edges
// again, and the flag, in one commit (reindexCues).
const layoutVersion = 8

// layoutCues is the first layout whose attribution edges carry the quote's
// cue (reindexCues, cueFromRecords).
const layoutCues = 8

var metaLayoutKey = []byte{famMeta, 'v'}

// metaMergedKey is written (empty) by the first merge: a state without it
// has no merged keys, and readers skip their lookups.
var metaMergedKey = []byte{famMeta, 'g'}

// metaRetractedKey is written (empty) by the first retraction of a node: a
// state without it has none, and a trace skips its seek for them.
var metaRetractedKey = []byte{famMeta, 'r'}

// maxIndexedValue caps the bytes of a name or URL that the exact index
// holds; longer values are not indexed (Badger keys must stay under 64 KB).
const maxIndexedValue = 4096

// Relation codes: the byte after the first id of an adjacency key. Fixed
// forever; field relations below 0x20, link relations from 0x20.
var relCodes = map[graph.Relation]byte{
	graph.RelSpeaker:     0x01,
	graph.RelSource:      0x02,
	graph.RelChannel:     0x03,
	graph.RelReportedBy:  0x04,
	graph.RelExpresses:   0x05,
	graph.RelPublisher:   0x06,
	graph.RelAuthor:      0x07,
	graph.RelDerivedFrom: 0x08,
	graph.RelStatedBy:    0x09,
	graph.RelParent:      0x0A,
	graph.RelAffiliation: 0x0B,
	graph.RelAbout:       0x0C,
	graph.RelSupports:    0x20,
	graph.RelContradicts: 0x21,
	graph.RelContext:     0x22,
	graph.RelSameAs:      0x23,
	graph.RelRepeats:     0x24,
	graph.RelRetracts:    0x25,
	graph.RelCorrects:    0x26,
	graph.RelRespondsTo:  0x27,
}

// firstLinkCode is the smallest relation code of a link.
const firstLinkCode = 0x20

var relNames = func() [256]graph.Relation {
	var names [256]graph.Relation
	for r, c := range relCodes {
		names[c] = r
	}
	return names
}()

// relName returns the relation of a code, or "" for an unknown code.
func relName(c byte) graph.Relation { return relNames[c] }

// makeID returns the internal id of the n-th node of kind k.
func makeID(k graph.Kind, n uint64) uint64 { return uint64(k)<<56 | n&(1<<56-1) }

// idKind returns the kind in the top byte of an id.
func idKind(id uint64) graph.Kind { return graph.Kind(id >> 56) }

func appendID(b []byte, id uint64) []byte { return binary.BigEndian.AppendUint64(b, id) }

// idKey returns fam | id, in one allocation.
func idKey(fam byte, id uint64) []byte {
	k := make([]byte, 9)
	k[0] = fam
	binary.BigEndian.PutUint64(k[1:], id)
	return k
}

func keyIndexKey(key string) []byte {
	return append([]byte{famKeyIndex}, key...)
}

func kindListPrefix(k graph.Kind) []byte { return []byte{famKindList, byte(k)} }

func kindListKey(k graph.Kind, key string) []byte {
	return append(kindListPrefix(k), key...)
}

func nodeKey(id uint64) []byte { return idKey(famNode, id) }

func counterKey(k graph.Kind) []byte { return []byte{famCounter, byte(k)} }

// liveCountKey is the key of the number of nodes of kind k (its list
// keys, family y), kept by the writer in the commit that changes them.
func liveCountKey(k graph.Kind) []byte { return []byte{famCounter, byte(k), liveCountSuffix} }

// liveCountSuffix ends a live count key.
const liveCountSuffix byte = 'n'

// liveEdgesKey and liveLinksKey hold the number of edges (out adjacency
// keys, family o) and of links among them (relation codes from
// firstLinkCode), kept by the writer like the live counts of kinds.
var (
	liveEdgesKey = []byte{famCounter, 0x00, 'e'}
	liveLinksKey = []byte{famCounter, 0x00, 'l'}
)

// adjFamily returns the adjacency family of a direction.
func adjFamily(dir graph.Direction) byte {
	if dir == graph.In {
		return famIn
	}
	return famOut
}

// adjPrefix returns fam | id, the prefix of every edge of one node in one
// direction.
func adjPrefix(dir graph.Direction, id uint64) []byte {
	return appendID([]byte{adjFamily(dir)}, id)
}

// adjPrefixLen is the length of an adjPrefix: fam | id.
const adjPrefixLen = 9

// adjKey returns fam | a | rel | b.
func adjKey(fam byte, a uint64, rel byte, b uint64) []byte {
	k := make([]byte, 0, 18)
	k = append(k, fam)
	k = appendID(k, a)
	k = append(k, rel)
	return appendID(k, b)
}

// adjKeyLen is the length of an adjacency key.
const adjKeyLen = 18

// parseAdjKey splits an adjacency key.
func parseAdjKey(k []byte) (fam byte, a uint64, rel byte, b uint64, err error) {
	if len(k) != adjKeyLen || (k[0] != famOut && k[0] != famIn) {
		return 0, 0, 0, 0, fmt.Errorf("store: bad adjacency key %x", k)
	}
	return k[0], binary.BigEndian.Uint64(k[1:9]), k[9], binary.BigEndian.Uint64(k[10:18]), nil
}

// appendEscaped appends s so that the result sorts like s and ends with the
// terminator 00 01: each 00 byte becomes 00 FF.
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == 0x00 {
			b = append(b, 0x00, 0xFF)
		} else {
			b = append(b, s[i])
		}
	}
	return append(b, 0x00, 0x01)
}

// exactPrefix returns x | index | escaped value | 00 01, with room for the
// id of exactKey.
func exactPrefix(idx byte, value string) []byte {
	k := make([]byte, 0, 2+len(value)+bytesCount0(value)+2+8)
	return appendEscaped(append(k, famExact, idx), value)
}

func exactKey(idx byte, value string, id uint64) []byte {
	return appendID(exactPrefix(idx, value), id)
}

// encodeTime maps t to 8 bytes that sort like the instants: unix
// nanoseconds, big-endian with the sign bit flipped. Instants outside the
// range of int64 nanoseconds (years 1678 to 2262) are clamped to it.
func encodeTime(t time.Time) [8]byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], graph.TimeSortValue(t))
	return b
}

// decodeTime inverts encodeTime (in UTC).
func decodeTime(b []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(b)^(1<<63))).UTC()
}

func datePrefix(idx byte) []byte { return []byte{famDate, idx} }

func dateKey(idx byte, t time.Time, id uint64) []byte {
	e := encodeTime(t)
	k := append(make([]byte, 0, 18), famDate, idx)
	return appendID(append(k, e[:]...), id)
}

func dateBound(idx byte, t time.Time) []byte {
	e := encodeTime(t)
	return append(datePrefix(idx), e[:]...)
}

// parseDate reads a bundle date: an RFC 3339 date-time, or a date, month or
// year taken as its first instant in UTC.
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly, "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// histKeyLen is the length of a history key: h | id | rev | seq.
const histKeyLen = 1 + 8 + 8 + 4

func histPrefix(id uint64) []byte { return idKey(famHistory, id) }

// histKey returns h | id | rev | seq, all big-endian: a node's revisions in
// commit order, then in the order of the batch.
func histKey(id, rev uint64, seq uint32) []byte {
	k := make([]byte, 0, histKeyLen)
	k = append(k, famHistory)
	k = appendID(k, id)
	k = binary.BigEndian.AppendUint64(k, rev)
	return binary.BigEndian.AppendUint32(k, seq)
}

// parseHistKey returns the rev of a history key.
func parseHistKey(k []byte) (rev uint64, err error) {
	if len(k) != histKeyLen || k[0] != famHistory {
		return 0, fmt.Errorf("store: bad history key %x", k)
	}
	return binary.BigEndian.Uint64(k[9:17]), nil
}

func latestKey(id uint64) []byte { return idKey(famLatest, id) }

func retractedKey(id uint64) []byte { return idKey(famRetracted, id) }

func mergedKey(key string) []byte { return append([]byte{famMerged}, key...) }

func mergedToPrefix(into uint64) []byte { return appendID([]byte{famMergedTo}, into) }

func mergedToKey(into uint64, key string) []byte { return append(mergedToPrefix(into), key...) }

// encodeMerged returns the value of a merged key: its own (old) id and the
// key it resolves to.
func encodeMerged(old uint64, into string) []byte { return append(encodeUint64(old), into...) }

func decodeMerged(v []byte) (old uint64, into string, err error) {
	if len(v) < 9 {
		return 0, "", fmt.Errorf("%w: merged key value of %d bytes", errCorrupt, len(v))
	}
	return binary.BigEndian.Uint64(v[:8]), string(v[8:]), nil
}
