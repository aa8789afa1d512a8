// Package bitset is a fixed-size set of small integers (node ordinals, edge
// indices, string indices): a bit each, so that a set over tens of millions
// of nodes stays in cache where a byte or an int per node would not.
package bitset

import "math/bits"

// Set holds the integers 0..n-1 it was made for.
type Set []uint64

// New returns an empty set of n integers.
func New(n int) Set { return make(Set, (n+63)/64) }

// Has reports whether i is in the set.
func (b Set) Has(i uint32) bool { return b[i>>6]&(1<<(i&63)) != 0 }

// Add puts i in the set.
func (b Set) Add(i uint32) { b[i>>6] |= 1 << (i & 63) }

// Remove takes i out of the set.
func (b Set) Remove(i uint32) { b[i>>6] &^= 1 << (i & 63) }

// Put adds i when v is set and removes it otherwise.
func (b Set) Put(i uint32, v bool) {
	if v {
		b.Add(i)
	} else {
		b.Remove(i)
	}
}

// Clear empties the set.
func (b Set) Clear() { clear(b) }

// Count returns the number of integers in the set.
func (b Set) Count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}
