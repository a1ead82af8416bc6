package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles starts the pprof profiles that the environment asks for:
// CLAIMGRAPH_CPUPROFILE names a file for a CPU profile of the whole command,
// CLAIMGRAPH_MEMPROFILE one for an allocation profile written at the end and
// CLAIMGRAPH_BLOCKPROFILE one for a blocking profile. The returned function
// stops them and writes the files; it reports problems on stderr and never
// changes the command's result.
func startProfiles(getenv func(string) string, stderr *os.File) func() {
	var stops []func()
	if p := getenv("CLAIMGRAPH_CPUPROFILE"); p != "" {
		f, err := os.Create(p)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(stderr, "claimgraph: CLAIMGRAPH_CPUPROFILE: %v\n", err)
		} else {
			stops = append(stops, func() { pprof.StopCPUProfile(); _ = f.Close() })
		}
	}
	if p := getenv("CLAIMGRAPH_BLOCKPROFILE"); p != "" {
		runtime.SetBlockProfileRate(10_000)
		stops = append(stops, func() { writeProfile(stderr, "block", p) })
	}
	if p := getenv("CLAIMGRAPH_MEMPROFILE"); p != "" {
		stops = append(stops, func() { writeProfile(stderr, "allocs", p) })
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}
}

// writeProfile writes the named runtime profile to path.
func writeProfile(stderr *os.File, name, path string) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup(name).WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "claimgraph: %s profile %s: %v\n", name, path, err)
	}
}
