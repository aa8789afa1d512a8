package heapsnapshot

import "sort"

// Snapshot is a parsed heap snapshot: the node and edge columns of the file,
// edges grouped by source node (CSR), and the string table.
//
// Nodes are addressed by ordinal (0..NodeCount-1), not by the file's node
// index (ordinal × len(NodeFields)). Edge targets are ordinals too.
type Snapshot struct {
	Header

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

// EdgeNameIsIndex reports whether edges of type t carry a numeric index
// instead of a string index ("element" and "hidden" edges).
func (s *Snapshot) EdgeNameIsIndex(t uint8) bool {
	name := s.Meta.EdgeTypeName(t)
	return name == "element" || name == "hidden"
}

// LocationOf returns the location V8 recorded for node i, if any.
func (s *Snapshot) LocationOf(i uint32) (Location, bool) {
	k := sort.Search(len(s.Locations), func(k int) bool { return s.Locations[k].Node >= i })
	if k < len(s.Locations) && s.Locations[k].Node == i {
		return s.Locations[k], true
	}
	return Location{}, false
}
