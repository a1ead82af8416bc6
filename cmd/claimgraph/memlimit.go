package main

import (
	"bufio"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// importGCPercent is the collector's GOGC during an import. An import's
// heap is mostly its staged writes, held in pointer-free arenas until the
// file's commit, so a collection costs little to mark and the default of
// 100 mostly lets garbage double the resident memory. Measured with
// `claimgraph import` of gen's corpus (seed 1), alternated: 100k quotes
// 9.9-10.2 s and 1.16-1.19 GB of peak RSS at 50 against 10.6-11.1 s and
// 1.57 GB at 100 (25: 10.7-11.5 s, more CPU in the collector); 1M quotes
// 121 s and 8.1 GB against 125 s and 10.7 GB.
const importGCPercent = 50

// importMemoryLimit sets the Go heap's soft limit for an import to three
// quarters of the machine's memory (an import holds each file's writes in
// memory until the file's commit), unless GOMEMLIMIT is set or the
// machine's memory is unknown. Near the limit the collector works harder
// instead of letting the heap double past it. It also sets GOGC to
// importGCPercent unless the GOGC variable is set. It returns the
// function that restores the previous settings.
func importMemoryLimit(getenv func(string) string) func() {
	var restore []func()
	if getenv("GOGC") == "" {
		prev := debug.SetGCPercent(importGCPercent)
		restore = append(restore, func() { debug.SetGCPercent(prev) })
	}
	if total := memTotal("/proc/meminfo"); total > 0 && getenv("GOMEMLIMIT") == "" {
		prev := debug.SetMemoryLimit(total / 4 * 3)
		restore = append(restore, func() { debug.SetMemoryLimit(prev) })
	}
	return func() {
		for _, r := range restore {
			r()
		}
	}
}

// memTotal reads MemTotal, in bytes, from a meminfo file; 0 when it
// cannot.
func memTotal(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil || kb <= 0 || kb > 1<<50 {
			return 0
		}
		return kb << 10
	}
	return 0
}
