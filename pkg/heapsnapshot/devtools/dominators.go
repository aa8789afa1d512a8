package devtools

import (
	"math/bits"
	"unsafe"

	"github.com/heapsnap/heapsnap/internal/bitset"
	"github.com/heapsnap/heapsnap/internal/par"
)

// computeDominators computes what DevTools' calculateDominatorsAndRetainedSizes
// computes: the immediate dominator of every node over the essential edges.
// It sets r.Dominator, r.Orphans and r.Leftovers, and returns the nodes in
// an order where every node comes after its dominator, which
// accumulateRetained needs, and a spent array of a node each for it to
// hold the retained sizes.
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
// buckets and keeps each vertex's working state in one 8-byte record. The
// tests compare it with a step-for-step port of DevTools' code on random
// graphs full of orphans, leftovers and self edges, and with DevTools'
// own output on real snapshots.
//
// Vertices are identified by DFS number (1 = the root) once the DFS is
// done: the main loop walks numbers downwards and path compression walks
// towards smaller numbers, which keeps memory accesses near each other on
// heaps of tens of millions of nodes.
//
// The DFS is sequential; the retainer lists do not need its numbers to be
// laid out, so they are filled on the other core meanwhile, by node
// ordinal, and their entries renumbered afterwards on both cores.
func (r *Analysis) computeDominators(essential bitset.Set, shape retainerShape) (order, spare []uint32) {
	s := r.Snapshot
	n := uint32(s.NodeCount)

	// pair's halves are the list cursors and the DFS numbers (0 until
	// visited) of each vertex; spent, they become the Semi-NCA state.
	pair := make([]uint32, 2*(n+1))
	cursor, num := pair[:n+1:n+1], pair[n+1:]
	vertex := make([]uint32, n+1)    // vertex of each DFS number
	parentNum := make([]uint32, n+1) // DFS number of each number's DFS parent
	// The retainers of vertex v are lists[listEnd[v-1]:listEnd[v]]. Only
	// vertices with several essential retainers have a list: a node with
	// one is retained by its DFS parent, which is therefore its
	// semidominator and its dominator; most heap objects are like that.
	listEnd := make([]uint32, n+1)
	lists := make([]uint32, shape.slots)

	var count, reached uint32
	par.Do(func() {
		count, reached = r.numberVertices(essential, shape.once, num, vertex, parentNum)
	}, func() {
		r.fillRetainerLists(essential, shape.more, cursor, listEnd, lists)
	})
	// Lists by DFS number. A leftover (numbered after every reached
	// vertex) is dominated by the root whatever retains it, and as a
	// retainer of a reached vertex it changes nothing: its semidominator
	// is larger than every reached vertex's number. The main loop skips
	// both.
	half := len(lists) / 2
	renumber := func(part []uint32) {
		for k, v := range part {
			part[k] = num[v]
		}
	}
	par.Do(func() { renumber(lists[:half]) }, func() { renumber(lists[half:]) })
	cursor, num = nil, nil
	// idom[i] starts as i's DFS parent, Semi-NCA's first guess.
	idom := parentNum
	idom[0] = 0
	r.release()

	// Semidominators by Lengauer–Tarjan's EVAL with path compression over
	// a forest of processed vertices. Each vertex's record holds its
	// forest ancestor (top bit: linked into the forest) and the smallest
	// semidominator on its compressed path.
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
	for w := reached; w >= 2; w-- {
		semi := idom[w] // no list: the DFS parent, or the root for an orphan
		if v := vertex[w]; shape.more.Has(v - 1) {
			semi = w
			list := lists[listEnd[v-1]:listEnd[v]]
			for _, u := range list {
				// Vertices are processed from the largest number down, so
				// a retainer numbered up to w is not processed yet and is
				// its own semidominator candidate: no need to look at its
				// record.
				sv := u
				if u > reached {
					continue
				} else if u > w {
					sv = eval(u)
				}
				semi = min(semi, sv)
			}
			// Spent, the list keeps the semidominator for the second
			// pass: only vertices with a list need one there (the others'
			// is their DFS parent, which idom holds already).
			list[0] = semi
		}
		st[w].pathSemi = semi
		st[w].ancestor |= linkedBit
	}
	stack, st = nil, nil
	// The immediate dominator is the nearest common ancestor of the DFS
	// parent and the semidominator in the tree built so far. Leftovers
	// keep the root.
	idom[1] = 1
	for w := uint32(2); w <= reached; w++ {
		v := vertex[w]
		if !shape.more.Has(v - 1) {
			continue // the DFS parent is the semidominator and the dominator
		}
		semi := lists[listEnd[v-1]]
		d := idom[w]
		for d > semi {
			d = idom[d]
		}
		idom[w] = d
	}
	lists = nil

	// Back to node ordinals: listEnd, spent, takes the dominators, and
	// idom, spent in turn, is left for the retained sizes.
	dominator := listEnd[:n:n]
	for w := uint32(1); w <= count; w++ {
		dominator[vertex[w]-1] = vertex[idom[w]] - 1
	}
	r.Dominator = dominator
	order = vertex[1 : count+1]
	for i, v := range order {
		order[i] = v - 1
	}
	return order, idom[:n:n]
}

