package devtools

import (
	"os"
	"runtime/debug"
	"sync/atomic"
	"unsafe"

	"github.com/heapsnap/heapsnap/internal/par"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// Parking takes the columns the dominator stage does not read out of the
// way while it runs, since that stage sets the peak memory, and brings
// them back after. Peak memory is what decides whether a multi-gigabyte
// snapshot can be analyzed at all.
//
// Columns are first compressed in memory: most are ids, string indices,
// sizes, distances and class ids that change little from one node or edge
// to the next, so zigzag deltas as varints take a quarter to a half of
// their size, and both cores code them at several hundred MB/s each,
// faster than a disk takes writes. What compression does not save is
// written to an unlinked temporary file (Options.SpillDir), compressed
// where it was.
//
// A failed write leaves the column in memory and stops writing, so parking
// only ever saves memory; a failed read-back is an error.
type parking struct {
	file    *os.File // nil: memory only
	off     int64
	failed  bool
	columns []*parked
	workers int
	// arena holds the compressed blocks where the system allows (else
	// they are on the Go heap); next is its first free byte.
	arena *arena
	next  atomic.Int64
}

// parked is one column, in memory or parked.
type parked struct {
	codec codec
	count int // elements
	// raw is the column's memory while it is in place.
	raw []byte
	// blocks are the encoded blocks of parkBlock elements each while they
	// are in memory; at and sizes say where they are in the file once
	// written there (one block of the raw bytes for codecRaw).
	blocks [][]byte
	at     []int64
	sizes  []int
	// lo and hi delimit the blocks in the arena.
	lo, hi int
	// alloc makes the column again and returns its memory; put installs
	// it; drop takes it away once parked.
	alloc     func() []byte
	put, drop func()
	parked    bool
	done      bool
}

type codec uint8

const (
	codecRaw     codec = iota // the bytes as they are, to disk only
	codecDelta32              // zigzag deltas of 4-byte values as LEB128 varints
	codecNibbles              // 1-byte values under 16, two to a byte
)

// parkBlock is the number of elements coded together: blocks are coded in
// parallel and have their own scratch buffers.
const parkBlock = 1 << 20

// newParking parks in memory, and in a temporary file in spillDir when it
// is not empty.
func newParking(spillDir string) *parking {
	pk := &parking{workers: par.Workers()}
	if spillDir != "" {
		if f, err := os.CreateTemp(spillDir, "heapsnap-spill-*"); err == nil {
			// Unlinked at once: the space is freed when the file is closed
			// or the process ends, however it ends.
			os.Remove(f.Name())
			pk.file = f
		}
	}
	return pk
}

func (pk *parking) close() {
	if pk == nil {
		return
	}
	if pk.file != nil {
		pk.file.Close()
	}
	pk.arena.close()
}

// parkable are the pointer-free element types a column can have.
type parkable interface {
	uint8 | uint32 | int32 | heapsnapshot.Location
}

// offer makes *p a candidate for parking, coded with c. Empty columns
// are not parked; the result is then nil, on which restore does nothing.
func offer[T parkable](pk *parking, p *[]T, c codec) *parked {
	if pk == nil || len(*p) == 0 {
		return nil
	}
	n := len(*p)
	var fresh []T
	col := &parked{
		codec: c,
		count: n,
		raw:   bytesOf(*p),
		alloc: func() []byte { fresh = make([]T, n); return bytesOf(fresh) },
		put:   func() { *p, fresh = fresh, nil },
		drop:  func() { *p = nil },
	}
	pk.columns = append(pk.columns, col)
	return col
}

func bytesOf[T parkable](s []T) []byte {
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))
}

func words(b []byte) []uint32 {
	return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/4)
}

