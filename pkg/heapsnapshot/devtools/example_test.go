package devtools_test

import (
	"fmt"
	"log"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// The snapshots below are the ones heapsnap's tests use: a Node.js service
// that leaks EventEmitter listeners, and one process that grows between
// two snapshots.
const (
	incident = "../../../testdata/scenarios/snapshots/incident-leak.heapsnapshot.gz"
	growth1  = "../../../testdata/scenarios/snapshots/growth-1.heapsnapshot.gz"
	growth2  = "../../../testdata/scenarios/snapshots/growth-2.heapsnapshot.gz"
)

// The classes that retain the most, as DevTools' Summary lists them.
func ExampleAnalyze() {
	s, err := heapsnapshot.ParseFile(incident, heapsnapshot.Options{})
	if err != nil {
		log.Fatal(err)
	}
	a, err := devtools.Analyze(s, devtools.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("total %d bytes in %d nodes\n", a.TotalSize, s.NodeCount)
	for _, c := range a.SummaryRows()[:4] {
		fmt.Printf("%-16s %6d objects, retained %8d, shallow %7d\n", a.ClassName(c), c.Count, c.Retained, c.Self)
	}
	// Output:
	// total 3371196 bytes in 47849 nodes
	// global                2 objects, retained  2859051, shallow    8448
	// Function           7216 objects, retained  1918344, shallow  493232
	// Object              481 objects, retained  1237484, shallow  147768
	// (compiled code)   11845 objects, retained   951640, shallow  877336
}

// What keeps one object alive: its retainers in the order of DevTools'
// Retainers view, and its dominator.
func ExampleRetainerIndex_Retainers() {
	a, err := devtools.ReadFile(incident, devtools.Options{})
	if err != nil {
		log.Fatal(err)
	}
	emitter, ok := a.NodeByID(71451)
	if !ok {
		log.Fatal("no @71451")
	}
	n := a.Node(emitter)
	fmt.Printf("@%d %s retains %d bytes; dominator @%d\n", n.ID, a.ClassName(n.Class), n.RetainedSize, a.Snapshot.NodeID[n.Dominator])
	x := devtools.NewRetainerIndex(a)
	for _, r := range x.Retainers(emitter) {
		fmt.Printf("  %s in %s @%d, distance %d\n", a.EdgeLabel(r.Edge), r.Name, a.Snapshot.NodeID[r.From], r.Distance)
	}
	// Output:
	// @71451 EventEmitter retains 370600 bytes; dominator @71449
	//   .emitter in DataProcessor @71449, distance 2
	//   .target in {fired, wrapFn, target, type, listener} @71441, distance 6
}

// DevTools' Comparison view of two snapshots of one process. The newer
// one is reduced to its census first, so that the two graphs are never in
// memory together.
func ExampleCompare() {
	cur, err := devtools.ReadFile(growth2, devtools.Options{})
	if err != nil {
		log.Fatal(err)
	}
	after := cur.Census()
	cur = nil
	old, err := devtools.ReadFile(growth1, devtools.Options{})
	if err != nil {
		log.Fatal(err)
	}
	rows := devtools.Compare(old.BaseCensus(after), after)
	devtools.SortComparison(rows, devtools.SortSizeDelta)
	for _, r := range rows[:3] {
		fmt.Printf("%-16s +%d −%d objects, %+d bytes\n", r.Name, r.New, r.Deleted, r.SizeDelta())
	}
	// Output:
	// Function         +301 −1 objects, +19200 bytes
	// system / Context +301 −1 objects, +16800 bytes
	// LeakedRecord     +200 −0 objects, +9600 bytes
}

// DevTools' Allocation view of a snapshot taken with allocation tracking
// (node --track-heap-objects): the functions that allocated the most, and
// the stack that allocated one object.
func ExampleAnalysis_Allocations() {
	a, err := devtools.ReadFile("../../../testdata/sourcemaps/snapshots/tracked.heapsnapshot.gz", devtools.Options{})
	if err != nil {
		log.Fatal(err)
	}
	p := a.Allocations() // nil without allocation tracking
	for _, n := range p.Tops()[:3] {
		fmt.Printf("%-14s %5d objects, %8d bytes; %5d alive\n", n.Function, n.Count, n.Size, n.LiveCount)
	}
	listener, _ := a.NodeByID(84879)
	for _, f := range p.Stack(listener)[:2] {
		fmt.Printf("  %s at %s:%d:%d\n", f.Function, f.Script, f.Line, f.Column)
	}
	// Output:
	// emit            4042 objects, 16038632 bytes;    27 alive
	// (V8 API)       15326 objects,  1334440 bytes; 14877 alive
	// processOrders   6024 objects,   310840 bytes;  4022 alive
	//   processOrders at /app/dist/data-processor.js:21:18
	//   main at /app/dist/main.js:13:14
}
