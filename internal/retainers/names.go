// Package retainers answers "what keeps this object alive?": DevTools'
// Retainers view (which retainers are listed, their order and the
// distances shown), the retainer chain DevTools expands from an object to a
// GC root or the global object, further chains shortest first, and owner
// paths such as global.processor.emitter.
//
// The dedicated views build a full reverse edge index (Index, 4 bytes per
// edge and per node). Owner paths for a handful of objects, which `heapsnap
// analyze` needs for its suspects, are found without one (Owners): one scan
// over the edge arrays per step of the longest path.
package retainers

import (
	"bytes"
	"strconv"

	"github.com/heapsnap/heapsnap/internal/analysis"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// graph caches the type numbers the views test.
type graph struct {
	r *analysis.Result
	s *heapsnapshot.Snapshot
	// node types
	object, consString, hidden, array, code, synthetic, shape int
	// edge types
	element, edgeHidden, property, internal, context, shortcut, weak int
	root                                                             uint32
}

func newGraph(r *analysis.Result) *graph {
	m := &r.Snap.Meta
	return &graph{
		r: r, s: r.Snap, root: r.Snap.Root(),
		object: m.NodeTypeIndex("object"), consString: m.NodeTypeIndex("concatenated string"),
		hidden: m.NodeTypeIndex("hidden"), array: m.NodeTypeIndex("array"), code: m.NodeTypeIndex("code"),
		synthetic: m.NodeTypeIndex("synthetic"), shape: m.NodeTypeIndex("object shape"),
		element: m.EdgeTypeIndex("element"), edgeHidden: m.EdgeTypeIndex("hidden"),
		property: m.EdgeTypeIndex("property"), internal: m.EdgeTypeIndex("internal"),
		context: m.EdgeTypeIndex("context"), shortcut: m.EdgeTypeIndex("shortcut"), weak: m.EdgeTypeIndex("weak"),
	}
}

// numeric reports whether edges of type t carry an index, not a string.
func (g *graph) numeric(t uint8) bool { return int(t) == g.element || int(t) == g.edgeHidden }

// edgeName is DevTools' edge.name(): the string, or the index in decimal.
func (g *graph) edgeName(e uint32) []byte {
	if g.numeric(g.s.EdgeType[e]) {
		return strconv.AppendUint(nil, uint64(g.s.EdgeName[e]), 10)
	}
	return g.s.Strings.Bytes(g.s.EdgeName[e])
}

// listed reports whether DevTools' Retainers view lists edge e (from src):
// weak edges and the root's own edges are left out.
func (g *graph) listed(src, e uint32) bool {
	return int(g.s.EdgeType[e]) != g.weak && src != g.root
}

// shownDistance is the distance the Retainers view sorts by: unreachable
// nodes come last.
func (g *graph) shownDistance(i uint32) int32 {
	if d := g.r.Distance[i]; d != analysis.NoDistance {
		return d
	}
	return analysis.BaseUnreachableDist
}

// EdgeName returns edge e's name as DevTools shows it: its string, or its
// index for element and hidden edges.
func EdgeName(r *analysis.Result, e uint32) string { return string(newGraph(r).edgeName(e)) }

// EdgeLabel returns edge e as DevTools' JSHeapSnapshotEdge.toString writes
// it: "->name" (context), "[i]" (element), ".name" or `["a b"]`
// (property and shortcut), "{name}" (internal and hidden), "[[name]]"
// (weak).
func EdgeLabel(r *analysis.Result, e uint32) string { return newGraph(r).edgeLabel(e) }

func (g *graph) edgeLabel(e uint32) string {
	name := string(g.edgeName(e))
	switch int(g.s.EdgeType[e]) {
	case g.context:
		return "->" + name
	case g.element:
		return "[" + name + "]"
	case g.weak:
		return "[[" + name + "]]"
	case g.property, g.shortcut:
		if bytes.IndexByte([]byte(name), ' ') < 0 {
			return "." + name
		}
		return `["` + name + `"]`
	}
	return "{" + name + "}"
}

// pathStep writes edge e as a step of an owner path: ".name" for property
// names that are identifiers, `["name"]` (a JSON string) for other
// property names, "[i]" for elements, "->name" for context variables and
// "{name}" for V8-internal edges.
func (g *graph) pathStep(b []byte, e uint32) []byte {
	name := g.edgeName(e)
	switch int(g.s.EdgeType[e]) {
	case g.property, g.shortcut:
		if isIdentifier(name) {
			return append(append(b, '.'), name...)
		}
		b = append(b, '[')
		b = heapsnapshot.AppendJSString(b, name)
		return append(b, ']')
	case g.element:
		return append(append(append(b, '['), name...), ']')
	case g.context:
		return append(append(b, "->"...), name...)
	case g.weak:
		return append(append(append(b, "[["...), name...), "]]"...)
	}
	return append(append(append(b, '{'), name...), '}')
}

// isIdentifier reports whether a property name can follow a dot: ASCII
// letters, digits, _ and $, not starting with a digit; private names
// (#field) too.
func isIdentifier(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == '$':
		case c >= '0' && c <= '9' && i > 0:
		case c == '#' && i == 0 && len(b) > 1:
		default:
			return false
		}
	}
	return true
}

