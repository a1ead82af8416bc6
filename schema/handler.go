package schema

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/kinds"
	"github.com/graphql-go/graphql/language/visitor"
	"github.com/rs/zerolog"

	"claimgraph/graph"
)

// HandlerConfig bounds what one HTTP request may cost. The zero value gives
// the defaults.
type HandlerConfig struct {
	// Schema is the Config the schema was built with; its page, ids and
	// trace limits are checked before execution too.
	Schema Config
	// MaxBody caps the request body in bytes (default 1 MiB; 413 past it).
	MaxBody int64
	// MaxDepth caps the nesting of fields (default 15).
	MaxDepth int
	// MaxAliases caps the aliases of a query, fragments expanded (default 30).
	MaxAliases int
	// MaxFields caps the fields of a query, fragments expanded (default 1000).
	MaxFields int
	// MaxTokens caps the lexical tokens of a query (default 5000), which
	// bounds the work of parsing and validating it.
	MaxTokens int
	// MaxCost caps the estimated number of fields resolved, where a
	// connection multiplies what it contains by its page size (default 50000).
	MaxCost int
	// Timeout bounds the execution of one request (default 10 s).
	Timeout time.Duration
	// DisableIntrospection refuses __schema and __type (on by default).
	DisableIntrospection bool
	// GraphiQL, when set, serves a browser's GET with Accept: text/html and
	// no query (the IDE page and its assets).
	GraphiQL http.Handler
	// Tokens may write: a mutation needs Authorization: Bearer <token> with
	// one of them (FORBIDDEN otherwise, 401). Without tokens every write is
	// refused. Reads stay open.
	Tokens []Token
	// ReadOnly refuses every mutation (FORBIDDEN, 403), tokens or not.
	ReadOnly bool
	// AnswerCache is how many answers of successful queries are kept, each
	// until the next commit (default DefaultAnswerCache; negative keeps
	// none). It works over stores that report their last commit.
	AnswerCache int
}

// maxErrors caps the validation errors sent.
const maxErrors = 100

// Defaults of HandlerConfig.
const (
	DefaultMaxBody    = 1 << 20
	DefaultMaxDepth   = 15
	DefaultMaxAliases = 30
	DefaultMaxFields  = 1000
	DefaultMaxTokens  = 5000
	DefaultMaxCost    = 50000
	DefaultTimeout    = 10 * time.Second
)

