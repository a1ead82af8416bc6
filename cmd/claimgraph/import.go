package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/schollz/progressbar/v3"

	"claimgraph/graph"
	"claimgraph/store"
)

// importFile is one bundle named on the command line.
type importFile struct {
	name   string // as given ("-" for stdin)
	by     string // "import:<base name>"
	bundle *graph.Bundle
	// validated: the commit the file's validation holds for, when known
	// (graph.Batch.Validated).
	validated   bool
	validatedAt int64
}

// fileSummary is what one file's import did.
type fileSummary struct {
	File   string                  `json:"file"`
	By     string                  `json:"by"`
	Nodes  graph.Counts            `json:"nodes"`
	Links  graph.Counts            `json:"links"`
	ByKind map[string]graph.Counts `json:"by_kind"`
}

func runImport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "import", "FILE...",
		"Import bundle/1 files (one JSON object or JSON Lines; - reads standard input).\n"+
			"Every file is validated against the store and the files before it, and one bad\n"+
			"file writes nothing at all. Into a new store the files are read, validated and\n"+
			"applied one at a time (one file's records in memory) and committed together as\n"+
			"one commit; into a store that holds data, every file is validated first, then\n"+
			"each written as one atomic batch. Records are written by \"import:<file name>\".\n"+
			"Importing the same bundle again changes nothing.")
	var c common
	addCommon(fs, e, &c, "warn")
	allowUnknown := fs.Bool("allow-unknown", false, "ignore fields the bundle format does not define (default: report them)")
	dryRun := fs.Bool("dry-run", false, "validate only; write nothing")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	note := fs.String("note", "", "why: recorded in the history of every record written")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := c.checkEngine(fs); err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return usageError("import: name at least one bundle file (- for standard input)")
	}
	stdinUsed := false
	for _, f := range files {
		if f == "-" {
			if stdinUsed {
				return usageError("import: - (standard input) given twice")
			}
			stdinUsed = true
			continue
		}
		// Fail before the data directory is opened (or created).
		if _, err := os.Stat(f); err != nil {
			return &exitError{code: 1, err: fmt.Errorf("reading bundle: %w", err)}
		}
	}
	log, err := c.logger(e.stderr)
	if err != nil {
		return err
	}

	st, err := c.open(ctx, false, false, log)
	if err != nil {
		return err
	}
	defer closeLogged(st, log)

	// The heap's soft limit covers decoding as well as writing: the decoded
	// files and the staged writes are both held until each commit.
	defer importMemoryLimit(e.getenv)()

	// A new store on disk takes the files as one import (store.Import):
	// each file read, validated and applied in turn, all committed at once.
	if imp, ok := st.(interface {
		BeginImport(context.Context) (*store.Import, error)
	}); ok && !*dryRun {
		im, err := imp.BeginImport(ctx)
		switch {
		case err == nil:
			return importOnce(ctx, e, im, files, *allowUnknown, *note, *asJSON, log)
		case !errors.Is(err, store.ErrNoImport):
			return err
		}
	}

	// Read, validate and prepare every file against one snapshot of the
	// store plus the files before it, listing every problem of every file
	// before anything is written.
	var (
		bundles  []importFile
		problems int
	)
	// The last commit, read before the snapshot: when Apply finds it still
	// the last, the files' validation holds and is not run again (a commit
	// in between makes Apply validate; never the other way round).
	lc, validated := st.(interface{ LastCommit() uint64 })
	var validatedAt int64
	if validated {
		validatedAt = int64(lc.LastCommit())
	}
	readStart := time.Now()
	err = st.View(ctx, func(r graph.Reader) error {
		ov := &overlay{Reader: r, nodes: map[string]graph.Node{}}
		for i, name := range files {
			b, err := readFile(ctx, e, name, *allowUnknown, ov)
			var verr *graph.ValidationError
			switch {
			case errors.As(err, &verr):
				problems += printProblems(e.stderr, name, verr)
			case err != nil:
				return err
			}
			if b != nil && i < len(files)-1 {
				ov.add(b) // for the files after it
			}
			if err == nil {
				bundles = append(bundles, importFile{name: name, by: "import:" + baseName(name), bundle: b, validated: validated, validatedAt: validatedAt})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	log.Debug().Int("files", len(files)).Dur("took", time.Since(readStart)).Msg("import: files read and validated")
	if problems > 0 {
		return nothingWritten(problems, len(files))
	}
	if *dryRun {
		for _, f := range bundles {
			fmt.Fprintf(e.stdout, "%s: valid: %d records, %d links (dry run, nothing written)\n", f.name, len(f.bundle.Nodes), len(f.bundle.Links))
		}
		return nil
	}

	// 3. Write, one atomic batch per file.
	var sums []fileSummary
	// Each file was validated against the snapshot plus the files before
	// it: that is the state after the files before it were written, while
	// each of them was applied on the commit the one before it made (no
	// other writer in between). So each file's validation holds for the
	// commit the file before it made, and Apply need not run it again.
	chain, chainAt := validated, validatedAt
	for i, f := range bundles {
		bundles[i].bundle = nil // f's records go once written (Bulk)
		why := *note
		if why == "" {
			why = "claimgraph import " + f.name
		}
		f.validated, f.validatedAt = chain, chainAt
		res, err := applyWithSpinner(ctx, e, st.Apply, f, why)
		var verr *graph.ValidationError
		if errors.As(err, &verr) {
			// Only a concurrent writer could get here: validation passed.
			n := printProblems(e.stderr, f.name, verr)
			return &exitError{code: 1, err: fmt.Errorf("%s: %d problem(s); files before it were imported, %s and the files after it were not", f.name, n, f.name)}
		}
		if err != nil {
			return fmt.Errorf("importing %s: %w", f.name, err)
		}
		chain, chainAt = nextValidated(chain, chainAt, res)
		log.Info().Str("file", f.name).Str("by", f.by).Int("added", res.Nodes.Added).Int("changed", res.Nodes.Changed).
			Int("unchanged", res.Nodes.Unchanged).Msg("imported")
		sums = append(sums, summarise(f, res))
	}
	return printSummaries(e.stdout, sums, *asJSON)
}

// nextValidated returns whether the next file's validation holds, and
// for which commit, after a file whose validation held for commit at (ok)
// was applied with result res: it holds for the commit the file made (or
// the same commit, when the file changed nothing), unless the file was
// applied on another commit than at (another writer committed between).
func nextValidated(ok bool, at int64, res graph.ApplyResult) (bool, int64) {
	switch {
	case !ok || res.Base != at:
		return false, 0
	case res.Rev != 0:
		return true, res.Rev
	}
	return true, at
}

// readFile reads, validates (against r) and prepares one bundle, with a
// progress bar on a terminal. On a *graph.ValidationError the bundle is
// returned as far as it was read.
func readFile(ctx context.Context, e *env, name string, allowUnknown bool, r graph.Reader) (*graph.Bundle, error) {
	var (
		in   io.Reader
		size int64 = -1
	)
	if name == "-" {
		in = e.stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, &exitError{code: 1, err: fmt.Errorf("reading bundle: %w", err)}
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
		in = f
	}
	if isTerminal(e.stderr) {
		bar := progressbar.NewOptions64(size,
			progressbar.OptionSetWriter(e.stderr),
			progressbar.OptionSetDescription("reading "+baseName(name)),
			progressbar.OptionShowBytes(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetWidth(30),
		)
		defer func() { _ = bar.Finish() }()
		pr := progressbar.NewReader(in, bar)
		in = &pr
	}
	b, err := graph.ReadBundle(ctx, in, graph.DecodeOptions{AllowUnknown: allowUnknown}, r)
	var verr *graph.ValidationError
	switch {
	case errors.As(err, &verr):
		return b, verr
	case err != nil:
		return nil, &exitError{code: 1, err: fmt.Errorf("reading %s: %w", name, err)}
	}
	return b, nil
}

// applyWithSpinner applies one file's batch, with a spinner on a terminal.
func applyWithSpinner(ctx context.Context, e *env, apply func(context.Context, *graph.Batch) (graph.ApplyResult, error), f importFile, why string) (graph.ApplyResult, error) {
	batch := f.bundle.Batch(f.by, why)
	batch.Bulk = true // the records are ours to hand over; the summary needs counts only
	batch.Validated, batch.ValidatedAt = f.validated, f.validatedAt
	var res graph.ApplyResult
	err := withSpinner(e, fmt.Sprintf("writing %d records and %d links from %s", len(f.bundle.Nodes), len(f.bundle.Links), baseName(f.name)), func() (err error) {
		res, err = apply(ctx, batch)
		return err
	})
	return res, err
}

// withSpinner runs fn, with a spinner saying what on a terminal.
func withSpinner(e *env, what string, fn func() error) error {
	if !isTerminal(e.stderr) {
		return fn()
	}
	bar := progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(e.stderr),
		progressbar.OptionSetDescription(what),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionClearOnFinish(),
	)
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				_ = bar.Add(1)
			}
		}
	}()
	err := fn()
	close(done)
	_ = bar.Finish()
	return err
}

