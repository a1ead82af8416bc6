// Package load drives a running claimgraph server over HTTP with concurrent
// clients that mix reads and writes, and checks what it was told: every
// request answered without an error, every answer right, and every
// acknowledged write readable afterwards (none lost). It reports the
// latency percentiles of each kind of operation and the requests per
// second. `make load` runs it for a minute against `claimgraph serve`
// (bench/cmd/claimload); a test in cmd/claimgraph runs it for seconds.
//
// # Operations
//
// Each client loops until the duration is over, picking one operation at a
// time:
//
//   - node: node(id:) of a quote of the graph, or of the client's own last
//     acknowledged write, which must be there with its text (a client
//     reads its own writes);
//   - whoSaid: whoSaid(text:) of a few words of a quote, which must find at
//     least one quote;
//   - search: search(text:) of a word of a quote, which must find at least
//     one node;
//   - trace: trace(id:) of a quote;
//   - write: putNode of a new claim with a key that names the run, the
//     client and a sequence number, sent with the bearer token; it is
//     acknowledged when the answer has changed: true, a revision and no
//     error.
//
// After the run every acknowledged write is read back (nodes(ids:), 100
// at a time) and compared with what was sent; a missing or different one
// is lost.
package load

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"claimgraph/bench"
)

// Kinds of operation, in report order.
const (
	OpNode    = "node"
	OpWhoSaid = "whoSaid"
	OpSearch  = "search"
	OpTrace   = "trace"
	OpWrite   = "write"
)

// Ops lists the kinds of operation.
var Ops = []string{OpNode, OpWhoSaid, OpSearch, OpTrace, OpWrite}

// Config configures a run.
type Config struct {
	// URL is the server's base URL (http://127.0.0.1:8080).
	URL string
	// Token is a write token of the server.
	Token string
	// Clients is the number of concurrent clients (default 64).
	Clients int
	// Duration is how long the clients run (default 10 s).
	Duration time.Duration
	// WriteShare is the share of operations that are writes, between 0
	// and 1 (default 0.2).
	WriteShare float64
	// RunID names the run in the keys of its writes (default from the
	// clock); two runs against one store need different ones.
	RunID string
	// Seed seeds the choice of operations (default 1).
	Seed uint64
	// HTTPClient sends the requests (default: a client with a connection
	// per client and a 60 s timeout).
	HTTPClient *http.Client
}

// OpStats is what one kind of operation did.
type OpStats struct {
	Op     string        `json:"op"`
	N      int           `json:"n"`
	Errors int           `json:"errors"`
	P50    time.Duration `json:"p50_ns"`
	P95    time.Duration `json:"p95_ns"`
	P99    time.Duration `json:"p99_ns"`
	Max    time.Duration `json:"max_ns"`
}

// Report is the outcome of a run.
type Report struct {
	Clients  int           `json:"clients"`
	Elapsed  time.Duration `json:"elapsed_ns"`
	Requests int           `json:"requests"`
	Errors   int           `json:"errors"`
	// PerSecond is Requests divided by Elapsed.
	PerSecond float64   `json:"per_second"`
	Ops       []OpStats `json:"ops"`
	// Acknowledged counts the writes the server acknowledged; Verified
	// those read back as sent afterwards; Lost names the others.
	Acknowledged int      `json:"acknowledged"`
	Verified     int      `json:"verified"`
	Lost         []string `json:"lost,omitempty"`
	// FirstErrors holds the first few error messages.
	FirstErrors []string `json:"first_errors,omitempty"`
}

// OK reports whether the run had no error and lost no write.
func (r *Report) OK() bool {
	return r.Errors == 0 && len(r.Lost) == 0 && r.Verified == r.Acknowledged
}

