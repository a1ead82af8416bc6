// Package bench holds the pure parts of claimgraph's benchmark harness
// (bench/cmd/claimbench, run by `make bench`): latency summaries, the
// results file (bench/results.json), the markdown table that goes into the
// README between the markers <!-- bench:start --> and <!-- bench:end -->,
// the check of the targets of issue 8, and the peer schemas and queries
// (peers/sqlite.sql, peers/postgres.sql), embedded and split into sections.
//
// # Systems
//
// Every figure is measured on the same generated corpus (package gen), in
// one run, for each system: "claimgraph" (the store on disk, in process, or
// `claimgraph serve` over HTTP), "raw" (Badger with the same keys and bytes,
// package store/rawbadger), "sqlite" (modernc.org/sqlite, FTS5) and
// "postgres" (Debian's PostgreSQL on loopback). A metric names its
// baseline; the table shows each value with its ratio to the baseline's.
package bench
