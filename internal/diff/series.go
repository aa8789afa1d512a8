package diff

import (
	"cmp"
	"slices"
	"strings"

	"github.com/heapsnap/heapsnap/internal/bitset"
	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/suspects"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// Series is the analysis of three or more snapshots of one process, oldest
// first.
type Series struct {
	Snapshots []*Census
	// Steps[k] compares snapshot k with k+1.
	Steps []MatchStats
	// SameProcess is set when every step's ids match. Without it, leak
	// candidates and per-object growth (listeners, collections) are off.
	SameProcess bool
	// Growing lists what grew at every step, by size growth.
	Classes     []ClassSeries
	Listeners   []ListenerSeries
	Collections []CollectionSeries
	// Candidates are memlab-style leak candidates, by retained size.
	Candidates []CandidateGroup
}

// ClassSeries is a class's Summary numbers in every snapshot.
type ClassSeries struct {
	Key, Name string
	// Where is where the class's objects were made, for a class of a
	// user-script constructor (a located class key): the last snapshot's
	// location, through its source maps.
	Where    string
	Count    []int
	Self     []uint64
	Retained []uint64
}

// ListenerSeries is an emitter event's listener count in every snapshot.
type ListenerSeries struct {
	Listeners // in the last snapshot
	Counts    []int
	Retains   []uint64
}

// CollectionSeries is a collection's entry count in every snapshot.
type CollectionSeries struct {
	Collection // in the last snapshot
	Counts     []int
	Retains    []uint64
}

// CandidateGroup is a group of leak candidates: objects of one class with
// the same shape of retainer chain.
type CandidateGroup struct {
	Key, Name string
	// Created is where the group's objects were made: their constructor,
	// the function of a closure, a timer's callback; "" when V8 did not
	// record it.
	Created string
	Shape   string // the shape of the owner path (retainers.PathShape)
	// Counts are the objects of the group's class made at Created in
	// every snapshot, oldest first.
	Counts   []int
	Count    int
	Self     uint64
	Retained uint64
	// Example is the group's object with the largest retained size, and
	// Chain its owner path.
	Example         uint32
	ExampleRetained uint64
	Chain           string
	// Allocated is the allocation stack most of the group's objects
	// share, when the last snapshot has allocation stacks.
	Allocated *suspects.Allocation
}

// CompareSeries analyzes snapshots of one process, oldest first, loading
// them one at a time: each but the last is reduced to its class totals and
// growth facts (and, for the first two, their node ids) before the next is
// loaded. mode decides whether objects are followed by id (MatchAuto: if
// every step's ids match).
func CompareSeries(paths []string, load Loader, mode Mode) (*Series, error) {
	s := &Series{SameProcess: mode != MatchClasses}
	var prev *Census
	var where map[string]string
	for k, path := range paths {
		r, names, err := load(path)
		if err != nil {
			return nil, err
		}
		c := &Census{Census: r.Census(), File: path}
		g := newGraph(r, names)
		c.Facts = g.facts()
		c.made = g.madeWhere()
		if prev != nil {
			m := matchStats(prev, c)
			s.Steps = append(s.Steps, m)
			s.SameProcess = s.SameProcess && (m.Same() || mode == MatchIDs)
			prev.DropMembers()
			if k > 2 {
				prev.IDs = nil // only the first two snapshots' ids are needed
			}
		}
		if k == len(paths)-1 {
			where = classLocations(r, names)
		}
		if k == len(paths)-1 && s.SameProcess {
			s.Candidates = g.candidates(s.Snapshots[0], s.Snapshots[1])
			for j := range s.Candidates {
				cg := &s.Candidates[j]
				key := cg.Name + "\x00" + cg.Created
				for _, sc := range s.Snapshots {
					cg.Counts = append(cg.Counts, sc.made[key])
				}
				cg.Counts = append(cg.Counts, c.made[key])
			}
		}
		g = nil
		release(&r)
		s.Snapshots = append(s.Snapshots, c)
		prev = c
	}
	prev.DropMembers()
	for _, c := range s.Snapshots {
		c.IDs = nil
	}
	s.Classes = growingClasses(s.Snapshots, where)
	if s.SameProcess {
		s.Listeners = growingListeners(s.Snapshots)
		s.Collections = growingCollectionSeries(s.Snapshots)
	}
	return s, nil
}

// increasing reports whether v grows at every step.
func increasing(v []int) bool {
	for k := 1; k < len(v); k++ {
		if v[k] <= v[k-1] {
			return false
		}
	}
	return true
}

func growth(v []uint64) int64 { return int64(v[len(v)-1]) - int64(v[0]) }

// growingClasses lists classes whose count grows at every step, by growth
// of their shallow size. A class missing from a snapshot counts 0 there.
func growingClasses(snaps []*Census, where map[string]string) []ClassSeries {
	n := len(snaps)
	last := snaps[n-1]
	var out []ClassSeries
	for i := range last.Classes {
		lc := &last.Classes[i]
		cs := ClassSeries{Key: lc.Key, Name: lc.Name, Where: where[lc.Key], Count: make([]int, n), Self: make([]uint64, n), Retained: make([]uint64, n)}
		for k, c := range snaps {
			if x, ok := c.Class(lc.Key); ok {
				cs.Count[k], cs.Self[k], cs.Retained[k] = x.Count, x.Self, x.Retained
			}
		}
		if increasing(cs.Count) && growth(cs.Self) > 0 {
			out = append(out, cs)
		}
	}
	slices.SortStableFunc(out, func(a, b ClassSeries) int {
		if c := cmp.Compare(growth(b.Self), growth(a.Self)); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return out
}

// classLocations maps the keys of r's located classes to where their
// constructors are, as people read locations: the key itself holds a
// script id, which means nothing outside the snapshot.
func classLocations(r *devtools.Analysis, names *retainers.Namer) map[string]string {
	out := map[string]string{}
	for k := range r.Classes {
		if c := &r.Classes[k]; c.HasLocation {
			out[r.ClassKey(c)] = names.Locations().Resolve(c.ScriptID, c.Line, c.Column).String()
		}
	}
	return out
}

// growingListeners lists emitter events whose listener count grows at every
// step, by growth of the retained size of their listeners.
func growingListeners(snaps []*Census) []ListenerSeries {
	n := len(snaps)
	var out []ListenerSeries
	for _, l := range snaps[n-1].Facts.Listeners {
		ls := ListenerSeries{Listeners: l, Counts: make([]int, n), Retains: make([]uint64, n)}
		for k, c := range snaps {
			for _, o := range c.Facts.Listeners {
				if o.EmitterID == l.EmitterID && o.Event == l.Event {
					ls.Counts[k], ls.Retains[k] = o.Count, o.Retained
				}
			}
		}
		if increasing(ls.Counts) {
			out = append(out, ls)
		}
	}
	slices.SortStableFunc(out, func(a, b ListenerSeries) int { return cmp.Compare(growth(b.Retains), growth(a.Retains)) })
	return out
}

// growingCollectionSeries lists collections (by id) whose entry count grows
// at every step, by growth of their retained size.
func growingCollectionSeries(snaps []*Census) []CollectionSeries {
	n := len(snaps)
	var out []CollectionSeries
	for _, c := range snaps[n-1].Facts.Collections {
		cs := CollectionSeries{Collection: c, Counts: make([]int, n), Retains: make([]uint64, n)}
		for k, s := range snaps {
			col := s.Facts.Collections
			if j, ok := slices.BinarySearchFunc(col, c.ID, func(o Collection, id uint32) int { return cmp.Compare(o.ID, id) }); ok {
				cs.Counts[k], cs.Retains[k] = col[j].Count, col[j].Retained
			}
		}
		if increasing(cs.Counts) {
			out = append(out, cs)
		}
	}
	slices.SortStableFunc(out, func(a, b CollectionSeries) int { return cmp.Compare(growth(b.Retains), growth(a.Retains)) })
	return out
}

// candidates finds memlab's leak candidates in the last snapshot: objects
// allocated after the first snapshot (id absent from it), present in the
// second and still alive, reachable from the root. Only the topmost
// candidates count — those whose immediate dominator is not a candidate —
// so that an object's parts do not form groups of their own, and only
// objects a program creates (userObject): V8's code, feedback and other
// internals change between any two snapshots. They are grouped by class,
// where they were made and the shape of their owner path, so that the
// timers of one callback or the items of one list, each at its own depth,
// are one group.
func (g *graph) candidates(first, second *Census) []CandidateGroup {
	r, s := g.r, g.s
	n := uint32(s.NodeCount)
	isCand := bitset.New(int(n))
	for i := range n {
		id := s.NodeID[i]
		if s.NodeType[i] == s.Types.Synthetic || r.Distance[i] < 0 || r.Distance[i] >= devtools.BaseUnreachableDistance ||
			first.HasID(id) || !second.HasID(id) {
			continue
		}
		isCand.Add(i)
	}
	var tops []uint32
	for i := range n {
		if isCand.Has(i) && !isCand.Has(r.Dominator[i]) && g.userObject(i) {
			tops = append(tops, i)
		}
	}
	paths := g.names.OwnerPaths(nil, tops, retainers.MaxOwnerDepth)
	groups := map[string]int{}
	var out []CandidateGroup
	var members [][]uint32 // each group's objects, for its allocation stack
	for k, i := range tops {
		cl := &r.Classes[r.Class[i]]
		shape := retainers.PathShape(paths[k])
		name, created := r.ClassName(cl), g.created(i)
		gk := name + "\x00" + created + "\x00" + shape
		j, ok := groups[gk]
		if !ok {
			j = len(out)
			groups[gk] = j
			out = append(out, CandidateGroup{Key: r.ClassKey(cl), Name: name, Created: created, Shape: shape})
			members = append(members, nil)
		}
		members[j] = append(members[j], i)
		grp := &out[j]
		grp.Count++
		grp.Self += uint64(s.NodeSelfSize[i])
		grp.Retained += r.Retained.At(i)
		if grp.Count == 1 || r.Retained.At(i) > grp.ExampleRetained {
			grp.Example, grp.ExampleRetained = s.NodeID[i], r.Retained.At(i)
			grp.Chain = paths[k]
		}
	}
	if len(s.NodeTraceID) > 0 && len(out) > 0 {
		if p := r.Allocations(); p != nil {
			for j := range out {
				out[j].Allocated = suspects.AllocationOf(p, g.names.Locations(), members[j])
			}
		}
	}
	slices.SortStableFunc(out, func(a, b CandidateGroup) int {
		if c := cmp.Compare(b.Retained, a.Retained); c != 0 {
			return c
		}
		return cmp.Compare(a.Key+"\x00"+a.Shape, b.Key+"\x00"+b.Shape)
	})
	return out
}

// created says where node i was made: a timer's callback, a closure's
// function, an object's constructor (V8's locations); "" when unknown.
func (g *graph) created(i uint32) string {
	if cb, _, _, ok := g.names.Timer(i); ok {
		return g.names.Function(cb)
	}
	if l, ok := g.names.Locations().Node(i); ok {
		return l.String()
	}
	return ""
}

// madeWhere counts the program's objects by class and where they were
// made (created), the census a candidate group is followed by from one
// snapshot to the next.
func (g *graph) madeWhere() map[string]int {
	out := map[string]int{}
	for i := range uint32(g.s.NodeCount) {
		if g.userObject(i) {
			out[g.className(i)+"\x00"+g.created(i)]++
		}
	}
	return out
}

// userObject reports whether node i is something a program allocates: a JS
// object, closure or regexp, or a native (DOM) object, but not V8's own
// "system / …" objects.
func (g *graph) userObject(i uint32) bool {
	t := &g.s.Types
	switch g.s.NodeType[i] {
	case t.Object, t.Closure, t.RegExp, t.Native:
		return !strings.HasPrefix(g.className(i), "system / ")
	}
	return false
}
