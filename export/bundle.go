package export

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"claimgraph/graph"
)

// recordEncoder encodes one record at a time the way graph.Encode and
// graph.EncodeJSONL do: HTML characters not escaped, indented with prefix
// (compact when prefix is empty).
type recordEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

func newRecordEncoder(prefix string) *recordEncoder {
	e := &recordEncoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	if prefix != "" {
		e.enc.SetIndent(prefix, "  ")
	}
	return e
}

// encode returns the JSON of v without the trailing newline; the slice is
// valid until the next call.
func (e *recordEncoder) encode(v any) ([]byte, error) {
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")), nil
}

// writeBundle streams a bundle/1 JSON object byte for byte as graph.Encode
// writes the same records: sections in kind order, then links.
func writeBundle(ctx context.Context, wk *walker, bw *bufio.Writer) error {
	wk.addPasses(2)
	enc := newRecordEncoder("    ")
	fmt.Fprintf(bw, "{\n  \"claimgraph\": %q", graph.FormatVersion)
	section := func(name string) (func(v any) error, func()) {
		n := 0
		put := func(v any) error {
			rec, err := enc.encode(v)
			if err != nil {
				return fmt.Errorf("encode %s[%d]: %w", name, n, err)
			}
			if n == 0 {
				fmt.Fprintf(bw, ",\n  %q: [", name)
			} else {
				bw.WriteByte(',')
			}
			bw.WriteString("\n    ")
			bw.Write(rec)
			n++
			return nil
		}
		end := func() {
			if n > 0 {
				bw.WriteString("\n  ]")
			}
		}
		return put, end
	}
	for _, k := range graph.Kinds {
		put, end := section(k.Section())
		if err := wk.nodes(ctx, k, func(n graph.Node) error { return put(n) }); err != nil {
			return err
		}
		end()
	}
	put, end := section("links")
	if err := wk.allLinks(ctx, func(e graph.Edge) error { l := e.Link(); return put(&l) }); err != nil {
		return err
	}
	end()
	bw.WriteString("\n}\n")
	return nil
}

// writeBundleJSONL streams bundle/1 JSON Lines as graph.EncodeJSONL writes
// the same records: the header line, one line per node, one per link.
func writeBundleJSONL(ctx context.Context, wk *walker, bw *bufio.Writer) error {
	wk.addPasses(2)
	enc := newRecordEncoder("")
	fmt.Fprintf(bw, "{\"claimgraph\":%q}\n", graph.FormatVersion)
	line := func(typ string, v any) error {
		rec, err := enc.encode(v)
		if err != nil {
			return err
		}
		// Every record starts with a member ("key", "from"): splice the
		// type in after the opening brace.
		fmt.Fprintf(bw, "{\"type\":%q,", typ)
		bw.Write(rec[1:])
		bw.WriteByte('\n')
		return nil
	}
	err := wk.allNodes(ctx, func(n graph.Node) error {
		if err := line(n.NodeKind().String(), n); err != nil {
			return fmt.Errorf("encode %s: %w", n.NodeKey(), err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return wk.allLinks(ctx, func(e graph.Edge) error { l := e.Link(); return line("link", &l) })
}

// writeRecords streams the jsonl format: one JSON object per line, nodes
// first ({"type": "quote", "id": "q1", ...the bundle fields}), then links
// ({"type": "link", "from": ..., "to": ..., "relation": ...}); a retracted
// node or link has a last member "retracted": {"at", "by", "reason"}.
func writeRecords(ctx context.Context, wk *walker, bw *bufio.Writer) error {
	wk.addPasses(2)
	enc := newRecordEncoder("")
	keyMember := []byte(`{"key":`)
	err := wk.allNodes(ctx, func(n graph.Node) error {
		rec, err := enc.encode(n)
		if err != nil {
			return fmt.Errorf("encode %s: %w", n.NodeKey(), err)
		}
		if !bytes.HasPrefix(rec, keyMember) {
			return fmt.Errorf("encode %s: record does not start with its key", n.NodeKey())
		}
		if rt := wk.retraction(n.NodeKey()); rt != nil {
			rec = graph.WithRetracted(rec, *rt)
		}
		fmt.Fprintf(bw, "{\"type\":%q,\"id\":", n.NodeKind().String())
		bw.Write(rec[len(keyMember):])
		bw.WriteByte('\n')
		return nil
	})
	if err != nil {
		return err
	}
	return wk.allLinks(ctx, func(e graph.Edge) error {
		l := e.Link()
		rec, err := enc.encode(&l)
		if err != nil {
			return err
		}
		if e.Retracted != nil {
			rec = graph.WithRetracted(rec, *e.Retracted)
		}
		bw.WriteString(`{"type":"link",`)
		bw.Write(rec[1:])
		bw.WriteByte('\n')
		return nil
	})
}
