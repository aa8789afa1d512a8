package suspects

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/units"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// domNames are Blink node names (without "Detached ") that are DOM nodes
// although they do not look like a tag.
var domNames = []string{"Text", "Comment", "CDATASection", "DocumentFragment", "ShadowRoot", "DocumentType", "ProcessingInstruction", "Document"}

// isDOMName reports whether a native node name is a DOM node's: a start
// tag (Chromium ≥ 120 names elements "<div id=…>"), an HTML/SVG/MathML
// class name (older Chromium), or a text, comment, fragment or document
// node. Node.js's own natives ("Node / BindingData") are not DOM nodes,
// although Node reports some of them as detached.
func isDOMName(name string) bool {
	name = strings.TrimPrefix(name, "Detached ")
	if strings.HasPrefix(name, "<") || strings.HasPrefix(name, "HTML") || strings.HasPrefix(name, "SVG") || strings.HasPrefix(name, "MathML") {
		return true
	}
	return slices.Contains(domNames, name)
}

// detachedTree is a connected set of detached DOM nodes.
type detachedTree struct {
	root    uint32
	members []uint32
}

// detachedDOM groups detached DOM nodes into trees (connected over
// non-weak edges between them) and reports trees held from the same place
// together.
func (f *finder) detachedDOM() []*Suspect {
	s := f.s
	r := f.r
	var members []uint32
	index := map[uint32]int32{}
	for i := uint32(0); i < uint32(s.NodeCount); i++ {
		if s.NodeType[i] != f.t.Native || r.DOMState[i] != devtools.DOMDetached {
			continue
		}
		if isDOMName(string(s.NodeNameBytes(i))) {
			index[i] = int32(len(members))
			members = append(members, i)
		}
	}
	if len(members) == 0 {
		return nil
	}
	// Union-find over edges between members; Blink links parents and
	// children both ways, so out-edges suffice.
	parent := make([]int32, len(members))
	for k := range parent {
		parent[k] = int32(k)
	}
	findSet := func(k int32) int32 {
		for parent[k] != k {
			parent[k] = parent[parent[k]]
			k = parent[k]
		}
		return k
	}
	for k, i := range members {
		for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
			if s.EdgeType[e] == f.t.Weak {
				continue
			}
			if j, ok := index[s.EdgeTo[e]]; ok {
				a, b := findSet(int32(k)), findSet(j)
				if a != b {
					parent[max(a, b)] = min(a, b)
				}
			}
		}
	}
	trees := map[int32]*detachedTree{}
	var order []int32
	for k, i := range members {
		set := findSet(int32(k))
		t := trees[set]
		if t == nil {
			t = &detachedTree{root: i}
			trees[set] = t
			order = append(order, set)
		}
		t.members = append(t.members, i)
		// The tree's root is the node that retains the most: the one
		// JavaScript holds, which keeps the rest alive.
		if r.Retained.At(i) > r.Retained.At(t.root) {
			t.root = i
		}
	}
	// Trees with roots of the same class held from the same place, up to
	// array indices (leakedPanels[0], leakedPanels[1], …), form one
	// suspect. Their owner paths are needed for that, so they are found
	// here rather than with the other suspects' paths.
	var roots []uint32
	for _, set := range order {
		roots = append(roots, trees[set].root)
	}
	chains := retainers.Owners(r, nil, roots, f.o.PathDepth)
	type groupKey struct {
		class   uint32
		pattern string
	}
	type group struct {
		trees []*detachedTree
		paths []string
	}
	groups := map[groupKey]*group{}
	var keys []groupKey
	for k, set := range order {
		t := trees[set]
		path := f.o.Names.Path(chains[k])
		key := groupKey{r.Class[t.root], retainers.PathShape(path)}
		g := groups[key]
		if g == nil {
			g = &group{}
			groups[key] = g
			keys = append(keys, key)
		}
		g.trees = append(g.trees, t)
		g.paths = append(g.paths, path)
	}
	var out []*Suspect
	for _, key := range keys {
		g := groups[key]
		nodes := 0
		var retained uint64
		var fns []uint32
		ev := &DetachedEvidence{}
		roots := map[uint32]bool{}
		for _, t := range g.trees {
			roots[t.root] = true
		}
		for k, t := range g.trees {
			nodes += len(t.members)
			if !f.dominatedByAny(t.root, roots) {
				retained += r.Retained.At(t.root)
			}
			for _, m := range t.members {
				for _, e := range f.nodeEvents(m) {
					fns = append(fns, e.Functions...)
				}
			}
			ev.Trees = append(ev.Trees, DetachedTree{
				Root: s.Strings.String(s.NodeName[t.root]), ID: s.NodeID[t.root],
				Nodes: len(t.members), RetainedSize: r.Retained.At(t.root), Path: g.paths[k],
			})
		}
		if nodes < f.o.MinDetachedNodes {
			continue
		}
		slices.SortStableFunc(ev.Trees, func(a, b DetachedTree) int {
			if c := cmp.Compare(b.RetainedSize, a.RetainedSize); c != 0 {
				return c
			}
			return cmp.Compare(a.ID, b.ID)
		})
		ev.Listeners = f.groupFunctions(fns, nil)
		what := "tree"
		path := ev.Trees[0].Path
		if len(g.trees) > 1 {
			what, path = "trees", key.pattern
		}
		root := strings.Replace(f.className(g.trees[0].root), "Detached ", "detached ", 1)
		sus := &Suspect{
			Kind: DetachedDOM, Count: nodes, RetainedSize: retained, ID: ev.Trees[0].ID, DetachedDOM: ev, Path: path,
			Title: fmt.Sprintf("%s %s %s with %s", units.Count(len(g.trees)), root, what, units.Plural(nodes, "DOM node", "DOM nodes")),
		}
		if len(fns) > 0 {
			sus.Detail = fmt.Sprintf("%s event listeners on them, %s", units.Count(len(fns)), describeGroups(len(fns), ev.Listeners))
		}
		out = append(out, sus)
	}
	return out
}

// nodeEvents returns the event listeners registered on DOM node i.
func (f *finder) nodeEvents(i uint32) []Event {
	s := f.s
	var out []Event
	for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
		if s.EdgeType[e] != f.t.Weak && f.names.is(s.NodeName[s.EdgeTo[e]], nEventTargetData) {
			out = f.domEvents(i, s.EdgeTo[e], out)
		}
	}
	return out
}

// dominatedByAny reports whether one of the nodes in set is a proper
// dominator of i, so that i's retained size is already counted in it.
// Dominator chains can be millions long; the walk gives up after a
// thousand steps.
func (f *finder) dominatedByAny(i uint32, set map[uint32]bool) bool {
	root := f.s.Root()
	for steps := 0; steps < 1000 && i != root; steps++ {
		i = f.r.Dominator[i]
		if set[i] {
			return true
		}
	}
	return false
}
