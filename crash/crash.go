// Package crash is the crash-safety harness of claimgraph: a workload of
// imports and mutations that a child process runs against an on-disk
// Badger store and that its parent kills with SIGKILL at random moments,
// and the checks that the parent runs on the data directory afterwards.
//
// # The workload
//
// A [Workload] is a fixed sequence of steps, each one atomic batch
// (graph.Batch), built deterministically from a [Config]:
//
//   - import steps: a corpus of package gen split into Config.Files bundle
//     files (JSON Lines, written by [Workload.WriteFiles]), each read and
//     validated with graph.ReadBundle and applied as one batch, as
//     `claimgraph import` does; the last record of each file is a marker
//     claim (crash-f-N);
//   - mutation steps through store.Apply: new claims, people and quotes
//     that refer to imported records, updates of the claims of earlier
//     steps, links, unlinks, retractions of imported links and nodes, each
//     batch with a marker claim (crash-m-N), and every fifth step a merge
//     of two people of earlier steps (a merge batch holds nothing else, so
//     its marker is the merge itself).
//
// [Workload.Run], the child, opens the store (synced commits, the
// default), imports every file (a file already imported changes nothing,
// so a re-run of a killed import completes it), then applies the mutation
// steps from the first one not yet applied, and after each step whose
// Apply returned success writes "ack N" on its output, unbuffered. The
// mutations never change what an import file writes, so importing the
// files again after them changes nothing either.
//
// # The checks
//
// Steps apply in order, so after any kill the store must hold exactly the
// first m steps, where m is the number of steps acknowledged (a lost
// acknowledged write otherwise) or one more (a step that committed just
// before the kill, its acknowledgement not yet read). [Workload.Check]
// reopens the data directory (repairing a commit cut in half, as every
// open does), finds m from the markers (which must be a prefix: a later
// step applied without an earlier one is reported), and compares the whole
// graph with the reference store (package memgraph) holding the same m
// steps: every node record, every edge and link with its attributes, node
// retractions and the history of every node. A batch is all or nothing:
// a marker without its members, or members without their marker, is a
// difference. Last it runs store.Verify, which checks that adjacency in
// both directions and every index agree with the records.
package crash

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rs/zerolog"

	"claimgraph/gen"
	"claimgraph/graph"
	"claimgraph/graph/memgraph"
	"claimgraph/store"
)

// Config chooses a workload.
type Config struct {
	// Seed selects the corpus and the mutations.
	Seed uint64 `json:"seed"`
	// Quotes is the size of the generated corpus (gen.Options.Quotes).
	Quotes int `json:"quotes"`
	// Files is the number of import files the corpus is split into.
	Files int `json:"files"`
	// FirstShare, when above 0, is the share of the corpus's records in
	// the first file (the rest split evenly); a large first file makes an
	// import that Badger commits in several transactions.
	FirstShare float64 `json:"first_share,omitempty"`
	// Mutations is the number of mutation steps.
	Mutations int `json:"mutations"`
	// Dir is the directory of the import files.
	Dir string `json:"dir"`
	// NoSync opens the store with store.Options.NoSync (a process kill
	// loses nothing either way; a machine crash could).
	NoSync bool `json:"no_sync,omitempty"`
}

// step is one atomic batch of the workload.
type step struct {
	name   string              // for messages: "import file 2", "mutation 4"
	file   string              // an import step's file name (in Config.Dir)
	batch  func() *graph.Batch // a mutation step's batch, new on every call
	marker string              // the key whose presence marks the step applied
	merge  *graph.Merge        // a merge step: applied when Keys[0] resolves to Into
}

// Workload is the sequence of steps of one configuration.
type Workload struct {
	cfg    Config
	corpus *graph.Bundle
	files  [][]byte // the import files' contents
	steps  []step
}

// NewWorkload builds the workload cfg describes; it does not touch the
// disk (see WriteFiles).
func NewWorkload(cfg Config) (*Workload, error) {
	if cfg.Files < 1 || cfg.Quotes < 1 || cfg.Mutations < 0 {
		return nil, fmt.Errorf("crash: config needs files ≥ 1, quotes ≥ 1 and mutations ≥ 0, got %+v", cfg)
	}
	corpus, err := gen.Generate(gen.Options{Quotes: cfg.Quotes, Seed: cfg.Seed})
	if err != nil {
		return nil, err
	}
	w := &Workload{cfg: cfg, corpus: corpus}
	if err := w.splitFiles(); err != nil {
		return nil, err
	}
	w.buildMutations()
	return w, nil
}

// Steps returns the number of steps.
func (w *Workload) Steps() int { return len(w.steps) }

// StepName names step i for messages.
func (w *Workload) StepName(i int) string { return w.steps[i].name }

