// Package par runs work on every core: heapsnap's one way to fork and join.
// A small machine has two cores, so the shapes are few: functions side by
// side (Do), an index range cut into one part per core (Range), and blocks
// handed out one at a time to workers with state of their own (Blocks).
package par

import (
	"runtime"
	"sync"
)

// Do runs every function at once and returns when all have.
func Do(fns ...func()) {
	if len(fns) == 1 {
		fns[0]()
		return
	}
	var wg sync.WaitGroup
	for _, fn := range fns[1:] {
		wg.Go(fn)
	}
	fns[0]()
	wg.Wait()
}

// Workers is the number of goroutines that keep every core busy.
func Workers() int { return runtime.GOMAXPROCS(0) }

// Range cuts [0, n) into at most Workers() consecutive parts of at least
// minPart each (one part when n is small) and calls fn on each at once.
// Parts are numbered in order, so results kept per part join in order.
// It returns the number of parts, which is at least 1.
func Range(n, minPart int, fn func(part, lo, hi int)) int {
	parts := max(1, min(Workers(), n/max(1, minPart)))
	fns := make([]func(), parts)
	for k := range parts {
		lo, hi := int(int64(n)*int64(k)/int64(parts)), int(int64(n)*int64(k+1)/int64(parts))
		fns[k] = func() { fn(k, lo, hi) }
	}
	Do(fns...)
	return parts
}

// Blocks calls fn(worker, b) for every block b in [0, n), on up to workers
// goroutines (0 means Workers()) that each take the next block when done
// with one: blocks may cost different amounts. worker is in
// [0, workers), so that each can keep scratch state of its own.
func Blocks(n, workers int, fn func(worker, block int)) {
	if workers <= 0 {
		workers = Workers()
	}
	workers = max(1, min(workers, n))
	var mu sync.Mutex
	next := 0
	take := func() int {
		mu.Lock()
		defer mu.Unlock()
		b := next
		next++
		return b
	}
	fns := make([]func(), workers)
	for w := range workers {
		fns[w] = func() {
			for b := take(); b < n; b = take() {
				fn(w, b)
			}
		}
	}
	Do(fns...)
}
