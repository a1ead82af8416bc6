// Package archtest holds no code: its test proves the import direction of
// claimgraph's packages (DESIGN.md section 4) from `go list -deps -json`.
//
// # Rules
//
//   - graph imports only the standard library; its subpackages only the
//     standard library and graph.
//   - only store imports Badger; only schema imports graphql-go.
//   - schema, extract, export and web never import store, directly or not.
//   - demo imports only graph and the standard library.
//
// The rules are a table in archtest_test.go; a violation names the import
// chain that breaks it.
package archtest
