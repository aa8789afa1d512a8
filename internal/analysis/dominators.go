package analysis

import (
	"math/bits"
	"unsafe"
)

// computeDominators computes what DevTools' calculateDominatorsAndRetainedSizes
// computes: the immediate dominator of every node over the essential edges.
// It sets r.Dominator, r.Orphans and r.Leftovers, and returns the nodes in
// an order where every node comes after its dominator, which
// accumulateRetained needs.
//
// DevTools runs Lengauer–Tarjan from the root, then a DFS from each node
// that has no essential retainer ("orphans", hung under the root), then
// numbers what is left ("leftovers": cycles retained only by each other)
// without a DFS. Its result is therefore the exact dominator tree of the
// graph plus a root → orphan edge per orphan, with every leftover
// dominated by the root: a leftover's retainers are all leftovers, whose
// semidominators are numbered after every node the DFS reached, so they
// never lower a reached node's semidominator, and their own buckets are
// never processed. Any exact algorithm over that graph gives the same tree
// (dominators are unique), so heapsnap uses Semi-NCA, which needs no
// buckets and keeps each vertex's working state in one 12-byte record. The
// tests compare it with a step-for-step port of DevTools' code on random
// graphs full of orphans, leftovers and self edges, and with DevTools'
// own output on real snapshots.
//
// After the DFS, vertices are identified by DFS number (1 = the root), and
// retainer lists are laid out by number: the main loop walks numbers
// downwards and path compression walks towards smaller numbers, which
// keeps memory accesses near each other on heaps of tens of millions of
// nodes.
//
// pair comes from essentialInDegrees.
func (r *Result) computeDominators(essential bitset, pair []uint32) (order []uint32) {
	s := r.Snap
	n := uint32(s.NodeCount)
	first, to := s.FirstEdge, s.EdgeTo

	indeg, num := pair[:n+1:n+1], pair[n+1:]
	// num holds the DFS number of each vertex; 0 until visited.
	vertex := make([]uint32, n+1)    // vertex of each DFS number
	parentNum := make([]uint32, n+1) // DFS number of each number's DFS parent
	count := uint32(0)
	// Iterative DFS with an explicit stack: a frame per vertex on the
	// current path keeps its edge cursor where the loop is working
	// instead of in a per-node array.
	type frame struct{ next, end, num uint32 }
	var path []frame
	// A bit per vertex says which are visited: an eighth of a byte per
	// node stays in cache where num's 4 bytes would not, and the DFS tests
	// it once per edge.
	visited := newBitset(int(n) + 1)
	visit := func(v, parent uint32) {
		count++
		visited.set(v)
		num[v] = count
		vertex[count] = v
		parentNum[count] = parent
		path = append(path, frame{first[v-1], first[v], count})
	}
	dfs := func(start, parent uint32) {
		visit(start, parent)
		for len(path) > 0 {
			top := &path[len(path)-1]
			for top.next < top.end {
				e := top.next
				top.next++
				if !essential.has(e) {
					continue
				}
				if w := to[e] + 1; !visited.has(w) {
					visit(w, top.num)
					break
				}
			}
			if top := &path[len(path)-1]; top.next >= top.end {
				path = path[:len(path)-1]
			}
		}
	}
	root := s.Root() + 1
	dfs(root, 0)
	for v := uint32(1); v <= n && count < n; v++ {
		if num[v] == 0 && indeg[v] == 0 {
			dfs(v, 1)
			r.Orphans++
		}
	}
	path, visited = nil, nil
	reached := count
	for v := uint32(1); v <= n && count < n; v++ {
		if num[v] == 0 {
			count++
			num[v] = count
			vertex[count] = v
			parentNum[count] = 1
			r.Leftovers++
		}
	}

	// Retainer lists by DFS number, without leftovers: a leftover is
	// dominated by the root whatever retains it, and as a retainer of a
	// reached node it changes nothing (its semidominator is larger than
	// every reached node's number). Leftovers are few; take their edges
	// out of the in-degrees.
	for i := reached + 1; i <= count; i++ {
		src := vertex[i] - 1
		for e := first[src]; e < first[src+1]; e++ {
			if essential.has(e) {
				indeg[to[e]+1]--
			}
		}
	}
	// A node with one retainer is retained by its DFS parent, which is
	// therefore its semidominator and its dominator: most heap objects
	// are like that, and need no list. So do orphans (no retainer) and
	// leftovers. All of them have an empty list, and the main loop takes
	// the DFS parent (the root for orphans and leftovers) as semidominator.
	revFirst := make([]uint32, n+1)
	for i := uint32(1); i <= count; i++ {
		revFirst[i] = revFirst[i-1]
		if d := indeg[vertex[i]]; i <= reached && d >= 2 {
			revFirst[i] += d
		}
	}
	revSrc := make([]uint32, revFirst[count])
	const noList = ^uint32(0)
	fill := indeg // next free slot of each number, counting down
	for i := uint32(0); i <= count; i++ {
		fill[i] = revFirst[i]
		if i > 0 && revFirst[i] == revFirst[i-1] {
			fill[i] = noList
		}
	}
	for src := uint32(0); src < n; src++ {
		from := num[src+1]
		if from > reached {
			continue
		}
		for e := first[src]; e < first[src+1]; e++ {
			if essential.has(e) {
				if t := num[to[e]+1]; fill[t] != noList {
					fill[t]--
					revSrc[fill[t]] = from
				}
			}
		}
	}
	fill, indeg = nil, nil
	// idom[i] starts as i's DFS parent, Semi-NCA's first guess.
	idom := parentNum
	idom[0] = 0
	num = nil
	essential = nil
	r.release()

	// Semidominators by Lengauer–Tarjan's EVAL with path compression over
	// a forest of processed vertices. Each vertex's record holds its
	// forest ancestor (top bit: linked into the forest) and the smallest
	// semidominator on its compressed path. A processed vertex's own
	// semidominator goes into revFirst[w], which nothing reads once w is
	// processed.
	const linkedBit = 1 << 31
	type vertexState struct{ ancestor, pathSemi uint32 }
	st := unsafe.Slice((*vertexState)(unsafe.Pointer(unsafe.SliceData(pair))), count+1)
	pair = nil
	for i := range st {
		st[i] = vertexState{ancestor: idom[i], pathSemi: uint32(i)}
	}
	var stack []uint32
	eval := func(v0 uint32) uint32 {
		if st[v0].ancestor&linkedBit == 0 {
			return v0 // not processed yet: its semidominator is itself
		}
		v := v0
		for {
			a := st[v].ancestor &^ linkedBit
			if st[a].ancestor&linkedBit == 0 {
				break
			}
			stack = append(stack, v)
			v = a
		}
		for len(stack) > 0 {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			a := st[w].ancestor &^ linkedBit
			if st[a].pathSemi < st[w].pathSemi {
				st[w].pathSemi = st[a].pathSemi
			}
			st[w].ancestor = st[a].ancestor
		}
		return st[v0].pathSemi
	}
	for w := count; w >= 2; w-- {
		semi := w
		lo, hi := revFirst[w-1], revFirst[w]
		if lo == hi {
			semi = idom[w] // see revFirst: the DFS parent, or the root
		}
		for k := lo; k < hi; k++ {
			if sv := eval(revSrc[k]); sv < semi {
				semi = sv
			}
		}
		revFirst[w] = semi
		st[w].pathSemi = semi
		st[w].ancestor |= linkedBit
	}
	semiOf := revFirst
	revFirst, revSrc, stack, st = nil, nil, nil, nil
	// The immediate dominator is the nearest common ancestor of the DFS
	// parent and the semidominator in the tree built so far.
	idom[1] = 1
	for w := uint32(2); w <= count; w++ {
		d := idom[w]
		for d > semiOf[w] {
			d = idom[d]
		}
		idom[w] = d
	}

	// Back to node ordinals.
	// semiOf is spent: it takes the dominators by ordinal, and idom,
	// spent in turn, is left for the retained sizes.
	dominator := semiOf[:n:n]
	for w := uint32(1); w <= count; w++ {
		dominator[vertex[w]-1] = vertex[idom[w]] - 1
	}
	r.Dominator = dominator
	r.spare = idom[:n:n]
	order = vertex[1 : count+1]
	for i, v := range order {
		order[i] = v - 1
	}
	return order
}

