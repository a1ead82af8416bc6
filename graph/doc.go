// Package graph is the domain of claimgraph: the six node kinds, the links
// between them, the bundle/1 codec, validation, the Reader and Writer
// interfaces that storage engines implement, and the provenance trace.
//
// # Nodes
//
// Every node has a key, unique across the whole store, that is also its
// GraphQL id. The kinds are [Person], [Organisation], [Source], [Quote],
// [Claim] and [Figure]; each implements [Node]. References between nodes are
// plain keys held in fields (a quote's speaker, a figure's source ...); [Node.Refs]
// lists them as typed [Ref] values so that a store can keep one adjacency key
// per edge and direction.
//
// # Links
//
// Evidence and disagreement are typed [Link] values identified by
// (from, relation, to): supports, contradicts (with a reason), context,
// same_as, repeats, retracts, corrects, responds_to.
//
// # Bundles
//
// A [Bundle] is the data contract: one JSON object or JSON Lines. [Decode]
// reads either form and reports every problem with its place; [Validate]
// checks references, spans, dates and enumerations against the bundle and an
// optional [Reader] for records already stored. An invalid bundle writes
// nothing.
//
// # Storage
//
// A [Store] offers closure-scoped read snapshots ([Store.View]) and atomic
// writes of a [Batch] ([Writer.Apply]). The package imports only the standard
// library; engines live elsewhere and implement these interfaces.
//
// # Trace
//
// [TraceFrom] walks the attribution chain (reported_by, channel, speaker),
// the derivation chain of sources, the claims a quote expresses and the
// evidence links, breadth first in one snapshot, never looping on cycles.
// It marks retracted hops and leaves retracted evidence out of its
// supporting and contradicting lists unless asked.
//
// # Disagreement
//
// [CompareFigures] says whether two figures can be compared (same unit
// after [NormaliseUnit], measure, subject and period or baseline) and
// whether they agree; [FigureComparisons] compares a figure with the
// figures linked to it and the figures of its source. [AssessClaim] derives
// a claim's status (supported, disputed, contradicted, unverified,
// retracted) from its live links, with an explanation naming the strongest
// evidence.
package graph
