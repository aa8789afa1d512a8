package suspects

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/heapsnap/heapsnap/internal/sources"
	"github.com/heapsnap/heapsnap/internal/units"
)

// promises flags pending promises with at least MinReactions reactions
// waiting on them: then() callbacks and suspended async functions that
// will never run if the promise never settles. A pending promise keeps its
// reactions in a singly linked list of PromiseReaction records, newest
// first; their fields are numbered differently from one V8 version to the
// next (and on the list's last record), so each is told apart by what it
// points at.
func (f *finder) promises() []*Suspect {
	s := f.s
	var out []*Suspect
	for p := range uint32(s.NodeCount) {
		if s.NodeType[p] != f.t.Object || !f.names.is(s.NodeName[p], nPromise) {
			continue
		}
		head, ok := f.edgeTo(p, f.t.Internal, nReactions)
		if !ok || !f.names.is(s.NodeName[head], nPromiseReaction) {
			continue
		}
		var groups []ReactionGroup
		index := map[string]int{}
		var thens, awaits []uint32
		reactions := 0
		seen := map[uint32]bool{}
		for r, more := head, true; more && !seen[r]; {
			seen[r] = true
			reactions++
			next, kind, fn := f.reaction(r)
			if fn != 0 {
				name, loc := f.function(fn)
				k := kind + "\x00" + name + "\x00" + loc.String()
				g, ok := index[k]
				if !ok {
					g = len(groups)
					index[k] = g
					groups = append(groups, ReactionGroup{Kind: kind, Function: name, Location: loc})
				}
				groups[g].Count++
				if kind == "then" {
					thens = append(thens, fn)
				} else {
					awaits = append(awaits, fn)
				}
			}
			r, more = next, next != 0
		}
		if reactions < f.o.MinReactions {
			continue
		}
		slices.SortStableFunc(groups, func(a, b ReactionGroup) int { return cmp.Compare(b.Count, a.Count) })
		var parts []string
		for _, g := range groups {
			what := "then(" + g.Function + ")"
			if g.Kind == "await" {
				what = "await in " + g.Function
			}
			if g.Location.File != "" {
				what += " at " + g.Location.String()
			}
			parts = append(parts, units.Count(g.Count)+" "+what)
		}
		sus := &Suspect{
			Kind: Promises, Count: reactions, RetainedSize: f.r.Retained.At(p), ID: s.NodeID[p],
			Title:  fmt.Sprintf("%s reactions waiting on a pending Promise", units.Count(reactions)),
			Detail: strings.Join(parts, ", "),
			Holds:  f.holds(thens), accumulated: slices.Concat(thens, awaits),
			Promises: &PromiseEvidence{Reactions: reactions, Groups: groups},
		}
		if len(groups) > 0 {
			sus.Created = &groups[0].Location
		}
		if len(sus.Holds) == 0 {
			sus.Holds = f.holds(awaits)
		}
		f.wantPath(p, &sus.Path)
		out = append(out, sus)
	}
	return out
}

// reaction reads one PromiseReaction: the next record (0 at the end), and
// its handler: the function a then() calls, or the async function an
// await suspended ("await"); fn is 0 when neither is the program's.
func (f *finder) reaction(r uint32) (next uint32, kind string, fn uint32) {
	s := f.s
	for e := s.FirstEdge[r]; e < s.FirstEdge[r+1]; e++ {
		if s.EdgeType[e] != f.t.HiddenEdge {
			continue
		}
		to := s.EdgeTo[e]
		switch {
		case f.names.is(s.NodeName[to], nPromiseReaction) && to != r:
			next = to
		case s.NodeType[to] == f.t.Closure && fn == 0:
			if f.userFunction(to) {
				kind, fn = "then", to
			} else if g, ok := f.awaited(to); ok {
				kind, fn = "await", g
			}
		}
	}
	return next, kind, fn
}

// awaited returns the async function behind one of await's resolve or
// reject closures: its context's extension is the suspended function's
// generator object.
func (f *finder) awaited(c uint32) (uint32, bool) {
	ctx, ok := f.edgeTo(c, f.t.Internal, nContext)
	if !ok {
		return 0, false
	}
	gen, ok := f.edgeTo(ctx, f.t.Internal, nExtension)
	if !ok {
		return 0, false
	}
	fn, ok := f.edgeTo(gen, f.t.Internal, nFunction)
	return fn, ok && f.s.NodeType[fn] == f.t.Closure
}

// userFunction reports whether closure c is a function of the program: V8
// recorded where it is, in a script of the program's rather than the
// runtime's.
func (f *finder) userFunction(c uint32) bool {
	l, ok := f.o.Names.Locations().Node(c)
	return ok && !sources.IsRuntimeScript(l.File)
}