func (c HandlerConfig) withDefaults() HandlerConfig {
	c.Schema = c.Schema.withDefaults()
	if c.MaxBody <= 0 {
		c.MaxBody = DefaultMaxBody
	}
	if c.MaxDepth <= 0 {
		c.MaxDepth = DefaultMaxDepth
	}
	if c.MaxAliases <= 0 {
		c.MaxAliases = DefaultMaxAliases
	}
	if c.MaxFields <= 0 {
		c.MaxFields = DefaultMaxFields
	}
	if c.MaxTokens <= 0 {
		c.MaxTokens = DefaultMaxTokens
	}
	if c.MaxCost <= 0 {
		c.MaxCost = DefaultMaxCost
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.AnswerCache == 0 {
		c.AnswerCache = DefaultAnswerCache
	}
	return c
}

// handler serves GraphQL over HTTP.
type handler struct {
	schema graphql.Schema
	store  graph.Store
	cfg    HandlerConfig
	log    zerolog.Logger
	rules  []graphql.ValidationRuleFn
	docs   *docCache
	// answers keeps answers of queries until the next commit; nil when
	// off or when the store does not report commits.
	answers *answerCache
	commits committer
	// noFastExec runs every query through graphql-go.
	noFastExec bool
	// compiled keeps the compiled executor's plans of documents.
	compiled *fastCache
	// diff, when set (tests), receives the data of every query the
	// compiled executor answered and graphql-go's data for the same query
	// in the same snapshot, with graphql-go's errors.
	diff func(query string, fast, slow []byte, errs []gqlerrors.FormattedError)
}

// NewHandler returns the GraphQL-over-HTTP handler for schema s over the
// store st. It accepts POST with an application/json body {query,
// operationName, variables, extensions} and GET with the same as URL
// parameters (queries only: other operations get 405), answers
// application/graphql-response+json when the Accept header allows it and
// application/json otherwise, and serves cfg.GraphiQL to a browser.
//
// Each request goes through: the body limit (413), JSON decoding (400; a
// batched array is refused), a token and nesting scan, parsing
// (GRAPHQL_PARSE_FAILED), the fragment-cycle check alone (graphql-go v0.8.1
// overflows its stack on cyclic fragments), the shape limits (depth,
// aliases, fields: LIMIT_EXCEEDED), full validation
// (GRAPHQL_VALIDATION_FAILED), the page, ids, trace-depth and cost limits,
// and execution in one store snapshot under a deadline (TIMEOUT). Every
// error carries extensions.code; panics are recovered, logged and answered
// as INTERNAL without their text. Each request is logged in one line.
func NewHandler(s graphql.Schema, st graph.Store, cfg HandlerConfig, log zerolog.Logger) http.Handler {
	h := &handler{schema: s, store: st, cfg: cfg.withDefaults(), log: log, docs: newDocCache(), compiled: newFastCache()}
	if c, ok := st.(committer); ok {
		h.commits, h.answers = c, newAnswerCache(h.cfg.AnswerCache)
	}
	h.rules = append([]graphql.ValidationRuleFn{}, graphql.SpecifiedRules...)
	h.rules = append(h.rules, executableDefinitionsRule)
	if h.cfg.DisableIntrospection {
		h.rules = append(h.rules, noIntrospectionRule)
	}
	return h
}

// params are the parameters of a GraphQL-over-HTTP request.
type params struct {
	query         string
	operationName string
	variables     map[string]interface{}
}

// outcome is what a request produced, for the response and the log.
type outcome struct {
	query   string
	status  int
	errs    []*reqError
	data    interface{}
	hasData bool
	doc     *ast.Document
	op      *ast.OperationDefinition
	allow   string
	// by is the token name of an authorised write, for the log.
	by string
	// challenge sends WWW-Authenticate: Bearer (a 401).
	challenge bool
	// cost is the operation's estimated cost, once it was computed.
	cost *queryCost
	// body, when set, is the encoded response (a kept answer).
	body []byte
	// raw, when set, is the encoded data of the compiled executor
	// (exec.go), which then leaves data unset.
	raw []byte
}

// queryCost is reported as extensions.cost: the estimated number of fields
// the operation resolves (a connection multiplies what lies below it by its
// page size, in the manner of GitHub's node limit) and the limit it is held
// to.
type queryCost struct {
	Estimated int `json:"estimated"`
	Max       int `json:"max"`
}

// fail returns an outcome with one error and no data.
func fail(status int, e *reqError) *outcome { return &outcome{status: status, errs: []*reqError{e}} }

// ServeHTTP implements http.Handler.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	media, acceptable := negotiate(r.Header.Get("Accept"))
	var out *outcome
	opName := ""
	defer func() {
		if v := recover(); v != nil {
			perr := panicError(v)
			h.log.Error().Err(perr.Err).Bytes("stack", perr.Stack).Msg("graphql handler panic")
			out = fail(http.StatusInternalServerError, &reqError{code: CodeInternal, message: "internal error"})
			h.write(w, r, out, mediaJSON, start, opName)
		}
	}()

	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && h.cfg.GraphiQL != nil &&
		!r.URL.Query().Has("query") && acceptsHTML(r.Header.Get("Accept")) {
		rec := &countingWriter{ResponseWriter: w, status: http.StatusOK}
		h.cfg.GraphiQL.ServeHTTP(rec, r)
		h.logRequest(r, rec.status, rec.n, start, "", "", nil)
		return
	}
	if !acceptable {
		media = mediaJSON
		out = fail(http.StatusNotAcceptable, newReqError(CodeBadUserInput,
			"the Accept header allows neither %s nor %s", mediaGraphQLResponse, mediaJSON))
		h.write(w, r, out, media, start, opName)
		return
	}
	p, perr, status := h.readParams(w, r)
	if perr != nil {
		out = fail(status, perr)
		if status == http.StatusMethodNotAllowed {
			out.allow = "GET, POST"
		}
		h.write(w, r, out, media, start, opName)
		return
	}
	opName = p.operationName
	out = h.run(r, p, media)
	h.write(w, r, out, media, start, opName)
}

