package devtools

import "github.com/heapsnap/heapsnap/internal/bitset"

// markPageOwned is DevTools' markPageOwnedNodes: everything reachable over
// non-weak edges from the root's shortcut targets (the user globals) and
// from "(Document DOM trees)".
func (r *Analysis) markPageOwned() bitset.Set {
	s := r.Snapshot
	k := &s.Types
	page := bitset.New(s.NodeCount)
	var stack []uint32
	root := s.Root()
	for e := s.FirstEdge[root]; e < s.FirstEdge[root+1]; e++ {
		t, to := s.EdgeType[e], s.EdgeTo[e]
		switch t {
		case k.Element:
			if s.NodeType[to] != k.Synthetic || !r.is(s.NodeName[to], nameDocumentDOMTrees) {
				continue
			}
		case k.Shortcut:
		default:
			continue
		}
		stack = append(stack, to)
		page.Add(to)
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
			to := s.EdgeTo[e]
			if page.Has(to) || s.EdgeType[e] == k.Weak {
				continue
			}
			page.Add(to)
			stack = append(stack, to)
		}
	}
	return page
}

// essentialEdges is DevTools' computeIsEssentialEdge over every edge: the
// edges the dominator computation follows.
func (r *Analysis) essentialEdges(page bitset.Set) bitset.Set {
	s := r.Snapshot
	k := &s.Types
	ess := bitset.New(s.EdgeCount)
	wm := newWeakMapEdges(r)
	root := s.Root()
	for src := uint32(0); src < uint32(s.NodeCount); src++ {
		srcPage := page.Has(src)
		for e := s.FirstEdge[src]; e < s.FirstEdge[src+1]; e++ {
			t, to := s.EdgeType[e], s.EdgeTo[e]
			if t == k.Internal {
				// The WeakMap table → value edge does not retain the value;
				// the key → value edge (same text) does.
				if pair := wm.match(e); pair != nil && pair.table == uint64(s.NodeID[src]) {
					continue
				}
			}
			if t == k.Weak || src == to {
				continue
			}
			if src != root {
				if t == k.Shortcut {
					continue
				}
				if page.Has(to) && !srcPage {
					continue
				}
			}
			ess.Add(e)
		}
	}
	return ess
}

// hasUserRoot reports whether any root edge points at a user root. Without
// one (snapshots taken with exposeInternals) DevTools skips the shallow
// size transfer and counts distances from the root.
func (r *Analysis) hasUserRoot() bool {
	s := r.Snapshot
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
func (r *Analysis) transferShallowSizes() {
	if !r.hasUserRoot() {
		return
	}
	s := r.Snapshot
	k := &s.Types
	n := uint32(s.NodeCount)
	const (
		unvisited = ^uint32(0)
		multiple  = ^uint32(0) - 1
	)
	owners := make([]uint32, n)
	// Edges into nodes that own themselves change nothing; a bit per node
	// (in cache, unlike owners) tells which can be owned.
	ownable := bitset.New(int(n))
	for i := range n {
		t := s.NodeType[i]
		if t == k.Hidden || t == k.Array || (t == k.Native && r.is(s.NodeName[i], nameExternalStringData)) {
			owners[i] = unvisited
			ownable.Add(i)
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
				if s.EdgeType[e] == k.Weak {
					continue
				}
				t := s.EdgeTo[e]
				if !ownable.Has(t) {
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
		if s.NodeType[o] == k.Synthetic || o == root {
			continue
		}
		// Uint32Array arithmetic, as in DevTools.
		size[o] += size[i]
		size[i] = 0
	}
}
