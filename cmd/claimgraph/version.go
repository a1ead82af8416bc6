package main

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set at link time by the Makefile (-ldflags "-X main.version=... -X
// main.commit=..."); used when the binary carries no VCS stamp (go build
// -buildvcs=false, or a build outside a git checkout). Never written at run
// time.
var (
	version string
	commit  string
)

// buildInfo is what `claimgraph version` prints.
type buildInfo struct {
	Version    string `json:"version"`
	Commit     string `json:"commit"`
	CommitTime string `json:"commit_time,omitempty"`
	Modified   bool   `json:"modified,omitempty"`
	Go         string `json:"go"`
	Platform   string `json:"platform"`
}

// readBuildInfo combines runtime/debug build information with the link-time
// values, preferring the VCS stamp of the build.
func readBuildInfo(read func() (*debug.BuildInfo, bool), ldVersion, ldCommit string) buildInfo {
	bi := buildInfo{Version: ldVersion, Commit: ldCommit, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if info, ok := read(); ok {
		if v := info.Main.Version; v != "" && v != "(devel)" {
			bi.Version = v // go install claimgraph/cmd/claimgraph@vX
		}
		if info.GoVersion != "" {
			bi.Go = info.GoVersion
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				bi.Commit = s.Value
			case "vcs.time":
				bi.CommitTime = s.Value
			case "vcs.modified":
				bi.Modified = s.Value == "true"
			}
		}
	}
	if bi.Version == "" {
		bi.Version = "devel"
	}
	if bi.Commit == "" {
		bi.Commit = "unknown"
	}
	return bi
}

func runVersion(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "version", "", "Print the version, the commit it was built from and the Go version.")
	asJSON := fs.Bool("json", false, "print as JSON")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError("version takes no arguments, got %q", rest)
	}
	bi := readBuildInfo(debug.ReadBuildInfo, version, commit)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(bi)
	}
	fmt.Fprintf(e.stdout, "claimgraph %s\n", bi.Version)
	c := bi.Commit
	switch {
	case bi.CommitTime != "" && bi.Modified:
		c += " (" + bi.CommitTime + ", modified)"
	case bi.CommitTime != "":
		c += " (" + bi.CommitTime + ")"
	case bi.Modified:
		c += " (modified)"
	}
	fmt.Fprintf(e.stdout, "commit  %s\n", c)
	fmt.Fprintf(e.stdout, "go      %s %s\n", bi.Go, bi.Platform)
	return nil
}
