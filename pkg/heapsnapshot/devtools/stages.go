package devtools

import (
	"github.com/heapsnap/heapsnap/internal/bitset"
	"github.com/heapsnap/heapsnap/internal/par"
)

// The pipeline is a table of stages run in order. Each stage runs one or
// two lanes side by side, and each lane declares the columns it reads and
// writes. From that table, and nothing else, the pipeline decides:
//
//   - what to park before the stage that sets the peak (the columns it does
//     not touch, compressed in memory and spilled if need be) and when to
//     bring each back (at the start of the first lane that touches it, or
//     beside the stage before that one, once the peak is past);
//   - when a stage's intermediate result is dropped (after its last
//     reader) and when memory is collected.
//
// Adding a stage is adding a row; TestStageTable checks that lanes of one
// stage do not write what the other touches and that every columns a stage
// reads was made before it.

// columns is a set of arrays the stages read and write: the snapshot's
// columns, the analysis' per-node results, and intermediate results.
type columns uint32

const (
	nodeTypes columns = 1 << iota
	nodeNames
	nodeIDs
	selfSizes
	domStates
	firstEdges
	edgeTypes
	edgeNames
	edgeTargets
	locations
	stringTable
	distances
	classIDs // Class and Classes
	dominators
	retainedSizes
	statistics
	// Intermediate results.
	essentialEdgeSet
	retainerShapes
	domOrder      // every node after its dominator
	dominatorRest // the dominator stage's spare array, for retained sizes
	arrayStores   // the Arrays' element stores the Statistics count
	knownNames
	classNamePending // names the class namer appends when flushed
	weakMapEntries   // the ephemeron edge names, parsed

	// inputs are what the snapshot holds before the first stage.
	inputs = nodeTypes | nodeNames | nodeIDs | selfSizes | domStates | firstEdges | edgeTypes | edgeNames |
		edgeTargets | locations | stringTable
	// intermediate columns are dropped after their last reader.
	intermediate = essentialEdgeSet | retainerShapes | domOrder | dominatorRest | arrayStores | classNamePending |
		weakMapEntries
)

// lane is one line of work of a stage.
type lane struct {
	reads, writes columns
	run           func(p *pipeline) error
}

// stage is one step of DevTools' pipeline.
type stage struct {
	name  string
	lanes []lane
	// peak, when set, returns the bytes the stage allocates beyond the
	// columns already in memory: before it runs, the columns it does not
	// touch are parked until that much is saved (Options.LowMemory).
	peak func(p *pipeline) int64
}

func (st *stage) touches() columns {
	var c columns
	for _, l := range st.lanes {
		c |= l.reads | l.writes
	}
	return c
}

// shared returns the columns more than one lane touches.
func (st *stage) shared() columns {
	var seen, twice columns
	for _, l := range st.lanes {
		c := l.reads | l.writes
		twice |= seen & c
		seen |= c
	}
	return twice
}

func (st *stage) reads() columns {
	var c columns
	for _, l := range st.lanes {
		c |= l.reads
	}
	return c
}