// importOnce imports the files into a new store as one commit: each file
// is read and validated against the files before it (in a view of the
// import), then applied, so that one file's records at a time are held in
// memory; every file's problems are listed, and a file with any makes
// the import write nothing.
func importOnce(ctx context.Context, e *env, im *store.Import, files []string, allowUnknown bool, note string, asJSON bool, log zerolog.Logger) error {
	committed := false
	defer func() {
		if !committed {
			_ = im.Abort()
		}
	}()
	var (
		sums     []fileSummary
		problems int
		// after a problem, the files read since, for those after them
		ov = &overlay{nodes: map[string]graph.Node{}}
	)
	readStart := time.Now()
	for _, name := range files {
		var b *graph.Bundle
		fileStart := time.Now()
		at := im.ValidatedAt()
		err := im.View(ctx, func(r graph.Reader) error {
			ov.Reader = r
			var err error
			b, err = readFile(ctx, e, name, allowUnknown, ov)
			return err
		})
		log.Debug().Str("file", name).Dur("took", time.Since(fileStart)).Msg("import: file read and validated")
		var verr *graph.ValidationError
		switch {
		case errors.As(err, &verr):
			problems += printProblems(e.stderr, name, verr)
		case err != nil:
			return err
		}
		if problems > 0 {
			if b != nil {
				ov.add(b)
			}
			continue
		}
		why := note
		if why == "" {
			why = "claimgraph import " + name
		}
		f := importFile{name: name, by: "import:" + baseName(name), bundle: b, validated: true, validatedAt: at}
		res, err := applyWithSpinner(ctx, e, im.Apply, f, why)
		if err != nil {
			return fmt.Errorf("importing %s: %w", name, err)
		}
		log.Debug().Str("file", name).Int("added", res.Nodes.Added).Int("changed", res.Nodes.Changed).Msg("import: file applied")
		sums = append(sums, summarise(f, res))
	}
	if problems > 0 {
		return nothingWritten(problems, len(files))
	}
	commitStart := time.Now()
	err := withSpinner(e, fmt.Sprintf("committing %d file(s)", len(files)), func() error {
		_, err := im.Commit(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("importing %s: %w", strings.Join(files, ", "), err)
	}
	committed = true
	log.Info().Int("files", len(files)).Dur("read_and_applied", commitStart.Sub(readStart)).Dur("commit", time.Since(commitStart)).Msg("imported in one commit")
	return printSummaries(e.stdout, sums, asJSON)
}

// printProblems lists each problem on its own line, prefixed with the file,
// and returns how many there were.
func printProblems(w io.Writer, file string, verr *graph.ValidationError) int {
	for _, p := range verr.Problems {
		fmt.Fprintf(w, "%s: %s\n", file, p.String())
	}
	return len(verr.Problems)
}

func nothingWritten(problems, files int) error {
	what := "the bundle"
	if files > 1 {
		what = "the bundles"
	}
	return &exitError{code: 1, err: fmt.Errorf("%s has %d problem(s) listed above; nothing was written", what, problems)}
}

func baseName(name string) string {
	if name == "-" {
		return "stdin"
	}
	return filepath.Base(name)
}

func summarise(f importFile, res graph.ApplyResult) fileSummary {
	s := fileSummary{File: f.name, By: f.by, Nodes: res.Nodes, Links: res.Links, ByKind: map[string]graph.Counts{}}
	for k, c := range res.ByKind {
		s.ByKind[k.String()] = c
	}
	return s
}

// printSummaries writes the files' summaries, as JSON or as tables.
func printSummaries(w io.Writer, sums []fileSummary, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"files": sums})
	}
	for i, s := range sums {
		if i > 0 {
			fmt.Fprintln(w)
		}
		printSummary(w, s)
	}
	return nil
}

