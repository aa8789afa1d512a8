package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/heapsnap/heapsnap/internal/analysis"
	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/units"
)

// Top is the report of `heapsnap top`: the dominator tree from the top.
type Top struct {
	SchemaVersion int       `json:"schema_version"`
	File          string    `json:"file"`
	TotalSize     uint64    `json:"total_size"`
	Depth         int       `json:"depth"`
	Limit         int       `json:"limit"`
	Objects       []TopNode `json:"objects"`
}

// TopNode is an object of the dominator tree with the objects it
// dominates that retain the most.
type TopNode struct {
	ObjectRow
	// Edge is how the dominator refers to the object, when it does so
	// directly (DevTools' notation); empty otherwise.
	Edge Name `json:"edge,omitempty"`
	// ChildCount is the number of objects this one immediately dominates;
	// Children holds the biggest.
	ChildCount int       `json:"child_count"`
	Children   []TopNode `json:"children,omitempty"`
}

// TopOptions selects what the report includes.
type TopOptions struct {
	File  string
	Depth int // levels below the top
	Limit int // objects per level
}

// DominatorTree is the dominator tree's children lists (CSR), each sorted
// by retained size (descending), then id.
type DominatorTree struct {
	r        *analysis.Result
	first    []uint32
	children []uint32
	sorted   []uint64 // bit i: node i's children are sorted
}

// NewDominatorTree builds the children lists: 8 bytes per node.
func NewDominatorTree(r *analysis.Result) *DominatorTree {
	n := uint32(r.Snap.NodeCount)
	root := r.Snap.Root()
	first := make([]uint32, n+1)
	for i, d := range r.Dominator {
		if uint32(i) != root {
			first[d]++
		}
	}
	for i := uint32(1); i <= n; i++ {
		first[i] += first[i-1]
	}
	children := make([]uint32, first[n])
	for i := int64(n) - 1; i >= 0; i-- {
		if uint32(i) != root {
			d := r.Dominator[i]
			first[d]--
			children[first[d]] = uint32(i)
		}
	}
	return &DominatorTree{r: r, first: first, children: children, sorted: make([]uint64, (n+63)/64)}
}

// Children returns the nodes i immediately dominates, biggest first. Lists
// are sorted when first asked for: a report visits few of them.
func (t *DominatorTree) Children(i uint32) []uint32 {
	c := t.children[t.first[i]:t.first[i+1]]
	if t.sorted[i/64]&(1<<(i%64)) == 0 {
		r := t.r
		slices.SortFunc(c, func(a, b uint32) int {
			if c := cmp.Compare(r.Retained.At(b), r.Retained.At(a)); c != 0 {
				return c
			}
			return cmp.Compare(r.Snap.NodeID[a], r.Snap.NodeID[b])
		})
		t.sorted[i/64] |= 1 << (i % 64)
	}
	return c
}

// BuildTop lists the root's biggest dominated objects and, to o.Depth
// levels, theirs.
func BuildTop(r *analysis.Result, t *DominatorTree, o TopOptions) *Top {
	rep := &Top{SchemaVersion: SchemaVersion, File: o.File, TotalSize: r.TotalSize, Depth: o.Depth, Limit: o.Limit}
	root := r.Snap.Root()
	// The tree is walked level by level with an explicit stack of
	// pending children, never recursively: it can be millions deep.
	type frame struct {
		node  uint32
		depth int
		into  *[]TopNode
	}
	build := func(i uint32) TopNode {
		return TopNode{ObjectRow: displayObject(r, i), Edge: Name(edgeFrom(r, r.Dominator[i], i)), ChildCount: len(t.Children(i))}
	}
	rep.Objects = []TopNode{}
	stack := []frame{{root, 0, &rep.Objects}}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		kids := t.Children(f.node)
		if o.Limit > 0 && len(kids) > o.Limit {
			kids = kids[:o.Limit]
		}
		*f.into = make([]TopNode, len(kids))
		for k, c := range kids {
			(*f.into)[k] = build(c)
		}
		if f.depth+1 > o.Depth {
			continue
		}
		for k := len(kids) - 1; k >= 0; k-- {
			stack = append(stack, frame{kids[k], f.depth + 1, &(*f.into)[k].Children})
		}
	}
	return rep
}

// edgeFrom returns the label of the first non-weak edge from a to b, or
// "" when a refers to b only indirectly.
func edgeFrom(r *analysis.Result, a, b uint32) string {
	s := r.Snap
	weak := s.Meta.EdgeTypeIndex("weak")
	for e := s.FirstEdge[a]; e < s.FirstEdge[a+1]; e++ {
		if s.EdgeTo[e] == b && int(s.EdgeType[e]) != weak {
			return retainers.EdgeLabel(r, e)
		}
	}
	return ""
}

// WriteTop renders the report.
func WriteTop(w io.Writer, rep *Top, f Format) error {
	if f == JSON {
		return WriteJSON(w, rep)
	}
	p := &printer{w: w, f: f}
	p.title("heapsnap top: " + rep.File)
	p.fields([][2]string{{"Total size", fmt.Sprintf("%s (%s bytes)", units.Bytes(rep.TotalSize), units.Count(rep.TotalSize))}})
	p.section(fmt.Sprintf("Dominator tree by retained size (%d levels, %d objects per level)", rep.Depth+1, rep.Limit))
	g := Grid{
		Header: []string{"Retained", "%", "Shallow", "Object", "Id", "Dominated"},
		Align:  []Align{Right, Right, Right, Left, Right, Right},
	}
	// Rows in tree order, with the depth shown by indentation.
	type item struct {
		n     *TopNode
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
		// Tables trim cells, so depth is drawn with dots, not spaces.
		indent := strings.Repeat("· ", it.depth)
		g.Add(units.Bytes(it.n.RetainedSize), percent(int64(it.n.RetainedSize), rep.TotalSize), units.Bytes(it.n.ShallowSize),
			indent+Clip(label, 80), fmt.Sprintf("@%d", it.n.ID), units.Count(it.n.ChildCount))
		for k := len(it.n.Children) - 1; k >= 0; k-- {
			stack = append(stack, item{&it.n.Children[k], it.depth + 1})
		}
	}
	p.grid(&g)
	return p.err
}
