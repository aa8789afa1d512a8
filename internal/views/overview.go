package views

import (
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// Overview is the one-file report (analyze --format html, check --html):
// the analyze report, the top of the dominator tree, and, from check, the
// budgets' results.
type Overview struct {
	*Analyze
	Tree  *Top   `json:"dominator_tree"`
	Check *Check `json:"check,omitempty"`
}

// Overview's tree: levels below the top, and the share of the heap under
// which an object is left out (its box would be too narrow to read).
const (
	overviewDepth    = 6
	overviewMinShare = 500 // 1/500 = 0.2 %
)

// BuildOverview assembles the overview; check is nil outside check.
func BuildOverview(r *devtools.Analysis, t *devtools.DominatorTree, o AnalyzeOptions, check *Check) *Overview {
	return &Overview{
		Analyze: BuildAnalyze(r, o),
		Tree:    BuildTop(r, t, TopOptions{File: o.File, Depth: overviewDepth, MinSize: max(1, r.TotalSize/overviewMinShare)}),
		Check:   check,
	}
}
