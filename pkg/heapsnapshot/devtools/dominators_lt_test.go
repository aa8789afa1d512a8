package devtools

import "github.com/heapsnap/heapsnap/internal/bitset"

// ltReference is DevTools' calculateDominatorsAndRetainedSizes ported step
// for step: Lengauer–Tarjan with simple path compression and buckets,
// including its two phases for nodes the root does not reach. The tests
// check computeDominators (Semi-NCA) against it on random graphs with
// unreachable cycles, orphans and self edges; it returns the immediate
// dominator of every node by ordinal.
func (r *Analysis) ltReference(essential bitset.Set) []uint32 {
	s := r.Snapshot
	n := uint32(s.NodeCount)
	first, to := s.FirstEdge, s.EdgeTo

	// Essential in-degree of every vertex: phase 2 needs it, and it sizes
	// the retainer lists.
	indeg := make([]uint32, n+1)
	for e, t := range to {
		if essential.Has(uint32(e)) {
			indeg[t+1]++
		}
	}

	num := make([]uint32, n+1)    // DFS number of each vertex; 0 until visited
	vertex := make([]uint32, n+1) // vertex of each DFS number
	parent := make([]uint32, n+1) // DFS parent of each vertex
	cursor := make([]uint32, n+1) // next edge to try, per vertex
	count := uint32(0)
	// Iterative DFS; its preorder equals a recursive DFS trying edges in
	// file order.
	dfs := func(start uint32) {
		cursor[start] = first[start-1]
		for v := start; v != 0; {
			if num[v] == 0 {
				count++
				num[v] = count
				vertex[count] = v
			}
			next := parent[v]
			for end := first[v]; cursor[v] < end; cursor[v]++ {
				e := cursor[v]
				if !essential.Has(e) {
					continue
				}
				w := to[e] + 1
				if num[w] == 0 {
					parent[w] = v
					cursor[w] = first[w-1]
					next = w
					break
				}
			}
			v = next
		}
	}
	root := s.Root() + 1
	dfs(root)
	if count < n {
		// Nodes with no essential retainer hang under the root.
		for v := uint32(1); v <= n; v++ {
			if num[v] == 0 && indeg[v] == 0 {
				parent[v] = root
				dfs(v)
				r.Orphans++
			}
		}
	}
	if count < n {
		// What is left is retained only by unreachable cycles: numbered in
		// ordinal order, without a DFS.
		for v := uint32(1); v <= n; v++ {
			if num[v] == 0 {
				parent[v] = root
				count++
				num[v] = count
				vertex[count] = v
				r.Leftovers++
			}
		}
	}

	// From here on, DFS numbers. Retainer lists by number, in DevTools'
	// slot order: the reverse of (source ordinal, edge order).
	revFirst := cursor
	revFirst[0] = 0
	for i := uint32(1); i <= count; i++ {
		revFirst[i] = revFirst[i-1] + indeg[vertex[i]]
	}
	revSrc := make([]uint32, revFirst[count])
	fill := indeg // next free slot of each number, counting down
	copy(fill, revFirst)
	for src := uint32(0); src < n; src++ {
		from := num[src+1]
		for e := first[src]; e < first[src+1]; e++ {
			if essential.Has(e) {
				i := num[to[e]+1]
				fill[i]--
				revSrc[fill[i]] = from
			}
		}
	}
	// tree[i] is i's DFS parent until the main loop links i into the
	// forest; from then on it is LT's ancestor[i].
	tree := fill
	for i := uint32(1); i <= count; i++ {
		tree[i] = num[parent[vertex[i]]]
	}
	label := parent
	semi := num
	for i := range label {
		label[i] = uint32(i)
		semi[i] = uint32(i)
	}
	// link[i] is i's successor in a bucket, then its dominator.
	link := make([]uint32, n+1)
	bucketHead := make([]uint32, n+1)
	linked := bitset.New(int(n) + 1)
	var stack []uint32
	eval := func(v0 uint32) uint32 {
		if !linked.Has(v0) {
			return v0
		}
		v := v0
		for linked.Has(tree[v]) {
			stack = append(stack, v)
			v = tree[v]
		}
		for len(stack) > 0 {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			a := tree[w]
			if semi[label[a]] < semi[label[w]] {
				label[w] = label[a]
			}
			tree[w] = tree[a]
		}
		return label[v0]
	}
	for w := count; w >= 2; w-- {
		lo, hi := revFirst[w-1], revFirst[w]
		for k := lo; k < hi; k++ {
			if u := eval(revSrc[k]); semi[u] < semi[w] {
				semi[w] = semi[u]
			}
		}
		if lo == hi {
			semi[w] = semi[1] // no retainer: as if held by the root
		}
		b := semi[w]
		link[w] = bucketHead[b]
		bucketHead[b] = w
		pw := tree[w]
		linked.Add(w) // LINK(pw, w): tree[w] is now w's ancestor
		// Buckets are filled by prepending; DevTools walks them in
		// insertion order, so reverse the list first.
		var v uint32
		for x := bucketHead[pw]; x != 0; {
			next := link[x]
			link[x] = v
			v, x = x, next
		}
		bucketHead[pw] = 0
		for v != 0 {
			next := link[v]
			if u := eval(v); semi[u] < semi[v] {
				link[v] = u
			} else {
				link[v] = pw
			}
			v = next
		}
	}
	// Vertices still in a bucket never got a dominator (0 in DevTools).
	for b, head := range bucketHead {
		for x := head; x != 0; {
			next := link[x]
			link[x] = 0
			x = next
		}
		bucketHead[b] = 0
	}
	revFirst, revSrc, tree, bucketHead, stack = nil, nil, nil, nil, nil
	dom := link
	dom[0], dom[1] = 1, 1
	for w := uint32(2); w <= count; w++ {
		if dom[w] != semi[w] {
			dom[w] = dom[dom[w]]
		}
	}
	// Back to node ordinals.
	idom := label[:n:n]
	for w := uint32(1); w <= count; w++ {
		idom[vertex[w]-1] = vertex[dom[w]] - 1
	}
	return idom
}
