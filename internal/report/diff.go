package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/heapsnap/heapsnap/internal/units"
	"github.com/heapsnap/heapsnap/internal/views"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// writeDiff renders the report.
func writeDiff(w io.Writer, rep *views.Diff, f Format) error {
	p := &printer{w: w, f: f}
	p.title("heapsnap diff: " + rep.Old.File + " → " + rep.New.File)
	matching := fmt.Sprintf("by node id, as DevTools' Comparison view (%s of %s objects under shared ids have the same class)",
		units.Count(rep.IDAgreement.SameClass), units.Count(rep.IDAgreement.SharedIDs))
	if rep.Matching == "classes" {
		matching = "by class totals (different processes)"
	}
	p.fields([][2]string{
		{"Old", fmt.Sprintf("%s: %s nodes, %s", rep.Old.File, units.Count(rep.Old.Nodes), units.Bytes(rep.Old.TotalSize))},
		{"New", fmt.Sprintf("%s: %s nodes, %s", rep.New.File, units.Count(rep.New.Nodes), units.Bytes(rep.New.TotalSize))},
		{"Total size", fmt.Sprintf("%s (%s bytes)", units.SignedBytes(rep.TotalSizeDelta), units.SignedCount(rep.TotalSizeDelta))},
		{"Matching", matching},
	})
	if rep.Note != "" {
		p.printf("\n%s\n", noteLine(p.f, "Note: "+rep.Note))
	}

	p.section(fmt.Sprintf("Classes: %d of %s changed, %s", len(rep.Classes), units.Count(rep.ClassCount), sortDescription(rep.Sort)))
	g := Grid{
		Header: []string{"#", "Class", "# New", "# Deleted", "# Delta", "Alloc. Size", "Freed Size", "Size Delta", "Retained old", "Retained new", "Retained Δ"},
		Align:  []Align{Right, Left, Right, Right, Right, Right, Right, Right, Right, Right, Right},
	}
	for i, c := range rep.Classes {
		g.Add(fmt.Sprint(i+1), Clip(string(c.Name), 50), optCount(c.NewCount), optCount(c.DeletedCount), units.SignedCount(c.DeltaCount),
			optBytes(c.AllocSize), optBytes(c.FreedSize), units.SignedBytes(c.SizeDelta),
			units.Bytes(c.OldRetainedSize), units.Bytes(c.NewRetainedSize), units.SignedBytes(c.RetainedSizeDelta))
	}
	t := rep.Totals
	g.Add("", "Total", optCount(t.NewCount), optCount(t.DeletedCount), units.SignedCount(t.DeltaCount), optBytes(t.AllocSize), optBytes(t.FreedSize),
		units.SignedBytes(t.SizeDelta), units.Bytes(rep.Old.TotalSize), units.Bytes(rep.New.TotalSize), units.SignedBytes(rep.TotalSizeDelta))
	p.grid(&g)

	p.section("EventEmitter listeners (old → new)")
	if len(rep.Listeners) == 0 {
		p.printf("none\n")
	} else {
		lg := Grid{
			Header: []string{"#", "Event", "Emitter", "Owner path", "Old", "New", "Δ", "Retained new", "Listener"},
			Align:  []Align{Right, Left, Left, Left, Right, Right, Right, Right, Left},
		}
		for i, l := range rep.Listeners {
			lg.Add(fmt.Sprint(i+1), Clip(string(l.Event), 30), Clip(string(l.Emitter), 30), pathCell(string(l.Path)), units.Count(l.OldCount), units.Count(l.NewCount),
				units.SignedCount(int64(l.DeltaCount)), units.Bytes(l.NewRetainedSize), Clip(string(l.Listener), 70))
		}
		p.grid(&lg)
	}

	p.section("Collections that grew")
	if rep.Matching == "classes" {
		p.printf("not compared: collections are matched by node id\n")
	} else if len(rep.Collections) == 0 {
		p.printf("none\n")
	} else {
		cg := Grid{
			Header: []string{"#", "Kind", "Owner path", "Old", "New", "Δ", "Retained old", "Retained new"},
			Align:  []Align{Right, Left, Left, Right, Right, Right, Right, Right},
		}
		for i, c := range rep.Collections {
			cg.Add(fmt.Sprint(i+1), c.Kind, pathCell(string(c.Path)), units.Count(c.OldCount), units.Count(c.NewCount), units.SignedCount(int64(c.NewCount-c.OldCount)),
				units.Bytes(c.OldRetainedSize), units.Bytes(c.NewRetainedSize))
		}
		p.grid(&cg)
	}

	p.section("New detached DOM nodes")
	if len(rep.NewDetached) == 0 {
		p.printf("none\n")
	} else {
		dg := Grid{Header: []string{"Class", "Count", "Retained"}, Align: []Align{Left, Right, Right}}
		for _, d := range rep.NewDetached {
			dg.Add(Clip(string(d.Class), 60), units.Count(d.Count), units.Bytes(d.RetainedSize))
		}
		p.grid(&dg)
	}
	return p.err
}

func sortDescription(sort string) string {
	switch sort {
	case devtools.SortAlloc:
		return "by Alloc. Size (DevTools' order)"
	case devtools.SortName:
		return "by name"
	}
	return "by " + strings.ReplaceAll(sort, "-", " ")
}

func optCount(v *int) string {
	if v == nil {
		return "-"
	}
	return units.Count(*v)
}

func optBytes(v *uint64) string {
	if v == nil {
		return "-"
	}
	return units.Bytes(*v)
}

func pathCell(p string) string {
	if p == "" {
		return "-"
	}
	return Clip(p, 70)
}

// noteLine formats a note: plain text, or emphasized in Markdown.
func noteLine(f Format, s string) string {
	if f == Markdown {
		return "> " + escapeMarkdown(s)
	}
	return oneLine(s)
}
