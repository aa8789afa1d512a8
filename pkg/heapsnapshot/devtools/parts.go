package devtools

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/heapsnap/heapsnap/internal/bitset"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// Parts is an analysis taken apart into flat arrays and small tables, so
// that it can be stored (a cache file) and put back with FromParts without
// parsing or analyzing the snapshot again. Every array is pointer-free.
//
// Ownership: Parts returns arrays that alias the analysis; the caller must
// not modify them. FromParts keeps the arrays it is given, without a copy,
// and never writes into them, so they may be read-only memory (a mapped
// file); the analysis only replaces them, as Reclassify and Strings.Append
// do.
type Parts struct {
	Header heapsnapshot.Header

	// The snapshot's columns (see heapsnapshot.Snapshot), with DevTools'
	// adjusted self sizes and renamed detached DOM nodes.
	NodeType, NodeDetachedness          []uint8
	NodeName, NodeID, NodeSelfSize      []uint32
	FirstEdge                           []uint32
	EdgeType                            []uint8
	EdgeName, EdgeTo                    []uint32
	Locations                           []heapsnapshot.Location
	NodeTraceID                         []uint32
	TraceFunctions                      []heapsnapshot.TraceFunction
	TraceTree                           []heapsnapshot.TraceNode
	Samples                             []heapsnapshot.Sample
	Strings                             heapsnapshot.StringColumns
	DOMState                            []uint8
	Dominator                           []uint32
	Distance                            []int32
	Class                               []uint32
	Classes                             []Class
	Interfaces                          []Interface
	TotalSize                           uint64
	Statistics                          Statistics
	Orphans, Leftovers                  int
	RetainedLow                         []uint32 // see RetainedSizes
	RetainedBigNodes, RetainedBigValues []uint64 // the sizes from 4 GiB − 1 up, by node

	// KnownNames and InterfaceNames are lookups the analysis made of its
	// string table; they mean nothing outside it.
	KnownNames     []uint32
	InterfaceNames []uint32
}

// Parts takes r apart. The arrays alias r (see Parts).
func (r *Analysis) Parts() Parts {
	s := r.Snapshot
	p := Parts{
		Header: s.Header, NodeType: s.NodeType, NodeDetachedness: s.NodeDetachedness,
		NodeName: s.NodeName, NodeID: s.NodeID, NodeSelfSize: s.NodeSelfSize, FirstEdge: s.FirstEdge,
		EdgeType: s.EdgeType, EdgeName: s.EdgeName, EdgeTo: s.EdgeTo, Locations: s.Locations,
		NodeTraceID: s.NodeTraceID, TraceFunctions: s.TraceFunctions, TraceTree: s.TraceTree, Samples: s.Samples,
		Strings:  s.Strings.Columns(),
		DOMState: r.DOMState, Dominator: r.Dominator, Distance: r.Distance, Class: r.Class, Classes: r.Classes,
		Interfaces: r.Interfaces, TotalSize: r.TotalSize, Statistics: r.Statistics,
		Orphans: r.Orphans, Leftovers: r.Leftovers, RetainedLow: r.Retained.low,
		KnownNames: r.known[:],
	}
	for _, i := range slices.Sorted(maps.Keys(r.Retained.big)) {
		p.RetainedBigNodes = append(p.RetainedBigNodes, uint64(i))
		p.RetainedBigValues = append(p.RetainedBigValues, r.Retained.big[i])
	}
	p.InterfaceNames = slices.Sorted(maps.Values(r.interfaceNames))
	return p
}

