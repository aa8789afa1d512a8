package suspects

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/heapsnap/heapsnap/internal/par"
	"github.com/heapsnap/heapsnap/internal/retainers"
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
	// keys and values are the edges to the entries' keys (a Map's, a
	// Set's members, an object's properties, whose names are the keys) and
	// values (a Map's, an Array's elements, an object's properties).
	keys, values []uint32
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
		idx, slots := f.tableSlots(table)
		if c.Type == TypeSet || len(idx) == 0 {
			c.Entries = len(idx)
			c.keys = slots
		} else {
			// The first written slot is the first entry's key (a small
			// integer key is not written: its entry counts by its value).
			first := slices.Min(idx)
			for k := range idx {
				if (idx[k]-first)%3 == 0 {
					c.keys = append(c.keys, slots[k])
				} else {
					c.values = append(c.values, slots[k])
				}
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
			c.values = append(c.values, e)
		case f.t.Property:
			if c.Type == TypeObject && !f.names.is(s.EdgeName[e], nProto) {
				c.keys = append(c.keys, e)
				c.values = append(c.values, e)
			}
		}
	}
	c.Entries = len(c.values)
	return c, c.Entries >= min
}

// collections flags Maps, Sets, Arrays and objects used as dictionaries
// that hold at least CollectionThreshold entries, or at least
// MinCollectionEntries and CollectionShare percent of the heap. A
// collection flagged for its share must hang from a variable of the
// program: the runtime's own tables (Node's built-in module map, its
// primordials) are large in a small heap and are not the program's leak.
func (f *finder) collections() []*Suspect {
	o := f.o
	share := uint64(o.CollectionShare / 100 * float64(f.r.TotalSize))
	least := min(o.MinCollectionEntries, o.CollectionThreshold)
	// Sizing looks at every node: each core takes a range.
	parts := make([][]CollectionSize, par.Workers())
	par.Range(f.s.NodeCount, 1<<16, func(part, lo, hi int) {
		for i := uint32(lo); i < uint32(hi); i++ {
			c, ok := f.collectionSize(i, least)
			if ok && !f.claimed[i] && (c.Entries >= o.CollectionThreshold || f.r.Retained.At(i) >= share) && !f.isRegistry(c) {
				parts[part] = append(parts[part], c)
			}
		}
	})
	found := slices.Concat(parts...)
	nodes := make([]uint32, len(found))
	for k, c := range found {
		nodes[k] = c.Node
	}
	chains := retainers.Owners(f.r, nil, nodes, o.PathDepth)
	var out []*Suspect
	for k, c := range found {
		path, user := o.Names.UserPath(chains[k])
		if c.Entries < o.CollectionThreshold && !user {
			continue
		}
		i := c.Node
		class := f.className(i)
		if c.Type == TypeSet {
			c.values = c.keys // a Set's members are what it holds
		}
		values := f.valueClasses(c.values)
		sus := &Suspect{
			Kind: Collection, Count: c.Entries, RetainedSize: f.r.Retained.At(i), ID: f.s.NodeID[i], Path: path,
			Title:      fmt.Sprintf("%s with %s entries", class, units.Count(c.Entries)),
			Collection: &CollectionEvidence{Type: c.Type, Class: class, Entries: c.Entries, Values: values, Keys: f.keyPatterns(c)},
		}
		if c.Type == TypeObject {
			sus.Title = fmt.Sprintf("%s used as a dictionary, %s entries", class, units.Count(c.Entries))
		}
		var parts []string
		if keys := sus.Collection.Keys; len(keys) > 0 {
			parts = append(parts, fmt.Sprintf("keys like %s", keys[0].Class))
		}
		if len(values) > 0 {
			var vs []string
			for _, v := range values {
				vs = append(vs, fmt.Sprintf("%s ×%s", v.Class, units.Count(v.Count)))
				sus.Holds = append(sus.Holds, Held{Name: "(value)", Class: v.Class, Count: v.Count})
			}
			parts = append(parts, "holds "+strings.Join(vs, ", "))
		}
		for _, e := range c.values {
			sus.accumulated = append(sus.accumulated, f.s.EdgeTo[e])
		}
		if loc, ok := f.valuesCreated(c.values, values); ok {
			sus.Created = &loc
			parts = append(parts, values[0].Class+" created at "+loc.String())
		}
		sus.Detail = strings.Join(parts, "; ")
		out = append(out, sus)
	}
	return out
}

