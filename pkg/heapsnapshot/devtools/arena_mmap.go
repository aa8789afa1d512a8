//go:build linux || darwin

package devtools

import (
	"os"

	"golang.org/x/sys/unix"
)

// arena holds compressed columns outside the Go heap, in one anonymous
// mapping reserved up front (address space only: pages count once
// written). A column's range goes back to the system the moment the
// column is restored, rather than waiting for a garbage collection, and
// the restored columns never have to fit between its leftovers.
type arena struct {
	mem []byte
}

func newArena(reserve int) *arena {
	if reserve <= 0 {
		return nil
	}
	mem, err := unix.Mmap(-1, 0, reserve, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_NORESERVE)
	if err != nil {
		return nil
	}
	return &arena{mem: mem}
}

// release hands the whole pages of mem[lo:hi] back to the system.
func (a *arena) release(lo, hi int) {
	page := os.Getpagesize()
	lo = (lo + page - 1) &^ (page - 1)
	hi &^= page - 1
	if lo < hi {
		unix.Madvise(a.mem[lo:hi], unix.MADV_DONTNEED)
	}
}

func (a *arena) close() {
	if a != nil {
		unix.Munmap(a.mem)
	}
}
