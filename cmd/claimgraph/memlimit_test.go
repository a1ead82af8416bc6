package main

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

func TestMemTotal(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, text string
		want       int64
	}{
		{"linux", "MemTotal:       24683648 kB\nMemFree:         1000 kB\n", 24683648 << 10},
		{"second line", "Foo: 1 kB\nMemTotal: 2048 kB\n", 2 << 20},
		{"no unit", "MemTotal: 2048\n", 0},
		{"other unit", "MemTotal: 2048 MB\n", 0},
		{"not a number", "MemTotal: lots kB\n", 0},
		{"negative", "MemTotal: -5 kB\n", 0},
		{"missing", "MemFree: 5 kB\n", 0},
		{"empty", "", 0},
	} {
		p := filepath.Join(dir, tc.name)
		if err := os.WriteFile(p, []byte(tc.text), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := memTotal(p); got != tc.want {
			t.Errorf("%s: memTotal = %d, want %d", tc.name, got, tc.want)
		}
	}
	if got := memTotal(filepath.Join(dir, "absent")); got != 0 {
		t.Errorf("absent file: %d, want 0", got)
	}
}

func TestImportMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	gcBefore := debug.SetGCPercent(100)
	defer debug.SetGCPercent(gcBefore)
	restore := importMemoryLimit(func(string) string { return "" })
	during := debug.SetMemoryLimit(-1)
	gcDuring := debug.SetGCPercent(-1)
	debug.SetGCPercent(gcDuring)
	restore()
	if after := debug.SetMemoryLimit(-1); after != before {
		t.Fatalf("limit after restore %d, want %d", after, before)
	}
	if gcDuring != importGCPercent {
		t.Fatalf("GOGC during the import %d, want %d", gcDuring, importGCPercent)
	}
	if after := debug.SetGCPercent(100); after != 100 {
		t.Fatalf("GOGC after restore %d, want 100", after)
	}
	if total := memTotal("/proc/meminfo"); total > 0 && during != total/4*3 {
		t.Fatalf("limit during the import %d, want %d (3/4 of %d)", during, total/4*3, total)
	}
	restore = importMemoryLimit(func(k string) string {
		switch k {
		case "GOMEMLIMIT":
			return "1GiB"
		case "GOGC":
			return "200"
		}
		return ""
	})
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Fatalf("GOMEMLIMIT set: limit changed to %d", got)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("GOGC set: GC percent changed to %d", got)
	}
	restore()
}
