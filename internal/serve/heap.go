// Package serve is heapsnap's explorer: a local web UI over one analyzed
// snapshot (and, optionally, its comparison with a base), in the spirit of
// `pprof -http`. The page is built into the binary (ui/, embedded) and
// asks a read-only JSON API for what it shows, a page at a time; the API
// answers with the views of package views, the same data the command
// line's --format json prints.
//
// Everything a request needs is indexed once, when the snapshot is opened
// (NewHeap), so that a request only reads: the reverse edges, the dominator
// tree, each class's members by retained size, the suspects.
package serve

import (
	"slices"
	"sync"

	"github.com/heapsnap/heapsnap/internal/diff"
	"github.com/heapsnap/heapsnap/internal/par"
	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/suspects"
	"github.com/heapsnap/heapsnap/internal/views"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// Options describe what NewHeap serves besides the analysis.
type Options struct {
	// File is the snapshot's name as the user gave it.
	File string
	// SuspectKinds are the detectors that ran, Suspects what they found.
	SuspectKinds []suspects.Kind
	Suspects     []suspects.Suspect
	// Pair is the comparison with a base snapshot, BaseFile its name;
	// nil without a base.
	Pair     *diff.Pair
	BaseFile string
	// Names writes owner paths and locations; nil means compiled
	// locations only.
	Names *retainers.Namer
	// Retainers, Tree and Members are the indexes NewHeap builds when
	// they are nil (a cache may have them).
	Retainers *devtools.RetainerIndex
	Tree      *devtools.DominatorTree
	Members   *views.Members
}

// Heap is an analyzed snapshot with the indexes the explorer's views read.
type Heap struct {
	opts      Options
	analysis  *devtools.Analysis
	retainers *devtools.RetainerIndex
	members   *views.Members
	rows      []*devtools.Class // Summary rows in DevTools' order
	largest   []uint32          // the maxPage largest objects

	// The dominator tree sorts a node's children the first time they are
	// asked for, so requests take turns with it.
	treeMu sync.Mutex
	tree   *devtools.DominatorTree

	// Retainer and reference lists sorted for recent objects: paging
	// through a node with a million retainers sorts them once.
	recentMu         sync.Mutex
	recentRetainers  recent[[]devtools.Retainer]
	recentReferences recent[[]uint32]
}

// NewHeap indexes r for serving. r must not change afterwards.
func NewHeap(r *devtools.Analysis, o Options) *Heap {
	if o.Names == nil {
		o.Names = retainers.NewNamer(r, nil)
	}
	h := &Heap{opts: o, analysis: r, retainers: o.Retainers, tree: o.Tree, members: o.Members}
	par.Do(
		func() {
			if h.retainers == nil {
				h.retainers = devtools.NewRetainerIndex(r)
			}
		},
		func() {
			if h.tree == nil {
				h.tree = devtools.NewDominatorTree(r)
			}
			SortLongChildLists(h.tree, r)
			if h.members == nil {
				h.members = views.NewMembers(r)
			}
			h.rows = r.SummaryRows()
			h.largest = r.Largest(maxPage)
		},
	)
	return h
}

// SortLongChildLists sorts the long children lists of t now rather than
// when the first request opens them: an array dominating millions of
// objects takes seconds. Lists already sorted cost nothing.
func SortLongChildLists(t *devtools.DominatorTree, r *devtools.Analysis) {
	for i := range uint32(r.Snapshot.NodeCount) {
		if t.ChildCount(i) >= longChildList {
			t.Children(i)
		}
	}
}

// longChildList is the length from which NewHeap sorts a dominator-tree
// children list ahead of time (about a millisecond of sorting).
const longChildList = 10000

// Analysis returns the analysis h serves.
func (h *Heap) Analysis() *devtools.Analysis { return h.analysis }

func (h *Heap) retainersOf(i uint32) []devtools.Retainer {
	h.recentMu.Lock()
	defer h.recentMu.Unlock()
	return h.recentRetainers.get(i, func() []devtools.Retainer { return h.retainers.Retainers(i) })
}

func (h *Heap) referencesOf(i uint32) []uint32 {
	h.recentMu.Lock()
	defer h.recentMu.Unlock()
	return h.recentReferences.get(i, func() []uint32 { return views.References(h.analysis, i) })
}

// recent keeps the lists of the last few nodes asked for.
type recent[T any] struct {
	nodes []uint32
	lists []T
}

const recentNodes = 8

func (c *recent[T]) get(i uint32, make func() T) T {
	if k := slices.Index(c.nodes, i); k >= 0 {
		return c.lists[k]
	}
	v := make()
	if len(c.nodes) == recentNodes {
		c.nodes, c.lists = c.nodes[1:], c.lists[1:]
	}
	c.nodes, c.lists = append(c.nodes, i), append(c.lists, v)
	return v
}
