package report

import (
	"fmt"
	"io"

	"github.com/heapsnap/heapsnap/internal/units"
	"github.com/heapsnap/heapsnap/internal/views"
)

// writeShow renders the report.
func writeShow(w io.Writer, rep *views.Show, f Format, l Layout) error {
	p := &printer{w: w, f: f, l: l}
	p.title("heapsnap show: " + rep.File)
	o := rep.Object
	fields := [][2]string{
		{"Object", fmt.Sprintf("@%d", o.ID)},
		{"Type", o.Type},
		{"Class", string(o.Class)},
	}
	if o.Name != "" {
		fields = append(fields, [2]string{"Name", p.clip(string(o.Name), 200)})
	}
	fields = append(fields, [][2]string{
		{"Shallow size", fmt.Sprintf("%s (%s bytes)", units.Bytes(o.ShallowSize), units.Count(o.ShallowSize))},
		{"Retained size", fmt.Sprintf("%s (%s bytes)", units.Bytes(o.RetainedSize), units.Count(o.RetainedSize))},
		{"Distance", Distance(o.Distance)},
	}...)
	if rep.Location != "" {
		fields = append(fields, [2]string{"Location", rep.Location})
	}
	fields = append(fields, [2]string{"Owner path", rep.Path})
	p.fields(fields)

	if len(rep.AllocationStack) > 0 {
		p.section(fmt.Sprintf("Allocation stack (%s)", units.Plural(len(rep.AllocationStack), "frame", "frames")))
		g := Grid{Header: []string{"#", "Function", "Location"}, Align: []Align{Right, Left, Left}, Max: []int{0, 60}}
		for k, fr := range rep.AllocationStack {
			name := string(fr.Function)
			if name == "" {
				name = "(anonymous)"
			}
			g.Add(fmt.Sprint(k+1), name, fr.Location.String())
		}
		p.grid(&g)
	}

	p.section(fmt.Sprintf("Dominators, up to the root (%d)", len(rep.Dominators)))
	doms := Grid{Header: []string{"#", "Object", "Id", "Distance", "Retained"}, Align: []Align{Right, Left, Right, Right, Right}, Max: []int{0, 70}}
	for k, d := range rep.Dominators {
		doms.Add(fmt.Sprint(k+1), objectLabel(d), objectID(d.ID), Distance(d.Distance), units.Bytes(d.RetainedSize))
	}
	p.grid(&doms)
	if rep.DominatorsMore {
		p.printf("%s\n", p.text(fmt.Sprintf("… cut after %d dominators", len(rep.Dominators))))
	}

	p.section(fmt.Sprintf("References by retained size (%d of %s)", len(rep.References), units.Count(rep.EdgeCount)))
	refs := Grid{Header: []string{"#", "Edge", "Object", "Id", "Shallow", "Retained"}, Align: []Align{Right, Left, Left, Right, Right, Right}, Max: []int{0, 40, 60}}
	for k, ref := range rep.References {
		refs.Add(fmt.Sprint(k+1), string(ref.Edge), objectLabel(ref.Object), objectID(ref.Object.ID),
			units.Bytes(ref.Object.ShallowSize), units.Bytes(ref.Object.RetainedSize))
	}
	p.grid(&refs)
	p.retainerList(rep.Retainers, rep.RetainerCount)
	return p.err
}
