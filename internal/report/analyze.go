package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/heapsnap/heapsnap/internal/suspects"
	"github.com/heapsnap/heapsnap/internal/units"
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

// WriteAnalyze renders the report.
func WriteAnalyze(w io.Writer, rep *Analyze, f Format) error {
	if f == JSON {
		return WriteJSON(w, rep)
	}
	p := &printer{w: w, f: f}
	p.title("heapsnap analyze: " + rep.File)
	head := [][2]string{
		{"Format", describeFormat(rep.Format)},
		{"Nodes", units.Count(rep.Nodes)},
		{"Edges", units.Count(rep.Edges)},
		{"Total size", fmt.Sprintf("%s (%s bytes)", units.Bytes(rep.TotalSize), units.Count(rep.TotalSize))},
	}
	if u := rep.Unreachable; u.WeakOnly+u.Cycles > 0 {
		head = append(head, [2]string{"Unreachable", fmt.Sprintf("%s nodes with only weak retainers, %s in unreachable cycles",
			units.Count(u.WeakOnly), units.Count(u.Cycles))})
	}
	p.fields(head)
	p.suspects(rep.SuspectKinds, rep.Suspects, rep.TotalSize)

	p.section("Statistics")
	st := rep.Statistics
	stats := Grid{Header: []string{"Category", "Size", "%"}, Align: []Align{Left, Right, Right}}
	for _, row := range []struct {
		name string
		v    int64
	}{
		{"Code", int64(st.Code)}, {"Strings", int64(st.Strings)}, {"JS arrays", int64(st.JSArrays)},
		{"Typed arrays", int64(st.TypedArrays)}, {"System objects", int64(st.System)},
		{"Other JS objects", st.OtherJSObjects}, {"Other non-JS objects", st.OtherNonJSObjects},
		{"Total", int64(st.Total)},
	} {
		stats.Add(row.name, signedBytesPlain(row.v), percent(row.v, st.Total))
	}
	p.grid(&stats)

	what := "by retained size"
	switch rep.Sort {
	case "shallow":
		what = "by shallow size"
	case "count":
		what = "by count"
	}
	p.section(fmt.Sprintf("Top %d of %s classes %s", len(rep.Classes), units.Count(rep.ClassCount), what))
	classes := Grid{
		Header: []string{"#", "Class", "Count", "Shallow", "Retained", "%", "Distance"},
		Align:  []Align{Right, Left, Right, Right, Right, Right, Right},
	}
	for i, c := range rep.Classes {
		classes.Add(fmt.Sprint(i+1), Clip(string(c.Name), 60), units.Count(c.Count), units.Bytes(c.ShallowSize),
			units.Bytes(c.RetainedSize), percent(int64(c.RetainedSize), rep.TotalSize), Distance(c.Distance))
	}
	p.grid(&classes)

	if len(rep.Largest) > 0 {
		p.section("Largest objects by retained size")
		objs := Grid{
			Header: []string{"#", "Id", "Class", "Name", "Shallow", "Retained", "%", "Distance"},
			Align:  []Align{Right, Right, Left, Left, Right, Right, Right, Right},
		}
		for i, o := range rep.Largest {
			objs.Add(fmt.Sprint(i+1), fmt.Sprintf("@%d", o.ID), Clip(string(o.Class), 40), Clip(string(o.Name), 40),
				units.Bytes(o.ShallowSize), units.Bytes(o.RetainedSize), percent(int64(o.RetainedSize), rep.TotalSize), Distance(o.Distance))
		}
		p.grid(&objs)
	}
	return p.err
}

func signedBytesPlain(v int64) string {
	if v < 0 {
		return units.SignedBytes(v)
	}
	return units.Bytes(uint64(v))
}

func percent(v int64, total uint64) string {
	if total == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", float64(v)*100/float64(total))
}

func describeFormat(f SnapshotFormat) string {
	var extras []string
	for _, name := range []string{"detachedness", "trace_node_id"} {
		if slices.Contains(f.NodeFields, name) {
			extras = append(extras, name)
		}
	}
	s := fmt.Sprintf("V8 heap snapshot, %d node fields", len(f.NodeFields))
	if len(extras) > 0 {
		s += " (" + strings.Join(extras, ", ") + ")"
	}
	s += fmt.Sprintf(", %d node types", len(f.NodeTypes))
	if f.Locations {
		s += ", locations"
	}
	return s
}

// printer writes titled sections in table or Markdown form, keeping the
// first error.
type printer struct {
	w       io.Writer
	f       Format
	err     error
	started bool
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *printer) title(s string) {
	if p.f == Markdown {
		p.printf("# %s\n\n", escapeMarkdown(s))
	} else {
		p.printf("%s\n\n", s)
	}
	p.started = true
}

func (p *printer) section(s string) {
	if p.f == Markdown {
		p.printf("\n## %s\n\n", escapeMarkdown(s))
	} else {
		p.printf("\n%s\n", s)
	}
}

func (p *printer) grid(g *Grid) {
	if p.err == nil {
		p.err = g.Render(p.w, p.f)
	}
}

// fields writes "name: value" lines: aligned in a table, a list in
// Markdown.
func (p *printer) fields(kv [][2]string) {
	width := 0
	for _, f := range kv {
		width = max(width, len(f[0]))
	}
	for _, f := range kv {
		if p.f == Markdown {
			p.printf("- **%s:** %s\n", escapeMarkdown(f[0]), escapeMarkdown(f[1]))
		} else {
			p.printf("%-*s  %s\n", width, f[0], oneLine(f[1]))
		}
	}
}
