package analysis

import (
	"os"
	"unsafe"
)

// spill parks arrays in a temporary file while the dominator computation,
// the stage that needs the most memory, runs, and reads them back after.
// Peak memory is what decides whether a multi-gigabyte snapshot can be
// analyzed at all; the columns parked here are not needed by that stage.
//
// A failed write leaves the array in memory (and stops parking), so
// spilling only ever saves memory; a failed read-back is an error.
type spill struct {
	f        *os.File
	off      int64
	restores []func() error
	failed   bool
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

// park writes *p to the spill file and sets *p to nil, remembering how to
// read it back.
func park[T uint8 | uint32 | int32](sp *spill, p *[]T) {
	if sp == nil || sp.failed || len(*p) == 0 {
		return
	}
	s := *p
	n := len(s)
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), n*int(unsafe.Sizeof(s[0])))
	if _, err := sp.f.WriteAt(b, sp.off); err != nil {
		sp.failed = true
		return
	}
	off := sp.off
	sp.off += int64(len(b))
	*p = nil
	sp.restores = append(sp.restores, func() error {
		s := make([]T, n)
		b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), n*int(unsafe.Sizeof(s[0])))
		if _, err := sp.f.ReadAt(b, off); err != nil {
			return err
		}
		*p = s
		return nil
	})
}

// restoreLatest reads back the array parked last.
func (sp *spill) restoreLatest() error {
	if sp == nil || len(sp.restores) == 0 {
		return nil
	}
	last := sp.restores[len(sp.restores)-1]
	sp.restores = sp.restores[:len(sp.restores)-1]
	return last()
}

// restore reads every parked array back, in the order parked.
func (sp *spill) restore() error {
	if sp == nil {
		return nil
	}
	for _, r := range sp.restores {
		if err := r(); err != nil {
			return err
		}
	}
	sp.restores = nil
	return nil
}

func (sp *spill) close() {
	if sp != nil {
		sp.f.Close()
	}
}
