// Package devtools computes what Chrome DevTools' Memory panel shows for a
// V8 heap snapshot, with identical numbers: every node's adjusted shallow
// size, retained size, distance, immediate dominator and Summary class;
// the Summary (constructor) table, the Statistics, the total size; the
// Retainers view in DevTools' order; the dominator tree; and the
// Comparison of two snapshots.
//
// It follows DevTools' own procedure step by step (HeapSnapshot.initialize
// in chrome-devtools-frontend; see docs/devtools-compat.md), over the flat
// columns of a [heapsnapshot.Snapshot]:
//
//	s, err := heapsnapshot.ParseFile("heap.heapsnapshot", heapsnapshot.Options{})
//	a, err := devtools.Analyze(s, devtools.Options{})
//	for _, c := range a.SummaryRows() {
//		fmt.Println(a.ClassName(c), c.Count, c.Retained)
//	}
//
// Per-node results are slices indexed by node ordinal (0..NodeCount-1),
// like the snapshot's own columns: a.Retained.At(i), a.Distance[i],
// a.Dominator[i], a.Classes[a.Class[i]]; Node(i) gathers them.
//
// Where the stages live: the pipeline and its stage table are in
// stages.go; DOM states in domstate.go; distances in distances.go;
// shallow-size transfer and essential edges in edges.go; class names,
// keys and the Summary in classes.go; dominators and retained sizes in
// dominators.go; Statistics in statistics.go; parking of columns during
// the dominator stage in park.go; the Retainers view in retainers.go; the
// dominator tree in tree.go; the Comparison in comparison.go.
package devtools