// numberVertices numbers the vertices (ordinal+1) in DevTools' DFS order:
// from the root, then from each vertex with no essential retainer (an
// orphan, hung under the root), then whatever is left (leftovers, parented
// by the root) in ordinal order. It fills num, vertex and parentNum and
// returns the number of vertices and of those the DFSs reached.
func (r *Analysis) numberVertices(essential, once bitset.Set, num, vertex, parentNum []uint32) (count, reached uint32) {
	s := r.Snapshot
	n := uint32(s.NodeCount)
	first, to := s.FirstEdge, s.EdgeTo
	// Iterative DFS with an explicit stack: a frame per vertex on the
	// current path keeps its edge cursor where the loop is working
	// instead of in a per-node array.
	type frame struct{ next, end, num uint32 }
	var path []frame
	// A bit per vertex says which are visited: an eighth of a byte per
	// node stays in cache where num's 4 bytes would not, and the DFS tests
	// it once per edge.
	visited := bitset.New(int(n) + 1)
	visit := func(v, parent uint32) {
		count++
		visited.Add(v)
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
				if !essential.Has(e) {
					continue
				}
				if w := to[e] + 1; !visited.Has(w) {
					visit(w, top.num)
					break
				}
			}
			if top := &path[len(path)-1]; top.next >= top.end {
				path = path[:len(path)-1]
			}
		}
	}
	dfs(s.Root()+1, 0)
	for v := uint32(1); v <= n && count < n; v++ {
		if num[v] == 0 && !once.Has(v-1) {
			dfs(v, 1)
			r.Orphans++
		}
	}
	reached = count
	for v := uint32(1); v <= n && count < n; v++ {
		if num[v] == 0 {
			count++
			num[v] = count
			vertex[count] = v
			parentNum[count] = 1
			r.Leftovers++
		}
	}
	return count, reached
}

// fillRetainerLists lays out the essential retainers (as vertices) of
// every vertex with several, in ordinal order: vertex v's are
// lists[listEnd[v-1]:listEnd[v]]. cursor must be zero; it is spent. The
// retainers are counted again here: retainerShapeOf, which runs before
// parking has made room for 4 bytes per node, keeps only two bits.
func (r *Analysis) fillRetainerLists(essential, more bitset.Set, cursor, listEnd, lists []uint32) {
	s := r.Snapshot
	n := uint32(s.NodeCount)
	first, to := s.FirstEdge, s.EdgeTo
	for e, t := range to {
		if essential.Has(uint32(e)) && more.Has(t) {
			cursor[t+1]++
		}
	}
	sum := uint32(0)
	for v := uint32(1); v <= n; v++ {
		sum += cursor[v]
		listEnd[v] = sum
		cursor[v] = sum
	}
	for src := uint32(0); src < n; src++ {
		for e := first[src]; e < first[src+1]; e++ {
			if !essential.Has(e) {
				continue
			}
			if t := to[e]; more.Has(t) {
				cursor[t+1]--
				lists[cursor[t+1]] = src + 1
			}
		}
	}
}

// dominatorBytes is what computeDominators needs at its peak for n nodes
// with the given number of retainer slots: five 4-byte arrays per node
// (the pair counts twice) and a 4-byte slot per essential edge into a node
// with several retainers.
func dominatorBytes(n int, slots int64) int64 {
	return 20*int64(n+1) + 4*slots
}

// retainerShape says, two bits per node, which nodes have one essential
// retainer or more (once) and which have several (more, those with a
// retainer list), and how many list slots those need.
type retainerShape struct {
	once, more bitset.Set
	slots      int64
}

// retainerShapeOf finds the retainerShape of the essential edges.
func (r *Analysis) retainerShapeOf(essential bitset.Set) retainerShape {
	n := r.Snapshot.NodeCount
	once, more := bitset.New(n), bitset.New(n)
	edges := int64(0)
	for e, t := range r.Snapshot.EdgeTo {
		if !essential.Has(uint32(e)) {
			continue
		}
		edges++
		if once.Has(t) {
			more.Add(t)
		} else {
			once.Add(t)
		}
	}
	// Each node with exactly one retainer takes one edge and no slot.
	single := int64(0)
	for k := range once {
		single += int64(bits.OnesCount64(once[k] &^ more[k]))
	}
	return retainerShape{once: once, more: more, slots: edges - single}
}

// accumulateRetained computes retained sizes: each node's adjusted self size
// plus its dominator-tree children's retained sizes. order lists every
// node after its dominator, so one backward pass adds each subtree up.
// spare, if not nil, is an array of a node each to hold the sizes.
func (r *Analysis) accumulateRetained(order, spare []uint32) {
	s := r.Snapshot
	rs := RetainedSizes{low: spare}
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
