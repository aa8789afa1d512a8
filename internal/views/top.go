package views

import (
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
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

// BuildTop lists the root's biggest dominated objects and, to o.Depth
// levels, theirs.
func BuildTop(r *devtools.Analysis, t *devtools.DominatorTree, o TopOptions) *Top {
	rep := &Top{SchemaVersion: SchemaVersion, File: o.File, TotalSize: r.TotalSize, Depth: o.Depth, Limit: o.Limit}
	root := r.Snapshot.Root()
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
func edgeFrom(r *devtools.Analysis, a, b uint32) string {
	s := r.Snapshot
	for e := s.FirstEdge[a]; e < s.FirstEdge[a+1]; e++ {
		if s.EdgeTo[e] == b && s.EdgeType[e] != s.Types.Weak {
			return r.EdgeLabel(e)
		}
	}
	return ""
}
