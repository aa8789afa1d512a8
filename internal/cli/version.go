package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func (a *app) newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print heapsnap's version",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			b := a.build.resolve()
			_, err := fmt.Fprintf(a.streams.Out, "heapsnap %s\ncommit: %s\nbuilt: %s\ngo: %s %s/%s\n",
				b.Version, b.Commit, b.Date, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}

// resolve fills what ldflags left empty from the module's build
// information, which `go install module@version` records.
func (b BuildInfo) resolve() BuildInfo {
	info, ok := debug.ReadBuildInfo()
	if b.Version == "" {
		b.Version = "(devel)"
		if ok && info.Main.Version != "" {
			b.Version = info.Main.Version
		}
	}
	if ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.Commit == "" {
					b.Commit = s.Value
				}
			case "vcs.time":
				if b.Date == "" {
					b.Date = s.Value
				}
			}
		}
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if b.Date == "" {
		b.Date = "unknown"
	}
	return b
}
