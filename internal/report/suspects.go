package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/heapsnap/heapsnap/internal/suspects"
	"github.com/heapsnap/heapsnap/internal/units"
	"github.com/heapsnap/heapsnap/internal/views"
)

// writeSuspects renders the suspects alone.
func writeSuspects(w io.Writer, rep *views.SuspectsReport, f Format, l Layout) error {
	p := &printer{w: w, f: f, l: l}
	p.title("heapsnap analyze: " + rep.File)
	p.fields([][2]string{{"Total size", fmt.Sprintf("%s (%s bytes)", units.Bytes(rep.TotalSize), units.Count(rep.TotalSize))}})
	p.suspects(rep.SuspectKinds, rep.Suspects, rep.TotalSize)
	return p.err
}

// maxEvidenceRows bounds the evidence lines printed per suspect; JSON has
// all of them.
const maxEvidenceRows = 5

// suspects writes the Suspects section: a ranked table, then each
// suspect's owner, size and evidence.
func (p *printer) suspects(kinds []suspects.Kind, list []suspects.Suspect, total uint64) {
	p.section(fmt.Sprintf("Suspects (%d)", len(list)))
	switch {
	case len(kinds) == 0:
		p.printf("Not searched (--suspects none).\n")
		return
	case len(list) == 0:
		p.printf("No leak suspects above the thresholds.\n")
		return
	}
	g := Grid{
		Header: []string{"#", "Kind", "Count", "Retained", "%", "Id", "Suspect"},
		Align:  []Align{Right, Left, Right, Right, Right, Right, Left},
		Max:    []int{0, 0, 0, 0, 0, 0, 110},
	}
	for i, s := range list {
		what := s.Title
		if s.Path != "" {
			what += " at " + s.Path
		}
		g.Add(fmt.Sprint(i+1), string(s.Kind), units.Count(s.Count), units.Bytes(s.RetainedSize),
			percent(int64(s.RetainedSize), total), objectID(suspectID(&s)), what)
	}
	p.grid(&g)
	p.printf("\n")
	for i, s := range list {
		var lines []string
		if s.Path != "" {
			where := "at " + s.Path
			if s.Kind == suspects.DuplicateStrings {
				where = "one copy at " + s.Path
			}
			if id := suspectID(&s); id != 0 {
				where += fmt.Sprintf(" (@%d)", id)
			}
			lines = append(lines, where)
		}
		lines = append(lines, fmt.Sprintf("retains %s (%s bytes)", units.Bytes(s.RetainedSize), units.Count(s.RetainedSize)))
		if s.Detail != "" {
			lines = append(lines, s.Detail)
		}
		if s.Allocated != nil {
			lines = append(lines, allocatedLine(s.Allocated))
		}
		lines = append(lines, evidenceLines(&s)...)
		if p.f == Markdown {
			p.printf("%d. **%s** (%s)\n", i+1, escapeMarkdown(s.Title), s.Kind)
			for _, l := range lines {
				p.printf("   - %s\n", escapeMarkdown(l))
			}
		} else {
			p.printf("%d. %s [%s]\n", i+1, oneLine(s.Title), s.Kind)
			for _, l := range lines {
				p.printf("   %s\n", oneLine(l))
			}
		}
	}
}

// suspectID is the id of the one object a suspect is about, 0 when its
// path stands for many ([*]).
func suspectID(s *suspects.Suspect) uint32 {
	if strings.Contains(s.Path, "[*]") {
		return 0
	}
	return s.ID
}

// evidenceLines lists a suspect's kind-specific evidence, a few rows at
// most.
func evidenceLines(s *suspects.Suspect) []string {
	var out []string
	more := func(n int, what string) {
		if n > maxEvidenceRows {
			out = append(out, fmt.Sprintf("… and %s more %s", units.Count(n-maxEvidenceRows), what))
		}
	}
	switch {
	case s.Listeners != nil && len(s.Listeners.Groups) > 1:
		for i, g := range s.Listeners.Groups {
			if i == maxEvidenceRows {
				break
			}
			out = append(out, functionLine(g))
		}
		more(len(s.Listeners.Groups), "functions")
	case s.DetachedDOM != nil:
		for i, t := range s.DetachedDOM.Trees {
			if i == maxEvidenceRows {
				break
			}
			out = append(out, fmt.Sprintf("tree %s @%d: %s, retains %s, at %s", Shorten(t.Root, 60), t.ID, units.Plural(t.Nodes, "node", "nodes"), units.Bytes(t.RetainedSize), t.Path))
		}
		more(len(s.DetachedDOM.Trees), "trees")
	case s.Strings != nil:
		out = append(out, fmt.Sprintf("value (%s characters): %s", units.Count(s.Strings.Length), s.Strings.Value))
	}
	return out
}

func functionLine(g suspects.FunctionGroup) string {
	line := fmt.Sprintf("%s × %s", units.Count(g.Count), g.Function)
	if loc := g.Location.String(); loc != "" {
		line += " at " + loc
	}
	if g.Once > 0 {
		line += fmt.Sprintf(" (%s with once)", units.Count(g.Once))
	}
	return line
}

// allocatedFrames is how many frames of an allocation stack a suspect
// shows, from the first in the program's code.
const allocatedFrames = 3

// allocatedLine writes where a suspect's objects were allocated:
// "allocated by processOrders at … ← main at … (4,000 of 4,000)".
func allocatedLine(a *suspects.Allocation) string {
	stack := a.Stack[max(a.User, 0):]
	parts := make([]string, 0, allocatedFrames)
	for _, f := range stack[:min(len(stack), allocatedFrames)] {
		parts = append(parts, f.String())
	}
	return fmt.Sprintf("allocated by %s (%s of %s)", strings.Join(parts, " ← "), units.Count(a.Count), units.Count(a.Of))
}
