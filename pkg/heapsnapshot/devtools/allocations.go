package devtools

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// AllocationProfile is DevTools' allocation profile (AllocationProfile.ts):
// what a snapshot taken with allocation tracking says about where objects
// were allocated — each object's allocation stack, and the Allocation
// view: per function, what it allocated (count, size) and what of it is
// still alive, with its callers bottom-up.
//
// The view hands out ids to its rows as DevTools does: Tops numbers the
// functions 1, 2, … the first time it is called, and each Callers call
// numbers the callers it returns after the last id handed out, so the ids
// depend on the order of the calls, as in DevTools. A profile is not safe
// for concurrent use.
type AllocationProfile struct {
	s     *heapsnapshot.Snapshot
	funcs []functionAllocations
	// traceIndex maps a trace node id to its index in s.TraceTree.
	traceIndex map[uint32]uint32
	// live counts and sizes (DevTools' adjusted self sizes) of the objects
	// allocated at each trace node, by index in s.TraceTree.
	liveCount, liveSize []uint64

	nextID    int
	tops      []AllocationNode
	collapsed map[int]int // a top's id → its function's index
	byID      map[int]*bottomUpNode
}

// functionAllocations is one function info's totals over the trace nodes
// that allocated (count > 0), and its bottom-up callers tree, built when
// first asked for.
type functionAllocations struct {
	tops                             []uint32 // trace node indices
	count, size, liveCount, liveSize uint64
	bottomUp                         *bottomUpNode
}

// bottomUpNode is one node of a function's callers tree: the allocations
// of the trace nodes whose stacks pass through these callers.
type bottomUpNode struct {
	function                         uint32 // function info index
	count, size, liveCount, liveSize uint64
	callers                          []*bottomUpNode
}

// AllocationNode is one row of the Allocation view: a function (a
// trace_function_infos entry) with what it, or the callers chain the row
// stands for, allocated.
type AllocationNode struct {
	// ID names the row for Callers.
	ID       int
	Function string
	Script   string
	ScriptID uint32
	// Line and Column are 1-based as V8 writes them here, 0 where unknown
	// (builtins, (root), (V8 API)).
	Line, Column uint32
	// Count and Size are what the tracker recorded, dead objects included;
	// LiveCount and LiveSize count the objects in this snapshot (any type,
	// with DevTools' adjusted sizes).
	Count, Size, LiveCount, LiveSize uint64
	// HasChildren is set when the row has callers to expand.
	HasChildren bool
}

// AllocationFrame is one frame of an allocation stack.
type AllocationFrame struct {
	Function string
	Script   string
	ScriptID uint32
	// Line and Column are 1-based, 0 where unknown.
	Line, Column uint32
}

// Allocations returns the snapshot's allocation profile, or nil when it
// has none (trace_function_count is 0: no allocation tracking).
func (r *Analysis) Allocations() *AllocationProfile {
	s := r.Snapshot
	if s.TraceFunctionCount == 0 || len(s.TraceFunctions) == 0 || len(s.TraceTree) == 0 {
		return nil
	}
	p := &AllocationProfile{
		s: s, funcs: make([]functionAllocations, len(s.TraceFunctions)), traceIndex: make(map[uint32]uint32, len(s.TraceTree)),
		liveCount: make([]uint64, len(s.TraceTree)), liveSize: make([]uint64, len(s.TraceTree)),
		nextID: 1, collapsed: map[int]int{}, byID: map[int]*bottomUpNode{},
	}
	for k, t := range s.TraceTree {
		p.traceIndex[t.ID] = uint32(k)
	}
	for i, id := range s.NodeTraceID {
		if k, ok := p.traceIndex[id]; ok {
			p.liveCount[k]++
			p.liveSize[k] += uint64(s.NodeSelfSize[i])
		}
	}
	for k, t := range s.TraceTree {
		if t.Count == 0 {
			continue // a stack that allocated nothing itself adds nothing
		}
		f := &p.funcs[t.Function]
		f.tops = append(f.tops, uint32(k))
		f.count += uint64(t.Count)
		f.size += uint64(t.Size)
		f.liveCount += p.liveCount[k]
		f.liveSize += p.liveSize[k]
	}
	return p
}

// Snapshot is the snapshot the profile reads (its NodeTraceID column maps
// nodes to trace nodes).
func (p *AllocationProfile) Snapshot() *heapsnapshot.Snapshot { return p.s }

// Stack returns the allocation stack of node i: the allocating function
// first, then its callers, the last frame the trace tree's root,
// "(root)". It is nil when V8 recorded no stack for the node.
func (p *AllocationProfile) Stack(i uint32) []AllocationFrame {
	if p.s.NodeTraceID == nil || p.s.NodeTraceID[i] == 0 {
		return nil
	}
	return p.StackOf(p.s.NodeTraceID[i])
}