// String formats the report as a table and two summary lines.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d clients, %.1f s: %d requests, %.0f req/s, %d errors\n",
		r.Clients, r.Elapsed.Seconds(), r.Requests, r.PerSecond, r.Errors)
	fmt.Fprintf(&b, "%-8s %8s %7s %9s %9s %9s %9s\n", "op", "n", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms")
	for _, o := range r.Ops {
		fmt.Fprintf(&b, "%-8s %8d %7d %9.2f %9.2f %9.2f %9.2f\n", o.Op, o.N, o.Errors, ms(o.P50), ms(o.P95), ms(o.P99), ms(o.Max))
	}
	fmt.Fprintf(&b, "writes: %d acknowledged, %d read back afterwards, %d lost\n", r.Acknowledged, r.Verified, len(r.Lost))
	for _, e := range r.FirstErrors {
		fmt.Fprintf(&b, "error: %s\n", e)
	}
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// maxIDs is the server's cap on nodes(ids:).
const maxIDs = 100

// The GraphQL operations.
const (
	targetsQuery = `{ quotes(first: 100) { edges { node { id text } } } }`
	nodeQuery    = `query N($id: ID!) { node(id: $id) { id kind ... on Quote { text speaker { id } source { id } } ... on Claim { text } } }`
	whoSaidQuery = `query W($text: String!) { whoSaid(text: $text, first: 5) { totalCount edges { node { id text } } } }`
	searchQuery  = `query S($text: String!) { search(text: $text, first: 5) { totalCount edges { score node { id } } } }`
	traceQuery   = `query T($id: ID!) { trace(id: $id) { hops { from { id } to { id } relation depth } speakers { id } primarySources { id } truncated } }`
	writeQuery   = `mutation P($node: JSON!) { putNode(node: $node, note: "load test") { changed revision userErrors { code message } } }`
	verifyQuery  = `query V($ids: [ID!]!) { nodes(ids: $ids) { id ... on Claim { text } } }`
)

// target is a quote the reads ask about.
type target struct {
	id, phrase, word string
}

// write is one acknowledged write.
type write struct{ key, text string }

// sample is one operation's outcome.
type sample struct {
	op  string
	d   time.Duration
	err error
}

// Run runs the clients against cfg.URL for cfg.Duration, then reads back
// every acknowledged write. It returns an error when the run could not be
// made (no server, no quotes to read); errors of the operations are in the
// report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Clients <= 0 {
		cfg.Clients = 64
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 10 * time.Second
	}
	if cfg.WriteShare <= 0 || cfg.WriteShare > 1 {
		cfg.WriteShare = 0.2
	}
	if cfg.RunID == "" {
		cfg.RunID = fmt.Sprintf("%x", time.Now().UnixNano())
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{
			Timeout:   60 * time.Second,
			Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Clients, DisableCompression: true},
		}
	}
	c := &conn{cfg: cfg}
	targets, err := c.targets(ctx)
	if err != nil {
		return nil, err
	}

	var (
		mu      sync.Mutex
		samples []sample
		acked   []write
		wg      sync.WaitGroup
	)
	deadline := time.Now().Add(cfg.Duration)
	start := time.Now()
	for i := range cfg.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := &client{conn: c, id: i, targets: targets, rng: rand.New(rand.NewPCG(cfg.Seed, uint64(i)))}
			for time.Now().Before(deadline) && ctx.Err() == nil {
				s := cl.step(ctx)
				mu.Lock()
				samples = append(samples, s)
				mu.Unlock()
			}
			mu.Lock()
			acked = append(acked, cl.acked...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	rep := &Report{Clients: cfg.Clients, Elapsed: elapsed, Requests: len(samples), Acknowledged: len(acked)}
	rep.PerSecond = float64(len(samples)) / elapsed.Seconds()
	for _, op := range Ops {
		var ds []float64
		st := OpStats{Op: op}
		for _, s := range samples {
			if s.op != op {
				continue
			}
			st.N++
			ds = append(ds, float64(s.d))
			if s.err != nil {
				st.Errors++
				rep.Errors++
				if len(rep.FirstErrors) < 10 {
					rep.FirstErrors = append(rep.FirstErrors, op+": "+s.err.Error())
				}
			}
		}
		if st.N == 0 {
			continue
		}
		slices.Sort(ds)
		st.P50, st.P95, st.P99 = time.Duration(bench.Percentile(ds, 50)), time.Duration(bench.Percentile(ds, 95)), time.Duration(bench.Percentile(ds, 99))
		st.Max = time.Duration(ds[len(ds)-1])
		rep.Ops = append(rep.Ops, st)
	}
	verified, lost, err := c.verify(ctx, acked)
	if err != nil {
		return rep, fmt.Errorf("reading back the writes: %w", err)
	}
	rep.Verified, rep.Lost = verified, lost
	return rep, nil
}

