package views

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/heapsnap/heapsnap/internal/diff"
	"github.com/heapsnap/heapsnap/internal/suspects"
)

// Series is the report of `heapsnap diff S1 S2 S3 …`.
type Series struct {
	SchemaVersion int            `json:"schema_version"`
	Snapshots     []DiffSnapshot `json:"snapshots"`
	// Matching is "ids" when every snapshot's ids match the previous one's
	// (one process), else "classes": then only class growth is reported.
	Matching string        `json:"matching"`
	Steps    []IDAgreement `json:"steps"`
	Note     string        `json:"note,omitempty"`
	// Growing lists everything that grew at every step, by size growth:
	// listener lists, collections and classes; GrowingCount counts them
	// all, Growing holds the top ones.
	GrowingCount   int             `json:"growing_count"`
	Growing        []GrowthRow     `json:"growing"`
	LeakCandidates []CandidateRow  `json:"leak_candidates"`
	CandidateCount int             `json:"leak_candidate_groups"`
	Classes        []ClassGrowth   `json:"classes"`
	Listeners      []ListenerTrend `json:"listeners"`
}

// GrowthRow is one thing that grew at every step.
type GrowthRow struct {
	// Kind is "listeners" (an EventEmitter event's listener count),
	// "collection" (an Array, Map or Set's entries) or "class" (a Summary
	// class's object count).
	Kind  string `json:"kind"`
	Title Name   `json:"title"`
	// Path is the owner path (listeners: of the emitter), Event the event
	// name, Key the class key, Location where a class's constructor is (for
	// a class of a user-script constructor), ID the collection or emitter
	// id.
	Path     Name   `json:"path,omitempty"`
	Event    Name   `json:"event,omitempty"`
	Key      Name   `json:"key,omitempty"`
	Location string `json:"location,omitempty"`
	ID       uint32 `json:"id,omitempty"`
	// Counts and Sizes are the numbers in each snapshot; sizes are retained
	// sizes for listeners and collections, shallow sizes for classes.
	Counts []int    `json:"counts"`
	Sizes  []uint64 `json:"sizes"`
	// CountSteps and SizeSteps are the growth at each step.
	CountSteps []int64 `json:"count_steps"`
	SizeSteps  []int64 `json:"size_steps"`
	SizeGrowth int64   `json:"size_growth"`
	Detail     Name    `json:"detail,omitempty"`
}

// CandidateRow is a group of leak candidates.
type CandidateRow struct {
	Name Name `json:"name"`
	Key  Name `json:"key"`
	// Created is where the objects were made (a constructor, a closure's
	// function, a timer's callback), and Counts how many of the class made
	// there every snapshot holds.
	Created         string `json:"created,omitempty"`
	Counts          []int  `json:"counts"`
	Shape           Name   `json:"shape"`
	Count           int    `json:"count"`
	ShallowSize     uint64 `json:"shallow_size"`
	RetainedSize    uint64 `json:"retained_size"`
	ExampleID       uint32 `json:"example_id"`
	ExampleRetained uint64 `json:"example_retained_size"`
	Chain           Name   `json:"chain"`
	// Allocated is the allocation stack most of the objects share, when
	// the snapshots were taken with allocation tracking.
	Allocated *suspects.Allocation `json:"allocated,omitempty"`
}

// ClassGrowth is a class's Summary numbers in every snapshot.
type ClassGrowth struct {
	Name          Name     `json:"name"`
	Key           Name     `json:"key"`
	Counts        []int    `json:"counts"`
	ShallowSizes  []uint64 `json:"shallow_sizes"`
	RetainedSizes []uint64 `json:"retained_sizes"`
}

// ListenerTrend is an emitter event's listener count in every snapshot.
type ListenerTrend struct {
	Event         Name     `json:"event"`
	Emitter       Name     `json:"emitter"`
	EmitterID     uint32   `json:"emitter_id"`
	Path          Name     `json:"path"`
	Counts        []int    `json:"counts"`
	RetainedSizes []uint64 `json:"retained_sizes"`
	Listener      Name     `json:"listener"`
}

