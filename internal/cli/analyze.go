package cli

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/heapsnap/heapsnap/internal/report"
	"github.com/heapsnap/heapsnap/internal/suspects"
	"github.com/heapsnap/heapsnap/internal/views"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

func (a *app) newAnalyzeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "analyze FILE",
		Short: "Summarize a snapshot: statistics, classes and the largest objects",
		Long: `Analyze reads one heap snapshot and reports what Chrome DevTools would show
for it: the total size, the Statistics view, the Summary view's classes
(constructors) with count, shallow size, retained size and distance, and the
objects that retain the most. Every number equals DevTools'.

It also looks for leak suspects, ranked by retained size (see docs/suspects.md):

  listeners          an event with more listeners than --listener-threshold on
                     one Node.js EventEmitter or EventTarget (AbortSignal, …) or
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
  timers             a callback with at least --min-timers timers pending
  promises           a pending promise with at least --min-reactions
                     reactions waiting on it

--suspects selects the detectors (a comma-separated list of the kinds above,
"all" or "none"); --suspects-only prints only that section.

Sizes in tables use DevTools' decimal units (1 kB = 1000 bytes); JSON carries
exact byte counts. A distance of "-" means unreachable from user roots. Byte
thresholds accept units: 1MB, 512kB, 1MiB.
` + exitStatusHelp,
		Example: `  heapsnap analyze heap.heapsnapshot
  heapsnap analyze heap.heapsnapshot.gz --top 50 --sort shallow
  heapsnap analyze heap.heapsnapshot --format json | jq '.classes[0]'
  heapsnap analyze heap.heapsnapshot --suspects-only --listener-threshold 50
  heapsnap analyze heap.heapsnapshot --suspects collection --collection-threshold 1000`,
		Args: exactArgs(1, "one snapshot file"),
	}
	addAnalyzeFlags(cmd.Flags(), "retained", "order classes by: "+strings.Join(views.SortKeys, ", "))
	a.bindFlags(cmd, "analyze")
	completeChoices(cmd, "sort", views.SortKeys)
	completeChoices(cmd, "suspects", append([]string{"all", "none"}, suspectKinds...))
	cmd.RunE = runE(a, a.analyzeOptions, a.analyze)
	return cmd
}

// analyzeOptions are the settings of `heapsnap analyze`.
type analyzeOptions struct {
	file         string
	format       report.Format
	top, largest int
	sort         string
	suspects     suspectSelection
	suspectsOnly bool
}

// addAnalyzeFlags defines the flags of analyze's report (capture has them
// too), with the default and help of --sort.
func addAnalyzeFlags(f *pflag.FlagSet, sortDefault, sortHelp string) {
	f.StringP("format", "f", "table", "output format: table, json, markdown, html (one self-contained page) or pprof (a gzipped profile.proto of the dominator tree by class)")
	f.Int("top", 25, "number of classes to list (0 lists all)")
	f.String("sort", sortDefault, sortHelp)
	f.Int("largest", 10, "number of largest objects to list")
	addSuspectFlags(f)
}

func (a *app) analyzeOptions(args []string) (*analyzeOptions, error) {
	st := a.settings("analyze")
	o := a.readAnalyzeOptions(st, args[0])
	return o, st.err
}

// readAnalyzeOptions reads the settings addAnalyzeFlags defines from a
// command's section, for the snapshot file names.
func (a *app) readAnalyzeOptions(st *settings, file string) *analyzeOptions {
	return &analyzeOptions{
		file:         file,
		format:       st.format(formats["analyze"]...),
		top:          st.count("top", 0),
		sort:         st.oneOf("sort", views.SortKeys),
		largest:      st.count("largest", 0),
		suspects:     a.suspectOptions(st),
		suspectsOnly: st.flag("suspects-only"),
	}
}

func (a *app) analyze(o *analyzeOptions) error {
	res, err := a.load(o.file)
	if err != nil {
		return err
	}
	return a.reportAnalysis(res, o)
}

// reportAnalysis writes analyze's report of an analyzed snapshot.
func (a *app) reportAnalysis(res *devtools.Analysis, o *analyzeOptions) error {
	trace := a.tracer()
	trace.step("suspects")
	defer trace.step("")
	found := a.findSuspects(res, o.suspects)
	trace.step("report")
	switch {
	case o.format == report.PProf:
		return a.writeBinary(report.PProf, views.BuildProfile(res, displayName(o.file), 0))
	case o.format == report.HTML && !o.suspectsOnly:
		return a.write(o.format, views.BuildOverview(res, a.dominatorTree(res), a.analyzeView(o, found), nil))
	}
	if o.suspectsOnly {
		return a.write(o.format, &views.SuspectsReport{
			SchemaVersion: views.SchemaVersion, File: displayName(o.file), TotalSize: res.TotalSize,
			SuspectKinds: o.suspects.kinds(), Suspects: append([]suspects.Suspect{}, found...),
		})
	}
	return a.write(o.format, views.BuildAnalyze(res, a.analyzeView(o, found)))
}

func (a *app) analyzeView(o *analyzeOptions, found []suspects.Suspect) views.AnalyzeOptions {
	return views.AnalyzeOptions{
		File: displayName(o.file), Top: o.top, Sort: o.sort, Largest: o.largest,
		SuspectKinds: o.suspects.kinds(), Suspects: found,
	}
}