// printSummary writes one file's summary as a small table.
func printSummary(w io.Writer, s fileSummary) {
	fmt.Fprintf(w, "%s: imported as %s\n", s.File, s.By)
	fmt.Fprintf(w, "  %-14s %8s %8s %10s\n", "", "added", "changed", "unchanged")
	for _, k := range graph.Kinds {
		c, ok := s.ByKind[k.String()]
		if !ok || c == (graph.Counts{}) {
			continue
		}
		fmt.Fprintf(w, "  %-14s %8d %8d %10d\n", k.Section(), c.Added, c.Changed, c.Unchanged)
	}
	fmt.Fprintf(w, "  %-14s %8d %8d %10d\n", "nodes", s.Nodes.Added, s.Nodes.Changed, s.Nodes.Unchanged)
	fmt.Fprintf(w, "  %-14s %8d %8d %10d\n", "links", s.Links.Added, s.Links.Changed, s.Links.Unchanged)
}

// overlay is a Reader that sees the nodes of the bundles validated before
// as if they were stored, so that a file may refer to records of an earlier
// file on the same command line.
type overlay struct {
	graph.Reader
	nodes map[string]graph.Node
}

func (o *overlay) add(b *graph.Bundle) {
	for _, n := range b.Nodes {
		o.nodes[n.NodeKey()] = n
	}
}