func steps[T int | uint64](v []T) []int64 {
	out := make([]int64, 0, len(v)-1)
	for k := 1; k < len(v); k++ {
		out = append(out, int64(v[k])-int64(v[k-1]))
	}
	return out
}

func growthRow(kind, title string, counts []int, sizes []uint64) GrowthRow {
	return GrowthRow{Kind: kind, Title: Name(title), Counts: counts, Sizes: sizes, CountSteps: steps(counts), SizeSteps: steps(sizes),
		SizeGrowth: int64(sizes[len(sizes)-1]) - int64(sizes[0])}
}

// BuildSeries assembles the report of a series of snapshots.
func BuildSeries(s *diff.Series, files []string, topN int) *Series {
	rep := &Series{SchemaVersion: SchemaVersion, Matching: "ids", Growing: []GrowthRow{}, LeakCandidates: []CandidateRow{},
		Classes: []ClassGrowth{}, Listeners: []ListenerTrend{}, CandidateCount: len(s.Candidates)}
	for k, c := range s.Snapshots {
		rep.Snapshots = append(rep.Snapshots, snapshotOf(c, files[k]))
	}
	for _, m := range s.Steps {
		rep.Steps = append(rep.Steps, IDAgreement{SharedIDs: m.Common, SameClass: m.SameKey})
	}
	if !s.SameProcess {
		rep.Matching = "classes"
		rep.Note = "the snapshots do not come from one process (their node ids do not match), so leak candidates and " +
			"listener and collection growth, which follow objects by id, are off: only class totals are compared"
	}
	var growing []GrowthRow
	for _, l := range s.Listeners {
		row := growthRow("listeners", fmt.Sprintf("'%s' listeners on %s", l.Event, l.Emitter), l.Counts, l.Retains)
		row.Path, row.Event, row.ID, row.Detail = Name(l.Path), Name(l.Event), l.EmitterID, Name(l.Function)
		growing = append(growing, row)
		rep.Listeners = append(rep.Listeners, ListenerTrend{Event: Name(l.Event), Emitter: Name(l.Emitter), EmitterID: l.EmitterID,
			Path: Name(l.Path), Counts: l.Counts, RetainedSizes: l.Retains, Listener: Name(l.Function)})
	}
	for _, c := range s.Collections {
		row := growthRow("collection", c.Kind+" entries", c.Counts, c.Retains)
		row.Path, row.ID = Name(c.Path), c.ID
		growing = append(growing, row)
	}
	for _, c := range s.Classes {
		row := growthRow("class", c.Name+" objects", c.Count, c.Self)
		row.Key, row.Location = Name(c.Key), c.Where
		growing = append(growing, row)
		rep.Classes = append(rep.Classes, ClassGrowth{Name: Name(c.Name), Key: Name(c.Key), Counts: c.Count, ShallowSizes: c.Self, RetainedSizes: c.Retained})
	}
	// Listener lists first on ties: they explain the classes that grow with them.
	slices.SortStableFunc(growing, func(a, b GrowthRow) int { return cmp.Compare(b.SizeGrowth, a.SizeGrowth) })
	rep.GrowingCount = len(growing)
	rep.Growing = append(rep.Growing, top(growing, topN)...)
	rep.Classes = top(rep.Classes, topN)
	rep.Listeners = top(rep.Listeners, topN)
	for _, g := range top(s.Candidates, topN) {
		rep.LeakCandidates = append(rep.LeakCandidates, CandidateRow{
			Name: Name(g.Name), Key: Name(g.Key), Created: g.Created, Counts: g.Counts, Shape: Name(g.Shape),
			Count: g.Count, ShallowSize: g.Self, RetainedSize: g.Retained,
			ExampleID: g.Example, ExampleRetained: g.ExampleRetained, Chain: Name(g.Chain), Allocated: g.Allocated,
		})
	}
	return rep
}
