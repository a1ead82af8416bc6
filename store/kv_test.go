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
	dirs := map[store.KV]string{}
	kvtest.Run(t, kvtest.Opener{
		Open: func(t *testing.T) store.KV {
			dir := t.TempDir()
			kv := openKV(t, dir)
			dirs[kv] = dir
			return kv
		},
		Reopen: func(t *testing.T, old store.KV) store.KV {
			dir := dirs[old]
			if err := old.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			kv := openKV(t, dir)
			dirs[kv] = dir
			return kv
		},
	})
}
