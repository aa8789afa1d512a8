package devtools

import (
	"math"
	"unicode/utf8"

	"github.com/heapsnap/heapsnap/internal/bitset"
)

// computeDistances is DevTools' calculateDistances: a BFS from the user
// roots (distance 1), then a BFS from the root for everything else (from
// BaseSystemDistance when user roots exist), both skipping weak edges and
// the edges JSHeapSnapshot's filter refuses.
func (r *Analysis) computeDistances() {
	s := r.Snapshot
	n := s.NodeCount
	dist := make([]int32, n)
	for i := range dist {
		dist[i] = NoDistance
	}
	root := s.Root()
	// A ring buffer holds only the BFS frontier, which is far smaller than
	// the heap.
	var queue fifo
	f := r.newDistanceFilter()
	k := &s.Types
	// Which nodes have a distance, as bits: the BFS tests one per edge, and
	// a bitset.Set stays in cache where the distances would not.
	reached := bitset.New(n)
	bfs := func() {
		for queue.len() > 0 {
			i := queue.pop()
			d := dist[i] + 1
			for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
				if s.EdgeType[e] == k.Weak {
					continue
				}
				c := s.EdgeTo[e]
				if reached.Has(c) {
					continue
				}
				// The filter is stateful (WeakMap pairs), so it is consulted
				// only for edges that would otherwise be followed.
				if !f.allow(i, e) {
					continue
				}
				dist[c] = d
				reached.Add(c)
				queue.push(c)
			}
		}
	}
	for e := s.FirstEdge[root]; e < s.FirstEdge[root+1]; e++ {
		if c := s.EdgeTo[e]; r.isUserRoot(c) {
			dist[c] = 1
			reached.Add(c)
			queue.push(c)
		}
	}
	userRoots := queue.len()
	bfs()
	if userRoots > 0 {
		dist[root] = BaseSystemDistance
	} else {
		dist[root] = 0
	}
	reached.Add(root)
	queue.push(root)
	bfs()
	r.Distance = dist
}

// distanceFilter is JSHeapSnapshot's distance filter.
type distanceFilter struct {
	r       *Analysis
	weakMap *weakMapEdges
	pending *pendingPairs
	buf     []byte
}

func (r *Analysis) newDistanceFilter() *distanceFilter {
	pending := newPendingPairs()
	pending.seed = r.weakMapPairs.seed // the names' hashes are under it
	return &distanceFilter{r: r, weakMap: newWeakMapEdges(r), pending: pending}
}

func (f *distanceFilter) allow(src, e uint32) bool {
	r := f.r
	s := r.Snapshot
	k := &s.Types
	srcType := s.NodeType[src]
	numeric := k.IsIndexNamed(s.EdgeType[e])
	if srcType == k.Hidden && !numeric && r.is(s.EdgeName[e], nameSloppyFunctionMap) && r.is(s.NodeName[src], nameNativeContext) {
		return false
	}
	if srcType == k.Array && r.is(s.NodeName[src], nameMapDescriptors) {
		// Only the key and value slots of a descriptor array count; the
		// details slot (index % 3 == 1 past the header) does not.
		idx, ok := jsParseInt(s.EdgeNameBytes(e, &f.buf))
		return !ok || idx < 2 || math.Mod(idx, 3) != 1
	}
	if s.EdgeType[e] == k.Internal {
		if pair := f.weakMap.match(e); pair != nil {
			// The first edge of a WeakMap pair is refused and the second
			// allowed, so the value gets max(table, key) + 1.
			return f.pending.toggleHashed(pair.hash, s.Strings.Bytes(s.EdgeName[e])[pair.at:])
		}
	}
	return true
}

// jsParseInt is JavaScript's parseInt(s, 10): leading white space, an
// optional sign, then the longest run of digits. ok is false for NaN.
func jsParseInt(b []byte) (float64, bool) {
	i := 0
	for i < len(b) {
		c, size := utf8.DecodeRune(b[i:])
		if !isJSSpace(c) {
			break
		}
		i += size
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	start := i
	v := 0.0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		v = v*10 + float64(b[i]-'0')
		i++
	}
	if i == start {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// isJSSpace reports whether c is StrWhiteSpaceChar (WhiteSpace or
// LineTerminator in ECMAScript).
func isJSSpace(c rune) bool {
	switch c {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return c >= 0x2000 && c <= 0x200A
}

// fifo is a growable ring buffer of node ordinals.
type fifo struct {
	buf        []uint32
	head, size int
}

func (q *fifo) len() int { return q.size }

func (q *fifo) push(v uint32) {
	if q.size == len(q.buf) {
		grown := make([]uint32, max(1<<12, 2*len(q.buf)))
		n := copy(grown, q.buf[q.head:])
		copy(grown[n:], q.buf[:q.head])
		q.buf, q.head = grown, 0
	}
	q.buf[(q.head+q.size)%len(q.buf)] = v
	q.size++
}

func (q *fifo) pop() uint32 {
	v := q.buf[q.head]
	q.head++
	if q.head == len(q.buf) {
		q.head = 0
	}
	q.size--
	return v
}
