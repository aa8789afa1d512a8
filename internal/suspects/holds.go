package suspects

import (
	"cmp"
	"slices"
)

// holds says what closures hold: the variables of their scopes, up to the
// top-level scope (whose variables every function of the module shares,
// so they say nothing of one closure), by name and class, what retains
// most first, three at most.
func (f *finder) holds(closures []uint32) []Held {
	s := f.s
	type key struct{ name, class string }
	index := map[key]int{}
	var out []Held
	seen := map[uint32]bool{} // values counted once, however many hold them
	for _, c := range closures {
		ctx, ok := f.edgeTo(c, f.t.Internal, nContext)
		for depth := 0; ok && depth < 8 && f.isFunctionScope(ctx); depth++ {
			for e := s.FirstEdge[ctx]; e < s.FirstEdge[ctx+1]; e++ {
				var name string
				switch s.EdgeType[e] {
				case f.t.Context:
					name = s.Strings.String(s.EdgeName[e])
				case f.t.HiddenEdge:
					// A block scope's variables have no names in Node.
					if s.NodeType[s.EdgeTo[e]] != f.t.Object {
						continue
					}
					name = "(block variable)"
				default:
					continue
				}
				v := s.EdgeTo[e]
				if f.isOddball(v) || s.NodeType[v] == f.t.Code {
					continue
				}
				k := key{name, f.className(v)}
				h, ok := index[k]
				if !ok {
					h = len(out)
					index[k] = h
					out = append(out, Held{Name: name, Class: k.class})
				}
				out[h].Count++
				if !seen[v] {
					seen[v] = true
					out[h].RetainedSize += f.r.Retained.At(v)
				}
			}
			ctx, ok = f.edgeTo(ctx, f.t.Internal, nPrevious)
		}
	}
	slices.SortStableFunc(out, func(a, b Held) int {
		if c := cmp.Compare(b.RetainedSize, a.RetainedSize); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out[:min(len(out), 3)]
}

// isFunctionScope reports whether ctx is a function's or a block's
// context, not a top-level scope (a module's or a script's, whose
// enclosing context is the native context) nor the native context.
func (f *finder) isFunctionScope(ctx uint32) bool {
	s := f.s
	if s.NodeType[ctx] != f.t.Object || !f.names.is(s.NodeName[ctx], nSystemContext) {
		return false
	}
	prev, ok := f.edgeTo(ctx, f.t.Internal, nPrevious)
	return ok && !f.names.is(s.NodeName[prev], nNativeContext)
}

// holdsText says what the holds are: "poller (Poller), conn (Connection)".
func holdsText(hs []Held) string {
	var b []byte
	for k, h := range hs {
		if k > 0 {
			b = append(b, ", "...)
		}
		b = append(b, h.Name...)
		b = append(b, " ("...)
		b = append(b, h.Class...)
		b = append(b, ')')
	}
	return string(b)
}
