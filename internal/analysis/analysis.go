// Package analysis computes what Chrome DevTools computes for a heap
// snapshot — adjusted shallow sizes, dominators, retained sizes, distances,
// class names and the Summary aggregates — following DevTools' procedure
// step by step, so that every number is identical to DevTools'.
//
// The steps and their order are those of HeapSnapshot.initialize in
// chrome-devtools-frontend (see docs/devtools-compat.md). Several steps
// mutate the snapshot as DevTools does: detached native nodes are renamed,
// self sizes are replaced by DevTools' adjusted sizes, and derived names are
// appended to the string table.
package analysis

import (
	"runtime"
	"runtime/debug"
	"strconv"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// DevTools' distance sentinels (HeapSnapshotModel).
const (
	NoDistance          = -5
	BaseSystemDistance  = 100000000
	BaseUnreachableDist = 200000000
)

// DOM link states (bits 0–1 of DevTools' detachednessAndClassIndex).
const (
	DOMUnknown  = 0
	DOMAttached = 1
	DOMDetached = 2
)

// Options controls Analyze.
type Options struct {
	// Step, if set, is called as each stage starts, for progress display.
	Step func(name string)
	// ReturnMemory makes Analyze collect garbage between stages, so that a
	// stage's temporary arrays do not add to the next stage's peak. It
	// costs a (cheap: the arrays hold no pointers) collection per stage.
	ReturnMemory bool
	// Park makes Run compress the columns the dominator computation does
	// not read in memory while it runs, which lowers the peak by about a
	// quarter on Node heaps. Analyze ignores it.
	Park bool
	// SpillDir, if set, makes Run park too, and write what compression
	// does not save to a temporary file in this directory. Analyze
	// ignores it.
	SpillDir string
}

// Result holds DevTools' numbers for every node. Slices are indexed by node
// ordinal.
type Result struct {
	Snap *heapsnapshot.Snapshot

	// DOMState is each node's DOM link state after propagation.
	DOMState []uint8
	// Retained is DevTools' retained size: the adjusted self size plus the
	// retained sizes of the node's dominator-tree children.
	Retained RetainedSizes
	// Dominator is the immediate dominator's ordinal; the root's is itself.
	Dominator []uint32
	// Distance is DevTools' internal distance (NoDistance for unreachable
	// nodes, ≥ BaseSystemDistance for nodes reachable only from system roots).
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

	kinds kinds
	// interfaceNames caches the string index appended for each interface
	// name, across class assignments (as DevTools' does).
	interfaceNames map[string]uint32
	// known holds the string indices of names DevTools tests for.
	known [numKnownNames]uint32
	// weakMapNames marks strings that may name WeakMap ephemeron edges.
	weakMapNames bitset
	returnMemory bool
	// spare is an array computeDominators leaves for accumulateRetained.
	spare []uint32
}

// returnToOS hands freed memory back to the operating system when the
// caller asked for it. Used where a stage dropped arrays of other sizes than
// the next one allocates, which the heap could not reuse in place.
func (r *Result) returnToOS() {
	if r.returnMemory {
		debug.FreeOSMemory()
	}
}

// release collects garbage when the caller asked for it
// (Options.ReturnMemory), so that the next stage's arrays reuse the memory
// of those the last stage dropped instead of adding to the peak. It does
// not hand the memory to the operating system: the next stage would only
// fault it back in, page by page.
func (r *Result) release() {
	if r.returnMemory {
		runtime.GC()
	}
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

// kinds caches the numeric values of the node and edge types DevTools
// treats specially; -1 where a snapshot's meta lacks the type.
type kinds struct {
	hidden, array, str, object, code, closure, regexp, native, synthetic, consString, slicedString int
	element, edgeHidden, internal, shortcut, weak, property                                        int
	// numericName[t] is true for edge types whose name is an index.
	numericName []bool
}

func newKinds(m *heapsnapshot.Meta) kinds {
	k := kinds{
		hidden: m.NodeTypeIndex("hidden"), array: m.NodeTypeIndex("array"), str: m.NodeTypeIndex("string"),
		object: m.NodeTypeIndex("object"), code: m.NodeTypeIndex("code"), closure: m.NodeTypeIndex("closure"),
		regexp: m.NodeTypeIndex("regexp"), native: m.NodeTypeIndex("native"), synthetic: m.NodeTypeIndex("synthetic"),
		consString: m.NodeTypeIndex("concatenated string"), slicedString: m.NodeTypeIndex("sliced string"),
		element: m.EdgeTypeIndex("element"), edgeHidden: m.EdgeTypeIndex("hidden"), internal: m.EdgeTypeIndex("internal"),
		shortcut: m.EdgeTypeIndex("shortcut"), weak: m.EdgeTypeIndex("weak"), property: m.EdgeTypeIndex("property"),
	}
	k.numericName = make([]bool, len(m.EdgeTypes))
	for t := range k.numericName {
		k.numericName[t] = t == k.element || t == k.edgeHidden
	}
	return k
}

// Analyze runs DevTools' whole pipeline over s, in memory.
func Analyze(s *heapsnapshot.Snapshot, opts Options) *Result {
	opts.Park, opts.SpillDir = false, ""
	r, _ := Run(s, opts) // without parking there is nothing to fail
	return r
}

// Run is Analyze, spilling to opts.SpillDir when it is set; the error
// reports a failure to read spilled data back.
func Run(s *heapsnapshot.Snapshot, opts Options) (*Result, error) {
	step := func(name string) {
		if opts.Step != nil {
			opts.Step(name)
		}
	}
	r := &Result{Snap: s, kinds: newKinds(&s.Meta), returnMemory: opts.ReturnMemory}
	release := r.release
	// What parsing freed (read buffers, grown arrays) is in pieces the
	// stages' arrays do not fit in: hand it back rather than keep it
	// mapped beside them.
	r.returnToOS()
	// Two passes over the string table, one per core.
	both(r.findKnownNames, r.findWeakMapNames)
	// DevTools' order, except that the steps the dominators do not depend
	// on (shallow sizes, distances, class names and the class counts) run
	// first, so that their temporary arrays are gone, and their results
	// can be parked, by the time the dominator arrays, the largest, are
	// allocated. Independent steps run two at a time: none writes what
	// the other reads (class names defer their additions to the string
	// table until both are done).
	step("DOM state")
	r.propagateDOMState()
	step("distances, edges, shallow sizes, class names")
	// The distances BFS is the longest of these steps and cannot be split,
	// so it runs beside all the others.
	var essential bitset
	var names *classNamer
	var shape retainerShape
	var elements []uint32
	both(func() {
		r.computeDistances()
		r.transferShallowSizes()
		elements = r.arrayElements()
	}, func() {
		essential = r.essentialEdges(r.markPageOwned())
		shape = r.retainerShapeOf(essential)
		r.Interfaces = r.inferInterfaces()
		names = r.nameClasses(r.Interfaces)
	})
	names.flush()
	r.keyClasses()
	r.countMembers()
	release()

	step("parking")
	var pk *parking
	if opts.Park || opts.SpillDir != "" {
		pk = newParking(opts.SpillDir)
		defer pk.close()
	}
	// Park, of what the dominator stage does not read, just enough that
	// its arrays fit in memory the later stages use anyway: the retained
	// sizes and dominators it leaves behind (4 bytes per node each), and
	// about as much again that reports typically allocate on top. Then it
	// does not set the peak, and parking costs as little as it can.
	// Parking comes before the stage's first array, so that what it
	// frees is there to hold it. Columns that compress best come first
	// (putting the cheap 1-byte columns before the edge names helped on
	// one 2.4 GB heap and cost more on another, which then parks them
	// all). NodeDetachedness is DOMState (propagation updated it in
	// place); both come back below.
	need := dominatorBytes(s.NodeCount, shape.slots) - 12*int64(s.NodeCount)
	column(pk, &s.NodeID, codecDelta32)
	column(pk, &r.Distance, codecDelta32)
	class := column(pk, &r.Class, codecDelta32)
	sizes := column(pk, &s.NodeSelfSize, codecDelta32)
	column(pk, &s.EdgeName, codecDelta32)
	nodeNames := column(pk, &s.NodeName, codecDelta32)
	column(pk, &s.EdgeType, codecNibbles)
	nodeTypes := column(pk, &s.NodeType, codecNibbles)
	column(pk, &r.DOMState, codecNibbles)
	column(pk, &s.Locations, codecRaw)
	pk.park(need)
	if s.NodeDetachedness != nil && r.DOMState == nil {
		s.NodeDetachedness = nil
	}
	if pk != nil {
		r.returnToOS()
	} else {
		release()
	}
	step("dominators")
	order := r.computeDominators(essential, shape)
	essential, shape = nil, retainerShape{}
	// The parked columns come back into the memory the dominator arrays
	// held. Collected but not handed back to the system, it holds them
	// without being faulted in again page by page (a quarter of a second
	// on a 2.3 GB snapshot); the summary's peak is no higher for it.
	release()
	step("retained sizes")
	if err := sizes.restore(pk); err != nil {
		return nil, err
	}
	// The classes, which the summary needs first, come back beside the
	// single-threaded pass.
	var err error
	both(func() {
		r.accumulateRetained(order)
	}, func() {
		err = class.restore(pk)
	})
	if err != nil {
		return nil, err
	}
	release()

	step("summary")
	// The class retained sizes need classes, sizes, retained sizes and
	// the dominator tree, and the order's memory for the tree's children;
	// the node types and names the Statistics need come back, and they are
	// added up, beside them. The rest come back once the tree's arrays are
	// gone.
	both(func() {
		r.classRetainedSizes(order)
	}, func() {
		for _, col := range []*parked{nodeTypes, nodeNames} {
			if err = col.restore(pk); err != nil {
				return
			}
		}
		r.computeStatistics(elements)
	})
	order = nil
	if err != nil {
		return nil, err
	}
	r.markShadowedClasses()
	if pk != nil {
		// The tree's arrays are too small to hold the columns coming
		// back: return them rather than keep them beside those.
		r.returnToOS()
	} else {
		release()
	}
	if err := pk.restore(); err != nil {
		return nil, err
	}
	if hasField(s.Meta.NodeFields, "detachedness") {
		s.NodeDetachedness = r.DOMState
	}
	if r.returnMemory {
		// What the stages freed stays mapped until the runtime's scavenger
		// gets to it; hand it back now, before the caller's reports
		// allocate on top.
		debug.FreeOSMemory()
	}
	return r, nil
}

// both runs a and b concurrently and waits for both.
func both(a, b func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		b()
	}()
	a()
	<-done
}

func hasField(fields []string, name string) bool {
	for _, f := range fields {
		if f == name {
			return true
		}
	}
	return false
}

// edgeName returns an edge's name as DevTools' edge.name() shows it: the
// string (aliasing the arena), or the decimal index for element and hidden
// edges, formatted into *scratch.
func (r *Result) edgeName(e uint32, scratch *[]byte) []byte {
	s := r.Snap
	if r.kinds.numericName[s.EdgeType[e]] {
		*scratch = strconv.AppendUint((*scratch)[:0], uint64(s.EdgeName[e]), 10)
		return *scratch
	}
	return s.Strings.Bytes(s.EdgeName[e])
}

// isUserRoot is DevTools' isUserRoot: a non-synthetic node, or the
// synthetic "(Document DOM trees)".
func (r *Result) isUserRoot(i uint32) bool {
	s := r.Snap
	return int(s.NodeType[i]) != r.kinds.synthetic || r.is(s.NodeName[i], nameDocumentDOMTrees)
}

// bitset is a fixed-size set of small integers.
type bitset []uint64

func newBitset(n int) bitset       { return make(bitset, (n+63)/64) }
func (b bitset) has(i uint32) bool { return b[i>>6]&(1<<(i&63)) != 0 }
func (b bitset) set(i uint32)      { b[i>>6] |= 1 << (i & 63) }
func (b bitset) clear(i uint32)    { b[i>>6] &^= 1 << (i & 63) }
func (b bitset) setTo(i uint32, v bool) {
	if v {
		b.set(i)
	} else {
		b.clear(i)
	}
}