// readParams reads the request's parameters from the URL (GET) or the JSON
// body (POST).
func (h *handler) readParams(w http.ResponseWriter, r *http.Request) (*params, *reqError, int) {
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		p := &params{query: q.Get("query"), operationName: q.Get("operationName")}
		if !q.Has("query") {
			return nil, newReqError(CodeBadUserInput, "the query parameter is missing"), http.StatusBadRequest
		}
		if v := q.Get("variables"); v != "" {
			if err := decodeObject([]byte(v), &p.variables); err != nil {
				return nil, newReqError(CodeBadUserInput, "variables: %s", err.Error()), http.StatusBadRequest
			}
		}
		if v := q.Get("extensions"); v != "" {
			var ext map[string]interface{}
			if err := decodeObject([]byte(v), &ext); err != nil {
				return nil, newReqError(CodeBadUserInput, "extensions: %s", err.Error()), http.StatusBadRequest
			}
		}
		return p, nil, 0
	case http.MethodPost:
	default:
		return nil, newReqError(CodeBadUserInput, "method %s is not allowed; use GET or POST", r.Method), http.StatusMethodNotAllowed
	}

	ct := r.Header.Get("Content-Type")
	mt, ctParams, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || mt != mediaJSON {
		return nil, newReqError(CodeBadUserInput, "the Content-Type must be %s", mediaJSON), http.StatusUnsupportedMediaType
	}
	if cs, ok := ctParams["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return nil, newReqError(CodeBadUserInput, "the charset must be utf-8"), http.StatusUnsupportedMediaType
	}
	if r.ContentLength > h.cfg.MaxBody {
		return nil, newReqError(CodeLimitExceeded, "the request body is larger than %d bytes", h.cfg.MaxBody), http.StatusRequestEntityTooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, newReqError(CodeLimitExceeded, "the request body is larger than %d bytes", h.cfg.MaxBody), http.StatusRequestEntityTooLarge
		}
		return nil, newReqError(CodeBadUserInput, "reading the request body failed"), http.StatusBadRequest
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, newReqError(CodeBadUserInput, "the request body is empty"), http.StatusBadRequest
	}
	if body[0] == '[' {
		return nil, newReqError(CodeBadUserInput, "batched requests (a JSON array) are not supported; send one request per POST"), http.StatusBadRequest
	}
	if p, ok := fastParams(body); ok {
		return p, nil, 0
	}
	return decodeBody(body)
}

// decodeBody decodes a trimmed, non-empty request body that is not an
// array: the general path, for what fastParams declines.
func decodeBody(body []byte) (*params, *reqError, int) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return nil, newReqError(CodeBadUserInput, "the request body is not a JSON object"), http.StatusBadRequest
	}
	p := &params{}
	q, ok := raw["query"]
	if !ok || isNull(q) {
		return nil, newReqError(CodeBadUserInput, "the query parameter is missing"), http.StatusBadRequest
	}
	if json.Unmarshal(q, &p.query) != nil {
		return nil, newReqError(CodeBadUserInput, "the query parameter must be a string"), http.StatusBadRequest
	}
	if v, ok := raw["operationName"]; ok && !isNull(v) {
		if json.Unmarshal(v, &p.operationName) != nil {
			return nil, newReqError(CodeBadUserInput, "the operationName parameter must be a string"), http.StatusBadRequest
		}
	}
	if v, ok := raw["variables"]; ok && !isNull(v) {
		if err := decodeObject(v, &p.variables); err != nil {
			return nil, newReqError(CodeBadUserInput, "variables: %s", err.Error()), http.StatusBadRequest
		}
	}
	if v, ok := raw["extensions"]; ok && !isNull(v) {
		var ext map[string]interface{}
		if err := decodeObject(v, &ext); err != nil {
			return nil, newReqError(CodeBadUserInput, "extensions: %s", err.Error()), http.StatusBadRequest
		}
	}
	return p, nil, 0
}

// isNull reports whether a raw JSON value is null.
func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }

