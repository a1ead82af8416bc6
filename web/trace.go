package web

import (
	"fmt"
	"net/http"
	"strings"

	"claimgraph/graph"
)

// cyNode and cyEdge are the graph that trace.js draws with Cytoscape.js.
type cyNode struct {
	ID       string `json:"id"`
	Label    string `json:"label"`
	Kind     string `json:"kind"`
	URL      string `json:"url"`
	Root     bool   `json:"root,omitempty"`
	Primary  bool   `json:"primary,omitempty"`
	Original bool   `json:"original,omitempty"`
	Speaker  bool   `json:"speaker,omitempty"`
}

type cyEdge struct {
	ID        string `json:"id"`
	Source    string `json:"source"`
	Target    string `json:"target"`
	Label     string `json:"label"`
	Retracted bool   `json:"retracted,omitempty"`
}

// traceData is embedded in the trace page as JSON.
type traceData struct {
	Root  string   `json:"root"`
	Nodes []cyNode `json:"nodes"`
	Edges []cyEdge `json:"edges"`
}

// hopRow is one hop of a trace, for the list.
type hopRow struct {
	From      ref
	To        ref
	Relation  string
	Cue       string
	Reason    string
	Retracted bool
}

// traceLevel holds the hops of one depth.
type traceLevel struct {
	Depth int
	Hops  []hopRow
}

// traceView is the trace page.
type traceView struct {
	*page
	Root           ref
	Data           traceData
	Levels         []traceLevel
	HopCount       int
	Speakers       []ref
	Original       []ref
	PrimarySources []ref
	Supporting     []ref
	Contradicting  []ref
	Truncated      bool
	Note           string
}

// trace serves /trace/{id}: the provenance trace of a node, drawn and
// listed.
func (b *browser) trace(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("id")
	p, err := b.newPage(r, "Trace of "+key)
	if err != nil {
		b.showError(w, r, p, err)
		return
	}
	p.ExportTrace = key
	ctx := r.Context()
	v := &traceView{page: p}
	err = b.view(ctx, p, func(rd graph.Reader) error {
		lr := &lenientReader{Reader: rd}
		t, err := graph.TraceFrom(ctx, lr, key, graph.TraceOptions{})
		if err != nil {
			return fmt.Errorf("tracing %s: %w", key, err)
		}
		v.Note = lr.Note()
		l := newLoader(ctx, rd, p)
		keys := []string{t.Root}
		for _, h := range t.Hops {
			keys = append(keys, h.From, h.To)
		}
		if err := l.load(keys...); err != nil {
			return err
		}
		v.Root = l.ref(t.Root)
		p.Title = "Trace of " + v.Root.Label
		v.Truncated = t.Truncated
		v.Speakers = l.refs(t.Speakers)
		v.PrimarySources = l.refs(t.PrimarySources)
		v.Supporting = l.refs(t.Supporting)
		v.Contradicting = l.refs(t.Contradicting)
		original := originalSpeakers(l, t)
		v.Original = l.refs(original)
		v.Data = traceGraph(l, t, original)
		v.HopCount = len(t.Hops)
		for _, h := range t.Hops {
			for len(v.Levels) < h.Depth {
				v.Levels = append(v.Levels, traceLevel{Depth: len(v.Levels) + 1})
			}
			lv := &v.Levels[h.Depth-1]
			lv.Hops = append(lv.Hops, hopRow{From: l.ref(h.From), To: l.ref(h.To), Relation: h.Relation, Cue: h.Cue, Reason: h.Reason, Retracted: h.Retracted})
		}
		return nil
	})
	if err != nil {
		b.showError(w, r, p, err)
		return
	}
	b.render(w, r, http.StatusOK, "trace", v)
}

// originalSpeakers returns the speakers of the innermost quotes the trace
// reached: quotes that no other reached quote is reported by, that is the
// words first said rather than their reports.
func originalSpeakers(l *loader, t *graph.Trace) []string {
	reporting := map[string]bool{} // quotes that report another reached quote
	for _, h := range t.Hops {
		if h.Relation == string(graph.RelReportedBy) {
			reporting[h.To] = true
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, h := range t.Hops {
		if h.Relation != string(graph.RelSpeaker) || reporting[h.From] || seen[h.To] {
			continue
		}
		if _, ok := l.node(h.From).(*graph.Quote); ok {
			seen[h.To] = true
			out = append(out, h.To)
		}
	}
	return out
}

// traceGraph builds the drawing of a trace.
func traceGraph(l *loader, t *graph.Trace, original []string) traceData {
	d := traceData{Root: t.Root}
	primary := setOf(t.PrimarySources)
	speakers := setOf(t.Speakers)
	orig := setOf(original)
	seen := map[string]bool{}
	addNode := func(k string) {
		if seen[k] {
			return
		}
		seen[k] = true
		r := l.ref(k)
		kind := r.Kind.String()
		if r.Missing {
			kind = "missing"
		}
		d.Nodes = append(d.Nodes, cyNode{
			ID: k, Label: clipText(r.Label, 48), Kind: kind, URL: r.URL,
			Root: k == t.Root, Primary: primary[k], Speaker: speakers[k], Original: orig[k],
		})
	}
	addNode(t.Root)
	for i, h := range t.Hops {
		addNode(h.From)
		addNode(h.To)
		lbl := strings.ReplaceAll(h.Relation, "_", " ")
		if h.Cue != "" && h.Relation == string(graph.RelSpeaker) {
			lbl = h.Cue
		}
		d.Edges = append(d.Edges, cyEdge{ID: fmt.Sprintf("e%d", i), Source: h.From, Target: h.To, Label: clipText(lbl, 32), Retracted: h.Retracted})
	}
	return d
}

func setOf(keys []string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}
