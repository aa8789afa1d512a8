package heapsnapshot

import (
	"sort"
	"strconv"
)

// Snapshot is a parsed heap snapshot: the node and edge columns of the file,
// edges grouped by source node (CSR), and the string table.
//
// Nodes are addressed by ordinal (0..NodeCount-1), not by the file's node
// index (ordinal × len(NodeFields)). Edge targets are ordinals too.
type Snapshot struct {
	Header
	// Types are the numeric values of the node and edge types in Meta.
	Types Types

	NodeType []uint8  // index into Meta.NodeTypes
	NodeName []uint32 // index into Strings
	NodeID   []uint32
	// NodeSelfSize holds self_size modulo 2^32, as DevTools reads it.
	NodeSelfSize []uint32
	// NodeDetachedness is nil when the snapshot has no "detachedness" field.
	NodeDetachedness []uint8
	// FirstEdge[i] is the index of node i's first edge; FirstEdge[NodeCount]
	// is EdgeCount. Node i owns edges FirstEdge[i] .. FirstEdge[i+1]-1.
	FirstEdge []uint32

	EdgeType []uint8  // index into Meta.EdgeTypes
	EdgeName []uint32 // a string index, or the element index for "element" and "hidden" edges
	EdgeTo   []uint32 // target node ordinal

	// Locations maps objects to script positions, sorted by node ordinal.
	Locations []Location

	// Allocation traces (see TraceFunction), present when the snapshot was
	// taken with allocation tracking on; nil otherwise.
	// NodeTraceID is each node's trace_node_id, the TraceNode.ID of the
	// stack that allocated it (0: none recorded); nil unless
	// TraceFunctionCount > 0.
	NodeTraceID    []uint32
	TraceFunctions []TraceFunction
	// TraceTree holds trace_tree's nodes in file order, every node
	// before its children.
	TraceTree []TraceNode
	// Samples is the allocation timeline's samples, if it has any.
	Samples []Sample

	Strings Strings

	// Analyzed is set once an analysis (package devtools) has taken the
	// snapshot over: it rewrites NodeSelfSize with DevTools' adjusted
	// sizes, renames detached DOM nodes in NodeName and appends the names
	// it derives to Strings, so a snapshot can be analyzed only once.
	Analyzed bool
}

// Location is a source position V8 recorded for a closure or an object
// created by a user-script constructor. Line and Column are 0-based.
type Location struct {
	Node     uint32 // node ordinal
	ScriptID uint32
	Line     uint32
	Column   uint32
}

// Root returns the ordinal of the root node.
func (s *Snapshot) Root() uint32 { return uint32(s.RootIndex / uint64(len(s.Meta.NodeFields))) }

// NodeNameBytes returns node i's name as WTF-8 bytes aliasing the arena.
func (s *Snapshot) NodeNameBytes(i uint32) []byte { return s.Strings.Bytes(s.NodeName[i]) }

// EdgeSource returns the node that edge e leaves from.
func (s *Snapshot) EdgeSource(e uint32) uint32 {
	// FirstEdge is non-decreasing: the source is the last node whose first
	// edge is at or before e.
	return uint32(sort.Search(s.NodeCount, func(i int) bool { return s.FirstEdge[i+1] > e }))
}

// EdgeNameIsString reports whether edge e's name is a string index (not
// the numeric index of an element or hidden edge).
func (s *Snapshot) EdgeNameIsString(e uint32) bool { return !s.Types.IsIndexNamed(s.EdgeType[e]) }

// AppendEdgeName appends edge e's name as DevTools' edge.name() gives it:
// the string, or the index in decimal for element and hidden edges.
func (s *Snapshot) AppendEdgeName(b []byte, e uint32) []byte {
	if s.Types.IsIndexNamed(s.EdgeType[e]) {
		return strconv.AppendUint(b, uint64(s.EdgeName[e]), 10)
	}
	return append(b, s.Strings.Bytes(s.EdgeName[e])...)
}

// EdgeNameBytes returns edge e's name like AppendEdgeName, without copying
// a string name: the result aliases the arena, or *scratch for an index.
func (s *Snapshot) EdgeNameBytes(e uint32, scratch *[]byte) []byte {
	if s.Types.IsIndexNamed(s.EdgeType[e]) {
		*scratch = strconv.AppendUint((*scratch)[:0], uint64(s.EdgeName[e]), 10)
		return *scratch
	}
	return s.Strings.Bytes(s.EdgeName[e])
}

// EdgeNameString returns edge e's name as a string (a copy).
func (s *Snapshot) EdgeNameString(e uint32) string { return string(s.AppendEdgeName(nil, e)) }

// LocationOf returns the location V8 recorded for node i, if any.
func (s *Snapshot) LocationOf(i uint32) (Location, bool) {
	k := sort.Search(len(s.Locations), func(k int) bool { return s.Locations[k].Node >= i })
	if k < len(s.Locations) && s.Locations[k].Node == i {
		return s.Locations[k], true
	}
	return Location{}, false
}