// decodeObject decodes a JSON object (or null) into m.
func decodeObject(b []byte, m *map[string]interface{}) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) == 0 || b[0] != '{' {
		return errorString("must be a JSON object")
	}
	if err := json.Unmarshal(b, m); err != nil {
		return errorString("must be a JSON object")
	}
	return nil
}

// documentStatus is the status of a request whose document failed to parse
// or validate: 400 for application/graphql-response+json, 200 for
// application/json (GraphQL over HTTP, legacy media type).
func documentStatus(media string) int {
	if media == mediaGraphQLResponse {
		return http.StatusBadRequest
	}
	return http.StatusOK
}

// run parses, checks and executes a request.
func (h *handler) run(r *http.Request, p *params, media string) *outcome {
	tokens, nesting := scanQuery(p.query)
	if tokens > h.cfg.MaxTokens {
		return fail(http.StatusBadRequest, newReqError(CodeLimitExceeded, "the query has more than %d tokens", h.cfg.MaxTokens))
	}
	if maxNest := 4*h.cfg.MaxDepth + 16; nesting > maxNest {
		return fail(http.StatusBadRequest, newReqError(CodeLimitExceeded,
			"the query nests braces, brackets and parentheses deeper than %d", maxNest))
	}

	doc, valid := h.docs.get(p.query)
	if !valid {
		var perr *reqError
		if doc, perr = h.parse(p.query); perr != nil {
			return fail(documentStatus(media), perr)
		}
	}
	out := &outcome{doc: doc, query: p.query}
	op, opErr := selectOperation(doc, p.operationName)
	out.op = op
	if op != nil && op.Operation != ast.OperationTypeQuery && r.Method != http.MethodPost {
		out.status, out.allow = http.StatusMethodNotAllowed, "POST"
		out.errs = []*reqError{newReqError(CodeBadUserInput, "a %s must be sent with POST; GET is for queries only", op.Operation)}
		return out
	}
	schema := h.schema // graphql-go takes a *Schema in places; give it a copy
	if !valid {
		if errs := h.validate(&schema, doc, []graphql.ValidationRuleFn{graphql.NoFragmentCyclesRule}); len(errs) > 0 {
			out.status, out.errs = http.StatusBadRequest, errs
			return out
		}
		if e := checkShape(doc, h.cfg.MaxDepth, h.cfg.MaxAliases, h.cfg.MaxFields); e != nil {
			out.status, out.errs = http.StatusBadRequest, []*reqError{e}
			return out
		}
		if errs := h.validate(&schema, doc, h.rules); len(errs) > 0 {
			out.status, out.errs = documentStatus(media), errs
			return out
		}
		h.docs.put(p.query, doc)
	}
	if opErr != nil {
		out.status, out.errs = documentStatus(media), []*reqError{opErr}
		return out
	}
	if op.Operation != ast.OperationTypeQuery && (op.Operation != ast.OperationTypeMutation || schema.MutationType() == nil) {
		out.status = documentStatus(media)
		out.errs = []*reqError{newReqError(CodeValidationFailed, "the schema has no %s type; only queries and mutations are served", op.Operation)}
		out.errs[0].locate(op)
		return out
	}
	cost, e := checkCost(&schema, doc, op, p.variables, h.cfg.Schema, h.cfg.MaxCost)
	out.cost = &queryCost{Estimated: cost, Max: h.cfg.MaxCost}
	if e != nil {
		out.status, out.errs = http.StatusBadRequest, []*reqError{e}
		return out
	}
	if op.Operation == ast.OperationTypeMutation {
		by, fail := h.authorize(r)
		if fail != nil {
			e := newReqError(CodeForbidden, "%s", fail.message)
			e.locate(op)
			out.status, out.errs, out.challenge = fail.status, []*reqError{e}, fail.challenge
			return out
		}
		out.by = by
	}
	if op.Operation == ast.OperationTypeQuery && h.answers != nil {
		h.executeKept(r, schema, doc, op, p, media, out)
		return out
	}
	h.execute(r.Context(), schema, doc, op, p, media, out)
	return out
}

