package export

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"claimgraph/graph"
)

// writeProvJSON writes a PROV-JSON document (W3C Member Submission
// PROV-JSON): the prefixes, then one object per record type. PROV-JSON
// groups records by type, so one pass over the graph writes each type's
// records to its own spool (memory up to 32 KiB, then a temporary file), and the spools are copied out in order: memory stays bounded and
// the graph is read once.
func writeProvJSON(ctx context.Context, wk *walker, bw *bufio.Writer) error {
	if err := checkBaseIRI(wk.cfg.base); err != nil {
		return err
	}
	wk.addPasses(1)
	prefixes, err := marshalJSON(map[string]string{
		"prov": "http://www.w3.org/ns/prov#",
		"xsd":  "http://www.w3.org/2001/XMLSchema#",
		"node": wk.cfg.base,
		"cg":   VocabIRI,
	})
	if err != nil {
		return err
	}
	spools := map[string]*spool{}
	for _, sec := range provSections {
		spools[sec.name] = &spool{}
	}
	defer func() {
		for _, sp := range spools {
			sp.close()
		}
	}()
	err = wk.allNodes(ctx, func(node graph.Node) error {
		return provRecords(ctx, wk, node, true, func(r *provRec) error {
			sp := spools[r.typ]
			if sp == nil {
				return fmt.Errorf("no PROV-JSON section for %s", r.typ)
			}
			body, err := provJSONRecord(r)
			if err != nil {
				return fmt.Errorf("%s %s: %w", r.typ, r.id, err)
			}
			idJSON, err := marshalJSON(r.id)
			if err != nil {
				return err
			}
			if sp.n > 0 {
				sp.writeString(",")
			}
			sp.n++
			sp.writeString("\n    ")
			sp.write(idJSON)
			sp.writeString(": ")
			sp.write(body)
			return sp.err
		})
	})
	if err != nil {
		return err
	}
	bw.WriteString("{\n  \"prefix\": ")
	bw.Write(prefixes)
	for _, sec := range provSections {
		sp := spools[sec.name]
		if sp.n == 0 {
			continue
		}
		fmt.Fprintf(bw, ",\n  %q: {", sec.name)
		if err := sp.copyTo(bw); err != nil {
			return fmt.Errorf("%s: %w", sec.name, err)
		}
		bw.WriteString("\n  }")
	}
	bw.WriteString("\n}\n")
	return nil
}

// spoolMemory is how much a spool keeps in memory before it moves to a
// temporary file (written through a buffer of spoolBuffer bytes).
const (
	spoolMemory = 32 << 10
	spoolBuffer = 16 << 10
)

// spool collects bytes in memory, then in a temporary file.
type spool struct {
	mem bytes.Buffer
	f   *os.File
	fw  *bufio.Writer
	n   int // records
	err error
}

func (s *spool) write(p []byte) {
	if s.err != nil {
		return
	}
	if s.f == nil && s.mem.Len()+len(p) > spoolMemory {
		f, err := os.CreateTemp("", "claimgraph-prov-*.json")
		if err != nil {
			s.err = fmt.Errorf("spool: %w", err)
			return
		}
		s.f, s.fw = f, bufio.NewWriterSize(f, spoolBuffer)
		if _, err := s.fw.Write(s.mem.Bytes()); err != nil {
			s.err = err
			return
		}
		s.mem = bytes.Buffer{}
	}
	if s.f != nil {
		_, s.err = s.fw.Write(p)
		return
	}
	s.mem.Write(p)
}

func (s *spool) writeString(str string) { s.write([]byte(str)) }

// copyTo writes what the spool holds to w.
func (s *spool) copyTo(w io.Writer) error {
	if s.err != nil {
		return s.err
	}
	if s.f == nil {
		_, err := w.Write(s.mem.Bytes())
		return err
	}
	if err := s.fw.Flush(); err != nil {
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, s.f)
	return err
}

// close removes the temporary file, if any.
func (s *spool) close() {
	if s.f != nil {
		name := s.f.Name()
		s.f.Close()
		os.Remove(name)
		s.f = nil
	}
}

// provJSONRecord encodes a record's attributes as a PROV-JSON object:
// formal attributes as plain strings, other values as strings or
// {"$": value, "type": type}, repeated attributes as arrays.
func provJSONRecord(r *provRec) ([]byte, error) {
	var order []string
	vals := map[string][]any{}
	for _, a := range r.attrs {
		if _, ok := vals[a.name]; !ok {
			order = append(order, a.name)
		}
		var v any = a.val.s
		if a.val.typ != valString && !isFormal(a.name) {
			v = map[string]string{"$": a.val.s, "type": a.val.typ}
		}
		vals[a.name] = append(vals[a.name], v)
	}
	buf := []byte{'{'}
	for i, name := range order {
		if i > 0 {
			buf = append(buf, ", "...)
		}
		k, err := marshalJSON(name)
		if err != nil {
			return nil, err
		}
		var v []byte
		if vs := vals[name]; len(vs) == 1 {
			v, err = marshalJSON(vs[0])
		} else {
			v, err = marshalJSON(vs)
		}
		if err != nil {
			return nil, err
		}
		buf = append(buf, k...)
		buf = append(buf, ": "...)
		buf = append(buf, v...)
	}
	return append(buf, '}'), nil
}
