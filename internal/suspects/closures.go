package suspects

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/heapsnap/heapsnap/internal/units"
)

// closures flags functions whose contexts retain at least MinContextSize
// bytes. A context is shared by every closure created in the same scope,
// so each context is reported once, under the closure that dominates it
// (the one that alone keeps it alive) or else the first closure that
// references it; contexts are then grouped by that closure's function and
// source location.
//
// Without scope information V8 does not say which variables a function
// really uses, so the evidence lists the variables that retain the most:
// usually the one a function keeps alive without needing it.
func (f *finder) closures() []*Suspect {
	s := f.s
	r := f.r
	owner := map[uint32]uint32{} // context → representative closure
	var contexts []uint32
	closuresOf := map[uint32]int{}
	for c := uint32(0); c < uint32(s.NodeCount); c++ {
		if s.NodeType[c] != f.t.Closure {
			continue
		}
		// API functions and builtins have the native context, which holds
		// everything; only function contexts count.
		ctx, ok := f.edgeTo(c, f.t.Internal, nContext)
		if !ok || r.Retained.At(ctx) < f.o.MinContextSize || s.NodeType[ctx] != f.t.Object || !f.names.is(s.NodeName[ctx], nSystemContext) {
			continue
		}
		closuresOf[ctx]++
		prev, seen := owner[ctx]
		switch {
		case !seen:
			owner[ctx] = c
			contexts = append(contexts, ctx)
		case r.Dominator[ctx] == c && prev != c:
			owner[ctx] = c
		}
	}
	type fnKey struct {
		name string
		loc  Location
	}
	type group struct {
		fn       uint32
		contexts []uint32
		closures int
	}
	groups := map[fnKey]*group{}
	var keys []fnKey
	for _, ctx := range contexts {
		c := owner[ctx]
		name, loc := f.function(c)
		k := fnKey{name, loc}
		g := groups[k]
		if g == nil {
			g = &group{fn: c}
			groups[k] = g
			keys = append(keys, k)
		}
		g.contexts = append(g.contexts, ctx)
		g.closures += closuresOf[ctx]
	}
	var out []*Suspect
	for _, k := range keys {
		g := groups[k]
		var retained uint64
		biggest := g.contexts[0]
		for _, ctx := range g.contexts {
			retained += r.Retained.At(ctx)
			if r.Retained.At(ctx) > r.Retained.At(biggest) {
				biggest = ctx
			}
		}
		vars := f.contextVariables(biggest)
		sus := &Suspect{
			Kind: Closure, Count: g.closures, RetainedSize: retained, ID: s.NodeID[g.fn],
			Closure: &ClosureEvidence{Function: k.name, Location: k.loc, Closures: g.closures, Contexts: len(g.contexts), Variables: vars},
		}
		if len(g.contexts) == 1 {
			sus.Title = fmt.Sprintf("%s keeps a context of %s alive", k.name, units.Bytes(retained))
		} else {
			sus.Title = fmt.Sprintf("%s closures of %s keep %s contexts of %s alive", units.Count(g.closures), k.name, units.Count(len(g.contexts)), units.Bytes(retained))
		}
		var parts []string
		if k.loc.File != "" || k.loc.Line != 0 {
			parts = append(parts, "defined at "+k.loc.String())
		}
		if len(vars) > 0 {
			var vs []string
			for _, v := range vars {
				vs = append(vs, fmt.Sprintf("%s (%s, %s)", v.Name, v.Class, units.Bytes(v.RetainedSize)))
			}
			parts = append(parts, "biggest context variables: "+strings.Join(vs, ", "))
		}
		sus.Detail = strings.Join(parts, "; ")
		f.wantPath(g.fn, &sus.Path)
		out = append(out, sus)
	}
	return out
}

// contextVariables returns the three variables of a context that retain
// the most.
func (f *finder) contextVariables(ctx uint32) []Variable {
	s := f.s
	var vars []Variable
	for e := s.FirstEdge[ctx]; e < s.FirstEdge[ctx+1]; e++ {
		if s.EdgeType[e] != f.t.Context {
			continue
		}
		to := s.EdgeTo[e]
		vars = append(vars, Variable{Name: s.Strings.String(s.EdgeName[e]), Class: f.className(to), RetainedSize: f.r.Retained.At(to)})
	}
	slices.SortStableFunc(vars, func(a, b Variable) int {
		if c := cmp.Compare(b.RetainedSize, a.RetainedSize); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return vars[:min(len(vars), 3)]
}
