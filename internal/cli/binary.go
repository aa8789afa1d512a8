package cli

import (
	"fmt"
	"os"

	"golang.org/x/term"

	"github.com/heapsnap/heapsnap/internal/report"
	"github.com/heapsnap/heapsnap/internal/suspects"
	"github.com/heapsnap/heapsnap/internal/views"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// writeBinary writes a view in a binary format (pprof) to stdout, unless
// stdout is a terminal, which binary would garble.
func (a *app) writeBinary(f report.Format, v any) error {
	if file, ok := a.streams.Out.(*os.File); ok && term.IsTerminal(int(file.Fd())) {
		return usagef("the %s format writes binary data: redirect the output to a file (> heap.pb.gz)", f)
	}
	return report.Write(a.streams.Out, f, v)
}

// writeHTMLReport writes check's HTML report: the budgets' results over
// the snapshot's overview, with every kind of suspect at check's
// thresholds.
func writeHTMLReport(path string, res *devtools.Analysis, rep *views.Check, detectors suspects.Options) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing HTML report: %w", err)
	}
	o := views.BuildOverview(res, devtools.NewDominatorTree(res), views.AnalyzeOptions{
		File: rep.File, Top: 25, Sort: views.SortKeys[0], Largest: 10,
		SuspectKinds: suspects.Kinds, Suspects: suspects.Find(res, detectors),
	}, rep)
	if err := report.Write(f, report.HTML, o); err != nil {
		f.Close()
		return fmt.Errorf("writing HTML report %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing HTML report %s: %w", path, err)
	}
	return nil
}
