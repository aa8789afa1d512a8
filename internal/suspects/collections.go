package suspects

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/heapsnap/heapsnap/internal/par"
	"github.com/heapsnap/heapsnap/internal/units"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// Collection types of CollectionEvidence.
const (
	TypeMap    = "Map"
	TypeSet    = "Set"
	TypeArray  = "Array"
	TypeObject = "object"
)

// CollectionSize is the number of entries of one collection.
type CollectionSize struct {
	Node    uint32
	Type    string // TypeMap, TypeSet, TypeArray or TypeObject
	Entries int
	// slots are the edges to the entries' keys and values.
	slots []uint32
}

// collectionSize counts node i's entries if it is a JS object, and the
// edges that lead to them. Entries without a heap reference (small
// integers in an Array, a Map from numbers to numbers) have no edge in a
// snapshot and are not counted.
func (f *finder) collectionSize(i uint32, min int) (CollectionSize, bool) {
	s := f.s
	if s.NodeType[i] != f.t.Object {
		return CollectionSize{}, false
	}
	name := s.NodeName[i]
	switch {
	case f.names.is(name, nMap) || f.names.is(name, nSet):
		table, ok := f.edgeTo(i, f.t.Internal, nTable)
		if !ok || int(s.FirstEdge[table+1]-s.FirstEdge[table]) < min {
			return CollectionSize{}, false
		}
		// The table's slots are internal edges named by index: the header,
		// the buckets, then per entry a key, a value (Map only) and a chain
		// link. The chain is a Smi, so a Map entry spans three indices and
		// a Set entry, whose value slot does not exist, one edge.
		c := CollectionSize{Node: i, Type: TypeSet}
		if f.names.is(name, nMap) {
			c.Type = TypeMap
		}
		var idx []int
		idx, c.slots = f.tableSlots(table)
		if c.Type == TypeSet || len(idx) == 0 {
			c.Entries = len(idx)
		} else {
			first := slices.Min(idx)
			for k := range idx {
				idx[k] = (idx[k] - first) / 3
			}
			slices.Sort(idx)
			c.Entries = len(slices.Compact(idx))
		}
		return c, c.Entries >= min
	case int(s.FirstEdge[i+1]-s.FirstEdge[i]) < min:
		return CollectionSize{}, false
	}
	c := CollectionSize{Node: i, Type: TypeObject}
	if f.names.is(name, nArray) {
		c.Type = TypeArray
	}
	for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
		switch s.EdgeType[e] {
		case f.t.Element:
			c.slots = append(c.slots, e)
		case f.t.Property:
			if c.Type == TypeObject && !f.names.is(s.EdgeName[e], nProto) {
				c.slots = append(c.slots, e)
			}
		}
	}
	c.Entries = len(c.slots)
	return c, c.Entries >= min
}

// collections flags Maps, Sets, Arrays and objects used as dictionaries
// with at least CollectionThreshold entries.
func (f *finder) collections() []*Suspect {
	// Sizing looks at every node: each core takes a range.
	parts := make([][]CollectionSize, par.Workers())
	par.Range(f.s.NodeCount, 1<<16, func(part, lo, hi int) {
		for i := uint32(lo); i < uint32(hi); i++ {
			if c, ok := f.collectionSize(i, f.o.CollectionThreshold); ok && !f.claimed[i] {
				parts[part] = append(parts[part], c)
			}
		}
	})
	var out []*Suspect
	for _, c := range slices.Concat(parts...) {
		i := c.Node
		class := f.className(i)
		values := f.valueClasses(c.slots)
		sus := &Suspect{
			Kind: Collection, Count: c.Entries, RetainedSize: f.r.Retained.At(i), ID: f.s.NodeID[i],
			Title:      fmt.Sprintf("%s with %s entries", class, units.Count(c.Entries)),
			Collection: &CollectionEvidence{Type: c.Type, Class: class, Entries: c.Entries, Values: values},
		}
		if c.Type == TypeObject {
			sus.Title = fmt.Sprintf("%s used as a dictionary, %s entries", class, units.Count(c.Entries))
		}
		if len(values) > 0 {
			sus.Detail = "holds"
			for k, v := range values {
				if k > 0 {
					sus.Detail += ","
				}
				sus.Detail += fmt.Sprintf(" %s ×%s", v.Class, units.Count(v.Count))
			}
		}
		f.wantPath(i, &sus.Path)
		out = append(out, sus)
	}
	return out
}

// valueClasses returns the three most common classes among the targets of
// the given edges.
func (f *finder) valueClasses(edges []uint32) []ClassCount {
	// Counted by class name: classes of the same name at different
	// source locations are one row here. Names are looked up once per
	// distinct name index, not once per entry.
	perName := map[uint32]int{}
	for _, e := range edges {
		perName[f.r.Classes[f.r.Class[f.s.EdgeTo[e]]].NameIndex]++
	}
	counts := map[string]int{}
	for name, n := range perName {
		counts[f.s.Strings.String(name)] += n
	}
	var out []ClassCount
	for c, n := range counts {
		out = append(out, ClassCount{Class: c, Count: n})
	}
	slices.SortFunc(out, func(a, b ClassCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Class, b.Class)
	})
	return out[:min(len(out), 3)]
}

// Collections lists every Map, Set, Array and object with at least min
// entries, in node order: the collections detector's input, also used to
// compare collection sizes between snapshots.
func Collections(r *devtools.Analysis, min int) []CollectionSize {
	f := newFinder(r, DefaultOptions())
	var out []CollectionSize
	for i := uint32(0); i < uint32(f.s.NodeCount); i++ {
		if c, ok := f.collectionSize(i, min); ok {
			c.slots = nil
			out = append(out, c)
		}
	}
	return out
}
