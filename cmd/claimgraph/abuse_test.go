package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// abuseToken is the write token of the abuse and load servers.
const abuseToken = "abuse-test-token-0123456789"

// abuseClient is an HTTP client with a deadline generous enough for the
// race detector: a request that hangs fails the test instead of the run.
func abuseClient() *http.Client {
	return &http.Client{
		Timeout:   60 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true},
	}
}

// gqlAnswer is a GraphQL response, with its status.
type gqlAnswer struct {
	status int
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	raw string
}

func (a gqlAnswer) codes() []string {
	var cs []string
	for _, e := range a.Errors {
		c, _ := e.Extensions["code"].(string)
		cs = append(cs, c)
	}
	return cs
}

func (a gqlAnswer) String() string {
	return fmt.Sprintf("status %d: %s", a.status, shorten(a.raw, 400))
}

// postBody sends a POST /graphql with the body as given (not JSON-encoded
// here) and reads the GraphQL answer.
func postBody(t *testing.T, c *http.Client, base string, body io.Reader, size int64, token string) gqlAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/graphql", body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = size // -1: chunked
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST /graphql: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	a := gqlAnswer{status: resp.StatusCode, raw: string(raw)}
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("answer is not JSON (status %d): %v\n%s", resp.StatusCode, err, shorten(string(raw), 400))
	}
	return a
}

// postQuery sends a query with variables.
func postQuery(t *testing.T, c *http.Client, base, query string, vars map[string]any) gqlAnswer {
	t.Helper()
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	return postBody(t, c, base, bytes.NewReader(b), int64(len(b)), "")
}

// wantRefused checks a 4xx answer whose errors carry the code.
func wantRefused(t *testing.T, a gqlAnswer, status int, code string) {
	t.Helper()
	if a.status != status || len(a.Errors) == 0 || a.Data != nil {
		t.Fatalf("want status %d with errors and no data, got %s", status, a)
	}
	for _, c := range a.codes() {
		if c != code {
			t.Fatalf("want code %s, got %v: %s", code, a.codes(), a)
		}
	}
}

// healthy checks that the server answers /healthz and a real query.
func healthy(t *testing.T, c *http.Client, base string) {
	t.Helper()
	resp, err := c.Get(base + "/healthz")
	if err != nil {
		t.Fatalf("/healthz: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: status %d", resp.StatusCode)
	}
	a := postQuery(t, c, base, `{ node(id: "q-trump-crime-down") { id } }`, nil)
	if a.status != http.StatusOK || len(a.Errors) > 0 || !strings.Contains(string(a.Data), `"q-trump-crime-down"`) {
		t.Fatalf("query: %s", a)
	}
}

// heapInUse returns the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// totalAlloc returns the bytes allocated so far.
func totalAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// nested returns a query of depth levels of reportedBy under a quote.
func nested(depth int) string {
	return `{ node(id: "q-trump-crime-down") { ... on Quote { ` + strings.Repeat("reportedBy { ", depth-1) + "id" +
		strings.Repeat(" }", depth-1) + " } } }"
}

// nestedFragments returns a query nested depth levels deep through
// fragments, each adding one level, so that no brace nests deeply.
func nestedFragments(depth int) string {
	var b strings.Builder
	b.WriteString(`{ node(id: "q-trump-crime-down") { ...F1 } }`)
	for i := 1; i < depth; i++ {
		fmt.Fprintf(&b, "\nfragment F%d on Quote { reportedBy { ...F%d } }", i, i+1)
	}
	fmt.Fprintf(&b, "\nfragment F%d on Quote { id }", depth)
	return b.String()
}

// aliases returns a query of n aliased fields.
func aliases(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, " a%d: __typename", i)
	}
	b.WriteString(" }")
	return b.String()
}

// fillerReader yields n bytes of a JSON string's inside ("aaaa..."), after
// a prefix, without holding them: a large body that costs the client
// nothing.
type fillerReader struct {
	prefix []byte
	n      int64
}

func (r *fillerReader) Read(p []byte) (int, error) {
	if len(r.prefix) > 0 {
		k := copy(p, r.prefix)
		r.prefix = r.prefix[k:]
		return k, nil
	}
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := int64(len(p))
	if k > r.n {
		k = r.n
	}
	for i := range p[:k] {
		p[i] = 'a'
	}
	r.n -= k
	return int(k), nil
}

