package devtools

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/heapsnap/heapsnap/internal/bitset"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// randomGraph builds a graph shaped to hit every phase of DevTools'
// dominator procedure: a reachable core, nodes without essential retainers
// pointing into it (orphans), islands of cycles retained only by each other
// (leftovers) that also point into the core, self edges and non-essential
// edges.
func randomGraph(rng *rand.Rand, n int) (*heapsnapshot.Snapshot, bitset.Set) {
	type edge struct {
		to  uint32
		ess bool
	}
	out := make([][]edge, n)
	core := 1 + rng.IntN(n)
	islandStart := core + rng.IntN(n-core+1)
	add := func(from, to int, ess bool) { out[from] = append(out[from], edge{uint32(to), ess}) }
	for v := 1; v < core; v++ {
		// Every core node gets an essential retainer earlier in the core.
		add(rng.IntN(v), v, true)
	}
	for v := 0; v < n; v++ {
		for range rng.IntN(4) {
			var to int
			switch {
			case v >= islandStart && rng.IntN(3) > 0:
				to = islandStart + rng.IntN(n-islandStart) // island cycles
			case v < core:
				to = rng.IntN(core) // core edges (and self edges)
			default:
				to = rng.IntN(n)
			}
			add(v, to, rng.IntN(5) > 0)
		}
	}
	// Close some islands into rings so that leftovers exist.
	for v := islandStart; v+1 < n; v += 2 {
		add(v, v+1, true)
		add(v+1, v, true)
	}
	s := &heapsnapshot.Snapshot{}
	s.Meta.NodeFields = []string{"type", "name", "id", "self_size", "edge_count"}
	s.NodeCount = n
	s.FirstEdge = make([]uint32, n+1)
	var ess []bool
	for v := range n {
		for _, e := range out[v] {
			s.EdgeTo = append(s.EdgeTo, e.to)
			ess = append(ess, e.ess)
		}
		s.FirstEdge[v+1] = uint32(len(s.EdgeTo))
	}
	s.EdgeCount = len(s.EdgeTo)
	bits := bitset.New(len(ess))
	for e, b := range ess {
		if b {
			bits.Add(uint32(e))
		}
	}
	return s, bits
}

// TestDominatorsMatchDevToolsProcedure checks Semi-NCA against the
// step-for-step port of DevTools' Lengauer–Tarjan on random graphs.
func TestDominatorsMatchDevToolsProcedure(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{}
	for range 3000 {
		sizes = append(sizes, 2+rng.IntN(40))
	}
	sizes = append(sizes, 2000, 5000, 20000)
	for i, n := range sizes {
		s, ess := randomGraph(rng, n)
		want := (&Analysis{Snapshot: s}).ltReference(ess)
		r := &Analysis{Snapshot: s}
		// The shape found with two bits per node is the one the
		// in-degrees give.
		indeg := make([]uint32, n)
		for e, t := range s.EdgeTo {
			if ess.Has(uint32(e)) {
				indeg[t]++
			}
		}
		shape := r.retainerShapeOf(ess)
		slots := int64(0)
		for v, d := range indeg {
			if d >= 2 {
				slots += int64(d)
			}
			if shape.once.Has(uint32(v)) != (d >= 1) || shape.more.Has(uint32(v)) != (d >= 2) {
				t.Fatalf("graph %d: node %d with %d retainers misclassified", i, v, d)
			}
		}
		if shape.slots != slots {
			t.Fatalf("graph %d: %d retainer slots counted, in-degrees give %d", i, shape.slots, slots)
		}
		order, _ := r.computeDominators(ess, shape)
		if !slices.Equal(r.Dominator, want) {
			for o := range want {
				if r.Dominator[o] != want[o] {
					t.Fatalf("graph %d (%d nodes): node %d dominated by %d, DevTools' procedure says %d", i, n, o, r.Dominator[o], want[o])
				}
			}
		}
		// order must list every node once, each after its dominator.
		pos := make([]int, n)
		for k, o := range order {
			pos[o] = k + 1
		}
		for o := range n {
			if pos[o] == 0 || (uint32(o) != s.Root() && pos[r.Dominator[o]] >= pos[o]) {
				t.Fatalf("graph %d: node %d misplaced in the order", i, o)
			}
		}
	}
}

// TestDominatorsDeepChain runs a 10,000,000-node linked list: nothing may
// recurse.
func TestDominatorsDeepChain(t *testing.T) {
	if testing.Short() {
		t.Skip("large")
	}
	const n = 10_000_000
	s := &heapsnapshot.Snapshot{}
	s.Meta.NodeFields = []string{"type", "name", "id", "self_size", "edge_count"}
	s.NodeCount = n
	s.FirstEdge = make([]uint32, n+1)
	s.EdgeTo = make([]uint32, n-1)
	s.NodeSelfSize = make([]uint32, n)
	for v := range n - 1 {
		s.EdgeTo[v] = uint32(v + 1)
		s.FirstEdge[v+1] = uint32(v + 1)
	}
	s.FirstEdge[n] = n - 1
	s.EdgeCount = n - 1
	for v := range s.NodeSelfSize {
		s.NodeSelfSize[v] = 1
	}
	ess := bitset.New(n - 1)
	for e := range n - 1 {
		ess.Add(uint32(e))
	}
	r := &Analysis{Snapshot: s}
	r.accumulateRetained(r.computeDominators(ess, r.retainerShapeOf(ess)))
	if r.Dominator[n-1] != n-2 || r.Retained.At(0) != n || r.Retained.At(n/2) != n-n/2 {
		t.Fatalf("chain: idom(last) %d, retained(root) %d, retained(middle) %d", r.Dominator[n-1], r.Retained.At(0), r.Retained.At(n/2))
	}
}

// TestRetainedPast4GiB checks that retained sizes past 32 bits add up: a
// root holding three objects of 3 GiB, 2 GiB and 4 GiB − 1.
func TestRetainedPast4GiB(t *testing.T) {
	s := &heapsnapshot.Snapshot{}
	s.Meta.NodeFields = []string{"type", "name", "id", "self_size", "edge_count"}
	s.NodeCount = 5
	s.FirstEdge = []uint32{0, 1, 3, 3, 3, 3}
	s.EdgeTo = []uint32{1, 2, 3}
	s.EdgeCount = 3
	s.NodeSelfSize = []uint32{0, 3 << 30, 2 << 30, 1<<32 - 1, 7}
	ess := bitset.New(3)
	for e := range 3 {
		ess.Add(uint32(e))
	}
	r := &Analysis{Snapshot: s}
	r.accumulateRetained(r.computeDominators(ess, r.retainerShapeOf(ess)))
	want := []uint64{3<<30 + 2<<30 + 1<<32 - 1 + 7, 3<<30 + 2<<30 + 1<<32 - 1, 2 << 30, 1<<32 - 1, 7}
	for i, w := range want {
		if got := r.Retained.At(uint32(i)); got != w {
			t.Errorf("node %d retains %d, want %d", i, got, w)
		}
	}
}