// stages is DevTools' order, except that the steps the dominators do not
// depend on (shallow sizes, distances, class names and the class counts)
// come first, so that their temporary arrays are gone, and their results
// can be parked, by the time the dominator arrays, the largest, are
// allocated. The distances BFS is the longest of the early steps and
// cannot be split, so it runs beside all the others.
var stages = []stage{
	{name: "names", lanes: []lane{
		{reads: stringTable, writes: knownNames, run: func(p *pipeline) error { p.r.findKnownNames(); return nil }},
		{reads: stringTable, writes: weakMapEntries, run: func(p *pipeline) error { p.r.findWeakMapNames(); return nil }},
	}},
	{name: "DOM state", lanes: []lane{{
		reads:  nodeTypes | nodeNames | domStates | firstEdges | edgeTypes | edgeTargets | stringTable,
		writes: nodeNames | domStates | stringTable,
		run:    func(p *pipeline) error { p.r.propagateDOMState(); return nil },
	}}},
	{name: "distances, edges, shallow sizes, class names", lanes: []lane{{
		reads:  nodeTypes | nodeNames | firstEdges | edgeTypes | edgeTargets | edgeNames | stringTable | knownNames | weakMapEntries,
		writes: distances | selfSizes | arrayStores,
		run: func(p *pipeline) error {
			p.r.computeDistances()
			p.r.transferShallowSizes()
			p.elements = p.r.arrayElements()
			return nil
		},
	}, {
		reads:  nodeTypes | nodeNames | nodeIDs | firstEdges | edgeTypes | edgeTargets | edgeNames | stringTable | knownNames | weakMapEntries,
		writes: essentialEdgeSet | retainerShapes | classIDs | classNamePending,
		run: func(p *pipeline) error {
			// Class names defer their additions to the string table
			// (classNamePending) until both lanes are done.
			p.essential = p.r.essentialEdges(p.r.markPageOwned())
			p.shape = p.r.retainerShapeOf(p.essential)
			p.r.Interfaces = p.r.inferInterfaces()
			p.names = p.r.nameClasses(p.r.Interfaces)
			return nil
		},
	}}},
	{name: "classes", lanes: []lane{{
		reads:  classIDs | classNamePending | nodeTypes | locations | stringTable | selfSizes | distances,
		writes: classIDs | stringTable,
		run: func(p *pipeline) error {
			p.names.flush()
			p.r.keyClasses()
			p.r.countMembers()
			return nil
		},
	}}},
	{name: "dominators", peak: func(p *pipeline) int64 {
		// Enough that its arrays fit in memory the later stages use
		// anyway: the retained sizes and dominators it leaves behind (4
		// bytes per node each), and about as much again that reports
		// typically allocate on top. Then it does not set the peak, and
		// parking costs as little as it can.
		return dominatorBytes(p.r.Snapshot.NodeCount, p.shape.slots) - 12*int64(p.r.Snapshot.NodeCount)
	}, lanes: []lane{{
		reads:  firstEdges | edgeTargets | essentialEdgeSet | retainerShapes,
		writes: dominators | domOrder | dominatorRest,
		run: func(p *pipeline) error {
			p.order, p.spare = p.r.computeDominators(p.essential, p.shape)
			return nil
		},
	}}},
	{name: "retained sizes", lanes: []lane{{
		reads:  selfSizes | dominators | domOrder | dominatorRest,
		writes: retainedSizes,
		run: func(p *pipeline) error {
			p.r.accumulateRetained(p.order, p.spare)
			p.spare = nil
			return nil
		},
	}}},
	{name: "summary", lanes: []lane{{
		// The tree's children lists reuse the order's memory.
		reads:  dominators | selfSizes | classIDs | retainedSizes | domOrder,
		writes: classIDs,
		run: func(p *pipeline) error {
			p.r.classRetainedSizes(p.order)
			return nil
		},
	}, {
		reads:  selfSizes | nodeTypes | nodeNames | edgeTargets | retainedSizes | arrayStores | knownNames,
		writes: statistics,
		run: func(p *pipeline) error {
			p.r.computeStatistics(p.elements)
			return nil
		},
	}}},
	{name: "class keys", lanes: []lane{{
		reads: classIDs | stringTable, writes: classIDs,
		run: func(p *pipeline) error { p.r.markShadowedClasses(); return nil },
	}}},
}

// parkOrder lists the columns that may be parked, in the order they are
// parked until enough is saved: those that compress best first. (Putting
// the cheap 1-byte columns before the edge names helped on one 2.4 GB heap
// and cost more on another, which then parks them all.)
var parkOrder = []struct {
	col   columns
	codec codec
}{
	{nodeIDs, codecDelta32}, {distances, codecDelta32}, {classIDs, codecDelta32}, {selfSizes, codecDelta32},
	{edgeNames, codecDelta32}, {nodeNames, codecDelta32}, {edgeTypes, codecNibbles}, {nodeTypes, codecNibbles},
	{domStates, codecNibbles}, {locations, codecRaw},
}

// pipeline is one run of the stages over an devtools.
type pipeline struct {
	r    *Analysis
	opts Options
	pk   *parking
	// parked holds the parked columns by columns bit.
	parked map[columns]*parked
	// The intermediate results.
	essential bitset.Set
	shape     retainerShape
	names     *classNamer
	order     []uint32
	spare     []uint32
	elements  []uint32
	// hadDetachedness records that the snapshot has a detachedness field,
	// whose columns the DOM states take over during the run.
	hadDetachedness bool
}

func newPipeline(r *Analysis, opts Options) *pipeline {
	return &pipeline{r: r, opts: opts, parked: map[columns]*parked{}, hadDetachedness: r.Snapshot.NodeDetachedness != nil}
}

