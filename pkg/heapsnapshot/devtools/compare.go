package devtools

// Reclassify re-categorises the snapshot's plain objects with another
// snapshot's interface definitions and recomputes every class and its
// Summary numbers, as DevTools' aggregatesForDiff does to the base snapshot
// of a Comparison (applyInterfaceDefinitions with the current snapshot's
// definitions, then getAggregatesByClassKey). Only plain objects change
// class: one that matches no definition falls back to its raw name.
//
// r.Interfaces keeps the snapshot's own definitions. The previous r.Class
// and r.Classes slices are replaced, not modified, so a caller may keep them
// to look up the classes as they were.
func (r *Analysis) Reclassify(defs []Interface) {
	s := r.Snapshot
	names := make([]uint32, s.NodeCount)
	for i, c := range r.Class {
		names[i] = r.Classes[c].NameIndex
	}
	c := newClassNamer(r, defs)
	for i := range uint32(s.NodeCount) {
		if !r.isPlainObject(i) {
			continue
		}
		if idx, ok := c.interfaceName(i); ok {
			names[i] = idx
		} else {
			names[i] = s.NodeName[i]
		}
	}
	r.Class = names
	c.flush()
	r.keyClasses()
	r.aggregate()
}
