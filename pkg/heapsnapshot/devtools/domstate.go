package devtools

import (
	"bytes"

	"github.com/heapsnap/heapsnap/internal/bitset"
)

// propagateDOMState follows DevTools' initDetachednessAndClassIndex and
// propagateDOMState: embedder-reported states spread from native nodes to
// the native nodes they reference, and detached native nodes are renamed
// "Detached <name>" (new strings appended to the table, one per old name).
func (r *Analysis) propagateDOMState() {
	s := r.Snapshot
	n := s.NodeCount
	native := s.Types.Native
	if s.NodeDetachedness == nil {
		// Old snapshots: only the name tells, and nothing propagates.
		r.DOMState = make([]uint8, n)
		prefix := []byte("Detached ")
		for i := range n {
			if s.NodeType[i] == native && bytes.HasPrefix(s.NodeNameBytes(uint32(i)), prefix) {
				r.DOMState[i] = DOMDetached
			}
		}
		return
	}
	// The states are updated in place, as DevTools does; the analysis
	// holds them until it is done (see pipeline.run).
	state := s.NodeDetachedness
	r.DOMState, s.NodeDetachedness = state, nil
	visited := bitset.New(n)
	var attached, detached []uint32
	renamed := map[uint32]uint32{}
	process := func(i uint32, st uint8) {
		if visited.Has(i) {
			return
		}
		visited.Add(i)
		if s.NodeType[i] != native {
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
	k := &s.Types
	propagate := func(i uint32, st uint8) {
		for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
			if t := s.EdgeType[e]; t == k.HiddenEdge || t == k.Weak {
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
