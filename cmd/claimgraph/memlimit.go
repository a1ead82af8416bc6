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
// file's commit, so a collection costs little to mark, and the collector's
// work falls with the number of collections. The heap's soft limit
// (importMemoryLimit) bounds what the higher setting costs in memory.
// Measured with `claimgraph import` of gen's corpus (seed 1), alternated
// five times: 100k quotes, medians of 9.61 s at 50, 9.22 s at 100 and
// 7.62 s at 150, with peak RSS 1.2-1.4, 1.5-1.6 and 1.7-1.8 GB; 1M quotes
// in one file 98 s and 8.2 GB at 50 against 86 s and 12.3 GB at 150 (user
// CPU 174 against 134 s). With key layout 7, 150 against 250: 100k quotes,
// medians of 7.1 and 6.6 s over eight alternations, peak RSS 1.44-1.57 GB
// either way; 1M quotes in one file 96.9 s and 10.4 GB against 87.1 s and
// 13.8 GB (user CPU 162 against 140 s).
const importGCPercent = 250

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
