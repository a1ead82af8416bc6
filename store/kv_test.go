package store_test

import (
	"testing"

	"claimgraph/store"
	"claimgraph/store/kvtest"
)

func openKV(t *testing.T, dir string) store.KV {
	t.Helper()
	kv, err := store.OpenBadger(t.Context(), store.SmallOptions(dir))
	if err != nil {
		t.Fatalf("OpenBadger: %v", err)
	}
	t.Cleanup(func() { kv.Close() })
	return kv
}

func TestKVInMemory(t *testing.T) {
	kvtest.Run(t, kvtest.Opener{Open: func(t *testing.T) store.KV { return openKV(t, "") }})
}

func TestKVOnDisk(t *testing.T) {
	kvtest.Run(t, diskOpener(openKV))
}

// diskOpener is a kvtest.Opener of engines on disk that open calls, each in
// its own directory, reopened in it.
func diskOpener(open func(t *testing.T, dir string) store.KV) kvtest.Opener {
	dirs := map[store.KV]string{}
	return kvtest.Opener{
		Open: func(t *testing.T) store.KV {
			dir := t.TempDir()
			kv := open(t, dir)
			dirs[kv] = dir
			return kv
		},
		Reopen: func(t *testing.T, old store.KV) store.KV {
			dir := dirs[old]
			if err := old.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			kv := open(t, dir)
			dirs[kv] = dir
			return kv
		},
	}
}
