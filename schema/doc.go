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
//   - Root fields: node, nodes, whoSaid, trace, stats, one list per kind
//     (people, organisations, sources, quotes, claims, figures),
//     agentsNamed and sourceByUrl. There is no Mutation type yet.
//
// Dates are Strings exactly as stored in the bundle: an RFC 3339 date-time,
// a date (2026-01-26) or, for periods, a month (2026-01). A DateTime scalar
// would promise a time of day that many bundle dates do not have.
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
// # Requests
//
// [NewRequestContext] puts the snapshot and a fresh loader in the context of
// one execution. Resolvers check the context's deadline before every read,
// so that execution winds down by itself at a timeout; the handler runs
// graphql.Execute without cancellation so that no resolver outlives the
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
//     (other operations: 405 with Allow: POST). Other methods: 405.
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
// multiplies what it contains by its page size: LIMIT_EXCEEDED, 400), then
// execution in one store snapshot under a deadline (TIMEOUT). The shape
// limits run before validation because graphql-go's validation is quadratic
// in places. Limit errors get 400 whatever the media type: they are refusals,
// not results.
//
// # Errors
//
// Every error carries extensions.code: GRAPHQL_PARSE_FAILED,
// GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT, NOT_FOUND, FORBIDDEN,
// LIMIT_EXCEEDED, TIMEOUT or INTERNAL. Resolvers return [*Error], which
// implements graphql-go's ExtendedError; the sentinel errors of package
// graph become codes in one place (ErrNotFound NOT_FOUND, ErrInvalid
// BAD_USER_INPUT, ErrLimit LIMIT_EXCEEDED). Panics in resolvers are
// recovered and answered as INTERNAL with a generic message; their text and
// stack go to the log only. Each request is logged in one zerolog line
// (method, path, status, duration, bytes, operation, error codes), never
// with its headers.
package schema
