package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/heapsnap/heapsnap/internal/units"
	"github.com/heapsnap/heapsnap/internal/views"
)

// writeRetainers renders the report.
func writeRetainers(w io.Writer, rep *views.Retainers, f Format, l Layout) error {
	p := &printer{w: w, f: f, l: l}
	p.heading("heapsnap retainers: " + rep.File)
	if rep.Class != "" {
		what := fmt.Sprintf("The %d biggest objects of class %s.", len(rep.Objects), rep.Class)
		if len(rep.Objects) == 1 {
			what = fmt.Sprintf("The biggest object of class %s.", rep.Class)
		}
		p.printf("\n%s\n", p.text(what))
	}
	for _, of := range rep.Objects {
		p.objectHeading(of.Object)
		for k, c := range of.Chains {
			what := fmt.Sprintf("Chain %d, %d edges", k+1, c.Length)
			if c.Length == 1 {
				what = fmt.Sprintf("Chain %d, 1 edge", k+1)
			}
			if k == 0 {
				what += ", the one DevTools expands"
			}
			if c.Truncated {
				what += ", cut at --depth"
			}
			p.section(what)
			p.printf("%s\n\n", p.text(c.Text))
			g := Grid{
				Header: []string{"#", "Edge", "Object", "Id", "Distance", "Retained"},
				Align:  []Align{Right, Left, Left, Right, Right, Right},
				Max:    []int{0, 40, 60},
			}
			internal := false
			for j, s := range c.Steps {
				obj := objectLabel(s.Object)
				if s.Internal {
					obj += " *"
					internal = true
				}
				g.Add(fmt.Sprint(j), string(s.Edge), obj, objectID(s.Object.ID),
					Distance(s.Object.Distance), units.Bytes(s.Object.RetainedSize))
			}
			p.grid(&g)
			if internal {
				p.printf("%s\n", p.text("* V8-internal step: an internal edge ({name}) or a system object"))
			}
		}
		p.retainerList(of.Retainers, of.RetainerCount)
	}
	return p.err
}

// objectHeading introduces one object.
func (p *printer) objectHeading(o views.ObjectRow) {
	p.section(fmt.Sprintf("%s @%d", p.clip(objectLabel(o), 80), o.ID))
	p.fields([][2]string{
		{"Type", o.Type},
		{"Class", string(o.Class)},
		{"Size", fmt.Sprintf("shallow %s, retained %s (%s bytes)", units.Bytes(o.ShallowSize), units.Bytes(o.RetainedSize), units.Count(o.RetainedSize))},
		{"Distance", Distance(o.Distance)},
	})
}

// retainerList writes the first rows of DevTools' Retainers view.
func (p *printer) retainerList(rows []views.RetainerRow, total int) {
	p.section(fmt.Sprintf("Retainers, in DevTools' order (%d of %s)", len(rows), units.Count(total)))
	if total == 0 {
		p.printf("%s\n", p.text("None: nothing but weak references or the root holds it."))
		return
	}
	g := Grid{
		Header: []string{"#", "Edge", "From", "Id", "Distance", "Retained"},
		Align:  []Align{Right, Left, Left, Right, Right, Right},
		Max:    []int{0, 40, 60},
	}
	for k, rt := range rows {
		g.Add(fmt.Sprint(k+1), string(rt.Edge), objectLabel(rt.Object), objectID(rt.Object.ID),
			Distance(rt.Distance), units.Bytes(rt.Object.RetainedSize))
	}
	p.grid(&g)
}

// objectLabel names an object in a table: its class, and its name when
// that says more ("Function formatSession", "Object {a, b}").
func objectLabel(o views.ObjectRow) string {
	name := oneLine(string(o.Name))
	switch {
	case name == "" || name == string(o.Class):
		return string(o.Class)
	case strings.HasPrefix(string(o.Class), "("):
		return name
	}
	return string(o.Class) + " " + name
}

// text escapes a line of prose for the output format.
func (p *printer) text(s string) string {
	if p.f == Markdown {
		return escapeMarkdown(s)
	}
	return oneLine(s)
}

// heading writes a report's title without the blank line title leaves,
// for reports whose first section follows at once.
func (p *printer) heading(s string) {
	if p.f == Markdown {
		p.printf("# %s\n", escapeMarkdown(s))
	} else {
		p.printf("%s\n", s)
	}
}