// executeKept answers a query from the answer cache when the store has not
// committed since the answer was kept, and otherwise executes it and keeps
// a successful answer.
func (h *handler) executeKept(r *http.Request, schema graphql.Schema, doc *ast.Document, op *ast.OperationDefinition, p *params, media string, out *outcome) {
	key, ok := answerKey(p)
	if !ok {
		h.execute(r.Context(), schema, doc, op, p, media, out)
		return
	}
	commit := h.commits.LastCommit()
	if body, ok := h.answers.get(key, commit); ok {
		out.status, out.hasData, out.body = http.StatusOK, true, body
		return
	}
	h.execute(r.Context(), schema, doc, op, p, media, out)
	if out.status == http.StatusOK && out.hasData && len(out.errs) == 0 {
		out.body = encodeResponse(out.query, out.errs, out.data, out.raw, out.hasData, out.doc, out.op, out.cost)
		h.answers.put(key, commit, out.body)
	}
}

// parse parses the query; a panic of the parser is a parse failure.
func (h *handler) parse(q string) (doc *ast.Document, e *reqError) {
	defer func() {
		if v := recover(); v != nil {
			perr := panicError(v)
			h.log.Warn().Err(perr.Err).Msg("graphql parser panic")
			doc, e = nil, newReqError(CodeParseFailed, "the query could not be parsed")
		}
	}()
	// parseQuery bounds the cost of a syntax error, which graphql-go makes
	// quadratic in the error's column.
	return parseQuery(q)
}

// validate runs validation rules; a panic of the validator is a validation
// failure.
func (h *handler) validate(s *graphql.Schema, doc *ast.Document, rules []graphql.ValidationRuleFn) (errs []*reqError) {
	defer func() {
		if v := recover(); v != nil {
			perr := panicError(v)
			h.log.Warn().Err(perr.Err).Msg("graphql validator panic")
			errs = []*reqError{newReqError(CodeValidationFailed, "the query could not be validated")}
		}
	}()
	vr := graphql.ValidateDocument(s, doc, rules)
	for i, fe := range vr.Errors {
		if i == maxErrors {
			errs = append(errs, newReqError(CodeValidationFailed, "%d more validation errors not shown", len(vr.Errors)-maxErrors))
			break
		}
		e := &reqError{code: CodeValidationFailed, message: fe.Message, positions: positionsOf(fe)}
		if c := codedCause(fe); c != nil {
			e.code = c.Code
		}
		errs = append(errs, e)
	}
	return errs
}

// selectOperation picks the operation to run, as GraphQL's GetOperation.
func selectOperation(doc *ast.Document, name string) (*ast.OperationDefinition, *reqError) {
	var ops []*ast.OperationDefinition
	for _, d := range doc.Definitions {
		if op, ok := d.(*ast.OperationDefinition); ok {
			ops = append(ops, op)
		}
	}
	if name != "" {
		for _, op := range ops {
			if op.Name != nil && op.Name.Value == name {
				return op, nil
			}
		}
		return nil, newReqError(CodeBadUserInput, "the document has no operation named %q", name)
	}
	switch len(ops) {
	case 0:
		return nil, newReqError(CodeBadUserInput, "the document has no operation")
	case 1:
		return ops[0], nil
	}
	return nil, newReqError(CodeBadUserInput, "the document has several operations; give operationName")
}