func (p *pipeline) run() error {
	r := p.r
	if p.opts.LowMemory || p.opts.SpillDir != "" {
		p.pk = newParking(p.opts.SpillDir)
		defer p.pk.close()
	}
	// What parsing freed (read buffers, grown arrays) is in pieces the
	// stages' arrays do not fit in: hand it back rather than keep it
	// mapped beside them.
	r.returnToOS()
	peakPassed := false
	for k := range stages {
		st := &stages[k]
		if p.opts.Progress != nil {
			p.opts.Progress(st.name)
		}
		if st.peak != nil {
			p.park(st)
		}
		// A columns two lanes need comes back before both start; each
		// lane brings back what only it needs.
		if err := p.restore(st.shared()); err != nil {
			return err
		}
		lanes := make([]func(), 0, len(st.lanes)+1)
		errs := make([]error, len(st.lanes)+1)
		for j, l := range st.lanes {
			lanes = append(lanes, func() {
				if errs[j] = p.restore(l.reads | l.writes); errs[j] == nil {
					errs[j] = l.run(p)
				}
			})
		}
		// Once the peak is past, the columns the next stage needs come
		// back beside this one, into memory this one does not use.
		if peakPassed && k+1 < len(stages) {
			if next := stages[k+1].touches() &^ st.touches(); p.parkedAmong(next) {
				lanes = append(lanes, func() { errs[len(st.lanes)] = p.restore(next) })
			}
		}
		par.Do(lanes...)
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
		p.drop(k)
		peakPassed = peakPassed || st.peak != nil
		r.release()
	}
	if len(p.parked) > 0 {
		// The last stages' arrays are too small to hold the columns coming
		// back: return them rather than keep them beside those.
		r.returnToOS()
	}
	if err := p.restore(^columns(0)); err != nil {
		return err
	}
	if p.hadDetachedness {
		r.Snapshot.NodeDetachedness = r.DOMState
	}
	// What the stages freed stays mapped until the runtime's scavenger
	// gets to it; hand it back now, before the caller's reports allocate
	// on top.
	r.returnToOS()
	return nil
}

// drop releases the intermediate results no stage after stage k reads.
func (p *pipeline) drop(k int) {
	var later columns
	for j := k + 1; j < len(stages); j++ {
		later |= stages[j].reads()
	}
	dead := intermediate &^ later
	if dead&(essentialEdgeSet|retainerShapes) != 0 {
		p.essential, p.shape = nil, retainerShape{}
	}
	if dead&classNamePending != 0 {
		p.names = nil
	}
	if dead&domOrder != 0 {
		p.order = nil
	}
	if dead&dominatorRest != 0 {
		p.spare = nil
	}
	if dead&arrayStores != 0 {
		p.elements = nil
	}
	if dead&weakMapEntries != 0 {
		p.r.weakMapNames, p.r.weakMapPairs = nil, nil
	}
}

// park parks, of what stage st does not touch, the columns in parkOrder
// until the bytes st.peak asks for are saved. Parking comes before the
// stage's first array, so that what it frees is there to hold it.
func (p *pipeline) park(st *stage) {
	if p.pk == nil {
		return
	}
	keep := st.touches()
	for _, c := range parkOrder {
		if c.col&keep == 0 {
			if col := p.candidate(c.col, c.codec); col != nil {
				p.parked[c.col] = col
			}
		}
	}
	p.pk.park(st.peak(p))
	for c, col := range p.parked {
		if !col.parked {
			delete(p.parked, c) // compression did not make room: kept in place
		}
	}
	if len(p.parked) > 0 {
		p.r.returnToOS()
	}
}

// candidate offers columns c for parking, coded with codec.
func (p *pipeline) candidate(c columns, codec codec) *parked {
	r, s := p.r, p.r.Snapshot
	switch c {
	case nodeIDs:
		return offer(p.pk, &s.NodeID, codec)
	case distances:
		return offer(p.pk, &r.Distance, codec)
	case classIDs:
		return offer(p.pk, &r.Class, codec)
	case selfSizes:
		return offer(p.pk, &s.NodeSelfSize, codec)
	case edgeNames:
		return offer(p.pk, &s.EdgeName, codec)
	case nodeNames:
		return offer(p.pk, &s.NodeName, codec)
	case edgeTypes:
		return offer(p.pk, &s.EdgeType, codec)
	case nodeTypes:
		return offer(p.pk, &s.NodeType, codec)
	case domStates:
		return offer(p.pk, &r.DOMState, codec)
	case locations:
		return offer(p.pk, &s.Locations, codec)
	}
	panic("devtools: columns cannot be parked")
}

// parkedAmong reports whether any of cols is parked.
func (p *pipeline) parkedAmong(cols columns) bool {
	for c := range p.parked {
		if c&cols != 0 {
			return true
		}
	}
	return false
}

// restore brings back the parked columns among cols, in parkOrder.
func (p *pipeline) restore(cols columns) error {
	for _, c := range parkOrder {
		if c.col&cols == 0 {
			continue
		}
		if col := p.parked[c.col]; col != nil {
			if err := col.restore(p.pk); err != nil {
				return err
			}
		}
	}
	return nil
}
