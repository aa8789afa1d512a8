package analysis

// computeDominators is DevTools' calculateDominatorsAndRetainedSizes:
// Lengauer–Tarjan with simple path compression over the essential edges,
// including its two extra phases for nodes the root does not reach. Those
// phases do not form a proper flow graph, so their result depends on the
// exact procedure; it is ported step for step, only with flat arrays,
// explicit stacks instead of recursion, and linked-list buckets.
//
// Vertices are numbered v = ordinal+1; 0 means "none".
func (r *Result) computeDominators(essential bitset) {
	s := r.Snap
	n := uint32(s.NodeCount)
	first, to := s.FirstEdge, s.EdgeTo

	// Essential retainers of every node, in DevTools' retainer slot order:
	// the reverse of (source ordinal, edge order).
	revFirst := make([]uint32, n+1)
	for e, t := range to {
		if essential.has(uint32(e)) {
			revFirst[t+1]++
		}
	}
	for i := uint32(1); i <= n; i++ {
		revFirst[i] += revFirst[i-1]
	}
	revSrc := make([]uint32, revFirst[n])
	fill := make([]uint32, n) // next free slot, counting down; reused below
	copy(fill, revFirst[1:])
	for src := uint32(0); src < n; src++ {
		for e := first[src]; e < first[src+1]; e++ {
			if essential.has(e) {
				t := to[e]
				fill[t]--
				revSrc[fill[t]] = src
			}
		}
	}

	parent := make([]uint32, n+1)
	semi := make([]uint32, n+1)
	vertex := make([]uint32, n+1)
	label := make([]uint32, n+1)
	// dom doubles as the DFS edge cursor (by ordinal) until the main loop.
	dom := make([]uint32, n+1)
	cursor := dom
	count := uint32(0)

	// Iterative DFS; its preorder equals a recursive DFS trying edges in
	// file order.
	dfs := func(start uint32) {
		cursor[start-1] = first[start-1]
		for v := start; v != 0; {
			if semi[v] == 0 {
				count++
				semi[v] = count
				vertex[count] = v
				label[v] = v
			}
			next := parent[v]
			o := v - 1
			for end := first[o+1]; cursor[o] < end; cursor[o]++ {
				e := cursor[o]
				if !essential.has(e) {
					continue
				}
				w := to[e] + 1
				if semi[w] == 0 {
					parent[w] = v
					cursor[w-1] = first[w-1]
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
			if semi[v] == 0 && revFirst[v-1] == revFirst[v] {
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
			if semi[v] == 0 {
				parent[v] = root
				count++
				semi[v] = count
				vertex[count] = v
				label[v] = v
				r.Leftovers++
			}
		}
	}
	clear(dom)

	fill = nil
	ancestor := make([]uint32, n+1)
	bucketHead := make([]uint32, n+1)
	bucketNext := make([]uint32, n+1)
	var stack []uint32
	eval := func(v0 uint32) uint32 {
		if ancestor[v0] == 0 {
			return v0
		}
		v := v0
		for ancestor[ancestor[v]] != 0 {
			stack = append(stack, v)
			v = ancestor[v]
		}
		for len(stack) > 0 {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			a := ancestor[w]
			if semi[label[a]] < semi[label[w]] {
				label[w] = label[a]
			}
			ancestor[w] = ancestor[a]
		}
		return label[v0]
	}
	for i := count; i >= 2; i-- {
		w := vertex[i]
		lo, hi := revFirst[w-1], revFirst[w]
		for k := lo; k < hi; k++ {
			if u := eval(revSrc[k] + 1); semi[u] < semi[w] {
				semi[w] = semi[u]
			}
		}
		if lo == hi {
			semi[w] = semi[root]
		}
		b := vertex[semi[w]]
		bucketNext[w] = bucketHead[b]
		bucketHead[b] = w
		pw := parent[w]
		ancestor[w] = pw
		// Buckets are filled by prepending; DevTools walks them in
		// insertion order, so reverse the list first.
		var v uint32
		for x := bucketHead[pw]; x != 0; {
			next := bucketNext[x]
			bucketNext[x] = v
			v, x = x, next
		}
		bucketHead[pw] = 0
		for ; v != 0; v = bucketNext[v] {
			u := eval(v)
			if semi[u] < semi[v] {
				dom[v] = u
			} else {
				dom[v] = pw
			}
		}
	}
	revFirst, revSrc, ancestor, bucketHead, bucketNext, parent, label = nil, nil, nil, nil, nil, nil, nil
	dom[0], dom[root] = root, root
	for i := uint32(2); i <= count; i++ {
		w := vertex[i]
		if dom[w] != vertex[semi[w]] {
			dom[w] = dom[dom[w]]
		}
	}
	semi = nil

	// Retained sizes: self sizes summed up the tree in reverse DFS order.
	idom := make([]uint32, n)
	for o := range n {
		idom[o] = dom[o+1] - 1
	}
	dom = nil
	retained := make([]uint64, n)
	for o, size := range s.NodeSelfSize {
		retained[o] = uint64(size)
	}
	for i := count; i >= 2; i-- {
		o := vertex[i] - 1
		retained[idom[o]] += retained[o]
	}
	r.Dominator = idom
	r.Retained = retained
}
