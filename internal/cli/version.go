package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func (a *app) newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print heapsnap's version (also heapsnap --version)",
		Long: `Version prints heapsnap's version, the commit and date it was built from where
the build recorded them, and the Go version and platform. Release builds carry
all three; "go install github.com/heapsnap/heapsnap/cmd/heapsnap@VERSION"
builds carry the module version (and, for a pseudo-version, its commit and
date).
` + exitStatusHelp,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprint(a.streams.Out, a.versionText())
			return err
		},
	}
}

// buildInfo is the binary's build, completed from the module's build
// information.
func (a *app) buildInfo() BuildInfo {
	info, _ := debug.ReadBuildInfo()
	return a.build.resolve(info)
}

// versionText is what version and --version print.
func (a *app) versionText() string {
	b := a.buildInfo()
	var s strings.Builder
	fmt.Fprintf(&s, "heapsnap %s\n", b.Version)
	if b.Commit != "" {
		fmt.Fprintf(&s, "commit: %s\n", b.Commit)
	}
	if b.Date != "" {
		fmt.Fprintf(&s, "built: %s\n", b.Date)
	}
	fmt.Fprintf(&s, "go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return s.String()
}

// resolve fills what ldflags left empty from the module's build
// information (nil when there is none): the version `go install
// module@version` records, the commit and time of a build in a checkout
// (vcs.*), or else the commit and time a pseudo-version encodes. What is
// still unknown is left empty.
func (b BuildInfo) resolve(info *debug.BuildInfo) BuildInfo {
	if info == nil {
		info = &debug.BuildInfo{}
	}
	if b.Version == "" {
		b.Version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision" && b.Commit == "":
			b.Commit = s.Value
		case s.Key == "vcs.time" && b.Date == "":
			b.Date = s.Value
		}
	}
	if commit, date, ok := pseudoVersion(b.Version); ok {
		if b.Commit == "" {
			b.Commit = commit
		}
		if b.Date == "" {
			b.Date = date
		}
	}
	if b.Version == "" {
		b.Version = "(devel)"
	}
	return b
}

// pseudoVersion returns the commit and the time (RFC 3339) a Go
// pseudo-version such as v0.0.0-20261204192457-9d85e00abcde names.
func pseudoVersion(v string) (commit, date string, ok bool) {
	v, _, _ = strings.Cut(v, "+") // +dirty, +incompatible
	parts := strings.Split(v, "-")
	if len(parts) < 3 {
		return "", "", false
	}
	commit, stamp := parts[len(parts)-1], parts[len(parts)-2]
	if i := strings.LastIndexByte(stamp, '.'); i >= 0 {
		stamp = stamp[i+1:] // v1.2.4-0.20261204192457-…
	}
	t, err := time.Parse("20060102150405", stamp)
	if err != nil || len(commit) != 12 || strings.Trim(commit, "0123456789abcdef") != "" {
		return "", "", false
	}
	return commit, t.UTC().Format(time.RFC3339), true
}