// ArrowStep writes edge e as a step of an arrow chain (global → processor
// → [3]): a property's bare name, "[i]" for elements, "->name" for
// context variables and "{name}" for V8-internal edges.
func ArrowStep(r *analysis.Result, e uint32) string {
	g := newGraph(r)
	switch int(g.s.EdgeType[e]) {
	case g.property, g.shortcut:
		return string(g.edgeName(e))
	}
	return g.edgeLabel(e)
}

// InternalEdge reports whether edge e is a V8-internal link (internal,
// hidden or shortcut) rather than one JavaScript can see.
func InternalEdge(r *analysis.Result, e uint32) bool { return newGraph(r).internalEdge(e) }

// InternalNode reports whether node i is a V8 or embedder system object
// (hidden, array, code, object shape or synthetic node).
func InternalNode(r *analysis.Result, i uint32) bool { return newGraph(r).internalNode(i) }

func (g *graph) internalEdge(e uint32) bool {
	t := int(g.s.EdgeType[e])
	return t == g.internal || t == g.edgeHidden || t == g.shortcut
}

func (g *graph) internalNode(i uint32) bool {
	switch int(g.s.NodeType[i]) {
	case g.hidden, g.array, g.code, g.synthetic, g.shape:
		return true
	}
	return false
}

// DisplayName returns node i's name as DevTools' Retainers view shows it
// (JSHeapSnapshotNode.name()): a concatenated string's text, a plain
// object's property list "{a, b, …, z}", otherwise the raw name (after
// DevTools' "Detached " renaming).
func DisplayName(r *analysis.Result, i uint32) string { return string(newGraph(r).displayName(i)) }

func (g *graph) displayName(i uint32) []byte {
	s := g.s
	switch t := int(s.NodeType[i]); {
	case t == g.consString:
		return g.consStringName(i)
	case t == g.object && bytes.Equal(s.NodeNameBytes(i), []byte("Object")):
		return g.plainObjectName(i)
	}
	return s.NodeNameBytes(i)
}

// consStringName flattens a concatenated string: a depth-first walk over
// its internal "first" and "second" edges that stops once the text has
// 1024 UTF-16 units. DevTools would loop forever on a cycle of cons
// strings; the walk is bounded instead.
func (g *graph) consStringName(i uint32) []byte {
	s := g.s
	var out []byte
	units := 0
	stack := []uint32{i}
	for steps := 0; len(stack) > 0 && units < 1024 && steps < 1<<16; steps++ {
		k := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if int(s.NodeType[k]) != g.consString {
			name := s.NodeNameBytes(k)
			out = append(out, name...)
			units += heapsnapshot.UTF16Len(name)
			continue
		}
		// A missing half is 0, which DevTools then reads as node 0.
		var first, second uint32
		for e := s.FirstEdge[k]; e < s.FirstEdge[k+1] && (first == 0 || second == 0); e++ {
			if int(s.EdgeType[e]) != g.internal {
				continue
			}
			switch string(s.Strings.Bytes(s.EdgeName[e])) {
			case "first":
				first = s.EdgeTo[e]
			case "second":
				second = s.EdgeTo[e]
			}
		}
		stack = append(stack, second, first)
	}
	return out
}

// plainObjectName is DevTools' name for a plain Object: property names
// taken alternately from the start and the end of its edges, up to about
// 100 UTF-16 units, with ", …" where some were left out.
func (g *graph) plainObjectName(i uint32) []byte {
	s := g.s
	start, end := []byte("{"), []byte("}")
	startLen, endLen := 1, 1
	a, b := int64(s.FirstEdge[i]), int64(s.FirstEdge[i+1])-1
	fromEnd := false
	for a <= b {
		j := a
		if fromEnd {
			j = b
		}
		if int(s.EdgeType[j]) != g.property || string(s.Strings.Bytes(s.EdgeName[j])) == "__proto__" {
			if fromEnd {
				b--
			} else {
				a++
			}
			continue
		}
		f := formatPropertyName(s.Strings.Bytes(s.EdgeName[j]))
		flen := heapsnapshot.UTF16Len(f)
		if startLen > 1 && startLen+endLen+flen > 100 {
			break
		}
		if fromEnd {
			b--
			if endLen > 1 {
				end = append([]byte(", "), end...)
				endLen += 2
			}
			end = append(append([]byte(nil), f...), end...)
			endLen += flen
		} else {
			a++
			if startLen > 1 {
				start = append(start, ", "...)
				startLen += 2
			}
			start = append(start, f...)
			startLen += flen
		}
		fromEnd = !fromEnd
	}
	if a <= b {
		start = append(start, ", …"...)
	}
	if endLen > 1 {
		start = append(start, ", "...)
	}
	return append(start, end...)
}

// formatPropertyName is DevTools' formatPropertyName: a name containing
// , ' " { or } is quoted as JSON.stringify quotes it.
func formatPropertyName(p []byte) []byte {
	if bytes.ContainsAny(p, ",'\"{}") {
		return heapsnapshot.AppendJSString(nil, p)
	}
	return p
}
