package heapsnapshot

import (
	"math"
	"slices"
)

// A snapshot taken with allocation tracking on (node --track-heap-objects,
// or DevTools' "Allocations on timeline" / allocation instrumentation)
// records the stack that allocated each object: trace_function_infos lists
// the functions, trace_tree is the tree of stacks (a call tree, root
// first), and each node's trace_node_id names the tree node that allocated
// it. Without tracking, V8 writes the sections empty.

// TraceFunction is one entry of trace_function_infos: a function that
// allocated, as V8's allocation tracker recorded it.
type TraceFunction struct {
	FunctionID uint32
	Name       uint32 // string index of the function's name ("" for anonymous)
	ScriptName uint32 // string index of the script's name or URL
	ScriptID   uint32
	// Line and Column are 1-based as V8 writes them here (unlike Location),
	// and 0 where unknown (builtins, "(root)").
	Line, Column uint32
}

// TraceNode is one node of the allocation trace tree: a stack, which is its
// function called from its parent's stack.
type TraceNode struct {
	ID uint32 // the trace_node_id that heap nodes allocated here carry
	// Parent is the index in Snapshot.TraceTree of the caller's node, or
	// NoTraceParent for a root.
	Parent uint32
	// Function is the index in Snapshot.TraceFunctions of the function.
	Function uint32
	// Count and Size are the allocations the tracker saw at exactly this
	// stack, live or dead (V8 keeps both modulo 2^32).
	Count, Size uint32
}

// NoTraceParent is TraceNode.Parent for a root of the trace tree.
const NoTraceParent = math.MaxUint32

// Sample is one entry of samples, written for allocation timelines: at
// TimestampMicros after the start, LastAssignedID was the newest object id.
type Sample struct {
	TimestampMicros uint64
	LastAssignedID  uint32
}

// maxTraceDepth bounds the nesting of trace_tree. V8 records at most 64
// frames per allocation, so real trees are at most 65 deep.
const maxTraceDepth = 4096

func (p *parser) parseTraceFunctions() error {
	s := p.snap
	h := &s.Header
	fields := h.Meta.TraceFunctionInfoFields
	values := int64(h.TraceFunctionCount) * int64(len(fields))
	n := p.sized(h.TraceFunctionCount)
	s.TraceFunctions = make([]TraceFunction, n)
	c := &columns{snap: s, limit: values, cap: n, roles: rolesOf(fields, traceFunctionRoles),
		tooMany: "more values than trace_function_count declares"}
	if n < h.TraceFunctionCount {
		c.growTo(h.TraceFunctionCount, func(n int) { s.TraceFunctions = grown(s.TraceFunctions, n) })
	}
	p.fnsAt = p.sc.offset(p.sc.pos)
	got, err := c.parseArray(p.sc, p.opts.Workers, "trace_function_infos")
	if err != nil {
		return err
	}
	if got != values {
		return syntaxErrorf(p.sc.offset(p.sc.pos-1), "trace_function_infos has %d values, but trace_function_count %d × %d fields needs %d",
			got, h.TraceFunctionCount, len(fields), values)
	}
	return nil
}

