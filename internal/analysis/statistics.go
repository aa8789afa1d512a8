package analysis

// computeStatistics is JSHeapSnapshot.calculateStatistics, over adjusted
// self sizes. elements are the Arrays' elements stores (arrayElements).
func (r *Result) computeStatistics(elements []uint32) {
	s := r.Snap
	k := r.kinds
	r.TotalSize = r.Retained.At(s.Root()) + s.ExtraNativeBytes
	st := Statistics{Total: r.TotalSize, Native: s.ExtraNativeBytes}
	for i, size := range s.NodeSelfSize {
		sz := uint64(size)
		switch t := int(s.NodeType[i]); {
		case t == k.hidden:
			st.System += sz
		case t == k.native:
			st.Native += sz
			if r.is(s.NodeName[i], nameArrayBufferData) {
				st.TypedArrays += sz
			}
		case t == k.code:
			st.Code += sz
		case t == k.consString || t == k.slicedString || t == k.str:
			st.Strings += sz
		case r.is(s.NodeName[i], nameArray):
			st.JSArrays += sz
		}
	}
	// An Array's elements store counts toward JS arrays when the array is
	// its only retainer (of any edge type).
	if len(elements) > 0 {
		candidate := newBitset(s.NodeCount)
		retainers := make(map[uint32]int, len(elements))
		for _, el := range elements {
			candidate.set(el)
		}
		for _, t := range s.EdgeTo {
			if candidate.has(t) {
				retainers[t]++
			}
		}
		for _, el := range elements {
			if retainers[el] == 1 {
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
func (r *Result) arrayElements() []uint32 {
	s := r.Snap
	k := r.kinds
	var elements []uint32
	for i := range uint32(s.NodeCount) {
		switch t := int(s.NodeType[i]); {
		case t == k.hidden || t == k.native || t == k.code || t == k.consString || t == k.slicedString || t == k.str:
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
func (r *Result) elementsOf(i uint32) (uint32, bool) {
	s := r.Snap
	for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
		if int(s.EdgeType[e]) == r.kinds.internal && r.is(s.EdgeName[e], nameElements) {
			return s.EdgeTo[e], true
		}
	}
	return 0, false
}
