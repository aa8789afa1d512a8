package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/heapsnap/heapsnap/internal/units"
	"github.com/heapsnap/heapsnap/internal/views"
)

// writeTop renders the report.
func writeTop(w io.Writer, rep *views.Top, f Format, l Layout) error {
	p := &printer{w: w, f: f, l: l}
	p.title("heapsnap top: " + rep.File)
	p.fields([][2]string{{"Total size", fmt.Sprintf("%s (%s bytes)", units.Bytes(rep.TotalSize), units.Count(rep.TotalSize))}})
	what := units.Plural(rep.Depth+1, "level", "levels")
	if rep.Limit > 0 {
		what += ", up to " + units.Plural(rep.Limit, "object", "objects") + " per level"
	}
	if rep.MinSize > 0 {
		what += ", each retaining at least " + units.Bytes(rep.MinSize)
	}
	p.section(fmt.Sprintf("Dominator tree by retained size (%s)", what))
	var left []string
	if lo := rep.LeftOut; lo.Internal > 0 {
		left = append(left, fmt.Sprintf("%s retaining %s (shown with --internals)",
			units.Plural(lo.Internal, "V8-internal subtree", "V8-internal subtrees"), units.Bytes(lo.InternalSize)))
	}
	if lo := rep.LeftOut; lo.Small > 0 {
		left = append(left, fmt.Sprintf("%s retaining less (shown with --min-share 0)", units.Plural(lo.Small, "object", "objects")))
	}
	if len(left) > 0 {
		p.printf("%s\n", p.text("Left out: "+strings.Join(left, "; ")))
		if p.f == Markdown {
			p.printf("\n") // a table cannot follow a paragraph's line
		}
	}
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