import (
	"errors"
	"runtime"
	"runtime/debug"

	"github.com/heapsnap/heapsnap/internal/bitset"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// DevTools' distance sentinels (HeapSnapshotModel).
const (
	// NoDistance is the distance of a node no BFS reaches.
	NoDistance = -5
	// BaseSystemDistance is added to the distance of nodes reachable only
	// from system roots (GC roots other than the user's globals).
	BaseSystemDistance = 100000000
	// BaseUnreachableDistance is the distance the Retainers view shows and
	// sorts by for unreachable nodes.
	BaseUnreachableDistance = 200000000
)

// DOM link states (bits 0–1 of DevTools' detachednessAndClassIndex).
const (
	DOMUnknown  = 0
	DOMAttached = 1
	DOMDetached = 2
)

// ErrAnalyzed is returned by Analyze for a snapshot that an analysis has
// already taken over (see Analyze).
var ErrAnalyzed = errors.New("snapshot already analyzed: its self sizes and names are DevTools' adjusted ones; parse it again to analyze it anew")

// Options controls Analyze. The zero value is ready to use.
type Options struct {
	// Progress, if set, is called with each stage's name as it starts.
	Progress func(stage string)
	// ReturnMemory makes Analyze collect garbage between stages, so that a
	// stage's temporary arrays do not add to the next stage's peak, and
	// hand freed memory back to the system when it is done. Each
	// collection is cheap: the arrays hold no pointers.
	ReturnMemory bool
	// LowMemory makes Analyze compress, in memory, the columns the
	// dominator stage does not read while it runs, which lowers the peak
	// by about a quarter on Node.js heaps.
	LowMemory bool
	// SpillDir, if set, implies LowMemory and writes what compression
	// does not save to an unlinked temporary file in this directory.
	SpillDir string
}

// Analysis holds DevTools' numbers for every node of a snapshot. Slices are
// indexed by node ordinal.
type Analysis struct {
	// Snapshot is the analyzed snapshot, which the analysis has taken over
	// (see Analyze).
	Snapshot *heapsnapshot.Snapshot

	// DOMState is each node's DOM link state after propagation (DOMUnknown,
	// DOMAttached or DOMDetached).
	DOMState []uint8
	// Retained is DevTools' retained size: the adjusted self size plus the
	// retained sizes of the node's dominator-tree children.
	Retained RetainedSizes
	// Dominator is the immediate dominator's ordinal; the root's is itself.
	Dominator []uint32
	// Distance is DevTools' internal distance: NoDistance for unreachable
	// nodes, from BaseSystemDistance for nodes only system roots reach.
	Distance []int32
	// Class is each node's class id, an index into Classes.
	Class []uint32
	// Classes lists every class, including those with no members.
	Classes []Class
	// Interfaces are the plain-object interface definitions inferred from
	// this snapshot ({a, b} class names), most common first.
	Interfaces []Interface

	// TotalSize is the root's retained size plus extra_native_bytes: the
	// number DevTools shows in its sidebar.
	TotalSize  uint64
	Statistics Statistics

	// Orphans and Leftovers count nodes unreachable from the root over
	// essential edges: those with no essential retainer, which DevTools
	// treats as retained by the root, and those left in retention cycles.
	Orphans, Leftovers int

	// interfaceNames caches the string index appended for each interface
	// name, across class assignments (as DevTools' does).
	interfaceNames map[string]uint32
	// known holds the string indices of names DevTools tests for.
	known [numKnownNames]uint32
	// weakMapNames marks the strings that name WeakMap ephemeron edges;
	// weakMapPairs holds what their names say, in string order.
	weakMapNames bitset.Set
	weakMapPairs *weakMapIndex
	returnMemory bool
}

// Statistics are the numbers of DevTools' Statistics pie.
type Statistics struct {
	Total       uint64 `json:"total"`
	Native      uint64 `json:"native"`
	TypedArrays uint64 `json:"typed_arrays"`
	V8Heap      uint64 `json:"v8heap"`
	Code        uint64 `json:"code"`
	JSArrays    uint64 `json:"js_arrays"`
	Strings     uint64 `json:"strings"`
	System      uint64 `json:"system"`
}

// ReadFile parses the snapshot at path (plain or gzip-compressed) and
// analyzes it.
func ReadFile(path string, opts Options) (*Analysis, error) {
	s, err := heapsnapshot.ParseFile(path, heapsnapshot.Options{})
	if err != nil {
		return nil, err
	}
	return Analyze(s, opts)
}

// Analyze runs DevTools' pipeline over s.
//
// Analyze takes s over, as DevTools does with its own copy: it rewrites
// s.NodeSelfSize with DevTools' adjusted shallow sizes (arrays and system
// objects owned by one object are counted in their owner), renames
// detached DOM nodes in s.NodeName ("Detached <div>"), stores the
// propagated DOM states in s.NodeDetachedness, and appends the names it
// derives ("(system)", "{a, b}") to s.Strings. The result refers to s. It
// marks s Analyzed; analyzing s again returns ErrAnalyzed. While Analyze
// runs with LowMemory, columns of s are out of memory: nothing else may
// read s meanwhile.
//
// The only other error is a failure to read spilled columns back
// (Options.SpillDir).
func Analyze(s *heapsnapshot.Snapshot, opts Options) (*Analysis, error) {
	if s.Analyzed {
		return nil, ErrAnalyzed
	}
	s.Analyzed = true
	r := &Analysis{Snapshot: s, returnMemory: opts.ReturnMemory}
	if err := newPipeline(r, opts).run(); err != nil {
		return nil, err
	}
	return r, nil
}

// returnToOS hands freed memory back to the operating system when the
// caller asked for it. Used where a stage dropped arrays of other sizes than
// the next one allocates, which the heap could not reuse in place.
func (r *Analysis) returnToOS() {
	if r.returnMemory {
		debug.FreeOSMemory()
	}
}

// release collects garbage when the caller asked for it
// (Options.ReturnMemory), so that the next stage's arrays reuse the memory
// of those the last stage dropped instead of adding to the peak. It does
// not hand the memory to the operating system: the next stage would only
// fault it back in, page by page.
func (r *Analysis) release() {
	if r.returnMemory {
		runtime.GC()
	}
}

// isUserRoot is DevTools' isUserRoot: a non-synthetic node, or the
// synthetic "(Document DOM trees)".
func (r *Analysis) isUserRoot(i uint32) bool {
	s := r.Snapshot
	return s.NodeType[i] != s.Types.Synthetic || r.is(s.NodeName[i], nameDocumentDOMTrees)
}

// Node is one node's numbers as DevTools shows them.
type Node struct {
	Ordinal uint32
	ID      uint32
	Type    string
	// Name is the node's name after DevTools' renaming of detached DOM
	// nodes (WTF-8: lone surrogates survive).
	Name string
	// SelfSize is DevTools' adjusted shallow size.
	SelfSize     uint32
	RetainedSize uint64
	Distance     int32
	// Dominator is the ordinal of the immediate dominator.
	Dominator uint32
	// Class is the node's Summary class.
	Class *Class
}

// Node returns node i's numbers.
func (r *Analysis) Node(i uint32) Node {
	s := r.Snapshot
	return Node{
		Ordinal: i, ID: s.NodeID[i], Type: s.Meta.NodeTypeName(s.NodeType[i]), Name: s.Strings.String(s.NodeName[i]),
		SelfSize: s.NodeSelfSize[i], RetainedSize: r.Retained.At(i), Distance: r.Distance[i],
		Dominator: r.Dominator[i], Class: &r.Classes[r.Class[i]],
	}
}

// NodeByID returns the ordinal of the node with id, if there is one. It
// scans the ids: callers looking up many should build their own index.
func (r *Analysis) NodeByID(id uint32) (uint32, bool) {
	for i, v := range r.Snapshot.NodeID {
		if v == id {
			return uint32(i), true
		}
	}
	return 0, false
}
