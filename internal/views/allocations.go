package views

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/sources"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// Allocations is the report of `heapsnap allocations`: DevTools'
// Allocation view.
type Allocations struct {
	SchemaVersion int    `json:"schema_version"`
	File          string `json:"file"`
	// Allocated is everything allocated since tracking began; Live is
	// what of it the snapshot still holds.
	Allocated Amount `json:"allocated"`
	Live      Amount `json:"live"`
	// RowCount is the number of rows of the view; Rows holds the first.
	RowCount int             `json:"row_count"`
	Rows     []AllocationRow `json:"rows"`
	// Callers, with --callers, is one function's callers tree, expanded
	// as the view's grid expands it.
	Callers []CallerRow `json:"callers,omitempty"`
}

// ErrNoAllocations is a snapshot taken without allocation tracking.
var ErrNoAllocations = errors.New("no allocation stacks: the snapshot was taken without allocation tracking " +
	"(run node with --track-heap-objects, or capture with --track-allocations)")

// Amount is a number of objects and their size in bytes.
type Amount struct {
	Count uint64 `json:"count"`
	Size  uint64 `json:"size"`
}

// AllocationRow is one row of the Allocation view.
type AllocationRow struct {
	ID       int  `json:"id"`
	Function Name `json:"function"`
	// Script, Line and Column are V8's (1-based, 0 where unknown);
	// Location is the same place through source maps.
	Script      Name             `json:"script"`
	ScriptID    uint32           `json:"script_id"`
	Line        uint32           `json:"line"`
	Column      uint32           `json:"column"`
	Location    sources.Location `json:"location"`
	Count       uint64           `json:"count"`
	Size        uint64           `json:"size"`
	LiveCount   uint64           `json:"live_count"`
	LiveSize    uint64           `json:"live_size"`
	HasChildren bool             `json:"has_children"`
}

// CallerRow is a row of a callers tree: Depth 0 is the function itself;
// Kind is "top", "single" (the only caller of the row above) or "branch"
// (one of several callers).
type CallerRow struct {
	AllocationRow
	Depth int    `json:"depth"`
	Kind  string `json:"kind"`
}

// AllocationsOptions selects what the report includes.
type AllocationsOptions struct {
	File  string
	Names *retainers.Namer
	Top   int // rows; 0 lists all
	// Callers, when not empty, names the function (by name, or by row id)
	// whose callers tree to expand.
	Callers string
}

// BuildAllocations assembles the Allocation view. It fails when Callers
// names no function of the view.
func BuildAllocations(p *devtools.AllocationProfile, o AllocationsOptions) (*Allocations, error) {
	tops := p.Tops()
	rep := &Allocations{SchemaVersion: SchemaVersion, File: o.File, RowCount: len(tops), Rows: []AllocationRow{}}
	for _, n := range tops {
		rep.Allocated.Count += n.Count
		rep.Allocated.Size += n.Size
		rep.Live.Count += n.LiveCount
		rep.Live.Size += n.LiveSize
	}
	for _, n := range top(tops, o.Top) {
		rep.Rows = append(rep.Rows, allocationRow(o.Names, n))
	}
	if o.Callers == "" {
		return rep, nil
	}
	id, err := strconv.Atoi(strings.TrimPrefix(o.Callers, "#"))
	found := false
	for _, n := range tops {
		if (err == nil && n.ID == id) || (err != nil && n.Function == o.Callers) {
			rep.Callers, err = expandCallers(p, o.Names, n)
			if err != nil {
				return nil, err
			}
			found = true
			break
		}
	}
	if !found {
		return nil, fmt.Errorf("no function %q in the Allocation view", o.Callers)
	}
	return rep, nil
}

func allocationRow(names *retainers.Namer, n devtools.AllocationNode) AllocationRow {
	return AllocationRow{
		ID: n.ID, Function: Name(n.Function), Script: Name(n.Script), ScriptID: n.ScriptID, Line: n.Line, Column: n.Column,
		Location: names.Locations().TraceLocation(n.Script, n.ScriptID, n.Line, n.Column),
		Count:    n.Count, Size: n.Size, LiveCount: n.LiveCount, LiveSize: n.LiveSize, HasChildren: n.HasChildren,
	}
}

// expandCallers walks a function's callers as the view's grid expands
// them: the chain of single callers one level each, then the branching
// callers, biggest first, each expanded in turn (with an explicit stack:
// recursion shows as a function calling itself, and stacks are up to 65
// frames deep).
func expandCallers(p *devtools.AllocationProfile, names *retainers.Namer, root devtools.AllocationNode) ([]CallerRow, error) {
	type item struct {
		n     devtools.AllocationNode
		depth int
		kind  string
	}
	stack := []item{{root, 0, "top"}}
	var out []CallerRow
	for len(stack) > 0 && len(out) < maxCallerRows {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		out = append(out, CallerRow{AllocationRow: allocationRow(names, it.n), Depth: it.depth, Kind: it.kind})
		if !it.n.HasChildren {
			continue
		}
		single, branching, err := p.Callers(it.n.ID)
		if err != nil {
			return nil, err
		}
		for k, s := range single {
			out = append(out, CallerRow{AllocationRow: allocationRow(names, s), Depth: it.depth + 1 + k, Kind: "single"})
		}
		below := it.depth + 1 + len(single)
		slices.SortStableFunc(branching, func(a, b devtools.AllocationNode) int { return cmp.Compare(b.Size, a.Size) })
		for k := len(branching) - 1; k >= 0; k-- {
			stack = append(stack, item{branching[k], below, "branch"})
		}
	}
	return out, nil
}

// maxCallerRows bounds a callers tree: a function called from everywhere
// expands into one row per distinct stack.
const maxCallerRows = 10000

// Stacks is every node's allocation stack (`heapsnap allocations --stacks`),
// read one node at a time: there can be millions.
type Stacks struct {
	Analysis *devtools.Analysis
	Profile  *devtools.AllocationProfile
	Names    *retainers.Namer // source maps; nil resolves nothing
}

// Each calls fn with every node that has a stack, in file order, the
// stack's frames as V8 recorded them (innermost first) and the same frames
// through source maps, stopping at the first error. Nodes share stacks, so
// each trace node's stack is resolved once.
func (st Stacks) Each(fn func(id uint32, frames []devtools.AllocationFrame, resolved []sources.Frame) error) error {
	s := st.Analysis.Snapshot
	if st.Names == nil {
		st.Names = retainers.NewNamer(st.Analysis, nil)
	}
	type stack struct {
		frames   []devtools.AllocationFrame
		resolved []sources.Frame
	}
	byTrace := map[uint32]stack{}
	for i := range uint32(s.NodeCount) {
		id := s.NodeTraceID[i]
		if id == 0 {
			continue
		}
		t, ok := byTrace[id]
		if !ok {
			t.frames = st.Profile.StackOf(id)
			t.resolved = st.Names.Locations().Frames(t.frames)
			byTrace[id] = t
		}
		if err := fn(s.NodeID[i], t.frames, t.resolved); err != nil {
			return err
		}
	}
	return nil
}
