package analysis

import "bytes"

// propagateDOMState follows DevTools' initDetachednessAndClassIndex and
// propagateDOMState: embedder-reported states spread from native nodes to
// the native nodes they reference, and detached native nodes are renamed
// "Detached <name>" (new strings appended to the table, one per old name).
func (r *Result) propagateDOMState() {
	s := r.Snap
	n := s.NodeCount
	native := r.kinds.native
	if s.NodeDetachedness == nil {
		// Old snapshots: only the name tells, and nothing propagates.
		r.DOMState = make([]uint8, n)
		prefix := []byte("Detached ")
		for i := range n {
			if int(s.NodeType[i]) == native && bytes.HasPrefix(s.NodeNameBytes(uint32(i)), prefix) {
				r.DOMState[i] = DOMDetached
			}
		}
		return
	}
	state := s.NodeDetachedness // updated in place, as DevTools does
	r.DOMState = state
	visited := newBitset(n)
	var attached, detached []uint32
	renamed := map[uint32]uint32{}
	process := func(i uint32, st uint8) {
		if visited.has(i) {
			return
		}
		visited.set(i)
		if int(s.NodeType[i]) != native {
			return
		}
		state[i] = st
		switch st {
		case DOMAttached:
			attached = append(attached, i)
		case DOMDetached:
			old := s.NodeName[i]
			name, ok := renamed[old]
			if !ok {
				name = s.Strings.Append(append([]byte("Detached "), s.Strings.Bytes(old)...))
				renamed[old] = name
			}
			s.NodeName[i] = name
			detached = append(detached, i)
		}
	}
	for i := range n {
		if st := state[i]; st != DOMUnknown {
			process(uint32(i), st)
		}
	}
	k := r.kinds
	propagate := func(i uint32, st uint8) {
		for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
			if t := int(s.EdgeType[e]); t == k.edgeHidden || t == k.weak {
				continue
			}
			process(s.EdgeTo[e], st)
		}
	}
	for len(attached) > 0 {
		i := attached[len(attached)-1]
		attached = attached[:len(attached)-1]
		propagate(i, DOMAttached)
	}
	for len(detached) > 0 {
		i := detached[len(detached)-1]
		detached = detached[:len(detached)-1]
		if state[i] == DOMAttached {
			continue
		}
		propagate(i, DOMDetached)
	}
}