// isRegistry reports whether a collection is not a cache but a global
// object (whose properties are the program's globals) or a registry of
// functions (handlers, listeners, callbacks): what such functions keep is
// the closures detector's to explain.
func (f *finder) isRegistry(c CollectionSize) bool {
	if f.o.Names.IsGlobal(c.Node) {
		return true
	}
	fns := 0
	for _, e := range c.values {
		if f.s.NodeType[f.s.EdgeTo[e]] == f.t.Closure {
			fns++
		}
	}
	return len(c.values) > 0 && fns*10 >= len(c.values)*9
}

// keyPatterns returns the most common shapes of a collection's string keys,
// digits written <n> ('req-<n>'), with counts, three at most; other keys
// count by class.
func (f *finder) keyPatterns(c CollectionSize) []ClassCount {
	s := f.s
	counts := map[string]int{}
	for _, e := range c.keys {
		var text []byte
		switch {
		case c.Type == TypeObject:
			text = s.Strings.Bytes(s.EdgeName[e])
		case f.t.IsString(s.NodeType[s.EdgeTo[e]]):
			text = s.NodeNameBytes(s.EdgeTo[e])
		default:
			counts[f.className(s.EdgeTo[e])]++
			continue
		}
		counts["'"+keyShape(text)+"'"]++
	}
	return topCounts(counts, 3)
}

// keyShape writes a key with each run of digits as <n>, clipped.
func keyShape(b []byte) string {
	var out []byte
	for i := 0; i < len(b) && len(out) < 40; i++ {
		if b[i] >= '0' && b[i] <= '9' {
			for i+1 < len(b) && b[i+1] >= '0' && b[i+1] <= '9' {
				i++
			}
			out = append(out, "<n>"...)
			continue
		}
		out = append(out, b[i])
	}
	if len(out) >= 40 {
		out = append(out, "…"...)
	}
	return string(out)
}

// valuesCreated returns where the most common class of values was made:
// V8 records the constructor's position for objects of a program's class.
func (f *finder) valuesCreated(edges []uint32, values []ClassCount) (Location, bool) {
	if len(values) == 0 {
		return Location{}, false
	}
	for _, e := range edges {
		v := f.s.EdgeTo[e]
		if f.className(v) != values[0].Class {
			continue
		}
		if loc, ok := f.o.Names.Locations().Node(v); ok && f.s.NodeType[v] == f.t.Object {
			return loc, true
		}
	}
	return Location{}, false
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
	return topCounts(counts, 3)
}

// topCounts returns the n largest counts, ties by name.
func topCounts(counts map[string]int, n int) []ClassCount {
	var out []ClassCount
	for c, k := range counts {
		out = append(out, ClassCount{Class: c, Count: k})
	}
	slices.SortFunc(out, func(a, b ClassCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Class, b.Class)
	})
	return out[:min(len(out), n)]
}

// Collections lists every Map, Set, Array and object with at least min
// entries, in node order: the collections detector's input, also used to
// compare collection sizes between snapshots.
func Collections(r *devtools.Analysis, min int) []CollectionSize {
	f := newFinder(r, DefaultOptions())
	var out []CollectionSize
	for i := uint32(0); i < uint32(f.s.NodeCount); i++ {
		if c, ok := f.collectionSize(i, min); ok {
			c.keys, c.values = nil, nil
			out = append(out, c)
		}
	}
	return out
}
