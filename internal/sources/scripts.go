package sources

import (
	"bytes"
	"cmp"
	"iter"
	"slices"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// Scripts is a snapshot's script table: script id → script name (a file
// path or URL), and the heap's Script object for each, which holds the
// script's sourceMappingURL. Only the scripts that the snapshot's locations
// name are in it, plus those added by AddNames.
type Scripts struct {
	ids   []uint32 // ascending
	names []string
	nodes []uint32 // the Script node, or noNode
}

const noNode = ^uint32(0)

// ScriptsOf builds the script table of s from its Script objects: for each
// script id in s.Locations, a closure located in that script leads to the
// Script (closure -shared-> SharedFunctionInfo -script_or_debug_info-> (V8
// 11) or -script-> (V8 12 and later) Script, through DebugInfo if there is
// one), whose name edge names it.
func ScriptsOf(s *heapsnapshot.Snapshot) *Scripts {
	ids := make([]uint32, 0, 64)
	for k, l := range s.Locations {
		if k == 0 || l.ScriptID != s.Locations[k-1].ScriptID {
			ids = append(ids, l.ScriptID)
		}
	}
	slices.Sort(ids)
	ids = slices.Clip(slices.Compact(ids))
	t := &Scripts{ids: ids, names: make([]string, len(ids)), nodes: make([]uint32, len(ids))}
	for k := range t.nodes {
		t.nodes[k] = noNode
	}
	h := newHeap(s)
	left := len(ids)
	for _, l := range s.Locations {
		if left == 0 {
			break
		}
		if s.NodeType[l.Node] != h.t.Closure {
			continue
		}
		k, _ := slices.BinarySearch(t.ids, l.ScriptID)
		if t.nodes[k] != noNode {
			continue
		}
		// A closure without a shared edge (rare) leaves the script to the
		// next closure located in it.
		if script, ok := h.scriptOf(l.Node); ok {
			t.nodes[k], t.names[k] = script, h.scriptName(script)
			left--
		}
	}
	return t
}

// Name returns the name of script id, or "" when the table has none.
func (t *Scripts) Name(id uint32) string {
	if k, ok := slices.BinarySearch(t.ids, id); ok {
		return t.names[k]
	}
	return ""
}

// Len returns the number of scripts in the table.
func (t *Scripts) Len() int { return len(t.ids) }

// All yields every script id and name, by id.
func (t *Scripts) All() iter.Seq2[uint32, string] {
	return func(yield func(uint32, string) bool) {
		for k, id := range t.ids {
			if !yield(id, t.names[k]) {
				return
			}
		}
	}
}

// AddNames adds script names from another record of the same scripts, such
// as a snapshot's trace_function_infos: ids the table lacks are added and
// ids it has without a name get one; names already known are kept. Script
// id 0 (V8's "no script") and empty names are ignored. Call it before
// NewResolver.
func (t *Scripts) AddNames(pairs iter.Seq2[uint32, string]) {
	added := false
	for id, name := range pairs {
		if id == 0 || name == "" {
			continue
		}
		k, ok := slices.BinarySearch(t.ids, id)
		switch {
		case ok && t.names[k] == "":
			t.names[k] = name
		case !ok:
			// Appended, then sorted once at the end: the pairs may come in
			// any order and in the thousands.
			t.ids, t.names, t.nodes = append(t.ids, id), append(t.names, name), append(t.nodes, noNode)
			added = true
		}
	}
	if added {
		t.sort()
	}
}

// sort orders the table by id; of several rows with one id (added twice),
// the first is kept.
func (t *Scripts) sort() {
	order := make([]int, len(t.ids))
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(t.ids[a], t.ids[b]) })
	ids, names, nodes := make([]uint32, 0, len(order)), make([]string, 0, len(order)), make([]uint32, 0, len(order))
	for _, k := range order {
		if len(ids) > 0 && ids[len(ids)-1] == t.ids[k] {
			continue
		}
		ids, names, nodes = append(ids, t.ids[k]), append(names, t.names[k]), append(nodes, t.nodes[k])
	}
	t.ids, t.names, t.nodes = ids, names, nodes
}

// index returns script id's row.
func (t *Scripts) index(id uint32) (int, bool) { return slices.BinarySearch(t.ids, id) }

// ClosureScript returns the name of the script that defines closure c, for
// closures that have no location of their own; "" when the heap does not
// link it to a named Script.
func ClosureScript(s *heapsnapshot.Snapshot, c uint32) string {
	h := newHeap(s)
	if script, ok := h.scriptOf(c); ok {
		return h.scriptName(script)
	}
	return ""
}

// heap reads the few objects this package needs from the snapshot's
// columns: node and edge type numbers are looked up once.
type heap struct {
	s *heapsnapshot.Snapshot
	t *heapsnapshot.Types
}

func newHeap(s *heapsnapshot.Snapshot) *heap { return &heap{s: s, t: &s.Types} }

// edge returns the target of node i's first edge of type t named name.
func (h *heap) edge(i uint32, t uint8, name string) (uint32, bool) {
	s := h.s
	for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
		if s.EdgeType[e] == t && s.EdgeNameIsString(e) && string(s.Strings.Bytes(s.EdgeName[e])) == name {
			return s.EdgeTo[e], true
		}
	}
	return 0, false
}

func (h *heap) isString(i uint32) bool { return h.t.IsString(h.s.NodeType[i]) }

// scriptOf returns the Script object of closure c.
func (h *heap) scriptOf(c uint32) (uint32, bool) {
	shared, ok := h.edge(c, h.t.Internal, "shared")
	if !ok {
		return 0, false
	}
	script, ok := h.edge(shared, h.t.Internal, "script_or_debug_info")
	if !ok {
		if script, ok = h.edge(shared, h.t.Internal, "script"); !ok {
			return 0, false
		}
	}
	if string(h.s.NodeNameBytes(script)) == "system / DebugInfo" {
		return h.edge(script, h.t.Internal, "script")
	}
	return script, true
}

// scriptName returns a Script's name: its name edge or, failing that, its
// node name without the "system / Script / " prefix; "" for an unnamed
// Script.
func (h *heap) scriptName(script uint32) string {
	if name, ok := h.edge(script, h.t.Internal, "name"); ok && h.isString(name) {
		return h.s.Strings.String(h.s.NodeName[name])
	}
	name := h.s.NodeNameBytes(script)
	if rest, ok := bytes.CutPrefix(name, []byte("system / Script / ")); ok {
		return string(rest)
	}
	if bytes.HasPrefix(name, []byte("system / ")) {
		return ""
	}
	return string(name)
}
