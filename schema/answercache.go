package schema

import (
	"encoding/json"
	"strings"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Defaults of the answer cache (HandlerConfig.AnswerCache).
const (
	// DefaultAnswerCache is how many answers a handler keeps.
	DefaultAnswerCache = 512
	// answerMaxBytes is the largest answer kept: with the default count,
	// the cache holds at most 32 MiB.
	answerMaxBytes = 64 << 10
)

// committer is a store that can say which commit it would read now; the
// claimgraph store can (store.Store.LastCommit). Without it nothing is
// kept.
type committer interface {
	LastCommit() uint64
}

// answerCache keeps the complete response bodies of queries that succeeded
// (status 200, data, no error), by query text, operation name and
// variables, each with the commit it was read at. An answer is served
// again only while the store's last commit is still that commit: any
// commit, whatever it changed, retires every kept answer, so a kept answer
// is always the one a fresh execution would give (the schema's fields
// depend on the graph and the request only; no field reads the clock or
// the request's headers). Mutations, failed requests, answers with errors
// (a timeout's partial data among them) and answers over answerMaxBytes are
// never kept.
//
// Why: executing a small query in graphql-go (value completion, resolver
// calls, ordering and encoding the answer) costs more than the store's
// reads; clients repeat the same questions between commits (a page being
// viewed, a trace being followed).
type answerCache struct {
	c *lru.Cache[string, answer]
	// mu makes a put's check for a newer answer and its write one step.
	mu sync.Mutex
}

// answer is a kept response body and the commit it was read at.
type answer struct {
	commit uint64
	body   []byte
}

// newAnswerCache returns a cache of n answers; nil (nothing kept) when n
// is below 1.
func newAnswerCache(n int) *answerCache {
	if n < 1 {
		return nil
	}
	c, err := lru.New[string, answer](n)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return &answerCache{c: c}
}

// answerKey is the cache key of a request: the query text, the operation
// name and the variables as canonical JSON (encoding/json sorts map keys).
// ok is false when the variables do not encode (they always do, having
// been decoded from JSON).
func answerKey(p *params) (string, bool) {
	var b strings.Builder
	b.Grow(len(p.query) + len(p.operationName) + 2)
	b.WriteString(p.query)
	b.WriteByte(0)
	b.WriteString(p.operationName)
	b.WriteByte(0)
	if len(p.variables) > 0 {
		v, err := json.Marshal(p.variables)
		if err != nil {
			return "", false
		}
		b.Write(v)
	}
	return b.String(), true
}

// get returns the body kept for key at commit, if any.
func (a *answerCache) get(key string, commit uint64) ([]byte, bool) {
	if a == nil {
		return nil, false
	}
	v, ok := a.c.Get(key)
	if !ok || v.commit != commit {
		return nil, false
	}
	return v.body, true
}

// put keeps body for key, read at commit: the last commit read before the
// execution began, so the execution's snapshot is that commit or a later
// one. A request that finds it under that commit started before any later
// commit was published and ended after this put, so the state it is given
// held during the request.
func (a *answerCache) put(key string, commit uint64, body []byte) {
	if a == nil || len(body) > answerMaxBytes || len(key) > docCacheMaxQuery {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if old, ok := a.c.Peek(key); ok && old.commit > commit {
		return // a newer answer is kept already
	}
	a.c.Add(key, answer{commit: commit, body: body})
}