// StackOf returns the stack of a trace node id (an empty, non-nil stack
// for an id the trace tree lacks, as DevTools gives).
func (p *AllocationProfile) StackOf(traceID uint32) []AllocationFrame {
	out := []AllocationFrame{}
	k, ok := p.traceIndex[traceID]
	// Parents come before their children in the tree: each step goes
	// towards the root, so the walk ends.
	for ok && len(out) <= len(p.s.TraceTree) {
		t := p.s.TraceTree[k]
		out = append(out, p.frame(t.Function))
		if t.Parent == heapsnapshot.NoTraceParent {
			break
		}
		k = t.Parent
	}
	return out
}

func (p *AllocationProfile) frame(fn uint32) AllocationFrame {
	f := p.s.TraceFunctions[fn]
	return AllocationFrame{
		Function: p.s.Strings.String(f.Name), Script: p.s.Strings.String(f.ScriptName),
		ScriptID: f.ScriptID, Line: f.Line, Column: f.Column,
	}
}

func (p *AllocationProfile) node(id int, fn uint32, count, size, liveCount, liveSize uint64, children bool) AllocationNode {
	f := p.frame(fn)
	return AllocationNode{ID: id, Function: f.Function, Script: f.Script, ScriptID: f.ScriptID, Line: f.Line, Column: f.Column,
		Count: count, Size: size, LiveCount: liveCount, LiveSize: liveSize, HasChildren: children}
}

// Tops returns the Allocation view's rows: every function that allocated,
// by size (descending), ties in function-info order. The result is
// computed once.
func (p *AllocationProfile) Tops() []AllocationNode {
	if p.tops != nil {
		return p.tops
	}
	p.tops = []AllocationNode{}
	for k := range p.funcs {
		f := &p.funcs[k]
		if f.count == 0 {
			continue
		}
		id := p.nextID
		p.nextID++
		// The root function (index 0) is the only row without callers.
		p.tops = append(p.tops, p.node(id, uint32(k), f.count, f.size, f.liveCount, f.liveSize, k != 0))
		p.collapsed[id] = k
	}
	slices.SortStableFunc(p.tops, func(a, b AllocationNode) int { return cmp.Compare(b.Size, a.Size) })
	return p.tops
}

// Callers returns the callers of the row with the id, as DevTools'
// allocationNodeCallers: the chain of single callers (each the only caller
// of the one before), then the callers of the chain's last link when it
// has several.
func (p *AllocationProfile) Callers(id int) (single, branching []AllocationNode, err error) {
	n, ok := p.byID[id]
	if !ok {
		k, ok := p.collapsed[id]
		if !ok {
			return nil, nil, fmt.Errorf("no allocation row %d", id)
		}
		n = p.bottomUp(k)
		delete(p.collapsed, id)
		p.byID[id] = n
	}
	if n == nil {
		return nil, nil, nil
	}
	for len(n.callers) == 1 {
		n = n.callers[0]
		single = append(single, p.caller(n))
	}
	for _, c := range n.callers {
		branching = append(branching, p.caller(c))
	}
	return single, branching, nil
}

func (p *AllocationProfile) caller(n *bottomUpNode) AllocationNode {
	id := p.nextID
	p.nextID++
	p.byID[id] = n
	return p.node(id, n.function, n.count, n.size, n.liveCount, n.liveSize, len(n.callers) > 0)
}

// bottomUp builds function k's callers tree: each trace node that
// allocated in k adds its own numbers to every level of its stack,
// callers merged only when they are the same function info.
func (p *AllocationProfile) bottomUp(k int) *bottomUpNode {
	f := &p.funcs[k]
	if len(f.tops) == 0 {
		return nil
	}
	if f.bottomUp != nil {
		return f.bottomUp
	}
	root := &bottomUpNode{function: uint32(k)}
	for _, top := range f.tops {
		t := p.s.TraceTree[top]
		count, size, liveCount, liveSize := uint64(t.Count), uint64(t.Size), p.liveCount[top], p.liveSize[top]
		n := root
		for steps := 0; ; steps++ {
			n.count += count
			n.size += size
			n.liveCount += liveCount
			n.liveSize += liveSize
			if t.Parent == heapsnapshot.NoTraceParent || steps > len(p.s.TraceTree) {
				break
			}
			t = p.s.TraceTree[t.Parent]
			n = n.caller(t.Function)
		}
	}
	f.bottomUp = root
	return root
}

// caller returns n's caller node for function fn, adding it if it is new.
func (n *bottomUpNode) caller(fn uint32) *bottomUpNode {
	for _, c := range n.callers {
		if c.function == fn {
			return c
		}
	}
	c := &bottomUpNode{function: fn}
	n.callers = append(n.callers, c)
	return c
}
