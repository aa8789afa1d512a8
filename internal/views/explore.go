package views

import (
	"cmp"
	"slices"
	"strings"

	"github.com/heapsnap/heapsnap/internal/par"
	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// The views of this file page through a snapshot the way DevTools' grids
// do — a page of classes, of a class's instances, of an object's
// references or retainers — so that an explorer (heapsnap serve) never
// sends the whole heap.

// ClassSorts are the orders of a ClassPage: the Summary's columns.
var ClassSorts = []string{"retained", "shallow", "count", "distance", "name"}

// ClassEntry is a Summary row with the class id that pages of its
// instances are asked for by.
type ClassEntry struct {
	ID uint32 `json:"id"`
	ClassRow
}

// ClassPage is a page of DevTools' Summary: the classes whose name
// contains Filter, in the order Sort.
type ClassPage struct {
	SchemaVersion int    `json:"schema_version"`
	Sort          string `json:"sort"`
	Ascending     bool   `json:"ascending"`
	Filter        string `json:"filter,omitempty"`
	// Total is the number of classes that match the filter; Classes holds
	// those from Offset on.
	Total   int          `json:"total"`
	Offset  int          `json:"offset"`
	Classes []ClassEntry `json:"classes"`
}

// Page selects rows Offset to Offset+Limit-1 of a list; a Limit of 0
// means all of them.
type Page struct {
	Offset, Limit int
}

func (p Page) bounds(n int) (lo, hi int) {
	lo = min(max(p.Offset, 0), n)
	hi = n
	if p.Limit > 0 {
		hi = min(lo+p.Limit, n)
	}
	return lo, hi
}

// ClassPageOptions selects the classes of a ClassPage.
type ClassPageOptions struct {
	Sort string // one of ClassSorts
	// Ascending reverses the column's natural order (largest first for
	// numbers, smallest distance and A to Z for names).
	Ascending bool
	// Filter keeps the classes whose name contains it, in any case.
	Filter string
	Page
}

// BuildClassPage returns a page of rows, which are the Summary rows in
// DevTools' order (Analysis.SummaryRows).
func BuildClassPage(r *devtools.Analysis, rows []*devtools.Class, o ClassPageOptions) *ClassPage {
	rep := &ClassPage{SchemaVersion: SchemaVersion, Sort: o.Sort, Ascending: o.Ascending, Filter: o.Filter, Classes: []ClassEntry{}}
	if o.Filter != "" {
		want := strings.ToLower(o.Filter)
		var kept []*devtools.Class
		for _, c := range rows {
			if strings.Contains(strings.ToLower(r.ClassName(c)), want) {
				kept = append(kept, c)
			}
		}
		rows = kept
	} else {
		rows = slices.Clone(rows)
	}
	by := classOrder(r, o.Sort)
	if o.Ascending {
		slices.SortStableFunc(rows, func(a, b *devtools.Class) int { return by(b, a) })
	} else {
		slices.SortStableFunc(rows, by)
	}
	rep.Total = len(rows)
	lo, hi := o.bounds(len(rows))
	rep.Offset = lo
	for _, c := range rows[lo:hi] {
		rep.Classes = append(rep.Classes, ClassEntry{ID: ClassID(r, c), ClassRow: classRow(r, c)})
	}
	return rep
}

// classOrder compares two classes by a column, in the column's natural
// order; equal classes keep DevTools' order (the sort is stable).
func classOrder(r *devtools.Analysis, sort string) func(a, b *devtools.Class) int {
	switch sort {
	case "shallow":
		return func(a, b *devtools.Class) int { return cmp.Compare(b.Self, a.Self) }
	case "count":
		return func(a, b *devtools.Class) int { return cmp.Compare(b.Count, a.Count) }
	case "distance":
		return func(a, b *devtools.Class) int { return cmp.Compare(a.Distance, b.Distance) }
	case "name":
		return func(a, b *devtools.Class) int {
			return heapsnapshot.CompareUTF16(r.Snapshot.Strings.Bytes(a.NameIndex), r.Snapshot.Strings.Bytes(b.NameIndex))
		}
	}
	return func(a, b *devtools.Class) int { return cmp.Compare(b.Retained, a.Retained) }
}

// ClassID returns the id of class c, which must be one of r.Classes.
func ClassID(r *devtools.Analysis, c *devtools.Class) uint32 {
	for id := range r.Classes {
		if &r.Classes[id] == c {
			return uint32(id)
		}
	}
	panic("views: class not in the analysis")
}

func classRow(r *devtools.Analysis, c *devtools.Class) ClassRow {
	return ClassRow{
		Name: Name(r.ClassName(c)), Key: Name(r.ClassKey(c)), Count: c.Count,
		ShallowSize: c.Self, RetainedSize: c.Retained, Distance: c.Distance,
	}
}

// Members lists each class's members (the nodes with a non-zero adjusted
// self size, which DevTools' Summary counts) by retained size, largest
// first, then by id: the order of an expanded Summary row. It costs 4
// bytes per node and 4 per class.
type Members struct {
	first, nodes []uint32
}

// NewMembers builds the lists.
func NewMembers(r *devtools.Analysis) *Members {
	s := r.Snapshot
	m := &Members{first: make([]uint32, len(r.Classes)+1)}
	for i, size := range s.NodeSelfSize {
		if size != 0 {
			m.first[r.Class[i]+1]++
		}
	}
	for c := range r.Classes {
		m.first[c+1] += m.first[c]
	}
	m.nodes = make([]uint32, m.first[len(r.Classes)])
	next := slices.Clone(m.first[:len(r.Classes)])
	for i, size := range s.NodeSelfSize {
		if size != 0 {
			c := r.Class[i]
			m.nodes[next[c]] = uint32(i)
			next[c]++
		}
	}
	// Each list is sorted by keys gathered in node order: comparing
	// through the columns jumps across gigabytes for the classes of
	// millions of members, and the biggest class is sorted on one core
	// (41 s for serve's indexes on the 2.3 GB benchmark).
	par.Blocks(len(r.Classes), 0, func(_, c int) {
		sortMembers(r, m.nodes[m.first[c]:m.first[c+1]])
	})
	return m
}

// sortMembers sorts nodes by retained size, largest first, then id.
func sortMembers(r *devtools.Analysis, nodes []uint32) {
	// The order as one integer: the complement of the retained size
	// above the id. Sizes from 4 GiB up do not fit; they are rare.
	keys := make([]uint64, len(nodes))
	fits := true
	for k, i := range nodes {
		ret := r.Retained.At(i)
		fits = fits && ret < 1<<32
		keys[k] = uint64(^uint32(ret))<<32 | uint64(r.Snapshot.NodeID[i])
	}
	if fits && len(nodes) >= 1<<12 {
		radixSort(keys, nodes)
		return
	}
	type member struct {
		retained uint64
		id, node uint32
	}
	ms := make([]member, len(nodes))
	for k, i := range nodes {
		ms[k] = member{r.Retained.At(i), r.Snapshot.NodeID[i], i}
	}
	slices.SortFunc(ms, func(a, b member) int {
		if c := cmp.Compare(b.retained, a.retained); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	for k := range ms {
		nodes[k] = ms[k].node
	}
}

// radixSort sorts keys ascending, moving vals with them, a byte at a
// time from the lowest, skipping bytes every key shares.
func radixSort(keys []uint64, vals []uint32) {
	n := len(keys)
	k0, v0 := keys, vals
	k2, v2 := make([]uint64, n), make([]uint32, n)
	for shift := 0; shift < 64; shift += 8 {
		var count [256]int
		for _, k := range keys {
			count[byte(k>>shift)]++
		}
		if count[byte(keys[0]>>shift)] == n {
			continue
		}
		pos := 0
		for b, c := range count {
			count[b] = pos
			pos += c
		}
		for i, k := range keys {
			b := byte(k >> shift)
			k2[count[b]], v2[count[b]] = k, vals[i]
			count[b]++
		}
		keys, k2, vals, v2 = k2, keys, v2, vals
	}
	if &vals[0] != &v0[0] {
		copy(k0, keys)
		copy(v0, vals)
	}
}

// Of returns class c's members, biggest first. The result aliases m.
func (m *Members) Of(c uint32) []uint32 { return m.nodes[m.first[c]:m.first[c+1]] }

// InstancePage is a page of a class's instances, as DevTools lists them
// under an expanded Summary row.
type InstancePage struct {
	SchemaVersion int         `json:"schema_version"`
	Class         ClassEntry  `json:"class"`
	Total         int         `json:"total"`
	Offset        int         `json:"offset"`
	Objects       []ObjectRow `json:"objects"`
}

// BuildInstancePage returns a page of class c's members (Members.Of).
func BuildInstancePage(r *devtools.Analysis, c uint32, members []uint32, p Page) *InstancePage {
	rep := &InstancePage{SchemaVersion: SchemaVersion, Class: ClassEntry{ID: c, ClassRow: classRow(r, &r.Classes[c])},
		Total: len(members), Objects: []ObjectRow{}}
	lo, hi := p.bounds(len(members))
	rep.Offset = lo
	for _, i := range members[lo:hi] {
		rep.Objects = append(rep.Objects, displayObject(r, i))
	}
	return rep
}

// ReferencePage is a page of an object's outgoing references, by what
// their targets retain (References).
type ReferencePage struct {
	SchemaVersion int            `json:"schema_version"`
	Object        ObjectRow      `json:"object"`
	Total         int            `json:"total"`
	Offset        int            `json:"offset"`
	References    []ReferenceRow `json:"references"`
}

// References returns node i's outgoing edges by the retained size of
// their targets, largest first, as DevTools' containment view sorts them;
// ties in edge order.
func References(r *devtools.Analysis, i uint32) []uint32 {
	s := r.Snapshot
	edges := make([]uint32, 0, s.FirstEdge[i+1]-s.FirstEdge[i])
	for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
		edges = append(edges, e)
	}
	slices.SortStableFunc(edges, func(a, b uint32) int { return cmp.Compare(r.Retained.At(s.EdgeTo[b]), r.Retained.At(s.EdgeTo[a])) })
	return edges
}

func referenceRows(r *devtools.Analysis, edges []uint32) []ReferenceRow {
	s := r.Snapshot
	out := make([]ReferenceRow, 0, len(edges))
	for _, e := range edges {
		out = append(out, ReferenceRow{
			Edge: Name(r.EdgeLabel(e)), EdgeType: s.Meta.EdgeTypeName(s.EdgeType[e]), Object: displayObject(r, s.EdgeTo[e]),
		})
	}
	return out
}

// BuildReferencePage returns a page of node i's references, edges being
// References(r, i).
func BuildReferencePage(r *devtools.Analysis, i uint32, edges []uint32, p Page) *ReferencePage {
	lo, hi := p.bounds(len(edges))
	return &ReferencePage{SchemaVersion: SchemaVersion, Object: displayObject(r, i), Total: len(edges), Offset: lo,
		References: referenceRows(r, edges[lo:hi])}
}

// RetainerPage is a page of DevTools' Retainers view of one object.
type RetainerPage struct {
	SchemaVersion int           `json:"schema_version"`
	Object        ObjectRow     `json:"object"`
	Total         int           `json:"total"`
	Offset        int           `json:"offset"`
	Retainers     []RetainerRow `json:"retainers"`
}

// BuildRetainerPage returns a page of node i's retainers, rs being
// RetainerIndex.Retainers(i).
func BuildRetainerPage(r *devtools.Analysis, i uint32, rs []devtools.Retainer, p Page) *RetainerPage {
	lo, hi := p.bounds(len(rs))
	return &RetainerPage{SchemaVersion: SchemaVersion, Object: displayObject(r, i), Total: len(rs), Offset: lo,
		Retainers: retainerRows(r, rs[lo:hi], 0)}
}

// BuildRetainerGraph is what keeps node i alive as a few chains that a
// page draws as one graph: for each of the first fanout rows of the
// Retainers view, the chain DevTools expands from that retainer (at most
// depth edges), then the edge to i. Each chain costs what DevTools' own
// expansion costs, where Chains' search for distinct shortest chains can
// take seconds on an object many paths lead to.
func BuildRetainerGraph(r *devtools.Analysis, x *devtools.RetainerIndex, names *retainers.Namer, i uint32, fanout, depth int, file string) *Retainers {
	rs := x.Retainers(i)
	of := RetainersOf{Object: displayObject(r, i), Path: names.OwnerPaths(x, []uint32{i}, retainers.MaxOwnerDepth)[0],
		Chains: []ChainRow{}, RetainerCount: len(rs), Retainers: retainerRows(r, rs, fanout)}
	for _, rt := range rs[:min(fanout, len(rs))] {
		c := retainers.DevToolsChain(x, rt.From, max(1, depth-1))
		c.Nodes = append(c.Nodes, i)
		c.Edges = append(c.Edges, rt.Edge)
		of.Chains = append(of.Chains, chainRow(r, names, c))
	}
	return &Retainers{SchemaVersion: SchemaVersion, File: file, Objects: []RetainersOf{of}}
}
