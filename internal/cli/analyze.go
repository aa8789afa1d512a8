package cli

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/heapsnap/heapsnap/internal/report"
)

func (a *app) newAnalyzeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "analyze FILE",
		Short: "Summarize a snapshot: statistics, classes and the largest objects",
		Long: `Analyze reads one heap snapshot and reports what Chrome DevTools would show for
it: the total size, the Statistics view, the Summary view's classes (constructors)
with count, shallow size, retained size and distance, and the objects that
retain the most. Every number equals DevTools'.

Sizes in tables use DevTools' decimal units (1 kB = 1000 bytes); JSON carries
exact byte counts. A distance of "-" means unreachable from user roots.
` + exitStatusHelp,
		Example: `  heapsnap analyze heap.heapsnapshot
  heapsnap analyze heap.heapsnapshot.gz --top 50 --sort shallow
  heapsnap analyze heap.heapsnapshot --format json | jq '.classes[0]'`,
		Args: exactArgs(1, "one snapshot file"),
	}
	f := cmd.Flags()
	f.StringP("format", "f", "table", "output format: table, json or markdown")
	f.Int("top", 25, "number of classes to list (0 lists all)")
	f.String("sort", "retained", "order classes by: "+strings.Join(report.SortKeys, ", "))
	f.Int("largest", 10, "number of largest objects to list")
	a.bindFlags(cmd, "analyze")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		format := a.v.GetString("analyze.format")
		if err := formatFlag(format, "table", "json", "markdown"); err != nil {
			return err
		}
		sort := a.v.GetString("analyze.sort")
		if !slices.Contains(report.SortKeys, sort) {
			return usagef("invalid --sort %q: use %s", sort, strings.Join(report.SortKeys, ", "))
		}
		top, largest := a.v.GetInt("analyze.top"), a.v.GetInt("analyze.largest")
		if top < 0 || largest < 0 {
			return usagef("--top and --largest must not be negative")
		}
		res, err := a.load(args[0])
		if err != nil {
			return err
		}
		rep := report.BuildAnalyze(res, report.AnalyzeOptions{
			File: displayName(args[0]), Top: top, Sort: sort, Largest: largest,
		})
		return report.WriteAnalyze(a.streams.Out, rep, report.Format(format))
	}
	return cmd
}
