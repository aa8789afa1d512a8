package cli

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/heapsnap/heapsnap/internal/report"
	"github.com/heapsnap/heapsnap/internal/suspects"
)

func (a *app) newAnalyzeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "analyze FILE",
		Short: "Summarize a snapshot: statistics, classes and the largest objects",
		Long: `Analyze reads one heap snapshot and reports what Chrome DevTools would show for
it: the total size, the Statistics view, the Summary view's classes (constructors)
with count, shallow size, retained size and distance, and the objects that
retain the most. Every number equals DevTools'.

It also looks for leak suspects, ranked by retained size (see docs/suspects.md):

  listeners          an event with more listeners than --max-listeners on one
                     Node.js EventEmitter or EventTarget (AbortSignal, …) or
                     DOM node, with the emitter's owner path, the listeners
                     grouped by function and source location (file:line:column)
                     and whether Node already warned (MaxListenersExceeded)
  detached-dom       detached DOM trees (browser snapshots), what holds them
                     and the listeners registered on them
  collection         a Map, Set, Array or dictionary-like object with at least
                     --collection-threshold entries
  duplicate-strings  one string held in many copies wasting at least
                     --min-duplicate-waste bytes
  closure            a function whose context retains at least
                     --min-context-size bytes

--suspects selects the detectors (a comma-separated list of the kinds above,
"all" or "none"); --suspects-only prints only that section.

Sizes in tables use DevTools' decimal units (1 kB = 1000 bytes); JSON carries
exact byte counts. A distance of "-" means unreachable from user roots. Byte
thresholds accept units: 1MB, 512kB, 1MiB.
` + exitStatusHelp,
		Example: `  heapsnap analyze heap.heapsnapshot
  heapsnap analyze heap.heapsnapshot.gz --top 50 --sort shallow
  heapsnap analyze heap.heapsnapshot --format json | jq '.classes[0]'
  heapsnap analyze heap.heapsnapshot --suspects-only --max-listeners 50
  heapsnap analyze heap.heapsnapshot --suspects collection --collection-threshold 1000`,
		Args: exactArgs(1, "one snapshot file"),
	}
	f := cmd.Flags()
	f.StringP("format", "f", "table", "output format: table, json or markdown")
	f.Int("top", 25, "number of classes to list (0 lists all)")
	f.String("sort", "retained", "order classes by: "+strings.Join(report.SortKeys, ", "))
	f.Int("largest", 10, "number of largest objects to list")
	addSuspectFlags(f)
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
		sopts, err := a.suspectOptions("analyze")
		if err != nil {
			return err
		}
		res, err := a.load(args[0])
		if err != nil {
			return err
		}
		trace := a.tracer()
		trace.step("suspects")
		defer trace.step("")
		found := a.findSuspects(res, sopts)
		trace.step("report")
		if a.v.GetBool("analyze.suspects_only") {
			return report.WriteSuspects(a.streams.Out, &report.SuspectsReport{
				SchemaVersion: report.SchemaVersion, File: displayName(args[0]), TotalSize: res.TotalSize,
				SuspectKinds: sopts.kinds(), Suspects: append([]suspects.Suspect{}, found...),
			}, report.Format(format))
		}
		rep := report.BuildAnalyze(res, report.AnalyzeOptions{
			File: displayName(args[0]), Top: top, Sort: sort, Largest: largest,
			SuspectKinds: sopts.kinds(), Suspects: found,
		})
		return report.WriteAnalyze(a.streams.Out, rep, report.Format(format))
	}
	return cmd
}
