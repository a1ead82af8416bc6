// Package schema is claimgraph's GraphQL API: the schema, its resolvers and
// the GraphQL-over-HTTP handler. It is the only package that imports
// graphql-go (github.com/graphql-go/graphql v0.8.1), and it reads the graph
// only through graph.Reader and graph.Store, never through a storage engine.
//
// # Schema
//
// [New] builds the schema in a constructor; every field has an explicit
// resolver (graphql-go's default resolver uses reflection). The names are a
// contract for outside clients:
//
//   - interface Node { id: ID! kind: Kind! }, implemented by Person,
//     Organisation, Source, Quote, Claim and Figure; the id is the node's
//     key. interface Agent { id kind name aliases quotes statedFigures } is
//     implemented by Person and Organisation.
//   - Every bundle field appears in camelCase (publishedAt, saidAt,
//     statedBy, reportedBy, derivedFrom, span { start end ... }), references
//     as objects. The bundle's kind field of organisations and sources is
//     organisationKind and sourceKind, since kind is the Node kind.
//     Enumerations are upper case (SOCIAL_POST), bundles lower case.
//   - Every relation is navigable in both directions: references forwards,
//     and Relay connections (totalCount, pageInfo, edges { cursor node })
//     backwards: quotes of an agent, a source or a claim, a quote's reports,
//     statedFigures, a source's figures, channelQuotes and derivatives, an
//     organisation's members, published and subOrganisations, authored,
//     claimsAbout, derivedFigures, and the typed links linksOut and linksIn.
//   - Root fields: node, nodes, whoSaid, search (full-text: BM25 ranking,
//     phrases, prefixes, highlights), trace, stats, history, one list per
//     kind (people, organisations, sources, quotes, claims, figures),
//     agentsNamed and sourceByUrl, each with asOf. The Mutation type holds
//     the curation writes (see Curation).
//   - Every node type also implements Versioned { revision retracted };
//     Link has retracted, Hop has retracted, Claim has assessment and
//     Figure has comparableWith and conflicts.
//
// Dates of the bundle are Strings exactly as stored: an RFC 3339 date-time,
// a date (2026-01-26) or, for periods, a month (2026-01); a DateTime would
// promise a time of day that many bundle dates do not have. Instants that
// the store itself records (Revision.at, Retraction.at) and asOf are the
// DateTime scalar: RFC 3339, UTC, nanoseconds when present, so that a
// revision's at given back as asOf names exactly that revision. As an
// input, a date alone means its last nanosecond in UTC (as the graph stood
// that day). The JSON scalar carries bundle-shaped records: Revision.before
// and after, and the inputs of putNode and correct.
//
// # History and asOf
//
// A root field with asOf reads the snapshot of that instant
// (graph.Store.ViewAt), and so does everything below it: graphql-go v0.8.1
// gives every resolver the execution's one context, so resolvers find their
// snapshot by the response key of their root field (see snapshot.go). The
// snapshots of asOf fields and of mutation payloads are held open by a
// goroutine waiting inside Store.ViewAt or Store.View until the execution
// has ended. One query may read several instants, each exactly; fields
// without asOf read the request's snapshot.
//
// history(id) lists the revisions of a node, oldest first, one per write
// that changed it or a link from or to it (graph.HistoryReader.History
// groups by commit); revision is a node's latest revision number (Unix
// nanoseconds as a String, since GraphQL's Int has 32 bits), the value of
// expectedRevision.
//
// # Curation
//
// importBundle, ingestArticle, putNode, correct, link, unlink, retract,
// retractLink and merge each apply one graph.Batch and return a payload:
// the node or link read after the write (a snapshot taken after it), the
// revision, changed, and userErrors { path code message }. Validation problems of package
// graph become userErrors (code: the problem's code in upper case; path:
// the argument, then the place in a bundle and the field), and nothing is
// written. expectedRevision sets graph.Batch.Expected; a stale one is the
// error CONFLICT, and nothing is written. Mutations are POST only.
//
// ingestArticle(text, meta, html, note) does what `claimgraph ingest`
// does: package extract turns the article (plain text, or an HTML page
// read with an HTML parser) into a draft bundle, extract.Resolve matches
// its people and organisations to the stored ones by name, alias or id, and
// the draft is applied as one batch. The resolution is read just before
// the write, which carries what it relied on as graph.Batch.Expected (each
// matched node still at its revision, each new node's key still free); a
// concurrent write that invalidates it makes the ingest resolve again, at
// most three times, then CONFLICT. Its ImportResult adds the article's
// source, one EntityMatch per draft person and organisation (draftKey,
// storedKey, by, name, kind, newKey) and the extractor's warnings. An
// article the extractor cannot read is the user error EXTRACT_FAILED; a
// bad meta.key or meta.publishedAt is BAD_KEY or BAD_DATE at that field.
// The same text and meta ingested again change nothing.
//
// # Tokens
//
// A mutation needs Authorization: Bearer <token> with one of
// HandlerConfig.Tokens; revisions record the token's name as their author.
// Without a valid token the answer is FORBIDDEN (401, WWW-Authenticate:
// Bearer) and nothing runs; HandlerConfig.ReadOnly refuses every mutation
// (FORBIDDEN, 403). Tokens are kept as SHA-256 digests and compared in
// constant time (crypto/subtle) against every configured token; neither
// the header nor a token is logged. Reads stay open.
//
// # Disagreement
//
// Claim.assessment (graph.AssessClaim) and Figure.comparableWith and
// conflicts (graph.FigureComparisons, graph.CompareFigures) are computed
// when asked, from live links: retracted links and retracted nodes do not
// count. trace marks retracted hops and leaves retracted evidence out of
// supporting and contradicting unless includeRetracted.
//
// [PrintSDL] prints the schema; schema/schema.graphql is its output, and a
// test fails when the file drifts from the code (go test ./schema -run
// TestSDLIsCurrent -update rewrites it).
//
// # Paging
//
// Cursors are opaque (base64 of the key the edge leads to) and pages are
// keyset pages (graph.EdgeQuery.After). first defaults to 20; a first above
// Config.MaxPage (100) is an error, LIMIT_EXCEEDED, never silently clamped.
//
// # Batching
//
// graphql-go v0.8.1 resolves serially but accepts resolvers that return a
// thunk, func() (interface{}, error), and calls the thunks of a level after
// resolving the whole level (breadth first). Reference fields register the
// key they need with the request's loader and return a thunk; the first
// thunk of a level loads every key registered so far with one
// graph.Reader.Nodes call. 100 quotes with their speaker and source take
// three store reads, not two hundred. Connections read their edges at once
// and their nodes through the loader.
//
// # Execution
//
// A query is executed by a compiled executor (exec.go) that does what
// graphql-go v0.8.1's Execute does, step by step (fields collected with
// @skip, @include and fragment type conditions, arguments and variables
// coerced as graphql-go coerces them, the same ResolveParams for every
// resolver, thunks called breadth first level by level so that the
// loaders batch the same reads, leaves serialised by their types, abstract
// types through ResolveType), without graphql-go's per-object maps and
// closures: each document is compiled once (kept by operation next to the
// document cache) into plans, the fields of each selection for each
// runtime type in response order, and the answer is written straight to
// JSON. It answers only a query that graphql-go answers without errors;
// anything else (a mutation, __schema or __type, a variable that does not
// coerce, a resolver error or panic, a null in a non-null position) is run
// by graphql-go from the start, so errors and the data beside them are
// graphql-go's. Tests run every query of the package's tests through both
// and compare the bytes, and FuzzFastExecutor compares them on generated
// documents.
//
// trace reads whole only the nodes whose selection asks more than id,
// kind and __typename; the others are key stubs whose kind and existence
// come from Reader.Kinds (tracefast.go); graph.TraceFrom itself reads no
// record.
//
// # Requests
//
// [NewRequestContext] puts the snapshot and a fresh loader in the context of
// one execution. Resolvers check the context's deadline before every read,
// so that execution winds down by itself at a timeout; the handler runs
// either executor without cancellation so that no resolver outlives the
// snapshot.
//
// # HTTP
//
// [NewHandler] serves GraphQL over HTTP, written by hand rather than with
// graphql.Do or graphql-go/handler, and passes the graphql-http server audit
// with no error and no warning:
//
//   - POST with Content-Type application/json (other types: 415) and a body
//     {query, operationName, variables, extensions}; a batched JSON array is
//     refused (400). GET with the same as URL parameters, for queries only
//     (other operations, mutations included: 405 with Allow: POST). Other
//     methods: 405.
//   - The response is application/graphql-response+json when the Accept
//     header prefers it, application/json otherwise (406 when neither is
//     acceptable). With application/graphql-response+json, a document that
//     does not parse or validate, or variables that do not coerce, get 400
//     and no data; with application/json they get 200, as the specification
//     says for that media type. Executed requests get 200 with data.
//   - A browser's GET with Accept: text/html and no query gets
//     HandlerConfig.GraphiQL.
//
// The pipeline: body limit (413), JSON decoding (400), a token and nesting
// scan before parsing (a deep nesting would overflow the parser's stack),
// parsing (GRAPHQL_PARSE_FAILED), the fragment-cycle rule alone (graphql-go
// v0.8.1 overflows its stack on cyclic fragments during full validation;
// answered 400), the shape limits (depth, aliases, fields, the same name
// selected at one level: LIMIT_EXCEEDED, 400), full validation
// (GRAPHQL_VALIDATION_FAILED), the typed limits (first against the page
// size, nodes' ids, trace's maxDepth, an estimated cost where a connection
// multiplies what it contains by its page size: LIMIT_EXCEEDED, 400), for
// a mutation the token (FORBIDDEN, 401 or 403), then execution in one store
// snapshot under a deadline (TIMEOUT). The shape limits run before
// validation because graphql-go's validation is quadratic in places. Limit
// and token errors get their 4xx whatever the media type: they are
// refusals, not results.
//
// # Errors
//
// Every error carries extensions.code: GRAPHQL_PARSE_FAILED,
// GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT, NOT_FOUND, FORBIDDEN,
// CONFLICT, LIMIT_EXCEEDED, TIMEOUT or INTERNAL. Resolvers return [*Error],
// which implements graphql-go's ExtendedError; the sentinel errors of
// package graph become codes in one place (ErrNotFound NOT_FOUND, ErrInvalid
// BAD_USER_INPUT, ErrLimit LIMIT_EXCEEDED, ErrConflict CONFLICT). Panics in
// resolvers are recovered and answered as INTERNAL with a generic message;
// their text and stack go to the log only. Each request is logged in one zerolog line
// (method, path, status, duration, bytes, operation, the token name of a
// write, error codes), never with its headers.
package schema
