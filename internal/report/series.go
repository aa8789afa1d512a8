package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/heapsnap/heapsnap/internal/units"
	"github.com/heapsnap/heapsnap/internal/views"
)

// writeSeries renders the report.
func writeSeries(w io.Writer, rep *views.Series, f Format, l Layout) error {
	p := &printer{w: w, f: f, l: l}
	what := "of one process"
	if rep.Matching == "classes" {
		what = "(not of one process)"
	}
	p.title(fmt.Sprintf("heapsnap diff: %d snapshots %s", len(rep.Snapshots), what))
	sg := Grid{Header: []string{"#", "Snapshot", "Nodes", "Total size", "Change", "Same ids"}, Align: []Align{Right, Left, Right, Right, Right, Right}}
	for k, s := range rep.Snapshots {
		change, same := "", ""
		if k > 0 {
			change = units.SignedBytes(int64(s.TotalSize) - int64(rep.Snapshots[k-1].TotalSize))
			st := rep.Steps[k-1]
			same = percent(int64(st.SameClass), uint64(st.SharedIDs))
		}
		sg.Add(fmt.Sprint(k+1), s.File, units.Count(s.Nodes), units.Bytes(s.TotalSize), change, same)
	}
	p.grid(&sg)
	if rep.Note != "" {
		p.printf("\n%s\n", noteLine(p.f, "Note: "+rep.Note))
	}

	steps := units.Plural(len(rep.Snapshots)-1, "step", "steps")
	p.section(fmt.Sprintf("Growing at every step (%s): %s, by size growth", steps, counted(len(rep.Growing), rep.GrowingCount, "found", "found")))
	if len(rep.Growing) == 0 {
		p.printf("nothing grew at every step\n")
	} else {
		g := Grid{
			Header: []string{"#", "Kind", "What", "Id", "Where", "Counts", "Per step", "Size growth"},
			Align:  []Align{Right, Left, Left, Right, Left, Left, Left, Right},
			Max:    []int{0, 0, 70, 0, pathWidth},
			Drop:   []int{0, 0, 0, 0, 0, 2, 1},
		}
		for i, r := range rep.Growing {
			// A class is where its constructor is; the others by their
			// owner path.
			where := string(r.Path)
			if r.Kind == "class" {
				where = r.Location
			}
			what := string(r.Title)
			if r.Detail != "" {
				what += ": " + string(r.Detail)
			}
			g.Add(fmt.Sprint(i+1), r.Kind, what, objectID(r.ID), pathCell(where), joinCounts(r.Counts), joinSteps(r.CountSteps), units.SignedBytes(r.SizeGrowth))
		}
		p.grid(&g)
	}

	p.section(fmt.Sprintf("Leak candidates: %s of objects new in snapshot 2 and still alive in snapshot %d",
		counted(len(rep.LeakCandidates), rep.CandidateCount, "group", "groups"), len(rep.Snapshots)))
	switch {
	case rep.Matching == "classes":
		p.printf("not computed: objects are followed by node id\n")
	case len(rep.LeakCandidates) == 0:
		p.printf("none\n")
	default:
		g := Grid{
			Header: []string{"#", "Class", "Count", "Retained", "Made at", "Per snapshot", "Retainer chain", "Example", "Its chain"},
			Align:  []Align{Right, Left, Right, Right, Left, Right, Left, Right, Left},
			Max:    []int{0, 40, 0, 0, 60, 0, pathWidth, 0, 60},
			Drop:   []int{0, 0, 0, 0, 0, 1, 0, 0, 2},
		}
		for i, c := range rep.LeakCandidates {
			g.Add(fmt.Sprint(i+1), string(c.Name), units.Count(c.Count), units.Bytes(c.RetainedSize), c.Created,
				joinCounts(c.Counts), pathCell(string(c.Shape)), objectID(c.ExampleID), string(c.Chain))
		}
		p.grid(&g)
		for i, c := range rep.LeakCandidates {
			if c.Allocated != nil {
				p.printf("%d. %s\n", i+1, oneLine(allocatedLine(c.Allocated)))
			}
		}
	}
	return p.err
}

func joinCounts(v []int) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = units.Count(x)
	}
	return strings.Join(parts, " → ")
}

func joinSteps(v []int64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = units.SignedCount(x)
	}
	return strings.Join(parts, ", ")
}
