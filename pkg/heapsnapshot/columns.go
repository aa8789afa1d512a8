package heapsnapshot

import (
	"errors"
	"fmt"
)

// StringColumns are the flat arrays a string table is made of, to store it
// and put it back without decoding the file again (a cache).
type StringColumns struct {
	// Data is the arena: every string's WTF-8 bytes, one after another.
	Data []byte
	// End[i] is the low 32 bits of the arena offset just past string i.
	End []uint32
	// Wraps lists, in increasing order, the first string index whose end
	// lies in each further 4 GiB block of the arena (empty below 4 GiB).
	Wraps []uint32
}

// Columns returns the table's arrays. They alias the table: the caller
// must not modify them, and Append may reallocate the table's own.
func (s *Strings) Columns() StringColumns {
	return StringColumns{Data: s.data, End: s.end, Wraps: s.wraps}
}

// StringsFromColumns makes a string table of c, which it keeps (no copy):
// c must not change afterwards. Append never writes into c's arrays: it
// copies them first when they have no spare capacity, so read-only
// memory (a mapped file) is safe to pass with len == cap.
//
// It checks that the offsets are non-decreasing and inside Data, so that
// Bytes cannot go out of range.
func StringsFromColumns(c StringColumns) (Strings, error) {
	s := Strings{data: c.Data, end: c.End, wraps: c.Wraps}
	if len(c.Wraps) > 0 && int64(len(c.Data)) < int64(len(c.Wraps))<<32 {
		return Strings{}, errors.New("string table: 4 GiB blocks beyond the arena")
	}
	for k := 1; k < len(c.Wraps); k++ {
		if c.Wraps[k] < c.Wraps[k-1] {
			return Strings{}, errors.New("string table: blocks out of order")
		}
	}
	var prev int64
	for i := range c.End {
		off := s.endOffset(i)
		if off < prev || off > int64(len(c.Data)) {
			return Strings{}, fmt.Errorf("string table: string %d ends at %d, outside the arena", i, off)
		}
		prev = off
	}
	return s, nil
}
