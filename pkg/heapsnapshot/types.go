package heapsnapshot

// NoType is the value a Types field holds when the snapshot's meta does not
// declare that type: no node or edge has it (meta declares at most 255
// types, numbered from 0).
const NoType uint8 = 0xff

// Types holds the numeric values of the node and edge types, resolved once
// from snapshot.meta so that loops over millions of nodes and edges compare
// bytes, not names. V8 versions differ in which types they declare and in
// what order, which is why they are looked up by name.
type Types struct {
	// Node types.
	Hidden, Array, String, Object, Code, Closure, RegExp, Number, Native,
	Synthetic, ConsString, SlicedString, Symbol, BigInt, ObjectShape uint8
	// Edge types. HiddenEdge is the edge type "hidden", not the node type.
	Context, Element, Property, Internal, HiddenEdge, Shortcut, Weak uint8

	// indexNamed[t] is set for edge types whose name_or_index is an index
	// ("element" and "hidden"), not a string.
	indexNamed [256]bool
}

// ResolveTypes looks up every type Types names in m.
func ResolveTypes(m *Meta) Types {
	node := func(name string) uint8 { return typeValue(m.NodeTypeIndex(name)) }
	edge := func(name string) uint8 { return typeValue(m.EdgeTypeIndex(name)) }
	t := Types{
		Hidden: node("hidden"), Array: node("array"), String: node("string"), Object: node("object"),
		Code: node("code"), Closure: node("closure"), RegExp: node("regexp"), Number: node("number"),
		Native: node("native"), Synthetic: node("synthetic"), ConsString: node("concatenated string"),
		SlicedString: node("sliced string"), Symbol: node("symbol"), BigInt: node("bigint"),
		ObjectShape: node("object shape"),
		Context:     edge("context"), Element: edge("element"), Property: edge("property"),
		Internal: edge("internal"), HiddenEdge: edge("hidden"), Shortcut: edge("shortcut"), Weak: edge("weak"),
	}
	for _, e := range []uint8{t.Element, t.HiddenEdge} {
		if e != NoType {
			t.indexNamed[e] = true
		}
	}
	return t
}

func typeValue(i int) uint8 {
	if i < 0 || i >= int(NoType) {
		return NoType
	}
	return uint8(i)
}

// IsIndexNamed reports whether edges of type t carry a numeric index in
// name_or_index ("element" and "hidden" edges) instead of a string index.
func (t *Types) IsIndexNamed(edgeType uint8) bool { return t.indexNamed[edgeType] }

// IsString reports whether node type nt is one of V8's string types.
func (t *Types) IsString(nt uint8) bool {
	return nt != NoType && (nt == t.String || nt == t.ConsString || nt == t.SlicedString)
}
