package diff

import (
	"cmp"
	"runtime/debug"
	"slices"

	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// Loader reads and analyzes one snapshot, and gives the namer of its owner
// paths and locations.
type Loader func(path string) (*devtools.Analysis, *retainers.Namer, error)

// release drops the last reference to a snapshot's graph and hands the
// memory back before the next snapshot is loaded, so that two graphs never
// live at once.
func release(r **devtools.Analysis) {
	*r = nil
	debug.FreeOSMemory()
}

// Pair is the comparison of two snapshots.
type Pair struct {
	Old, New *Census
	// SameProcess is set when node ids match: the snapshots come from one
	// process and objects are matched by id. Otherwise rows compare class
	// totals.
	SameProcess bool
	Match       MatchStats
	Rows        []devtools.ComparisonRow
	Listeners   []ListenerChange
	Collections []CollectionChange
	// NewDetached are detached DOM nodes of New that were not detached
	// nodes of Old.
	NewDetached []DetachedNode
}

// ListenerChange is one emitter event's listener count in both snapshots.
type ListenerChange struct {
	Listeners          // in New (for a list gone from New: in Old, with Count 0)
	OldCount    int    // 0 when Old has no such list
	OldRetained uint64 // retained size of the list in Old
	InOld       bool   // Old has the list
	Gone        bool   // New does not have the list
}

// CollectionChange is a collection whose entry count grew.
type CollectionChange struct {
	Collection  // in New
	OldCount    int
	OldRetained uint64
}

// Mode forces how objects are matched.
type Mode string

const (
	MatchAuto    Mode = "auto"    // by id if the snapshots come from one process
	MatchIDs     Mode = "ids"     // always by node id, as DevTools does
	MatchClasses Mode = "classes" // by class totals
)

// ComparePair compares the snapshot at oldPath with the one at newPath.
// The new snapshot is analyzed first, for the interface definitions with
// which DevTools re-categorises the old one; each is reduced to a census
// and released before the next is loaded.
func ComparePair(oldPath, newPath string, load Loader, mode Mode) (*Pair, error) {
	r, names, err := load(newPath)
	if err != nil {
		return nil, err
	}
	cur := &Census{Census: r.Census(), File: newPath, Facts: CollectFacts(r, names)}
	release(&r)
	return compareWith(cur, oldPath, load, mode)
}

// CompareToBase is ComparePair with the new snapshot already analyzed
// (cur, read from newPath, whose owner paths names writes), which it
// leaves in memory: for an explorer that keeps cur open and compares it
// with a base.
func CompareToBase(cur *devtools.Analysis, names *retainers.Namer, newPath, oldPath string, load Loader, mode Mode) (*Pair, error) {
	return compareWith(&Census{Census: cur.Census(), File: newPath, Facts: CollectFacts(cur, names)}, oldPath, load, mode)
}

func compareWith(cur *Census, oldPath string, load Loader, mode Mode) (*Pair, error) {
	r, names, err := load(oldPath)
	if err != nil {
		return nil, err
	}
	base := &Census{Census: r.BaseCensus(cur.Census), File: oldPath, Facts: CollectFacts(r, names)}
	release(&r)

	p := &Pair{Old: base, New: cur, Match: matchStats(base, cur)}
	switch mode {
	case MatchIDs:
		p.SameProcess = true
	case MatchClasses:
		p.SameProcess = false
	default:
		p.SameProcess = p.Match.Same()
	}
	if p.SameProcess {
		p.Rows = devtools.Compare(base.Census, cur.Census)
	} else {
		p.Rows = CompareByClass(base, cur)
	}
	p.Listeners = compareListeners(base.Facts.Listeners, cur.Facts.Listeners, p.SameProcess)
	if p.SameProcess {
		p.Collections = growingCollections(base.Facts.Collections, cur.Facts.Collections)
		p.NewDetached = newDetached(base.Facts.Detached, cur.Facts.Detached)
	} else {
		p.NewDetached = cur.Facts.Detached
	}
	return p, nil
}

// listenerKey matches a listener list across snapshots: by emitter id in
// one process, else by owner path (or class) and event.
func listenerKey(l *Listeners, sameProcess bool) string {
	if sameProcess {
		return l.Key()
	}
	owner := l.Path
	if owner == "" {
		owner = l.Emitter
	}
	return owner + "\x00" + l.Event
}

func compareListeners(old, cur []Listeners, sameProcess bool) []ListenerChange {
	byKey := map[string]*Listeners{}
	for i := range old {
		byKey[listenerKey(&old[i], sameProcess)] = &old[i]
	}
	var out []ListenerChange
	seen := map[string]bool{}
	for i := range cur {
		k := listenerKey(&cur[i], sameProcess)
		seen[k] = true
		c := ListenerChange{Listeners: cur[i]}
		if o := byKey[k]; o != nil {
			c.OldCount, c.OldRetained, c.InOld = o.Count, o.Retained, true
		}
		out = append(out, c)
	}
	for i := range old {
		if k := listenerKey(&old[i], sameProcess); !seen[k] {
			c := ListenerChange{Listeners: old[i], OldCount: old[i].Count, OldRetained: old[i].Retained, InOld: true, Gone: true}
			c.Count, c.Retained = 0, 0
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b ListenerChange) int {
		if c := cmp.Compare(b.Count-b.OldCount, a.Count-a.OldCount); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Path+"\x00"+a.Event, b.Path+"\x00"+b.Event)
	})
	return out
}

// growingCollections lists collections of cur (by id) with more entries
// than in old, largest growth first.
func growingCollections(old, cur []Collection) []CollectionChange {
	var out []CollectionChange
	for _, c := range cur {
		k, ok := slices.BinarySearchFunc(old, c.ID, func(o Collection, id uint32) int { return cmp.Compare(o.ID, id) })
		if !ok || old[k].Count >= c.Count {
			continue
		}
		out = append(out, CollectionChange{Collection: c, OldCount: old[k].Count, OldRetained: old[k].Retained})
	}
	slices.SortStableFunc(out, func(a, b CollectionChange) int {
		if c := cmp.Compare(b.Count-b.OldCount, a.Count-a.OldCount); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

func newDetached(old, cur []DetachedNode) []DetachedNode {
	var out []DetachedNode
	for _, d := range cur {
		if _, ok := slices.BinarySearchFunc(old, d.ID, func(o DetachedNode, id uint32) int { return cmp.Compare(o.ID, id) }); !ok {
			out = append(out, d)
		}
	}
	return out
}
