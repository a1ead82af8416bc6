package graph

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// Encode writes b as one bundle/1 JSON object: "claimgraph" first, then the
// non-empty sections in the fixed order people, organisations, sources,
// quotes, claims, figures, links; within a section the records keep the
// order they have in b; fields come in struct order, empty optional fields
// left out. Indentation is two spaces, HTML characters are not escaped and
// the output ends with a newline. The output is deterministic, and
// Decode(Encode(b)) holds the same records as b grouped by kind (equal to b
// when b's nodes are already grouped in section order).
func Encode(w io.Writer, b *Bundle) error {
	bw := bufio.NewWriter(w)
	var rec bytes.Buffer
	enc := newRecordEncoder(&rec, "    ")
	fmt.Fprintf(bw, "{\n  \"claimgraph\": %q", FormatVersion)
	section := func(name string, records []any) error {
		if len(records) == 0 {
			return nil
		}
		fmt.Fprintf(bw, ",\n  %q: [", name)
		for i, v := range records {
			rec.Reset()
			if err := enc.Encode(v); err != nil {
				return fmt.Errorf("encode %s[%d]: %w", name, i, err)
			}
			if i > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString("\n    ")
			bw.Write(bytes.TrimSuffix(rec.Bytes(), []byte("\n")))
		}
		bw.WriteString("\n  ]")
		return nil
	}
	var byKind [KindFigure + 1][]any
	for i, n := range b.Nodes {
		if err := checkNode(n); err != nil {
			return fmt.Errorf("encode node %d: %w", i, err)
		}
		byKind[n.NodeKind()] = append(byKind[n.NodeKind()], n)
	}
	for _, k := range Kinds {
		if err := section(k.Section(), byKind[k]); err != nil {
			return err
		}
	}
	links := make([]any, len(b.Links))
	for i := range b.Links {
		links[i] = &b.Links[i]
	}
	if err := section(linksSection, links); err != nil {
		return err
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// EncodeJSONL writes b as bundle/1 JSON Lines: the header line
// {"claimgraph":"bundle/1"}, then one line per node in b's order, then one
// line per link, each record compact with "type" as its first member and
// the other fields in struct order. Decode(EncodeJSONL(b)) holds the same
// records in the same order as b.
func EncodeJSONL(w io.Writer, b *Bundle) error {
	bw := bufio.NewWriter(w)
	var rec bytes.Buffer
	enc := newRecordEncoder(&rec, "")
	fmt.Fprintf(bw, "{\"claimgraph\":%q}\n", FormatVersion)
	line := func(typ string, v any) error {
		rec.Reset()
		if err := enc.Encode(v); err != nil {
			return err
		}
		// Every record has at least one member ("key", "from"): splice the
		// type in after the opening brace.
		fmt.Fprintf(bw, "{\"type\":%q,", typ)
		bw.Write(rec.Bytes()[1:])
		return nil
	}
	for i, n := range b.Nodes {
		if err := checkNode(n); err != nil {
			return fmt.Errorf("encode node %d: %w", i, err)
		}
		if err := line(n.NodeKind().String(), n); err != nil {
			return fmt.Errorf("encode node %d: %w", i, err)
		}
	}
	for i := range b.Links {
		if err := line("link", &b.Links[i]); err != nil {
			return fmt.Errorf("encode link %d: %w", i, err)
		}
	}
	return bw.Flush()
}

// newRecordEncoder returns a JSON encoder for one record at a time; indent
// "" writes compact records.
func newRecordEncoder(w io.Writer, prefix string) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if prefix != "" {
		enc.SetIndent(prefix, "  ")
	}
	return enc
}

// checkNode rejects nil nodes and Node implementations of other packages,
// which the format cannot represent.
func checkNode(n Node) error {
	switch v := n.(type) {
	case *Person:
		if v != nil {
			return nil
		}
	case *Organisation:
		if v != nil {
			return nil
		}
	case *Source:
		if v != nil {
			return nil
		}
	case *Quote:
		if v != nil {
			return nil
		}
	case *Claim:
		if v != nil {
			return nil
		}
	case *Figure:
		if v != nil {
			return nil
		}
	case nil:
		return fmt.Errorf("nil node")
	default:
		return fmt.Errorf("unsupported node type %T", n)
	}
	return fmt.Errorf("nil %T", n)
}
