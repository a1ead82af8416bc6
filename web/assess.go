package web

import (
	"context"
	"strings"
	"sync"

	"claimgraph/graph"
)

// lenientReader is a Reader whose Retractions never fails: when the store
// cannot tell (a store without history), it answers "none retracted" and
// remembers the error, so that assessments, comparisons and traces still
// show, with a note that retractions could not be checked.
type lenientReader struct {
	graph.Reader
	mu  sync.Mutex
	err error
}

// Retractions implements graph.HistoryReader.
func (r *lenientReader) Retractions(ctx context.Context, keys []string) (map[string]graph.Retraction, error) {
	m, err := r.Reader.Retractions(ctx, keys)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		r.mu.Lock()
		r.err = err
		r.mu.Unlock()
		return map[string]graph.Retraction{}, nil
	}
	return m, nil
}

// Note says that retractions could not be read, or "".
func (r *lenientReader) Note() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		return ""
	}
	return "Retractions could not be read (" + r.err.Error() + "): retracted items may be counted as live."
}

// assessment is a claim's verdict for the page.
type assessment struct {
	Status        string // lower case: supported, disputed ...
	Explanation   string
	Supporting    int
	Contradicting int
	Note          string
}

// Label is the status for people ("Disputed").
func (a assessment) Label() string {
	if a.Status == "" {
		return ""
	}
	return strings.ToUpper(a.Status[:1]) + a.Status[1:]
}

// assessClaim assesses a claim with graph.AssessClaim.
func (l *loader) assessClaim(key string) (assessment, error) {
	lr := &lenientReader{Reader: l.r}
	a, err := graph.AssessClaim(l.ctx, lr, key)
	if err != nil {
		return assessment{}, err
	}
	return assessment{
		Status:        string(a.Status),
		Explanation:   a.Explanation,
		Supporting:    len(a.Supporting),
		Contradicting: len(a.Contradicting),
		Note:          lr.Note(),
	}, nil
}
