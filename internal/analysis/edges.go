package analysis

import ()

// markPageOwned is DevTools' markPageOwnedNodes: everything reachable over
// non-weak edges from the root's shortcut targets (the user globals) and
// from "(Document DOM trees)".
func (r *Result) markPageOwned() bitset {
	s := r.Snap
	k := r.kinds
	page := newBitset(s.NodeCount)
	var stack []uint32
	root := s.Root()
	for e := s.FirstEdge[root]; e < s.FirstEdge[root+1]; e++ {
		t, to := int(s.EdgeType[e]), s.EdgeTo[e]
		switch t {
		case k.element:
			if int(s.NodeType[to]) != k.synthetic || !r.is(s.NodeName[to], nameDocumentDOMTrees) {
				continue
			}
		case k.shortcut:
		default:
			continue
		}
		stack = append(stack, to)
		page.set(to)
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
			to := s.EdgeTo[e]
			if page.has(to) || int(s.EdgeType[e]) == k.weak {
				continue
			}
			page.set(to)
			stack = append(stack, to)
		}
	}
	return page
}

// essentialEdges is DevTools' computeIsEssentialEdge over every edge: the
// edges the dominator computation follows.
func (r *Result) essentialEdges(page bitset) bitset {
	s := r.Snap
	k := r.kinds
	ess := newBitset(s.EdgeCount)
	wm := newWeakMapEdges(r)
	root := s.Root()
	for src := uint32(0); src < uint32(s.NodeCount); src++ {
		srcPage := page.has(src)
		for e := s.FirstEdge[src]; e < s.FirstEdge[src+1]; e++ {
			t, to := int(s.EdgeType[e]), s.EdgeTo[e]
			if t == k.internal {
				// The WeakMap table → value edge does not retain the value;
				// the key → value edge (same text) does.
				if _, table, ok := wm.match(e); ok && table == uint64(s.NodeID[src]) {
					continue
				}
			}
			if t == k.weak || src == to {
				continue
			}
			if src != root {
				if t == k.shortcut {
					continue
				}
				if page.has(to) && !srcPage {
					continue
				}
			}
			ess.set(e)
		}
	}
	return ess
}

// hasUserRoot reports whether any root edge points at a user root. Without
// one (snapshots taken with exposeInternals) DevTools skips the shallow
// size transfer and counts distances from the root.
func (r *Result) hasUserRoot() bool {
	s := r.Snap
	root := s.Root()
	for e := s.FirstEdge[root]; e < s.FirstEdge[root+1]; e++ {
		if r.isUserRoot(s.EdgeTo[e]) {
			return true
		}
	}
	return false
}

// transferShallowSizes is JSHeapSnapshot.calculateShallowSizes: hidden and
// array nodes and external string data owned by exactly one object have
// their size moved to that owner. Self sizes are rewritten in place.
func (r *Result) transferShallowSizes() {
	if !r.hasUserRoot() {
		return
	}
	s := r.Snap
	k := r.kinds
	n := uint32(s.NodeCount)
	const (
		unvisited = ^uint32(0)
		multiple  = ^uint32(0) - 1
	)
	owners := make([]uint32, n)
	// Edges into nodes that own themselves change nothing; a bit per node
	// (in cache, unlike owners) tells which can be owned.
	ownable := newBitset(int(n))
	for i := range n {
		t := int(s.NodeType[i])
		if t == k.hidden || t == k.array || (t == k.native && r.is(s.NodeName[i], nameExternalStringData)) {
			owners[i] = unvisited
			ownable.set(i)
		} else {
			owners[i] = i
		}
	}
	// DevTools starts with every owner on its worklist. The owner lattice
	// (unvisited < one owner < multiple) gives the same result in any
	// order, so owners are taken one at a time instead, and the worklist
	// only ever holds ownable nodes (each at most twice).
	var work []uint32
	for start := range n {
		if owners[start] != start {
			continue
		}
		work = append(work[:0], start)
		for len(work) > 0 {
			i := work[len(work)-1]
			work = work[:len(work)-1]
			own := owners[i]
			for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
				if int(s.EdgeType[e]) == k.weak {
					continue
				}
				t := s.EdgeTo[e]
				if !ownable.has(t) {
					continue
				}
				switch o := owners[t]; {
				case o == unvisited:
					owners[t] = own
					work = append(work, t)
				case o == t || o == own || o == multiple:
				default:
					owners[t] = multiple
					work = append(work, t)
				}
			}
		}
	}
	root := s.Root()
	size := s.NodeSelfSize
	for i := range n {
		o := owners[i]
		if o == unvisited || o == multiple || o == i {
			continue
		}
		if int(s.NodeType[o]) == k.synthetic || o == root {
			continue
		}
		// Uint32Array arithmetic, as in DevTools.
		size[o] += size[i]
		size[i] = 0
	}
}
