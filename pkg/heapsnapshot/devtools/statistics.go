package devtools

import "github.com/heapsnap/heapsnap/internal/bitset"

// computeStatistics is JSHeapSnapshot.calculateStatistics, over adjusted
// self sizes. elements are the Arrays' elements stores (arrayElements).
func (r *Analysis) computeStatistics(elements []uint32) {
	s := r.Snapshot
	k := &s.Types
	r.TotalSize = r.Retained.At(s.Root()) + s.ExtraNativeBytes
	st := Statistics{Total: r.TotalSize, Native: s.ExtraNativeBytes}
	for i, size := range s.NodeSelfSize {
		sz := uint64(size)
		switch t := s.NodeType[i]; {
		case t == k.Hidden:
			st.System += sz
		case t == k.Native:
			st.Native += sz
			if r.is(s.NodeName[i], nameArrayBufferData) {
				st.TypedArrays += sz
			}
		case t == k.Code:
			st.Code += sz
		case t == k.ConsString || t == k.SlicedString || t == k.String:
			st.Strings += sz
		case r.is(s.NodeName[i], nameArray):
			st.JSArrays += sz
		}
	}
	// An Array's elements store counts toward JS arrays when the array is
	// its only retainer (of any edge type).
	if len(elements) > 0 {
		// Retainers are counted up to two, in two bits per node: a map
		// of counts cost a hash lookup for each of millions of edges.
		candidate := bitset.New(s.NodeCount)
		once, more := bitset.New(s.NodeCount), bitset.New(s.NodeCount)
		for _, el := range elements {
			candidate.Add(el)
		}
		for _, t := range s.EdgeTo {
			if candidate.Has(t) {
				if once.Has(t) {
					more.Add(t)
				} else {
					once.Add(t)
				}
			}
		}
		for _, el := range elements {
			if once.Has(el) && !more.Has(el) {
				st.JSArrays += uint64(s.NodeSelfSize[el])
			}
		}
	}
	st.V8Heap = st.Total - st.Native
	r.Statistics = st
}

// arrayElements returns the elements store of every Array node the
// Statistics count as a JS array (the first target of an internal edge
// named "elements"), in node order. It reads edge names, which the
// Statistics themselves then do not need.
func (r *Analysis) arrayElements() []uint32 {
	s := r.Snapshot
	k := &s.Types
	var elements []uint32
	for i := range uint32(s.NodeCount) {
		switch t := s.NodeType[i]; {
		case t == k.Hidden || t == k.Native || t == k.Code || t == k.ConsString || t == k.SlicedString || t == k.String:
		case r.is(s.NodeName[i], nameArray):
			if el, ok := r.elementsOf(i); ok {
				elements = append(elements, el)
			}
		}
	}
	return elements
}

// elementsOf returns the target of node i's first internal edge named
// "elements".
func (r *Analysis) elementsOf(i uint32) (uint32, bool) {
	s := r.Snapshot
	for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
		if s.EdgeType[e] == s.Types.Internal && r.is(s.EdgeName[e], nameElements) {
			return s.EdgeTo[e], true
		}
	}
	return 0, false
}
