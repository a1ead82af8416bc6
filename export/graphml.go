package export

import (
	"bufio"
	"context"
	"encoding/xml"
	"fmt"
	"reflect"
	"strconv"

	"claimgraph/graph"
)

// GraphML attributes are the columns of the tables (see tables.go): a node
// carries the columns of its kind's table, except id, plus kind and label;
// an edge carries the columns of the edges table. The kind column of
// organisations and sources is renamed organisation_kind and source_kind,
// since kind is the node's kind. Types map to GraphML's: integer to long,
// number to double, boolean to boolean, everything else (lists and objects
// as JSON) to string. An empty value has no data element.

// gmlKey is one GraphML key declaration.
type gmlKey struct {
	id, domain, name, typ string
}

// gmlAttr is how a column of a table becomes an attribute.
type gmlAttr struct {
	key   string // key id
	index int    // struct field index
}

// gmlSchema is the key declarations and the column mapping of every table.
type gmlSchema struct {
	keys   []gmlKey
	byKind map[graph.Kind][]gmlAttr
	edge   []gmlAttr
}

func graphmlType(typ string) string {
	switch typ {
	case "integer":
		return "long"
	case "number":
		return "double"
	case "boolean":
		return "boolean"
	}
	return "string"
}

func newGMLSchema(specs []tableSpec) *gmlSchema {
	s := &gmlSchema{byKind: map[graph.Kind][]gmlAttr{}}
	s.keys = append(s.keys,
		gmlKey{"g_snapshot", "graph", "snapshot", "string"},
		gmlKey{"g_scope", "graph", "scope", "string"},
		gmlKey{"n_kind", "node", "kind", "string"},
		gmlKey{"n_label", "node", "label", "string"},
		gmlKey{"n_retracted_at", "node", "retracted_at", "string"},
		gmlKey{"n_retracted_by", "node", "retracted_by", "string"},
		gmlKey{"n_retraction_reason", "node", "retraction_reason", "string"})
	declared := map[string]string{"kind": "string", "label": "string", "retracted_at": "string", "retracted_by": "string", "retraction_reason": "string"}
	for _, sp := range specs {
		t := sp.meta()
		for _, c := range t.cols {
			switch {
			case t.kind != 0:
				if c.name == "id" {
					continue
				}
				name := c.name
				if name == "kind" {
					name = t.kind.String() + "_kind"
				}
				typ := graphmlType(c.typ)
				if prev, ok := declared[name]; ok {
					if prev != typ {
						panic(fmt.Sprintf("export: graphml attribute %s declared as %s and %s", name, prev, typ))
					}
				} else {
					declared[name] = typ
					s.keys = append(s.keys, gmlKey{"n_" + name, "node", name, typ})
				}
				s.byKind[t.kind] = append(s.byKind[t.kind], gmlAttr{"n_" + name, c.index})
			case t.name == "edges":
				if c.name == "from" || c.name == "to" {
					continue
				}
				s.keys = append(s.keys, gmlKey{"e_" + c.name, "edge", c.name, graphmlType(c.typ)})
				s.edge = append(s.edge, gmlAttr{"e_" + c.name, c.index})
			}
		}
	}
	return s
}

// writeGraphML writes a directed GraphML graph (nodes carry kind, label,
// their retraction if any, and their table's columns): the key
// declarations, then
// every node (a pass), then every edge (a second pass), edge ids e1, e2 ...
// in export order. networkx reads it with
// read_graphml(path, force_multigraph=True) as a MultiDiGraph; Gephi opens
// it with typed columns.
func writeGraphML(ctx context.Context, wk *walker, bw *bufio.Writer) error {
	wk.addPasses(2)
	s := newGMLSchema(tables())
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">
`)
	for _, k := range s.keys {
		fmt.Fprintf(bw, "  <key id=%q for=%q attr.name=%q attr.type=%q/>\n", k.id, k.domain, k.name, k.typ)
	}
	bw.WriteString("  <graph id=\"claimgraph\" edgedefault=\"directed\">\n")
	data := func(indent, key, val string) {
		fmt.Fprintf(bw, "%s<data key=%q>", indent, key)
		xml.EscapeText(bw, []byte(val))
		bw.WriteString("</data>\n")
	}
	data("    ", "g_snapshot", wk.cfg.asOf)
	data("    ", "g_scope", scopeText(wk))
	row := func(v reflect.Value, attrs []gmlAttr, indent string) error {
		for _, a := range attrs {
			s, err := cell(v.Field(a.index))
			if err != nil {
				return fmt.Errorf("%s: %w", a.key, err)
			}
			if s != "" {
				data(indent, a.key, s)
			}
		}
		return nil
	}
	err := wk.allNodes(ctx, func(n graph.Node) error {
		bw.WriteString("    <node id=\"")
		xml.EscapeText(bw, []byte(n.NodeKey()))
		bw.WriteString("\">\n")
		data("      ", "n_kind", n.NodeKind().String())
		data("      ", "n_label", label(n))
		at, by, reason := retractionCols(wk.retraction(n.NodeKey()))
		for _, d := range [][2]string{{"n_retracted_at", at}, {"n_retracted_by", by}, {"n_retraction_reason", reason}} {
			if d[1] != "" {
				data("      ", d[0], d[1])
			}
		}
		if err := row(reflect.ValueOf(rowOf(n)), s.byKind[n.NodeKind()], "      "); err != nil {
			return fmt.Errorf("node %s: %w", n.NodeKey(), err)
		}
		bw.WriteString("    </node>\n")
		return nil
	})
	if err != nil {
		return err
	}
	id := 0
	err = wk.allNodes(ctx, func(n graph.Node) error {
		return wk.nodeEdges(ctx, n, func(e edge) error {
			id++
			fmt.Fprintf(bw, "    <edge id=\"e%s\" source=\"", strconv.Itoa(id))
			xml.EscapeText(bw, []byte(e.From))
			bw.WriteString("\" target=\"")
			xml.EscapeText(bw, []byte(e.To))
			bw.WriteString("\">\n")
			if err := row(reflect.ValueOf(edgeRowOf(e)), s.edge, "      "); err != nil {
				return err
			}
			bw.WriteString("    </edge>\n")
			return nil
		})
	})
	if err != nil {
		return err
	}
	bw.WriteString("  </graph>\n</graphml>\n")
	return nil
}

// rowOf returns the table row of a node.
func rowOf(n graph.Node) any {
	switch n.NodeKind() {
	case graph.KindPerson:
		return personOf(n)
	case graph.KindOrganisation:
		return organisationOf(n)
	case graph.KindSource:
		return sourceOf(n)
	case graph.KindQuote:
		return quoteOf(n)
	case graph.KindClaim:
		return claimOf(n)
	}
	return figureOf(n)
}
