package analysis

import (
	"os"
	"unsafe"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// spill parks arrays in a temporary file while the dominator computation,
// the stage that needs the most memory, runs, and reads them back after.
// Peak memory is what decides whether a multi-gigabyte snapshot can be
// analyzed at all; the columns parked here are not needed by that stage.
//
// A failed write leaves the array in memory (and stops parking), so
// spilling only ever saves memory; a failed read-back is an error.
type spill struct {
	f      *os.File
	off    int64
	parked []*parked
	failed bool
}

// parked is one array in the spill file.
type parked struct {
	read func() error
	done bool
}

// restore reads the array back, once.
func (p *parked) restore() error {
	if p == nil || p.done {
		return nil
	}
	p.done = true
	return p.read()
}

func newSpill(dir string) *spill {
	f, err := os.CreateTemp(dir, "heapsnap-spill-*")
	if err != nil {
		return nil
	}
	// Unlinked at once: the space is freed when the file is closed or the
	// process ends, however it ends.
	os.Remove(f.Name())
	return &spill{f: f}
}

// spillable are the pointer-free element types park can write out.
type spillable interface {
	uint8 | uint32 | int32 | uint64 | heapsnapshot.Location
}

// park writes *p to the spill file and sets *p to nil, returning how to
// read it back (nil when nothing was parked).
func park[T spillable](sp *spill, p *[]T) *parked {
	if sp == nil || sp.failed || len(*p) == 0 {
		return nil
	}
	s := *p
	n := len(s)
	size := int(unsafe.Sizeof(s[0]))
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), n*size)
	if _, err := sp.f.WriteAt(b, sp.off); err != nil {
		sp.failed = true
		return nil
	}
	off := sp.off
	sp.off += int64(len(b))
	*p = nil
	item := &parked{read: func() error {
		s := make([]T, n)
		b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), n*size)
		if _, err := sp.f.ReadAt(b, off); err != nil {
			return err
		}
		*p = s
		return nil
	}}
	sp.parked = append(sp.parked, item)
	return item
}

// restore reads back every array not read back yet, in the order parked.
func (sp *spill) restore() error {
	if sp == nil {
		return nil
	}
	for _, p := range sp.parked {
		if err := p.restore(); err != nil {
			return err
		}
	}
	sp.parked = nil
	return nil
}

func (sp *spill) close() {
	if sp != nil {
		sp.f.Close()
	}
}
