// Package diff compares heap snapshots: DevTools' Comparison view between
// two snapshots (objects matched by node id, per class), the same by class
// totals when the snapshots come from different processes, and, over three
// or more snapshots of one process, memlab-style leak candidates and the
// classes, collections and listener lists that grow at every step.
//
// Snapshots are analyzed one at a time. Each is reduced to a Census — node
// ids, per-class members (id and adjusted self size), Summary totals and the
// growth facts — and its graph is released before the next one is loaded,
// so comparing snapshots needs little more memory than analyzing the
// largest of them.
package diff

import (
	"cmp"
	"slices"

	"github.com/heapsnap/heapsnap/internal/analysis"
)

// Census is what a comparison keeps of a snapshot after its graph is gone.
type Census struct {
	File      string
	Nodes     int
	Edges     int
	TotalSize uint64 // DevTools' total (root retained + extra native bytes)
	// IDs holds every node id, sorted.
	IDs []uint32
	// Classes are the Summary rows (public class keys with members), in the
	// order DevTools' aggregates object lists them: by first member.
	Classes []Class
	// Facts are the growth facts: listener lists, collections, detached DOM.
	Facts Facts

	byKey map[string]int
	// Members of class c are memberID/memberSize[start[c]:start[c+1]],
	// sorted by id: the nodes with adjusted self size > 0 of the class that
	// owns the public key (DevTools' idxs with sortedIndexes).
	start      []uint32
	memberID   []uint32
	memberSize []uint32
}

// Class is one Summary row of a snapshot.
type Class struct {
	Key      string
	Name     string
	Count    int
	Self     uint64
	Retained uint64
	// DiffName is the name DevTools gives the class when it is found only in
	// the base snapshot of a comparison: the class name, under the base's own
	// interface definitions, of the member with the largest id. It equals
	// Name unless the census was made after Reclassify.
	DiffName string
}

// Class returns the class with the public key, if any.
func (c *Census) Class(key string) (*Class, bool) {
	i, ok := c.byKey[key]
	if !ok {
		return nil, false
	}
	return &c.Classes[i], true
}

// members returns the ids and adjusted self sizes of class i, by id.
func (c *Census) members(i int) ([]uint32, []uint32) {
	a, b := c.start[i], c.start[i+1]
	return c.memberID[a:b], c.memberSize[a:b]
}

// HasID reports whether the snapshot has a node with the id.
func (c *Census) HasID(id uint32) bool {
	_, ok := slices.BinarySearch(c.IDs, id)
	return ok
}

// NewCensus reduces an analysis to a census. If the result was
// reclassified (analysis.Result.Reclassify), origClass and origClasses are
// its class assignment from before, for DevTools' naming of classes found
// only in a comparison's base; otherwise pass nil.
func NewCensus(file string, r *analysis.Result, origClass []uint32, origClasses []analysis.Class) *Census {
	s := r.Snap
	c := &Census{File: file, Nodes: s.NodeCount, Edges: s.EdgeCount, TotalSize: r.TotalSize, byKey: map[string]int{}}
	c.IDs = slices.Clone(s.NodeID)
	slices.Sort(c.IDs)

	// Public keys in DevTools' insertion order: a key takes the position of
	// the first member of any class with that key, and its value is the
	// last such class (the one not Shadowed).
	keys := make([]string, len(r.Classes))
	for id := range r.Classes {
		if r.Classes[id].Count > 0 {
			keys[id] = r.ClassKey(&r.Classes[id])
		}
	}
	public := make([]int32, len(r.Classes)) // class id → row, -1 for none
	for i := range public {
		public[i] = -1
	}
	for i, size := range s.NodeSelfSize {
		if size == 0 {
			continue
		}
		id := r.Class[i]
		key := keys[id]
		row, ok := c.byKey[key]
		if !ok {
			row = len(c.Classes)
			c.byKey[key] = row
			c.Classes = append(c.Classes, Class{Key: key})
		}
		if cl := &r.Classes[id]; !cl.Shadowed && public[id] < 0 {
			public[id] = int32(row)
			name := r.ClassName(cl)
			c.Classes[row] = Class{Key: key, Name: name, DiffName: name, Count: cl.Count, Self: cl.Self, Retained: cl.Retained}
		}
	}

	c.start = make([]uint32, len(c.Classes)+1)
	for i, size := range s.NodeSelfSize {
		if size != 0 && public[r.Class[i]] >= 0 {
			c.start[public[r.Class[i]]+1]++
		}
	}
	for i := 1; i < len(c.start); i++ {
		c.start[i] += c.start[i-1]
	}
	n := c.start[len(c.Classes)]
	c.memberID = make([]uint32, n)
	c.memberSize = make([]uint32, n)
	order := make([]uint32, n) // node ordinals, grouped by class
	fill := slices.Clone(c.start[:len(c.Classes)])
	for i, size := range s.NodeSelfSize {
		if size != 0 && public[r.Class[i]] >= 0 {
			row := public[r.Class[i]]
			order[fill[row]] = uint32(i)
			fill[row]++
		}
	}
	for row := range c.Classes {
		seg := order[c.start[row]:c.start[row+1]]
		slices.SortStableFunc(seg, func(a, b uint32) int { return cmp.Compare(s.NodeID[a], s.NodeID[b]) })
		for k, i := range seg {
			c.memberID[int(c.start[row])+k] = s.NodeID[i]
			c.memberSize[int(c.start[row])+k] = s.NodeSelfSize[i]
		}
		if origClass != nil && len(seg) > 0 {
			last := seg[len(seg)-1]
			c.Classes[row].DiffName = s.Strings.String(origClasses[origClass[last]].NameIndex)
		}
	}
	return c
}