// essentialInDegrees counts every node's essential retainers, indexed by
// vertex (ordinal+1). It returns them in the first half of an array twice
// as long, whose second half computeDominators uses too: the two become
// its per-vertex state once spent.
func (r *Result) essentialInDegrees(essential bitset) []uint32 {
	n := r.Snap.NodeCount
	pair := make([]uint32, 2*(n+1))
	indeg := pair[:n+1]
	for e, t := range r.Snap.EdgeTo {
		if essential.has(uint32(e)) {
			indeg[t+1]++
		}
	}
	return pair
}

// dominatorBytes is what computeDominators needs at its peak for n nodes
// with the given number of retainer slots: the in-degree pair (8 bytes
// per node), four more 4-byte arrays per node, and a 4-byte slot per
// essential edge into a node with several retainers.
func dominatorBytes(n int, slots int64) int64 {
	return 24*int64(n+1) + 4*slots
}

// retainerSlots counts the essential edges into nodes with more than one
// essential retainer: the retainer-list slots computeDominators fills.
// Two bits per node find them before the in-degrees, which need 4 bytes
// per node, can be counted.
func (r *Result) retainerSlots(essential bitset) int64 {
	n := r.Snap.NodeCount
	once, more := newBitset(n), newBitset(n)
	edges := int64(0)
	for e, t := range r.Snap.EdgeTo {
		if !essential.has(uint32(e)) {
			continue
		}
		edges++
		if once.has(t) {
			more.set(t)
		} else {
			once.set(t)
		}
	}
	// Each node with exactly one retainer takes one edge and no slot.
	single := int64(0)
	for k := range once {
		single += int64(bits.OnesCount64(once[k] &^ more[k]))
	}
	return edges - single
}

