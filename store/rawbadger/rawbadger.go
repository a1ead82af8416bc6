// Package rawbadger is the raw Badger baseline of the benchmark harness
// (bench/cmd/claimbench): a plain Badger database, opened with the options
// the store uses (64 MiB memtables, synced writes), that holds exactly the
// keys and values a claimgraph store wrote, loaded with a WriteBatch, and
// read back by hand-written code that follows the key layout of package
// store's documentation byte by byte (no store code).
//
// It lives under store/ because only store and its subpackages may import
// Badger (see archtest); nothing but the harness uses it.
//
// # What it measures
//
// Load is the floor of an import: the same bytes, no validation, no
// indexes to compute, no diffing, no history, no split commits. The
// Reader's Node, Nodes and Edges are the floor of a trace: the reads the
// graph layer makes (a key lookup, a record read and JSON decoding with the
// decoder the store uses, goccy/go-json; one prefix scan per edge query
// with the edge values decoded), without its snapshot bookkeeping, caches
// or interfaces.
package rawbadger

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"
	json "github.com/goccy/go-json"

	"claimgraph/graph"
)

// MemTableSize is the memtable size of the store's on-disk engine.
const MemTableSize = 64 << 20

// DB is a plain (not managed) Badger database.
type DB struct {
	db *badger.DB
}

// Open opens or creates a plain Badger database in dir with the store's
// options: 64 MiB memtables and synced writes.
func Open(dir string) (*DB, error) {
	opt := badger.DefaultOptions(dir).WithLogger(nil).WithSyncWrites(true).WithMemTableSize(MemTableSize).WithMetricsEnabled(false)
	db, err := badger.Open(opt)
	if err != nil {
		return nil, fmt.Errorf("rawbadger: %w", err)
	}
	return &DB{db: db}, nil
}

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

// Load writes the pairs with one WriteBatch and waits until they are
// committed. pairs alternates keys and values: k0, v0, k1, v1, ...
func (d *DB) Load(pairs [][]byte) error {
	if len(pairs)%2 != 0 {
		return errors.New("rawbadger: Load needs key, value pairs")
	}
	wb := d.db.NewWriteBatch()
	defer wb.Cancel()
	for i := 0; i < len(pairs); i += 2 {
		if err := wb.Set(pairs[i], pairs[i+1]); err != nil {
			return fmt.Errorf("rawbadger: %w", err)
		}
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("rawbadger: %w", err)
	}
	return nil
}

// Settle waits until Badger has no compaction left to do after a load:
// every level's compaction score below 1 (level 0 holding fewer tables
// than start a compaction, the other levels within their target sizes),
// and the levels' tables and sizes unchanged for quiet (a compaction
// running takes its tables out of the scores, so only the shape shows
// it). A WriteBatch load ends with its last tables in level 0 and levels
// over their targets, and Badger's compactors then work in the
// background for a while; the harness waits for them (untimed) so that
// they do not run under the next system's questions on a machine of few
// cores. It returns how long it waited, or ctx's error, or an error when
// the compactions have not settled within limit.
func (d *DB) Settle(ctx context.Context, quiet, limit time.Duration) (time.Duration, error) {
	start := time.Now()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last []badger.LevelInfo
	stable := start
	for {
		levels := d.db.Levels()
		if !sameShape(levels, last) {
			last, stable = levels, time.Now()
		}
		if settled(levels) && time.Since(stable) >= quiet {
			return time.Since(start), nil
		}
		if time.Since(start) > limit {
			return time.Since(start), fmt.Errorf("rawbadger: compactions still running after %s", limit)
		}
		select {
		case <-ctx.Done():
			return time.Since(start), ctx.Err()
		case <-tick.C:
		}
	}
}

// settled reports whether levels leave Badger nothing to compact.
func settled(levels []badger.LevelInfo) bool {
	for _, l := range levels {
		if l.Score >= 1 {
			return false
		}
	}
	return true
}

// sameShape reports whether a and b have the same tables and sizes at
// every level.
func sameShape(a, b []badger.LevelInfo) bool {
	return slices.EqualFunc(a, b, func(x, y badger.LevelInfo) bool {
		return x.Level == y.Level && x.NumTables == y.NumTables && x.Size == y.Size
	})
}

// View calls fn with a Reader of one read-only transaction.
func (d *DB) View(fn func(r *Reader) error) error {
	return d.db.View(func(txn *badger.Txn) error { return fn(&Reader{txn: txn}) })
}

// Reader reads the graph's key layout in one Badger transaction.
type Reader struct {
	txn *badger.Txn
}

// Key families and the relation codes of the layout (store/doc.go).
const (
	famKey  = 'k'
	famNode = 'n'
	famOut  = 'o'
	famIn   = 'i'
)

var relCodes = map[graph.Relation]byte{
	graph.RelSpeaker: 0x01, graph.RelSource: 0x02, graph.RelChannel: 0x03, graph.RelReportedBy: 0x04,
	graph.RelExpresses: 0x05, graph.RelPublisher: 0x06, graph.RelAuthor: 0x07, graph.RelDerivedFrom: 0x08,
	graph.RelStatedBy: 0x09, graph.RelParent: 0x0a, graph.RelAffiliation: 0x0b, graph.RelAbout: 0x0c,
	graph.RelSupports: 0x20, graph.RelContradicts: 0x21, graph.RelContext: 0x22, graph.RelSameAs: 0x23,
	graph.RelRepeats: 0x24, graph.RelRetracts: 0x25, graph.RelCorrects: 0x26, graph.RelRespondsTo: 0x27,
}