// splitFiles cuts the corpus, in its order (every reference points
// backwards, so each file validates after the ones before it), into the
// import files, each ending with its marker claim.
func (w *Workload) splitFiles() error {
	type rec struct {
		node graph.Node
		link *graph.Link
	}
	var recs []rec
	for _, n := range w.corpus.Nodes {
		recs = append(recs, rec{node: n})
	}
	for i := range w.corpus.Links {
		recs = append(recs, rec{link: &w.corpus.Links[i]})
	}
	bounds := make([]int, w.cfg.Files+1)
	first := 0
	if w.cfg.FirstShare > 0 && w.cfg.Files > 1 {
		first = int(float64(len(recs)) * min(w.cfg.FirstShare, 1))
		bounds[1] = first
	}
	for i := range w.cfg.Files + 1 {
		if first > 0 && i >= 1 {
			bounds[i] = first + (len(recs)-first)*(i-1)/(w.cfg.Files-1)
		} else if first == 0 {
			bounds[i] = len(recs) * i / w.cfg.Files
		}
	}
	for f := range w.cfg.Files {
		b := &graph.Bundle{}
		for _, r := range recs[bounds[f]:bounds[f+1]] {
			if r.node != nil {
				b.Nodes = append(b.Nodes, r.node)
			} else {
				b.Links = append(b.Links, *r.link)
			}
		}
		marker := fileMarker(f)
		b.Nodes = append(b.Nodes, &graph.Claim{Key: marker, Text: fmt.Sprintf("Marker of crash harness import file %d", f)})
		var buf bytes.Buffer
		if err := graph.EncodeJSONL(&buf, b); err != nil {
			return fmt.Errorf("crash: encoding import file %d: %w", f, err)
		}
		w.files = append(w.files, buf.Bytes())
		w.steps = append(w.steps, step{name: fmt.Sprintf("import file %d", f), file: fileName(f), marker: marker})
	}
	return nil
}

func fileName(f int) string   { return fmt.Sprintf("import-%02d.jsonl", f) }
func fileMarker(f int) string { return "crash-f-" + strconv.Itoa(f) }

