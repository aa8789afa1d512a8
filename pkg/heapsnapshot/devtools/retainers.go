package devtools

import (
	"bytes"
	"slices"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// RetainerIndex is a reverse edge index: every node's retaining edges. It
// costs 4 bytes per edge and 4 per node, so it is built only for the views
// that need it.
type RetainerIndex struct {
	r     *Analysis
	first []uint32 // node i's slots are first[i] .. first[i+1]-1
	slots []uint32 // edge indices, latest edge first
}

// NewRetainerIndex builds the reverse index of an analyzed snapshot.
func NewRetainerIndex(r *Analysis) *RetainerIndex {
	s := r.Snapshot
	n := uint32(s.NodeCount)
	first := make([]uint32, n+1)
	for _, t := range s.EdgeTo {
		first[t]++
	}
	// Running sums make first[t] the end of t's range; filling backwards
	// then leaves it at the start, with slots in reverse edge order, which
	// is DevTools' slot order (the reverse of source ordinal, then of edge
	// order).
	for i := uint32(1); i <= n; i++ {
		first[i] += first[i-1]
	}
	slots := make([]uint32, len(s.EdgeTo))
	for e, t := range s.EdgeTo {
		first[t]--
		slots[first[t]] = uint32(e)
	}
	return &RetainerIndex{r: r, first: first, slots: slots}
}

// Edges returns every edge into node i, weak ones included, latest first.
// The result aliases the index.
func (x *RetainerIndex) Edges(i uint32) []uint32 { return x.slots[x.first[i]:x.first[i+1]] }

// Retainer is one row of DevTools' Retainers view.
type Retainer struct {
	Edge uint32 // the retaining edge
	From uint32 // the retaining node
	// Distance is the distance the view shows and sorts by (ShownDistance).
	Distance int32
	Name     string // the retaining node's display name (DisplayName)
}

// Retainers returns node i's retainers in the order DevTools' Retainers
// view lists them by default: weak edges and the root's edges left out,
// then by distance, display name (UTF-16 order) and slot (CompareRetainers).
func (x *RetainerIndex) Retainers(i uint32) []Retainer {
	r := x.r
	s := r.Snapshot
	var out []Retainer
	for _, e := range x.Edges(i) {
		src := s.EdgeSource(e)
		if !r.ListsRetainer(src, e) {
			continue
		}
		out = append(out, Retainer{Edge: e, From: src, Distance: r.ShownDistance(src), Name: r.DisplayName(src)})
	}
	slices.SortFunc(out, func(a, b Retainer) int { return CompareRetainers(&a, &b) })
	return out
}

// CompareRetainers orders retainers as the Retainers view does: by shown
// distance, then display name in UTF-16 order, then slot, which is the
// reverse of edge order.
func CompareRetainers(a, b *Retainer) int {
	switch {
	case a.Distance != b.Distance:
		if a.Distance < b.Distance {
			return -1
		}
		return 1
	}
	if c := heapsnapshot.CompareUTF16([]byte(a.Name), []byte(b.Name)); c != 0 {
		return c
	}
	switch {
	case a.Edge > b.Edge:
		return -1
	case a.Edge < b.Edge:
		return 1
	}
	return 0
}

// ListsRetainer reports whether DevTools' Retainers view lists edge e
// (from src) among its target's retainers: weak edges and the root's own
// edges are left out.
func (r *Analysis) ListsRetainer(src, e uint32) bool {
	s := r.Snapshot
	return s.EdgeType[e] != s.Types.Weak && src != s.Root()
}

// ShownDistance is the distance the Retainers view shows and sorts by: the
// node's distance, or BaseUnreachableDistance for unreachable nodes, which
// it lists last.
func (r *Analysis) ShownDistance(i uint32) int32 {
	if d := r.Distance[i]; d != NoDistance {
		return d
	}
	return BaseUnreachableDistance
}

// DisplayName returns node i's name as DevTools' views show it
// (JSHeapSnapshotNode.name()): a concatenated string's text, a plain
// object's property list "{a, b, …, z}", otherwise the raw name (after
// DevTools' "Detached " renaming).
func (r *Analysis) DisplayName(i uint32) string { return string(r.displayName(i)) }

func (r *Analysis) displayName(i uint32) []byte {
	s := r.Snapshot
	switch t := s.NodeType[i]; {
	case t == s.Types.ConsString:
		return r.consStringName(i)
	case t == s.Types.Object && r.is(s.NodeName[i], nameObject):
		return r.plainObjectName(i)
	}
	return s.NodeNameBytes(i)
}

// consStringName flattens a concatenated string: a depth-first walk over
// its internal "first" and "second" edges that stops once the text has
// 1024 UTF-16 units. DevTools would loop forever on a cycle of cons
// strings; the walk is bounded instead.
func (r *Analysis) consStringName(i uint32) []byte {
	s := r.Snapshot
	var out []byte
	units := 0
	stack := []uint32{i}
	for steps := 0; len(stack) > 0 && units < 1024 && steps < 1<<16; steps++ {
		k := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s.NodeType[k] != s.Types.ConsString {
			name := s.NodeNameBytes(k)
			out = append(out, name...)
			units += heapsnapshot.UTF16Len(name)
			continue
		}
		// A missing half is 0, which DevTools then reads as node 0.
		var first, second uint32
		for e := s.FirstEdge[k]; e < s.FirstEdge[k+1] && (first == 0 || second == 0); e++ {
			if s.EdgeType[e] != s.Types.Internal {
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
func (r *Analysis) plainObjectName(i uint32) []byte {
	s := r.Snapshot
	start, end := []byte("{"), []byte("}")
	startLen, endLen := 1, 1
	a, b := int64(s.FirstEdge[i]), int64(s.FirstEdge[i+1])-1
	fromEnd := false
	for a <= b {
		j := a
		if fromEnd {
			j = b
		}
		if s.EdgeType[j] != s.Types.Property || r.is(s.EdgeName[j], nameProto) {
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

// EdgeLabel returns edge e as DevTools' JSHeapSnapshotEdge.toString writes
// it: "->name" (context), "[i]" (element), ".name" or `["a b"]` (property
// and shortcut), "{name}" (internal and hidden), "[[name]]" (weak).
func (r *Analysis) EdgeLabel(e uint32) string {
	s := r.Snapshot
	t := &s.Types
	var b []byte
	switch et := s.EdgeType[e]; et {
	case t.Context:
		b = s.AppendEdgeName(append(b, "->"...), e)
	case t.Element:
		b = append(s.AppendEdgeName(append(b, '['), e), ']')
	case t.Weak:
		b = append(s.AppendEdgeName(append(b, "[["...), e), "]]"...)
	case t.Property, t.Shortcut:
		name := s.AppendEdgeName(nil, e)
		if bytes.IndexByte(name, ' ') < 0 {
			return "." + string(name)
		}
		return `["` + string(name) + `"]`
	default:
		b = append(s.AppendEdgeName(append(b, '{'), e), '}')
	}
	return string(b)
}
