package main

import (
	"testing"

	"claimgraph/graph"
)

// TestNextValidated: a file's validation, made against the snapshot plus
// the files before it, holds for the commit the file before it made, as
// long as each file was applied on the commit the one before it left.
func TestNextValidated(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ok     bool
		at     int64
		res    graph.ApplyResult
		wantOK bool
		wantAt int64
	}{
		{"applied on the commit validated against", true, 10, graph.ApplyResult{Base: 10, Rev: 12}, true, 12},
		{"the first file into an empty store", true, 0, graph.ApplyResult{Base: 0, Rev: 5}, true, 5},
		{"changed nothing: the same commit", true, 10, graph.ApplyResult{Base: 10}, true, 10},
		{"another writer committed before it", true, 10, graph.ApplyResult{Base: 11, Rev: 12}, false, 0},
		{"validation already broken", false, 0, graph.ApplyResult{Base: 0, Rev: 5}, false, 0},
	} {
		ok, at := nextValidated(tc.ok, tc.at, tc.res)
		if ok != tc.wantOK || at != tc.wantAt {
			t.Errorf("%s: nextValidated = %v, %d; want %v, %d", tc.name, ok, at, tc.wantOK, tc.wantAt)
		}
	}
}
