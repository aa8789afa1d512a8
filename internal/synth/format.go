package synth

import (
	"encoding/binary"
	"io"
	"math/bits"
	"slices"
	"sync"
)

// mix is the splitmix64 finalizer: a fast, well-distributed 64-bit hash.
func mix(z uint64) uint64 {
	z += 0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// rng is a splitmix64 generator.
type rng struct{ s uint64 }

func newRNG(seed uint64) rng { return rng{s: mix(seed)} }

func (r *rng) next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	z := r.s
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// below returns a number in [0, n); n must be > 0. The modulo bias is
// negligible for the small n used here.
func (r *rng) below(n uint64) uint64 { return r.next() % n }

// chance reports true with probability num/den.
func (r *rng) chance(num, den uint64) bool { return r.next()%den < num }

const digits2 = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

var pow10 = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// decLen returns the number of decimal digits of v.
func decLen(v uint64) int {
	t := (bits.Len64(v) * 1233) >> 12 // ≈ log10(v), low by at most one
	if t < len(pow10) && v >= pow10[t] {
		t++
	}
	return max(t, 1)
}

// digits4[i] holds the four ASCII digits of i (0000–9999), little-endian.
var digits4 = func() (t [10000]uint32) {
	for i := range t {
		t[i] = uint32('0'+i/1000) | uint32('0'+i/100%10)<<8 | uint32('0'+i/10%10)<<16 | uint32('0'+i%10)<<24
	}
	return
}()

// appendUint appends v in decimal, writing the digits in place, four at a
// time.
func appendUint(b []byte, v uint64) []byte {
	if v < 10 {
		return append(b, byte('0'+v))
	}
	n := decLen(v)
	l := len(b)
	if cap(b)-l < n {
		b = slices.Grow(b, n)
	}
	b = b[:l+n]
	d := b[l:]
	i := n
	for v >= 10000 {
		q := v / 10000
		i -= 4
		binary.LittleEndian.PutUint32(d[i:], digits4[v-q*10000])
		v = q
	}
	for v >= 100 {
		q := v / 100
		r := (v - q*100) * 2
		i -= 2
		d[i], d[i+1] = digits2[r], digits2[r+1]
		v = q
	}
	if v >= 10 {
		d[0], d[1] = digits2[2*v], digits2[2*v+1]
	} else {
		d[0] = byte('0' + v)
	}
	return b
}

// bufPool holds chunk buffers, big enough for a chunk of any section.
var bufPool = sync.Pool{New: func() any { return make([]byte, 0, 2*chunkBytes) }}

// writeOrdered calls fill(i, buf) for i in [0, n) on `workers` goroutines
// (worker k handles i ≡ k mod workers) and writes the results to w in order
// of i. Each worker has at most two finished chunks queued, so memory is
// bounded by a few chunks per worker.
func writeOrdered(w io.Writer, n, workers int, fill func(i int, buf []byte) []byte) error {
	if n == 0 {
		return nil
	}
	workers = max(1, min(workers, n))
	done := make(chan struct{})
	out := make([]chan []byte, workers)
	var wg sync.WaitGroup
	for k := range workers {
		out[k] = make(chan []byte, 2)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := k; i < n; i += workers {
				b := fill(i, bufPool.Get().([]byte)[:0])
				select {
				case out[k] <- b:
				case <-done:
					return
				}
			}
		}()
	}
	var err error
	for i := 0; i < n && err == nil; i++ {
		b := <-out[i%workers]
		_, err = w.Write(b)
		bufPool.Put(b[:0])
	}
	close(done)
	wg.Wait()
	return err
}
