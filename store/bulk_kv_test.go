package store_test

import (
	"testing"

	"claimgraph/store"
	"claimgraph/store/kvtest"
)

// The KV conformance suite with every Update that writes taking the bulk
// path where Badger allows it (bulk.go).
func TestKVBulkInMemory(t *testing.T) {
	kvtest.Run(t, kvtest.Opener{Open: func(t *testing.T) store.KV { return openBulkKV(t, "") }})
}

func TestKVBulkOnDisk(t *testing.T) {
	kvtest.Run(t, diskOpener(openBulkKV))
}

func openBulkKV(t *testing.T, dir string) store.KV {
	t.Helper()
	kv, err := store.OpenBadger(t.Context(), store.BulkOptions(dir))
	if err != nil {
		t.Fatalf("OpenBadger: %v", err)
	}
	t.Cleanup(func() { kv.Close() })
	return kv
}
