package views

import (
	"cmp"
	"slices"

	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// Top is the report of `heapsnap top`: the dominator tree from the top.
type Top struct {
	SchemaVersion int    `json:"schema_version"`
	File          string `json:"file"`
	TotalSize     uint64 `json:"total_size"`
	Depth         int    `json:"depth"`
	Limit         int    `json:"limit"`
	MinSize       uint64 `json:"min_size,omitempty"`
	// LeftOut counts the subtrees the options left out of the levels
	// shown, besides those past Limit.
	LeftOut TopLeftOut `json:"left_out"`
	Objects []TopNode  `json:"objects"`
	// From is the object a subtree starts at (BuildSubtree), Dominators
	// are its dominators up to the root; neither is set from the root.
	From           *TopNode    `json:"from,omitempty"`
	Dominators     []ObjectRow `json:"dominators,omitempty"`
	DominatorsMore bool        `json:"dominators_truncated,omitempty"`
}

// TopLeftOut counts the subtrees a dominator tree report left out.
type TopLeftOut struct {
	// Internal subtrees start at a V8-internal object (SkipInternals);
	// InternalSize is what they retain.
	Internal     int    `json:"internal"`
	InternalSize uint64 `json:"internal_size"`
	// Small ones retain less than MinSize.
	Small int `json:"small"`
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
	Limit int // objects per level; 0 lists all
	// MinSize leaves out the objects that retain less: an icicle's boxes
	// too narrow to see.
	MinSize uint64
	// SkipInternals leaves out V8's own objects (code, internal arrays,
	// shapes, hidden objects: retainers.InternalNode, but not the synthetic
	// roots) and what only they keep alive, which a program cannot act on.
	SkipInternals bool
}

// BuildTop lists the root's biggest dominated objects and, to o.Depth
// levels, theirs.
func BuildTop(r *devtools.Analysis, t *devtools.DominatorTree, o TopOptions) *Top {
	rep := BuildSubtree(r, t, r.Snapshot.Root(), o)
	rep.From, rep.Dominators = nil, nil
	return rep
}

// BuildSubtree is BuildTop from node from instead of the root: the part
// of the dominator tree that from alone keeps alive, with from itself and
// its dominators (an icicle zoomed in on from).
func BuildSubtree(r *devtools.Analysis, t *devtools.DominatorTree, from uint32, o TopOptions) *Top {
	rep := &Top{SchemaVersion: SchemaVersion, File: o.File, TotalSize: r.TotalSize, Depth: o.Depth, Limit: o.Limit, MinSize: o.MinSize}
	rep.From = &TopNode{ObjectRow: displayObject(r, from), ChildCount: t.ChildCount(from)}
	if from != r.Snapshot.Root() {
		rep.From.Edge = Name(edgeFrom(r, r.Dominator[from], []uint32{from})[0])
	}
	rep.Dominators, rep.DominatorsMore = dominators(r, from)
	// The tree is walked level by level with an explicit stack of
	// pending children, never recursively: it can be millions deep.
	type frame struct {
		node  uint32
		depth int
		into  *[]TopNode
	}
	rep.Objects = []TopNode{}
	stack := []frame{{from, 0, &rep.Objects}}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		kids := t.Children(f.node)
		if o.MinSize > 0 {
			// Children come biggest first.
			n, _ := slices.BinarySearchFunc(kids, o.MinSize, func(c uint32, min uint64) int { return cmp.Compare(min, r.Retained.At(c)) })
			rep.LeftOut.Small += len(kids) - n
			kids = kids[:n]
		}
		if o.SkipInternals {
			kept := make([]uint32, 0, min(len(kids), max(o.Limit, 16)))
			for _, c := range kids {
				// Synthetic roots stay: in a browser's snapshot the GC
				// roots dominate the window and everything else.
				if s := r.Snapshot; s.NodeType[c] != s.Types.Synthetic && retainers.InternalNode(s, c) {
					rep.LeftOut.Internal++
					rep.LeftOut.InternalSize += r.Retained.At(c)
				} else {
					kept = append(kept, c)
				}
			}
			kids = kept
		}
		if o.Limit > 0 && len(kids) > o.Limit {
			kids = kids[:o.Limit]
		}
		*f.into = make([]TopNode, len(kids))
		labels := edgeFrom(r, f.node, kids)
		for k, c := range kids {
			(*f.into)[k] = TopNode{ObjectRow: displayObject(r, c), Edge: Name(labels[k]), ChildCount: t.ChildCount(c)}
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

// edgeFrom returns, for each of the nodes a dominates, the label of the
// first non-weak edge from a to it, or "" when a refers to it only
// indirectly. It reads a's edges once, however many nodes it is asked
// about: an array may dominate millions.
func edgeFrom(r *devtools.Analysis, a uint32, nodes []uint32) []string {
	s := r.Snapshot
	labels := make([]string, len(nodes))
	if len(nodes) == 0 {
		return labels
	}
	at := make(map[uint32]int, len(nodes))
	for k, n := range nodes {
		at[n] = k
	}
	for e := s.FirstEdge[a]; e < s.FirstEdge[a+1] && len(at) > 0; e++ {
		if k, ok := at[s.EdgeTo[e]]; ok && s.EdgeType[e] != s.Types.Weak {
			labels[k] = r.EdgeLabel(e)
			delete(at, s.EdgeTo[e])
		}
	}
	return labels
}
