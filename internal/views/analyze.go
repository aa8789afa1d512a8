package views

import (
	"cmp"
	"slices"

	"github.com/heapsnap/heapsnap/internal/suspects"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// Analyze is the report of `heapsnap analyze`.
type Analyze struct {
	SchemaVersion int            `json:"schema_version"`
	File          string         `json:"file"`
	Format        SnapshotFormat `json:"format"`
	Nodes         int            `json:"nodes"`
	Edges         int            `json:"edges"`
	TotalSize     uint64         `json:"total_size"`
	Statistics    Statistics     `json:"statistics"`
	Unreachable   Unreachable    `json:"unreachable"`
	// ClassCount is the number of rows of DevTools' Summary; Classes holds
	// the top ones in the requested order.
	ClassCount int         `json:"class_count"`
	Sort       string      `json:"sort"`
	Classes    []ClassRow  `json:"classes"`
	Largest    []ObjectRow `json:"largest"`
	// SuspectKinds are the detectors that ran; Suspects are what they
	// found, ranked by retained size.
	SuspectKinds []suspects.Kind    `json:"suspect_kinds"`
	Suspects     []suspects.Suspect `json:"suspects"`
}

// SnapshotFormat describes the file's layout, read from snapshot.meta.
type SnapshotFormat struct {
	NodeFields       []string `json:"node_fields"`
	NodeTypes        []string `json:"node_types"`
	EdgeFields       []string `json:"edge_fields"`
	EdgeTypes        []string `json:"edge_types"`
	Locations        bool     `json:"locations"`
	ExtraNativeBytes uint64   `json:"extra_native_bytes"`
}

// Statistics are the slices of DevTools' Statistics view.
type Statistics struct {
	Total             uint64 `json:"total"`
	Code              uint64 `json:"code"`
	Strings           uint64 `json:"strings"`
	JSArrays          uint64 `json:"js_arrays"`
	TypedArrays       uint64 `json:"typed_arrays"`
	System            uint64 `json:"system"`
	OtherJSObjects    int64  `json:"other_js_objects"`
	OtherNonJSObjects int64  `json:"other_non_js_objects"`
	V8Heap            uint64 `json:"v8heap"`
	Native            uint64 `json:"native"`
}

// Unreachable counts nodes the root does not reach over retaining edges.
type Unreachable struct {
	// WeakOnly nodes have no retaining edge at all (only weak ones, or
	// none); DevTools treats them as held by the root.
	WeakOnly int `json:"weak_only"`
	// Cycles are nodes kept only by other unreachable nodes.
	Cycles int `json:"cycles"`
}

// ClassRow is a row of DevTools' Summary view.
type ClassRow struct {
	Name         Name   `json:"name"`
	Key          Name   `json:"key"`
	Count        int    `json:"count"`
	ShallowSize  uint64 `json:"shallow_size"`
	RetainedSize uint64 `json:"retained_size"`
	// Distance is DevTools' internal value: the UI shows "−" for values
	// below 0 (unreachable) and from 100000000 (system roots only).
	Distance int32 `json:"distance"`
}

// ObjectRow describes one object.
type ObjectRow struct {
	ID           uint32 `json:"id"`
	Class        Name   `json:"class"`
	Type         string `json:"type"`
	Name         Name   `json:"name"`
	ShallowSize  uint64 `json:"shallow_size"`
	RetainedSize uint64 `json:"retained_size"`
	Distance     int32  `json:"distance"`
}

// AnalyzeOptions selects what the report includes.
type AnalyzeOptions struct {
	File    string
	Top     int    // classes to list; 0 lists all
	Sort    string // "retained", "shallow" or "count"
	Largest int    // largest objects to list
	// SuspectKinds are the detectors that ran and Suspects what they found
	// (suspects.Find).
	SuspectKinds []suspects.Kind
	Suspects     []suspects.Suspect
}

// SortKeys are the accepted values of AnalyzeOptions.Sort.
var SortKeys = []string{"retained", "shallow", "count"}

// BuildAnalyze assembles the analyze report from an devtools.
func BuildAnalyze(r *devtools.Analysis, o AnalyzeOptions) *Analyze {
	s := r.Snapshot
	st := r.Statistics
	rep := &Analyze{
		SchemaVersion: SchemaVersion,
		File:          o.File,
		Format: SnapshotFormat{
			NodeFields: s.Meta.NodeFields, NodeTypes: s.Meta.NodeTypes,
			EdgeFields: s.Meta.EdgeFields, EdgeTypes: s.Meta.EdgeTypes,
			Locations: s.Meta.LocationFields != nil, ExtraNativeBytes: s.ExtraNativeBytes,
		},
		Nodes:     s.NodeCount,
		Edges:     s.EdgeCount,
		TotalSize: r.TotalSize,
		Statistics: Statistics{
			Total: st.Total, Code: st.Code, Strings: st.Strings, JSArrays: st.JSArrays,
			TypedArrays: st.TypedArrays, System: st.System,
			OtherJSObjects:    int64(st.V8Heap) - int64(st.Code) - int64(st.Strings) - int64(st.JSArrays) - int64(st.System),
			OtherNonJSObjects: int64(st.Native) - int64(st.TypedArrays),
			V8Heap:            st.V8Heap, Native: st.Native,
		},
		Unreachable:  Unreachable{WeakOnly: r.Orphans, Cycles: r.Leftovers},
		Sort:         o.Sort,
		SuspectKinds: append([]suspects.Kind{}, o.SuspectKinds...),
		Suspects:     append([]suspects.Suspect{}, o.Suspects...),
	}
	rows := r.SummaryRows()
	rep.ClassCount = len(rows)
	switch o.Sort {
	case "shallow":
		slices.SortStableFunc(rows, func(a, b *devtools.Class) int { return cmp.Compare(b.Self, a.Self) })
	case "count":
		slices.SortStableFunc(rows, func(a, b *devtools.Class) int { return cmp.Compare(b.Count, a.Count) })
	}
	if o.Top > 0 && len(rows) > o.Top {
		rows = rows[:o.Top]
	}
	rep.Classes = make([]ClassRow, len(rows))
	for i, c := range rows {
		rep.Classes[i] = ClassRow{
			Name: Name(r.ClassName(c)), Key: Name(r.ClassKey(c)), Count: c.Count,
			ShallowSize: c.Self, RetainedSize: c.Retained, Distance: c.Distance,
		}
	}
	for _, i := range r.Largest(o.Largest) {
		rep.Largest = append(rep.Largest, Object(r, i))
	}
	return rep
}

// Object describes node i.
func Object(r *devtools.Analysis, i uint32) ObjectRow {
	s := r.Snapshot
	return ObjectRow{
		ID: s.NodeID[i], Class: Name(r.ClassName(&r.Classes[r.Class[i]])), Type: s.Meta.NodeTypeName(s.NodeType[i]),
		Name: Name(s.Strings.String(s.NodeName[i])), ShallowSize: uint64(s.NodeSelfSize[i]),
		RetainedSize: r.Retained.At(i), Distance: r.Distance[i],
	}
}
