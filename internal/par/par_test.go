package par

import (
	"sync/atomic"
	"testing"
)

func TestRangeCoversEveryIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 7, 1000, 1 << 20} {
		seen := make([]atomic.Int32, n)
		parts := Range(n, 100, func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				seen[i].Add(1)
			}
		})
		if parts < 1 || parts > Workers() {
			t.Errorf("n=%d: %d parts", n, parts)
		}
		for i := range seen {
			if seen[i].Load() != 1 {
				t.Fatalf("n=%d: index %d visited %d times", n, i, seen[i].Load())
			}
		}
	}
}

func TestRangePartsAreInOrder(t *testing.T) {
	bounds := make([][2]int, Workers())
	parts := Range(1000, 1, func(part, lo, hi int) { bounds[part] = [2]int{lo, hi} })
	at := 0
	for k := range parts {
		if bounds[k][0] != at {
			t.Fatalf("part %d starts at %d, want %d", k, bounds[k][0], at)
		}
		at = bounds[k][1]
	}
	if at != 1000 {
		t.Fatalf("parts end at %d", at)
	}
}

func TestBlocksRunsEachBlockOnceWithValidWorker(t *testing.T) {
	const n = 500
	var seen [n]atomic.Int32
	var bad atomic.Bool
	Blocks(n, 3, func(w, b int) {
		if w < 0 || w >= 3 {
			bad.Store(true)
		}
		seen[b].Add(1)
	})
	if bad.Load() {
		t.Fatal("worker index out of range")
	}
	for b := range seen {
		if seen[b].Load() != 1 {
			t.Fatalf("block %d ran %d times", b, seen[b].Load())
		}
	}
	Blocks(0, 0, func(int, int) { t.Fatal("called for no blocks") })
}

func TestDoRunsAll(t *testing.T) {
	var n atomic.Int32
	Do(func() { n.Add(1) }, func() { n.Add(2) }, func() { n.Add(4) })
	if n.Load() != 7 {
		t.Fatalf("got %d", n.Load())
	}
}