// park parks candidates, in the order added, until need bytes are saved:
// first by compressing them in memory, then by writing them to the file.
// It returns what is left of need.
func (pk *parking) park(need int64) int64 {
	if pk == nil {
		return need
	}
	// Room for every column that may be coded, at its worst: varints
	// take up to 5 bytes for 4.
	reserve := 0
	for _, col := range pk.columns {
		if col.codec != codecRaw {
			reserve += len(col.raw)*5/4 + 8
		}
	}
	if pk.arena == nil {
		pk.arena = newArena(reserve)
	}
	for _, col := range pk.columns {
		if need <= 0 {
			return need
		}
		if col.codec != codecRaw && pk.compress(col) {
			need -= int64(len(col.raw) - col.encodedSize())
			col.raw = nil
			col.parked = true
			col.drop()
			if pk.arena != nil {
				// The column's memory must go back to the system for the
				// arena's growth not to add to the peak.
				debug.FreeOSMemory()
			}
		}
	}
	for _, col := range pk.columns {
		if need <= 0 || pk.file == nil || pk.failed {
			break
		}
		if col.at != nil {
			continue
		}
		freed := pk.write(col)
		need -= freed
	}
	return need
}

func (col *parked) encodedSize() int {
	n := 0
	for _, b := range col.blocks {
		n += len(b)
	}
	return n
}

// compress codes col's blocks in parallel. It fails, leaving the column
// as it is, for nibbles when a value does not fit in four bits, and when
// coding does not make the column smaller.
func (pk *parking) compress(col *parked) bool {
	elem := len(col.raw) / col.count
	nblocks := (col.count + parkBlock - 1) / parkBlock
	col.lo = int(pk.next.Load())
	defer func() { col.hi = int(pk.next.Load()) }()
	col.blocks = make([][]byte, nblocks)
	var failed atomic.Bool
	pk.parallel(nblocks, func(scratch *[]byte, b int) {
		lo := b * parkBlock * elem
		hi := min(lo+parkBlock*elem, len(col.raw))
		src := col.raw[lo:hi]
		var enc []byte
		switch col.codec {
		case codecDelta32:
			enc = encodeDelta32(grow(scratch, 5*len(src)/4), words(src))
		case codecNibbles:
			var ok bool
			if enc, ok = encodeNibbles(grow(scratch, (len(src)+1)/2), src); !ok {
				failed.Store(true)
				return
			}
		}
		col.blocks[b] = pk.store(enc)
	})
	// A column of random 32-bit values would grow: it goes to disk as it is.
	if failed.Load() || col.encodedSize() >= len(col.raw) {
		col.blocks = nil
		col.codec = codecRaw
		pk.free(col)
		pk.next.Store(int64(col.lo))
		return false
	}
	return true
}

// store keeps a copy of an encoded block.
func (pk *parking) store(enc []byte) []byte {
	if pk.arena == nil {
		return append([]byte(nil), enc...)
	}
	end := int(pk.next.Add(int64(len(enc))))
	b := pk.arena.mem[end-len(enc) : end : end]
	copy(b, enc)
	return b
}

// free drops col's blocks; their arena pages go back to the system.
func (pk *parking) free(col *parked) {
	col.blocks = nil
	if pk.arena != nil {
		pk.arena.release(col.lo, col.hi)
	}
}

// write moves col to the file (its encoded blocks, or its raw bytes) and
// returns how many bytes of memory that frees.
func (pk *parking) write(col *parked) int64 {
	blocks := col.blocks
	if !col.parked {
		blocks = [][]byte{col.raw}
	}
	at := make([]int64, len(blocks))
	sizes := make([]int, len(blocks))
	freed := int64(0)
	for k, b := range blocks {
		if _, err := pk.file.WriteAt(b, pk.off); err != nil {
			pk.failed = true
			return 0
		}
		at[k], sizes[k] = pk.off, len(b)
		pk.off += int64(len(b))
		freed += int64(len(b))
	}
	col.at, col.sizes = at, sizes
	if col.parked {
		pk.free(col)
	} else {
		col.raw = nil
		col.parked = true
		col.drop()
	}
	return freed
}

