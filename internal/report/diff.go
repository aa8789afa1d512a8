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
func writeDiff(w io.Writer, rep *views.Diff, f Format, l Layout) error {
	p := &printer{w: w, f: f, l: l}
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

	p.section("Classes: " + counted(len(rep.Classes), rep.ClassCount, "changed", "changed") + ", " + sortDescription(rep.Sort))
	g := Grid{
		Header: []string{"#", "Class", "# New", "# Deleted", "# Delta", "Alloc. Size", "Freed Size", "Size Delta", "Retained old", "Retained new", "Retained Δ"},
		Align:  []Align{Right, Left, Right, Right, Right, Right, Right, Right, Right, Right, Right},
		Max:    []int{0, 50},
		// On a narrow terminal DevTools' own columns stay longest.
		Drop: []int{0, 0, 3, 2, 0, 3, 2, 0, 1, 1, 0},
	}
	for i, c := range rep.Classes {
		g.Add(fmt.Sprint(i+1), string(c.Name), optCount(c.NewCount), optCount(c.DeletedCount), units.SignedCount(c.DeltaCount),
			optBytes(c.AllocSize), optBytes(c.FreedSize), units.SignedBytes(c.SizeDelta),
			units.Bytes(c.OldRetainedSize), units.Bytes(c.NewRetainedSize), units.SignedBytes(c.RetainedSizeDelta))
	}
	t := rep.Totals
	g.Add("", "Total", optCount(t.NewCount), optCount(t.DeletedCount), units.SignedCount(t.DeltaCount), optBytes(t.AllocSize), optBytes(t.FreedSize),
		units.SignedBytes(t.SizeDelta), units.Bytes(rep.Old.TotalSize), units.Bytes(rep.New.TotalSize), units.SignedBytes(rep.TotalSizeDelta))
	p.grid(&g)

	p.section("EventEmitter listeners, old → new: " + counted(len(rep.Listeners), rep.ListenerCount, "event", "events"))
	if len(rep.Listeners) == 0 {
		p.printf("none\n")
	} else {
		lg := Grid{
			Header: []string{"#", "Event", "Emitter", "Id", "Owner path", "Old", "New", "Δ", "Retained new", "Listener"},
			Align:  []Align{Right, Left, Left, Right, Left, Right, Right, Right, Right, Left},
			Max:    []int{0, 30, 30, 0, pathWidth, 0, 0, 0, 0, 70},
			Drop:   []int{0, 0, 1, 0, 0, 0, 0, 0, 1},
		}
		for i, l := range rep.Listeners {
			lg.Add(fmt.Sprint(i+1), string(l.Event), string(l.Emitter), objectID(l.EmitterID), pathCell(string(l.Path)), units.Count(l.OldCount), units.Count(l.NewCount),
				units.SignedCount(int64(l.DeltaCount)), units.Bytes(l.NewRetainedSize), string(l.Listener))
		}
		p.grid(&lg)
	}

	what := "Collections that grew"
	if rep.Matching != "classes" {
		what += ": " + counted(len(rep.Collections), rep.CollectionCount, "collection", "collections")
	}
	p.section(what)
	if rep.Matching == "classes" {
		p.printf("not compared: collections are matched by node id\n")
	} else if len(rep.Collections) == 0 {
		p.printf("none\n")
	} else {
		cg := Grid{
			Header: []string{"#", "Kind", "Id", "Owner path", "Old", "New", "Δ", "Retained old", "Retained new"},
			Align:  []Align{Right, Left, Right, Left, Right, Right, Right, Right, Right},
			Max:    []int{0, 0, 0, pathWidth},
		}
		for i, c := range rep.Collections {
			cg.Add(fmt.Sprint(i+1), c.Kind, objectID(c.ID), pathCell(string(c.Path)), units.Count(c.OldCount), units.Count(c.NewCount), units.SignedCount(int64(c.NewCount-c.OldCount)),
				units.Bytes(c.OldRetainedSize), units.Bytes(c.NewRetainedSize))
		}
		p.grid(&cg)
	}

	p.section("New detached DOM nodes")
	if len(rep.NewDetached) == 0 {
		p.printf("none\n")
	} else {
		dg := Grid{Header: []string{"Class", "Count", "Retained"}, Align: []Align{Left, Right, Right}, Max: []int{60}}
		for _, d := range rep.NewDetached {
			dg.Add(string(d.Class), units.Count(d.Count), units.Bytes(d.RetainedSize))
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

// pathWidth bounds an owner path's cell.
const pathWidth = 70

func pathCell(p string) string {
	if p == "" {
		return "-"
	}
	return p
}

// objectID is an Id cell: the object's id as DevTools writes it, which
// retainers and show take.
func objectID(id uint32) string {
	if id == 0 {
		return "-"
	}
	return fmt.Sprintf("@%d", id)
}

// counted is a section's count of what there is and, when a limit
// (--top) left some out, of what it shows: "36 changed, top 25 shown".
func counted(n, total int, one, many string) string {
	s := units.Plural(total, one, many)
	if n < total {
		s += fmt.Sprintf(", top %s shown", units.Count(n))
	}
	return s
}

// noteLine formats a note: plain text, or emphasized in Markdown.
func noteLine(f Format, s string) string {
	if f == Markdown {
		return "> " + escapeMarkdown(s)
	}
	return oneLine(s)
}
