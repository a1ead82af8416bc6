package main

import (
	"bufio"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// importMemoryLimit sets the Go heap's soft limit for an import to three
// quarters of the machine's memory (an import holds each file's writes in
// memory until the file's commit), unless GOMEMLIMIT is set or the
// machine's memory is unknown. Near the limit the collector works harder
// instead of letting the heap double past it. It returns the function
// that restores the previous limit.
func importMemoryLimit(getenv func(string) string) func() {
	if getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	total := memTotal("/proc/meminfo")
	if total <= 0 {
		return func() {}
	}
	prev := debug.SetMemoryLimit(total / 4 * 3)
	return func() { debug.SetMemoryLimit(prev) }
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
