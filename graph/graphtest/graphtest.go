// Package graphtest is the contract test suite for implementations of
// graph.Store, in the manner of testing/fstest.TestFS: every engine runs the
// same checks from its own tests.
//
// # Use
//
//	func TestContract(t *testing.T) {
//		graphtest.TestStore(t, func(t *testing.T) graph.Store {
//			s := memgraph.New()
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// An engine that persists passes an [Opener] with Reopen to [Run]; the
// persistence checks run only then.
//
// # What the suite assumes
//
// Beyond the doc comments of graph.Reader and graph.Writer, the suite
// checks these readings of the contract:
//
//   - Nodes read back equal the nodes written, compared as bundle JSON (so a
//     nil and an empty slice are the same).
//   - Edges of a field reference carry From, To, Relation and Qualifier only;
//     edges of a link carry the link's Reason, Note, By and At. From and To
//     keep the stored orientation whatever the query direction.
//   - Edges, List, Range and QuotesMatching return the same order on every
//     call; concatenating keyset pages gives exactly the unpaged result.
//   - Stats.Edges counts every stored edge once (reference edges and links),
//     that is the sum of CountEdges(Out) over all nodes.
//   - Date-only values index as midnight UTC; date-times index at their
//     instant, whatever their offset. Range's after cursor is a key of the
//     range; List's may be any string (keys after it in key order).
//   - Lookup returns keys in any order (the suite sorts them).
//   - Apply while a View is open does not wait for the View to end; Apply
//     from several goroutines on different keys succeeds without ErrConflict
//     (a store retries internally).
//   - After Close, Apply and View return an error wrapping graph.ErrClosed;
//     closing twice does not panic.
//   - History: every Apply that changes something is one commit whose
//     ApplyResult.Rev is its instant in Unix nanoseconds (At); each created
//     or updated node and each link change makes the revisions that
//     graph.Revision documents, in batch order, and History returns them
//     with the earlier ones, equal field by field (JSON compared by value).
//     A link written without By or At is stored with the batch's By and the
//     commit time (graph.FormatLinkTime) and compares equal to a stored one
//     whatever its By and At. A batch that changes nothing has Rev 0 and At
//     the last commit. ApplyResult.Base is the Rev of the commit the batch
//     was applied on (0 on an empty store).
//   - ViewAt(at) answers, for every method, exactly what View answered
//     right after the last commit at or before at (also after a reopen);
//     before the first commit it reads an empty graph.
//   - Curation (unlinks, retractions, merges, Expected) as graph.Batch,
//     graph.Merge and graph.ValidateCuration document; two writers with the
//     same Expected revision of one key: one wins, the other gets a
//     *graph.ConflictError naming the winner's revision.
//   - Select and Aggregate (graph.Selector): the answers of the sample
//     story written out by hand (every facet, OR within a filter, AND
//     across filters, date and value ranges, both orders and directions,
//     nodes without a value last, text filters, counts, groupings);
//     keyset paging with pages of 1 to 7 gives exactly the unpaged keys;
//     facets follow changes in the same commit (a quote's speaker, a
//     source's publisher for its quotes and figures, merges) and ViewAt
//     sees them as of then; invalid selections get ErrInvalid naming the
//     field; on a generated corpus every answer equals memgraph's.
//   - Search: hits in (score descending, key ascending) order; paging by
//     SearchHit.Cursor gives exactly the unpaged hits; words match after
//     case and accent folding and stemming; highlights are code points of
//     the named field; ViewAt sees the index as of then.
package graphtest

import (
	"testing"

	"claimgraph/graph"
)

// Opener opens stores for the suite. Open returns a new, empty store; it
// should register its own cleanup with t.Cleanup (the suite may also close
// the store; a second Close must not panic). Reopen, when not nil, closes
// old and opens the same data again; it is nil for in-memory stores, and the
// persistence checks run only when it is set.
type Opener struct {
	Open   func(t *testing.T) graph.Store
	Reopen func(t *testing.T, old graph.Store) graph.Store
}

// TestStore runs the whole suite against stores that open returns, without
// the persistence checks.
func TestStore(t *testing.T, open func(t *testing.T) graph.Store) {
	t.Helper()
	Run(t, Opener{Open: open})
}

// Run runs the whole suite with the opener, each check as a subtest of t.
func Run(t *testing.T, o Opener) {
	t.Helper()
	if o.Open == nil {
		t.Fatal("graphtest: Opener.Open is nil")
	}
	checks := []struct {
		name string
		fn   func(t *testing.T, o Opener)
	}{
		{"ApplyCounts", testApplyCounts},
		{"Idempotent", testIdempotent},
		{"ChangeOneField", testChangeOneField},
		{"NodeRoundTrip", testNodeRoundTrip},
		{"NodesAndKinds", testNodesAndKinds},
		{"EdgesEveryRelation", testEdgesEveryRelation},
		{"EdgesSpotChecks", testEdgesSpotChecks},
		{"EdgesFilter", testEdgesFilter},
		{"EdgesPaging", testEdgesPaging},
		{"EdgesBadCursor", testEdgesBadCursor},
		{"DroppedReference", testDroppedReference},
		{"LinkUpdate", testLinkUpdate},
		{"ReferenceToStored", testReferenceToStored},
		{"List", testList},
		{"LookupName", testLookupName},
		{"LookupURL", testLookupURL},
		{"RangeSaidAt", testRangeSaidAt},
		{"RangePublishedAt", testRangePublishedAt},
		{"QuotesMatching", testQuotesMatching},
		{"QuotesMatchingPaging", testQuotesMatchingPaging},
		{"Stats", testStats},
		{"InvalidBatch", testInvalidBatch},
		{"ViewIsolation", testViewIsolation},
		{"ConcurrentApply", testConcurrentApply},
		{"Closed", testClosed},
		{"HistoryCounts", testHistoryCounts},
		{"AsOf", testAsOf},
		{"AsOfManyRevisions", testAsOfManyRevisions},
		{"Unlink", testUnlink},
		{"Retract", testRetract},
		{"Merge", testMerge},
		{"MergeOrganisations", testMergeOrganisations},
		{"Expected", testExpected},
		{"Search", testSearch},
		{"SearchHighlights", testSearchHighlights},
		{"SearchPaging", testSearchPaging},
		{"SearchUpdateAndAsOf", testSearchUpdateAndAsOf},
		{"SelectSample", testSelectSample},
		{"SelectCursors", testSelectCursors},
		{"SelectInvalid", testSelectInvalid},
		{"AggregateSample", testAggregateSample},
		{"SelectChanges", testSelectChanges},
		{"SelectCorpus", testSelectCorpus},
	}
	if o.Reopen != nil {
		checks = append(checks, struct {
			name string
			fn   func(t *testing.T, o Opener)
		}{"Persistence", testPersistence})
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) { c.fn(t, o) })
	}
}
