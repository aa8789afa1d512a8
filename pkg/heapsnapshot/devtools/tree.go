package devtools

import (
	"cmp"
	"slices"

	"github.com/heapsnap/heapsnap/internal/bitset"
)

// DominatorTree is the dominator tree's children lists (CSR), each sorted
// by retained size (descending), then id: DevTools' buildDominatedNodes,
// in the order its Dominators view lists them.
type DominatorTree struct {
	r        *Analysis
	first    []uint32
	children []uint32
	sorted   bitset.Set // node i's children are sorted
}

// NewDominatorTree builds the children lists: 8 bytes per node.
func NewDominatorTree(r *Analysis) *DominatorTree {
	first, children := dominatedNodes(r.Dominator, r.Snapshot.Root(), nil)
	return &DominatorTree{r: r, first: first, children: children, sorted: bitset.New(r.Snapshot.NodeCount)}
}

// Children returns the nodes i immediately dominates, biggest first. The
// result aliases the tree. Lists are sorted when first asked for: a report
// visits few of them.
func (t *DominatorTree) Children(i uint32) []uint32 {
	c := t.children[t.first[i]:t.first[i+1]]
	if !t.sorted.Has(i) {
		r := t.r
		slices.SortFunc(c, func(a, b uint32) int {
			if c := cmp.Compare(r.Retained.At(b), r.Retained.At(a)); c != 0 {
				return c
			}
			return cmp.Compare(r.Snapshot.NodeID[a], r.Snapshot.NodeID[b])
		})
		t.sorted.Add(i)
	}
	return c
}

// ChildCount returns the number of nodes i immediately dominates.
func (t *DominatorTree) ChildCount(i uint32) int { return int(t.first[i+1] - t.first[i]) }

// dominatedNodes lays out the dominator tree's children lists: node d's
// children are children[first[d]:first[d+1]], in node order. The lists go
// in scratch when it is long enough.
func dominatedNodes(dominator []uint32, root uint32, scratch []uint32) (first, children []uint32) {
	n := uint32(len(dominator))
	first = make([]uint32, n+1)
	for i, d := range dominator {
		if uint32(i) != root {
			first[d]++
		}
	}
	// Running sums make first[d] the end of d's list; filling backwards
	// then leaves it at the start.
	for i := uint32(1); i <= n; i++ {
		first[i] += first[i-1]
	}
	children = scratch[:0]
	if uint32(cap(scratch)) < first[n] {
		children = make([]uint32, first[n])
	}
	children = children[:first[n]]
	for i := int64(n) - 1; i >= 0; i-- {
		if uint32(i) != root {
			d := dominator[i]
			first[d]--
			children[first[d]] = uint32(i)
		}
	}
	return first, children
}

// Largest returns the n nodes with the largest retained sizes, leaving
// out synthetic nodes (the root and the GC root groups), which are not
// objects. Ties go to the smaller id.
func (r *Analysis) Largest(n int) []uint32 {
	if n <= 0 {
		return nil
	}
	s := r.Snapshot
	better := func(a, b uint32) bool {
		if r.Retained.At(a) != r.Retained.At(b) {
			return r.Retained.At(a) > r.Retained.At(b)
		}
		return s.NodeID[a] < s.NodeID[b]
	}
	// A bounded insertion list: n is small and the scan touches each node
	// once.
	top := make([]uint32, 0, n+1)
	for i := range uint32(s.NodeCount) {
		if s.NodeType[i] == s.Types.Synthetic {
			continue
		}
		if len(top) == n && !better(i, top[n-1]) {
			continue
		}
		k, _ := slices.BinarySearchFunc(top, i, func(a, b uint32) int {
			if better(a, b) {
				return -1
			}
			return 1
		})
		top = slices.Insert(top, k, i)
		if len(top) > n {
			top = top[:n]
		}
	}
	return top
}
