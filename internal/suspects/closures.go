package suspects

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/heapsnap/heapsnap/internal/bitset"
	"github.com/heapsnap/heapsnap/internal/units"
)

// closures flags functions whose closures keep at least MinContextSize
// bytes alive through their scopes, and blames the captured variable that
// holds the memory, not the function: a closure keeps every variable of
// its scope that some function of the scope uses (V8 shares one context
// per scope), so the usual leak is a variable the closure never reads.
//
// Closures are grouped by function and source location; each scope
// (context) counts once. Top-level scopes — a module's, a script's — are
// left out: every function of a module shares one, and what it holds is a
// variable of the module, which the collections detector names.
func (f *finder) closures() []*Suspect {
	s := f.s
	r := f.r
	type group struct {
		fn       uint32 // a closure of the group, named when it is reported
		closures []uint32
		contexts []uint32
	}
	// Closures group by function: the name and V8's position, compared as
	// integers (formatting a location for millions of closures costs
	// seconds on a big heap); only the reported groups are named.
	type fnKey struct {
		name, script, line, column uint32
		located                    bool
	}
	index := map[fnKey]int{}
	var groups []*group
	counted := bitset.New(s.NodeCount)
	locs := s.Locations
	for c := range uint32(s.NodeCount) {
		if s.NodeType[c] != f.t.Closure {
			continue
		}
		for len(locs) > 0 && locs[0].Node < c {
			locs = locs[1:]
		}
		// API functions and builtins have the native context, which holds
		// everything; only function contexts count.
		ctx, ok := f.edgeTo(c, f.t.Internal, nContext)
		if !ok || !f.isFunctionScope(ctx) {
			continue
		}
		k := fnKey{name: s.NodeName[c]}
		if len(locs) > 0 && locs[0].Node == c {
			k.script, k.line, k.column, k.located = locs[0].ScriptID, locs[0].Line, locs[0].Column, true
		}
		g, ok := index[k]
		if !ok {
			g = len(groups)
			index[k] = g
			groups = append(groups, &group{fn: c})
		}
		groups[g].closures = append(groups[g].closures, c)
		if !counted.Has(ctx) {
			counted.Add(ctx)
			groups[g].contexts = append(groups[g].contexts, ctx)
		}
	}
	var out []*Suspect
	for _, g := range groups {
		// The sum over the contexts bounds what they retain together:
		// most groups end here, before the nesting check below.
		var bound uint64
		for _, ctx := range g.contexts {
			bound += r.Retained.At(ctx)
		}
		if bound < f.o.MinContextSize {
			continue
		}
		var retained uint64
		inGroup := map[uint32]bool{}
		for _, ctx := range g.contexts {
			inGroup[ctx] = true
		}
		for _, ctx := range g.contexts {
			if !f.dominatedByAny(ctx, inGroup) {
				retained += r.Retained.At(ctx)
			}
		}
		if retained < f.o.MinContextSize {
			continue
		}
		vars := f.capturedVariables(g.contexts)
		n := len(g.closures)
		name, loc := f.function(g.fn)
		sus := &Suspect{
			Kind: Closure, Count: n, RetainedSize: retained, ID: s.NodeID[g.closures[0]], Created: &loc,
			Holds: f.holds(g.closures), accumulated: g.closures,
			Closure: &ClosureEvidence{Function: name, Location: loc, Closures: n, Contexts: len(g.contexts), Variables: vars},
		}
		blame := "its scope"
		if len(vars) > 0 {
			blame = fmt.Sprintf("'%s' (%s)", vars[0].Name, vars[0].Class)
		}
		if n == 1 {
			sus.Title = fmt.Sprintf("%s keeps %s alive: %s", name, blame, units.Bytes(retained))
		} else {
			sus.Title = fmt.Sprintf("%s closures of %s keep %s alive: %s", units.Count(n), name, blame, units.Bytes(retained))
		}
		var parts []string
		if loc.File != "" || loc.Line != 0 {
			parts = append(parts, "created at "+loc.String())
		}
		if len(vars) > 0 {
			var vs []string
			for _, v := range vars {
				vs = append(vs, fmt.Sprintf("%s (%s, %s)", v.Name, v.Class, units.Bytes(v.RetainedSize)))
			}
			parts = append(parts, "captured variables that retain the most: "+strings.Join(vs, ", "))
		}
		sus.Detail = strings.Join(parts, "; ")
		sus.ID = f.wantHolderPath(g.closures, &sus.Path)
		out = append(out, sus)
	}
	return out
}

// capturedVariables returns, over the contexts of one function, the three
// variables whose values retain the most, by name.
func (f *finder) capturedVariables(contexts []uint32) []Variable {
	s := f.s
	type acc struct {
		class    string
		retained uint64
	}
	byName := map[string]*acc{}
	var names []string
	for _, ctx := range contexts {
		for e := s.FirstEdge[ctx]; e < s.FirstEdge[ctx+1]; e++ {
			if s.EdgeType[e] != f.t.Context {
				continue
			}
			name := s.Strings.String(s.EdgeName[e])
			a := byName[name]
			if a == nil {
				a = &acc{class: f.className(s.EdgeTo[e])}
				byName[name] = a
				names = append(names, name)
			}
			a.retained += f.r.Retained.At(s.EdgeTo[e])
		}
	}
	vars := make([]Variable, 0, len(names))
	for _, n := range names {
		vars = append(vars, Variable{Name: n, Class: byName[n].class, RetainedSize: byName[n].retained})
	}
	slices.SortStableFunc(vars, func(a, b Variable) int {
		if c := cmp.Compare(b.RetainedSize, a.RetainedSize); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return vars[:min(len(vars), 3)]
}

// wantHolderPath asks for the owner path of what holds a group of objects
// and returns its id: their common immediate dominator when they have one
// (the Array of handlers, the list of timers), else the first of them.
func (f *finder) wantHolderPath(items []uint32, dst *string) uint32 {
	holder := f.r.Dominator[items[0]]
	for _, i := range items[1:] {
		if f.r.Dominator[i] != holder {
			holder = f.s.Root()
			break
		}
	}
	if len(items) == 1 || holder == f.s.Root() {
		holder = items[0]
	}
	f.wantPath(holder, dst)
	return f.s.NodeID[holder]
}