// restore brings the column back, once.
func (col *parked) restore(pk *parking) error {
	if col == nil || col.done || !col.parked {
		return nil
	}
	col.done = true
	dst := col.alloc()
	if col.codec == codecRaw {
		if _, err := pk.file.ReadAt(dst, col.at[0]); err != nil {
			return err
		}
		col.put()
		return nil
	}
	if col.at != nil {
		col.blocks = make([][]byte, len(col.at))
		for k, at := range col.at {
			col.blocks[k] = make([]byte, col.sizes[k])
			if _, err := pk.file.ReadAt(col.blocks[k], at); err != nil {
				return err
			}
		}
	}
	elem := len(dst) / col.count
	pk.parallel(len(col.blocks), func(_ *[]byte, b int) {
		lo := b * parkBlock * elem
		hi := min(lo+parkBlock*elem, len(dst))
		switch col.codec {
		case codecDelta32:
			decodeDelta32(words(dst[lo:hi]), col.blocks[b])
		case codecNibbles:
			decodeNibbles(dst[lo:hi], col.blocks[b])
		}
	})
	if col.at != nil {
		col.blocks = nil // read back into the Go heap
	} else {
		pk.free(col)
	}
	col.put()
	return nil
}

// restore brings back every parked column not restored yet.
func (pk *parking) restore() error {
	if pk == nil {
		return nil
	}
	for _, col := range pk.columns {
		if err := col.restore(pk); err != nil {
			return err
		}
	}
	pk.columns = nil
	return nil
}

// parallel calls f for blocks 0..n-1 on every core; each worker has its
// own scratch buffer.
func (pk *parking) parallel(n int, f func(scratch *[]byte, block int)) {
	scratch := make([][]byte, pk.workers)
	par.Blocks(n, pk.workers, func(w, b int) { f(&scratch[w], b) })
}

func grow(scratch *[]byte, n int) []byte {
	if cap(*scratch) < n {
		*scratch = make([]byte, n)
	}
	return (*scratch)[:n]
}

// encodeDelta32 writes each value's difference from the one before (from
// 0 for the first), zigzag-coded so that small negative steps stay small,
// as a LEB128 varint. dst must hold 5 bytes per value.
func encodeDelta32(dst []byte, src []uint32) []byte {
	k := 0
	prev := uint32(0)
	for _, v := range src {
		d := v - prev
		prev = v
		z := d<<1 ^ uint32(int32(d)>>31)
		for z >= 0x80 {
			dst[k] = byte(z) | 0x80
			z >>= 7
			k++
		}
		dst[k] = byte(z)
		k++
	}
	return dst[:k]
}

// decodeDelta32 reverses encodeDelta32 into dst, which has as many values
// as were coded.
func decodeDelta32(dst []uint32, src []byte) {
	k := 0
	prev := uint32(0)
	for i := range dst {
		b := uint32(src[k])
		k++
		z := b & 0x7f
		for shift := 7; b >= 0x80; shift += 7 {
			b = uint32(src[k])
			k++
			z |= (b & 0x7f) << shift
		}
		prev += z>>1 ^ -(z & 1)
		dst[i] = prev
	}
}

// encodeNibbles packs values under 16 two to a byte; it fails on a larger
// value.
func encodeNibbles(dst, src []byte) ([]byte, bool) {
	for i := 0; i < len(src); i += 2 {
		lo, hi := src[i], byte(0)
		if i+1 < len(src) {
			hi = src[i+1]
		}
		if lo|hi >= 16 {
			return nil, false
		}
		dst[i/2] = lo | hi<<4
	}
	return dst[:(len(src)+1)/2], true
}

func decodeNibbles(dst, src []byte) {
	for i := range dst {
		dst[i] = src[i/2] >> (4 * (i & 1)) & 0xf
	}
}