// execute runs op in one snapshot under the deadline and fills out.
func (h *handler) execute(ctx context.Context, s graphql.Schema, doc *ast.Document, op *ast.OperationDefinition, p *params, media string, out *outcome) {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
	defer cancel()
	var (
		res *graphql.Result
		raw []byte
	)
	err := h.store.View(ctx, func(rd graph.Reader) error {
		if !h.noFastExec && op.Operation == ast.OperationTypeQuery {
			// The compiled executor answers a query without errors
			// exactly as graphql-go would; otherwise graphql-go runs it
			// from the start, in a fresh execution context.
			rctx, release := newExecutionContext(ctx, rd, h.store, out.by)
			fc := h.compiled // kept only for documents that the docCache keeps
			if len(p.query) > docCacheMaxQuery {
				fc = nil
			}
			data, ok := fastExecute(detached(rctx), &s, doc, op, p.variables, fc)
			release()
			if ok {
				raw = data
				if h.diff != nil {
					h.compareExecutors(ctx, rd, s, doc, op, p, out, data)
				}
				return nil
			}
		}
		rctx, release := newExecutionContext(ctx, rd, h.store, out.by)
		// The snapshots that asOf fields and mutation payloads opened are
		// released once Execute has returned.
		defer release()
		// Without cancellation, Execute waits for its resolvers, which stop
		// by themselves at the deadline; they never outlive the snapshot.
		res = graphql.Execute(graphql.ExecuteParams{
			Schema:        s,
			AST:           doc,
			OperationName: p.operationName,
			Args:          p.variables,
			Context:       detached(rctx),
		})
		return nil
	})
	if err == nil && raw != nil {
		if ctx.Err() != nil {
			out.errs = append(out.errs, &reqError{code: CodeTimeout, message: "the request ran out of time; the data is incomplete"})
		}
		out.status, out.raw, out.hasData = http.StatusOK, raw, true
		return
	}
	if err != nil || res == nil {
		e := classify(err)
		if e == nil {
			e = &Error{Code: CodeInternal, Message: "internal error"}
		}
		h.logError(e)
		out.status = http.StatusInternalServerError
		if e.Code == CodeTimeout {
			out.status = http.StatusServiceUnavailable
		}
		out.errs = []*reqError{{code: e.Code, message: e.Message}}
		return
	}

	// Errors before execution (variable coercion) leave no data and no path.
	requestError := res.Data == nil && len(res.Errors) > 0
	for _, fe := range res.Errors {
		if len(fe.Path) > 0 {
			requestError = false
		}
	}
	for _, fe := range res.Errors {
		out.errs = append(out.errs, h.fieldError(fe, requestError))
	}
	if requestError {
		out.status = documentStatus(media)
		return
	}
	if ctx.Err() != nil && !hasCode(out.errs, CodeTimeout) {
		out.errs = append(out.errs, &reqError{code: CodeTimeout, message: "the request ran out of time; the data is incomplete"})
	}
	out.status = http.StatusOK
	out.data, out.hasData = res.Data, true
	if m, ok := res.Data.(map[string]interface{}); ok && m == nil {
		out.data = nil
	}
}

// compareExecutors runs a query that the compiled executor answered with
// graphql-go too, in the same snapshot, and hands both to h.diff.
func (h *handler) compareExecutors(ctx context.Context, rd graph.Reader, s graphql.Schema, doc *ast.Document, op *ast.OperationDefinition, p *params, out *outcome, fast []byte) {
	rctx, release := newExecutionContext(ctx, rd, h.store, out.by)
	res := graphql.Execute(graphql.ExecuteParams{
		Schema:        s,
		AST:           doc,
		OperationName: p.operationName,
		Args:          p.variables,
		Context:       detached(rctx),
	})
	release()
	var buf bytes.Buffer
	writeOrdered(&buf, res.Data, &orderNode{sets: []*ast.SelectionSet{op.SelectionSet}, frags: fragments(doc)})
	h.diff(p.query, fast, buf.Bytes(), res.Errors)
}

// fieldError turns an error of graphql-go's execution into a coded error.
func (h *handler) fieldError(fe gqlerrors.FormattedError, requestError bool) *reqError {
	e := &reqError{message: fe.Message, positions: positionsOf(fe), path: fe.Path}
	if c := codedCause(fe); c != nil {
		e.code, e.message = c.Code, c.Message
		if c.Code == CodeInternal {
			h.logError(c)
		}
		return e
	}
	if requestError {
		e.code = CodeBadUserInput
		return e
	}
	// An error of graphql-go's own making during execution (a non-null
	// field that resolved to null ...) is a server fault; its text may carry
	// a panic's, so it is logged, not sent.
	h.log.Error().Str("error", fe.Message).Interface("path", fe.Path).Msg("graphql execution error")
	e.code, e.message = CodeInternal, "internal error"
	return e
}

// hasCode reports whether errs has an error with the code.
func hasCode(errs []*reqError, c Code) bool {
	for _, e := range errs {
		if e.code == c {
			return true
		}
	}
	return false
}

// logError logs an internal error with its cause and stack.
func (h *handler) logError(e *Error) {
	if e.Code != CodeInternal {
		return
	}
	ev := h.log.Error()
	if e.Err != nil {
		ev = ev.Err(e.Err)
	}
	if len(e.Stack) > 0 {
		ev = ev.Bytes("stack", e.Stack)
	}
	ev.Msg("graphql internal error")
}

