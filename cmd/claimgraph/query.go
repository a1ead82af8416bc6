package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"claimgraph/schema"
)

// vars collects repeated --var NAME=VALUE flags.
type vars map[string]any

func (v vars) String() string { return "" }

// Set parses NAME=VALUE: VALUE is taken as JSON when it parses as JSON
// (42, true, null, "quoted", [1,2], {"a":1}), as a string otherwise.
func (v vars) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	name = strings.TrimPrefix(strings.TrimSpace(name), "$")
	if !ok || name == "" {
		return fmt.Errorf("want NAME=VALUE, got %q", s)
	}
	if !graphQLName(name) {
		return fmt.Errorf("variable name %q in %q is not a GraphQL name (a letter or _, then letters, digits or _)", name, s)
	}
	if _, dup := v[name]; dup {
		return fmt.Errorf("variable %q given twice", name)
	}
	v[name] = parseVarValue(value)
	return nil
}

// graphQLName reports whether s is a GraphQL Name: /[_A-Za-z][_0-9A-Za-z]*/.
func graphQLName(s string) bool {
	for i, c := range []byte(s) {
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && '0' <= c && c <= '9':
		default:
			return false
		}
	}
	return s != ""
}

// parseVarValue returns value decoded as JSON when it is valid JSON, else
// value itself.
func parseVarValue(value string) any {
	if !json.Valid([]byte(value)) {
		return value
	}
	var x any
	dec := json.NewDecoder(strings.NewReader(value))
	dec.UseNumber() // keep 12345678901234567890 exact
	if err := dec.Decode(&x); err != nil {
		return value
	}
	return x
}

func runQuery(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "query", "'GRAPHQL' | -",
		"Run a GraphQL query against the data directory, in process, through the same\n"+
			"handler and limits as the server, and print the JSON result. - reads the query\n"+
			"from standard input. Exit status 1 when the result has errors.")
	var c common
	addCommon(fs, e, &c, "warn")
	vs := vars{}
	fs.Var(vs, "var", "a variable as `NAME=VALUE` (repeatable); VALUE is JSON when it parses as JSON, a string otherwise")
	operation := fs.String("operation", "", "the operation to run when the document has several")
	compact := fs.Bool("compact", false, "print the result on one line")
	withExt := fs.Bool("extensions", false, "also print the response's extensions (the query's estimated cost)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := c.checkEngine(fs); err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return usageError("query: give exactly one GraphQL document (or - for standard input), got %d arguments", len(rest))
	}
	query := rest[0]
	if query == "-" {
		b, err := io.ReadAll(e.stdin)
		if err != nil {
			return fmt.Errorf("reading the query from standard input: %w", err)
		}
		query = string(b)
	}
	if strings.TrimSpace(query) == "" {
		return usageError("query: the GraphQL document is empty")
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
	s, err := schema.New(schema.Config{})
	if err != nil {
		return fmt.Errorf("building the schema: %w", err)
	}
	h := schema.NewHandler(s, st, schema.HandlerConfig{}, log)

	payload := map[string]any{"query": query}
	if len(vs) > 0 {
		payload["variables"] = map[string]any(vs)
	}
	if *operation != "" {
		payload["operationName"] = *operation
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("encoding the request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	req.RemoteAddr = "cli"
	rec := newRecorder()
	h.ServeHTTP(rec, req)

	resp := rec.body.Bytes()
	if !*withExt {
		resp = dropExtensions(resp)
	}
	var out bytes.Buffer
	if *compact {
		err = json.Compact(&out, resp)
	} else {
		err = json.Indent(&out, resp, "", "  ")
	}
	if err != nil {
		// Not JSON: a plain-text refusal from the handler.
		return &exitError{code: 1, err: fmt.Errorf("query: HTTP %d: %s", rec.status, strings.TrimSpace(rec.body.String()))}
	}
	out.WriteByte('\n')
	if _, err := e.stdout.Write(out.Bytes()); err != nil {
		return err
	}
	var result struct {
		Errors []json.RawMessage `json:"errors"`
	}
	_ = json.Unmarshal(rec.body.Bytes(), &result) // valid JSON: checked above
	if len(result.Errors) > 0 || rec.status >= 400 {
		return &exitError{code: 1, quiet: true}
	}
	return nil
}

// recorder is a minimal http.ResponseWriter that keeps the response.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// dropExtensions removes the top-level extensions member of a GraphQL
// response, keeping errors and data (and their field order) as they are.
// A body that is not a JSON object is returned unchanged.
func dropExtensions(body []byte) []byte {
	var r struct {
		Errors json.RawMessage `json:"errors,omitempty"`
		Data   json.RawMessage `json:"data,omitempty"`
	}
	if json.Unmarshal(body, &r) != nil {
		return body
	}
	out, err := json.Marshal(r)
	if err != nil {
		return body
	}
	return out
}