// accumulateRetained computes retained sizes: each node's adjusted self size
// plus its dominator-tree children's retained sizes. order lists every
// node after its dominator, so one backward pass adds each subtree up.
func (r *Result) accumulateRetained(order []uint32) {
	s := r.Snap
	rs := RetainedSizes{low: r.spare}
	r.spare = nil
	if rs.low == nil {
		rs.low = make([]uint32, s.NodeCount)
	}
	copy(rs.low, s.NodeSelfSize)
	for o, size := range s.NodeSelfSize {
		if size == bigRetained {
			rs.set(uint32(o), uint64(size))
		}
	}
	idom := r.Dominator
	for i := len(order) - 1; i >= 1; i-- {
		o := order[i]
		d := idom[o]
		lo, ld := rs.low[o], rs.low[d]
		if sum := uint64(lo) + uint64(ld); lo != bigRetained && ld != bigRetained && sum < uint64(bigRetained) {
			rs.low[d] = uint32(sum)
			continue
		}
		rs.set(d, rs.At(d)+rs.At(o))
	}
	r.Retained = rs
}

// RetainedSizes holds every node's retained size in 4 bytes: sizes from
// 4 GiB − 1 up (the root of a big heap and a few large owners) are kept in
// a map aside, behind a marker. Retained sizes are the largest per-node
// array after the graph itself, so halving it matters on big heaps.
type RetainedSizes struct {
	low []uint32
	big map[uint32]uint64
}

// bigRetained marks a size held in RetainedSizes.big.
const bigRetained = ^uint32(0)

// At returns node i's retained size.
func (rs *RetainedSizes) At(i uint32) uint64 {
	if v := rs.low[i]; v != bigRetained {
		return uint64(v)
	}
	return rs.big[i]
}

// Len returns the number of nodes.
func (rs *RetainedSizes) Len() int { return len(rs.low) }

func (rs *RetainedSizes) set(i uint32, v uint64) {
	if v < uint64(bigRetained) {
		rs.low[i] = uint32(v)
		delete(rs.big, i)
		return
	}
	if rs.big == nil {
		rs.big = map[uint32]uint64{}
	}
	rs.low[i] = bigRetained
	rs.big[i] = v
}