// write sends the outcome and logs the request.
func (h *handler) write(w http.ResponseWriter, r *http.Request, out *outcome, media string, start time.Time, opName string) {
	body := out.body
	if body == nil {
		body = encodeResponse(out.query, out.errs, out.data, out.raw, out.hasData, out.doc, out.op, out.cost)
	}
	hdr := w.Header()
	hdr.Set("Content-Type", media+"; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Add("Vary", "Accept")
	if out.allow != "" {
		hdr.Set("Allow", out.allow)
	}
	if out.challenge {
		hdr.Set("WWW-Authenticate", `Bearer realm="claimgraph"`)
	}
	// The whole body is known: sent with its length, not in chunks.
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(out.status)
	n := 0
	if r.Method != http.MethodHead {
		n, _ = w.Write(body) // a client that went away is not our error
	}
	h.logRequest(r, out.status, n, start, opName, out.by, out.errs)
}

// logRequest writes the one log line of a request, with the token name of
// an authorised write (by). It logs no header and no token.
func (h *handler) logRequest(r *http.Request, status, n int, start time.Time, opName, by string, errs []*reqError) {
	ev := h.log.Info()
	if status >= 500 {
		ev = h.log.Error()
	}
	ev = ev.Str("method", r.Method).
		Str("path", r.URL.Path).
		Int("status", status).
		Dur("duration", time.Since(start)).
		Int("bytes", n)
	if opName != "" {
		ev = ev.Str("operation", opName)
	}
	if by != "" {
		ev = ev.Str("by", by)
	}
	if len(errs) > 0 {
		codes := make([]string, 0, len(errs))
		for _, e := range errs {
			codes = append(codes, string(e.code))
		}
		ev = ev.Strs("codes", codes)
	}
	ev.Msg("graphql request")
}

// countingWriter records the status and size of a response.
type countingWriter struct {
	http.ResponseWriter
	status int
	n      int
	wrote  bool
}

func (c *countingWriter) WriteHeader(status int) {
	if !c.wrote {
		c.status, c.wrote = status, true
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *countingWriter) Write(b []byte) (int, error) {
	c.wrote = true
	n, err := c.ResponseWriter.Write(b)
	c.n += n
	return n, err
}

// executableDefinitionsRule refuses type system definitions in a request
// (graphql-go v0.8.1 lacks the rule of the specification).
func executableDefinitionsRule(ctx *graphql.ValidationContext) *graphql.ValidationRuleInstance {
	return &graphql.ValidationRuleInstance{VisitorOpts: &visitor.VisitorOptions{
		KindFuncMap: map[string]visitor.NamedVisitFuncs{
			kinds.Document: {Kind: func(p visitor.VisitFuncParams) (string, interface{}) {
				doc, ok := p.Node.(*ast.Document)
				if !ok {
					return visitor.ActionNoChange, nil
				}
				for _, d := range doc.Definitions {
					switch d.(type) {
					case *ast.OperationDefinition, *ast.FragmentDefinition:
					default:
						ctx.ReportError(gqlerrors.NewError("the "+d.GetKind()+" is not executable: a request holds operations and fragments only",
							[]ast.Node{d}, "", nil, []int{}, nil))
					}
				}
				return visitor.ActionNoChange, nil
			}},
		},
	}}
}

// noIntrospectionRule refuses __schema and __type.
func noIntrospectionRule(ctx *graphql.ValidationContext) *graphql.ValidationRuleInstance {
	return &graphql.ValidationRuleInstance{VisitorOpts: &visitor.VisitorOptions{
		KindFuncMap: map[string]visitor.NamedVisitFuncs{
			kinds.Field: {Kind: func(p visitor.VisitFuncParams) (string, interface{}) {
				if f, ok := p.Node.(*ast.Field); ok && f.Name != nil && (f.Name.Value == "__schema" || f.Name.Value == "__type") {
					ctx.ReportError(gqlerrors.NewError("introspection is disabled on this server",
						[]ast.Node{f}, "", nil, []int{}, nil))
				}
				return visitor.ActionNoChange, nil
			}},
		},
	}}
}