// conn sends GraphQL requests.
type conn struct {
	cfg Config
}

// gqlError is an error of a GraphQL answer.
type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// post sends one GraphQL request and decodes its data into out; any
// transport error, status other than 200 or GraphQL error is an error.
func (c *conn) post(ctx context.Context, query string, vars map[string]any, write bool, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json")
	if write {
		req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var ans struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil {
		return fmt.Errorf("status %d, answer is not JSON: %.200s", resp.StatusCode, raw)
	}
	if resp.StatusCode != http.StatusOK || len(ans.Errors) > 0 {
		msg := fmt.Sprintf("status %d", resp.StatusCode)
		if len(ans.Errors) > 0 {
			msg += fmt.Sprintf(": %s (%v)", ans.Errors[0].Message, ans.Errors[0].Extensions["code"])
		}
		return errors.New(msg)
	}
	return json.Unmarshal(ans.Data, out)
}

// targets reads the quotes the reads ask about.
func (c *conn) targets(ctx context.Context) ([]target, error) {
	var data struct {
		Quotes struct {
			Edges []struct {
				Node struct{ ID, Text string }
			}
		}
	}
	if err := c.post(ctx, targetsQuery, nil, false, &data); err != nil {
		return nil, fmt.Errorf("listing quotes at %s: %w", c.cfg.URL, err)
	}
	var ts []target
	for _, e := range data.Quotes.Edges {
		words := strings.Fields(e.Node.Text)
		var plain []string
		for _, w := range words {
			w = strings.Trim(w, `.,;:!?"'“”‘’()[]`)
			if len(w) >= 4 && !strings.ContainsAny(w, `"\`) {
				plain = append(plain, w)
			}
		}
		if len(words) < 3 || len(plain) == 0 {
			continue
		}
		ts = append(ts, target{id: e.Node.ID, phrase: strings.Join(words[:3], " "), word: plain[len(plain)/2]})
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("%s holds no quote of three words or more to read", c.cfg.URL)
	}
	return ts, nil
}

// client is one concurrent client.
type client struct {
	*conn
	id      int
	seq     int
	targets []target
	rng     *rand.Rand
	acked   []write
}

// step runs one operation.
func (cl *client) step(ctx context.Context) sample {
	t := cl.targets[cl.rng.IntN(len(cl.targets))]
	op := OpWrite
	if cl.rng.Float64() >= cl.cfg.WriteShare {
		op = Ops[cl.rng.IntN(4)]
	}
	start := time.Now()
	var err error
	switch op {
	case OpNode:
		err = cl.node(ctx, t)
	case OpWhoSaid:
		err = cl.whoSaid(ctx, t)
	case OpSearch:
		err = cl.search(ctx, t)
	case OpTrace:
		err = cl.trace(ctx, t)
	case OpWrite:
		err = cl.write(ctx)
	}
	return sample{op: op, d: time.Since(start), err: err}
}

// node reads a quote, or (every other time) the client's last
// acknowledged write, which must be there as written.
func (cl *client) node(ctx context.Context, t target) error {
	id, want := t.id, ""
	if len(cl.acked) > 0 && cl.rng.IntN(2) == 0 {
		w := cl.acked[len(cl.acked)-1]
		id, want = w.key, w.text
	}
	var data struct {
		Node *struct{ ID, Text string }
	}
	if err := cl.post(ctx, nodeQuery, map[string]any{"id": id}, false, &data); err != nil {
		return err
	}
	if data.Node == nil || data.Node.ID != id {
		return fmt.Errorf("node(%q) not found", id)
	}
	if want != "" && data.Node.Text != want {
		return fmt.Errorf("node(%q): text %q, wrote %q", id, data.Node.Text, want)
	}
	return nil
}

func (cl *client) whoSaid(ctx context.Context, t target) error {
	var data struct {
		WhoSaid struct{ TotalCount int }
	}
	if err := cl.post(ctx, whoSaidQuery, map[string]any{"text": t.phrase}, false, &data); err != nil {
		return err
	}
	if data.WhoSaid.TotalCount == 0 {
		return fmt.Errorf("whoSaid(%q) found nothing; %s says it", t.phrase, t.id)
	}
	return nil
}

func (cl *client) search(ctx context.Context, t target) error {
	var data struct {
		Search struct{ TotalCount int }
	}
	if err := cl.post(ctx, searchQuery, map[string]any{"text": t.word}, false, &data); err != nil {
		return err
	}
	if data.Search.TotalCount == 0 {
		return fmt.Errorf("search(%q) found nothing; %s holds it", t.word, t.id)
	}
	return nil
}

func (cl *client) trace(ctx context.Context, t target) error {
	var data struct {
		Trace *struct {
			Speakers []struct{ ID string }
		}
	}
	if err := cl.post(ctx, traceQuery, map[string]any{"id": t.id}, false, &data); err != nil {
		return err
	}
	if data.Trace == nil {
		return fmt.Errorf("trace(%q) is null", t.id)
	}
	return nil
}

// write puts a new claim; an acknowledged one is remembered.
func (cl *client) write(ctx context.Context) error {
	cl.seq++
	key := fmt.Sprintf("load-%s-c%03d-%06d", cl.cfg.RunID, cl.id, cl.seq)
	text := fmt.Sprintf("Load claim %d of client %d in run %s", cl.seq, cl.id, cl.cfg.RunID)
	node := map[string]any{"type": "claim", "key": key, "text": text, "topics": []string{"load"}}
	var data struct {
		PutNode struct {
			Changed    bool
			Revision   string
			UserErrors []struct{ Code, Message string }
		}
	}
	if err := cl.post(ctx, writeQuery, map[string]any{"node": node}, true, &data); err != nil {
		return err
	}
	p := data.PutNode
	if len(p.UserErrors) > 0 {
		return fmt.Errorf("putNode %s: %s %s", key, p.UserErrors[0].Code, p.UserErrors[0].Message)
	}
	if !p.Changed || p.Revision == "" {
		return fmt.Errorf("putNode %s: not acknowledged (changed %v, revision %q)", key, p.Changed, p.Revision)
	}
	cl.acked = append(cl.acked, write{key: key, text: text})
	return nil
}

// verify reads back every acknowledged write and returns how many read
// back as written and the keys of the others.
func (c *conn) verify(ctx context.Context, acked []write) (int, []string, error) {
	ok := 0
	var lost []string
	for i := 0; i < len(acked); i += maxIDs {
		batch := acked[i:min(i+maxIDs, len(acked))]
		ids := make([]string, len(batch))
		for j, w := range batch {
			ids[j] = w.key
		}
		var data struct {
			Nodes []*struct{ ID, Text string }
		}
		if err := c.post(ctx, verifyQuery, map[string]any{"ids": ids}, false, &data); err != nil {
			return ok, lost, err
		}
		got := map[string]string{}
		for _, n := range data.Nodes {
			if n != nil {
				got[n.ID] = n.Text
			}
		}
		for _, w := range batch {
			if text, found := got[w.key]; found && text == w.text {
				ok++
			} else {
				lost = append(lost, w.key)
			}
		}
	}
	return ok, lost, nil
}
