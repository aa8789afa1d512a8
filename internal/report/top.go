package report

import (
	"fmt"
	"io"

	"github.com/heapsnap/heapsnap/internal/units"
	"github.com/heapsnap/heapsnap/internal/views"
)

// writeTop renders the report.
func writeTop(w io.Writer, rep *views.Top, f Format, l Layout) error {
	p := &printer{w: w, f: f, l: l}
	p.title("heapsnap top: " + rep.File)
	p.fields([][2]string{{"Total size", fmt.Sprintf("%s (%s bytes)", units.Bytes(rep.TotalSize), units.Count(rep.TotalSize))}})
	p.section(fmt.Sprintf("Dominator tree by retained size (%d levels, %d objects per level)", rep.Depth+1, rep.Limit))
	g := Grid{
		Header: []string{"Retained", "%", "Shallow", "Object", "Id", "Dominated"},
		Align:  []Align{Right, Right, Right, Left, Right, Right},
		Max:    []int{0, 0, 0, 80},
	}
	// Rows in tree order, with the depth shown by indentation.
	type item struct {
		n     *views.TopNode
		depth int
	}
	var stack []item
	for k := len(rep.Objects) - 1; k >= 0; k-- {
		stack = append(stack, item{&rep.Objects[k], 0})
	}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		label := objectLabel(it.n.ObjectRow)
		if it.n.Edge != "" {
			label = string(it.n.Edge) + "  " + label
		}
		g.Add(units.Bytes(it.n.RetainedSize), percent(int64(it.n.RetainedSize), rep.TotalSize), units.Bytes(it.n.ShallowSize),
			indent(it.depth)+label, objectID(it.n.ID), units.Count(it.n.ChildCount))
		for k := len(it.n.Children) - 1; k >= 0; k-- {
			stack = append(stack, item{&it.n.Children[k], it.depth + 1})
		}
	}
	p.grid(&g)
	return p.err
}