// Node implements graph.Reader.
func (o *overlay) Node(ctx context.Context, key string) (graph.Node, error) {
	if n, ok := o.nodes[key]; ok {
		return n, nil
	}
	return o.Reader.Node(ctx, key)
}

// Nodes implements graph.Reader.
func (o *overlay) Nodes(ctx context.Context, keys []string) ([]graph.Node, error) {
	var rest []string
	for _, k := range keys {
		if _, ok := o.nodes[k]; !ok {
			rest = append(rest, k)
		}
	}
	stored := map[string]graph.Node{}
	if len(rest) > 0 {
		ns, err := o.Reader.Nodes(ctx, rest)
		if err != nil {
			return nil, err
		}
		for i, n := range ns {
			if n != nil && i < len(rest) {
				stored[rest[i]] = n
			}
		}
	}
	out := make([]graph.Node, len(keys))
	for i, k := range keys {
		if n, ok := o.nodes[k]; ok {
			out[i] = n
		} else {
			out[i] = stored[k]
		}
	}
	return out, nil
}

// Kinds implements graph.Reader.
func (o *overlay) Kinds(ctx context.Context, keys []string) (map[string]graph.Kind, error) {
	var rest []string
	out := map[string]graph.Kind{}
	for _, k := range keys {
		if n, ok := o.nodes[k]; ok {
			out[k] = n.NodeKind()
		} else {
			rest = append(rest, k)
		}
	}
	if len(rest) > 0 {
		stored, err := o.Reader.Kinds(ctx, rest)
		if err != nil {
			return nil, err
		}
		for k, kind := range stored {
			out[k] = kind
		}
	}
	return out, nil
}
