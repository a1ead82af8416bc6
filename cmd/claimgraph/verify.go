package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"claimgraph/store"
)

// verifyJSON is the --json form of verify.
type verifyJSON struct {
	OK bool `json:"ok"`
	store.Report
	Commit string `json:"commit,omitempty"`
}

func runVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "verify", "",
		"Check the consistency of the data directory at one snapshot: every node record decodes;\n"+
			"its key, kind list, reference edges (both directions) and index entries (names, urls,\n"+
			"dates, search postings and statistics, ...) are exactly what the record implies, with\n"+
			"no key missing and none extra; every link is stored alike in both directions between\n"+
			"two live records; history, retractions, merged keys, counters and meta keys agree.\n"+
			"Problems are listed by key family and key; the exit status is 1 when any is found.\n"+
			"Opening the store repairs a commit that a crash cut in half, as every command does.")
	var c common
	addCommon(fs, e, &c, "warn")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	maxProblems := fs.Int("max-problems", 100, "list at most `N` problems (all are counted)")
	if err := parseStoreFlags(fs, &c, args, ""); err != nil {
		return err
	}
	if *maxProblems < 1 {
		return usageError("--max-problems %d: want at least 1", *maxProblems)
	}
	log, err := c.logger(e.stderr)
	if err != nil {
		return err
	}
	st, err := c.open(ctx, true, true, log)
	if err != nil {
		return err
	}
	defer closeLogged(st, log)
	s, ok := st.(*store.Store)
	if !ok {
		return fmt.Errorf("verify: the %s engine is not a claimgraph key-value store", c.engine)
	}
	start := time.Now()
	rep, err := s.Verify(ctx, store.VerifyOptions{MaxProblems: *maxProblems})
	if err != nil {
		return fmt.Errorf("verifying: %w", err)
	}
	log.Info().Dur("took", time.Since(start)).Int("keys", rep.Keys).Int("problems", rep.Total).Msg("verified")
	if *asJSON {
		out := verifyJSON{OK: rep.OK(), Report: rep}
		if rep.ReadTs != 0 {
			out.Commit = verifyCommitTime(rep.ReadTs)
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		printVerifyReport(e.stdout, rep)
	}
	if !rep.OK() {
		return &exitError{code: 1, err: fmt.Errorf("verify found %d problem(s)", rep.Total)}
	}
	return nil
}

// verifyCommitTime renders a commit timestamp (unix nanoseconds).
func verifyCommitTime(ts uint64) string {
	return time.Unix(0, int64(ts)).UTC().Format(time.RFC3339Nano)
}

// printVerifyReport writes the report for a person: a summary line, the counts
// by family and check, then the problems listed.
func printVerifyReport(w io.Writer, rep store.Report) {
	at := "an empty store"
	if rep.ReadTs != 0 {
		at = "commit " + verifyCommitTime(rep.ReadTs)
	}
	fmt.Fprintf(w, "checked %s: %d nodes, %d links, %d keys\n", at, rep.Nodes, rep.Links, rep.Keys)
	if rep.OK() {
		fmt.Fprintln(w, "no problem found")
		return
	}
	fmt.Fprintf(w, "%d problem(s):\n", rep.Total)
	classes := make([]string, 0, len(rep.Counts))
	for k := range rep.Counts {
		classes = append(classes, k)
	}
	slices.Sort(classes)
	for _, k := range classes {
		fmt.Fprintf(w, "  %-14s %d\n", k, rep.Counts[k])
	}
	if len(rep.Problems) < rep.Total {
		fmt.Fprintf(w, "the first %d:\n", len(rep.Problems))
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "  %s\n", p)
	}
}