// FromParts puts an analysis back together from what Parts returned. It
// keeps p's arrays (see Parts) and checks that their lengths agree with
// the header, not their contents: they must come from Parts.
func FromParts(p Parts) (*Analysis, error) {
	n, m := p.Header.NodeCount, p.Header.EdgeCount
	if n <= 0 || p.Header.RootIndex/uint64(max(1, len(p.Header.Meta.NodeFields))) >= uint64(n) {
		return nil, errors.New("parts: no root node")
	}
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"node types", len(p.NodeType), n}, {"node names", len(p.NodeName), n}, {"node ids", len(p.NodeID), n},
		{"self sizes", len(p.NodeSelfSize), n}, {"first edges", len(p.FirstEdge), n + 1},
		{"edge types", len(p.EdgeType), m}, {"edge names", len(p.EdgeName), m}, {"edge targets", len(p.EdgeTo), m},
		{"DOM states", len(p.DOMState), n}, {"dominators", len(p.Dominator), n}, {"distances", len(p.Distance), n},
		{"classes", len(p.Class), n}, {"retained sizes", len(p.RetainedLow), n},
		{"big retained sizes", len(p.RetainedBigValues), len(p.RetainedBigNodes)},
		{"known names", len(p.KnownNames), int(numKnownNames)},
	} {
		if c.got != c.want {
			return nil, fmt.Errorf("parts: %d %s, want %d", c.got, c.name, c.want)
		}
	}
	if p.NodeDetachedness != nil && len(p.NodeDetachedness) != n || p.NodeTraceID != nil && len(p.NodeTraceID) != n {
		return nil, errors.New("parts: optional node column of the wrong length")
	}
	if p.FirstEdge[n] != uint32(m) {
		return nil, fmt.Errorf("parts: edges end at %d, want %d", p.FirstEdge[n], m)
	}
	strs, err := heapsnapshot.StringsFromColumns(p.Strings)
	if err != nil {
		return nil, fmt.Errorf("parts: %w", err)
	}
	s := &heapsnapshot.Snapshot{
		Header: p.Header, Types: heapsnapshot.ResolveTypes(&p.Header.Meta),
		NodeType: p.NodeType, NodeName: p.NodeName, NodeID: p.NodeID, NodeSelfSize: p.NodeSelfSize,
		NodeDetachedness: p.NodeDetachedness, FirstEdge: p.FirstEdge,
		EdgeType: p.EdgeType, EdgeName: p.EdgeName, EdgeTo: p.EdgeTo, Locations: p.Locations,
		NodeTraceID: p.NodeTraceID, TraceFunctions: p.TraceFunctions, TraceTree: p.TraceTree, Samples: p.Samples,
		Strings: strs, Analyzed: true,
	}
	r := &Analysis{
		Snapshot: s, DOMState: p.DOMState, Dominator: p.Dominator, Distance: p.Distance,
		Class: p.Class, Classes: p.Classes, Interfaces: p.Interfaces, TotalSize: p.TotalSize,
		Statistics: p.Statistics, Orphans: p.Orphans, Leftovers: p.Leftovers,
		Retained: RetainedSizes{low: p.RetainedLow},
	}
	copy(r.known[:], p.KnownNames)
	for k, i := range p.RetainedBigNodes {
		if i >= uint64(n) {
			return nil, fmt.Errorf("parts: big retained size of node %d of %d", i, n)
		}
		if r.Retained.big == nil {
			r.Retained.big = map[uint32]uint64{}
		}
		r.Retained.big[uint32(i)] = p.RetainedBigValues[k]
	}
	r.interfaceNames = map[string]uint32{}
	for _, idx := range p.InterfaceNames {
		if int(idx) >= strs.Len() {
			return nil, fmt.Errorf("parts: interface name %d of %d strings", idx, strs.Len())
		}
		r.interfaceNames[strs.String(idx)] = idx
	}
	// Only the pipeline tests WeakMap edge names; an empty set keeps a
	// stray test from reading out of range.
	r.weakMapNames = bitset.New(strs.Len())
	return r, nil
}

// Columns returns the index's arrays (see NewRetainerIndex), which alias
// it: node i's retaining edges are slots[first[i]:first[i+1]].
func (x *RetainerIndex) Columns() (first, slots []uint32) { return x.first, x.slots }

// RetainerIndexFromColumns puts back the index of r whose Columns are
// first and slots, keeping them without a copy and never writing to them.
func RetainerIndexFromColumns(r *Analysis, first, slots []uint32) (*RetainerIndex, error) {
	if len(first) != r.Snapshot.NodeCount+1 || len(slots) != r.Snapshot.EdgeCount || first[len(first)-1] != uint32(len(slots)) {
		return nil, errors.New("retainer index: columns do not fit the snapshot")
	}
	return &RetainerIndex{r: r, first: first, slots: slots}, nil
}

// SortAll sorts every children list now, so that Columns holds the whole
// tree in its final order and Children never writes again.
func (t *DominatorTree) SortAll() {
	for i := range uint32(t.r.Snapshot.NodeCount) {
		if t.ChildCount(i) > 1 {
			t.Children(i)
		}
	}
}

// Columns returns the tree's arrays, which alias it: node i's children
// are children[first[i]:first[i+1]], sorted where sorted has i (SortAll
// sorts them all).
func (t *DominatorTree) Columns() (first, children []uint32, sorted []uint64) {
	return t.first, t.children, t.sorted
}

// DominatorTreeFromColumns puts back the tree of r whose Columns are
// first, children and sorted, keeping them without a copy. Children sorts
// an unsorted list in place and marks it in sorted: pass writable arrays,
// or a tree whose lists are all sorted (SortAll).
func DominatorTreeFromColumns(r *Analysis, first, children []uint32, sorted []uint64) (*DominatorTree, error) {
	n := r.Snapshot.NodeCount
	if len(first) != n+1 || len(children) != n-1 || first[n] != uint32(n-1) || len(sorted) != len(bitset.New(n)) {
		return nil, errors.New("dominator tree: columns do not fit the snapshot")
	}
	return &DominatorTree{r: r, first: first, children: children, sorted: sorted}, nil
}
