package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// buildInfo is what `brug version` reports.
type buildInfo struct {
	Version, Commit, Date string
}

// newBuildInfo takes the values stamped by the release build and fills
// what is missing from the Go toolchain's own build information (a module
// version from `go install ...@v1.2.3`, the VCS revision and time of a
// `go build` in a git checkout).
func newBuildInfo(version, commit, date string) buildInfo {
	b := buildInfo{Version: version, Commit: commit, Date: date}
	if b.Commit == "none" || b.Commit == "unknown" { // goreleaser outside a git checkout
		b.Commit = ""
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b.withDefaults()
	}
	if b.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		b.Version = bi.Main.Version
	}
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if b.Commit == "" {
				b.Commit = s.Value
			}
		case "vcs.time":
			if b.Date == "" {
				b.Date = s.Value
			}
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified && b.Commit != "" && b.Version == "dev" {
		b.Commit += "-dirty"
	}
	return b.withDefaults()
}

func (b buildInfo) withDefaults() buildInfo {
	if b.Version == "" {
		b.Version = "dev"
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if b.Date == "" {
		b.Date = "unknown"
	}
	return b
}

// short is the one-line version shown by --version.
func (b buildInfo) short() string {
	return fmt.Sprintf("%s (commit %s, built %s)", b.Version, shortCommit(b.Commit), b.Date)
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

func newVersionCmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version of brug",
		Long:    "Print the version of brug, the commit it was built from, when it was built and the Go version and platform.",
		Example: "  brug version",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := c.env.build
			_, err := fmt.Fprintf(c.env.stdout, "brug %s\ncommit: %s\nbuilt:  %s\ngo:     %s %s/%s\n",
				b.Version, b.Commit, b.Date, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}
