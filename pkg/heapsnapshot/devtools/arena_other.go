//go:build !(linux || darwin)

package devtools

// arena is unavailable here: compressed blocks live on the Go heap.
type arena struct {
	mem []byte
}

func newArena(int) *arena { return nil }

func (a *arena) release(lo, hi int) {}

func (a *arena) close() {}
