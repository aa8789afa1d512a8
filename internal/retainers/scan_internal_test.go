package retainers

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/heapsnap/heapsnap/internal/bitset"
)

// TestScanHitsFilter checks the filtered scan against a plain one on a
// heap big enough to use the filter, with heads that share their low 16
// bits with many other nodes.
func TestScanHitsFilter(t *testing.T) {
	const nodes = 1 << 22
	rng := rand.New(rand.NewPCG(1, 2))
	edgeTo := make([]uint32, 3<<20)
	for e := range edgeTo {
		edgeTo[e] = rng.Uint32N(nodes)
	}
	for _, count := range []int{1, 18, 4096, 5000} {
		heads := bitset.New(nodes)
		var active []uint32
		for len(active) < count {
			h := edgeTo[rng.IntN(len(edgeTo))]
			if len(active) > 0 && rng.IntN(2) == 0 {
				h = active[0] ^ uint32(rng.IntN(64))<<16 // same low bits
			}
			if !heads.Has(h) {
				heads.Add(h)
				active = append(active, h)
			}
		}
		var want []uint32
		for e, to := range edgeTo {
			if heads.Has(to) {
				want = append(want, uint32(e))
			}
		}
		if got := scanHits(edgeTo, heads, active); !slices.Equal(got, want) {
			t.Errorf("%d heads: %d hits, want %d", count, len(got), len(want))
		}
	}
}