// TestAbuse attacks a real server (serve's handler, listener and timeouts
// on a loopback port, in this process) with what issue 9 lists, and checks
// that each attack is answered with a 4xx or cut off by a timeout, that
// the server keeps answering, and that its heap stays bounded. It is not
// parallel: the heap figures are of this process.
func TestAbuse(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and opens hundreds of connections")
	}
	base, logs, stop := startServerEnv(t, map[string]string{"CLAIMGRAPH_TOKENS": "abuser:" + abuseToken}, "--demo")
	c := abuseClient()
	healthy(t, c, base)
	heapBefore := heapInUse()

	t.Run("cyclic fragments", func(t *testing.T) {
		for _, q := range []string{
			`{ ...A } fragment A on Query { ...A }`,
			`{ ...A } fragment A on Query { ...B } fragment B on Query { ...C } fragment C on Query { ...A }`,
			`{ node(id: "q-trump-crime-down") { ...Q } } fragment Q on Quote { reportedBy { ...R } } fragment R on Quote { ...Q }`,
		} {
			wantRefused(t, postQuery(t, c, base, q, nil), http.StatusBadRequest, "GRAPHQL_VALIDATION_FAILED")
		}
	})
	t.Run("depth 100", func(t *testing.T) {
		wantRefused(t, postQuery(t, c, base, nested(100), nil), http.StatusBadRequest, "LIMIT_EXCEEDED")
		wantRefused(t, postQuery(t, c, base, nestedFragments(100), nil), http.StatusBadRequest, "LIMIT_EXCEEDED")
		// Brackets nested deeply in an argument never reach the parser.
		wantRefused(t, postQuery(t, c, base, `{ nodes(ids: `+strings.Repeat("[", 5000)+`"x"`+strings.Repeat("]", 5000)+`) { id } }`, nil),
			http.StatusBadRequest, "LIMIT_EXCEEDED")
	})
	t.Run("10k aliases", func(t *testing.T) {
		wantRefused(t, postQuery(t, c, base, aliases(10000), nil), http.StatusBadRequest, "LIMIT_EXCEEDED")
		// Few tokens, many aliases once fragments are expanded.
		q := `{ ...F ...F } fragment F on Query { ` + strings.TrimSuffix(strings.TrimPrefix(aliases(40), "{"), "}") + ` }`
		wantRefused(t, postQuery(t, c, base, q, nil), http.StatusBadRequest, "LIMIT_EXCEEDED")
	})
	t.Run("first 1000000000", func(t *testing.T) {
		wantRefused(t, postQuery(t, c, base, `{ people(first: 1000000000) { totalCount } }`, nil), http.StatusBadRequest, "LIMIT_EXCEEDED")
		wantRefused(t, postQuery(t, c, base, `query Q($n: Int) { quotes(first: $n) { totalCount } }`, map[string]any{"n": 1000000000}),
			http.StatusBadRequest, "LIMIT_EXCEEDED")
		// Past Int's range: not an Int at all.
		wantRefused(t, postQuery(t, c, base, `{ people(first: 99999999999999999999999) { totalCount } }`, nil), http.StatusBadRequest, "GRAPHQL_VALIDATION_FAILED")
		// A page that fits, under a page that fits, multiplied past the cost limit.
		wantRefused(t, postQuery(t, c, base, `{ people(first: 100) { edges { node { quotes(first: 100) { edges { node { speaker { ... on Person { quotes(first: 100) { totalCount } } } } } } } } } }`, nil),
			http.StatusBadRequest, "LIMIT_EXCEEDED")
	})
	t.Run("variables", func(t *testing.T) {
		// Too many ids, a number past float64, and nesting past JSON's limit.
		ids := make([]string, 20000)
		for i := range ids {
			ids[i] = fmt.Sprintf("k%d", i)
		}
		wantRefused(t, postQuery(t, c, base, `query Q($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids}),
			http.StatusBadRequest, "LIMIT_EXCEEDED")
		for _, body := range []string{
			`{"query": "query Q($n: Int) { people(first: $n) { totalCount } }", "variables": {"n": 1e400}}`,
			`{"query": "{ __typename }", "variables": ` + strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000) + `}`,
			`{"query": "{ __typename }", "variables": [1, 2]}`,
			`{"query": "{ __typename }", "extensions": "x"}`,
		} {
			wantRefused(t, postBody(t, c, base, strings.NewReader(body), int64(len(body)), ""), http.StatusBadRequest, "BAD_USER_INPUT")
		}
		// An Int variable out of range is a coercion error, not a crash.
		a := postQuery(t, c, base, `query Q($n: Int) { people(first: $n) { totalCount } }`, map[string]any{"n": 1e300})
		if a.status != http.StatusBadRequest && a.status != http.StatusOK || len(a.Errors) == 0 || a.Data != nil {
			t.Fatalf("Int variable 1e300: %s", a)
		}
	})
	t.Run("invalid UTF-8", func(t *testing.T) {
		body := "{\"query\": \"{ whoSaid(text: \\\"crime\xff\xfe\xc0\\\") { totalCount } }\"}"
		a := postBody(t, c, base, strings.NewReader(body), int64(len(body)), "")
		if a.status != http.StatusOK || len(a.Errors) > 0 {
			t.Fatalf("invalid UTF-8 in a string: %s", a)
		}
		body = "{\"query\": \"{ \xff }\"}"
		wantRefused(t, postBody(t, c, base, strings.NewReader(body), int64(len(body)), ""), http.StatusBadRequest, "GRAPHQL_PARSE_FAILED")
	})
	t.Run("syntax error at the end of a long line", func(t *testing.T) {
		// graphql-go's syntax errors cost time quadratic in their column:
		// these, at column 300000, would each hold a core for minutes
		// (schema.parseQuery bounds it; TestParseQueryBounded).
		q := `{ whoSaid(text: "` + strings.Repeat("x", 300_000) + `") { totalCount } ! }`
		wantRefused(t, postQuery(t, c, base, q, nil), http.StatusBadRequest, "GRAPHQL_PARSE_FAILED")
		q = `{ whoSaid(text: "` + strings.Repeat("x", 300_000) + `\q") { totalCount } }`
		wantRefused(t, postQuery(t, c, base, q, nil), http.StatusBadRequest, "GRAPHQL_PARSE_FAILED")
	})
	t.Run("10 MB body", func(t *testing.T) {
		const size = 10 << 20
		allocBefore := totalAlloc()
		for _, chunked := range []bool{false, true, false, true} {
			r := &fillerReader{prefix: []byte(`{"query": "`), n: size}
			length := int64(size + len(`{"query": "`))
			if chunked {
				length = -1
			}
			// The server answers before reading the body, and closes the
			// connection: the client may see its write fail instead.
			req, err := http.NewRequest(http.MethodPost, base+"/graphql", r)
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = length
			req.Header.Set("Content-Type", "application/json")
			resp, err := c.Do(req)
			if err != nil {
				t.Logf("chunked %v: %v (the server closed the connection before the body was sent)", chunked, err)
				continue
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(raw), "LIMIT_EXCEEDED") {
				t.Fatalf("chunked %v: status %d: %s", chunked, resp.StatusCode, raw)
			}
		}
		// Four 10 MB bodies read whole would allocate more than 40 MB; the
		// server reads at most the 1 MiB limit of each.
		if grown := totalAlloc() - allocBefore; grown > 24<<20 {
			t.Errorf("the process allocated %d MB while refusing four 10 MB bodies", grown>>20)
		}
	})
	t.Run("batch of 1000 operations", func(t *testing.T) {
		ops := make([]map[string]string, 1000)
		for i := range ops {
			ops[i] = map[string]string{"query": fmt.Sprintf(`{ n%d: node(id: "q-trump-crime-down") { id } }`, i)}
		}
		b, _ := json.Marshal(ops)
		wantRefused(t, postBody(t, c, base, bytes.NewReader(b), int64(len(b)), ""), http.StatusBadRequest, "BAD_USER_INPUT")
		// Mutations batched in one document are one operation each: the
		// document is refused (several operations, no operationName).
		var doc strings.Builder
		for i := range 1000 {
			fmt.Fprintf(&doc, "mutation M%d { retract(id: \"q-trump-crime-down\", reason: \"x\") { changed } }\n", i)
		}
		raw, _ := json.Marshal(map[string]string{"query": doc.String()})
		a := postBody(t, c, base, bytes.NewReader(raw), int64(len(raw)), abuseToken)
		if a.status < 400 || a.status >= 500 || len(a.Errors) == 0 {
			t.Fatalf("1000 mutations in one document: %s", a)
		}
	})
	t.Run("long URL and headers", func(t *testing.T) {
		resp, err := c.Get(base + "/graphql?query=" + url.QueryEscape("{ "+strings.Repeat("__typename ", 20000)+"}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("a 200 kB URL: status %d", resp.StatusCode)
		}
	})
	t.Run("500 concurrent connections", func(t *testing.T) {
		// 500 clients that each query at once on their own connection,
		// beside 200 idle connections that never send a request; /healthz
		// and a query keep being answered meanwhile.
		var idle []net.Conn
		defer func() {
			for _, conn := range idle {
				conn.Close()
			}
		}()
		addr := strings.TrimPrefix(base, "http://")
		for range 200 {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			idle = append(idle, conn)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 500)
		start := make(chan struct{})
		for i := range 500 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				own := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
				<-start
				q := fmt.Sprintf(`{ c%d: node(id: "q-trump-crime-down") { id } }`, i)
				b, _ := json.Marshal(map[string]string{"query": q})
				resp, err := own.Post(base+"/graphql", "application/json", bytes.NewReader(b))
				if err != nil {
					errs <- err
					return
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || !strings.Contains(string(raw), `"q-trump-crime-down"`) {
					errs <- fmt.Errorf("client %d: status %d: %s", i, resp.StatusCode, shorten(string(raw), 200))
				}
			}()
		}
		close(start)
		healthy(t, c, base)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		healthy(t, c, base)
	})

	healthy(t, c, base)
	heapAfter := heapInUse()
	t.Logf("heap in use: %d MB before the abuse, %d MB after", heapBefore>>20, heapAfter>>20)
	if heapAfter > heapBefore+64<<20 {
		t.Errorf("heap grew from %d MB to %d MB", heapBefore>>20, heapAfter>>20)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	if strings.Contains(logs.String(), abuseToken) {
		t.Errorf("the token is in the log")
	}
}

// TestSlowClients: a client that sends its headers, or its body, slower
// than the header and read timeouts allow is cut off, and the server goes
// on answering.
func TestSlowClients(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	base, _, _ := startServerEnv(t, nil, "--demo", "--read-header-timeout", "500ms", "--read-timeout", "1s")
	t.Run("slow headers", func(t *testing.T) {
		// One byte of headers every 100 ms: the header timeout (500 ms)
		// cuts the connection long before the headers end.
		head := "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Slow: " + strings.Repeat("s", 60) + "\r\n\r\n"
		sent, closed := dribble(t, base, head, "", 100*time.Millisecond)
		if !closed || sent >= len(head) {
			t.Fatalf("the server let a client send %d of %d header bytes at 10 bytes/s (closed: %v)", sent, len(head), closed)
		}
	})
	t.Run("slow body", func(t *testing.T) {
		// Whole headers, then one byte of body every 100 ms: the read
		// timeout (1 s) ends the request long before the body does.
		body := `{"query": "{ __typename }", "pad": "` + strings.Repeat("p", 60) + `"}`
		head := fmt.Sprintf("POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
		sent, closed := dribble(t, base, head, body, 100*time.Millisecond)
		if !closed || sent >= len(head)+len(body) {
			t.Fatalf("the server let a client send %d of %d bytes at 10 bytes/s (closed: %v)", sent, len(head)+len(body), closed)
		}
	})
	healthy(t, abuseClient(), base)
}

// dribble opens a connection and sends head, then body, one byte per
// interval (with a body, the head is sent at once) until the server closes
// the connection or everything is sent; it returns how many bytes were
// sent and whether the server closed the connection (or answered: a
// server that gives up on a request may answer it, then closes) before
// the client was done.
func dribble(t *testing.T, base, head, body string, every time.Duration) (sent int, closed bool) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		// Whatever the server sends (an error status) or a close ends
		// the wait; a read error is the close.
		br := bufio.NewReader(conn)
		if line, err := br.ReadString('\n'); err == nil {
			t.Logf("the server answered %q", strings.TrimSpace(line))
		}
	}()
	all := head + body
	if body != "" {
		if _, err := io.WriteString(conn, head); err != nil {
			t.Fatal(err)
		}
		sent = len(head)
	}
	for sent < len(all) {
		select {
		case <-gone:
			return sent, true
		case <-time.After(every):
		}
		if _, err := conn.Write([]byte{all[sent]}); err != nil {
			return sent, true
		}
		sent++
	}
	select {
	case <-gone:
		return sent, true
	case <-time.After(every):
		return sent, false
	}
}

// TestConnectionLimit: with --max-conns, connections past the cap wait for
// a slot instead of being served at once, and idle connections that hold
// every slot are cut off by the header timeout, so the server answers
// again.
func TestConnectionLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	base, _, _ := startServerEnv(t, nil, "--demo", "--max-conns", "8", "--read-header-timeout", "300ms", "--idle-timeout", "300ms")
	addr := strings.TrimPrefix(base, "http://")
	var hold []net.Conn
	for range 8 {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		hold = append(hold, conn)
	}
	defer func() {
		for _, conn := range hold {
			conn.Close()
		}
	}()
	// Every slot is held by a connection that sends nothing; these
	// requests wait until the header timeout frees the slots.
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			resp, err := own.Get(base + "/healthz")
			if err != nil {
				errs <- fmt.Errorf("request %d: %v", i, err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				errs <- fmt.Errorf("request %d: status %d", i, resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// The held connections were closed by the server.
	for i, conn := range hold {
		conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		if n, err := conn.Read(make([]byte, 1)); err == nil {
			t.Errorf("held connection %d: read %d bytes, want a close", i, n)
		}
	}
}

// TestHTTPLimitFlags: the limits must be positive.
func TestHTTPLimitFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--read-header-timeout", "0s"},
		{"--read-timeout", "-1s"},
		{"--write-timeout", "0s"},
		{"--idle-timeout", "0s"},
		{"--max-conns", "-1"},
	} {
		r := cli(t, "", append([]string{"serve", "--data", t.TempDir()}, args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, args[0]) {
			t.Errorf("%v: %s", args, r)
		}
	}
}
