package heapsnapshot

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestScanPartMatchesStrconv checks the number scanner against strconv on
// numbers of every length, with V8's and other separators, in buffers with
// and without spare capacity past their end.
func TestScanPartMatchesStrconv(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 200 {
		var text strings.Builder
		var want []uint64
		for k := range 1 + rng.IntN(300) {
			if k > 0 {
				text.WriteString([]string{",", "\n,", " , ", ",\n"}[rng.IntN(4)])
			}
			digits := 1 + rng.IntN(10)
			if rng.IntN(8) == 0 {
				digits = 1 + rng.IntN(19) // up to 19 digits: wide values
			}
			v := rng.Uint64N(pow10(digits))
			if v < pow10(digits-1) && digits > 1 {
				v += pow10(digits - 1)
			}
			want = append(want, v)
			text.WriteString(strconv.FormatUint(v, 10))
		}
		text.WriteByte(']')
		for _, padded := range []bool{false, true} {
			src := text.String()
			w := []byte(src)
			if padded {
				w = append(make([]byte, 0, len(src)+pad), src...)
			} else {
				w = w[:len(src):len(src)]
			}
			vals := make([]uint32, len(want)+1)
			var wide []wideValue
			n, errAt, msg := scanPart(w, 0, len(w)-1, true, vals, &wide)
			if errAt >= 0 || n != len(want) {
				t.Fatalf("round %d padded %v: %d values, error at %d: %s", round, padded, n, errAt, msg)
			}
			wideAt := map[int]uint64{}
			for _, x := range wide {
				wideAt[x.index] = x.value
			}
			for k, v := range want {
				got := uint64(vals[k])
				if x, ok := wideAt[k]; ok {
					got = x
				}
				if got != v && !(v > 1<<32-1 && uint64(vals[k]) == v&(1<<32-1)) {
					t.Fatalf("round %d value %d: got %d, want %d", round, k, got, v)
				}
				if v > 1<<32-1 && wideAt[k] != v {
					t.Fatalf("round %d value %d: %d not reported wide", round, k, v)
				}
			}
		}
	}
}

func pow10(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 10
	}
	return p
}
