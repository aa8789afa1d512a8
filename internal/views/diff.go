package views

import (
	"fmt"

	"github.com/heapsnap/heapsnap/internal/diff"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// DiffSnapshot identifies one snapshot of a comparison.
type DiffSnapshot struct {
	File      string `json:"file"`
	Nodes     int    `json:"nodes"`
	Edges     int    `json:"edges"`
	TotalSize uint64 `json:"total_size"`
}

// IDAgreement tells how well node ids match between two snapshots: of the
// objects found under the same id in both, how many have the same class.
type IDAgreement struct {
	SharedIDs int `json:"shared_ids"`
	SameClass int `json:"same_class"`
}

// Diff is the report of `heapsnap diff OLD NEW`.
type Diff struct {
	SchemaVersion int          `json:"schema_version"`
	Old           DiffSnapshot `json:"old"`
	New           DiffSnapshot `json:"new"`
	// TotalSizeDelta is new total size − old total size.
	TotalSizeDelta int64 `json:"total_size_delta"`
	// Matching is "ids" (DevTools' Comparison: objects matched by node id)
	// or "classes" (snapshots of different processes: class totals only).
	Matching    string      `json:"matching"`
	IDAgreement IDAgreement `json:"id_agreement"`
	Note        string      `json:"note,omitempty"`
	Sort        string      `json:"sort"`
	// ClassCount is the number of changed classes; Classes holds the top
	// ones and Totals adds up all of them.
	ClassCount int         `json:"class_count"`
	Totals     DiffTotals  `json:"totals"`
	Classes    []DiffClass `json:"classes"`
	// ListenerCount and CollectionCount count what Listeners and
	// Collections hold the top of.
	ListenerCount   int                 `json:"listener_count"`
	Listeners       []ListenerDiff      `json:"listeners"`
	CollectionCount int                 `json:"collection_count"`
	Collections     []CollectionGrowth  `json:"collections"`
	NewDetached     []DetachedClassDiff `json:"new_detached_dom"`
}

// DiffTotals are DevTools' Comparison columns: # New, # Deleted, # Delta,
// Alloc. Size, Freed Size and Size Delta. NewCount, DeletedCount,
// AllocSize and FreedSize are null when matching by class totals. In
// Diff.Totals they add up every changed class.
type DiffTotals struct {
	NewCount     *int    `json:"new_count"`
	DeletedCount *int    `json:"deleted_count"`
	DeltaCount   int64   `json:"delta_count"`
	AllocSize    *uint64 `json:"alloc_size"`
	FreedSize    *uint64 `json:"freed_size"`
	SizeDelta    int64   `json:"size_delta"`
}

// DiffClass is a row of DevTools' Comparison view plus the class's Summary
// numbers in both snapshots.
type DiffClass struct {
	Name Name `json:"name"`
	Key  Name `json:"key"`
	DiffTotals
	OldObjects        int    `json:"old_objects"`
	NewObjects        int    `json:"new_objects"`
	OldShallowSize    uint64 `json:"old_shallow_size"`
	NewShallowSize    uint64 `json:"new_shallow_size"`
	OldRetainedSize   uint64 `json:"old_retained_size"`
	NewRetainedSize   uint64 `json:"new_retained_size"`
	RetainedSizeDelta int64  `json:"retained_size_delta"`
}

// ListenerDiff is one EventEmitter event's listener count in both.
type ListenerDiff struct {
	Event           Name   `json:"event"`
	Emitter         Name   `json:"emitter"`
	EmitterID       uint32 `json:"emitter_id"`
	Path            Name   `json:"path"`
	OldCount        int    `json:"old_count"`
	NewCount        int    `json:"new_count"`
	DeltaCount      int    `json:"delta_count"`
	OldRetainedSize uint64 `json:"old_retained_size"`
	NewRetainedSize uint64 `json:"new_retained_size"`
	Listener        Name   `json:"listener"`
}

// CollectionGrowth is a collection whose entry count grew.
type CollectionGrowth struct {
	ID              uint32 `json:"id"`
	Kind            string `json:"kind"`
	Class           Name   `json:"class"`
	Path            Name   `json:"path"`
	OldCount        int    `json:"old_count"`
	NewCount        int    `json:"new_count"`
	OldRetainedSize uint64 `json:"old_retained_size"`
	NewRetainedSize uint64 `json:"new_retained_size"`
}

// DetachedClassDiff counts new detached DOM nodes of one class.
type DetachedClassDiff struct {
	Class        Name   `json:"class"`
	Count        int    `json:"count"`
	RetainedSize uint64 `json:"retained_size"`
}

// DiffOptions selects what the report includes.
type DiffOptions struct {
	Old, New string // file names as given
	Sort     string
	Top      int // rows per list; 0 lists all
}

func snapshotOf(c *diff.Census, file string) DiffSnapshot {
	return DiffSnapshot{File: file, Nodes: c.Nodes, Edges: c.Edges, TotalSize: c.TotalSize}
}

func ptr[T any](v T) *T { return &v }

func top[T any](rows []T, n int) []T {
	if n > 0 && len(rows) > n {
		return rows[:n]
	}
	return rows
}

// BuildDiff assembles the report of a two-snapshot comparison.
func BuildDiff(p *diff.Pair, o DiffOptions) *Diff {
	rep := &Diff{
		SchemaVersion:   SchemaVersion,
		Old:             snapshotOf(p.Old, o.Old),
		New:             snapshotOf(p.New, o.New),
		TotalSizeDelta:  int64(p.New.TotalSize) - int64(p.Old.TotalSize),
		Matching:        "ids",
		IDAgreement:     IDAgreement{SharedIDs: p.Match.Common, SameClass: p.Match.SameKey},
		Sort:            o.Sort,
		ClassCount:      len(p.Rows),
		ListenerCount:   len(p.Listeners),
		CollectionCount: len(p.Collections),
		Listeners:       []ListenerDiff{},
		Collections:     []CollectionGrowth{},
		NewDetached:     []DetachedClassDiff{},
	}
	if !p.SameProcess {
		rep.Matching = "classes"
		rep.Note = differentProcessesNote(p.Match)
	} else if !p.Match.Same() {
		rep.Note = "objects are matched by node id as requested (--match ids), although the ids do not look like those of one process"
	}
	rows := p.Rows
	devtools.SortComparison(rows, o.Sort)
	var tot struct {
		n, d   int
		a, f   uint64
		dc, ds int64
	}
	rep.Classes = []DiffClass{}
	for k := range rows {
		r := &rows[k]
		tot.n += r.New
		tot.d += r.Deleted
		tot.a += r.AllocSize
		tot.f += r.FreedSize
		tot.dc += r.CountDelta()
		tot.ds += r.SizeDelta()
		if o.Top > 0 && k >= o.Top {
			continue
		}
		row := DiffClass{
			Name: Name(r.Name), Key: Name(r.Key), DiffTotals: DiffTotals{DeltaCount: r.CountDelta(), SizeDelta: r.SizeDelta()},
			OldObjects: r.Old.Count, NewObjects: r.Cur.Count, OldShallowSize: r.Old.Self, NewShallowSize: r.Cur.Self,
			OldRetainedSize: r.Old.Retained, NewRetainedSize: r.Cur.Retained, RetainedSizeDelta: r.RetainedDelta(),
		}
		if p.SameProcess {
			row.NewCount, row.DeletedCount, row.AllocSize, row.FreedSize = ptr(r.New), ptr(r.Deleted), ptr(r.AllocSize), ptr(r.FreedSize)
		}
		rep.Classes = append(rep.Classes, row)
	}
	rep.Totals = DiffTotals{DeltaCount: tot.dc, SizeDelta: tot.ds}
	if p.SameProcess {
		rep.Totals.NewCount, rep.Totals.DeletedCount, rep.Totals.AllocSize, rep.Totals.FreedSize = ptr(tot.n), ptr(tot.d), ptr(tot.a), ptr(tot.f)
	}
	for _, l := range top(p.Listeners, o.Top) {
		rep.Listeners = append(rep.Listeners, ListenerDiff{
			Event: Name(l.Event), Emitter: Name(l.Emitter), EmitterID: l.EmitterID, Path: Name(l.Path),
			OldCount: l.OldCount, NewCount: l.Count, DeltaCount: l.Count - l.OldCount,
			OldRetainedSize: l.OldRetained, NewRetainedSize: l.Retained, Listener: Name(l.Function),
		})
	}
	for _, c := range top(p.Collections, o.Top) {
		rep.Collections = append(rep.Collections, CollectionGrowth{
			ID: c.ID, Kind: c.Kind, Class: Name(c.Class), Path: Name(c.Path), OldCount: c.OldCount, NewCount: c.Count,
			OldRetainedSize: c.OldRetained, NewRetainedSize: c.Retained,
		})
	}
	index := map[string]int{}
	for _, d := range p.NewDetached {
		k, ok := index[d.Class]
		if !ok {
			k = len(rep.NewDetached)
			index[d.Class] = k
			rep.NewDetached = append(rep.NewDetached, DetachedClassDiff{Class: Name(d.Class)})
		}
		rep.NewDetached[k].Count++
		rep.NewDetached[k].RetainedSize += d.Retained
	}
	return rep
}

func differentProcessesNote(m diff.MatchStats) string {
	pct := 0.0
	if m.Common > 0 {
		pct = float64(m.SameKey) * 100 / float64(m.Common)
	}
	return fmt.Sprintf("the snapshots come from different processes (only %.0f%% of the objects under shared ids have the same class), "+
		"so per-object matching is off: classes are compared by their totals, and new/deleted counts, alloc and freed sizes "+
		"are not available (--match ids forces DevTools' id matching)", pct)
}