var relNames = func() map[byte]graph.Relation {
	m := map[byte]graph.Relation{}
	for r, c := range relCodes {
		m[c] = r
	}
	return m
}()

// id returns the internal id of a user key.
func (r *Reader) id(key string) (uint64, bool, error) {
	item, err := r.txn.Get(append([]byte{famKey}, key...))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	var id uint64
	err = item.Value(func(v []byte) error {
		if len(v) != 8 {
			return fmt.Errorf("rawbadger: id of %q has %d bytes", key, len(v))
		}
		id = binary.BigEndian.Uint64(v)
		return nil
	})
	return id, true, err
}

// Node returns the node with the key, or graph.ErrNotFound.
func (r *Reader) Node(key string) (graph.Node, error) {
	id, ok, err := r.id(key)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, graph.ErrNotFound
	}
	item, err := r.txn.Get(binary.BigEndian.AppendUint64([]byte{famNode}, id))
	if err != nil {
		return nil, err
	}
	var n graph.Node
	err = item.Value(func(v []byte) error {
		if len(v) < 2 || v[0] != 0x01 {
			return errors.New("rawbadger: node record format")
		}
		n = graph.NewNode(graph.Kind(v[1]))
		if n == nil {
			return fmt.Errorf("rawbadger: node kind %d", v[1])
		}
		return json.Unmarshal(v[2:], n)
	})
	return n, err
}

// Nodes returns the nodes with the keys, nil where missing.
func (r *Reader) Nodes(keys []string) ([]graph.Node, error) {
	out := make([]graph.Node, len(keys))
	for i, k := range keys {
		n, err := r.Node(k)
		if err != nil && !errors.Is(err, graph.ErrNotFound) {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// Edges returns the edges q selects: one prefix scan per relation (one for
// all relations when q.Relations is empty), keeping q.Kind, resuming after
// q.After (single-relation queries) and stopping at q.Limit.
func (r *Reader) Edges(q graph.EdgeQuery) ([]graph.Edge, error) {
	id, ok, err := r.id(q.Key)
	if err != nil || !ok {
		return nil, err
	}
	fam := byte(famOut)
	if q.Dir == graph.In {
		fam = famIn
	}
	base := binary.BigEndian.AppendUint64([]byte{fam}, id)
	var prefixes [][]byte
	if len(q.Relations) == 0 {
		prefixes = [][]byte{base}
	}
	codes := make([]byte, 0, len(q.Relations))
	for _, rel := range q.Relations {
		codes = append(codes, relCodes[rel])
	}
	slices.Sort(codes) // edges come in relation code order
	for _, c := range codes {
		p := append(append([]byte(nil), base...), c)
		if q.Kind != 0 {
			p = append(p, byte(q.Kind))
		}
		prefixes = append(prefixes, p)
	}
	var seek []byte
	if q.After != "" && len(q.Relations) == 1 {
		aid, ok, err := r.id(q.After)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, graph.ErrInvalid
		}
		// Just after base|rel|aid.
		seek = binary.BigEndian.AppendUint64(append(append([]byte(nil), base...), relCodes[q.Relations[0]]), aid)
		seek = append(seek, 0)
	}
	var out []graph.Edge
	for _, p := range prefixes {
		it := r.txn.NewIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: false})
		start := p
		if seek != nil {
			start = seek
		}
		for it.Seek(start); it.ValidForPrefix(p); it.Next() {
			item := it.Item()
			k := item.Key()
			if len(k) != 18 {
				continue
			}
			if q.Kind != 0 && graph.Kind(k[10]) != q.Kind {
				continue
			}
			var fields [6]string
			if err := item.Value(func(v []byte) error { return readFields(v, fields[:]) }); err != nil {
				it.Close()
				return nil, err
			}
			e := graph.Edge{Relation: relNames[k[9]], Qualifier: fields[1], Reason: fields[2], Note: fields[3], By: fields[4], At: fields[5]}
			if q.Dir == graph.In {
				e.From, e.To = fields[0], q.Key
			} else {
				e.From, e.To = q.Key, fields[0]
			}
			out = append(out, e)
			if q.Limit > 0 && len(out) >= q.Limit {
				break
			}
		}
		it.Close()
		if q.Limit > 0 && len(out) >= q.Limit {
			break
		}
	}
	return out, nil
}

// readFields reads an edge value: a format byte and uvarint-length-prefixed
// strings, the first len(out) of them.
func readFields(v []byte, out []string) error {
	if len(v) < 1 {
		return errors.New("rawbadger: empty edge value")
	}
	b := v[1:]
	for i := range out {
		l, n := binary.Uvarint(b)
		if n <= 0 || l > uint64(len(b)-n) {
			return fmt.Errorf("rawbadger: edge value field %d", i)
		}
		out[i] = string(b[n : n+int(l)])
		b = b[n+int(l):]
	}
	return nil
}

// ScanNodes decodes every node record of the kind (one prefix scan of the
// node family) and calls fn with each, in id order.
func (r *Reader) ScanNodes(k graph.Kind, fn func(graph.Node) error) error {
	prefix := []byte{famNode, byte(k)}
	it := r.txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 100})
	defer it.Close()
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		var n graph.Node
		err := it.Item().Value(func(v []byte) error {
			if len(v) < 2 || v[0] != 0x01 {
				return errors.New("rawbadger: node record format")
			}
			n = graph.NewNode(graph.Kind(v[1]))
			if n == nil {
				return fmt.Errorf("rawbadger: node kind %d", v[1])
			}
			return json.Unmarshal(v[2:], n)
		})
		if err != nil {
			return err
		}
		if err := fn(n); err != nil {
			return err
		}
	}
	return nil
}
