package suspects

import (
	"cmp"
	"slices"

	"github.com/heapsnap/heapsnap/internal/sources"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// Allocation is where what accumulates was allocated, read from the
// snapshot's allocation stacks (a snapshot taken with allocation tracking:
// node --track-heap-objects): the stack most of the objects share.
type Allocation struct {
	// Count of the objects were allocated by Stack; Of is how many of
	// them have a stack at all.
	Count int `json:"count"`
	Of    int `json:"of"`
	// Stack is innermost frame first, without the trace's "(root)", cut at
	// maxAllocationFrames.
	Stack []sources.Frame `json:"stack"`
	// User is the index in Stack of the first frame in the program's own
	// code (not the runtime's), -1 when there is none.
	User int `json:"user_frame"`
}

// maxAllocationFrames bounds a suspect's stack: the allocating function
// and the callers that explain it, not the module loader under them.
const maxAllocationFrames = 8

// allocations sets each suspect's Allocated from the objects it counted,
// when the snapshot has allocation stacks.
func (f *finder) allocations(found []*Suspect) {
	if len(f.s.NodeTraceID) == 0 {
		return
	}
	var p *devtools.AllocationProfile
	for _, sus := range found {
		if len(sus.accumulated) == 0 {
			continue
		}
		if p == nil {
			if p = f.r.Allocations(); p == nil {
				return
			}
		}
		sus.Allocated = f.allocation(p, sus.accumulated)
	}
}

// allocation finds the stack most of the objects share.
func (f *finder) allocation(p *devtools.AllocationProfile, objects []uint32) *Allocation {
	return AllocationOf(p, f.o.Names.Locations(), objects)
}

// AllocationOf finds the allocation stack most of the objects share (ties
// go to the smaller trace node id, for stable output), resolved through
// loc's source maps; nil when none of them has a stack.
func AllocationOf(p *devtools.AllocationProfile, loc *sources.Resolver, objects []uint32) *Allocation {
	traceIDs := p.Snapshot().NodeTraceID
	counts := map[uint32]int{}
	of := 0
	for _, i := range objects {
		if id := traceIDs[i]; id != 0 {
			counts[id]++
			of++
		}
	}
	if of == 0 {
		return nil
	}
	ids := make([]uint32, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b uint32) int { return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b)) })
	stack := p.StackOf(ids[0])
	if n := len(stack); n > 0 && stack[n-1].Function == "(root)" {
		stack = stack[:n-1]
	}
	if len(stack) == 0 {
		return nil
	}
	a := &Allocation{Count: counts[ids[0]], Of: of, Stack: loc.Frames(stack[:min(len(stack), maxAllocationFrames)]), User: -1}
	for k, fr := range a.Stack {
		if !sources.IsRuntimeScript(fr.File) {
			a.User = k
			break
		}
	}
	return a
}