// WriteFiles writes the import files into Config.Dir.
func (w *Workload) WriteFiles() error {
	if err := os.MkdirAll(w.cfg.Dir, 0o755); err != nil {
		return err
	}
	for f, data := range w.files {
		if err := os.WriteFile(filepath.Join(w.cfg.Dir, fileName(f)), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// words make the text of the workload's own claims and quotes.
var words = []string{"harness", "durable", "ledger", "window", "orchard", "signal", "granite", "pivot",
	"lantern", "harbour", "quorum", "meadow", "cipher", "tundra", "beacon", "ripple"}

func phrase(r *rand.Rand, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = words[r.IntN(len(words))]
	}
	return strings.Join(ws, " ")
}

// buildMutations plans the mutation steps. Their batches refer to the
// corpus and to the records of earlier mutation steps only, and never
// change what an import file writes.
func (w *Workload) buildMutations() {
	byKind := map[graph.Kind][]string{}
	for _, n := range w.corpus.Nodes {
		byKind[n.NodeKind()] = append(byKind[n.NodeKind()], n.NodeKey())
	}
	r := rand.New(rand.NewPCG(w.cfg.Seed, 0x63726173))
	pick := func(k graph.Kind) string { ks := byKind[k]; return ks[r.IntN(len(ks))] }
	var (
		people     []string // people of earlier steps not merged away
		lastClaim  string
		lastLink   *graph.LinkID
		retracted  = map[string]bool{}
		retractedL = map[int]bool{}
	)
	for j := range w.cfg.Mutations {
		name := fmt.Sprintf("mutation %d", j)
		if j%5 == 4 && len(people) >= 2 {
			m := &graph.Merge{Into: people[len(people)-1], Keys: []string{people[len(people)-2]}}
			people = append(people[:len(people)-2], m.Into)
			w.steps = append(w.steps, step{name: name + " (merge)", merge: m, batch: func() *graph.Batch {
				return &graph.Batch{Merges: []graph.Merge{{Into: m.Into, Keys: []string{m.Keys[0]}}}, By: "crash:merge", Note: name}
			}})
			continue
		}
		marker := "crash-m-" + strconv.Itoa(j)
		claim := "crash-c-" + strconv.Itoa(j)
		person := "crash-p-" + strconv.Itoa(j)
		quote := "crash-q-" + strconv.Itoa(j)
		target := pick(graph.KindClaim)
		word := words[r.IntN(len(words))]
		nodes := []graph.Node{
			&graph.Claim{Key: marker, Text: fmt.Sprintf("Marker of crash harness mutation %d", j)},
			&graph.Claim{Key: claim, Text: "Claim " + phrase(r, 6), Topics: []string{words[j%len(words)]}},
			&graph.Person{Key: person, Name: "Crash " + strings.ToUpper(word[:1]) + word[1:] + " " + strconv.Itoa(j),
				Aliases: []string{"C. " + strconv.Itoa(j)}},
			&graph.Quote{Key: quote, Text: "Quote " + phrase(r, 8), Speaker: pick(graph.KindPerson), Source: pick(graph.KindSource),
				Claims: []string{claim}, Mode: "direct", SaidAt: fmt.Sprintf("2025-%02d-%02d", 1+j%12, 1+j%28)},
		}
		if lastClaim != "" {
			nodes = append(nodes, &graph.Claim{Key: lastClaim, Text: "Revised claim " + phrase(r, 5), Topics: []string{"revised"}})
		}
		links := []graph.Link{
			{From: claim, To: target, Relation: graph.RelSupports, Note: "crash " + strconv.Itoa(j)},
			{From: pick(graph.KindFigure), To: claim, Relation: graph.RelContradicts, Reason: "different_scope"},
			{From: quote, To: pick(graph.KindQuote), Relation: graph.RelRespondsTo},
		}
		b := &graph.Batch{Nodes: nodes, Links: links, By: "crash:mutation", Note: name}
		if j%3 == 2 && lastLink != nil {
			b.Unlinks = append(b.Unlinks, *lastLink)
		}
		if j%2 == 1 && len(w.corpus.Links) > 0 {
			i := r.IntN(len(w.corpus.Links))
			if !retractedL[i] {
				retractedL[i] = true
				l := w.corpus.Links[i]
				b.Retracts = append(b.Retracts, graph.Retract{Link: &graph.LinkID{From: l.From, To: l.To, Relation: l.Relation}, Reason: "crash retraction"})
			}
		}
		if j%4 == 0 {
			if k := pick(graph.KindFigure); !retracted[k] {
				retracted[k] = true
				b.Retracts = append(b.Retracts, graph.Retract{Key: k, Reason: "crash retraction"})
			}
		}
		people = append(people, person)
		lastClaim = claim
		lastLink = &graph.LinkID{From: claim, To: target, Relation: graph.RelSupports}
		w.steps = append(w.steps, step{name: name, marker: marker, batch: func() *graph.Batch { return cloneBatch(b) }})
	}
}

// cloneBatch copies a batch deeply enough that applying it cannot change
// the workload's copy (stores fill fields of the records they prepare).
func cloneBatch(b *graph.Batch) *graph.Batch {
	c := *b
	c.Nodes = make([]graph.Node, len(b.Nodes))
	for i, n := range b.Nodes {
		c.Nodes[i] = cloneNode(n)
	}
	c.Links = append([]graph.Link(nil), b.Links...)
	c.Unlinks = append([]graph.LinkID(nil), b.Unlinks...)
	c.Retracts = append([]graph.Retract(nil), b.Retracts...)
	return &c
}

func cloneNode(n graph.Node) graph.Node {
	switch n := n.(type) {
	case *graph.Claim:
		c := *n
		c.Topics = append([]string(nil), n.Topics...)
		return &c
	case *graph.Person:
		c := *n
		c.Aliases = append([]string(nil), n.Aliases...)
		return &c
	case *graph.Quote:
		c := *n
		c.Claims = append([]string(nil), n.Claims...)
		return &c
	}
	return n
}

// apply applies step i to st: an import step reads its file from Config.Dir
// and validates it against st first.
func (w *Workload) apply(ctx context.Context, st graph.Store, i int) error {
	s := w.steps[i]
	var b *graph.Batch
	if s.file != "" {
		data, err := os.ReadFile(filepath.Join(w.cfg.Dir, s.file))
		if err != nil {
			return err
		}
		err = st.View(ctx, func(r graph.Reader) error {
			bundle, err := graph.ReadBundle(ctx, bytes.NewReader(data), graph.DecodeOptions{}, r)
			if err != nil {
				return err
			}
			b = bundle.Batch("import:"+s.file, "crash harness import")
			return nil
		})
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	} else {
		b = s.batch()
	}
	if _, err := st.Apply(ctx, b); err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	return nil
}

// isApplied reports whether step i is in the state r reads.
func (w *Workload) isApplied(ctx context.Context, r graph.Reader, i int) (bool, error) {
	s := w.steps[i]
	if s.merge != nil {
		res, err := r.Resolve(ctx, s.merge.Keys)
		if err != nil {
			return false, err
		}
		return res[s.merge.Keys[0]] == s.merge.Into, nil
	}
	_, err := r.Node(ctx, s.marker)
	if errors.Is(err, graph.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// applied returns how many leading steps the state r reads holds, and an
// error when a later step is applied without an earlier one.
func (w *Workload) applied(ctx context.Context, r graph.Reader) (int, error) {
	m := -1
	for i := range w.steps {
		ok, err := w.isApplied(ctx, r, i)
		if err != nil {
			return 0, err
		}
		switch {
		case !ok && m < 0:
			m = i
		case ok && m >= 0:
			return 0, fmt.Errorf("%s is applied but %s is not: steps were applied out of order or half", w.steps[i].name, w.steps[m].name)
		}
	}
	if m < 0 {
		m = len(w.steps)
	}
	return m, nil
}

// Run is the child: it opens the store in dataDir, imports every file,
// applies the mutation steps not applied yet, and writes "ack N" to out
// after each step that returned success, then "done".
func (w *Workload) Run(ctx context.Context, dataDir string, out io.Writer, log zerolog.Logger) error {
	st, err := store.Open(ctx, store.Options{Dir: dataDir, Logger: log, NoSync: w.cfg.NoSync, GCInterval: -1})
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := fmt.Fprintln(out, "open"); err != nil {
		return err
	}
	ack := func(i int) error {
		_, err := fmt.Fprintf(out, "ack %d\n", i)
		return err
	}
	for i, s := range w.steps {
		if s.file == "" {
			break
		}
		if err := w.apply(ctx, st, i); err != nil {
			return err
		}
		if err := ack(i); err != nil {
			return err
		}
	}
	for i, s := range w.steps {
		if s.file != "" {
			continue
		}
		var done bool
		if err := st.View(ctx, func(r graph.Reader) error {
			var err error
			done, err = w.isApplied(ctx, r, i)
			return err
		}); err != nil {
			return err
		}
		if done {
			continue
		}
		if err := w.apply(ctx, st, i); err != nil {
			return err
		}
		if err := ack(i); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintln(out, "done"); err != nil {
		return err
	}
	return st.Close()
}

// Model returns the reference store (memgraph) holding the first m steps.
func (w *Workload) Model(ctx context.Context, m int) (graph.Store, error) {
	ms := memgraph.New()
	for i := range m {
		if err := w.apply(ctx, ms, i); err != nil {
			ms.Close()
			return nil, fmt.Errorf("reference store: %w", err)
		}
	}
	return ms, nil
}

// Outcome is what Check found.
type Outcome struct {
	// Applied is the number of leading steps the store holds.
	Applied int
	// Repaired is set when opening the store repaired a commit that the
	// kill cut in half.
	Repaired bool
	// Verify is the report of store.Verify.
	Verify store.Report
}

// Check opens the data directory after a kill and checks it against the
// steps: acked is the number of leading steps acknowledged. The store must
// hold the first acked steps, or one more, exactly as the reference store
// holding them, and pass store.Verify.
func (w *Workload) Check(ctx context.Context, dataDir string, acked int) (Outcome, error) {
	var logs bytes.Buffer
	log := zerolog.New(&logs).Level(zerolog.WarnLevel)
	st, err := store.Open(ctx, store.Options{Dir: dataDir, Logger: log, GCInterval: -1})
	if err != nil {
		return Outcome{}, fmt.Errorf("reopening after the kill: %w", err)
	}
	defer st.Close()
	out := Outcome{Repaired: strings.Contains(logs.String(), "cut in half")}
	err = st.View(ctx, func(r graph.Reader) error {
		var err error
		out.Applied, err = w.applied(ctx, r)
		return err
	})
	if err != nil {
		return out, err
	}
	switch {
	case out.Applied < acked:
		return out, fmt.Errorf("an acknowledged write was lost: %d steps acknowledged, the store holds %d (%s is missing)", acked, out.Applied, w.steps[out.Applied].name)
	case out.Applied > acked+1:
		return out, fmt.Errorf("the store holds %d steps but only %d were acknowledged and one more can have been in flight", out.Applied, acked)
	}
	model, err := w.Model(ctx, out.Applied)
	if err != nil {
		return out, err
	}
	defer model.Close()
	diffs, err := Compare(ctx, st, model, 20)
	if err != nil {
		return out, err
	}
	if len(diffs) > 0 {
		what := "after the last one"
		if out.Applied < len(w.steps) {
			what = "before " + w.steps[out.Applied].name
		}
		return out, fmt.Errorf("the store differs from the reference holding the first %d steps (%s):\n  %s", out.Applied, what, strings.Join(diffs, "\n  "))
	}
	out.Verify, err = st.Verify(ctx, store.VerifyOptions{MaxProblems: 20})
	if err != nil {
		return out, fmt.Errorf("verify: %w", err)
	}
	if !out.Verify.OK() {
		var ps []string
		for _, p := range out.Verify.Problems {
			ps = append(ps, p.String())
		}
		return out, fmt.Errorf("verify found %d problem(s) %v:\n  %s", out.Verify.Total, out.Verify.Counts, strings.Join(ps, "\n  "))
	}
	return out, st.Close()
}
