package analysis

// computeDominators is DevTools' calculateDominatorsAndRetainedSizes (the
// dominator part): Lengauer–Tarjan with simple path compression over the
// essential edges, including its two extra phases for nodes the root does
// not reach. Those phases do not form a proper flow graph, so their result
// depends on the exact procedure; it is ported step for step, with flat
// arrays, explicit stacks instead of recursion, and linked-list buckets.
//
// It sets r.Dominator and returns the nodes in DFS order, which
// accumulateRetained needs.
//
// Memory is what limits the largest snapshot heapsnap can analyze, so the
// seven per-vertex arrays of the textbook algorithm share storage where
// their lifetimes allow: a vertex's parent becomes its forest ancestor
// once it is linked (a bitset says which are), and one array is the DFS
// edge cursor, then the bucket chain, then the dominator.
//
// Vertices are numbered v = ordinal+1; 0 means "none".
func (r *Result) computeDominators(essential bitset) (order []uint32) {
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
	// semi is zero when the DFS starts; until then it is the fill cursor.
	semi := make([]uint32, n+1)
	fill := semi[:n]
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
	clear(semi)

	vertex := make([]uint32, n+1)
	label := make([]uint32, n+1)
	// tree[v] is v's DFS parent until the main loop links v into the
	// forest; from then on it is LT's ancestor[v].
	tree := make([]uint32, n+1)
	// link[v] is v's DFS edge cursor, then its successor in a bucket, then
	// its dominator.
	link := make([]uint32, n+1)
	count := uint32(0)

	// Iterative DFS; its preorder equals a recursive DFS trying edges in
	// file order.
	dfs := func(start uint32) {
		link[start] = first[start-1]
		for v := start; v != 0; {
			if semi[v] == 0 {
				count++
				semi[v] = count
				vertex[count] = v
				label[v] = v
			}
			next := tree[v]
			for end := first[v]; link[v] < end; link[v]++ {
				e := link[v]
				if !essential.has(e) {
					continue
				}
				w := to[e] + 1
				if semi[w] == 0 {
					tree[w] = v
					link[w] = first[w-1]
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
				tree[v] = root
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
				tree[v] = root
				count++
				semi[v] = count
				vertex[count] = v
				label[v] = v
				r.Leftovers++
			}
		}
	}
	clear(link)

	bucketHead := make([]uint32, n+1)
	linked := newBitset(int(n) + 1)
	var stack []uint32
	eval := func(v0 uint32) uint32 {
		if !linked.has(v0) {
			return v0
		}
		v := v0
		for linked.has(tree[v]) {
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
		link[w] = bucketHead[b]
		bucketHead[b] = w
		pw := tree[w]
		linked.set(w) // LINK(pw, w): tree[w] is now w's ancestor
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
	revFirst, revSrc, tree, label, bucketHead, stack = nil, nil, nil, nil, nil, nil
	dom := link
	dom[0], dom[root] = root, root
	for i := uint32(2); i <= count; i++ {
		w := vertex[i]
		if dom[w] != vertex[semi[w]] {
			dom[w] = dom[dom[w]]
		}
	}
	// From vertices to ordinals, in place.
	for o := range n {
		dom[o] = dom[o+1] - 1
	}
	r.Dominator = dom[:n:n]
	order = vertex[1 : count+1]
	for i, v := range order {
		order[i] = v - 1
	}
	return order
}

// accumulateRetained computes retained sizes: each node's adjusted self size
// plus its dominator-tree children's retained sizes, summed in reverse DFS
// order as DevTools does.
func (r *Result) accumulateRetained(order []uint32) {
	s := r.Snap
	retained := make([]uint64, s.NodeCount)
	for o, size := range s.NodeSelfSize {
		retained[o] = uint64(size)
	}
	idom := r.Dominator
	for i := len(order) - 1; i >= 1; i-- {
		o := order[i]
		retained[idom[o]] += retained[o]
	}
	r.Retained = retained
}
