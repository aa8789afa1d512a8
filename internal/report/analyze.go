package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/heapsnap/heapsnap/internal/units"
	"github.com/heapsnap/heapsnap/internal/views"
)

// writeAnalyze renders the report.
func writeAnalyze(w io.Writer, rep *views.Analyze, f Format, l Layout) error {
	p := &printer{w: w, f: f, l: l}
	p.title("heapsnap analyze: " + rep.File)
	head := [][2]string{
		{"Format", describeFormat(rep.Format)},
		{"Nodes", units.Count(rep.Nodes)},
		{"Edges", units.Count(rep.Edges)},
		{"Total size", fmt.Sprintf("%s (%s bytes)", units.Bytes(rep.TotalSize), units.Count(rep.TotalSize))},
	}
	if u := rep.Unreachable; u.WeakOnly+u.Cycles > 0 {
		head = append(head, [2]string{"Unreachable", fmt.Sprintf("%s with only weak retainers, %s in unreachable cycles",
			units.Plural(u.WeakOnly, "node", "nodes"), units.Count(u.Cycles))})
	}
	p.fields(head)
	p.suspects(rep.SuspectKinds, rep.Suspects, rep.TotalSize)

	p.section("Statistics")
	st := rep.Statistics
	stats := Grid{Header: []string{"Category", "Size", "%"}, Align: []Align{Left, Right, Right}}
	for _, row := range []struct {
		name string
		v    int64
	}{
		{"Code", int64(st.Code)}, {"Strings", int64(st.Strings)}, {"JS arrays", int64(st.JSArrays)},
		{"Typed arrays", int64(st.TypedArrays)}, {"System objects", int64(st.System)},
		{"Other JS objects", st.OtherJSObjects}, {"Other non-JS objects", st.OtherNonJSObjects},
		{"Total", int64(st.Total)},
	} {
		stats.Add(row.name, signedBytesPlain(row.v), percent(row.v, st.Total))
	}
	p.grid(&stats)

	what := "by retained size"
	switch rep.Sort {
	case "shallow":
		what = "by shallow size"
	case "count":
		what = "by count"
	}
	p.section(fmt.Sprintf("Top %d of %s classes %s", len(rep.Classes), units.Count(rep.ClassCount), what))
	classes := Grid{
		Header: []string{"#", "Class", "Count", "Shallow", "Retained", "%", "Distance"},
		Align:  []Align{Right, Left, Right, Right, Right, Right, Right},
		Max:    []int{0, 60},
	}
	for i, c := range rep.Classes {
		classes.Add(fmt.Sprint(i+1), string(c.Name), units.Count(c.Count), units.Bytes(c.ShallowSize),
			units.Bytes(c.RetainedSize), percent(int64(c.RetainedSize), rep.TotalSize), Distance(c.Distance))
	}
	p.grid(&classes)

	if len(rep.Largest) > 0 {
		p.section("Largest objects by retained size")
		objs := Grid{
			Header: []string{"#", "Id", "Class", "Name", "Shallow", "Retained", "%", "Distance"},
			Align:  []Align{Right, Right, Left, Left, Right, Right, Right, Right},
			Max:    []int{0, 0, 40, 40},
		}
		for i, o := range rep.Largest {
			objs.Add(fmt.Sprint(i+1), fmt.Sprintf("@%d", o.ID), string(o.Class), string(o.Name),
				units.Bytes(o.ShallowSize), units.Bytes(o.RetainedSize), percent(int64(o.RetainedSize), rep.TotalSize), Distance(o.Distance))
		}
		p.grid(&objs)
	}
	return p.err
}

func signedBytesPlain(v int64) string {
	if v < 0 {
		return units.SignedBytes(v)
	}
	return units.Bytes(uint64(v))
}

func percent(v int64, total uint64) string {
	if total == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", float64(v)*100/float64(total))
}

func describeFormat(f views.SnapshotFormat) string {
	var extras []string
	for _, name := range []string{"detachedness", "trace_node_id"} {
		if slices.Contains(f.NodeFields, name) {
			extras = append(extras, name)
		}
	}
	s := fmt.Sprintf("V8 heap snapshot, %d node fields", len(f.NodeFields))
	if len(extras) > 0 {
		s += " (" + strings.Join(extras, ", ") + ")"
	}
	s += fmt.Sprintf(", %d node types", len(f.NodeTypes))
	if f.Locations {
		s += ", locations"
	}
	return s
}

// printer writes titled sections in table or Markdown form, keeping the
// first error.
type printer struct {
	w       io.Writer
	f       Format
	l       Layout
	err     error
	started bool
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *printer) title(s string) {
	if p.f == Markdown {
		p.printf("# %s\n\n", escapeMarkdown(s))
	} else {
		p.printf("%s\n\n", s)
	}
	p.started = true
}

func (p *printer) section(s string) {
	if p.f == Markdown {
		p.printf("\n## %s\n\n", escapeMarkdown(s))
	} else {
		p.printf("\n%s\n", s)
	}
}

func (p *printer) grid(g *Grid) {
	if p.err == nil {
		p.err = g.Render(p.w, p.f, p.l)
	}
}

// clip bounds text outside tables (headings, fields) to n columns, unless
// the layout is wide.
func (p *printer) clip(s string, n int) string {
	if p.l.Wide {
		return s
	}
	return Shorten(s, n)
}

// fields writes "name: value" lines: aligned in a table, a list in
// Markdown.
func (p *printer) fields(kv [][2]string) {
	width := 0
	for _, f := range kv {
		width = max(width, len(f[0]))
	}
	for _, f := range kv {
		if p.f == Markdown {
			p.printf("- **%s:** %s\n", escapeMarkdown(f[0]), escapeMarkdown(f[1]))
		} else {
			p.printf("%-*s  %s\n", width, f[0], oneLine(f[1]))
		}
	}
}
