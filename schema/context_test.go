package schema

import (
	"context"
	"testing"
	"time"

	"claimgraph/graph"
)

// TestDetached checks that detached drops the cancellation and the
// deadline but keeps the values, and that resolvers find the request
// state in it without allocating.
func TestDetached(t *testing.T) {
	type otherKey struct{}
	st := testStore(t)
	err := st.View(context.Background(), func(r graph.Reader) error {
		parent, cancel := context.WithTimeout(context.WithValue(context.Background(), otherKey{}, "kept"), time.Hour)
		rctx, release := newExecutionContext(parent, r, nil, "")
		defer release()
		cancel()
		want, err := requestFrom(rctx)
		if err != nil {
			t.Fatal(err)
		}
		d := detached(rctx)
		if d.Err() != nil || d.Done() != nil {
			t.Errorf("detached context is cancelled: Err %v, Done %v", d.Err(), d.Done())
		}
		if _, ok := d.Deadline(); ok {
			t.Error("detached context has a deadline")
		}
		if got, err := requestFrom(d); err != nil || got != want {
			t.Errorf("request state %p, %v; want %p", got, err, want)
		}
		if v := d.Value(otherKey{}); v != "kept" {
			t.Errorf("other value %v, want kept", v)
		}
		if n := testing.AllocsPerRun(100, func() { _, _ = requestFrom(d) }); n != 0 {
			t.Errorf("requestFrom allocates %v times", n)
		}
		// Without a request state, detached is WithoutCancel.
		bare := detached(parent)
		if _, err := requestFrom(bare); err == nil || bare.Err() != nil || bare.Value(otherKey{}) != "kept" {
			t.Errorf("detached without a request: state error %v, Err %v", err, bare.Err())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
