package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/heapsnap/heapsnap/internal/diff"
	"github.com/heapsnap/heapsnap/internal/report"
	"github.com/heapsnap/heapsnap/internal/views"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

var matchModes = []string{string(diff.MatchAuto), string(diff.MatchIDs), string(diff.MatchClasses)}

func (a *app) newDiffCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "diff OLD NEW | diff S1 S2 S3...",
		Short: "Compare snapshots: what grew, and what grows at every step",
		Long: `Diff compares heap snapshots of one process, oldest first.

With two snapshots it shows Chrome DevTools' Comparison view of NEW against
OLD, identical to it: per class, objects are matched by node id; # New and
Alloc. Size count objects only in NEW, # Deleted and Freed Size those only
in OLD, and # Delta and Size Delta their difference. As DevTools does, OLD's
plain objects are re-categorised with NEW's interface names ({a, b}) first,
and only objects with a non-zero shallow size take part. Beside DevTools'
columns come each class's retained size in both snapshots and its change,
the total size of each snapshot, every EventEmitter event's listener count
old → new, the collections (Array, Map, Set) whose entry count grew, and
new detached DOM nodes.

Snapshots of two different processes cannot be matched by id: diff detects
this (objects under the same id have different classes) and compares class
totals instead, with a note.

With three or more snapshots it reports what grows at every step (listener
counts, collection sizes, class counts, with the numbers in each snapshot),
ranked by size growth, so that a slow leak stands out from churn that is
freed again; and leak candidates as memlab finds them: objects absent from
the first snapshot, present in the second and still alive in the last,
grouped by class and retainer-chain shape and ranked by retained size, each
group with an example and its chain.

Snapshots are loaded one at a time and reduced to what the comparison
needs, so diff needs little more memory than analyzing the largest one.

--sort alloc is DevTools' default order (Alloc. Size, then name). --match
auto compares by node id when the snapshots come from one process, else by
class totals; ids always matches by node id, as DevTools does; classes
always compares class totals.
` + exitStatusHelp,
		Example: `  heapsnap diff before.heapsnapshot after.heapsnapshot
  heapsnap diff before.heapsnapshot after.heapsnapshot --sort alloc --top 0 --format json
  heapsnap diff s1.heapsnapshot s2.heapsnapshot s3.heapsnapshot s4.heapsnapshot`,
		Args: rangeArgs(2, -1, "two or more snapshot files"),
	}
	f := cmd.Flags()
	f.StringP("format", "f", "table", "output format: table, json or markdown (JSON carries exact byte counts)")
	f.String("sort", devtools.SortSizeDelta, "order of the class rows of a two-snapshot diff: "+strings.Join(devtools.ComparisonSorts, ", "))
	f.Int("top", 25, "rows per list (0 lists all)")
	f.String("match", string(diff.MatchAuto), "how objects are matched: "+strings.Join(matchModes, ", "))
	a.bindFlags(cmd, "diff")
	completeChoices(cmd, "sort", devtools.ComparisonSorts)
	completeChoices(cmd, "match", matchModes)
	cmd.RunE = runE(a, a.diffOptions, a.diff)
	return cmd
}

// diffOptions are the settings of `heapsnap diff`.
type diffOptions struct {
	files  []string
	format report.Format
	sort   string
	top    int
	match  diff.Mode
}

func (a *app) diffOptions(args []string) (*diffOptions, error) {
	st := a.settings("diff")
	o := &diffOptions{
		files:  args,
		format: st.format(),
		sort:   st.oneOf("sort", devtools.ComparisonSorts),
		top:    st.count("top", 0),
		match:  diff.Mode(st.oneOf("match", matchModes)),
	}
	if st.err == nil && countStdin(args) > 1 {
		return nil, usagef("standard input (-) can be read only once")
	}
	return o, st.err
}

func (a *app) diff(o *diffOptions) error {
	a.loadTotal = len(o.files)
	names := make([]string, len(o.files))
	for i, p := range o.files {
		names[i] = displayName(p)
	}
	return a.compare(o, names, a.loadNamed)
}

// compare writes diff's report of the snapshots o.files, which load reads
// (in the order the comparison needs them) and names calls as the report
// does: two are a pair, more a series.
func (a *app) compare(o *diffOptions, names []string, load diff.Loader) error {
	if len(o.files) == 2 {
		p, err := diff.ComparePair(o.files[0], o.files[1], load, o.match)
		if err != nil {
			return err
		}
		return a.write(o.format, views.BuildDiff(p, views.DiffOptions{Old: names[0], New: names[1], Sort: o.sort, Top: o.top}))
	}
	s, err := diff.CompareSeries(o.files, load, o.match)
	if err != nil {
		return err
	}
	return a.write(o.format, views.BuildSeries(s, names, o.top))
}

func countStdin(args []string) int {
	n := 0
	for _, a := range args {
		if a == "-" {
			n++
		}
	}
	return n
}