// parseTraceTree reads trace_tree into Snapshot.TraceTree, in the file's
// order (each node before its children). The tree is nested arrays: each
// node is its fields in meta.trace_node_fields order, "children" being an
// array of the child nodes' fields laid end to end. It is read with an
// explicit stack, one byte at a time from the scanner, so neither depth nor
// length can exhaust the goroutine stack or hold input.
func (p *parser) parseTraceTree() error {
	sc := p.sc
	s := p.snap
	fields := s.Meta.TraceNodeFields
	nf := len(fields)
	idAt, fnAt := slices.Index(fields, "id"), slices.Index(fields, "function_info_index")
	countAt, sizeAt, childrenAt := slices.Index(fields, "count"), slices.Index(fields, "size"), slices.Index(fields, "children")
	if err := sc.expect('[', "at the start of trace_tree"); err != nil {
		return err
	}
	// One level per open array: the node whose children it holds, and the
	// node being read in it with the index of its next field.
	type level struct {
		parent, node uint32
		field        int
	}
	stack := []level{{parent: NoTraceParent}}
	needComma := false
	for {
		c, ok := sc.skipSpace()
		if !ok {
			return sc.endError("in trace_tree")
		}
		top := &stack[len(stack)-1]
		if c == ']' {
			if top.field != 0 {
				return syntaxErrorf(sc.offset(sc.pos), "trace_tree node %d ends after %d of its %d fields", top.node, top.field, nf)
			}
			sc.pos++
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return nil
			}
			// The parent's children field is complete.
			top = &stack[len(stack)-1]
			if top.field++; top.field == nf {
				top.field = 0
			}
			needComma = true
			continue
		}
		if needComma {
			if c != ',' {
				return syntaxErrorf(sc.offset(sc.pos), "expected ',' or ']' in trace_tree, found %s", describeByte(c))
			}
			sc.pos++
			needComma = false
			if c, ok := sc.skipSpace(); ok && c == ']' {
				return syntaxErrorf(sc.offset(sc.pos), "expected a value in trace_tree after ',', found ']'")
			}
			continue
		}
		if top.field == 0 {
			if len(s.TraceTree) >= math.MaxUint32-1 {
				return syntaxErrorf(sc.offset(sc.pos), "trace_tree has more than 2^32-2 nodes")
			}
			s.TraceTree = append(s.TraceTree, TraceNode{Parent: top.parent})
			top.node = uint32(len(s.TraceTree) - 1)
		}
		if top.field == childrenAt {
			if c != '[' {
				return syntaxErrorf(sc.offset(sc.pos), "expected '[' (the children of trace_tree node %d), found %s", top.node, describeByte(c))
			}
			if len(stack) > maxTraceDepth {
				return syntaxErrorf(sc.offset(sc.pos), "trace_tree is nested more than %d levels deep", maxTraceDepth)
			}
			sc.pos++
			stack = append(stack, level{parent: top.node})
			continue
		}
		v, at, err := sc.number("in trace_tree")
		if err != nil {
			return err
		}
		if v > math.MaxUint32 {
			return syntaxErrorf(at, "number %d does not fit in 32 bits", v)
		}
		node := &s.TraceTree[top.node]
		switch top.field {
		case idAt:
			node.ID = uint32(v)
		case fnAt:
			if v >= uint64(s.TraceFunctionCount) {
				return syntaxErrorf(at, "trace_tree node %d: function_info_index %d, but trace_function_count is %d", top.node, v, s.TraceFunctionCount)
			}
			node.Function = uint32(v)
		case countAt:
			node.Count = uint32(v)
		case sizeAt:
			node.Size = uint32(v)
		}
		if top.field++; top.field == nf {
			top.field = 0
		}
		needComma = true
	}
}

// parseSamples reads samples into Snapshot.Samples.
func (p *parser) parseSamples() error {
	sc := p.sc
	s := p.snap
	fields := s.Meta.SampleFields
	tsAt, idAt := slices.Index(fields, "timestamp_us"), slices.Index(fields, "last_assigned_id")
	at := sc.offset(sc.pos)
	if err := sc.expect('[', "at the start of samples"); err != nil {
		return err
	}
	k := 0
	for ; ; k++ {
		c, ok := sc.skipSpace()
		if !ok {
			return sc.endError("in samples")
		}
		if c == ']' && k == 0 {
			sc.pos++
			break
		}
		if k > 0 {
			if c == ']' {
				sc.pos++
				break
			}
			if c != ',' {
				return syntaxErrorf(sc.offset(sc.pos), "expected ',' or ']' in samples, found %s", describeByte(c))
			}
			sc.pos++
		}
		v, vAt, err := sc.number("in samples")
		if err != nil {
			return err
		}
		f := k % len(fields)
		if f == 0 {
			s.Samples = append(s.Samples, Sample{})
		}
		last := &s.Samples[len(s.Samples)-1]
		switch f {
		case tsAt:
			last.TimestampMicros = v
		case idAt:
			if v > math.MaxUint32 {
				return syntaxErrorf(vAt, "number %d does not fit in 32 bits", v)
			}
			last.LastAssignedID = uint32(v)
		}
	}
	if k%len(fields) != 0 {
		return syntaxErrorf(at, "samples has %d values, not a multiple of %d fields", k, len(fields))
	}
	s.Samples = slices.Clip(s.Samples)
	return nil
}
