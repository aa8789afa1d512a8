package devtools

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// parkColumns are columns shaped like a snapshot's, over several blocks:
// increasing ids, small values, values spanning the whole 32-bit range,
// negative int32s, and bytes under and over 16.
type parkColumns struct {
	ids, small, wide []uint32
	distances        []int32
	types, big       []uint8
	locations        []heapsnapshot.Location
}

func newParkColumns(n int) *parkColumns {
	rng := rand.New(rand.NewPCG(1, 2))
	c := &parkColumns{
		ids: make([]uint32, n), small: make([]uint32, n), wide: make([]uint32, n),
		distances: make([]int32, n), types: make([]uint8, n), big: make([]uint8, n),
		locations: make([]heapsnapshot.Location, n/7),
	}
	for i := range n {
		c.ids[i] = uint32(2*i + 1)
		c.small[i] = uint32(rng.IntN(300))
		c.wide[i] = rng.Uint32()
		if i%5 == 0 {
			c.wide[i] = ^uint32(0) - uint32(i%3)
		}
		c.distances[i] = int32(rng.IntN(20)) - 5
		if i%11 == 0 {
			c.distances[i] = BaseSystemDistance + int32(i%4)
		}
		c.types[i] = uint8(rng.IntN(16))
		c.big[i] = uint8(rng.IntN(256))
	}
	c.big[n-1] = 200
	for k := range c.locations {
		c.locations[k] = heapsnapshot.Location{Node: uint32(7 * k), ScriptID: uint32(k % 13), Line: uint32(k), Column: 3}
	}
	return c
}

func (c *parkColumns) add(pk *parking) []*parked {
	return []*parked{
		offer(pk, &c.ids, codecDelta32),
		offer(pk, &c.small, codecDelta32),
		offer(pk, &c.wide, codecDelta32),
		offer(pk, &c.distances, codecDelta32),
		offer(pk, &c.types, codecNibbles),
		offer(pk, &c.big, codecNibbles),
		offer(pk, &c.locations, codecRaw),
	}
}

func (c *parkColumns) equal(d *parkColumns) bool {
	return slices.Equal(c.ids, d.ids) && slices.Equal(c.small, d.small) && slices.Equal(c.wide, d.wide) &&
		slices.Equal(c.distances, d.distances) && slices.Equal(c.types, d.types) && slices.Equal(c.big, d.big) &&
		slices.Equal(c.locations, d.locations)
}

func TestParkingRestoresEveryColumn(t *testing.T) {
	const n = 2*parkBlock + 12345 // three blocks, the last one partial
	want := newParkColumns(n)
	for _, tc := range []struct {
		name string
		dir  string
		need int64
		// parked tells, per column of add, whether it is expected parked.
		parked []bool
		onDisk []bool
	}{
		{"memory, everything", "", 1 << 40,
			[]bool{true, true, false, true, true, false, false}, make([]bool, 7)},
		{"memory, first column saves enough", "", 1,
			[]bool{true, false, false, false, false, false, false}, make([]bool, 7)},
		{"disk, everything", t.TempDir(), 1 << 40,
			[]bool{true, true, true, true, true, true, true}, []bool{true, true, true, true, true, true, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := newParkColumns(n)
			pk := newParking(tc.dir)
			defer pk.close()
			cols := got.add(pk)
			left := pk.park(tc.need)
			if tc.need == 1 && left > 0 {
				t.Errorf("need left %d after parking", left)
			}
			for k, col := range cols {
				if col.parked != tc.parked[k] || (col.at != nil) != tc.onDisk[k] {
					t.Errorf("column %d: parked %v on disk %v, want %v %v", k, col.parked, col.at != nil, tc.parked[k], tc.onDisk[k])
				}
			}
			if got.ids != nil == tc.parked[0] {
				t.Errorf("parked ids still in place, or kept ids gone")
			}
			// Bytes of 16 and more, and random 32-bit values, are not coded.
			if tc.need > 1 && (cols[5].codec != codecRaw || cols[2].codec != codecRaw) {
				t.Errorf("bytes over 15 coded as %v, random values as %v", cols[5].codec, cols[2].codec)
			}
			if err := cols[0].restore(pk); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.ids, want.ids) {
				t.Fatal("ids differ after restoring them alone")
			}
			if err := pk.restore(); err != nil {
				t.Fatal(err)
			}
			if !got.equal(want) {
				t.Fatal("columns differ after restoring")
			}
		})
	}
}

func TestParkingCompressesSnapshotLikeColumns(t *testing.T) {
	const n = parkBlock
	c := newParkColumns(n)
	pk := newParking("")
	cols := c.add(pk)
	pk.park(1 << 40)
	// Ids two apart take a byte each; values under 300 at most two; bytes
	// under 16 half a byte.
	for k, max := range map[int]int{0: n, 1: 2 * n, 4: n / 2} {
		if got := cols[k].encodedSize(); got > max {
			t.Errorf("column %d: %d bytes coded, want at most %d", k, got, max)
		}
	}
}

func TestParkingKeepsColumnsWhenTheFileFails(t *testing.T) {
	const n = 1000
	want := newParkColumns(n)
	got := newParkColumns(n)
	pk := newParking(t.TempDir())
	cols := got.add(pk)
	pk.file.Close() // every write now fails
	left := pk.park(1 << 40)
	if !pk.failed || left <= 0 {
		t.Fatalf("failed %v, need left %d", pk.failed, left)
	}
	if cols[6].parked || got.locations == nil {
		t.Fatal("raw column dropped though its write failed")
	}
	if cols[0].at != nil || !cols[0].parked {
		t.Fatal("compressed column should stay compressed in memory")
	}
	if err := pk.restore(); err != nil {
		t.Fatal(err)
	}
	if !got.equal(want) {
		t.Fatal("columns differ after restoring")
	}
}

func TestParkingReadBackFailureIsAnError(t *testing.T) {
	got := newParkColumns(1000)
	pk := newParking(t.TempDir())
	got.add(pk)
	pk.park(1 << 40)
	pk.file.Close()
	if err := pk.restore(); err == nil {
		t.Fatal("restore from a closed file succeeded")
	}
}

func FuzzDelta32(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 255, 255, 255, 255, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		vals := make([]uint32, len(b)/4)
		for i := range vals {
			vals[i] = uint32(b[4*i]) | uint32(b[4*i+1])<<8 | uint32(b[4*i+2])<<16 | uint32(b[4*i+3])<<24
		}
		enc := encodeDelta32(make([]byte, 5*len(vals)), vals)
		dec := make([]uint32, len(vals))
		decodeDelta32(dec, enc)
		if !slices.Equal(dec, vals) {
			t.Fatalf("round trip: %v → %v", vals, dec)
		}
	})
}
