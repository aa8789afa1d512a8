package devtools

import (
	"bytes"
	"hash/maphash"
	"math/bits"

	"github.com/heapsnap/heapsnap/internal/bitset"
)

// V8 names both edges of a WeakMap entry — table → value and key → value —
// "<n> / part of key (<K> @<k>) -> value (<V> @<v>) pair in WeakMap (table
// @<t>)". DevTools recognises them with the regular expression
//
//	^\d+( / part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(\d+)\))$
//
// under JavaScript semantics ("." is anything but \n, \r, U+2028 and
// U+2029). parseWeakMapName matches the same language without allocating:
// a big heap has millions of these names, each used once.

const (
	weakMapKey   = " / part of key ("
	weakMapValue = ") -> value ("
	weakMapTable = " pair in WeakMap (table @"
)

// parseWeakMapName reports whether name is an ephemeron edge name, and
// returns where the text shared by both edges of the pair starts (after
// the leading number) and the table's id.
func parseWeakMapName(name []byte) (dup int, table uint64, ok bool) {
	i := 0
	for i < len(name) && isDigit(name[i]) {
		i++
	}
	if i == 0 || !bytes.HasPrefix(name[i:], []byte(weakMapKey)) {
		return 0, 0, false
	}
	dup = i
	// The end: "pair in WeakMap (table @" digits ")".
	if len(name) == 0 || name[len(name)-1] != ')' {
		return 0, 0, false
	}
	end := len(name) - 1
	d := end
	for d > 0 && isDigit(name[d-1]) {
		d--
	}
	if d == end || !bytes.HasSuffix(name[:d], []byte(weakMapTable)) {
		return 0, 0, false
	}
	for _, c := range name[d:end] {
		if table > (1<<64-1)/10 {
			table = 1<<64 - 1 // more than any node id: no table matches
			break
		}
		table = table*10 + uint64(c-'0')
	}
	// The middle, between "part of key (" and " pair in WeakMap", must be
	// A " @"k ") -> value (" B " @"v ")" with A and B free of line
	// terminators: it ends in " @"digits")", and somewhere " @"digits is
	// followed by ") -> value (".
	if d-len(weakMapTable) < dup+len(weakMapKey) {
		return 0, 0, false
	}
	mid := name[dup+len(weakMapKey) : d-len(weakMapTable)]
	if hasLineTerminator(mid) || !endsWithAtID(mid, len(mid)) {
		return 0, 0, false
	}
	body := trimAtID(mid[:len(mid)-1]) // A " @"k ") -> value (" B
	if body == nil {
		return 0, 0, false
	}
	for from := 0; ; {
		j := bytes.Index(body[from:], []byte(weakMapValue))
		if j < 0 {
			return 0, 0, false
		}
		j += from
		if endsWithAtID(body, j+1) {
			return dup, table, true
		}
		from = j + 1
	}
}

// endsWithAtID reports whether b[:end] ends with " @" digits ")".
func endsWithAtID(b []byte, end int) bool {
	if end < 4 || b[end-1] != ')' {
		return false
	}
	return trimAtID(b[:end-1]) != nil
}

// trimAtID strips " @" digits from the end of b, or returns nil if b does
// not end so.
func trimAtID(b []byte) []byte {
	k := len(b)
	for k > 0 && isDigit(b[k-1]) {
		k--
	}
	if k == len(b) || k < 2 || b[k-1] != '@' || b[k-2] != ' ' {
		return nil
	}
	return b[:k-2]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// hasLineTerminator reports whether b holds \n, \r, U+2028 or U+2029.
func hasLineTerminator(b []byte) bool {
	return bytes.IndexByte(b, '\n') >= 0 || bytes.IndexByte(b, '\r') >= 0 ||
		bytes.Contains(b, []byte("\u2028")) || bytes.Contains(b, []byte("\u2029"))
}

// weakMapIndex holds what the ephemeron edge names say, one entry per
// name in string order: entry k is for the string of the k-th bit of
// Analysis.weakMapNames, found through the ranks (the bits before each
// word).
type weakMapIndex struct {
	seed  maphash.Seed
	ranks []uint32
	pairs []weakMapPair
}

// weakMapPair is one ephemeron edge name, parsed.
type weakMapPair struct {
	table uint64 // the table's id
	hash  uint64 // the hash of the text both edges of the pair share
	at    uint32 // where that text starts in the name
}

// weakMapEdges recognises WeakMap ephemeron edges.
type weakMapEdges struct{ r *Analysis }

func newWeakMapEdges(r *Analysis) *weakMapEdges { return &weakMapEdges{r: r} }

// match returns edge e's ephemeron name, parsed, or nil if e is not an
// internal edge with such a name (most edges: that test stays inlined).
func (w *weakMapEdges) match(e uint32) *weakMapPair {
	s := w.r.Snapshot
	if s.EdgeType[e] != s.Types.Internal || !w.r.weakMapNames.Has(s.EdgeName[e]) {
		return nil
	}
	return w.r.weakMapPairs.pair(w.r.weakMapNames, s.EdgeName[e])
}

// pair returns the entry of string idx, which names has.
func (x *weakMapIndex) pair(names bitset.Set, idx uint32) *weakMapPair {
	below := names[idx>>6] & (1<<(idx&63) - 1)
	return &x.pairs[x.ranks[idx>>6]+uint32(bits.OnesCount64(below))]
}

// pendingPairs is the set of WeakMap pairs the distance BFS has seen one
// edge of. It keys them by a hash of their shared text, keeping the text
// itself only in the rare case of two pending pairs whose hashes collide.
type pendingPairs struct {
	seed     maphash.Seed
	byHash   map[uint64][]byte // the shared text, aliasing the string table
	collided map[string]struct{}
}

func newPendingPairs() *pendingPairs {
	return &pendingPairs{seed: maphash.MakeSeed(), byHash: map[uint64][]byte{}, collided: map[string]struct{}{}}
}

// toggle adds dup and returns false if it is not pending, or removes it and
// returns true if it is.
func (p *pendingPairs) toggle(dup []byte) bool {
	return p.toggleHashed(maphash.Bytes(p.seed, dup), dup)
}

// toggleHashed is toggle with dup's hash under p.seed already computed:
// dup's bytes are then read only when a pending pair has the same hash.
func (p *pendingPairs) toggleHashed(h uint64, dup []byte) bool {
	if len(p.collided) > 0 {
		if _, ok := p.collided[string(dup)]; ok {
			delete(p.collided, string(dup))
			return true
		}
	}
	if other, ok := p.byHash[h]; ok {
		if bytes.Equal(other, dup) {
			delete(p.byHash, h)
			return true
		}
		p.collided[string(dup)] = struct{}{}
		return false
	}
	p.byHash[h] = dup
	return false
}
