package schema

import (
	"bytes"
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"claimgraph/graph"
)

// committingStore is a store that reports a last commit, advanced by each
// Apply that writes, as the claimgraph store does.
type committingStore struct {
	*countingStore
	commit atomic.Uint64
}

func (s *committingStore) LastCommit() uint64 { return s.commit.Load() }

func (s *committingStore) Apply(ctx context.Context, b *graph.Batch) (graph.ApplyResult, error) {
	res, err := s.countingStore.Apply(ctx, b)
	if err == nil {
		s.commit.Add(1)
	}
	return res, err
}

func newCommittingStore(t testing.TB) *committingStore {
	s := &committingStore{countingStore: &countingStore{Store: testStore(t), calls: &calls{}}}
	s.commit.Store(1)
	return s
}

func TestAnswerCache(t *testing.T) {
	const q = `query($id: ID!) { node(id: $id) { id ... on Quote { text cue speaker { id name } } } }`
	vars := func(id string) map[string]interface{} { return map[string]interface{}{"id": id} }

	t.Run("kept until the next commit", func(t *testing.T) {
		st := newCommittingStore(t)
		srv := newServer(t, st, HandlerConfig{})
		first := srv.post(t, q, vars("q-safer"), acceptGQL)
		if first.status != 200 || len(first.errorCodes()) > 0 {
			t.Fatalf("first answer: %d %s", first.status, first.raw)
		}
		reads := st.calls.total()
		if reads == 0 {
			t.Fatal("the first answer read nothing")
		}
		again := srv.post(t, q, vars("q-safer"), acceptJSON)
		if !bytes.Equal(again.raw, first.raw) || again.status != 200 {
			t.Fatalf("kept answer differs:\n%s\n%s", again.raw, first.raw)
		}
		if got := again.header.Get("Content-Type"); !strings.HasPrefix(got, acceptJSON) {
			t.Errorf("kept answer's Content-Type %q, want the request's %s", got, acceptJSON)
		}
		if st.calls.total() != reads {
			t.Errorf("the kept answer read the store: %d reads, want %d", st.calls.total(), reads)
		}
		// Another variable is another question.
		other := srv.post(t, q, vars("q-trump-crime-down"), acceptGQL)
		if bytes.Equal(other.raw, first.raw) {
			t.Fatal("another id got the kept answer")
		}
		// A commit retires it: the new text is read.
		var node map[string]interface{}
		if n, ok := first.body["data"].(map[string]interface{}); ok {
			node, _ = n["node"].(map[string]interface{})
		}
		if _, ok := node["text"].(string); !ok {
			t.Fatalf("no text in %s", first.raw)
		}
		var quote *graph.Quote
		if err := st.View(context.Background(), func(r graph.Reader) error {
			n, err := r.Node(context.Background(), "q-safer")
			quote, _ = n.(*graph.Quote)
			return err
		}); err != nil || quote == nil {
			t.Fatalf("reading q-safer: %v", err)
		}
		quote.Cue = "Changed."
		if _, err := st.Apply(context.Background(), &graph.Batch{Nodes: []graph.Node{quote}}); err != nil {
			t.Fatal(err)
		}
		after := srv.post(t, q, vars("q-safer"), acceptGQL)
		if !strings.Contains(string(after.raw), "Changed.") {
			t.Fatalf("after a commit the answer is still the kept one: %s", after.raw)
		}
	})

	t.Run("errors and mutations are not kept", func(t *testing.T) {
		st := newCommittingStore(t)
		srv := newServer(t, st, HandlerConfig{})
		const bad = `{ trace(id: "no-such-node") { root { id } } }`
		a := srv.post(t, bad, nil, acceptGQL)
		b := srv.post(t, bad, nil, acceptGQL)
		if len(a.errorCodes()) == 0 || len(b.errorCodes()) == 0 {
			t.Fatalf("want errors: %s", a.raw)
		}
		h := srv.h.(*handler)
		if h.answers.c.Len() != 0 {
			t.Errorf("%d answers kept after failing requests", h.answers.c.Len())
		}
	})

	t.Run("off", func(t *testing.T) {
		st := newCommittingStore(t)
		srv := newServer(t, st, HandlerConfig{AnswerCache: -1})
		srv.post(t, q, vars("q-safer"), acceptGQL)
		reads := st.calls.total()
		srv.post(t, q, vars("q-safer"), acceptGQL)
		if st.calls.total() != 2*reads {
			t.Errorf("with the cache off the second answer made %d reads, want %d", st.calls.total()-reads, reads)
		}
	})

	t.Run("stores without commits keep nothing", func(t *testing.T) {
		srv := newServer(t, testStore(t), HandlerConfig{})
		if srv.h.(*handler).answers != nil {
			t.Error("an answer cache over a store that reports no commits")
		}
	})
}

func TestAnswerKey(t *testing.T) {
	tests := []struct {
		name string
		a, b params
		same bool
	}{
		{"variables in another order", params{query: "q", variables: map[string]interface{}{"a": 1.0, "b": "x"}},
			params{query: "q", variables: map[string]interface{}{"b": "x", "a": 1.0}}, true},
		{"no variables and empty variables", params{query: "q"}, params{query: "q", variables: map[string]interface{}{}}, true},
		{"another operation", params{query: "q", operationName: "A"}, params{query: "q", operationName: "B"}, false},
		{"text cannot pass for the operation name", params{query: "q\x00A"}, params{query: "q", operationName: "A"}, false},
		{"another value", params{query: "q", variables: map[string]interface{}{"a": 1.0}},
			params{query: "q", variables: map[string]interface{}{"a": 2.0}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ka, _ := answerKey(&tt.a)
			kb, _ := answerKey(&tt.b)
			if (ka == kb) != tt.same {
				t.Errorf("keys %q and %q: same %v, want %v", ka, kb, ka == kb, tt.same)
			}
		})
	}
}

func TestAnswerCachePutKeepsNewer(t *testing.T) {
	c := newAnswerCache(4)
	c.put("k", 5, []byte("new"))
	c.put("k", 4, []byte("old"))
	if b, ok := c.get("k", 5); !ok || string(b) != "new" {
		t.Fatalf("get at 5 = %q %v, want new", b, ok)
	}
	if _, ok := c.get("k", 4); ok {
		t.Fatal("an older answer replaced a newer one")
	}
	c.put("big", 5, make([]byte, answerMaxBytes+1))
	if _, ok := c.get("big", 5); ok {
		t.Fatal("an answer over the size limit was kept")
	}
	if newAnswerCache(0) != nil || newAnswerCache(-1) != nil {
		t.Fatal("a cache of no answers is not nil")
	}
}
