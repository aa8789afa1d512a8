package cache

import (
	"fmt"
	"slices"
	"unsafe"

	"github.com/heapsnap/heapsnap/internal/views"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// column is one array of a file: how to write it and read it back.
type column interface {
	section() Section
	set(Section) error
}

// array is a column of pointer-free values, stored as their bytes.
type array[T any] struct {
	name string
	p    *[]T
}

func col[T any](name string, p *[]T) column { return array[T]{name, p} }

func (a array[T]) section() Section {
	s := *a.p
	var zero T
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))
	return Section{Name: a.name, Data: b, Nil: s == nil}
}

func (a array[T]) set(s Section) error {
	var zero T
	size := int(unsafe.Sizeof(zero))
	if len(s.Data)%size != 0 {
		return fmt.Errorf("%w: section %s: %d bytes, not a multiple of %d", errCorrupt, a.name, len(s.Data), size)
	}
	switch {
	case s.Nil:
		*a.p = nil
	case len(s.Data) == 0:
		*a.p = []T{}
	default:
		// Sections start on a page: the alignment of any T.
		*a.p = unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(s.Data))), len(s.Data)/size)
	}
	return nil
}

func sections(cols []column) []Section {
	out := make([]Section, len(cols))
	for k, c := range cols {
		out[k] = c.section()
	}
	return out
}

func (m *mapped) read(cols []column) error {
	for _, c := range cols {
		s, err := m.section(c.section().Name)
		if err != nil {
			return err
		}
		if err := c.set(s); err != nil {
			return err
		}
	}
	return nil
}

// analysisMeta is what an analysis keeps beside its arrays.
type analysisMeta struct {
	Header             heapsnapshot.Header
	Interfaces         []devtools.Interface
	TotalSize          uint64
	Statistics         devtools.Statistics
	Orphans, Leftovers int
}

func analysisColumns(p *devtools.Parts) []column {
	return []column{
		col("node types", &p.NodeType), col("node detachedness", &p.NodeDetachedness),
		col("node names", &p.NodeName), col("node ids", &p.NodeID), col("self sizes", &p.NodeSelfSize),
		col("first edges", &p.FirstEdge), col("edge types", &p.EdgeType), col("edge names", &p.EdgeName),
		col("edge targets", &p.EdgeTo), col("locations", &p.Locations), col("trace ids", &p.NodeTraceID),
		col("trace functions", &p.TraceFunctions), col("trace tree", &p.TraceTree), col("samples", &p.Samples),
		col("strings", &p.Strings.Data), col("string ends", &p.Strings.End), col("string blocks", &p.Strings.Wraps),
		col("DOM states", &p.DOMState), col("dominators", &p.Dominator), col("distances", &p.Distance),
		col("class ids", &p.Class), col("classes", &p.Classes), col("retained sizes", &p.RetainedLow),
		col("big retained nodes", &p.RetainedBigNodes), col("big retained sizes", &p.RetainedBigValues),
		col("known names", &p.KnownNames), col("interface names", &p.InterfaceNames),
	}
}

// LoadAnalysis returns the cached analysis, or nil.
func (e *Entry) LoadAnalysis() *devtools.Analysis {
	m := e.open("analysis")
	if m == nil {
		return nil
	}
	var p devtools.Parts
	var meta analysisMeta
	err := m.meta(&meta)
	if err == nil {
		err = m.read(analysisColumns(&p))
	}
	var r *devtools.Analysis
	if err == nil {
		p.Header, p.Interfaces, p.TotalSize, p.Statistics = meta.Header, meta.Interfaces, meta.TotalSize, meta.Statistics
		p.Orphans, p.Leftovers = meta.Orphans, meta.Leftovers
		r, err = devtools.FromParts(p)
	}
	if err != nil {
		e.drop("analysis", err)
		return nil
	}
	return r
}

// drop removes a file that passed its hashes but not what reads it (a
// file from a buggy build), and says so.
func (e *Entry) drop(kind string, err error) {
	e.warn(fmt.Sprintf("cache file %s: %v", e.stem+"."+kind+ext, err))
	e.removeAll()
}

// SaveAnalysis writes r to the cache in the background; r's arrays must
// not change in place meanwhile (nothing changes them after Analyze).
func (e *Entry) SaveAnalysis(r *devtools.Analysis) {
	p := r.Parts()
	meta := analysisMeta{Header: p.Header, Interfaces: p.Interfaces, TotalSize: p.TotalSize, Statistics: p.Statistics,
		Orphans: p.Orphans, Leftovers: p.Leftovers}
	e.save("analysis", meta, sections(analysisColumns(&p)))
}

// LoadRetainers returns r's cached retainer index, or nil.
func (e *Entry) LoadRetainers(r *devtools.Analysis) *devtools.RetainerIndex {
	m := e.open("retainers")
	if m == nil {
		return nil
	}
	var first, slots []uint32
	err := m.read([]column{col("first", &first), col("slots", &slots)})
	var x *devtools.RetainerIndex
	if err == nil {
		x, err = devtools.RetainerIndexFromColumns(r, first, slots)
	}
	if err != nil {
		e.drop("retainers", err)
		return nil
	}
	return x
}

// SaveRetainers writes x to the cache in the background.
func (e *Entry) SaveRetainers(x *devtools.RetainerIndex) {
	first, slots := x.Columns()
	e.save("retainers", struct{}{}, sections([]column{col("first", &first), col("slots", &slots)}))
}

// LoadTree returns r's cached dominator tree, or nil.
func (e *Entry) LoadTree(r *devtools.Analysis) *devtools.DominatorTree {
	m := e.open("tree")
	if m == nil {
		return nil
	}
	var first, children []uint32
	var sorted []uint64
	err := m.read([]column{col("first", &first), col("children", &children), col("sorted", &sorted)})
	var t *devtools.DominatorTree
	if err == nil {
		t, err = devtools.DominatorTreeFromColumns(r, first, children, sorted)
	}
	if err != nil {
		e.drop("tree", err)
		return nil
	}
	return t
}

// SaveTree writes t to the cache in the background. Its children lists
// and which are sorted are copied first: the tree sorts lists as they
// are asked for, and a list marked sorted must be stored sorted.
func (e *Entry) SaveTree(t *devtools.DominatorTree) {
	first, children, sorted := t.Columns()
	sorted = slices.Clone(sorted)
	children = slices.Clone(children)
	e.save("tree", struct{}{}, sections([]column{col("first", &first), col("children", &children), col("sorted", &sorted)}))
}

// LoadMembers returns r's cached class members, or nil.
func (e *Entry) LoadMembers(r *devtools.Analysis) *views.Members {
	m := e.open("members")
	if m == nil {
		return nil
	}
	var first, nodes []uint32
	err := m.read([]column{col("first", &first), col("nodes", &nodes)})
	var ms *views.Members
	if err == nil {
		ms, err = views.MembersFromColumns(r, first, nodes)
	}
	if err != nil {
		e.drop("members", err)
		return nil
	}
	return ms
}

// SaveMembers writes ms to the cache in the background.
func (e *Entry) SaveMembers(ms *views.Members) {
	first, nodes := ms.Columns()
	e.save("members", struct{}{}, sections([]column{col("first", &first), col("nodes", &nodes)}))
}
